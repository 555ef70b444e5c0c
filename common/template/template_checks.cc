// TemplateParser: the checks every part of the schema shares — placeholders
// and their filters, expressions, durations, colours, bounded numbers, name
// lists, and references to sources, transforms and columns.
#include <algorithm>
#include <cctype>

#include "common/table/table_format.h"
#include "common/template/expression.h"
#include "common/template/internal/template_parser.h"
#include "common/template/internal/template_placeholders.h"

namespace quire::internal {
namespace {

// "#RRGGBB" -> 0xRRGGBB.
std::optional<uint32_t> ParseColor(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return std::nullopt;
  uint32_t v = 0;
  for (size_t i = 1; i < 7; ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return v;
}

}  // namespace

void TemplateParser::ReadText(const std::vector<YamlField>& fields, std::string_view key,
                              const std::string& parent_path, std::string* out) {
  const YamlField* f = YamlReader::Find(fields, key);
  if (f == nullptr) return;
  const std::string path = JoinPath(parent_path, key);
  if (auto s = reader_.String(f->value, path)) {
    *out = *s;
    CheckPlaceholders(*s, f->value, path);
  }
}

void TemplateParser::CheckPlaceholders(const std::string& text, const yaml::Node& at,
                                       const std::string& path) {
  using Head = Placeholder::Head;
  ForEachPlaceholder(text, [&](std::string_view expr) {
    const std::string shown = "'{{ " + std::string(expr) + " }}'";
    StatusOr<Placeholder> p = ParsePlaceholder(expr);
    if (!p.ok()) {
      reader_.Report(Severity::kWarning, "ref.placeholder",
                     "placeholder " + shown + " is kept as written: " + p.status().message(), path,
                     at);
      return;
    }
    const Dataset* data = nullptr;
    switch (p->head) {
      case Head::kNow:
        break;
      case Head::kGroup:
        if (!in_for_each_) {
          reader_.Report(Severity::kError, "ref.group",
                         "placeholder " + shown + " is only meaningful inside a for_each block",
                         path, at);
        }
        break;
      case Head::kParam:
        if (tmpl_.FindParameter(p->name) == nullptr) {
          std::vector<std::string> declared;
          for (const ParameterSpec& param : tmpl_.parameters) declared.push_back(param.name);
          reader_.Report(
              Severity::kError, "ref.param",
              "placeholder " + shown + " refers to undeclared parameter '" + p->name + "'", path,
              at, SuggestNearest(p->name, declared));
        }
        break;
      case Head::kData:
        data = FindDataset(p->name);
        if (data == nullptr) {
          std::vector<std::string> names;
          for (const Dataset& d : datasets_) names.push_back(d.name);
          reader_.Report(Severity::kError, "ref.source",
                         "placeholder " + shown + " refers to unknown source '" + p->name + "'",
                         path, at, SuggestNearest(p->name, names));
        } else {
          ResolveColumn(*data, p->column, at, path);
        }
        break;
    }
    for (size_t i = 0; i < p->filters.size(); ++i) {
      const PlaceholderFilter& f = p->filters[i];
      const std::string where = "placeholder " + shown + ": filter '" + f.name + "'";
      const bool aggregate = AggregateFunctionFromName(f.name).has_value();
      const auto& names = PlaceholderFilterNames();
      if (std::find(names.begin(), names.end(), f.name) == names.end()) {
        reader_.Report(Severity::kError, "placeholder.filter",
                       "placeholder " + shown + ": unknown filter '" + f.name + "'", path, at,
                       SuggestNearest(f.name, names));
      } else if (aggregate && (i != 0 || p->head != Head::kData)) {
        reader_.Report(Severity::kError, "placeholder.filter",
                       where + " aggregates a column: it must come first, after SOURCE.COLUMN",
                       path, at);
      } else if ((f.name == "date" || f.name == "number" || f.name == "default") && !f.arg) {
        reader_.Report(Severity::kError, "placeholder.filter", where + " needs an argument", path,
                       at,
                       "e.g. " + f.name +
                           (f.name == "date"     ? "(\"%B %Y\")"
                            : f.name == "number" ? "(\"#,##0.0\")"
                                                 : "(\"n/a\")"));
      } else if (f.name == "date" && !CheckDateFormat(*f.arg).ok()) {
        reader_.Report(Severity::kError, "placeholder.filter",
                       where + ": " + CheckDateFormat(*f.arg).message(), path, at);
      } else if (f.name == "number" && !ParseNumberFormat(*f.arg).ok()) {
        reader_.Report(Severity::kError, "placeholder.filter",
                       where + ": " + ParseNumberFormat(*f.arg).status().message(), path, at);
      } else if (f.arg && f.name != "date" && f.name != "number" && f.name != "default") {
        reader_.Report(Severity::kError, "placeholder.filter", where + " takes no argument", path,
                       at);
      }
    }
  });
}

bool TemplateParser::CheckExpression(const std::string& text, const yaml::Node& at,
                                     const std::string& path, const Dataset* columns,
                                     std::optional<ColumnType>* type) {
  StatusOr<Expression> e = Expression::Parse(text);
  if (!e.ok()) {
    reader_.Report(Severity::kError, "expr.syntax",
                   "expression '" + text + "': " + e.status().message(), path, at);
    return false;
  }
  bool ok = true;
  for (const std::string& name : e->params()) {
    if (tmpl_.FindParameter(name) != nullptr) continue;
    std::vector<std::string> declared;
    for (const ParameterSpec& p : tmpl_.parameters) declared.push_back(p.name);
    reader_.Report(Severity::kError, "ref.param",
                   "expression refers to undeclared parameter '" + name + "'", path, at,
                   SuggestNearest(name, declared));
    ok = false;
  }
  for (const std::string& name : e->columns()) {
    if (columns == nullptr) {
      reader_.Report(Severity::kError, "expr.column",
                     "this expression can refer only to params.NAME, not to column '" + name + "'",
                     path, at, "did you mean 'params." + name + "'?");
      ok = false;
    } else if (!ResolveColumn(*columns, name, at, path)) {
      ok = false;
    }
  }
  if (ok && type != nullptr) {
    *type = e->ResultType([&](const std::string& name) -> std::optional<ColumnType> {
      const ColumnSpec* c = columns == nullptr ? nullptr : columns->Find(name);
      if (c == nullptr) return std::nullopt;
      return c->type;
    });
  }
  return ok;
}

std::optional<std::chrono::milliseconds> TemplateParser::ReadDuration(const YamlField& f,
                                                                      const std::string& path) {
  auto text = reader_.String(f.value, path);
  if (!text) return std::nullopt;
  auto d = ParseDuration(*text);
  if (!d) {
    reader_.Report(Severity::kError, "duration.format",
                   "'" + *text + "' is not a duration (a positive whole number and ms, s, m or h)",
                   path, f.value, "e.g. 90s or 5m");
    return std::nullopt;
  }
  if (*d > std::chrono::hours(24)) {
    reader_.Report(Severity::kError, "field.range", "'" + *text + "' is longer than 24h", path,
                   f.value);
    return std::nullopt;
  }
  return d;
}

std::vector<uint32_t> TemplateParser::ReadColors(const yaml::Node& node, const std::string& path) {
  std::vector<uint32_t> colors;
  if (!reader_.ExpectList(node, path)) return colors;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string p = IndexPath(path, i);
    auto s = reader_.String(node[i], p);
    if (!s) continue;
    if (auto c = ParseColor(*s)) {
      colors.push_back(*c);
    } else {
      reader_.Report(Severity::kError, "color.format",
                     "'" + *s + "' is not a colour; write \"#RRGGBB\" (quoted: # starts a comment)",
                     p, node[i]);
    }
  }
  return colors;
}

std::optional<double> TemplateParser::ReadNumberIn(const YamlField& f, const std::string& path,
                                                   double lo, double hi, const std::string& unit) {
  auto v = reader_.Number(f.value, path);
  if (!v) return std::nullopt;
  if (*v < lo || *v > hi) {
    reader_.Report(Severity::kError, "field.range",
                   f.key + " must be between " + FormatDouble(lo) + " and " + FormatDouble(hi) +
                       unit + ", not " + FormatDouble(*v),
                   path, f.value);
    return std::nullopt;
  }
  return v;
}

std::vector<std::pair<std::string, yaml::Node>> TemplateParser::ReadNames(
    const yaml::Node& node, const std::string& path, std::vector<std::string>* paths) {
  std::vector<std::pair<std::string, yaml::Node>> out;
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string p = IndexPath(path, i);
      if (auto s = reader_.String(node[i], p)) {
        out.emplace_back(*s, node[i]);
        paths->push_back(p);
      }
    }
  } else if (auto s = reader_.String(node, path)) {
    out.emplace_back(*s, node);
    paths->push_back(path);
  }
  return out;
}

