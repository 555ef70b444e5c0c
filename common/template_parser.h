// Internal to quire_model: the template schema walker behind ParseTemplate.
// One TemplateParser reads one document; its methods are spread over
// template_parser.cc (root, parameters, placeholders, outputs),
// template_sources.cc (data sources) and template_sections.cc (sections).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/template.h"
#include "common/template_yaml.h"

namespace quire::internal {

class TemplateParser {
 public:
  // Parses one document. Call once per parser.
  ParseResult Run(const std::string& yaml_text);

 private:
  void ParseRoot(const YAML::Node& root);
  void ParseParameters(const YAML::Node& node, const std::string& path);
  void ParseParameter(const YAML::Node& node, const std::string& path);
  void ParseSources(const YAML::Node& node, const std::string& path);
  void ParseSource(SourceSpec& source, const YAML::Node& node, const std::string& path);
  void ParseRows(SourceSpec& source, const std::vector<bool>& typed_columns, const YAML::Node& node,
                 const std::string& path);
  void ParseSections(const YAML::Node& node, const std::string& path);
  void ParseSection(const YAML::Node& node, const std::string& path);
  std::optional<TableSectionSpec> ParseTableSection(const YAML::Node& node,
                                                    const std::string& path);
  std::optional<ChartSpec> ParseChartSection(const YAML::Node& node, const std::string& path);
  void ParseOutputs(const YAML::Node& node, const std::string& path);

  // Reads optional text field `key` into *out, checking its placeholders.
  void ReadText(const std::vector<YamlField>& fields, std::string_view key,
                const std::string& parent_path, std::string* out);
  // Reports ref.param / ref.placeholder for the placeholders of `text`.
  void CheckPlaceholders(const std::string& text, const YAML::Node& at, const std::string& path);
  // The source named by field `f`, or nullptr after reporting ref.source.
  const SourceSpec* ResolveSource(const YamlField& f, const std::string& path);
  // The column `name` of `source`, or nullptr after reporting ref.column.
  const ColumnSpec* ResolveColumn(const SourceSpec& source, const std::string& name,
                                  const YAML::Node& at, const std::string& path);

  ReportTemplate tmpl_;
  std::vector<ValidationIssue> issues_;
  YamlReader reader_{&issues_};
};

}  // namespace quire::internal
