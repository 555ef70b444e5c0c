// Table: the typed, columnar, in-memory table that data sources produce and
// charts and renderers consume. Also the text <-> value conversions every
// module shares (cell text, parameter values, display formatting), so that a
// date or a number reads and prints the same everywhere.
//
// Not thread-safe for writing; concurrent reads of an unchanging Table are
// fine. No I/O.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace quire {

enum class ColumnType { kText, kInt, kFloat, kBool, kDate };

// "text", "int", "float", "bool", "date".
const char* ColumnTypeName(ColumnType type);
// The inverse of ColumnTypeName; nullopt for an unknown name.
std::optional<ColumnType> ColumnTypeFromName(std::string_view name);
// True for kInt and kFloat: the types drawn as magnitudes and right-aligned.
bool IsNumericType(ColumnType type);

// Strict text conversions. Leading/trailing blanks are not allowed.
std::optional<int64_t> ParseInt(std::string_view text);   // "-42"
std::optional<double> ParseFloat(std::string_view text);  // "1.5", "1e3", "7"
std::optional<bool> ParseBool(std::string_view text);     // true/false/yes/no/1/0
std::optional<int64_t> ParseDate(std::string_view text);  // "2024-02-29" -> days
// Days since 1970-01-01 as "YYYY-MM-DD".
std::string FormatDate(int64_t days);
// "YYYY-MM-DDTHH:MM[:SS][Z]" (a space may replace the T; UTC) -> seconds
// since 1970-01-01T00:00:00Z.
std::optional<int64_t> ParseDatetime(std::string_view text);
// Seconds since the epoch as "YYYY-MM-DD HH:MM:SS" (UTC).
std::string FormatDatetime(int64_t seconds);
// `text` without leading and trailing whitespace (std::isspace).
std::string_view TrimSpace(std::string_view text);
// A double for people: no exponent for ordinary magnitudes, at most 6
// decimals, trailing zeros dropped ("120.5", "98", "0.3", "-1.25e-07").
std::string FormatDouble(double value);

// One named, typed column with explicit nulls.
class Column {
 public:
  Column(std::string name, ColumnType type) : name_(std::move(name)), type_(type) {}

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  size_t size() const { return valid_.size(); }

  bool IsNull(size_t row) const { return !valid_[row]; }
  // kInt/kFloat/kDate/kBool as a double (dates in days, bools 0/1); NaN for
  // null and for text.
  double AsDouble(size_t row) const;
  // The value as shown in a report: ints without decimals, floats via
  // FormatDouble, dates ISO, bools "true"/"false"; "" for null.
  std::string AsString(size_t row) const;
  // Typed accessors; the row must be non-null and of the matching type.
  int64_t int_value(size_t row) const { return ints_[row]; }  // kInt, kDate, kBool
  double float_value(size_t row) const { return floats_[row]; }
  const std::string& text_value(size_t row) const { return texts_[row]; }

  void AppendNull();
  // Each appends to a column of its type (AppendInt also serves kDate with
  // days, and kBool with 0/1); a mismatched type appends null.
  void AppendInt(int64_t v);
  void AppendFloat(double v);
  void AppendBool(bool v);
  void AppendDate(int64_t days);
  void AppendText(std::string v);
  // Converts text to this column's type and appends it. INVALID_ARGUMENT,
  // appending nothing, when the text does not convert.
  Status AppendParsed(std::string_view text);
  // Appends row `row` of `other`, a column of the same type (else null).
  void AppendFrom(const Column& other, size_t row);

 private:
  friend class ColumnCodec;  // table_codec.cc: bulk encode and decode

  std::string name_;
  ColumnType type_;
  // Only the vector for type_ holds values: ints_ for kInt/kDate/kBool,
  // floats_ for kFloat, texts_ for kText.
  std::vector<int64_t> ints_;
  std::vector<double> floats_;
  std::vector<std::string> texts_;
  std::vector<bool> valid_;
};

// An ordered set of uniquely named columns of equal length.
class Table {
 public:
  // Adds a column, padded with nulls to the current row count. nullptr when
  // a column of that name exists. The pointer stays valid for the life of
  // the table (also across moves).
  Column* AddColumn(std::string name, ColumnType type);

  // The length of the shortest column (rows are complete only up to there).
  size_t num_rows() const;
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& column(size_t i) { return columns_[i]; }
  const Column* FindColumn(std::string_view name) const;
  Column* FindColumn(std::string_view name);

  // Appends one row given as text, nullopt meaning null. INVALID_ARGUMENT,
  // leaving the table unchanged, for a wrong cell count or a cell that does
  // not convert to its column's type.
  Status AppendTextRow(const std::vector<std::optional<std::string>>& cells);

  // A table of the same columns holding only `rows` (indices into this
  // table, in the order given).
  Table SelectRows(const std::vector<size_t>& rows) const;

 private:
  std::deque<Column> columns_;
};

// The data a report is rendered from: one table per source, by source name.
struct ReportData {
  std::map<std::string, Table> tables;
};

}  // namespace quire
