// ParseTemplate and the top of the template schema: the root fields,
// parameters, placeholders and outputs. Walks the YAML tree once, building
// the ReportTemplate and reporting every finding with its location.
// Parameters and sources are read before sections so that references
// (sources, columns, {{ params.x }}) can be checked as sections are read.
#include "common/template_parser.h"

#include <algorithm>
#include <cctype>

namespace quire {
namespace internal {
namespace {

const std::vector<std::string> kRootFields = {"id",      "title",    "description", "parameters",
                                              "sources", "sections", "outputs"};
const std::vector<std::string> kParameterFields = {"name",   "type", "required", "default",
                                                   "values", "min",  "max",      "description"};

// [a-z0-9][a-z0-9_.-]{0,63}
bool IsValidTemplateId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
  }
  return true;
}

// [A-Za-z_][A-Za-z0-9_]*
bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

ParseResult TemplateParser::Run(const std::string& yaml_text) {
  ParseResult result;
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsMap()) {
      reader_.Report(Severity::kCritical, "template.root",
                     root.IsNull() ? "the template is empty"
                                   : "the template must be a map of fields (id, title, ...)",
                     "", root);
    } else {
      ParseRoot(root);
    }
  } catch (const YAML::ParserException& e) {
    ValidationIssue issue;
    issue.severity = Severity::kCritical;
    issue.code = "yaml.syntax";
    issue.message = "YAML syntax error: " + e.msg;
    if (e.mark.line >= 0) {
      issue.line = e.mark.line + 1;
      issue.column = e.mark.column + 1;
    }
    issues_.push_back(std::move(issue));
  } catch (const std::exception& e) {
    reader_.Report(Severity::kCritical, "template.internal",
                   std::string("could not read the template: ") + e.what(), "", YAML::Node());
  }
  if (!HasBlockingIssues(issues_)) result.tmpl = std::move(tmpl_);
  result.issues = std::move(issues_);
  return result;
}

void TemplateParser::ParseRoot(const YAML::Node& root) {
  const std::vector<YamlField> fields = reader_.Fields(root, "", kRootFields);

  if (const YamlField* f = reader_.Require(fields, "id", root, "")) {
    if (auto id = reader_.String(f->value, "id")) {
      tmpl_.id = *id;
      if (!IsValidTemplateId(*id)) {
        reader_.Report(Severity::kError, "template.id",
                       "template id '" + *id +
                           "' must match [a-z0-9][a-z0-9_.-]{0,63} (lowercase, at most 64 chars)",
                       "id", f->value);
      }
    }
  }
  // Parameters first: the title and sections refer to them.
  if (const YamlField* f = YamlReader::Find(fields, "parameters"); f && !f->value.IsNull()) {
    ParseParameters(f->value, "parameters");
  }
  if (const YamlField* f = reader_.Require(fields, "title", root, "")) {
    if (auto title = reader_.String(f->value, "title")) {
      tmpl_.title = *title;
      CheckPlaceholders(*title, f->value, "title");
    }
  }
  ReadText(fields, "description", "", &tmpl_.description);
  if (const YamlField* f = YamlReader::Find(fields, "sources"); f && !f->value.IsNull()) {
    ParseSources(f->value, "sources");
  }
  if (const YamlField* f = YamlReader::Find(fields, "sections"); f && !f->value.IsNull()) {
    ParseSections(f->value, "sections");
  }
  if (const YamlField* f = YamlReader::Find(fields, "outputs"); f && !f->value.IsNull()) {
    ParseOutputs(f->value, "outputs");
  }
  if (tmpl_.outputs.empty()) tmpl_.outputs.push_back(OutputFormat::kPdf);
}

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

void TemplateParser::CheckPlaceholders(const std::string& text, const YAML::Node& at,
                                       const std::string& path) {
  constexpr std::string_view kParamsPrefix = "params.";
  ForEachPlaceholder(text, [&](std::string_view expr) {
    if (expr.substr(0, kParamsPrefix.size()) == kParamsPrefix) {
      const std::string name(expr.substr(kParamsPrefix.size()));
      if (tmpl_.FindParameter(name) != nullptr) return;
      std::vector<std::string> declared;
      for (const ParameterSpec& p : tmpl_.parameters) declared.push_back(p.name);
      reader_.Report(Severity::kError, "ref.param",
                     "placeholder '{{ " + std::string(expr) +
                         " }}' refers to undeclared parameter '" + name + "'",
                     path, at, SuggestNearest(name, declared));
    } else if (expr != "now") {
      reader_.Report(Severity::kWarning, "ref.placeholder",
                     "unknown placeholder '{{ " + std::string(expr) +
                         " }}' is kept as written (known: params.NAME, now)",
                     path, at);
    }
  });
}

void TemplateParser::ParseParameters(const YAML::Node& node, const std::string& path) {
  if (!reader_.ExpectList(node, path)) return;
  for (size_t i = 0; i < node.size(); ++i) ParseParameter(node[i], IndexPath(path, i));
}