const TemplateParser::Dataset* TemplateParser::FindDataset(std::string_view name) const {
  for (const Dataset& d : datasets_) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

const ColumnSpec* TemplateParser::Dataset::Find(std::string_view column) const {
  for (const ColumnSpec& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

std::vector<std::string> TemplateParser::Dataset::ColumnNames() const {
  std::vector<std::string> names;
  for (const ColumnSpec& c : columns) names.push_back(c.name);
  return names;
}

bool TemplateParser::ClaimDatasetName(const std::string& name, const yaml::Node& at,
                                      const std::string& path) {
  const Dataset* other = FindDataset(name);
  if (other == nullptr) return true;
  reader_.Report(Severity::kError, "name.duplicate",
                 "'" + name + "' is already the name of a " +
                     (other->is_transform ? "transform" : "source") +
                     "; sources and transforms share one namespace",
                 path, at);
  return false;
}

const TemplateParser::Dataset* TemplateParser::ResolveDataset(const YamlField& f,
                                                              const std::string& path) {
  auto name = reader_.String(f.value, path);
  if (!name) return nullptr;
  const Dataset* d = FindDataset(*name);
  if (d == nullptr) {
    std::vector<std::string> names;
    for (const Dataset& other : datasets_) names.push_back(other.name);
    reader_.Report(Severity::kError, "ref.source", "unknown source or transform '" + *name + "'",
                   path, f.value, SuggestNearest(*name, names));
  }
  return d;
}

bool TemplateParser::ResolveColumn(const Dataset& dataset, const std::string& name,
                                   const yaml::Node& at, const std::string& path) {
  if (!dataset.known || dataset.Find(name) != nullptr) return true;
  reader_.Report(Severity::kError, "ref.column",
                 std::string(dataset.is_transform ? "transform" : "source") + " '" + dataset.name +
                     "' has no column '" + name + "'",
                 path, at, SuggestNearest(name, dataset.ColumnNames()));
  return false;
}

}  // namespace quire::internal
