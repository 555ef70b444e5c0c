// Table exports: column selection, the CSV and JSON writers, the section
// walk and the per-report export loop.
#include "workers/render/table_export.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace quire {
namespace {

// Writes a file through `path`.partial: `write` fills the open file and
// returns false on a write error; the partial file is renamed on success
// and removed on failure.
Status WriteAtomically(const std::string& path, const std::function<bool(FILE*)>& write) {
  const std::string partial = path + ".partial";
  FILE* f = std::fopen(partial.c_str(), "wb");
  if (f == nullptr) return Status::Internal("cannot create " + partial);
  const bool written = write(f) && std::ferror(f) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    std::remove(partial.c_str());
    return Status::Internal("cannot write " + partial);
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    return Status::Internal("cannot rename " + partial + " to " + path);
  }
  return Status::OK();
}

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

Status VisitSections(const SectionScope& scope, const std::vector<Section>& sections,
                     const std::function<bool()>& cancelled, const SectionVisitor& visit);

// One pass over a for_each block's sections per distinct value of its
// column, in order of first appearance.
Status VisitForEach(const SectionScope& scope, const Section& section,
                    const std::function<bool()>& cancelled, const SectionVisitor& visit) {
  StatusOr<const Table*> table = scope.FindTable(section.for_each_source);
  if (!table.ok()) return table.status();
  if (*table == nullptr) return visit(section, scope);
  const Column* column = (*table)->FindColumn(section.for_each);
  if (column == nullptr) {
    return Status::InvalidArgument("for_each: source '" + section.for_each_source +
                                   "' has no column '" + section.for_each + "'");
  }
  std::vector<std::string> groups;
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t r = 0; r < (*table)->num_rows(); ++r) {
    const std::string key = column->AsString(r);
    auto [it, inserted] = rows.try_emplace(key);
    if (inserted) groups.push_back(key);
    it->second.push_back(r);
  }
  for (const std::string& group : groups) {
    if (cancelled && cancelled()) return Status::Cancelled("rendering cancelled");
    const Table filtered = (*table)->SelectRows(rows[group]);
    SectionScope inner = scope;
    inner.placeholders.group = group;
    inner.placeholders.group_source = section.for_each_source;
    inner.placeholders.group_table = &filtered;
    QUIRE_RETURN_IF_ERROR(VisitSections(inner, section.sections, cancelled, visit));
  }
  return Status::OK();
}

Status VisitSections(const SectionScope& scope, const std::vector<Section>& sections,
                     const std::function<bool()>& cancelled, const SectionVisitor& visit) {
  for (const Section& section : sections) {
    if (cancelled && cancelled()) return Status::Cancelled("rendering cancelled");
    if (!section.when.empty()) {
      StatusOr<bool> show = EvaluateCondition(section.when, *scope.placeholders.params);
      if (!show.ok()) {
        return Status::InvalidArgument("when '" + section.when + "': " + show.status().message());
      }
      if (!*show) continue;
    }
    QUIRE_RETURN_IF_ERROR(section.kind == SectionKind::kForEach
                              ? VisitForEach(scope, section, cancelled, visit)
                              : visit(section, scope));
  }
  return Status::OK();
}

}  // namespace

StatusOr<std::vector<SelectedColumn>> SelectTableColumns(
    const Table& table, const std::vector<TableColumnSpec>& columns) {
  std::vector<SelectedColumn> out;
  if (columns.empty()) {
    for (size_t i = 0; i < table.num_columns(); ++i) {
      out.push_back({&table.column(i), table.column(i).name(), "", 0});
    }
    return out;
  }
  for (const TableColumnSpec& spec : columns) {
    const Column* c = table.FindColumn(spec.name);
    if (c == nullptr) return Status::InvalidArgument("table has no column '" + spec.name + "'");
    out.push_back({c, spec.label.empty() ? spec.name : spec.label, spec.format, spec.width});
  }
  return out;
}

