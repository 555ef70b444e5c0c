// Internal to quire_template: typed, located reading of a YAML node tree that
// records ValidationIssues (with 1-based line/column and a path such as
// "sections[3].chart.y[1]") instead of throwing. The template schema itself
// lives in template_parser.cc; this file knows nothing about it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/template/internal/template_yaml_node.h"
#include "common/template/template.h"

namespace quire::internal {

// "a.b" (or "b" for an empty parent) and "a[3]".
std::string JoinPath(const std::string& parent, std::string_view key);
std::string IndexPath(const std::string& parent, size_t index);

// Optimal string alignment distance (edits, with adjacent transpositions).
size_t EditDistance(std::string_view a, std::string_view b);
// "did you mean 'x'?" for the candidate closest to `word`, or "" when no
// candidate is close enough to be a likely typo.
std::string SuggestNearest(std::string_view word, const std::vector<std::string>& candidates);

// One key: value entry of a YAML map.
struct YamlField {
  std::string key;
  yaml::Node key_node;
  yaml::Node value;
};

class YamlReader {
 public:
  // `issues` must outlive the reader.
  explicit YamlReader(std::vector<ValidationIssue>* issues) : issues_(issues) {}

  void Report(Severity severity, std::string code, std::string message, std::string path,
              const yaml::Node& at, std::string suggestion = "");

  // The entries of map node `map` (which must be a map). Reports
  // field.unknown (WARNING, with a suggestion) for keys outside `known`,
  // field.duplicate for repeated keys and field.type for non-scalar keys.
  std::vector<YamlField> Fields(const yaml::Node& map, const std::string& path,
                                const std::vector<std::string>& known);
  static const YamlField* Find(const std::vector<YamlField>& fields, std::string_view key);

  // The field `key`, or nullptr after reporting field.required at `parent`
  // when it is missing or null.
  const YamlField* Require(const std::vector<YamlField>& fields, std::string_view key,
                           const yaml::Node& parent, const std::string& parent_path);

  // Shape checks; report field.type ("expected a map") when false.
  bool ExpectMap(const yaml::Node& node, const std::string& path);
  bool ExpectList(const yaml::Node& node, const std::string& path);

  // Typed reads of a scalar. nullopt after reporting field.type for the
  // wrong shape or an unconvertible value; nullopt silently for YAML null.
  std::optional<std::string> String(const yaml::Node& node, const std::string& path);
  std::optional<bool> Bool(const yaml::Node& node, const std::string& path);
  std::optional<double> Number(const yaml::Node& node, const std::string& path);

 private:
  std::vector<ValidationIssue>* issues_;
};

}  // namespace quire::internal
