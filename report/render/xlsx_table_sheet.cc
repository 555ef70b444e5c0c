// XlsxTableSheet: header, rows, totals, widths, filter and frozen header of
// a table's sheet.
#include "report/render/internal/xlsx_table_sheet.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/table/table_format.h"

namespace quire {
namespace {

constexpr size_t kMeasuredRows = 500;  // rows sampled to size a column
constexpr double kMinColumnChars = 6;
constexpr double kMaxColumnChars = 60;

// True when a totals row sums the column: numbers, but not rates.
bool SumsInTotals(const SelectedColumn& c) {
  if (!IsNumericType(c.column->type())) return false;
  if (IsDateFormat(c.format)) return true;
  StatusOr<NumberFormat> f = ParseNumberFormat(c.format);
  return !(f.ok() && f->percent);
}

void WriteTotals(lxw_worksheet* ws, const std::vector<SelectedColumn>& shown, size_t rows,
                 WorkbookStyles* styles, XlsxErrors* errors) {
  const lxw_row_t row = static_cast<lxw_row_t>(rows + 1);
  for (size_t c = 0; c < shown.size(); ++c) {
    const SelectedColumn& s = shown[c];
    const lxw_col_t col = static_cast<lxw_col_t>(c);
    const std::string num_format = ExcelFormatFor(s.column->type(), s.format);
    lxw_format* f = styles->Cell(num_format, true);
    if (!SumsInTotals(s)) {
      errors->Check(c == 0 ? worksheet_write_string(ws, row, col, "Total", f)
                           : WriteBlank(ws, row, col, f));
      continue;
    }
    double sum = AggregateColumn(*s.column, AggregateFunction::kSum);
    if (std::isnan(sum)) sum = 0;
    if (rows == 0) {
      errors->Check(worksheet_write_number(ws, row, col, 0, f));
      continue;
    }
    const std::string formula = "=SUM(" + RangeName(1, col, row - 1, col, false) + ")";
    errors->Check(worksheet_write_formula_num(ws, row, col, formula.c_str(), f, sum));
  }
}

// Excel character widths: the template's (pt) or the widest of the header
// and the sampled cells as shown, capped.
double ColumnChars(const SelectedColumn& c, size_t rows) {
  if (c.width > 0) {
    const double px = c.width * 96 / 72;
    return std::max(1.0, (px - 5) / 7);
  }
  double chars = static_cast<double>(Utf8Length(c.label)) * 1.1;  // bold
  for (size_t r = 0; r < std::min(rows, kMeasuredRows); ++r) {
    chars = std::max(chars, static_cast<double>(Utf8Length(FormatCell(*c.column, r, c.format))));
  }
  return std::clamp(chars + 2, kMinColumnChars, kMaxColumnChars);
}

}  // namespace

Status WriteTableSheet(lxw_worksheet* ws, const std::vector<SelectedColumn>& shown, size_t rows,
                       bool totals, WorkbookStyles* styles, const std::function<bool()>& cancelled,
                       XlsxErrors* errors) {
  std::vector<const Column*> columns;
  std::vector<lxw_format*> formats;
  for (size_t c = 0; c < shown.size(); ++c) {
    const SelectedColumn& s = shown[c];
    errors->Check(WriteText(ws, 0, static_cast<lxw_col_t>(c), s.label, styles->header));
    columns.push_back(s.column);
    formats.push_back(styles->Cell(ExcelFormatFor(s.column->type(), s.format)));
  }
  QUIRE_RETURN_IF_ERROR(WriteRows(ws, columns, formats, rows, 0, cancelled, errors));
  if (totals) WriteTotals(ws, shown, rows, styles, errors);
  for (size_t c = 0; c < shown.size(); ++c) {
    errors->Check(worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                       ColumnChars(shown[c], rows), nullptr));
  }
  const lxw_col_t last_col = static_cast<lxw_col_t>(std::max<size_t>(1, shown.size()) - 1);
  worksheet_freeze_panes(ws, 1, 0);
  errors->Check(worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(rows), last_col));
  errors->Check(worksheet_repeat_rows(ws, 0, 0));
  worksheet_fit_to_pages(ws, 1, 0);
  return Status::OK();
}

}  // namespace quire