void TemplateParser::ParseParameter(const YAML::Node& node, const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kParameterFields);
  ParameterSpec p;
  bool usable = true;  // false once a problem makes the default unverifiable

  if (const YamlField* f = reader_.Require(fields, "name", node, path)) {
    const std::string name_path = JoinPath(path, "name");
    if (auto name = reader_.String(f->value, name_path)) {
      p.name = *name;
      if (!IsIdentifier(p.name)) {
        reader_.Report(
            Severity::kError, "param.name",
            "parameter name '" + p.name + "' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)",
            name_path, f->value);
      } else if (tmpl_.FindParameter(p.name) != nullptr) {
        reader_.Report(Severity::kError, "param.duplicate",
                       "parameter '" + p.name + "' is declared more than once", name_path,
                       f->value);
        return;
      }
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "type")) {
    const std::string type_path = JoinPath(path, "type");
    if (auto type = reader_.String(f->value, type_path)) {
      if (auto t = ParamTypeFromName(*type)) {
        p.type = *t;
      } else {
        usable = false;
        reader_.Report(Severity::kError, "param.type", "unknown parameter type '" + *type + "'",
                       type_path, f->value, SuggestNearest(*type, ParamTypeNames()));
      }
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "required")) {
    if (auto b = reader_.Bool(f->value, JoinPath(path, "required"))) p.required = *b;
  }
  ReadText(fields, "description", path, &p.description);

  const bool numeric = p.type == ParamType::kInt || p.type == ParamType::kFloat;
  for (const char* bound : {"min", "max"}) {
    const YamlField* f = YamlReader::Find(fields, bound);
    if (f == nullptr) continue;
    const std::string bound_path = JoinPath(path, bound);
    auto v = reader_.Number(f->value, bound_path);
    if (!v) {
      usable = false;
    } else if (!numeric) {
      reader_.Report(
          Severity::kWarning, "param.range",
          std::string(bound) + " is ignored for a parameter of type " + ParamTypeName(p.type),
          bound_path, f->value);
    } else {
      (std::string_view(bound) == "min" ? p.min : p.max) = *v;
    }
  }
  if (p.min && p.max && *p.min > *p.max) {
    usable = false;
    reader_.Report(Severity::kError, "param.range",
                   "min " + FormatDouble(*p.min) + " is above max " + FormatDouble(*p.max),
                   JoinPath(path, "min"), YamlReader::Find(fields, "min")->value);
  }

  const YamlField* values = YamlReader::Find(fields, "values");
  const std::string values_path = JoinPath(path, "values");
  if (values != nullptr && !values->value.IsNull()) {
    if (p.type != ParamType::kEnum) {
      reader_.Report(
          Severity::kWarning, "param.values",
          "values is ignored for a parameter of type " + std::string(ParamTypeName(p.type)),
          values_path, values->value);
    } else if (reader_.ExpectList(values->value, values_path)) {
      for (size_t i = 0; i < values->value.size(); ++i) {
        if (auto v = reader_.String(values->value[i], IndexPath(values_path, i))) {
          p.values.push_back(*v);
        }
      }
    }
  }
  if (p.type == ParamType::kEnum && p.values.empty()) {
    usable = false;
    reader_.Report(Severity::kError, "param.values", "an enum parameter needs a list of values",
                   values_path, values != nullptr ? values->key_node : node);
  }

  if (const YamlField* f = YamlReader::Find(fields, "default"); f && !f->value.IsNull()) {
    const std::string default_path = JoinPath(path, "default");
    if (auto d = reader_.String(f->value, default_path)) {
      p.default_value = *d;
      if (usable) {
        StatusOr<ParamValue> bound = BindParameterValue(p, *d);
        if (!bound.ok()) {
          reader_.Report(Severity::kError, "param.default",
                         "default does not satisfy its own rules: " + bound.status().message(),
                         default_path, f->value);
        }
      }
    }
  }
  tmpl_.parameters.push_back(std::move(p));
}

void TemplateParser::ParseOutputs(const YAML::Node& node, const std::string& path) {
  if (!reader_.ExpectList(node, path)) return;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = IndexPath(path, i);
    auto name = reader_.String(node[i], item_path);
    if (!name) continue;
    auto format = OutputFormatFromName(*name);
    if (!format) {
      reader_.Report(Severity::kError, "output.format", "unknown output format '" + *name + "'",
                     item_path, node[i], SuggestNearest(*name, OutputFormatNames()));
      continue;
    }
    if (std::find(tmpl_.outputs.begin(), tmpl_.outputs.end(), *format) == tmpl_.outputs.end()) {
      tmpl_.outputs.push_back(*format);
    }
  }
}

}  // namespace internal

ParseResult ParseTemplate(const std::string& yaml_text) {
  internal::TemplateParser parser;
  return parser.Run(yaml_text);
}

}  // namespace quire
