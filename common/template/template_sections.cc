// TemplateParser: the `sections` list — section kinds (heading, text, table,
// kpi, page_break, for_each; charts in template_charts.cc), `when:`
// conditions, for_each blocks, and their references to sources, transforms,
// columns and parameters.
#include <algorithm>
#include <utility>

#include "common/table/table_format.h"
#include "common/template/internal/template_parser.h"

namespace quire::internal {
namespace {

const std::vector<std::string> kSectionKinds = {"heading", "text",       "table",   "chart",
                                                "kpi",     "page_break", "for_each"};
const std::vector<std::string> kSectionExtras = {"when", "source", "sections"};
const std::vector<std::string> kTableFields = {"source", "title", "columns", "totals"};
const std::vector<std::string> kTableColumnFields = {"name", "label", "format", "width"};
const std::vector<std::string> kKpiFields = {"label",     "value", "source", "column",
                                             "aggregate", "delta", "format"};
constexpr char kKindList[] = "heading, text, table, chart, kpi, page_break, for_each";

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

void TemplateParser::ParseSections(const yaml::Node& node, const std::string& path,
                                   std::vector<Section>* out) {
  if (!reader_.ExpectList(node, path)) return;
  for (size_t i = 0; i < node.size(); ++i) ParseSection(node[i], IndexPath(path, i), out);
}

void TemplateParser::ParseSection(const yaml::Node& node, const std::string& path,
                                  std::vector<Section>* out) {
  ++section_count_;
  if (!reader_.ExpectMap(node, path)) return;
  // Sort the keys into section kinds and others before judging either.
  std::vector<std::pair<std::string, yaml::Node>> kinds, others;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    (Contains(kSectionKinds, key) ? kinds : others).emplace_back(key, it->first);
  }
  if (kinds.empty()) {
    auto guess = std::find_if(others.begin(), others.end(),
                              [](const auto& o) { return !Contains(kSectionExtras, o.first); });
    const bool has_guess = guess != others.end();
    reader_.Report(Severity::kError, "section.kind",
                   std::string("a section needs exactly one of ") + kKindList, path,
                   has_guess ? guess->second : node,
                   has_guess ? SuggestNearest(guess->first, kSectionKinds) : "");
    return;
  }
  if (kinds.size() > 1) {
    reader_.Report(Severity::kError, "section.kind",
                   std::string("a section has exactly one of ") + kKindList + "; found both '" +
                       kinds[0].first + "' and '" + kinds[1].first + "'",
                   path, kinds[1].second);
    return;
  }
  const bool for_each = kinds[0].first == "for_each";
  std::vector<std::string> known = kSectionKinds;
  known.push_back("when");
  if (for_each) known.insert(known.end(), {"source", "sections"});
  const std::vector<YamlField> fields = reader_.Fields(node, path, known);
  const YamlField* kind_field = YamlReader::Find(fields, kinds[0].first);
  if (kind_field == nullptr) return;  // reported as a duplicate key
  const YamlField& f = *kind_field;
  const std::string kind_path = JoinPath(path, f.key);
  Section section;
  bool ok = true;
  if (const YamlField* w = YamlReader::Find(fields, "when")) {
    const std::string when_path = JoinPath(path, "when");
    if (auto when = reader_.String(w->value, when_path)) {
      section.when = *when;
      ok = CheckExpression(*when, w->value, when_path, nullptr);
    }
  }
  if (f.key == "heading" || f.key == "text") {
    section.kind = f.key == "heading" ? SectionKind::kHeading : SectionKind::kText;
    auto text = reader_.String(f.value, kind_path);
    if (!text) {
      if (f.value.IsNull()) {
        reader_.Report(Severity::kError, "field.required", "'" + f.key + "' needs text", kind_path,
                       f.key_node);
      }
      return;
    }
    section.text = *text;
    CheckPlaceholders(section.text, f.value, kind_path);
  } else if (f.key == "table") {
    auto table = ParseTableSection(f.value, kind_path);
    if (!table) return;
    section.kind = SectionKind::kTable;
    section.table = std::move(*table);
  } else if (f.key == "chart") {
    auto chart = ParseChartSection(f.value, kind_path);
    if (!chart) return;
    section.kind = SectionKind::kChart;
    section.chart = std::move(*chart);
  } else if (f.key == "kpi") {
    auto kpi = ParseKpiSection(f.value, kind_path);
    if (!kpi) return;
    section.kind = SectionKind::kKpi;
    section.kpi = std::move(*kpi);
  } else if (for_each) {
    section.kind = SectionKind::kForEach;
    if (!ParseForEach(section, fields, node, path)) return;
  } else {  // page_break
    auto b = reader_.Bool(f.value, kind_path);
    if (!b || !*b) return;
    section.kind = SectionKind::kPageBreak;
  }
  if (ok) out->push_back(std::move(section));
}

bool TemplateParser::ParseForEach(Section& section, const std::vector<YamlField>& fields,
                                  const yaml::Node& node, const std::string& path) {
  const YamlField& f = *YamlReader::Find(fields, "for_each");
  const std::string column_path = JoinPath(path, "for_each");
  if (in_for_each_) {
    reader_.Report(Severity::kError, "section.nesting",
                   "for_each blocks cannot be nested; group by one column per block", column_path,
                   f.key_node);
    return false;
  }
  bool ok = true;
  auto column = reader_.String(f.value, column_path);
  if (!column) {
    if (f.value.IsNull()) {
      reader_.Report(Severity::kError, "field.required",
                     "for_each needs the column whose values form the groups", column_path,
                     f.key_node);
    }
    ok = false;
  }
  const Dataset* data = nullptr;
  if (const YamlField* s = reader_.Require(fields, "source", node, path)) {
    data = ResolveDataset(*s, JoinPath(path, "source"));
  }
  if (data == nullptr) {
    ok = false;
  } else {
    section.for_each_source = data->name;
    if (column) ok = ResolveColumn(*data, *column, f.value, column_path) && ok;
  }
  if (column) section.for_each = *column;
  if (const YamlField* s = reader_.Require(fields, "sections", node, path)) {
    const std::string sections_path = JoinPath(path, "sections");
    if (s->value.IsSequence() && s->value.size() == 0) {
      reader_.Report(Severity::kError, "field.required",
                     "a for_each block needs at least one section", sections_path, s->value);
      ok = false;
    }
    in_for_each_ = true;
    ParseSections(s->value, sections_path, &section.sections);
    in_for_each_ = false;
  } else {
    ok = false;
  }
  return ok;
}

std::optional<TableSectionSpec> TemplateParser::ParseTableSection(const yaml::Node& node,
                                                                  const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return std::nullopt;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kTableFields);
  TableSectionSpec table;
  const Dataset* data = nullptr;
  if (const YamlField* f = reader_.Require(fields, "source", node, path)) {
    const std::string source_path = JoinPath(path, "source");
    data = ResolveDataset(*f, source_path);
    if (data != nullptr) {
      table.source = data->name;
      if (data->inline_rows > TemplateLimits::kTableRowsHint) {
        reader_.Report(Severity::kInfo, "perf.table_rows",
                       "the table shows all " + std::to_string(data->inline_rows) + " rows of '" +
                           data->name + "': a PDF of that many rows is slow to render and read",
                       source_path, f->value,
                       "show a summary (a transform with group_by or limit), or output csv");
      }
    }
  }
  ReadText(fields, "title", path, &table.title);
  if (const YamlField* f = YamlReader::Find(fields, "totals")) {
    if (auto b = reader_.Bool(f->value, JoinPath(path, "totals"))) table.totals = *b;
  }
  if (const YamlField* f = YamlReader::Find(fields, "columns"); f && !f->value.IsNull()) {
    const std::string columns_path = JoinPath(path, "columns");
    if (reader_.ExpectList(f->value, columns_path)) {
      for (size_t i = 0; i < f->value.size(); ++i) {
        const yaml::Node item = f->value[i];
        const std::string column_path = IndexPath(columns_path, i);
        TableColumnSpec column;
        yaml::Node name_node = item, format_node;
        std::string name_path = column_path;
        if (item.IsMap()) {
          // {name: revenue, label: "Revenue", format: "#,##0.00"}
          const std::vector<YamlField> cf = reader_.Fields(item, column_path, kTableColumnFields);
          const YamlField* n = reader_.Require(cf, "name", item, column_path);
          if (n == nullptr) continue;
          name_node = n->value;
          name_path = JoinPath(column_path, "name");
          ReadText(cf, "label", column_path, &column.label);
          if (const YamlField* w = YamlReader::Find(cf, "width")) {
            if (auto v = ReadNumberIn(*w, JoinPath(column_path, "width"), 1, 2000)) {
              column.width = *v;
            }
          }
          if (const YamlField* fmt = YamlReader::Find(cf, "format")) {
            if (auto s = reader_.String(fmt->value, JoinPath(column_path, "format"))) {
              column.format = *s;
              format_node = fmt->value;
            }
          }
        }
        auto name = reader_.String(name_node, name_path);
        if (!name) continue;
        column.name = *name;
        if (data != nullptr) ResolveColumn(*data, *name, name_node, name_path);
        if (!column.format.empty()) {
          const std::string format_path = JoinPath(column_path, "format");
          Status s = CheckValueFormat(column.format);
          if (!s.ok()) {
            reader_.Report(Severity::kError, "format.value", s.message(), format_path, format_node,
                           "e.g. \"#,##0.00\", \"0.0%\" or \"%Y-%m-%d\"");
            column.format.clear();
          } else if (const ColumnSpec* c = data != nullptr ? data->Find(*name) : nullptr) {
            const bool date_format = IsDateFormat(column.format);
            if ((date_format && c->type != ColumnType::kDate) ||
                (!date_format && !IsNumericType(c->type))) {
              reader_.Report(Severity::kWarning, "format.type",
                             std::string(date_format ? "a date" : "a number") + " format for " +
                                 ColumnTypeName(c->type) + " column '" + *name + "' is ignored",
                             format_path, format_node);
            }
          }
        }
        table.columns.push_back(std::move(column));
      }
    }
  }
  if (data == nullptr) return std::nullopt;
  return table;
}

