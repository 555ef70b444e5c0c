// Internal to quire_data's transforms: the steps of one transform, each a
// function from a table to a new table, and what they share (the error
// messages naming the transform, the cancellation check, building a table
// from finished columns). ApplyTransform (transforms.cc) runs them in the
// documented order; the semantics are documented in transforms.h.
//
// Files: transform_rows.cc (filter, derive, select, rename),
// transform_group.cc (group_by + aggregate), transform_join.cc,
// transform_pivot.cc, transform_order.cc (sort, limit + other).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire::internal {

// What every step needs besides its input: who it works for.
class StepContext {
 public:
  // Rows between two looks at `cancelled`.
  static constexpr size_t kCancelCheckRows = 65536;

  StepContext(const std::string& transform, const std::function<bool()>& cancelled)
      : transform_(transform), cancelled_(cancelled) {}

  // INVALID_ARGUMENT "transform 'NAME': what".
  Status Invalid(const std::string& what) const;
  // CANCELLED when `cancelled` says so and `row` is a multiple of
  // kCancelCheckRows (row 0 included).
  Status CheckCancelled(size_t row) const;
  // The column `name` of `table`; INVALID_ARGUMENT "transform 'NAME':
  // STEP: no column 'name'" when it has none.
  StatusOr<const Column*> Find(const Table& table, const std::string& name, const char* step) const;

 private:
  const std::string& transform_;
  const std::function<bool()>& cancelled_;
};

// A table of `columns`, in order, moved in. INVALID_ARGUMENT naming a
// duplicate column name.
StatusOr<Table> TableOfColumns(std::vector<Column> columns, const StepContext& ctx);
// The columns of `table`, moved out.
std::vector<Column> TakeColumns(Table&& table);

// The steps, in the order ApplyTransform runs them.
StatusOr<Table> JoinStep(const Table& left, const Table& right, const JoinSpec& join,
                         const StepContext& ctx);
StatusOr<Table> FilterStep(const Table& in, const std::string& filter, const ParamValues& params,
                           const StepContext& ctx);
StatusOr<Table> DeriveStep(Table in, const std::vector<std::pair<std::string, std::string>>& derive,
                           const ParamValues& params, const StepContext& ctx);
StatusOr<Table> GroupStep(const Table& in, const std::vector<std::string>& group_by,
                          const std::vector<AggregateSpec>& aggregate, const StepContext& ctx);
StatusOr<Table> PivotStep(const Table& in, const PivotSpec& pivot, const StepContext& ctx);
StatusOr<Table> SelectStep(Table in, const std::vector<std::string>& select,
                           const StepContext& ctx);
StatusOr<Table> RenameStep(Table in, const std::vector<std::pair<std::string, std::string>>& rename,
                           const StepContext& ctx);
StatusOr<Table> SortStep(const Table& in, const std::vector<SortKey>& keys, const StepContext& ctx);
// The first `limit` rows, plus the "Other" row when `other`.
Table LimitStep(const Table& in, int64_t limit, bool other);

}  // namespace quire::internal
