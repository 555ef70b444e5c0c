// csv and json sources: the data-root path check, whole-file reads, the
// RFC 4180 splitter and CSV type inference.
#include "report/data/file_source.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "report/data/json_records.h"

namespace quire {
namespace {

namespace fs = std::filesystem;

// CSV records between two looks at ctx.cancelled.
constexpr size_t kCancelCheckEvery = 8192;

std::string SourcePrefix(const SourceSpec& spec) { return "source '" + spec.name + "'"; }

Status PermissionDenied(std::string message) {
  return {StatusCode::kPermissionDenied, std::move(message)};
}

// True when `path` is `root` or below it, compared component by component
// (so "/data2" is not below "/data").
bool IsWithin(const fs::path& path, const fs::path& root) {
  return std::mismatch(root.begin(), root.end(), path.begin(), path.end()).first == root.end();
}

// spec.path resolved under `data_root`, symlinks followed; see the header
// for the refusals.
StatusOr<fs::path> ResolveDataFile(const SourceSpec& spec, const std::string& data_root) {
  const std::string what = SourcePrefix(spec) + ": path '" + spec.path + "'";
  if (spec.path.empty()) return Status::InvalidArgument(SourcePrefix(spec) + ": no path");
  const fs::path relative(spec.path);
  if (relative.has_root_path()) {
    return PermissionDenied(what + " is absolute; paths are relative to data.root");
  }
  const fs::path normal = relative.lexically_normal();
  if (!normal.empty() && *normal.begin() == "..") {
    return PermissionDenied(what + " leaves data.root");
  }
  std::error_code ec;
  const fs::path root = fs::canonical(data_root, ec);
  if (ec) {
    return Status::FailedPrecondition(SourcePrefix(spec) + ": data.root '" + data_root +
                                      "' cannot be used: " + ec.message());
  }
  const fs::path resolved = fs::weakly_canonical(root / normal, ec);
  if (ec) return Status::FailedPrecondition(what + " cannot be resolved: " + ec.message());
  if (!IsWithin(resolved, root)) return PermissionDenied(what + " resolves outside data.root");
  const fs::file_status status = fs::status(resolved, ec);
  if (!fs::exists(status)) return Status::NotFound(what + " not found under data.root");
  if (!fs::is_regular_file(status)) {
    return Status::InvalidArgument(what + " is not a regular file");
  }
  return resolved;
}

// The bytes of the resolved file at `path`; `what` names it for messages.
StatusOr<std::string> ReadWholeFile(const fs::path& path, const std::string& what) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    const int error = errno;
    const std::string message = what + " cannot be opened: " + std::strerror(error);
    if (error == EACCES) return PermissionDenied(message);
    if (error == ENOENT) return Status::NotFound(message);
    return Status::FailedPrecondition(message);
  }
  std::string bytes;
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (!ec) bytes.reserve(size);
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), file.get())) > 0;) bytes.append(buf, n);
  if (std::ferror(file.get())) return Status::Unavailable(what + " could not be read");
  return bytes;
}

StatusOr<std::string> ReadDataFile(const SourceSpec& spec, const std::string& data_root) {
  StatusOr<fs::path> path = ResolveDataFile(spec, data_root);
  if (!path.ok()) return path.status();
  return ReadWholeFile(*path, SourcePrefix(spec) + ": path '" + spec.path + "'");
}

// The records of a CSV text, row-major: row r's field c is
// fields[r * width + c], a view into the text or into `unescaped`.
struct CsvRecords {
  size_t width = 0;
  std::vector<std::string_view> fields;
  std::vector<size_t> lines;          // the line each record starts on
  std::deque<std::string> unescaped;  // quoted fields with doubled quotes

  size_t size() const { return lines.size(); }
  std::string_view field(size_t row, size_t column) const { return fields[row * width + column]; }
};

