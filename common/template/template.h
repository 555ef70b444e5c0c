// The report template model: what a template declares (parameters, data
// sources, sections, outputs), the parser/validator that builds it from YAML
// with located findings, and the functions that bind submitted parameter
// values and expand {{ ... }} placeholders.
//
// Pure model: no rendering, no data fetching beyond inline sources, no I/O.
// Nothing here throws; std::regex exceptions are caught inside.
// The schema walker is spread over template_parser.cc (root, header,
// parameters), template_checks.cc, template_sources.cc, template_transforms.cc,
// template_sections.cc and template_charts.cc; expressions live in
// template_expr.cc, placeholders in template_placeholders.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"

namespace quire {

// ---------------------------------------------------------------------------
// Findings of the validator. Numbering matches quire.v1.Severity.

enum class Severity { kInfo = 1, kWarning = 2, kError = 3, kCritical = 4 };

// "info", "warning", "error", "critical".
const char* SeverityName(Severity severity);

struct ValidationIssue {
  Severity severity = Severity::kError;
  std::string code;        // stable, e.g. "field.unknown"
  std::string message;     // for a person
  std::string path;        // e.g. "sections[3].chart.y[1]"; empty for the document
  int line = 0;            // 1-based; 0 when unknown
  int column = 0;          // 1-based; 0 when unknown
  std::string suggestion;  // e.g. "did you mean 'title'?"; may be empty
};

// True when any issue is kError or kCritical.
bool HasBlockingIssues(const std::vector<ValidationIssue>& issues);
// "LINE:COL: error: message [code] (path)", plus " — suggestion" when there
// is one; the "(path)" part is left out for an empty path.
std::string FormatIssue(const ValidationIssue& issue);

// ---------------------------------------------------------------------------
// The template model.

// Each enum below has a Name function, a FromName inverse (nullopt for an
// unknown name) and a Names list of every valid name in enum order, which the
// validator uses for suggestions.

enum class ParamType { kString, kInt, kFloat, kBool, kDate, kDatetime, kEnum, kList };
const char* ParamTypeName(ParamType type);  // "string", "int", ...
std::optional<ParamType> ParamTypeFromName(std::string_view name);
const std::vector<std::string>& ParamTypeNames();

struct ParameterSpec {
  std::string name;
  ParamType type = ParamType::kString;
  // kList: the type of each item (never kList). Submitted as "a,b,c".
  ParamType item_type = ParamType::kString;
  bool required = false;
  std::optional<std::string> default_value;  // as written in the template
  std::vector<std::string> values;           // the choices of a kEnum (or list of enum)
  std::optional<double> min;                 // kInt/kFloat (or lists of them)
  std::optional<double> max;
  std::string pattern;  // kString (or list of string): ECMAScript regex for the whole value
  std::string description;
};

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kText;
};

enum class PageSize { kA4, kLetter };
const char* PageSizeName(PageSize size);  // "A4", "Letter"
std::optional<PageSize> PageSizeFromName(std::string_view name);
const std::vector<std::string>& PageSizeNames();

enum class PageOrientation { kPortrait, kLandscape };
const char* PageOrientationName(PageOrientation orientation);
std::optional<PageOrientation> PageOrientationFromName(std::string_view name);
const std::vector<std::string>& PageOrientationNames();

struct PageSetup {
  PageSize size = PageSize::kA4;
  PageOrientation orientation = PageOrientation::kPortrait;
  double margin_top = 50;  // pt
  double margin_right = 50;
  double margin_bottom = 50;
  double margin_left = 50;
};

struct Theme {
  std::vector<uint32_t> palette;  // 0xRRGGBB series colours; empty: the built-in one
  std::string font = "DejaVu Sans";
  double font_size = 10;   // pt, body text
  double image_dpi = 144;  // resolution of the job's PNG chart images
};

// Per-stage time limits; nullopt keeps the worker's default.
struct StageTimeouts {
  std::optional<std::chrono::milliseconds> validate;
  std::optional<std::chrono::milliseconds> collect;
  std::optional<std::chrono::milliseconds> charts;
  std::optional<std::chrono::milliseconds> render;
  std::optional<std::chrono::milliseconds> finalize;
};

// "90s", "5m", "1h", "250ms" (a positive integer and a unit). nullopt
// otherwise.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

enum class SourceKind { kInline, kPostgres, kCsv, kJson, kHttp };
const char* SourceKindName(SourceKind kind);  // "inline", "postgres", ...
std::optional<SourceKind> SourceKindFromName(std::string_view name);
const std::vector<std::string>& SourceKindNames();

