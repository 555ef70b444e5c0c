// The small pieces of the template model: enum names, issue formatting,
// lookups, placeholder scanning and expansion, inline tables. Parsing lives
// in template_parser.cc, parameter binding in template_params.cc.
#include "common/template.h"

#include <ctime>

namespace quire {
namespace {

// Generic name <-> enum mapping over a names list in enum order.
template <typename Enum>
std::optional<Enum> FromName(const std::vector<std::string>& names, std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

template <typename Enum>
const char* NameOf(const std::vector<std::string>& names, Enum value) {
  const auto i = static_cast<size_t>(value);
  return i < names.size() ? names[i].c_str() : "?";
}

}  // namespace

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
    case Severity::kCritical:
      return "critical";
  }
  return "?";
}

bool HasBlockingIssues(const std::vector<ValidationIssue>& issues) {
  for (const ValidationIssue& i : issues) {
    if (i.severity == Severity::kError || i.severity == Severity::kCritical) return true;
  }
  return false;
}

std::string FormatIssue(const ValidationIssue& issue) {
  std::string out = std::to_string(issue.line) + ":" + std::to_string(issue.column) + ": " +
                    SeverityName(issue.severity) + ": " + issue.message + " [" + issue.code + "]";
  if (!issue.path.empty()) out += " (" + issue.path + ")";
  if (!issue.suggestion.empty()) out += " — " + issue.suggestion;
  return out;
}

const std::vector<std::string>& ParamTypeNames() {
  static const std::vector<std::string> kNames = {"string", "int", "float", "bool", "date", "enum"};
  return kNames;
}
const char* ParamTypeName(ParamType type) { return NameOf(ParamTypeNames(), type); }
std::optional<ParamType> ParamTypeFromName(std::string_view name) {
  return FromName<ParamType>(ParamTypeNames(), name);
}

const std::vector<std::string>& SourceKindNames() {
  static const std::vector<std::string> kNames = {"inline"};
  return kNames;
}
const char* SourceKindName(SourceKind kind) { return NameOf(SourceKindNames(), kind); }
std::optional<SourceKind> SourceKindFromName(std::string_view name) {
  return FromName<SourceKind>(SourceKindNames(), name);
}

const std::vector<std::string>& ChartTypeNames() {
  static const std::vector<std::string> kNames = {"bar", "line", "area", "pie", "scatter"};
  return kNames;
}
const char* ChartTypeName(ChartType type) { return NameOf(ChartTypeNames(), type); }
std::optional<ChartType> ChartTypeFromName(std::string_view name) {
  return FromName<ChartType>(ChartTypeNames(), name);
}
// Add a type here when workers/charts/ learns to draw it.
bool IsChartTypeSupported(ChartType type) { return type == ChartType::kBar; }

const std::vector<std::string>& OutputFormatNames() {
  static const std::vector<std::string> kNames = {"pdf", "xlsx", "png", "svg", "csv", "json"};
  return kNames;
}
const char* OutputFormatName(OutputFormat format) { return NameOf(OutputFormatNames(), format); }
std::optional<OutputFormat> OutputFormatFromName(std::string_view name) {
  return FromName<OutputFormat>(OutputFormatNames(), name);
}

const ParameterSpec* ReportTemplate::FindParameter(std::string_view name) const {
  for (const ParameterSpec& p : parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const SourceSpec* ReportTemplate::FindSource(std::string_view name) const {
  for (const SourceSpec& s : sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

namespace internal {

bool NextPlaceholder(std::string_view text, size_t from, size_t* begin, size_t* end,
                     std::string_view* expression) {
  const size_t open = text.find("{{", from);
  if (open == std::string_view::npos) return false;
  const size_t close = text.find("}}", open + 2);
  if (close == std::string_view::npos) return false;
  std::string_view expr = text.substr(open + 2, close - open - 2);
  while (!expr.empty() && (expr.front() == ' ' || expr.front() == '\t')) expr.remove_prefix(1);
  while (!expr.empty() && (expr.back() == ' ' || expr.back() == '\t')) expr.remove_suffix(1);
  *begin = open;
  *end = close + 2;
  *expression = expr;
  return true;
}

}  // namespace internal

std::string ExpandPlaceholders(const std::string& text, const ParamValues& params) {
  return ExpandPlaceholders(text, params, std::chrono::system_clock::now());
}

std::string ExpandPlaceholders(const std::string& text, const ParamValues& params,
                               std::chrono::system_clock::time_point now) {
  constexpr std::string_view kParamsPrefix = "params.";
  std::string out;
  size_t pos = 0, begin = 0, end = 0;
  std::string_view expr;
  while (internal::NextPlaceholder(text, pos, &begin, &end, &expr)) {
    out.append(text, pos, begin - pos);
    if (expr.substr(0, kParamsPrefix.size()) == kParamsPrefix) {
      auto it = params.find(std::string(expr.substr(kParamsPrefix.size())));
      if (it != params.end()) out += it->second.text;
    } else if (expr == "now") {
      const std::time_t t = std::chrono::system_clock::to_time_t(now);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
      out += buf;
    } else {
      out.append(text, begin, end - begin);
    }
    pos = end;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

ChartSpec ExpandChartText(const ChartSpec& spec, const ParamValues& params,
                          std::chrono::system_clock::time_point now) {
  ChartSpec out = spec;
  out.title = ExpandPlaceholders(spec.title, params, now);
  out.x_axis_title = ExpandPlaceholders(spec.x_axis_title, params, now);
  out.y_axis_title = ExpandPlaceholders(spec.y_axis_title, params, now);
  return out;
}

StatusOr<Table> BuildInlineTable(const SourceSpec& source) {
  if (source.kind != SourceKind::kInline) {
    return Status::InvalidArgument("source '" + source.name + "' is not an inline source");
  }
  Table table;
  for (const ColumnSpec& c : source.columns) {
    if (table.AddColumn(c.name, c.type) == nullptr) {
      return Status::InvalidArgument("source '" + source.name + "': duplicate column '" + c.name +
                                     "'");
    }
  }
  for (size_t r = 0; r < source.rows.size(); ++r) {
    Status s = table.AppendTextRow(source.rows[r]);
    if (!s.ok()) {
      return Status::InvalidArgument("source '" + source.name + "' row " + std::to_string(r) +
                                     ": " + s.message());
    }
  }
  return table;
}

}  // namespace quire
