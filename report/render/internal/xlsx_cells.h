// XlsxCells: what is written where on a workbook's sheets — cell, range
// and sheet names, and cells typed from Table columns (numbers, real dates,
// booleans, strings kept within Excel's limits, rich text for template
// emphasis). Knows nothing of sections or charts.
#pragma once

#include <xlsxwriter.h>

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "report/render/internal/xlsx_formats.h"

namespace quire {

// ---------------------------------------------------------------------------
// Text and names.

// The number of code points of UTF-8 `s`.
size_t Utf8Length(std::string_view s);
// The longest prefix of `s` of at most `n` code points.
std::string Utf8Prefix(const std::string& s, size_t n);

// "$A$1".
std::string CellName(lxw_row_t row, lxw_col_t col);
// "$A$2:$A$13", or with `absolute` false "A2:A13".
std::string RangeName(lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row,
                      lxw_col_t last_col, bool absolute = true);

// Valid, unique sheet names: at most 31 characters, none of []:*?/\, not
// starting or ending with an apostrophe, unique ignoring case; "Report",
// "ChartData", "Charts" and "History" are taken from the start.
class SheetNames {
 public:
  SheetNames();
  // `wanted` made valid, with " (2)", " (3)", ... when it is taken.
  std::string Take(const std::string& wanted);

 private:
  std::set<std::string> taken_;  // lower case
};

// ---------------------------------------------------------------------------
// Cells.

// The first failed libxlsxwriter call of a workbook. Writing goes on after
// a failure (later calls are harmless); the workbook reports it on close.
class XlsxErrors {
 public:
  void Check(lxw_error e) {
    if (e != LXW_NO_ERROR && first_ == LXW_NO_ERROR) first_ = e;
  }
  lxw_error first() const { return first_; }

 private:
  lxw_error first_ = LXW_NO_ERROR;
};

// An empty cell, written only when it has a format to show.
lxw_error WriteBlank(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, lxw_format* format);

// A string cell; invalid UTF-8 (which would make the file unreadable) is
// replaced by U+FFFD, an over-long text cut to Excel's limit.
lxw_error WriteText(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& text,
                    lxw_format* format);

// Row `r` of `c`, typed: numbers, real dates (serials; ISO text before
// 1900, which Excel cannot show), booleans, strings. Nulls and non-finite
// numbers stay empty.
lxw_error WriteCell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const Column& c, size_t r,
                    lxw_format* format);

// Template text with **bold** and *italic* (parsed by EmphasisToMarkup) as
// a rich string in `styles`' bold and italic; a plain string when there is
// no emphasis.
lxw_error WriteEmphasis(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& text,
                        lxw_format* format, const WorkbookStyles& styles);

// Rows 0..rows-1 of `columns` at sheet rows 1.. (under a header), from
// sheet column `col`, each column in its format. CANCELLED when `cancelled`
// (may be empty) returns true, checked every 1000 rows; libxlsxwriter's
// errors go to `errors`.
Status WriteRows(lxw_worksheet* ws, const std::vector<const Column*>& columns,
                 const std::vector<lxw_format*>& formats, size_t rows, lxw_col_t col,
                 const std::function<bool()>& cancelled, XlsxErrors* errors);

}  // namespace quire
