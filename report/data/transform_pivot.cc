// pivot: long to wide. Index values and column values are numbered in
// order of first appearance (KeyIndex); each (index, column) cell sums its
// numeric values, or keeps the first non-null value of another type.
#include "report/data/internal/transform_keys.h"
#include "report/data/internal/transform_steps.h"

namespace quire::internal {
namespace {

// More cells than this is no longer a table anyone reads: refused.
constexpr size_t kMaxPivotCells = 10'000'000;
constexpr size_t kNoRow = static_cast<size_t>(-1);

}  // namespace

StatusOr<Table> PivotStep(const Table& in, const PivotSpec& pivot, const StepContext& ctx) {
  StatusOr<const Column*> index_col = ctx.Find(in, pivot.index, "pivot");
  if (!index_col.ok()) return index_col.status();
  StatusOr<const Column*> columns_col = ctx.Find(in, pivot.columns, "pivot");
  if (!columns_col.ok()) return columns_col.status();
  StatusOr<const Column*> values_col = ctx.Find(in, pivot.values, "pivot");
  if (!values_col.ok()) return values_col.status();
  const Column& values = **values_col;

  const RowKeys index_keys({*index_col}), column_keys({*columns_col});
  KeyIndex index_ids(index_keys), column_ids(column_keys);
  const size_t rows = in.num_rows();
  std::vector<uint32_t> row_id(rows), col_id(rows, KeyIndex::kNone);
  for (size_t r = 0; r < rows; ++r) {
    QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(r));
    if ((*columns_col)->IsNull(r)) continue;  // the row is left out
    row_id[r] = index_ids.Add(r);
    col_id[r] = column_ids.Add(r);
  }
  const size_t width = column_ids.size(), height = index_ids.size();
  if (width > 0 && height > kMaxPivotCells / width) {
    return ctx.Invalid("pivot: " + std::to_string(height) + " rows by " + std::to_string(width) +
                       " columns is more than " + std::to_string(kMaxPivotCells) + " cells");
  }

  // Per cell: numeric sums (int stays int) or the first row with a value.
  const bool numeric = IsNumericType(values.type());
  std::vector<double> sums(numeric ? height * width : 0, 0);
  std::vector<int64_t> int_sums(values.type() == ColumnType::kInt ? height * width : 0, 0);
  std::vector<size_t> first(height * width, kNoRow);
  for (size_t r = 0; r < rows; ++r) {
    if (col_id[r] == KeyIndex::kNone || values.IsNull(r)) continue;
    const size_t cell = row_id[r] * width + col_id[r];
    if (first[cell] == kNoRow) first[cell] = r;
    if (values.type() == ColumnType::kInt) {
      int_sums[cell] += values.int_value(r);
    } else if (numeric) {
      sums[cell] += values.float_value(r);
    }
  }

  std::vector<Column> out;
  out.reserve(width + 1);
  Column& index_out = out.emplace_back((*index_col)->name(), (*index_col)->type());
  for (uint32_t id = 0; id < height; ++id)
    index_out.AppendFrom(**index_col, index_ids.first_row(id));
  for (uint32_t c = 0; c < width; ++c) {
    Column& column =
        out.emplace_back((*columns_col)->AsString(column_ids.first_row(c)), values.type());
    for (size_t row = 0; row < height; ++row) {
      const size_t cell = row * width + c;
      if (first[cell] == kNoRow) {
        column.AppendNull();
      } else if (values.type() == ColumnType::kInt) {
        column.AppendInt(int_sums[cell]);
      } else if (numeric) {
        column.AppendFloat(sums[cell]);
      } else {
        column.AppendFrom(values, first[cell]);
      }
    }
  }
  return TableOfColumns(std::move(out), ctx);
}

}  // namespace quire::internal
