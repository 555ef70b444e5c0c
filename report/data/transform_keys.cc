// RowKeys, KeyIndex and CompareCells.
#include "report/data/internal/transform_keys.h"

#include <bit>
#include <cmath>
#include <functional>
#include <string_view>

namespace quire::internal {
namespace {

// splitmix64's finaliser: spreads the bits of integer keys.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr uint64_t kNullHash = 0x6a09e667f3bcc909ull;

// Float keys by value: -0 equals 0, and every NaN equals every other.
uint64_t FloatBits(double d) {
  if (d == 0) return 0;
  if (std::isnan(d)) return 0x7ff8000000000000ull;
  return std::bit_cast<uint64_t>(d);
}

uint64_t CellHash(const Column& c, size_t row) {
  if (c.IsNull(row)) return kNullHash;
  switch (c.type()) {
    case ColumnType::kText:
      return std::hash<std::string_view>()(c.text_value(row));
    case ColumnType::kFloat:
      return Mix(FloatBits(c.float_value(row)));
    default:
      return Mix(static_cast<uint64_t>(c.int_value(row)));
  }
}

}  // namespace

uint64_t RowKeys::Hash(size_t row) const {
  uint64_t h = 0;
  for (const Column* c : columns_) h = Mix(h + CellHash(*c, row));
  return h;
}

bool RowKeys::HasNull(size_t row) const {
  for (const Column* c : columns_) {
    if (c->IsNull(row)) return true;
  }
  return false;
}

bool RowKeys::Equal(size_t row, const RowKeys& other, size_t other_row) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& a = *columns_[i];
    const Column& b = *other.columns_[i];
    const bool a_null = a.IsNull(row), b_null = b.IsNull(other_row);
    if (a_null || b_null) {
      if (a_null != b_null) return false;
      continue;
    }
    switch (a.type()) {
      case ColumnType::kText:
        if (a.text_value(row) != b.text_value(other_row)) return false;
        break;
      case ColumnType::kFloat:
        if (FloatBits(a.float_value(row)) != FloatBits(b.float_value(other_row))) return false;
        break;
      default:
        if (a.int_value(row) != b.int_value(other_row)) return false;
        break;
    }
  }
  return true;
}

KeyIndex::KeyIndex(const RowKeys& keys, size_t expected_keys) : keys_(keys) {
  size_t capacity = 16;
  while (capacity < expected_keys * 2) capacity *= 2;
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  hashes_.reserve(expected_keys);
  first_rows_.reserve(expected_keys);
}

uint32_t KeyIndex::Add(size_t row) {
  const uint64_t h = keys_.Hash(row);
  for (uint64_t slot = h & mask_;; slot = (slot + 1) & mask_) {
    const uint32_t entry = slots_[slot];
    if (entry == 0) {
      const auto id = static_cast<uint32_t>(first_rows_.size());
      slots_[slot] = id + 1;
      hashes_.push_back(h);
      first_rows_.push_back(row);
      if (first_rows_.size() * 2 > slots_.size()) Grow();
      return id;
    }
    const uint32_t id = entry - 1;
    if (hashes_[id] == h && keys_.Equal(first_rows_[id], keys_, row)) return id;
  }
}

uint32_t KeyIndex::Find(const RowKeys& probe, size_t row) const {
  const uint64_t h = probe.Hash(row);
  for (uint64_t slot = h & mask_;; slot = (slot + 1) & mask_) {
    const uint32_t entry = slots_[slot];
    if (entry == 0) return kNone;
    const uint32_t id = entry - 1;
    if (hashes_[id] == h && keys_.Equal(first_rows_[id], probe, row)) return id;
  }
}

void KeyIndex::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (uint32_t id = 0; id < hashes_.size(); ++id) {
    uint64_t slot = hashes_[id] & mask_;
    while (slots_[slot] != 0) slot = (slot + 1) & mask_;
    slots_[slot] = id + 1;
  }
}

int CompareCells(const Column& column, size_t a, size_t b) {
  switch (column.type()) {
    case ColumnType::kText:
      return column.text_value(a).compare(column.text_value(b));
    case ColumnType::kFloat: {
      const double x = column.float_value(a), y = column.float_value(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const int64_t x = column.int_value(a), y = column.int_value(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

}  // namespace quire::internal
