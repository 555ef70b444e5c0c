// group_by + aggregate: each row's group id from a hash of its key cells
// (KeyIndex), then one pass per aggregate over typed per-group accumulators.
// median, p95 and count_distinct gather each group's cells and hand them to
// AggregateColumn (common/template/template.h), the one definition of those figures.
#include <cmath>

#include "report/data/internal/transform_keys.h"
#include "report/data/internal/transform_steps.h"

namespace quire::internal {
namespace {

// Which group each row is in; groups numbered 0.. in order of first
// appearance.
struct Grouping {
  std::vector<uint32_t> of_row;
  size_t count = 0;
};

bool NeedsNumbers(AggregateFunction f) {
  return f == AggregateFunction::kSum || f == AggregateFunction::kAvg ||
         f == AggregateFunction::kMedian || f == AggregateFunction::kP95;
}

// count() and count(column): rows, or non-null cells, per group.
Column Count(const std::string& output, const Column* column, const Grouping& g) {
  std::vector<int64_t> n(g.count, 0);
  for (size_t r = 0; r < g.of_row.size(); ++r) {
    if (column == nullptr || !column->IsNull(r)) ++n[g.of_row[r]];
  }
  Column out(output, ColumnType::kInt);
  for (int64_t v : n) out.AppendInt(v);
  return out;
}

// sum (int over int, else float) and avg (float); null for a group
// without values.
Column SumOrAvg(const std::string& output, const Column& column, bool avg, const Grouping& g) {
  std::vector<int64_t> n(g.count, 0);
  std::vector<double> sums(g.count, 0);
  std::vector<int64_t> int_sums;
  const std::vector<uint32_t>& of = g.of_row;
  if (column.type() == ColumnType::kInt) {
    int_sums.assign(g.count, 0);
    for (size_t r = 0; r < of.size(); ++r) {
      if (column.IsNull(r)) continue;
      int_sums[of[r]] += column.int_value(r);
      ++n[of[r]];
    }
    for (size_t i = 0; i < g.count; ++i) sums[i] = static_cast<double>(int_sums[i]);
  } else {
    for (size_t r = 0; r < of.size(); ++r) {
      if (column.IsNull(r)) continue;
      sums[of[r]] += column.float_value(r);
      ++n[of[r]];
    }
  }
  const bool int_result = !avg && column.type() == ColumnType::kInt;
  Column out(output, int_result ? ColumnType::kInt : ColumnType::kFloat);
  for (size_t i = 0; i < g.count; ++i) {
    if (n[i] == 0) {
      out.AppendNull();
    } else if (int_result) {
      out.AppendInt(int_sums[i]);
    } else {
      out.AppendFloat(avg ? sums[i] / static_cast<double>(n[i]) : sums[i]);
    }
  }
  return out;
}

// min and max of any type: the first row holding the extreme value.
Column MinOrMax(const std::string& output, const Column& column, bool max, const Grouping& g) {
  constexpr size_t kNoRow = static_cast<size_t>(-1);
  std::vector<size_t> best(g.count, kNoRow);
  for (size_t r = 0; r < g.of_row.size(); ++r) {
    if (column.IsNull(r)) continue;
    size_t& b = best[g.of_row[r]];
    if (b == kNoRow) {
      b = r;
    } else {
      const int c = CompareCells(column, r, b);
      if (max ? c > 0 : c < 0) b = r;
    }
  }
  Column out(output, column.type());
  for (size_t b : best) {
    if (b == kNoRow) {
      out.AppendNull();
    } else {
      out.AppendFrom(column, b);
    }
  }
  return out;
}

// median, p95, count_distinct: AggregateColumn over each group's cells.
Column ByAggregateColumn(const AggregateSpec& a, const Column& column, const Grouping& g) {
  // The rows of each group, contiguous (a counting sort by group id).
  std::vector<size_t> start(g.count + 1, 0);
  for (uint32_t id : g.of_row) ++start[id + 1];
  for (size_t i = 0; i < g.count; ++i) start[i + 1] += start[i];
  std::vector<size_t> rows(g.of_row.size());
  std::vector<size_t> next(start.begin(), start.end() - 1);
  for (size_t r = 0; r < g.of_row.size(); ++r) rows[next[g.of_row[r]]++] = r;

  const bool distinct = a.function == AggregateFunction::kCountDistinct;
  Column out(a.output, distinct ? ColumnType::kInt : ColumnType::kFloat);
  for (size_t i = 0; i < g.count; ++i) {
    Column cells(column.name(), column.type());
    for (size_t k = start[i]; k < start[i + 1]; ++k) cells.AppendFrom(column, rows[k]);
    const double v = AggregateColumn(cells, a.function);
    if (distinct) {
      out.AppendInt(static_cast<int64_t>(v));
    } else if (std::isnan(v)) {
      out.AppendNull();
    } else {
      out.AppendFloat(v);
    }
  }
  return out;
}

StatusOr<Column> Aggregate(const AggregateSpec& a, const Table& in, const Grouping& g,
                           const StepContext& ctx) {
  if (a.column.empty()) return Count(a.output, nullptr, g);
  const std::string what = "aggregate '" + a.output + "'";
  StatusOr<const Column*> found = ctx.Find(in, a.column, what.c_str());
  if (!found.ok()) return found.status();
  const Column& column = **found;
  if (NeedsNumbers(a.function) && !IsNumericType(column.type())) {
    return ctx.Invalid(what + ": " + AggregateFunctionName(a.function) +
                       " needs a numeric column; '" + a.column + "' is " +
                       ColumnTypeName(column.type()));
  }
  switch (a.function) {
    case AggregateFunction::kCount:
      return Count(a.output, &column, g);
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg:
      return SumOrAvg(a.output, column, a.function == AggregateFunction::kAvg, g);
    case AggregateFunction::kMin:
    case AggregateFunction::kMax:
      return MinOrMax(a.output, column, a.function == AggregateFunction::kMax, g);
    case AggregateFunction::kMedian:
    case AggregateFunction::kP95:
    case AggregateFunction::kCountDistinct:
      break;
  }
  return ByAggregateColumn(a, column, g);
}

}  // namespace

StatusOr<Table> GroupStep(const Table& in, const std::vector<std::string>& group_by,
                          const std::vector<AggregateSpec>& aggregate, const StepContext& ctx) {
  std::vector<const Column*> key_columns;
  for (const std::string& name : group_by) {
    StatusOr<const Column*> c = ctx.Find(in, name, "group_by");
    if (!c.ok()) return c.status();
    key_columns.push_back(*c);
  }
  const RowKeys keys(key_columns);
  KeyIndex index(keys);
  Grouping g;
  const size_t rows = in.num_rows();
  g.of_row.resize(rows);
  if (key_columns.empty()) {
    g.count = 1;  // one row even over no rows, as SQL's aggregates without GROUP BY
  } else {
    for (size_t r = 0; r < rows; ++r) {
      QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(r));
      g.of_row[r] = index.Add(r);
    }
    g.count = index.size();
  }

  std::vector<Column> out;
  for (const Column* key : key_columns) {
    Column& c = out.emplace_back(key->name(), key->type());
    for (uint32_t id = 0; id < g.count; ++id) c.AppendFrom(*key, index.first_row(id));
  }
  for (const AggregateSpec& a : aggregate) {
    QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(0));
    StatusOr<Column> c = Aggregate(a, in, g, ctx);
    if (!c.ok()) return c.status();
    out.push_back(std::move(c).value());
  }
  return TableOfColumns(std::move(out), ctx);
}

}  // namespace quire::internal