// Splits `text` (RFC 4180; see ReadCsvSource) into records of equal width:
// `width` fields, or as many as the first record has when it is 0.
Status SplitCsv(std::string_view text, char delimiter, size_t width, const std::string& prefix,
                const FetchContext& ctx, CsvRecords* out) {
  const size_t n = text.size();
  const auto at_line_end = [&](size_t i) {
    return i == n || text[i] == '\n' || (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n');
  };
  const auto error = [&](size_t line, const std::string& what) {
    return Status::InvalidArgument(prefix + ": line " + std::to_string(line) + ": " + what);
  };
  size_t i = 0, line = 1, first_line = 0;
  std::vector<std::string_view> row;
  const size_t line_ends = std::count(text.begin(), text.end(), '\n');
  out->lines.reserve(line_ends + 1);
  if (width > 0) out->fields.reserve(width * (line_ends + 1));
  while (i < n) {
    if (at_line_end(i)) {  // a blank line
      i += text[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    if (out->size() % kCancelCheckEvery == 0 && ctx.cancelled && ctx.cancelled()) {
      return Status::Cancelled(prefix + ": cancelled");
    }
    const size_t record_line = line;
    row.clear();
    while (true) {
      if (i < n && text[i] == '"') {
        const size_t quote_line = line;
        size_t segment = ++i;
        std::string* buffer = nullptr;
        while (true) {
          const size_t quote = text.find('"', i);
          if (quote == std::string_view::npos) {
            return error(quote_line, "unterminated quoted field");
          }
          line += std::count(text.begin() + i, text.begin() + quote, '\n');
          i = quote + 1;
          if (i < n && text[i] == '"') {  // a doubled quote
            if (buffer == nullptr) buffer = &out->unescaped.emplace_back();
            buffer->append(text.substr(segment, i - segment));
            segment = ++i;
            continue;
          }
          if (buffer == nullptr) {
            row.push_back(text.substr(segment, quote - segment));
          } else {
            buffer->append(text.substr(segment, quote - segment));
            row.emplace_back(*buffer);
          }
          break;
        }
        if (!at_line_end(i) && text[i] != delimiter) {
          return error(line, "unexpected text after a closing quote");
        }
      } else {
        const size_t start = i;
        while (!at_line_end(i) && text[i] != delimiter) ++i;
        row.push_back(text.substr(start, i - start));
      }
      if (i < n && text[i] == delimiter) {
        ++i;
        continue;
      }
      if (i < n) {
        i += text[i] == '\r' ? 2 : 1;
        ++line;
      }
      break;
    }
    if (width == 0) {
      width = row.size();
      first_line = record_line;
      out->fields.reserve(width * (line_ends + 1));
    }
    if (row.size() != width) {
      std::string expected = std::to_string(width);
      expected +=
          first_line > 0 ? " as on line " + std::to_string(first_line) : " (the declared columns)";
      return error(record_line, std::to_string(row.size()) + " fields, expected " + expected);
    }
    out->fields.insert(out->fields.end(), row.begin(), row.end());
    out->lines.push_back(record_line);
  }
  out->width = width;
  return Status::OK();
}

// The first of int, float, date, bool that every non-empty field of
// `column` from row `first` on reads as; text otherwise.
ColumnType InferCsvType(const CsvRecords& records, size_t column, size_t first) {
  bool can_int = true, can_float = true, can_date = true, can_bool = true, any = false;
  for (size_t r = first; r < records.size(); ++r) {
    const std::string_view v = records.field(r, column);
    if (v.empty()) continue;
    any = true;
    if (can_int && !ParseInt(v)) can_int = false;
    if (!can_int && can_float && !ParseFloat(v)) can_float = false;  // ints are floats
    if (can_date && !ParseDate(v)) can_date = false;
    if (can_bool && !ParseBool(v)) can_bool = false;
    if (!can_int && !can_float && !can_date && !can_bool) break;
  }
  if (!any) return ColumnType::kText;
  if (can_int) return ColumnType::kInt;
  if (can_float) return ColumnType::kFloat;
  if (can_date) return ColumnType::kDate;
  if (can_bool) return ColumnType::kBool;
  return ColumnType::kText;
}

// Which field of each record feeds which column, and as what type.
struct CsvColumn {
  std::string name;
  size_t field;
  ColumnType type;
};

// The table's columns: see ReadCsvSource. Rows of `records` from `first`
// on are data.
StatusOr<std::vector<CsvColumn>> CsvColumns(const SourceSpec& spec, const CsvRecords& records,
                                            size_t first, const std::string& prefix) {
  std::vector<std::string> names;
  for (size_t c = 0; c < records.width; ++c) {
    std::string name = spec.header && records.size() > 0 ? std::string(records.field(0, c)) : "";
    if (name.empty()) name = "col" + std::to_string(c + 1);
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return Status::InvalidArgument(prefix + ": line " + std::to_string(records.lines[0]) +
                                     ": column '" + name + "' appears twice in the header");
    }
    names.push_back(std::move(name));
  }
  std::vector<CsvColumn> columns;
  if (spec.columns.empty()) {
    for (size_t c = 0; c < names.size(); ++c) {
      columns.push_back({names[c], c, InferCsvType(records, c, first)});
    }
  } else if (!spec.header || records.size() == 0) {  // no header row to pick from
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      columns.push_back({spec.columns[c].name, c, spec.columns[c].type});
    }
  } else {
    for (const ColumnSpec& declared : spec.columns) {
      const auto it = std::find(names.begin(), names.end(), declared.name);
      if (it == names.end()) {
        return Status::InvalidArgument(prefix + ": declared column '" + declared.name +
                                       "' is not in the header");
      }
      columns.push_back({declared.name, static_cast<size_t>(it - names.begin()), declared.type});
    }
  }
  return columns;
}

}  // namespace

StatusOr<Table> ReadCsvSource(const SourceSpec& spec, const std::string& data_root,
                              const FetchContext& ctx) {
  StatusOr<std::string> bytes = ReadDataFile(spec, data_root);
  if (!bytes.ok()) return bytes.status();
  std::string_view text = *bytes;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM

  const std::string prefix = SourcePrefix(spec);
  CsvRecords records;
  const size_t width = spec.header ? 0 : spec.columns.size();
  QUIRE_RETURN_IF_ERROR(SplitCsv(text, spec.delimiter, width, prefix, ctx, &records));
  const size_t first = spec.header && records.size() > 0 ? 1 : 0;
  StatusOr<std::vector<CsvColumn>> columns = CsvColumns(spec, records, first, prefix);
  if (!columns.ok()) return columns.status();

  Table table;
  std::vector<Column*> targets;
  for (const CsvColumn& c : *columns) {
    Column* target = table.AddColumn(c.name, c.type);
    if (target == nullptr) {
      return Status::InvalidArgument(prefix + ": column '" + c.name + "' is declared twice");
    }
    targets.push_back(target);
  }
  for (size_t r = first; r < records.size(); ++r) {
    for (size_t c = 0; c < targets.size(); ++c) {
      const std::string_view v = records.field(r, (*columns)[c].field);
      QUIRE_RETURN_IF_ERROR(AppendCell(targets[c], v.empty() ? std::nullopt : std::optional(v),
                                       spec.name, {"line", records.lines[r]}));
    }
  }
  return table;
}

StatusOr<Table> ReadJsonSource(const SourceSpec& spec, const std::string& data_root,
                               const FetchContext& ctx) {
  StatusOr<std::string> bytes = ReadDataFile(spec, data_root);
  if (!bytes.ok()) return bytes.status();
  return ParseJsonRecords(*bytes, spec, "file '" + spec.path + "'", ctx);
}

}  // namespace quire
