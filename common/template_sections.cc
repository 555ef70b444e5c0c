// TemplateParser: the `sections` list — section kinds, table and chart
// sections, and their references to sources, columns and parameters.
#include <algorithm>
#include <utility>

#include "common/template_parser.h"

namespace quire::internal {
namespace {

const std::vector<std::string> kSectionKinds = {"heading", "text", "table", "chart", "page_break"};
const std::vector<std::string> kTableFields = {"source", "title", "columns"};
const std::vector<std::string> kChartFields = {
    "type",         "source",       "x",           "y",     "title",
    "x_axis_title", "y_axis_title", "show_legend", "width", "height"};
constexpr double kMaxChartSize = 2000;  // pt

}  // namespace

void TemplateParser::ParseSections(const YAML::Node& node, const std::string& path) {
  if (!reader_.ExpectList(node, path)) return;
  for (size_t i = 0; i < node.size(); ++i) ParseSection(node[i], IndexPath(path, i));
}

void TemplateParser::ParseSection(const YAML::Node& node, const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return;
  // Sort the keys into section kinds and others before judging either.
  std::vector<std::pair<std::string, YAML::Node>> kinds, others;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    const bool is_kind =
        std::find(kSectionKinds.begin(), kSectionKinds.end(), key) != kSectionKinds.end();
    (is_kind ? kinds : others).emplace_back(key, it->first);
  }
  if (kinds.empty()) {
    std::string found = others.empty() ? "" : others.front().first;
    reader_.Report(Severity::kError, "section.kind",
                   "a section needs exactly one of heading, text, table, chart, page_break", path,
                   others.empty() ? node : others.front().second,
                   SuggestNearest(found, kSectionKinds));
    return;
  }
  if (kinds.size() > 1) {
    reader_.Report(Severity::kError, "section.kind",
                   "a section has exactly one of heading, text, table, chart, page_break; "
                   "found both '" +
                       kinds[0].first + "' and '" + kinds[1].first + "'",
                   path, kinds[1].second);
    return;
  }
  const std::vector<YamlField> fields = reader_.Fields(node, path, kSectionKinds);
  const YamlField& f = fields.front();
  const std::string kind_path = JoinPath(path, f.key);
  Section section;
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
  } else {  // page_break
    auto b = reader_.Bool(f.value, kind_path);
    if (!b || !*b) return;
    section.kind = SectionKind::kPageBreak;
  }
  tmpl_.sections.push_back(std::move(section));
}

const SourceSpec* TemplateParser::ResolveSource(const YamlField& f, const std::string& path) {
  auto name = reader_.String(f.value, path);
  if (!name) return nullptr;
  const SourceSpec* source = tmpl_.FindSource(*name);
  if (source == nullptr) {
    std::vector<std::string> names;
    for (const SourceSpec& s : tmpl_.sources) names.push_back(s.name);
    reader_.Report(Severity::kError, "ref.source", "unknown source '" + *name + "'", path, f.value,
                   SuggestNearest(*name, names));
  }
  return source;
}

const ColumnSpec* TemplateParser::ResolveColumn(const SourceSpec& source, const std::string& name,
                                                const YAML::Node& at, const std::string& path) {
  std::vector<std::string> names;
  for (const ColumnSpec& c : source.columns) {
    if (c.name == name) return &c;
    names.push_back(c.name);
  }
  reader_.Report(Severity::kError, "ref.column",
                 "source '" + source.name + "' has no column '" + name + "'", path, at,
                 SuggestNearest(name, names));
  return nullptr;
}

std::optional<TableSectionSpec> TemplateParser::ParseTableSection(const YAML::Node& node,
                                                                  const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return std::nullopt;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kTableFields);
  TableSectionSpec table;
  const SourceSpec* source = nullptr;
  if (const YamlField* f = reader_.Require(fields, "source", node, path)) {
    source = ResolveSource(*f, JoinPath(path, "source"));
    if (source != nullptr) table.source = source->name;
  }
  ReadText(fields, "title", path, &table.title);
  if (const YamlField* f = YamlReader::Find(fields, "columns"); f && !f->value.IsNull()) {
    const std::string columns_path = JoinPath(path, "columns");
    if (reader_.ExpectList(f->value, columns_path)) {
      for (size_t i = 0; i < f->value.size(); ++i) {
        const std::string column_path = IndexPath(columns_path, i);
        auto name = reader_.String(f->value[i], column_path);
        if (!name) continue;
        if (source != nullptr) ResolveColumn(*source, *name, f->value[i], column_path);
        table.columns.push_back(*name);
      }
    }
  }
  if (source == nullptr) return std::nullopt;
  return table;
}

