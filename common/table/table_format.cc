// Number and date display formats.
#include "common/table/table_format.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace quire {

StatusOr<NumberFormat> ParseNumberFormat(std::string_view pattern) {
  NumberFormat f;
  const auto is_digit_char = [](char c) { return c == '0' || c == '#' || c == ',' || c == '.'; };
  size_t begin = 0;
  while (begin < pattern.size() && !is_digit_char(pattern[begin])) ++begin;
  // A lone "." or "," in the prefix is text; the digits start at a 0 or #.
  while (begin < pattern.size() && pattern[begin] != '0' && pattern[begin] != '#') {
    if (!is_digit_char(pattern[begin])) break;
    ++begin;
  }
  if (begin == pattern.size() || (pattern[begin] != '0' && pattern[begin] != '#')) {
    return Status::InvalidArgument("number format '" + std::string(pattern) +
                                   "' has no digits (use 0 or #, e.g. \"#,##0.00\")");
  }
  size_t end = begin;
  while (end < pattern.size() && is_digit_char(pattern[end])) ++end;
  f.prefix = std::string(pattern.substr(0, begin));
  f.suffix = std::string(pattern.substr(end));
  for (char c : f.suffix) {
    if (c == '0' || c == '#') {
      return Status::InvalidArgument("number format '" + std::string(pattern) +
                                     "' has digits after its suffix");
    }
  }
  const std::string_view digits = pattern.substr(begin, end - begin);
  const size_t point = digits.find('.');
  if (point != std::string_view::npos && digits.find('.', point + 1) != std::string_view::npos) {
    return Status::InvalidArgument("number format '" + std::string(pattern) +
                                   "' has more than one decimal point");
  }
  const std::string_view integer = digits.substr(0, point);
  f.grouping = integer.find(',') != std::string_view::npos;
  f.min_integer_digits = 0;
  for (char c : integer) f.min_integer_digits += c == '0';
  if (point != std::string_view::npos) {
    for (char c : digits.substr(point + 1)) {
      if (c == ',') {
        return Status::InvalidArgument("number format '" + std::string(pattern) +
                                       "' has a grouping comma among its decimals");
      }
      f.min_decimals += c == '0';
      f.max_decimals += 1;
    }
  }
  f.percent = f.prefix.find('%') != std::string::npos || f.suffix.find('%') != std::string::npos;
  return f;
}

std::string FormatNumber(double value, const NumberFormat& f) {
  if (!std::isfinite(value)) return FormatDouble(value);
  if (f.percent) value *= 100;
  // Half away from zero, as spreadsheets round (printf rounds half to even).
  const double scale = std::pow(10.0, std::min(f.max_decimals, 15));
  const double rounded = std::round(std::fabs(value) * scale) / scale;
  char buf[400];
  std::snprintf(buf, sizeof(buf), "%.*f", std::min(f.max_decimals, 15), rounded);
  std::string s = buf;
  std::string integer = s.substr(0, s.find('.'));
  std::string decimals = s.find('.') == std::string::npos ? "" : s.substr(s.find('.') + 1);
  while (static_cast<int>(decimals.size()) > f.min_decimals && !decimals.empty() &&
         decimals.back() == '0') {
    decimals.pop_back();
  }
  if (integer == "0" && f.min_integer_digits == 0 && !decimals.empty()) integer.clear();
  while (static_cast<int>(integer.size()) < f.min_integer_digits) integer.insert(0, 1, '0');
  if (f.grouping) {
    for (int i = static_cast<int>(integer.size()) - 3; i > 0; i -= 3)
      integer.insert(static_cast<size_t>(i), 1, ',');
  }
  std::string out = integer;
  if (!decimals.empty()) out += "." + decimals;
  if (out.empty()) out.assign(1, '0');
  const bool negative = value < 0 && out.find_first_not_of("0.,") != std::string::npos;
  return (negative ? "-" : "") + f.prefix + out + f.suffix;
}

bool IsDateFormat(std::string_view pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '%' && std::isalpha(static_cast<unsigned char>(pattern[i + 1]))) return true;
  }
  return false;
}

Status CheckDateFormat(std::string_view pattern) {
  constexpr std::string_view kKnown = "YymdeBbAaHIMSpjFT%";
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (i + 1 == pattern.size()) {
      return Status::InvalidArgument("date format '" + std::string(pattern) + "' ends with '%'");
    }
    if (kKnown.find(pattern[i + 1]) == std::string_view::npos) {
      return Status::InvalidArgument("date format '" + std::string(pattern) +
                                     "' has an unknown conversion '%" +
                                     std::string(1, pattern[i + 1]) + "'");
    }
    ++i;
  }
  return Status::OK();
}

std::string FormatTimestamp(int64_t seconds, std::string_view pattern) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[256];
  const std::string p(pattern);
  const size_t n = std::strftime(buf, sizeof(buf), p.c_str(), &tm);
  return std::string(buf, n);
}

Status CheckValueFormat(std::string_view pattern) {
  if (pattern.empty()) return Status::OK();
  if (IsDateFormat(pattern)) return CheckDateFormat(pattern);
  return ParseNumberFormat(pattern).status();
}

std::string FormatCell(const Column& column, size_t row, std::string_view pattern) {
  if (pattern.empty() || column.IsNull(row)) return column.AsString(row);
  if (column.type() == ColumnType::kDate && IsDateFormat(pattern) &&
      CheckDateFormat(pattern).ok()) {
    return FormatTimestamp(column.int_value(row) * 86400, pattern);
  }
  if (IsNumericType(column.type()) && !IsDateFormat(pattern)) {
    if (auto f = ParseNumberFormat(pattern); f.ok()) return FormatNumber(column.AsDouble(row), *f);
  }
  return column.AsString(row);
}

}  // namespace quire
