// YamlReader: located, typed access to a yaml-cpp tree, and the
// edit-distance suggestions used by the validator.
#include "common/template_yaml.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace quire::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* ShapeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

}  // namespace

std::string JoinPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string IndexPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

size_t EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string SuggestNearest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = Lower(word);
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const size_t dist = EditDistance(w, Lower(c));
    // A typo: up to a third of the candidate's letters (at least 1, at most 3).
    const size_t limit = std::clamp<size_t>(c.size() / 3, 1, 3);
    if (dist <= limit && (best == nullptr || dist < best_distance)) {
      best = &c;
      best_distance = dist;
    }
  }
  return best == nullptr ? "" : "did you mean '" + *best + "'?";
}

void YamlReader::Report(Severity severity, std::string code, std::string message, std::string path,
                        const YAML::Node& at, std::string suggestion) {
  ValidationIssue issue;
  issue.severity = severity;
  issue.code = std::move(code);
  issue.message = std::move(message);
  issue.path = std::move(path);
  if (at.IsDefined()) {
    const YAML::Mark mark = at.Mark();
    if (mark.line >= 0) {
      issue.line = mark.line + 1;
      issue.column = mark.column + 1;
    }
  }
  issue.suggestion = std::move(suggestion);
  issues_->push_back(std::move(issue));
}

std::vector<YamlField> YamlReader::Fields(const YAML::Node& map, const std::string& path,
                                          const std::vector<std::string>& known) {
  std::vector<YamlField> fields;
  std::map<std::string, int> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      Report(Severity::kError, "field.type", "a key must be a plain name", path, it->first);
      continue;
    }
    YamlField f{it->first.Scalar(), it->first, it->second};
    const std::string field_path = JoinPath(path, f.key);
    if (seen[f.key]++ > 0) {
      Report(Severity::kError, "field.duplicate", "field '" + f.key + "' appears more than once",
             field_path, f.key_node);
      continue;
    }
    if (std::find(known.begin(), known.end(), f.key) == known.end()) {
      Report(Severity::kWarning, "field.unknown", "unknown field '" + f.key + "'", field_path,
             f.key_node, SuggestNearest(f.key, known));
      continue;
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

const YamlField* YamlReader::Find(const std::vector<YamlField>& fields, std::string_view key) {
  for (const YamlField& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

const YamlField* YamlReader::Require(const std::vector<YamlField>& fields, std::string_view key,
                                     const YAML::Node& parent, const std::string& parent_path) {
  const YamlField* f = Find(fields, key);
  if (f != nullptr && !f->value.IsNull()) return f;
  Report(Severity::kError, "field.required", "missing required field '" + std::string(key) + "'",
         JoinPath(parent_path, key), f != nullptr ? f->key_node : parent);
  return nullptr;
}

bool YamlReader::ExpectMap(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  Report(Severity::kError, "field.type", std::string("expected a map, found ") + ShapeName(node),
         path, node);
  return false;
}

bool YamlReader::ExpectList(const YAML::Node& node, const std::string& path) {
  if (node.IsSequence()) return true;
  Report(Severity::kError, "field.type", std::string("expected a list, found ") + ShapeName(node),
         path, node);
  return false;
}

std::optional<std::string> YamlReader::String(const YAML::Node& node, const std::string& path) {
  if (node.IsNull()) return std::nullopt;
  if (!node.IsScalar()) {
    Report(Severity::kError, "field.type", std::string("expected text, found ") + ShapeName(node),
           path, node);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<bool> YamlReader::Bool(const YAML::Node& node, const std::string& path) {
  if (node.IsNull()) return std::nullopt;
  bool b = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, b)) {
    Report(Severity::kError, "field.type", "expected true or false", path, node);
    return std::nullopt;
  }
  return b;
}

std::optional<double> YamlReader::Number(const YAML::Node& node, const std::string& path) {
  if (node.IsNull()) return std::nullopt;
  std::optional<double> v;
  if (node.IsScalar()) v = ParseFloat(node.Scalar());
  if (!v) Report(Severity::kError, "field.type", "expected a number", path, node);
  return v;
}

}  // namespace quire::internal