std::optional<ChartSpec> TemplateParser::ParseChartSection(const YAML::Node& node,
                                                           const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return std::nullopt;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kChartFields);
  ChartSpec chart;
  bool ok = true;
  if (const YamlField* f = reader_.Require(fields, "type", node, path)) {
    const std::string type_path = JoinPath(path, "type");
    if (auto type = reader_.String(f->value, type_path)) {
      if (auto t = ChartTypeFromName(*type)) {
        chart.type = *t;
        if (!IsChartTypeSupported(*t)) {
          ok = false;
          reader_.Report(Severity::kError, "chart.type",
                         "chart type '" + *type + "' is not supported yet", type_path, f->value,
                         "use 'bar'");
        }
      } else {
        ok = false;
        reader_.Report(Severity::kError, "chart.type", "unknown chart type '" + *type + "'",
                       type_path, f->value, SuggestNearest(*type, ChartTypeNames()));
      }
    }
  } else {
    ok = false;
  }

  const SourceSpec* source = nullptr;
  if (const YamlField* f = reader_.Require(fields, "source", node, path)) {
    source = ResolveSource(*f, JoinPath(path, "source"));
    if (source != nullptr) chart.source = source->name;
  }
  ok = ok && source != nullptr;

  if (const YamlField* f = reader_.Require(fields, "x", node, path)) {
    const std::string x_path = JoinPath(path, "x");
    if (auto x = reader_.String(f->value, x_path)) {
      chart.x = *x;
      if (source != nullptr) ok = ResolveColumn(*source, *x, f->value, x_path) != nullptr && ok;
    }
  }
  if (const YamlField* f = reader_.Require(fields, "y", node, path)) {
    const std::string y_path = JoinPath(path, "y");
    // y: revenue  or  y: [r2023, r2024]
    std::vector<std::pair<YAML::Node, std::string>> items;
    if (f->value.IsSequence()) {
      for (size_t i = 0; i < f->value.size(); ++i) {
        items.emplace_back(f->value[i], IndexPath(y_path, i));
      }
      if (items.empty()) {
        reader_.Report(Severity::kError, "field.required", "y needs at least one column", y_path,
                       f->value);
      }
    } else {
      items.emplace_back(f->value, y_path);
    }
    for (const auto& [item, item_path] : items) {
      auto y = reader_.String(item, item_path);
      if (!y) continue;
      chart.y.push_back(*y);
      if (source == nullptr) continue;
      const ColumnSpec* column = ResolveColumn(*source, *y, item, item_path);
      if (column != nullptr && !IsNumericType(column->type)) {
        reader_.Report(Severity::kError, "chart.y_type",
                       "column '" + *y + "' is " + ColumnTypeName(column->type) +
                           "; chart values need an int or float column",
                       item_path, item);
      }
    }
  }
  ReadText(fields, "title", path, &chart.title);
  ReadText(fields, "x_axis_title", path, &chart.x_axis_title);
  ReadText(fields, "y_axis_title", path, &chart.y_axis_title);
  if (const YamlField* f = YamlReader::Find(fields, "show_legend")) {
    if (auto b = reader_.Bool(f->value, JoinPath(path, "show_legend"))) chart.show_legend = *b;
  }
  for (const char* dim : {"width", "height"}) {
    const YamlField* f = YamlReader::Find(fields, dim);
    if (f == nullptr) continue;
    const std::string dim_path = JoinPath(path, dim);
    auto v = reader_.Number(f->value, dim_path);
    if (!v) continue;
    if (*v <= 0 || *v > kMaxChartSize) {
      reader_.Report(
          Severity::kError, "chart.size",
          std::string(dim) + " must be above 0 and at most " + FormatDouble(kMaxChartSize) + " pt",
          dim_path, f->value);
      continue;
    }
    (std::string_view(dim) == "width" ? chart.width : chart.height) = *v;
  }
  if (!ok) return std::nullopt;
  return chart;
}

}  // namespace quire::internal