std::optional<KpiSpec> TemplateParser::ParseKpiSection(const yaml::Node& node,
                                                       const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return std::nullopt;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kKpiFields);
  KpiSpec kpi;
  bool ok = true;
  if (const YamlField* f = reader_.Require(fields, "label", node, path)) {
    ReadText(fields, "label", path, &kpi.label);
    (void)f;
  } else {
    ok = false;
  }
  ReadText(fields, "value", path, &kpi.value);
  ReadText(fields, "delta", path, &kpi.delta);
  const YamlField* value = YamlReader::Find(fields, "value");
  const YamlField* source = YamlReader::Find(fields, "source");
  const YamlField* column = YamlReader::Find(fields, "column");
  if (value != nullptr && (source != nullptr || column != nullptr)) {
    reader_.Report(Severity::kError, "kpi.value",
                   "a kpi shows either value or source + column, not both",
                   JoinPath(path, source != nullptr ? "source" : "column"),
                   (source != nullptr ? source : column)->key_node);
    return std::nullopt;
  }
  if (value == nullptr && source == nullptr) {
    reader_.Report(Severity::kError, "kpi.value",
                   "a kpi needs a value (\"{{ source.column }}\") or a source and column",
                   JoinPath(path, "value"), node,
                   "e.g. value: \"{{ totals.revenue }}\" or source: sales + column: revenue");
    return std::nullopt;
  }
  if (source != nullptr) {
    const Dataset* data = ResolveDataset(*source, JoinPath(path, "source"));
    ok = ok && data != nullptr;
    if (data != nullptr) kpi.source = data->name;
    if (const YamlField* a = YamlReader::Find(fields, "aggregate")) {
      const std::string p = JoinPath(path, "aggregate");
      if (auto name = reader_.String(a->value, p)) {
        if (auto fn = AggregateFunctionFromName(*name)) {
          kpi.aggregate = *fn;
        } else {
          ok = false;
          reader_.Report(Severity::kError, "kpi.aggregate",
                         "unknown aggregate function '" + *name + "'", p, a->value,
                         SuggestNearest(*name, AggregateFunctionNames()));
        }
      }
    }
    if (const YamlField* c = reader_.Require(fields, "column", node, path)) {
      const std::string p = JoinPath(path, "column");
      if (auto name = reader_.String(c->value, p)) {
        kpi.column = *name;
        if (data != nullptr && ResolveColumn(*data, *name, c->value, p)) {
          const ColumnSpec* spec = data->Find(*name);
          const bool counts = kpi.aggregate == AggregateFunction::kCount ||
                              kpi.aggregate == AggregateFunction::kCountDistinct;
          if (spec != nullptr && !counts && !IsNumericType(spec->type)) {
            ok = false;
            reader_.Report(Severity::kError, "kpi.column_type",
                           std::string(AggregateFunctionName(kpi.aggregate)) +
                               " needs a numeric column; '" + *name + "' is " +
                               ColumnTypeName(spec->type),
                           p, c->value, "use aggregate: count or a numeric column");
          }
        } else {
          ok = false;
        }
      }
    } else {
      ok = false;
    }
  } else if (YamlReader::Find(fields, "aggregate") != nullptr) {
    reader_.Report(Severity::kWarning, "field.ignored",
                   "aggregate applies only with source + column", JoinPath(path, "aggregate"),
                   YamlReader::Find(fields, "aggregate")->key_node);
  }
  if (const YamlField* f = YamlReader::Find(fields, "format")) {
    const std::string p = JoinPath(path, "format");
    if (auto s = reader_.String(f->value, p)) {
      auto format = ParseNumberFormat(*s);
      if (!format.ok()) {
        ok = false;
        reader_.Report(Severity::kError, "format.value", format.status().message(), p, f->value,
                       "e.g. \"#,##0\" or \"0.0%\"");
      } else {
        kpi.format = *s;
      }
    }
  }
  if (!ok) return std::nullopt;
  return kpi;
}

}  // namespace quire::internal
