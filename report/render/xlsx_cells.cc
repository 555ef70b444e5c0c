// XlsxCells: names, sheet names and typed cells.
#include "report/render/internal/xlsx_cells.h"

#include <pango/pango.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/table/table_format.h"
#include "report/canvas/text.h"

namespace quire {
namespace {

constexpr size_t kCancelCheckRows = 1000;
constexpr size_t kMaxStringChars = 32767;     // Excel's cell limit, in characters
constexpr int64_t kExcelEpochOffset = 25569;  // Excel's serial of 1970-01-01

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Utf8Prefix(const std::string& s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n) return s.substr(0, i);
  }
  return s;
}

std::string CellName(lxw_row_t row, lxw_col_t col) {
  char buf[32];
  lxw_rowcol_to_cell_abs(buf, row, col, LXW_TRUE, LXW_TRUE);
  return buf;
}

std::string RangeName(lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row,
                      lxw_col_t last_col, bool absolute) {
  char buf[64];
  if (absolute) {
    lxw_rowcol_to_range_abs(buf, first_row, first_col, last_row, last_col);
  } else {
    lxw_rowcol_to_range(buf, first_row, first_col, last_row, last_col);
  }
  return buf;
}

SheetNames::SheetNames() {
  for (const char* reserved : {"Report", "ChartData", "Charts", "History"}) {
    taken_.insert(AsciiLower(reserved));
  }
}

std::string SheetNames::Take(const std::string& wanted) {
  std::string name;
  for (char c : wanted) {
    if (c == '[') c = '(';
    if (c == ']') c = ')';
    if (std::string_view(":*?/\\").find(c) != std::string_view::npos) c = '-';
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    name += c;
  }
  const auto trim = [](std::string& s) {
    const size_t b = s.find_first_not_of(" '");
    const size_t e = s.find_last_not_of(" '");
    s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  };
  trim(name);
  if (name.empty()) name = "Table";
  std::string candidate = Utf8Prefix(name, LXW_SHEETNAME_MAX);
  trim(candidate);
  for (int n = 2; taken_.count(AsciiLower(candidate)) > 0; ++n) {
    const std::string suffix = " (" + std::to_string(n) + ")";
    candidate = Utf8Prefix(name, LXW_SHEETNAME_MAX - suffix.size());
    trim(candidate);
    candidate += suffix;
  }
  taken_.insert(AsciiLower(candidate));
  return candidate;
}

lxw_error WriteBlank(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, lxw_format* format) {
  return format == nullptr ? LXW_NO_ERROR : worksheet_write_blank(ws, row, col, format);
}

lxw_error WriteText(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& text,
                    lxw_format* format) {
  if (text.empty()) return WriteBlank(ws, row, col, format);
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
    const std::string fixed = valid;
    g_free(valid);
    return WriteText(ws, row, col, fixed, format);
  }
  if (Utf8Length(text) > kMaxStringChars) {
    return worksheet_write_string(ws, row, col, Utf8Prefix(text, kMaxStringChars).c_str(), format);
  }
  return worksheet_write_string(ws, row, col, text.c_str(), format);
}

lxw_error WriteCell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const Column& c, size_t r,
                    lxw_format* format) {
  if (c.IsNull(r)) return WriteBlank(ws, row, col, format);
  switch (c.type()) {
    case ColumnType::kText:
      return WriteText(ws, row, col, c.text_value(r), format);
    case ColumnType::kBool:
      return worksheet_write_boolean(ws, row, col, c.int_value(r) != 0, format);
    case ColumnType::kDate: {
      // Excel counts a 1900-02-29 that never was: serials from 61 on.
      const int64_t days = c.int_value(r);
      const int64_t serial = days + kExcelEpochOffset - (days < -25508 ? 1 : 0);
      if (serial < 1) return WriteText(ws, row, col, FormatDate(days), format);
      return worksheet_write_number(ws, row, col, static_cast<double>(serial), format);
    }
    case ColumnType::kInt:
    case ColumnType::kFloat: {
      const double v = c.AsDouble(r);
      if (!std::isfinite(v)) return WriteBlank(ws, row, col, format);
      return worksheet_write_number(ws, row, col, v, format);
    }
  }
  return LXW_NO_ERROR;
}

lxw_error WriteEmphasis(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& text,
                        lxw_format* format, const WorkbookStyles& styles) {
  const std::string markup = EmphasisToMarkup(text);
  PangoAttrList* attrs = nullptr;
  char* plain = nullptr;
  if (!pango_parse_markup(markup.c_str(), -1, 0, &attrs, &plain, nullptr, nullptr)) {
    return WriteText(ws, row, col, text, format);
  }
  struct Fragment {
    lxw_format* format;
    std::string text;
  };
  std::vector<Fragment> fragments;
  const std::string all = plain;
  PangoAttrIterator* it = pango_attr_list_get_iterator(attrs);
  do {
    gint start = 0, end = 0;
    pango_attr_iterator_range(it, &start, &end);
    end = std::min<gint>(end, static_cast<gint>(all.size()));
    if (start >= end) continue;
    lxw_format* f = pango_attr_iterator_get(it, PANGO_ATTR_WEIGHT) != nullptr  ? styles.bold
                    : pango_attr_iterator_get(it, PANGO_ATTR_STYLE) != nullptr ? styles.italic
                                                                               : nullptr;
    fragments.push_back(
        {f, all.substr(static_cast<size_t>(start), static_cast<size_t>(end - start))});
  } while (pango_attr_iterator_next(it));
  pango_attr_iterator_destroy(it);
  pango_attr_list_unref(attrs);
  g_free(plain);

  const bool emphasis = std::any_of(fragments.begin(), fragments.end(),
                                    [](const Fragment& f) { return f.format != nullptr; });
  if (!emphasis || fragments.size() < 2 || Utf8Length(all) > kMaxStringChars) {
    return WriteText(ws, row, col, all, format);
  }
  std::vector<lxw_rich_string_tuple> tuples;
  for (Fragment& f : fragments) tuples.push_back({f.format, f.text.data()});
  std::vector<lxw_rich_string_tuple*> pointers;
  for (lxw_rich_string_tuple& t : tuples) pointers.push_back(&t);
  pointers.push_back(nullptr);
  return worksheet_write_rich_string(ws, row, col, pointers.data(), format);
}

Status WriteRows(lxw_worksheet* ws, const std::vector<const Column*>& columns,
                 const std::vector<lxw_format*>& formats, size_t rows, lxw_col_t col,
                 const std::function<bool()>& cancelled, XlsxErrors* errors) {
  for (size_t r = 0; r < rows; ++r) {
    if (r % kCancelCheckRows == 0 && cancelled && cancelled()) {
      return Status::Cancelled("rendering cancelled");
    }
    for (size_t c = 0; c < columns.size(); ++c) {
      errors->Check(WriteCell(ws, static_cast<lxw_row_t>(r + 1), col + static_cast<lxw_col_t>(c),
                              *columns[c], r, formats[c]));
    }
  }
  return Status::OK();
}

}  // namespace quire
