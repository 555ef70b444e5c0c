// Internal to quire_template: the template schema walker behind ParseTemplate.
// One TemplateParser reads one document; its methods are spread over
// template_parser.cc (root, header, parameters, outputs), template_checks.cc
// (checks shared by all parts), template_sources.cc (data sources), template_transforms.cc (derived
// tables), template_sections.cc (sections) and template_charts.cc (charts).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/template/internal/template_yaml.h"
#include "common/template/template.h"

namespace quire::internal {

class TemplateParser {
 public:
  // Parses one document. Call once per parser, and only one of these.
  ParseResult Run(const std::string& yaml_text);
  // Parses one chart section against a table of `columns` named "data",
  // which its `source` field may leave out (see ParseChart).
  ChartParseResult RunChart(const std::string& yaml_text, const std::vector<ColumnSpec>& columns);

  static constexpr const char* kChartDataName = "data";

 private:
  // A name sections and transforms can read from: a source or a transform,
  // with its columns when they are known.
  struct Dataset {
    std::string name;
    bool is_transform = false;
    bool known = false;
    std::vector<ColumnSpec> columns;
    size_t inline_rows = 0;  // rows of an inline source; 0 otherwise
    const ColumnSpec* Find(std::string_view column) const;
    std::vector<std::string> ColumnNames() const;
  };

  // template_parser.cc
  // Reads the YAML (yaml.syntax, template.root and template.internal
  // findings, `what` naming the document) and hands a map root on.
  void ParseDocument(const std::string& yaml_text, const char* what,
                     const std::function<void(const yaml::Node&)>& parse_root);
  void ParseRoot(const yaml::Node& root);
  void ParsePage(const yaml::Node& node, const std::string& path);
  void ParseTheme(const yaml::Node& node, const std::string& path);
  void ParseTimeouts(const yaml::Node& node, const std::string& path);
  void ParseParameters(const yaml::Node& node, const std::string& path);
  void ParseParameter(const yaml::Node& node, const std::string& path);
  void ParseOutputs(const yaml::Node& node, const std::string& path);
  // template_sources.cc
  void ParseSources(const yaml::Node& node, const std::string& path);
  void ParseSource(SourceSpec& source, const yaml::Node& node, const std::string& path);
  void ParseColumns(SourceSpec& source, std::vector<bool>* typed, const yaml::Node& node,
                    const std::string& path);
  void ParseRows(SourceSpec& source, const std::vector<bool>& typed_columns, const yaml::Node& node,
                 const std::string& path);
  void CheckQuery(const SourceSpec& source, const yaml::Node& query, const yaml::Node& params,
                  const std::string& path);
  void CheckFallbacks(const yaml::Node& sources, const std::string& path);
  // template_transforms.cc
  void ParseTransforms(const yaml::Node& node, const std::string& path);
  void ParseTransform(TransformSpec& t, const yaml::Node& node, const std::string& path);
  // template_sections.cc
  void ParseSections(const yaml::Node& node, const std::string& path, std::vector<Section>* out);
  void ParseSection(const yaml::Node& node, const std::string& path, std::vector<Section>* out);
  std::optional<TableSectionSpec> ParseTableSection(const yaml::Node& node,
                                                    const std::string& path);
  std::optional<KpiSpec> ParseKpiSection(const yaml::Node& node, const std::string& path);
  bool ParseForEach(Section& section, const std::vector<YamlField>& fields, const yaml::Node& node,
                    const std::string& path);
  // template_charts.cc
  std::optional<ChartSpec> ParseChartSection(const yaml::Node& node, const std::string& path);

  // Shared checks (template_checks.cc).
  // Reads optional text field `key` into *out, checking its placeholders.
  void ReadText(const std::vector<YamlField>& fields, std::string_view key,
                const std::string& parent_path, std::string* out);
  // Reports ref.*, placeholder.filter for the placeholders of `text`.
  void CheckPlaceholders(const std::string& text, const yaml::Node& at, const std::string& path);
  // Checks expression `text` (expr.syntax, ref.param) and its column
  // references against `columns` (ref.column), or, when `columns` is null,
  // reports any column reference (expr.column). False when it is unusable.
  bool CheckExpression(const std::string& text, const yaml::Node& at, const std::string& path,
                       const Dataset* columns, std::optional<ColumnType>* type = nullptr);
  // A duration field ("90s"); nullopt after reporting duration.format.
  std::optional<std::chrono::milliseconds> ReadDuration(const YamlField& f,
                                                        const std::string& path);
  // A list of "#RRGGBB" colours; reports color.format for bad ones.
  std::vector<uint32_t> ReadColors(const yaml::Node& node, const std::string& path);
  // A number field within [lo, hi]; nullopt after reporting field.range.
  std::optional<double> ReadNumberIn(const YamlField& f, const std::string& path, double lo,
                                     double hi, const std::string& unit = "");
  // A list of plain names (or one name); empty after reporting.
  std::vector<std::pair<std::string, yaml::Node>> ReadNames(const yaml::Node& node,
                                                            const std::string& path,
                                                            std::vector<std::string>* paths);
  // The dataset named by field `f`, or nullptr after reporting ref.source.
  const Dataset* ResolveDataset(const YamlField& f, const std::string& path);
  // True when `dataset` has column `name` or its columns are not known;
  // otherwise false after reporting ref.column.
  bool ResolveColumn(const Dataset& dataset, const std::string& name, const yaml::Node& at,
                     const std::string& path);
  const Dataset* FindDataset(std::string_view name) const;
  // Reports name.duplicate when `name` is taken by a source or transform.
  bool ClaimDatasetName(const std::string& name, const yaml::Node& at, const std::string& path);

  ReportTemplate tmpl_;
  std::deque<Dataset> datasets_;  // stable addresses
  std::vector<ValidationIssue> issues_;
  YamlReader reader_{&issues_};
  std::string default_chart_source_;  // RunChart: the dataset of a chart without `source`
  bool in_for_each_ = false;  // while reading a for_each block's sections
  size_t section_count_ = 0;  // all sections so far, nested included
};

}  // namespace quire::internal
