// The report template model: what a template declares (parameters, data
// sources, sections, outputs), the parser/validator that builds it from YAML
// with located findings, and the functions that bind submitted parameter
// values and expand {{ ... }} placeholders.
//
// Pure model: no rendering, no data fetching beyond inline sources, no I/O.
// Nothing here throws; yaml-cpp exceptions are caught inside.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/table.h"

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

enum class ParamType { kString, kInt, kFloat, kBool, kDate, kEnum };
const char* ParamTypeName(ParamType type);  // "string", "int", ...
std::optional<ParamType> ParamTypeFromName(std::string_view name);
const std::vector<std::string>& ParamTypeNames();

struct ParameterSpec {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  std::optional<std::string> default_value;  // as written in the template
  std::vector<std::string> values;           // the choices of a kEnum
  std::optional<double> min;                 // kInt/kFloat only
  std::optional<double> max;
  std::string description;
};

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kText;
};

enum class SourceKind { kInline };
const char* SourceKindName(SourceKind kind);  // "inline"
std::optional<SourceKind> SourceKindFromName(std::string_view name);
const std::vector<std::string>& SourceKindNames();

struct SourceSpec {
  std::string name;
  SourceKind kind = SourceKind::kInline;
  std::vector<ColumnSpec> columns;
  // kInline: the rows as written, one text per cell; nullopt is a YAML null.
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// Every chart type the template language names. Which ones this version can
// draw is IsChartTypeSupported's business.
enum class ChartType { kBar, kLine, kArea, kPie, kScatter };
const char* ChartTypeName(ChartType type);  // "bar", "line", ...
std::optional<ChartType> ChartTypeFromName(std::string_view name);
const std::vector<std::string>& ChartTypeNames();
// True for the chart types the renderer implements (bar, for now).
bool IsChartTypeSupported(ChartType type);

struct ChartSpec {
  ChartType type = ChartType::kBar;
  std::string source;
  std::string x;               // category column
  std::vector<std::string> y;  // one series per column
  std::string title;
  std::string x_axis_title;
  std::string y_axis_title;
  bool show_legend = true;
  double width = 480;   // pt
  double height = 300;  // pt
};

struct TableSectionSpec {
  std::string source;
  std::string title;
  std::vector<std::string> columns;  // empty means all, in source order
};

enum class SectionKind { kHeading, kText, kTable, kChart, kPageBreak };

struct Section {
  SectionKind kind = SectionKind::kText;
  std::string text;        // kHeading, kText
  TableSectionSpec table;  // kTable
  ChartSpec chart;         // kChart
};

enum class OutputFormat { kPdf, kXlsx, kPng, kSvg, kCsv, kJson };
const char* OutputFormatName(OutputFormat format);  // "pdf", ...
std::optional<OutputFormat> OutputFormatFromName(std::string_view name);
const std::vector<std::string>& OutputFormatNames();

struct ReportTemplate {
  std::string id;
  std::string title;
  std::string description;
  std::vector<ParameterSpec> parameters;
  std::vector<SourceSpec> sources;  // in document order
  std::vector<Section> sections;
  std::vector<OutputFormat> outputs;  // never empty after parsing

  const ParameterSpec* FindParameter(std::string_view name) const;
  const SourceSpec* FindSource(std::string_view name) const;
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

// ---------------------------------------------------------------------------
// Parameters and placeholders.

// One bound parameter value.
struct ParamValue {
  ParamType type = ParamType::kString;
  std::string text;        // canonical display text ("42", "2024-01-31", "true")
  int64_t int_value = 0;   // kInt; days for kDate; 0/1 for kBool
  double float_value = 0;  // kFloat (also set for kInt)
};

// Bound values by parameter name. Optional parameters with neither a
// submitted value nor a default are absent.
using ParamValues = std::map<std::string, ParamValue>;

// Converts `text` to `spec`'s type and checks its rules (range, enum
// choices). INVALID_ARGUMENT naming the parameter and the rule otherwise.
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

// Replaces {{ params.NAME }} with the value's display text ("" when absent)
// and {{ now }} with "YYYY-MM-DD HH:MM UTC". Other placeholders stay as
// written.
std::string ExpandPlaceholders(const std::string& text, const ParamValues& params);
std::string ExpandPlaceholders(const std::string& text, const ParamValues& params,
                               std::chrono::system_clock::time_point now);

// `spec` with the placeholders of its title and axis titles expanded.
ChartSpec ExpandChartText(const ChartSpec& spec, const ParamValues& params,
                          std::chrono::system_clock::time_point now);

// Builds the Table of an inline source. INVALID_ARGUMENT for a row of the
// wrong length or a cell that does not convert to its column's type.
StatusOr<Table> BuildInlineTable(const SourceSpec& source);

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