struct SourceSpec {
  std::string name;
  SourceKind kind = SourceKind::kInline;
  // The schema. Always declared for kInline; optional for the other kinds,
  // whose columns are then "known" to the validator.
  std::vector<ColumnSpec> columns;
  bool columns_known = false;
  // A failure to read the source yields no table (sections using it show
  // "data unavailable") instead of failing the job.
  bool optional = false;
  // Another (inline) source whose table stands in when this one cannot be
  // read, e.g. sample data for local previews. Empty for none.
  std::string fallback;
  std::optional<std::chrono::milliseconds> timeout;    // kPostgres, kHttp
  std::optional<std::chrono::milliseconds> cache_ttl;  // any kind but kInline

  // kInline: the rows as written, one text per cell; nullopt is a YAML null.
  std::vector<std::vector<std::optional<std::string>>> rows;
  // kPostgres: a named connection from the worker config, the SQL text and
  // the parameter names bound to $1..$n, in order.
  std::string connection;
  std::string query;
  std::vector<std::string> bind_params;
  // kCsv, kJson: a file path. kCsv: delimiter and whether row 1 is a header.
  std::string path;
  char delimiter = ',';
  bool header = true;
  // kJson, kHttp: an RFC 6901 pointer to the array of records ("" = root).
  std::string pointer;
  // kHttp.
  std::string url;
  std::string method = "GET";  // GET or POST
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // POST only
};

enum class AggregateFunction { kSum, kCount, kAvg, kMin, kMax, kMedian, kP95, kCountDistinct };
const char* AggregateFunctionName(AggregateFunction f);  // "sum", ..., "count_distinct"
std::optional<AggregateFunction> AggregateFunctionFromName(std::string_view name);
const std::vector<std::string>& AggregateFunctionNames();

struct AggregateSpec {
  std::string output;  // the new column
  AggregateFunction function = AggregateFunction::kSum;
  std::string column;  // empty for count()
};

struct SortKey {
  std::string column;
  bool descending = false;  // written "-column"
};

enum class JoinKind { kInner, kLeft };
struct JoinSpec {
  std::string with;             // a source or an earlier transform
  std::vector<std::string> on;  // key columns present in both
  JoinKind how = JoinKind::kInner;
};

struct PivotSpec {
  std::string index;    // stays a column
  std::string columns;  // its distinct values become columns
  std::string values;   // fills the new columns
};

// A named derived table. Steps apply in this order: join, filter, derive,
// group_by + aggregate, pivot, select, rename, sort, limit (+ other).
// Executed by report/data/transforms.h after the sources are collected.
struct TransformSpec {
  std::string name;
  std::string from;    // a source or an earlier transform
  std::string filter;  // an expression; rows where it is true are kept
  std::vector<std::pair<std::string, std::string>> derive;  // new column, expression
  std::vector<std::string> group_by;
  std::vector<AggregateSpec> aggregate;
  std::optional<PivotSpec> pivot;
  std::vector<std::string> select;
  std::vector<std::pair<std::string, std::string>> rename;  // from, to
  std::vector<SortKey> sort;
  std::optional<int64_t> limit;
  bool other = false;  // with limit: the rows past the limit summed into one "Other" row
  std::optional<JoinSpec> join;
  // The resulting schema, when the validator could work it out (unknown
  // after a pivot or from a source without declared columns).
  std::vector<ColumnSpec> columns;
  bool columns_known = false;
};

// Every chart type the template language names. Which ones this version can
// draw is IsChartTypeSupported's business; the others render as a labelled
// placeholder box.
enum class ChartType { kBar, kLine, kArea, kPie, kScatter, kHistogram };
const char* ChartTypeName(ChartType type);  // "bar", "line", ...
std::optional<ChartType> ChartTypeFromName(std::string_view name);
const std::vector<std::string>& ChartTypeNames();
// True for the chart types the renderer draws.
bool IsChartTypeSupported(ChartType type);

// Where a chart's legend goes.
enum class LegendPosition { kBottom, kRight, kTop };
const char* LegendPositionName(LegendPosition position);  // "bottom", "right", "top"
std::optional<LegendPosition> LegendPositionFromName(std::string_view name);
const std::vector<std::string>& LegendPositionNames();

struct ChartSpec {
  ChartType type = ChartType::kBar;
  std::string source;          // a source or transform
  std::string x;               // category column (numeric for scatter, histogram)
  std::vector<std::string> y;  // one series per column (one for pie; none for histogram)
  std::string title;
  std::string x_axis_title;
  std::string y_axis_title;
  std::vector<uint32_t> colors;  // 0xRRGGBB series colours; empty: the theme's
  bool show_legend = true;
  LegendPosition legend = LegendPosition::kBottom;
  double width = 480;       // pt
  double height = 300;      // pt
  bool stacked = false;     // bar, line, area
  bool horizontal = false;  // bar
  // line, area: a marker on every point. Unset: markers when a series has
  // at most 30 points.
  std::optional<bool> markers;
  double donut = 0;    // pie: the hole's share of the radius, 0 (a pie) to 0.9
  bool labels = true;  // pie: percentage labels on the slices
  // histogram: `bins` equal bins over the data's range, or bins of
  // `bin_width` aligned to multiples of it when that is set (> 0). Unset
  // `bins` (0): Sturges' rule.
  int bins = 0;
  double bin_width = 0;
};