Status WriteTableCsv(const Table& table, const std::vector<TableColumnSpec>& columns,
                     const std::string& path) {
  StatusOr<std::vector<SelectedColumn>> shown = SelectTableColumns(table, columns);
  if (!shown.ok()) return shown.status();
  return WriteAtomically(path, [&](FILE* f) {
    std::string line;
    for (size_t i = 0; i < shown->size(); ++i) {
      if (i > 0) line += ',';
      AppendCsvField(&line, (*shown)[i].label);
    }
    line += "\r\n";
    if (!WriteString(f, line)) return false;
    for (size_t r = 0; r < table.num_rows(); ++r) {
      line.clear();
      for (size_t i = 0; i < shown->size(); ++i) {
        if (i > 0) line += ',';
        AppendCsvField(&line, CsvValue(*(*shown)[i].column, r));
      }
      line += "\r\n";
      if (!WriteString(f, line)) return false;
    }
    return true;
  });
}

Status WriteTableJson(const Table& table, const std::vector<TableColumnSpec>& columns,
                      const std::string& path) {
  StatusOr<std::vector<SelectedColumn>> shown = SelectTableColumns(table, columns);
  if (!shown.ok()) return shown.status();
  return WriteAtomically(path, [&](FILE* f) {
    if (!WriteString(f, "[")) return false;
    for (size_t r = 0; r < table.num_rows(); ++r) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (const SelectedColumn& c : *shown) row[c.column->name()] = JsonValue(*c.column, r);
      const std::string text =
          (r == 0 ? "\n  " : ",\n  ") +
          row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      if (!WriteString(f, text)) return false;
    }
    return WriteString(f, table.num_rows() == 0 ? "]\n" : "\n]\n");
  });
}

std::string DataUnavailableNote(const std::string& source) {
  return "Data unavailable: '" + source + "' has no data in this run.";
}

std::string SectionScope::Expand(const std::string& text) const {
  return ExpandPlaceholders(text, placeholders);
}

StatusOr<const Table*> SectionScope::FindTable(const std::string& name) const {
  if (const Table* t = placeholders.FindTable(name)) return t;
  const SourceSpec* source = tmpl->FindSource(name);
  if ((source != nullptr && source->optional) || tmpl->FindTransform(name) != nullptr) {
    return static_cast<const Table*>(nullptr);
  }
  return Status::FailedPrecondition("no data for source '" + name + "'");
}

Status VisitShownSections(const ReportTemplate& tmpl, const ParamValues& params,
                          const ReportData& data, std::chrono::system_clock::time_point now,
                          const std::function<bool()>& cancelled, const SectionVisitor& visit) {
  SectionScope scope;
  scope.tmpl = &tmpl;
  scope.placeholders.params = &params;
  scope.placeholders.data = &data;
  scope.placeholders.now = now;
  return VisitSections(scope, tmpl.sections, cancelled, visit);
}

StatusOr<std::vector<std::string>> WriteTableExports(const ReportTemplate& tmpl,
                                                     const ParamValues& params,
                                                     const ReportData& data, const std::string& dir,
                                                     const TableExportOptions& options,
                                                     const std::function<bool()>& cancelled) {
  std::vector<std::string> written;
  int n = 0;
  Status status = VisitShownSections(
      tmpl, params, data, std::chrono::system_clock::now(), cancelled,
      [&](const Section& section, const SectionScope& scope) -> Status {
        if (section.kind != SectionKind::kTable) return Status::OK();
        const std::string base = dir + "/table" + std::to_string(++n);
        StatusOr<const Table*> table = scope.FindTable(section.table.source);
        if (!table.ok()) return table.status();
        if (*table == nullptr) return Status::OK();
        if (options.csv) {
          QUIRE_RETURN_IF_ERROR(WriteTableCsv(**table, section.table.columns, base + ".csv"));
          written.push_back(base + ".csv");
        }
        if (options.json) {
          QUIRE_RETURN_IF_ERROR(WriteTableJson(**table, section.table.columns, base + ".json"));
          written.push_back(base + ".json");
        }
        return Status::OK();
      });
  if (!status.ok()) return status;
  return written;
}

}  // namespace quire
