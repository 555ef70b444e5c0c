// YamlReader: located, typed access to a YAML node tree, and the
// edit-distance suggestions used by the validator.
#include "common/template/internal/template_yaml.h"

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

bool IsLowerAscii(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpperAscii(char c) { return c >= 'A' && c <= 'Z'; }

// yaml-cpp's reading of a boolean (yaml.org/type/bool.html): y/n, yes/no,
// true/false, on/off, written lowercase, UPPERCASE or Capitalized.
std::optional<bool> DecodeBool(const std::string& s) {
  const auto all = [](std::string_view v, bool (*pred)(char)) {
    return std::all_of(v.begin(), v.end(), pred);
  };
  const bool flexible_case =
      s.empty() || all(s, IsLowerAscii) ||
      (IsUpperAscii(s[0]) && (all(std::string_view(s).substr(1), IsLowerAscii) ||
                              all(std::string_view(s).substr(1), IsUpperAscii)));
  if (!flexible_case) return std::nullopt;
  const std::string lower = Lower(s);
  if (lower == "y" || lower == "yes" || lower == "true" || lower == "on") return true;
  if (lower == "n" || lower == "no" || lower == "false" || lower == "off") return false;
  return std::nullopt;
}

const char* ShapeName(const yaml::Node& node) {
  switch (node.Type()) {
    case yaml::NodeType::kMap:
      return "a map";
    case yaml::NodeType::kSequence:
      return "a list";
    case yaml::NodeType::kScalar:
      return "a scalar";
    case yaml::NodeType::kNull:
      return "null";
    case yaml::NodeType::kUndefined:
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
                        const yaml::Node& at, std::string suggestion) {
  ValidationIssue issue;
  issue.severity = severity;
  issue.code = std::move(code);
  issue.message = std::move(message);
  issue.path = std::move(path);
  if (at.IsDefined()) {
    const yaml::Mark mark = at.Mark();
    if (mark.line >= 0) {
      issue.line = mark.line + 1;
      issue.column = mark.column + 1;
    }
  }
  issue.suggestion = std::move(suggestion);
  issues_->push_back(std::move(issue));
}

std::vector<YamlField> YamlReader::Fields(const yaml::Node& map, const std::string& path,
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
                                     const yaml::Node& parent, const std::string& parent_path) {
  const YamlField* f = Find(fields, key);
  if (f != nullptr && !f->value.IsNull()) return f;
  Report(Severity::kError, "field.required", "missing required field '" + std::string(key) + "'",
         JoinPath(parent_path, key), f != nullptr ? f->key_node : parent);
  return nullptr;
}

bool YamlReader::ExpectMap(const yaml::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  Report(Severity::kError, "field.type", std::string("expected a map, found ") + ShapeName(node),
         path, node);
  return false;
}

bool YamlReader::ExpectList(const yaml::Node& node, const std::string& path) {
  if (node.IsSequence()) return true;
  Report(Severity::kError, "field.type", std::string("expected a list, found ") + ShapeName(node),
         path, node);
  return false;
}

std::optional<std::string> YamlReader::String(const yaml::Node& node, const std::string& path) {
  if (node.IsNull()) return std::nullopt;
  if (!node.IsScalar()) {
    Report(Severity::kError, "field.type", std::string("expected text, found ") + ShapeName(node),
           path, node);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<bool> YamlReader::Bool(const yaml::Node& node, const std::string& path) {
  if (node.IsNull()) return std::nullopt;
  std::optional<bool> b;
  if (node.IsScalar()) b = DecodeBool(node.Scalar());
  if (!b) Report(Severity::kError, "field.type", "expected true or false", path, node);
  return b;
}

std::optional<double> YamlReader::Number(const yaml::Node& node, const std::string& path) {
  if (node.IsNull()) return std::nullopt;
  std::optional<double> v;
  if (node.IsScalar()) v = ParseFloat(node.Scalar());
  if (!v) Report(Severity::kError, "field.type", "expected a number", path, node);
  return v;
}

}  // namespace quire::internal
