// ParseTemplate and the top of the template schema: the root fields, the
// header (page, theme, timeouts), parameters and outputs. The checks every
// part shares (placeholders, expressions, durations, colours, references)
// are in template_checks.cc.
// Walks the YAML tree once, building the ReportTemplate and reporting every
// finding with its location. Parameters, then sources, then transforms are
// read before sections so that references can be checked as sections are
// read.
#include "common/template/internal/template_parser.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>

namespace quire {
namespace internal {
namespace {

const std::vector<std::string> kRootFields = {
    "id",       "version",      "title",      "description", "owner",      "page",     "theme",
    "timeouts", "max_attempts", "parameters", "sources",     "transforms", "sections", "outputs"};
const std::vector<std::string> kParameterFields = {"name",    "type",       "items", "required",
                                                   "default", "values",     "min",   "max",
                                                   "pattern", "description"};
const std::vector<std::string> kPageFields = {"size", "orientation", "margins"};
const std::vector<std::string> kMarginFields = {"top", "right", "bottom", "left"};
const std::vector<std::string> kThemeFields = {"palette", "font", "font_size", "image_dpi"};
const std::vector<std::string> kTimeoutFields = {"validate", "collect", "charts", "render",
                                                 "finalize"};
constexpr double kMaxMargin = 200;   // pt
constexpr size_t kMaxPattern = 200;  // chars of a parameter's regex

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

void TemplateParser::ParseDocument(const std::string& yaml_text, const char* what,
                                   const std::function<void(const yaml::Node&)>& parse_root) {
  try {
    const yaml::Document doc = yaml::Document::Parse(yaml_text);
    const yaml::Node root = doc.root();
    if (const auto& error = doc.error()) {
      ValidationIssue issue;
      issue.severity = Severity::kCritical;
      issue.code = "yaml.syntax";
      issue.message = "YAML syntax error: " + error->message;
      if (error->mark.line >= 0) {
        issue.line = error->mark.line + 1;
        issue.column = error->mark.column + 1;
      }
      issues_.push_back(std::move(issue));
    } else if (!root.IsMap()) {
      reader_.Report(Severity::kCritical, "template.root",
                     root.IsNull() ? std::string("the ") + what + " is empty"
                                   : std::string("the ") + what + " must be a map of fields",
                     "", root);
    } else {
      parse_root(root);
    }
  } catch (const std::exception& e) {
    reader_.Report(Severity::kCritical, "template.internal",
                   std::string("could not read the ") + what + ": " + e.what(), "", yaml::Node());
  }
}

ParseResult TemplateParser::Run(const std::string& yaml_text) {
  ParseDocument(yaml_text, "template (id, title, ...)",
                [this](const yaml::Node& root) { ParseRoot(root); });
  ParseResult result;
  if (!HasBlockingIssues(issues_)) result.tmpl = std::move(tmpl_);
  result.issues = std::move(issues_);
  return result;
}

ChartParseResult TemplateParser::RunChart(const std::string& yaml_text,
                                          const std::vector<ColumnSpec>& columns) {
  Dataset& data = datasets_.emplace_back();
  data.name = kChartDataName;
  data.known = true;
  data.columns = columns;
  default_chart_source_ = kChartDataName;
  ChartParseResult result;
  ParseDocument(yaml_text, "chart (type, x, y, ...)",
                [&](const yaml::Node& root) { result.chart = ParseChartSection(root, ""); });
  if (HasBlockingIssues(issues_)) result.chart.reset();
  result.issues = std::move(issues_);
  return result;
}

void TemplateParser::ParseRoot(const yaml::Node& root) {
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
  if (const YamlField* f = YamlReader::Find(fields, "version")) {
    reader_.Report(Severity::kWarning, "field.ignored",
                   "version is assigned by the store; the written value is ignored", "version",
                   f->key_node, "remove 'version'");
  }
  // Parameters first: everything else may refer to them.
  if (const YamlField* f = YamlReader::Find(fields, "parameters"); f && !f->value.IsNull()) {
    ParseParameters(f->value, "parameters");
  }
  const YamlField* title = reader_.Require(fields, "title", root, "");
  if (title != nullptr) {
    if (auto t = reader_.String(title->value, "title")) tmpl_.title = *t;
  }
  ReadText(fields, "description", "", &tmpl_.description);
  if (const YamlField* f = YamlReader::Find(fields, "owner")) {
    if (auto owner = reader_.String(f->value, "owner")) tmpl_.owner = *owner;
  }
  if (const YamlField* f = YamlReader::Find(fields, "page"); f && !f->value.IsNull()) {
    ParsePage(f->value, "page");
  }
  if (const YamlField* f = YamlReader::Find(fields, "theme"); f && !f->value.IsNull()) {
    ParseTheme(f->value, "theme");
  }
  if (const YamlField* f = YamlReader::Find(fields, "timeouts"); f && !f->value.IsNull()) {
    ParseTimeouts(f->value, "timeouts");
  }
  if (const YamlField* f = YamlReader::Find(fields, "max_attempts")) {
    if (auto v = ReadNumberIn(*f, "max_attempts", 1, kMaxAttempts, " attempts")) {
      if (*v != static_cast<int>(*v)) {
        reader_.Report(Severity::kError, "field.range", "max_attempts must be a whole number",
                       "max_attempts", f->value);
      } else {
        tmpl_.max_attempts = static_cast<int>(*v);
      }
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "sources"); f && !f->value.IsNull()) {
    ParseSources(f->value, "sources");
  }
  if (const YamlField* f = YamlReader::Find(fields, "transforms"); f && !f->value.IsNull()) {
    ParseTransforms(f->value, "transforms");
  }
  // The title may show data ({{ sales.total }}): checked once sources exist.
  if (title != nullptr && title->value.IsScalar()) {
    CheckPlaceholders(tmpl_.title, title->value, "title");
  }
  if (const YamlField* f = YamlReader::Find(fields, "sections"); f && !f->value.IsNull()) {
    ParseSections(f->value, "sections", &tmpl_.sections);
    if (section_count_ > TemplateLimits::kMaxSections) {
      reader_.Report(Severity::kError, "limit.sections",
                     "the template has " + std::to_string(section_count_) +
                         " sections (nested ones included); at most " +
                         std::to_string(TemplateLimits::kMaxSections) + " are allowed",
                     "sections", f->key_node, "split the report into several templates");
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "outputs"); f && !f->value.IsNull()) {
    ParseOutputs(f->value, "outputs");
  }
  if (tmpl_.outputs.empty()) tmpl_.outputs.push_back(OutputFormat::kPdf);
}

void TemplateParser::ParsePage(const yaml::Node& node, const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kPageFields);
  PageSetup& page = tmpl_.page;
  if (const YamlField* f = YamlReader::Find(fields, "size")) {
    const std::string p = JoinPath(path, "size");
    if (auto s = reader_.String(f->value, p)) {
      if (auto size = PageSizeFromName(*s)) {
        page.size = *size;
      } else {
        reader_.Report(Severity::kError, "page.size", "unknown page size '" + *s + "' (A4, Letter)",
                       p, f->value, SuggestNearest(*s, PageSizeNames()));
      }
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "orientation")) {
    const std::string p = JoinPath(path, "orientation");
    if (auto s = reader_.String(f->value, p)) {
      if (auto o = PageOrientationFromName(*s)) {
        page.orientation = *o;
      } else {
        reader_.Report(Severity::kError, "page.orientation",
                       "unknown orientation '" + *s + "' (portrait, landscape)", p, f->value,
                       SuggestNearest(*s, PageOrientationNames()));
      }
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "margins"); f && !f->value.IsNull()) {
    const std::string p = JoinPath(path, "margins");
    if (!reader_.ExpectMap(f->value, p)) return;
    double* targets[] = {&page.margin_top, &page.margin_right, &page.margin_bottom,
                         &page.margin_left};
    const std::vector<YamlField> margins = reader_.Fields(f->value, p, kMarginFields);
    for (size_t i = 0; i < kMarginFields.size(); ++i) {
      const YamlField* m = YamlReader::Find(margins, kMarginFields[i]);
      if (m == nullptr) continue;
      if (auto v = ReadNumberIn(*m, JoinPath(p, kMarginFields[i]), 0, kMaxMargin, " pt")) {
        *targets[i] = *v;
      }
    }
  }
}

void TemplateParser::ParseTheme(const yaml::Node& node, const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kThemeFields);
  if (const YamlField* f = YamlReader::Find(fields, "palette"); f && !f->value.IsNull()) {
    tmpl_.theme.palette = ReadColors(f->value, JoinPath(path, "palette"));
  }
  if (const YamlField* f = YamlReader::Find(fields, "font")) {
    const std::string p = JoinPath(path, "font");
    if (auto font = reader_.String(f->value, p)) {
      if (font->empty()) {
        reader_.Report(Severity::kError, "field.range", "font needs a family name", p, f->value);
      } else {
        tmpl_.theme.font = *font;
      }
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "font_size")) {
    if (auto v = ReadNumberIn(*f, JoinPath(path, "font_size"), 6, 72, " pt")) {
      tmpl_.theme.font_size = *v;
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "image_dpi")) {
    if (auto v = ReadNumberIn(*f, JoinPath(path, "image_dpi"), 18, 1200, " dpi")) {
      tmpl_.theme.image_dpi = *v;
    }
  }
}

void TemplateParser::ParseTimeouts(const yaml::Node& node, const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kTimeoutFields);
  StageTimeouts& t = tmpl_.timeouts;
  std::optional<std::chrono::milliseconds>* targets[] = {&t.validate, &t.collect, &t.charts,
                                                         &t.render, &t.finalize};
  for (size_t i = 0; i < kTimeoutFields.size(); ++i) {
    const YamlField* f = YamlReader::Find(fields, kTimeoutFields[i]);
    if (f != nullptr) *targets[i] = ReadDuration(*f, JoinPath(path, kTimeoutFields[i]));
  }
}

