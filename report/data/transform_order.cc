// sort (stable LSD passes over row numbers, one per key, nulls last) and
// limit with the optional "Other" row.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "report/data/internal/transform_keys.h"
#include "report/data/internal/transform_steps.h"

namespace quire::internal {

namespace {

// One pass of an LSD sort: `order` stably re-sorted by `column` alone.
// The sort values are gathered into one contiguous array first (text as
// the rank of its value among the column's distinct values), so that the
// comparisons touch no column storage; nulls (and NaN) go last in their
// original order.
template <typename T>
void SortPass(std::vector<size_t>& order, const Column& column, bool descending,
              const std::vector<T>& value_of) {
  std::vector<std::pair<T, size_t>> keyed;
  std::vector<size_t> nulls;
  keyed.reserve(order.size());
  for (size_t row : order) {
    const bool null = column.IsNull(row) ||
                      (column.type() == ColumnType::kFloat && std::isnan(column.float_value(row)));
    if (null) {
      nulls.push_back(row);
    } else {
      keyed.emplace_back(value_of[row], row);
    }
  }
  const auto by_value = [descending](const std::pair<T, size_t>& a, const std::pair<T, size_t>& b) {
    return descending ? b.first < a.first : a.first < b.first;
  };
  std::stable_sort(keyed.begin(), keyed.end(), by_value);
  size_t i = 0;
  for (const auto& k : keyed) order[i++] = k.second;
  for (size_t row : nulls) order[i++] = row;
}

// A text column's sort values: the rank of each row's value among the
// distinct values (hashed once each), 0 for nulls.
std::vector<int64_t> TextRanks(const Column& column) {
  const RowKeys keys({&column});
  KeyIndex index(keys);
  std::vector<uint32_t> id(column.size());
  for (size_t r = 0; r < column.size(); ++r) {
    if (!column.IsNull(r)) id[r] = index.Add(r);
  }
  std::vector<uint32_t> distinct(index.size());
  std::iota(distinct.begin(), distinct.end(), 0u);
  std::sort(distinct.begin(), distinct.end(), [&](uint32_t a, uint32_t b) {
    return column.text_value(index.first_row(a)) < column.text_value(index.first_row(b));
  });
  std::vector<int64_t> rank_of_id(distinct.size());
  for (size_t i = 0; i < distinct.size(); ++i) rank_of_id[distinct[i]] = static_cast<int64_t>(i);
  std::vector<int64_t> ranks(column.size(), 0);
  for (size_t r = 0; r < column.size(); ++r) {
    if (!column.IsNull(r)) ranks[r] = rank_of_id[id[r]];
  }
  return ranks;
}

}  // namespace

StatusOr<Table> SortStep(const Table& in, const std::vector<SortKey>& keys,
                         const StepContext& ctx) {
  std::vector<const Column*> columns;
  for (const SortKey& key : keys) {
    StatusOr<const Column*> c = ctx.Find(in, key.column, "sort");
    if (!c.ok()) return c.status();
    columns.push_back(*c);
  }
  std::vector<size_t> order(in.num_rows());
  std::iota(order.begin(), order.end(), size_t{0});
  // Least significant key first: stable passes leave the first key in charge.
  for (size_t k = keys.size(); k-- > 0;) {
    QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(0));
    const Column& column = *columns[k];
    const size_t rows = column.size();
    if (column.type() == ColumnType::kFloat) {
      std::vector<double> values(rows, 0);
      for (size_t r = 0; r < rows; ++r) {
        if (!column.IsNull(r)) values[r] = column.float_value(r);
      }
      SortPass(order, column, keys[k].descending, values);
    } else if (column.type() == ColumnType::kText) {
      SortPass(order, column, keys[k].descending, TextRanks(column));
    } else {
      std::vector<int64_t> values(rows, 0);
      for (size_t r = 0; r < rows; ++r) {
        if (!column.IsNull(r)) values[r] = column.int_value(r);
      }
      SortPass(order, column, keys[k].descending, values);
    }
  }
  QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(0));
  return in.SelectRows(order);
}

Table LimitStep(const Table& in, int64_t limit, bool other) {
  const size_t rows = in.num_rows();
  const size_t kept = std::min(rows, static_cast<size_t>(std::max<int64_t>(limit, 0)));
  std::vector<size_t> first(kept);
  std::iota(first.begin(), first.end(), size_t{0});
  Table out = in.SelectRows(first);
  if (!other || kept == rows) return out;

  // One more row: the label, the numeric columns summed over the rest.
  bool labelled = false;
  for (size_t i = 0; i < out.num_columns(); ++i) {
    const Column& source = in.column(i);
    Column& column = out.column(i);
    if (source.type() == ColumnType::kText && !labelled) {
      column.AppendText("Other");
      labelled = true;
      continue;
    }
    if (!IsNumericType(source.type())) {
      column.AppendNull();
      continue;
    }
    bool any = false;
    int64_t int_sum = 0;
    double sum = 0;
    for (size_t r = kept; r < rows; ++r) {
      if (source.IsNull(r)) continue;
      any = true;
      if (source.type() == ColumnType::kInt) {
        int_sum += source.int_value(r);
      } else {
        sum += source.float_value(r);
      }
    }
    if (!any) {
      column.AppendNull();
    } else if (source.type() == ColumnType::kInt) {
      column.AppendInt(int_sum);
    } else {
      column.AppendFloat(sum);
    }
  }
  return out;
}

}  // namespace quire::internal
