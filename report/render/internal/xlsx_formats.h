// XlsxFormats: how a workbook looks — the template's display formats
// translated to Excel number formats, and the cell formats (lxw_format) of
// one workbook, each made once. Does not write cells.
#pragma once

#include <xlsxwriter.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/table/table.h"

namespace quire {

// The Excel num_format for a column of `type` shown with template format
// `pattern`: "" (General) for text, bools and numbers without a usable
// format; dates default to yyyy-mm-dd. Number patterns keep their digits,
// grouping, prefix and suffix ("%" scales by 100, as in the template);
// strftime-style date patterns become Excel codes.
std::string ExcelFormatFor(ColumnType type, std::string_view pattern);

// The formats of one workbook, made when it is created. Thread-compatible;
// lives no longer than the workbook.
class WorkbookStyles {
 public:
  explicit WorkbookStyles(lxw_workbook* wb);

  // Cells in Excel number format `num_format` ("" for General); `totals`:
  // bold on the header fill. nullptr (the default format) for plain cells.
  lxw_format* Cell(const std::string& num_format, bool totals = false);

  lxw_format* title;
  lxw_format* heading;
  lxw_format* bold;
  lxw_format* italic;
  lxw_format* header;  // bold on grey, a line below
  lxw_format* wrap;
  lxw_format* note;  // grey italics
  lxw_format* link;
  lxw_format* delta_up;
  lxw_format* delta_down;

 private:
  lxw_workbook* wb_;
  std::map<std::pair<std::string, bool>, lxw_format*> cells_;
};

}  // namespace quire