struct TableColumnSpec {
  std::string name;
  std::string label;   // header text; empty: the name
  std::string format;  // number or date format (common/table/table_format.h); may be empty
  double width = 0;    // pt; 0: from the content
};

struct TableSectionSpec {
  std::string source;  // a source or transform
  std::string title;
  std::vector<TableColumnSpec> columns;  // empty means all, in source order
  bool totals = false;                   // a last row summing the numeric columns
};

// One big figure. Either `value` (text with placeholders) or `source` +
// `column` + `aggregate`, formatted with `format`.
struct KpiSpec {
  std::string label;
  std::string value;
  std::string source;
  std::string column;
  AggregateFunction aggregate = AggregateFunction::kSum;
  std::string delta;   // text with placeholders, e.g. "+4% vs last month"; may be empty
  std::string format;  // number format for a computed value
};

enum class SectionKind { kHeading, kText, kTable, kChart, kKpi, kPageBreak, kForEach };

struct Section {
  SectionKind kind = SectionKind::kText;
  std::string text;        // kHeading, kText
  TableSectionSpec table;  // kTable
  ChartSpec chart;         // kChart
  KpiSpec kpi;             // kKpi
  // Any kind: an expression over params; the section is skipped when false.
  std::string when;
  // kForEach: `sections` repeat once per distinct value of column
  // `for_each` of source `for_each_source`, in order of first appearance,
  // with {{ group }} set to the value and that source filtered to its rows.
  std::string for_each;
  std::string for_each_source;
  std::vector<Section> sections;
};

enum class OutputFormat { kPdf, kXlsx, kPng, kSvg, kCsv, kJson };
const char* OutputFormatName(OutputFormat format);  // "pdf", ...
std::optional<OutputFormat> OutputFormatFromName(std::string_view name);
const std::vector<std::string>& OutputFormatNames();

struct ReportTemplate {
  std::string id;
  std::string title;
  std::string description;
  std::string owner;
  PageSetup page;
  Theme theme;
  StageTimeouts timeouts;
  // Attempts a job of this template gets before a retryable failure is
  // final; 0: the worker's queue.max_attempts. A job's own overrides it.
  int max_attempts = 0;
  std::vector<ParameterSpec> parameters;
  std::vector<SourceSpec> sources;        // in document order
  std::vector<TransformSpec> transforms;  // in document order
  std::vector<Section> sections;
  std::vector<OutputFormat> outputs;  // never empty after parsing

  const ParameterSpec* FindParameter(std::string_view name) const;
  const SourceSpec* FindSource(std::string_view name) const;
  const TransformSpec* FindTransform(std::string_view name) const;
};

// Validation limits (each exceeded one is an ERROR naming the limit) and
// performance-hint thresholds (INFO).
// The most attempts a template or a job may ask for.
inline constexpr int kMaxAttempts = 20;

struct TemplateLimits {
  static constexpr size_t kMaxSections = 200;  // all sections, nested ones included
  static constexpr size_t kMaxSeries = 20;     // y columns of one chart
  static constexpr size_t kMaxInlineRows = 100000;
  static constexpr size_t kScatterPointsHint = 5000;
  static constexpr size_t kTableRowsHint = 5000;
};

// ---------------------------------------------------------------------------
// Parsing and validation.

struct ParseResult {
  // Present exactly when `issues` has nothing blocking.
  std::optional<ReportTemplate> tmpl;
  // In document order of discovery; may hold warnings even when valid.
  std::vector<ValidationIssue> issues;
};

// Parses and validates a template. Never throws.
ParseResult ParseTemplate(const std::string& yaml_text);

struct ChartParseResult {
  // Present exactly when `issues` has nothing blocking; its source is "data".
  std::optional<ChartSpec> chart;
  std::vector<ValidationIssue> issues;
};

// Parses and validates one chart written as a template's `chart:` section
// (e.g. "{type: bar, x: month, y: [revenue], title: Revenue}"), against a
// table of `columns`; `source` may be left out, or must say "data". The
// same checks and finding codes as ParseTemplate, with paths relative to
// the chart. For charts rendered on their own (RenderChart). Never throws.
ChartParseResult ParseChart(const std::string& yaml_text, const std::vector<ColumnSpec>& columns);

// ---------------------------------------------------------------------------
// Parameters and placeholders.

