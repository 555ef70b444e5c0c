// Internal to quire_data's transforms: rows as keys. RowKeys hashes and
// compares the values of some columns of one table row by row, typed (no
// text formatting per cell); KeyIndex numbers the distinct keys in order of
// first appearance — what group_by, join and pivot share. CompareCells
// orders two cells of one column (sort, min, max).
//
// Nulls: two null cells are equal (a null key is a key like any other);
// callers that want SQL's "null matches nothing" (join) test HasNull first.
// Not thread-safe; the columns must outlive the objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/table/table.h"

namespace quire::internal {

// The key of a row: the cells of `columns`, in order.
class RowKeys {
 public:
  explicit RowKeys(std::vector<const Column*> columns) : columns_(std::move(columns)) {}

  const std::vector<const Column*>& columns() const { return columns_; }
  uint64_t Hash(size_t row) const;
  bool HasNull(size_t row) const;
  // True when row `row` here and row `other_row` of `other` (keys of the
  // same column types, in the same order) have equal cells.
  bool Equal(size_t row, const RowKeys& other, size_t other_row) const;

 private:
  std::vector<const Column*> columns_;
};

// Numbers the distinct keys of `keys`' rows 0, 1, 2, ... in the order they
// are added: an open-addressing hash table of key ids.
class KeyIndex {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  explicit KeyIndex(const RowKeys& keys, size_t expected_keys = 64);

  // The id of row `row`'s key, a new one (the next number) when it is new.
  uint32_t Add(size_t row);
  // The id of the key equal to row `row` of `probe` (same column types);
  // kNone when there is none.
  uint32_t Find(const RowKeys& probe, size_t row) const;

  size_t size() const { return first_rows_.size(); }
  // The first row added with key `id`.
  size_t first_row(uint32_t id) const { return first_rows_[id]; }

 private:
  void Grow();

  const RowKeys& keys_;
  std::vector<uint32_t> slots_;     // key id + 1; 0 for an empty slot
  std::vector<uint64_t> hashes_;    // by key id
  std::vector<size_t> first_rows_;  // by key id
  uint64_t mask_ = 0;
};

// <0, 0 or >0 as row a's cell of `column` sorts before, with or after row
// b's; both non-null. Text byte-wise, the other types by value.
int CompareCells(const Column& column, size_t a, size_t b);

}  // namespace quire::internal
