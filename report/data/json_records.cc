// Records -> Table for json files and http responses, and typed cells.
#include "report/data/json_records.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

namespace quire {
namespace {

// ordered_json keeps keys in document order: columns come in order of first
// appearance.
using json = nlohmann::ordered_json;

// Records between two looks at ctx.cancelled.
constexpr size_t kCancelCheckEvery = 4096;
// Longest cell text quoted in a message.
constexpr size_t kMaxQuotedCell = 60;

const char* TypeNoun(ColumnType type) {
  switch (type) {
    case ColumnType::kInt:
      return "an int";
    case ColumnType::kFloat:
      return "a float";
    case ColumnType::kBool:
      return "a bool (true/false)";
    case ColumnType::kDate:
      return "a date (YYYY-MM-DD)";
    case ColumnType::kText:
      break;
  }
  return "text";
}

// "line 3, column 7" of the byte at offset `pos` of `text`.
std::string LineAndColumn(std::string_view text, size_t pos) {
  pos = std::min(pos, text.size());
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(pos - line_start + 1);
}

// The cause in an nlohmann message, without its "[json.exception...]" tag
// and its own location ("parse error at line 1, column 5: ").
std::string Cause(const std::string& what) {
  const size_t tag_end = what.find(']');
  const size_t colon = what.find(": ", tag_end == std::string::npos ? 0 : tag_end);
  if (colon != std::string::npos) return what.substr(colon + 2);
  return tag_end == std::string::npos ? what : what.substr(tag_end + 2);
}

// "an object", "an array", "a string", ...
std::string KindName(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_null()) return "null";
  return std::string("a ") + v.type_name();
}

std::string PointerName(const std::string& pointer) {
  return pointer.empty() ? "'' (the root)" : "'" + pointer + "'";
}

// What kinds of values one column holds, for type inference.
struct KindsSeen {
  bool integer = false;  // fits int64
  bool number = false;   // any other number
  bool boolean = false;
  bool date_string = false;
  bool other_string = false;
  bool nested = false;  // object or array

  void Add(const json& v) {
    if (v.is_number_unsigned()) {
      (v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? integer
                                                                                       : number) =
          true;
    } else if (v.is_number_integer()) {
      integer = true;
    } else if (v.is_number()) {
      number = true;
    } else if (v.is_boolean()) {
      boolean = true;
    } else if (v.is_string()) {
      (ParseDate(v.get_ref<const std::string&>()) ? date_string : other_string) = true;
    } else if (!v.is_null()) {
      nested = true;
    }
  }

  ColumnType Type() const {
    const int kinds = (integer || number) + boolean + (date_string || other_string) + nested;
    if (kinds != 1) return ColumnType::kText;  // no values, or mixed kinds
    if (number) return ColumnType::kFloat;
    if (integer) return ColumnType::kInt;
    if (boolean) return ColumnType::kBool;
    if (date_string && !other_string) return ColumnType::kDate;
    return ColumnType::kText;
  }
};

// A value as cell text: strings as they are, null as nullopt, anything else
// as its JSON text. `scratch` holds the text when it has to be made.
std::optional<std::string_view> CellText(const json& v, std::string* scratch) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return std::string_view(v.get_ref<const std::string&>());
  *scratch = v.dump();
  return std::string_view(*scratch);
}

