// Display formats for values in reports: spreadsheet-style number formats
// ("#,##0.00", "0.0%", "$#,##0") and strftime-style date formats
// ("%Y-%m-%d", "%B %Y"), checked once when a template is validated and
// applied by the renderer and by placeholder filters.
//
// Pure functions; no locale (English month names, "," grouping, "." point).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/table/table.h"

namespace quire {

// A parsed number format: literal prefix, the digit pattern, literal suffix.
// In the digit pattern "0" is a digit always shown, "#" one shown when
// needed, "," turns on thousands grouping and "." starts the decimals. A "%"
// in the prefix or suffix multiplies the value by 100.
struct NumberFormat {
  std::string prefix;
  std::string suffix;
  bool grouping = false;
  int min_integer_digits = 1;
  int min_decimals = 0;
  int max_decimals = 0;
  bool percent = false;
};

// INVALID_ARGUMENT naming the problem for a pattern without digits
// ("abc"), with two decimal points, or with digits after the suffix.
StatusOr<NumberFormat> ParseNumberFormat(std::string_view pattern);
std::string FormatNumber(double value, const NumberFormat& format);

// True when `pattern` is a date format: it holds a "%" followed by a letter.
bool IsDateFormat(std::string_view pattern);
// INVALID_ARGUMENT for an unknown conversion ("%Q") or a trailing "%".
// Known: %Y %y %m %d %e %B %b %A %a %H %I %M %S %p %j %F %T %%.
Status CheckDateFormat(std::string_view pattern);
// Seconds since the epoch (UTC) formatted with `pattern`.
std::string FormatTimestamp(int64_t seconds, std::string_view pattern);

// Checks `pattern` as a date format when IsDateFormat, else as a number
// format. An empty pattern is fine.
Status CheckValueFormat(std::string_view pattern);

// Row `row` of `column` as shown in a report with `pattern` (a number format
// for int/float columns, a date format for date columns; ignored — plain
// AsString — when empty, unparsable or not meant for the column's type).
std::string FormatCell(const Column& column, size_t row, std::string_view pattern);

}  // namespace quire