// One bound parameter value.
struct ParamValue {
  ParamType type = ParamType::kString;
  std::string text;               // canonical display text ("42", "2024-01-31", "true", "a, b")
  int64_t int_value = 0;          // kInt; days for kDate; seconds for kDatetime; 0/1 for kBool
  double float_value = 0;         // kFloat (also set for kInt)
  std::vector<ParamValue> items;  // kList
};

// Bound values by parameter name. Optional parameters with neither a
// submitted value nor a default are absent.
using ParamValues = std::map<std::string, ParamValue>;

// Converts `text` to `spec`'s type and checks its rules (range, enum
// choices, pattern; each item of a list). INVALID_ARGUMENT naming the
// parameter and the rule otherwise.
StatusOr<ParamValue> BindParameterValue(const ParameterSpec& spec, const std::string& text);

// Checks and converts submitted values against the template's declarations
// and applies defaults. INVALID_ARGUMENT listing every problem ("unknown
// parameter 'x'", "missing required parameter 'region'", bad values).
StatusOr<ParamValues> ResolveParameters(
    const ReportTemplate& tmpl, const std::vector<std::pair<std::string, std::string>>& values);

// Calls `fn(expression)` for each {{ expression }} in `text`, the expression
// trimmed, e.g. "params.region" or "now".
template <typename Fn>
void ForEachPlaceholder(std::string_view text, Fn&& fn);

// What placeholders expand against.
struct PlaceholderContext {
  const ParamValues* params = nullptr;  // {{ params.NAME }}
  const ReportData* data = nullptr;     // {{ source.column }}; may be null
  std::chrono::system_clock::time_point now;
  std::optional<std::string> group;  // {{ group }} inside a for_each block
  // Inside a for_each block: its source, whose table `group_table` (the
  // group's rows) stands in for data->tables[group_source].
  std::string group_source;
  const Table* group_table = nullptr;

  // The table named `name` as seen here; nullptr when there is none.
  const Table* FindTable(const std::string& name) const;
};

// Expands each {{ head | filter | ... }}. Heads: params.NAME (the value's
// display text, "" when absent), now ("YYYY-MM-DD HH:MM UTC"), group, and
// SOURCE.COLUMN (the first row's value; with a first filter sum, count,
// avg, min, max, median, p95 or count_distinct, that aggregate over the
// column; "" without data). Filters: date("%B %Y"), number("#,##0.0"),
// upper, lower, default("n/a"). Placeholders that do not parse or name
// nothing known stay as written.
std::string ExpandPlaceholders(const std::string& text, const PlaceholderContext& ctx);
std::string ExpandPlaceholders(const std::string& text, const ParamValues& params);
std::string ExpandPlaceholders(const std::string& text, const ParamValues& params,
                               std::chrono::system_clock::time_point now);

// `spec` with the placeholders of its title and axis titles expanded.
ChartSpec ExpandChartText(const ChartSpec& spec, const ParamValues& params,
                          std::chrono::system_clock::time_point now);
ChartSpec ExpandChartText(const ChartSpec& spec, const PlaceholderContext& ctx);

// Evaluates a `when:` expression (comparisons, and/or/not, arithmetic,
// literals, params.NAME; see docs/templates.md) against bound parameters.
// INVALID_ARGUMENT when it does not parse or refers to a column.
StatusOr<bool> EvaluateCondition(std::string_view expression, const ParamValues& params);

// The aggregate `f` over the non-null values of `column` (count: non-null
// cells; count_distinct: distinct display texts). NaN when there are no
// values (0 for the counts) or, for the numeric ones, the column is text.
double AggregateColumn(const Column& column, AggregateFunction f);

// Builds the Table of an inline source. INVALID_ARGUMENT for a row of the
// wrong length or a cell that does not convert to its column's type.
StatusOr<Table> BuildInlineTable(const SourceSpec& source);

// The table of `source` as far as it can be built without I/O (for
// ValidateTemplate's test_sources in the gateway; jobs fetch real sources
// through report/data/collector.h): an inline source's rows, else its
// fallback source's table (the fallback must have the same columns).
// FAILED_PRECONDITION "source kind 'postgres' is not available yet" when
// there is neither and the source is not optional; nullopt for an optional
// one.
StatusOr<std::optional<Table>> BuildLocalTable(const ReportTemplate& tmpl,
                                               const SourceSpec& source);

// ---------------------------------------------------------------------------

namespace internal {
// Finds the next "{{ ... }}" at or after `from`; returns false when none.
bool NextPlaceholder(std::string_view text, size_t from, size_t* begin, size_t* end,
                     std::string_view* expression);
}  // namespace internal

template <typename Fn>
void ForEachPlaceholder(std::string_view text, Fn&& fn) {
  size_t pos = 0, begin = 0, end = 0;
  std::string_view expr;
  while (internal::NextPlaceholder(text, pos, &begin, &end, &expr)) {
    fn(expr);
    pos = end;
  }
}

}  // namespace quire
