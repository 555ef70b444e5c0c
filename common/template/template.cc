// The small pieces of the template model: enum names, issue formatting,
// lookups, durations, aggregates, inline and fallback tables. Parsing lives
// in template_parser.cc, parameter binding in template_params.cc,
// placeholders in template_placeholders.cc.
#include "common/template/template.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

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
  static const std::vector<std::string> kNames = {"string", "int",      "float", "bool",
                                                  "date",   "datetime", "enum",  "list"};
  return kNames;
}
const char* ParamTypeName(ParamType type) { return NameOf(ParamTypeNames(), type); }
std::optional<ParamType> ParamTypeFromName(std::string_view name) {
  return FromName<ParamType>(ParamTypeNames(), name);
}

const std::vector<std::string>& SourceKindNames() {
  static const std::vector<std::string> kNames = {"inline", "postgres", "csv", "json", "http"};
  return kNames;
}
const char* SourceKindName(SourceKind kind) { return NameOf(SourceKindNames(), kind); }
std::optional<SourceKind> SourceKindFromName(std::string_view name) {
  return FromName<SourceKind>(SourceKindNames(), name);
}

const std::vector<std::string>& ChartTypeNames() {
  static const std::vector<std::string> kNames = {"bar", "line",    "area",
                                                  "pie", "scatter", "histogram"};
  return kNames;
}
const char* ChartTypeName(ChartType type) { return NameOf(ChartTypeNames(), type); }
std::optional<ChartType> ChartTypeFromName(std::string_view name) {
  return FromName<ChartType>(ChartTypeNames(), name);
}
// Add a type here when report/charts/ learns to draw it.
bool IsChartTypeSupported(ChartType type) {
  switch (type) {
    case ChartType::kBar:
    case ChartType::kLine:
    case ChartType::kArea:
    case ChartType::kPie:
    case ChartType::kScatter:
    case ChartType::kHistogram:
      return true;
  }
  return false;
}

const std::vector<std::string>& LegendPositionNames() {
  static const std::vector<std::string> kNames = {"bottom", "right", "top"};
  return kNames;
}
const char* LegendPositionName(LegendPosition position) {
  return NameOf(LegendPositionNames(), position);
}
std::optional<LegendPosition> LegendPositionFromName(std::string_view name) {
  return FromName<LegendPosition>(LegendPositionNames(), name);
}

const std::vector<std::string>& PageSizeNames() {
  static const std::vector<std::string> kNames = {"A4", "Letter"};
  return kNames;
}
const char* PageSizeName(PageSize size) { return NameOf(PageSizeNames(), size); }
std::optional<PageSize> PageSizeFromName(std::string_view name) {
  return FromName<PageSize>(PageSizeNames(), name);
}

const std::vector<std::string>& PageOrientationNames() {
  static const std::vector<std::string> kNames = {"portrait", "landscape"};
  return kNames;
}
const char* PageOrientationName(PageOrientation o) { return NameOf(PageOrientationNames(), o); }
std::optional<PageOrientation> PageOrientationFromName(std::string_view name) {
  return FromName<PageOrientation>(PageOrientationNames(), name);
}

const std::vector<std::string>& AggregateFunctionNames() {
  static const std::vector<std::string> kNames = {"sum", "count",  "avg", "min",
                                                  "max", "median", "p95", "count_distinct"};
  return kNames;
}
const char* AggregateFunctionName(AggregateFunction f) {
  return NameOf(AggregateFunctionNames(), f);
}
std::optional<AggregateFunction> AggregateFunctionFromName(std::string_view name) {
  return FromName<AggregateFunction>(AggregateFunctionNames(), name);
}

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

const TransformSpec* ReportTemplate::FindTransform(std::string_view name) const {
  for (const TransformSpec& t : transforms) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  const int64_t n = *ParseInt(text.substr(0, digits));
  const std::string_view unit = text.substr(digits);
  int64_t ms_per_unit = 0;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m") {
    ms_per_unit = 60 * 1000;
  } else if (unit == "h") {
    ms_per_unit = 3600 * 1000;
  } else {
    return std::nullopt;
  }
  if (n <= 0) return std::nullopt;
  return std::chrono::milliseconds(n * ms_per_unit);
}

double AggregateColumn(const Column& column, AggregateFunction f) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (f == AggregateFunction::kCount || f == AggregateFunction::kCountDistinct) {
    std::set<std::string> distinct;
    size_t n = 0;
    for (size_t r = 0; r < column.size(); ++r) {
      if (column.IsNull(r)) continue;
      ++n;
      if (f == AggregateFunction::kCountDistinct) distinct.insert(column.AsString(r));
    }
    return static_cast<double>(f == AggregateFunction::kCount ? n : distinct.size());
  }
  std::vector<double> v;
  for (size_t r = 0; r < column.size(); ++r) {
    const double d = column.AsDouble(r);
    if (std::isfinite(d)) v.push_back(d);
  }
  if (v.empty()) return nan;
  switch (f) {
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg: {
      double sum = 0;
      for (double d : v) sum += d;
      return f == AggregateFunction::kSum ? sum : sum / static_cast<double>(v.size());
    }
    case AggregateFunction::kMin:
      return *std::min_element(v.begin(), v.end());
    case AggregateFunction::kMax:
      return *std::max_element(v.begin(), v.end());
    case AggregateFunction::kMedian:
    case AggregateFunction::kP95: {
      // Linear interpolation between the closest ranks.
      std::sort(v.begin(), v.end());
      const double q = f == AggregateFunction::kMedian ? 0.5 : 0.95;
      const double pos = q * static_cast<double>(v.size() - 1);
      const auto lo = static_cast<size_t>(std::floor(pos));
      const size_t hi = std::min(lo + 1, v.size() - 1);
      return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
    }
    case AggregateFunction::kCount:
    case AggregateFunction::kCountDistinct:
      break;
  }
  return nan;
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

StatusOr<std::optional<Table>> BuildLocalTable(const ReportTemplate& tmpl,
                                               const SourceSpec& source) {
  if (source.kind == SourceKind::kInline) {
    StatusOr<Table> table = BuildInlineTable(source);
    if (!table.ok()) return table.status();
    return std::optional<Table>(std::move(table).value());
  }
  if (!source.fallback.empty()) {
    const SourceSpec* fallback = tmpl.FindSource(source.fallback);
    if (fallback == nullptr || fallback->kind != SourceKind::kInline) {
      return Status::FailedPrecondition("source '" + source.name + "': fallback '" +
                                        source.fallback + "' is not an inline source");
    }
    StatusOr<Table> table = BuildInlineTable(*fallback);
    if (!table.ok()) return table.status();
    return std::optional<Table>(std::move(table).value());
  }
  if (source.optional) return std::optional<Table>();
  return Status::FailedPrecondition("source '" + source.name + "': source kind '" +
                                    SourceKindName(source.kind) +
                                    "' is not available yet (declare a fallback inline source "
                                    "or mark it optional)");
}

}  // namespace quire
