// XlsxFormats: number and date format translation, and the workbook's
// formats.
#include "report/render/internal/xlsx_formats.h"

#include <algorithm>
#include <optional>

#include "common/table/table_format.h"

namespace quire {
namespace {

constexpr uint32_t kHeaderFill = 0xD9D9D9;

// `text` as literal format text: characters in `plain` as they are,
// everything else quoted.
std::string ExcelLiteral(std::string_view text, std::string_view plain) {
  std::string out, quoted;
  const auto flush = [&] {
    if (!quoted.empty()) out += '"' + quoted + '"';
    quoted.clear();
  };
  for (char c : text) {
    if (plain.find(c) != std::string_view::npos) {
      flush();
      out += c;
    } else if (c == '"') {
      flush();
      out += "\\\"";
    } else {
      quoted += c;
    }
  }
  flush();
  return out;
}

// A canonical digit pattern, so that no "," lands where Excel reads it as
// "divide by 1000".
std::string ExcelNumberFormat(const NumberFormat& f) {
  std::string integer;
  if (f.grouping) {
    integer = std::string(static_cast<size_t>(std::max(0, 4 - f.min_integer_digits)), '#') +
              std::string(static_cast<size_t>(f.min_integer_digits), '0');
    integer.insert(integer.size() - 3, 1, ',');
  } else {
    integer = f.min_integer_digits == 0
                  ? "#"
                  : std::string(static_cast<size_t>(f.min_integer_digits), '0');
  }
  std::string decimals;
  if (f.max_decimals > 0) {
    decimals = "." + std::string(static_cast<size_t>(f.min_decimals), '0') +
               std::string(static_cast<size_t>(f.max_decimals - f.min_decimals), '#');
  }
  constexpr std::string_view kPlain = "%$-+/(): ";  // "%" scales by 100, as in the template
  return ExcelLiteral(f.prefix, kPlain) + integer + decimals + ExcelLiteral(f.suffix, kPlain);
}

// An strftime-style date format in Excel's codes; nullopt when it uses a
// conversion Excel has no code for (%j).
std::optional<std::string> ExcelDateFormat(std::string_view pattern) {
  static const std::map<char, std::string> kCodes = {
      {'Y', "yyyy"}, {'y', "yy"},    {'m', "mm"},         {'d', "dd"},
      {'e', "d"},    {'B', "mmmm"},  {'b', "mmm"},        {'A', "dddd"},
      {'a', "ddd"},  {'H', "hh"},    {'I', "hh"},         {'M', "mm"},
      {'S', "ss"},   {'p', "AM/PM"}, {'F', "yyyy-mm-dd"}, {'T', "hh:mm:ss"}};
  constexpr std::string_view kPlain = "-/:,. ()";
  std::string out, literal;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 == pattern.size()) {
      literal += pattern[i];
      continue;
    }
    const char conversion = pattern[++i];
    if (conversion == '%') {
      literal += '%';
      continue;
    }
    auto it = kCodes.find(conversion);
    if (it == kCodes.end()) return std::nullopt;
    out += ExcelLiteral(literal, kPlain);
    literal.clear();
    out += it->second;
  }
  return out + ExcelLiteral(literal, kPlain);
}

}  // namespace

std::string ExcelFormatFor(ColumnType type, std::string_view pattern) {
  if (type == ColumnType::kDate) {
    if (IsDateFormat(pattern) && CheckDateFormat(pattern).ok()) {
      if (auto f = ExcelDateFormat(pattern)) return *f;
    }
    return "yyyy-mm-dd";
  }
  if (IsNumericType(type) && !pattern.empty() && !IsDateFormat(pattern)) {
    if (auto f = ParseNumberFormat(pattern); f.ok()) return ExcelNumberFormat(*f);
  }
  return "";
}

WorkbookStyles::WorkbookStyles(lxw_workbook* wb) : wb_(wb) {
  title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 16);
  heading = workbook_add_format(wb);
  format_set_bold(heading);
  format_set_font_size(heading, 13);
  bold = workbook_add_format(wb);
  format_set_bold(bold);
  italic = workbook_add_format(wb);
  format_set_italic(italic);
  header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, kHeaderFill);
  format_set_bottom(header, LXW_BORDER_THIN);
  wrap = workbook_add_format(wb);
  format_set_text_wrap(wrap);
  format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
  note = workbook_add_format(wb);
  format_set_italic(note);
  format_set_font_color(note, 0x777777);
  link = workbook_add_format(wb);
  format_set_underline(link, LXW_UNDERLINE_SINGLE);
  format_set_font_color(link, 0x0563C1);
  delta_up = workbook_add_format(wb);
  format_set_font_color(delta_up, 0x2E7D32);
  delta_down = workbook_add_format(wb);
  format_set_font_color(delta_down, 0xC62828);
}

lxw_format* WorkbookStyles::Cell(const std::string& num_format, bool totals) {
  if (num_format.empty() && !totals) return nullptr;
  lxw_format*& f = cells_[{num_format, totals}];
  if (f == nullptr) {
    f = workbook_add_format(wb_);
    if (!num_format.empty()) format_set_num_format(f, num_format.c_str());
    if (totals) {
      format_set_bold(f);
      format_set_bg_color(f, kHeaderFill);
      format_set_top(f, LXW_BORDER_THIN);
    }
  }
  return f;
}

}  // namespace quire