// Builds the table from `records`, a JSON array. Never throws: only
// non-throwing accessors are used.
StatusOr<Table> RecordsToTable(const json& records, const SourceSpec& spec,
                               const std::string& prefix, const FetchContext& ctx) {
  const bool declared = !spec.columns.empty();
  const auto bad_record = [&](size_t i, const std::string& what) {
    return Status::InvalidArgument(prefix + ": record " + std::to_string(i + 1) + " " + what);
  };

  // Columns: declared, or the union of keys with inferred types.
  std::vector<std::string> keys;
  std::vector<ColumnType> types;
  if (declared) {
    for (const ColumnSpec& c : spec.columns) {
      keys.push_back(c.name);
      types.push_back(c.type);
    }
  } else {
    std::unordered_map<std::string, size_t> index;
    std::vector<KindsSeen> kinds;
    for (size_t i = 0; i < records.size(); ++i) {
      const json& record = records[i];
      if (!record.is_object()) {
        return bad_record(i, "is " + KindName(record) +
                                 ", expected an object (arrays of values need declared columns)");
      }
      for (const auto& [key, value] : record.items()) {
        auto [it, added] = index.emplace(key, keys.size());
        if (added) {
          keys.push_back(key);
          kinds.emplace_back();
        }
        kinds[it->second].Add(value);
      }
    }
    for (const KindsSeen& k : kinds) types.push_back(k.Type());
  }

  Table table;
  std::vector<Column*> columns;
  for (size_t c = 0; c < keys.size(); ++c) {
    Column* column = table.AddColumn(keys[c], types[c]);
    if (column == nullptr) {
      return Status::InvalidArgument(prefix + ": column '" + keys[c] + "' is declared twice");
    }
    columns.push_back(column);
  }

  static const json kNull;
  std::string scratch;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i % kCancelCheckEvery == 0 && ctx.cancelled && ctx.cancelled()) {
      return Status::Cancelled(prefix + ": cancelled");
    }
    const json& record = records[i];
    const CellLocation where{"record", i + 1};
    if (record.is_array()) {
      if (record.size() != columns.size()) {
        return bad_record(i, "has " + std::to_string(record.size()) + " values, expected " +
                                 std::to_string(columns.size()));
      }
      for (size_t c = 0; c < columns.size(); ++c) {
        QUIRE_RETURN_IF_ERROR(
            AppendCell(columns[c], CellText(record[c], &scratch), spec.name, where));
      }
    } else if (record.is_object()) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const auto it = record.find(keys[c]);
        const json& value = it == record.end() ? kNull : *it;
        QUIRE_RETURN_IF_ERROR(AppendCell(columns[c], CellText(value, &scratch), spec.name, where));
      }
    } else {
      return bad_record(i, "is " + KindName(record) + ", expected an object or an array");
    }
  }
  return table;
}

}  // namespace

Status AppendCell(Column* column, std::optional<std::string_view> text, const std::string& source,
                  CellLocation where) {
  if (!text) {
    column->AppendNull();
    return Status::OK();
  }
  if (column->AppendParsed(*text).ok()) return Status::OK();
  std::string message = "source '" + source + "': " + where.unit + " " +
                        std::to_string(where.number) + ", column '" + column->name() + "': '";
  if (text->size() > kMaxQuotedCell) {
    message.append(text->substr(0, kMaxQuotedCell)).append("...");
  } else {
    message.append(*text);
  }
  message.append("' is not ").append(TypeNoun(column->type()));
  return Status::InvalidArgument(std::move(message));
}

StatusOr<Table> ParseJsonRecords(std::string_view text, const SourceSpec& spec,
                                 const std::string& origin, const FetchContext& ctx) {
  const std::string prefix = "source '" + spec.name + "': " + origin;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // e.byte is 1-based: the offending byte is at e.byte - 1.
    return Status::InvalidArgument(prefix + ": invalid JSON at " +
                                   LineAndColumn(text, e.byte > 0 ? e.byte - 1 : 0) + ": " +
                                   Cause(e.what()));
  } catch (const json::exception& e) {
    return Status::InvalidArgument(prefix + ": invalid JSON: " + Cause(e.what()));
  }

  const json* records = nullptr;
  try {
    const json::json_pointer pointer(spec.pointer);
    if (!doc.contains(pointer)) {
      return Status::InvalidArgument(prefix + ": pointer " + PointerName(spec.pointer) +
                                     " not found");
    }
    records = &doc.at(pointer);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(prefix + ": pointer " + PointerName(spec.pointer) +
                                   " is not a valid JSON pointer (RFC 6901): " + Cause(e.what()));
  }
  if (!records->is_array()) {
    return Status::InvalidArgument(prefix + ": pointer " + PointerName(spec.pointer) +
                                   " points to " + KindName(*records) +
                                   ", not an array of records");
  }
  return RecordsToTable(*records, spec, prefix, ctx);
}

}  // namespace quire
