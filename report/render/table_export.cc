// Table exports: the CSV and JSON writers and the per-report export loop.
#include "report/render/table_export.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "report/render/file_output.h"

namespace quire {
namespace {

// FormatDouble when it reads back as `v`, else the shortest text that does.
std::string ExactDouble(double v) {
  std::string s = FormatDouble(v);
  if (std::optional<double> back = ParseFloat(s); back && *back == v) return s;
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : s;
}

std::string CsvValue(const Column& c, size_t row) {
  if (c.IsNull(row)) return "";
  if (c.type() == ColumnType::kFloat) {
    const double v = c.float_value(row);
    return std::isnan(v) ? "" : ExactDouble(v);
  }
  return c.AsString(row);
}

void AppendCsvField(std::string* line, const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    *line += field;
    return;
  }
  *line += '"';
  for (char ch : field) {
    if (ch == '"') *line += '"';
    *line += ch;
  }
  *line += '"';
}

nlohmann::ordered_json JsonValue(const Column& c, size_t row) {
  if (c.IsNull(row)) return nullptr;
  switch (c.type()) {
    case ColumnType::kInt:
      return c.int_value(row);
    case ColumnType::kFloat: {
      const double v = c.float_value(row);
      if (!std::isfinite(v)) return nullptr;
      return v;
    }
    case ColumnType::kBool:
      return c.int_value(row) != 0;
    case ColumnType::kDate:
      return FormatDate(c.int_value(row));
    case ColumnType::kText:
      return c.text_value(row);
  }
  return nullptr;
}

bool WriteString(FILE* f, const std::string& s) {
  return std::fwrite(s.data(), 1, s.size(), f) == s.size();
}

// The shown `columns` of `table` written through WriteFileAtomically by
// `write`.
Status WriteTableFile(const Table& table, const std::vector<TableColumnSpec>& columns,
                      const std::string& path,
                      const std::function<bool(FILE*, const std::vector<SelectedColumn>&)>& write) {
  StatusOr<std::vector<SelectedColumn>> shown = SelectTableColumns(table, columns);
  if (!shown.ok()) return shown.status();
  return WriteFileAtomically(path, [&](FILE* f) { return write(f, *shown); });
}

// Files for the N-th shown table section, N counted across the walk.
class TableExporter final : public SectionVisitor {
 public:
  TableExporter(const std::string& dir, const TableExportOptions& options)
      : dir_(dir), options_(options) {}

  Status Visit(const Section& section, const SectionScope& scope) override {
    if (section.kind != SectionKind::kTable) return Status::OK();
    const std::string base = dir_ + "/table" + std::to_string(++tables_);
    StatusOr<const Table*> table = scope.FindTable(section.table.source);
    if (!table.ok()) return table.status();
    if (*table == nullptr) return Status::OK();
    if (options_.csv) {
      QUIRE_RETURN_IF_ERROR(WriteTableCsv(**table, section.table.columns, base + ".csv"));
      written_.push_back(base + ".csv");
    }
    if (options_.json) {
      QUIRE_RETURN_IF_ERROR(WriteTableJson(**table, section.table.columns, base + ".json"));
      written_.push_back(base + ".json");
    }
    return Status::OK();
  }

  // The paths written, in order.
  std::vector<std::string> TakeWritten() { return std::move(written_); }

 private:
  const std::string& dir_;
  const TableExportOptions& options_;
  int tables_ = 0;
  std::vector<std::string> written_;
};

}  // namespace

Status WriteTableCsv(const Table& table, const std::vector<TableColumnSpec>& columns,
                     const std::string& path) {
  return WriteTableFile(table, columns, path,
                        [&](FILE* f, const std::vector<SelectedColumn>& shown) {
                          std::string line;
                          for (size_t i = 0; i < shown.size(); ++i) {
                            if (i > 0) line += ',';
                            AppendCsvField(&line, shown[i].label);
                          }
                          line += "\r\n";
                          if (!WriteString(f, line)) return false;
                          for (size_t r = 0; r < table.num_rows(); ++r) {
                            line.clear();
                            for (size_t i = 0; i < shown.size(); ++i) {
                              if (i > 0) line += ',';
                              AppendCsvField(&line, CsvValue(*shown[i].column, r));
                            }
                            line += "\r\n";
                            if (!WriteString(f, line)) return false;
                          }
                          return true;
                        });
}

Status WriteTableJson(const Table& table, const std::vector<TableColumnSpec>& columns,
                      const std::string& path) {
  return WriteTableFile(
      table, columns, path, [&](FILE* f, const std::vector<SelectedColumn>& shown) {
        if (!WriteString(f, "[")) return false;
        for (size_t r = 0; r < table.num_rows(); ++r) {
          nlohmann::ordered_json row = nlohmann::ordered_json::object();
          for (const SelectedColumn& c : shown) row[c.column->name()] = JsonValue(*c.column, r);
          const std::string text =
              (r == 0 ? "\n  " : ",\n  ") +
              row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
          if (!WriteString(f, text)) return false;
        }
        return WriteString(f, table.num_rows() == 0 ? "]\n" : "\n]\n");
      });
}

StatusOr<std::vector<std::string>> WriteTableExports(const ReportTemplate& tmpl,
                                                     const ParamValues& params,
                                                     const ReportData& data, const std::string& dir,
                                                     const TableExportOptions& options,
                                                     const std::function<bool()>& cancelled) {
  TableExporter exporter(dir, options);
  QUIRE_RETURN_IF_ERROR(VisitShownSections(tmpl, params, data, std::chrono::system_clock::now(),
                                           cancelled, exporter));
  return exporter.TakeWritten();
}

}  // namespace quire
