// join: a hash join. The `with` table's keys are indexed (rows with the
// same key chained in order), each `from` row probes the index, and the
// result is built column by column from the matched row pairs.
#include "report/data/internal/transform_keys.h"
#include "report/data/internal/transform_steps.h"

namespace quire::internal {
namespace {

constexpr size_t kNoRow = static_cast<size_t>(-1);

// `column`'s cells as `type` (float from int, or display text); nulls stay.
Column Cast(const Column& column, ColumnType type) {
  Column out(column.name(), type);
  for (size_t r = 0; r < column.size(); ++r) {
    if (column.IsNull(r)) {
      out.AppendNull();
    } else if (type == ColumnType::kFloat) {
      out.AppendFloat(column.AsDouble(r));
    } else {
      out.AppendText(column.AsString(r));
    }
  }
  return out;
}

}  // namespace

StatusOr<Table> JoinStep(const Table& left, const Table& right, const JoinSpec& join,
                         const StepContext& ctx) {
  // The key columns of both sides, of one type each: where the types
  // differ, both sides as float (int and float) or as display text.
  std::vector<Column> cast;  // owns the converted keys
  cast.reserve(2 * join.on.size());
  std::vector<const Column*> left_keys, right_keys;
  for (const std::string& name : join.on) {
    StatusOr<const Column*> l = ctx.Find(left, name, "join");
    if (!l.ok()) return l.status();
    StatusOr<const Column*> r = ctx.Find(right, name, "join");
    if (!r.ok()) return r.status();
    const ColumnType lt = (*l)->type(), rt = (*r)->type();
    if (lt == rt) {
      left_keys.push_back(*l);
      right_keys.push_back(*r);
      continue;
    }
    const ColumnType common =
        IsNumericType(lt) && IsNumericType(rt) ? ColumnType::kFloat : ColumnType::kText;
    left_keys.push_back(&cast.emplace_back(Cast(**l, common)));
    right_keys.push_back(&cast.emplace_back(Cast(**r, common)));
  }
  const RowKeys left_rows(left_keys), right_rows(right_keys);

  // The `with` rows of each key, in order: first[id], then next[row].
  const size_t right_count = right.num_rows();
  KeyIndex index(right_rows);
  std::vector<size_t> first, last, next(right_count, kNoRow);
  for (size_t r = 0; r < right_count; ++r) {
    QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(r));
    if (right_rows.HasNull(r)) continue;  // a null key matches nothing
    const uint32_t id = index.Add(r);
    if (id == first.size()) {
      first.push_back(r);
      last.push_back(r);
    } else {
      next[last[id]] = r;
      last[id] = r;
    }
  }

  std::vector<size_t> from_rows, with_rows;  // the result's rows; kNoRow: no match
  from_rows.reserve(left.num_rows());
  with_rows.reserve(left.num_rows());
  for (size_t r = 0; r < left.num_rows(); ++r) {
    QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(r));
    const uint32_t id = left_rows.HasNull(r) ? KeyIndex::kNone : index.Find(left_rows, r);
    if (id == KeyIndex::kNone) {
      if (join.how == JoinKind::kLeft) {
        from_rows.push_back(r);
        with_rows.push_back(kNoRow);
      }
      continue;
    }
    for (size_t m = first[id]; m != kNoRow; m = next[m]) {
      from_rows.push_back(r);
      with_rows.push_back(m);
    }
  }

  // `from`'s columns, then `with`'s that `from` lacks (as the validator).
  std::vector<Column> out;
  const auto add = [&out](const Column& source, const std::vector<size_t>& rows) {
    Column& c = out.emplace_back(source.name(), source.type());
    for (size_t r : rows) {
      if (r == kNoRow) {
        c.AppendNull();
      } else {
        c.AppendFrom(source, r);
      }
    }
  };
  for (size_t i = 0; i < left.num_columns(); ++i) add(left.column(i), from_rows);
  for (size_t i = 0; i < right.num_columns(); ++i) {
    if (left.FindColumn(right.column(i).name()) == nullptr) add(right.column(i), with_rows);
  }
  return TableOfColumns(std::move(out), ctx);
}

}  // namespace quire::internal
