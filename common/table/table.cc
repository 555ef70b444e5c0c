// Table and Column, and the shared text <-> value conversions.
#include "common/table/table.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace quire {
namespace {

constexpr std::array<const char*, 5> kColumnTypeNames = {"text", "int", "float", "bool", "date"};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const char* ColumnTypeName(ColumnType type) { return kColumnTypeNames[static_cast<size_t>(type)]; }

std::optional<ColumnType> ColumnTypeFromName(std::string_view name) {
  for (size_t i = 0; i < kColumnTypeNames.size(); ++i) {
    if (name == kColumnTypeNames[i]) return static_cast<ColumnType>(i);
  }
  return std::nullopt;
}

bool IsNumericType(ColumnType type) {
  return type == ColumnType::kInt || type == ColumnType::kFloat;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseFloat(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> ParseBool(std::string_view text) {
  const std::string s = Lower(text);
  if (s == "true" || s == "yes" || s == "1") return true;
  if (s == "false" || s == "no" || s == "0") return false;
  return std::nullopt;
}

std::optional<int64_t> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::string_view ys = text.substr(0, 4), ms = text.substr(5, 2), ds = text.substr(8, 2);
  if (!AllDigits(ys) || !AllDigits(ms) || !AllDigits(ds)) return std::nullopt;
  const int64_t y = *ParseInt(ys);
  const auto m = static_cast<unsigned>(*ParseInt(ms));
  const auto d = static_cast<unsigned>(*ParseInt(ds));
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivil(y, m, d);
}

std::string FormatDate(int64_t days) {
  // H. Hinnant's civil_from_days.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::optional<int64_t> ParseDatetime(std::string_view text) {
  if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ')) return std::nullopt;
  auto days = ParseDate(text.substr(0, 10));
  if (!days) return std::nullopt;
  std::string_view rest = text.substr(11);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  if ((rest.size() != 5 && rest.size() != 8) || rest[2] != ':' ||
      (rest.size() == 8 && rest[5] != ':')) {
    return std::nullopt;
  }
  std::string_view hs = rest.substr(0, 2), ms = rest.substr(3, 2);
  std::string_view ss = rest.size() == 8 ? rest.substr(6, 2) : "00";
  if (!AllDigits(hs) || !AllDigits(ms) || !AllDigits(ss)) return std::nullopt;
  const int64_t h = *ParseInt(hs), m = *ParseInt(ms), sec = *ParseInt(ss);
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  return *days * 86400 + h * 3600 + m * 60 + sec;
}

std::string FormatDatetime(int64_t seconds) {
  const int64_t days = (seconds >= 0 ? seconds : seconds - 86399) / 86400;
  const int64_t in_day = seconds - days * 86400;
  char buf[16];
  std::snprintf(buf, sizeof(buf), " %02d:%02d:%02d", static_cast<int>(in_day / 3600),
                static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
  return FormatDate(days) + buf;
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return "0";
  char buf[64];
  const double mag = std::fabs(value);
  if (mag >= 1e15 || mag < 1e-6) {
    std::snprintf(buf, sizeof(buf), "%.6g", value);
    return buf;
  }
  // Up to 10 significant digits, never more than 6 decimals.
  const int int_digits = mag < 1 ? 1 : static_cast<int>(std::floor(std::log10(mag))) + 1;
  const int decimals = std::clamp(10 - int_digits, 0, 6);
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

double Column::AsDouble(size_t row) const {
  if (!valid_[row]) return std::numeric_limits<double>::quiet_NaN();
  switch (type_) {
    case ColumnType::kInt:
    case ColumnType::kDate:
    case ColumnType::kBool:
      return static_cast<double>(ints_[row]);
    case ColumnType::kFloat:
      return floats_[row];
    case ColumnType::kText:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Column::AsString(size_t row) const {
  if (!valid_[row]) return "";
  switch (type_) {
    case ColumnType::kText:
      return texts_[row];
    case ColumnType::kInt:
      return std::to_string(ints_[row]);
    case ColumnType::kFloat:
      return FormatDouble(floats_[row]);
    case ColumnType::kBool:
      return ints_[row] ? "true" : "false";
    case ColumnType::kDate:
      return FormatDate(ints_[row]);
  }
  return "";
}

void Column::AppendNull() {
  switch (type_) {
    case ColumnType::kText:
      texts_.emplace_back();
      break;
    case ColumnType::kFloat:
      floats_.push_back(0);
      break;
    default:
      ints_.push_back(0);
      break;
  }
  valid_.push_back(false);
}

void Column::AppendInt(int64_t v) {
  if (type_ != ColumnType::kInt && type_ != ColumnType::kDate && type_ != ColumnType::kBool) {
    return AppendNull();
  }
  ints_.push_back(type_ == ColumnType::kBool ? (v != 0) : v);
  valid_.push_back(true);
}

void Column::AppendFloat(double v) {
  if (type_ != ColumnType::kFloat) return AppendNull();
  floats_.push_back(v);
  valid_.push_back(true);
}

void Column::AppendBool(bool v) {
  if (type_ != ColumnType::kBool) return AppendNull();
  AppendInt(v ? 1 : 0);
}

void Column::AppendDate(int64_t days) {
  if (type_ != ColumnType::kDate) return AppendNull();
  AppendInt(days);
}

void Column::AppendText(std::string v) {
  if (type_ != ColumnType::kText) return AppendNull();
  texts_.push_back(std::move(v));
  valid_.push_back(true);
}

Status Column::AppendParsed(std::string_view text) {
  const auto bad = [&](const char* what) {
    // Built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + string.
    std::string message(1, '\'');
    message.append(text).append("' is not ").append(what);
    return Status::InvalidArgument(std::move(message));
  };
  switch (type_) {
    case ColumnType::kText:
      AppendText(std::string(text));
      return Status::OK();
    case ColumnType::kInt: {
      auto v = ParseInt(text);
      if (!v) return bad("an integer");
      AppendInt(*v);
      return Status::OK();
    }
    case ColumnType::kFloat: {
      auto v = ParseFloat(text);
      if (!v) return bad("a number");
      AppendFloat(*v);
      return Status::OK();
    }
    case ColumnType::kBool: {
      auto v = ParseBool(text);
      if (!v) return bad("a boolean (true/false)");
      AppendBool(*v);
      return Status::OK();
    }
    case ColumnType::kDate: {
      auto v = ParseDate(text);
      if (!v) return bad("a date (YYYY-MM-DD)");
      AppendDate(*v);
      return Status::OK();
    }
  }
  return Status::Internal("unknown column type");
}

void Column::AppendFrom(const Column& other, size_t row) {
  if (other.type_ != type_ || other.IsNull(row)) return AppendNull();
  switch (type_) {
    case ColumnType::kText:
      texts_.push_back(other.texts_[row]);
      break;
    case ColumnType::kFloat:
      floats_.push_back(other.floats_[row]);
      break;
    default:
      ints_.push_back(other.ints_[row]);
      break;
  }
  valid_.push_back(true);
}

Column* Table::AddColumn(std::string name, ColumnType type) {
  if (FindColumn(name) != nullptr) return nullptr;
  const size_t rows = num_rows();
  Column& c = columns_.emplace_back(std::move(name), type);
  for (size_t i = 0; i < rows; ++i) c.AppendNull();
  return &c;
}

size_t Table::num_rows() const {
  if (columns_.empty()) return 0;
  size_t n = columns_.front().size();
  for (const Column& c : columns_) n = std::min(n, c.size());
  return n;
}

const Column* Table::FindColumn(std::string_view name) const {
  for (const Column& c : columns_) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

Column* Table::FindColumn(std::string_view name) {
  return const_cast<Column*>(static_cast<const Table*>(this)->FindColumn(name));
}

Status Table::AppendTextRow(const std::vector<std::optional<std::string>>& cells) {
  if (cells.size() != columns_.size()) {
    return Status::InvalidArgument("row has " + std::to_string(cells.size()) + " cells, expected " +
                                   std::to_string(columns_.size()));
  }
  // Check every cell first so that a bad row leaves the table unchanged.
  for (size_t i = 0; i < cells.size(); ++i) {
    if (!cells[i]) continue;
    Column probe("", columns_[i].type());
    Status s = probe.AppendParsed(*cells[i]);
    if (!s.ok()) {
      return Status::InvalidArgument("column '" + columns_[i].name() + "': " + s.message());
    }
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    if (!cells[i]) {
      columns_[i].AppendNull();
    } else {
      (void)columns_[i].AppendParsed(*cells[i]);
    }
  }
  return Status::OK();
}

Table Table::SelectRows(const std::vector<size_t>& rows) const {
  Table out;
  // All columns first: AddColumn pads a new column to the rows already there.
  for (const Column& c : columns_) out.AddColumn(c.name(), c.type());
  for (size_t i = 0; i < columns_.size(); ++i) {
    for (size_t r : rows) out.column(i).AppendFrom(columns_[i], r);
  }
  return out;
}

}  // namespace quire