// ---------------------------------------------------------------------------
// Parameters and outputs

void TemplateParser::ParseParameters(const yaml::Node& node, const std::string& path) {
  if (!reader_.ExpectList(node, path)) return;
  for (size_t i = 0; i < node.size(); ++i) ParseParameter(node[i], IndexPath(path, i));
}

void TemplateParser::ParseParameter(const yaml::Node& node, const std::string& path) {
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
  const auto read_type = [&](const yaml::Node& value, const std::string& type_path,
                             ParamType* out) {
    auto type = reader_.String(value, type_path);
    if (!type) return false;
    if (auto t = ParamTypeFromName(*type)) {
      *out = *t;
      return true;
    }
    reader_.Report(Severity::kError, "param.type", "unknown parameter type '" + *type + "'",
                   type_path, value, SuggestNearest(*type, ParamTypeNames()));
    return false;
  };
  if (const YamlField* f = YamlReader::Find(fields, "type")) {
    usable = read_type(f->value, JoinPath(path, "type"), &p.type) && usable;
  }
  // items: int   or   items: {type: enum, values: [...]}
  const YamlField* items = YamlReader::Find(fields, "items");
  const std::string items_path = JoinPath(path, "items");
  yaml::Node item_values;  // values: given inside items
  bool values_in_items = false;
  if (p.type == ParamType::kList) {
    if (items == nullptr || items->value.IsNull()) {
      usable = false;
      reader_.Report(Severity::kError, "param.items",
                     "a list parameter needs 'items': the type of each item", items_path,
                     items != nullptr ? items->key_node : node, "e.g. items: int");
    } else if (items->value.IsMap()) {
      const std::vector<YamlField> item_fields =
          reader_.Fields(items->value, items_path, {"type", "values"});
      if (const YamlField* t = reader_.Require(item_fields, "type", items->value, items_path)) {
        usable = read_type(t->value, JoinPath(items_path, "type"), &p.item_type) && usable;
      }
      if (const YamlField* v = YamlReader::Find(item_fields, "values")) {
        item_values = v->value;
        values_in_items = true;
      }
    } else {
      usable = read_type(items->value, items_path, &p.item_type) && usable;
    }
    if (usable && p.item_type == ParamType::kList) {
      usable = false;
      reader_.Report(Severity::kError, "param.items", "a list cannot hold lists", items_path,
                     items->value);
    }
  } else if (items != nullptr) {
    reader_.Report(Severity::kWarning, "field.ignored",
                   "items is ignored for a parameter of type " + std::string(ParamTypeName(p.type)),
                   items_path, items->key_node);
  }
  // The rules below apply to the items of a list.
  const ParamType rule_type = p.type == ParamType::kList ? p.item_type : p.type;
  if (const YamlField* f = YamlReader::Find(fields, "required")) {
    if (auto b = reader_.Bool(f->value, JoinPath(path, "required"))) p.required = *b;
  }
  ReadText(fields, "description", path, &p.description);

  const bool numeric = rule_type == ParamType::kInt || rule_type == ParamType::kFloat;
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
  if (const YamlField* f = YamlReader::Find(fields, "pattern")) {
    const std::string pattern_path = JoinPath(path, "pattern");
    if (auto pattern = reader_.String(f->value, pattern_path)) {
      if (rule_type != ParamType::kString) {
        reader_.Report(
            Severity::kWarning, "param.pattern",
            "pattern is ignored for a parameter of type " + std::string(ParamTypeName(p.type)),
            pattern_path, f->value);
      } else if (pattern->size() > kMaxPattern) {
        usable = false;
        reader_.Report(Severity::kError, "param.pattern",
                       "pattern is " + std::to_string(pattern->size()) + " characters; at most " +
                           std::to_string(kMaxPattern) + " are allowed",
                       pattern_path, f->value);
      } else {
        try {
          std::regex compiled(*pattern, std::regex::ECMAScript);
          p.pattern = *pattern;
        } catch (const std::regex_error& e) {
          usable = false;
          reader_.Report(
              Severity::kError, "param.pattern",
              "pattern '" + *pattern + "' is not a valid regular expression: " + e.what(),
              pattern_path, f->value);
        }
      }
    }
  }

  const YamlField* values = YamlReader::Find(fields, "values");
  const std::string values_path = JoinPath(path, "values");
  const bool from_items = values == nullptr && values_in_items;
  const yaml::Node values_node = values != nullptr ? values->value : item_values;
  const std::string values_at = from_items ? JoinPath(items_path, "values") : values_path;
  if ((values != nullptr || from_items) && !values_node.IsNull()) {
    if (rule_type != ParamType::kEnum) {
      reader_.Report(
          Severity::kWarning, "param.values",
          "values is ignored for a parameter of type " + std::string(ParamTypeName(p.type)),
          values_at, values_node);
    } else if (reader_.ExpectList(values_node, values_at)) {
      for (size_t i = 0; i < values_node.size(); ++i) {
        if (auto v = reader_.String(values_node[i], IndexPath(values_at, i))) {
          p.values.push_back(*v);
        }
      }
    }
  }
  if (rule_type == ParamType::kEnum && p.values.empty()) {
    usable = false;
    reader_.Report(Severity::kError, "param.values", "an enum parameter needs a list of values",
                   values_at, values != nullptr ? values->key_node : node);
  }

  if (const YamlField* f = YamlReader::Find(fields, "default"); f && !f->value.IsNull()) {
    const std::string default_path = JoinPath(path, "default");
    std::optional<std::string> d;
    if (p.type == ParamType::kList && f->value.IsSequence()) {
      // default: [a, b] for a list, same as "a, b".
      std::string joined;
      for (size_t i = 0; i < f->value.size(); ++i) {
        auto item = reader_.String(f->value[i], IndexPath(default_path, i));
        if (!item) continue;
        joined += (joined.empty() ? "" : ",") + *item;
      }
      d = joined;
    } else {
      d = reader_.String(f->value, default_path);
    }
    if (d) {
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

void TemplateParser::ParseOutputs(const yaml::Node& node, const std::string& path) {
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

ChartParseResult ParseChart(const std::string& yaml_text, const std::vector<ColumnSpec>& columns) {
  internal::TemplateParser parser;
  return parser.RunChart(yaml_text, columns);
}

}  // namespace quire
