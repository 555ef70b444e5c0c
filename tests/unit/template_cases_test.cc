// The validator case book: one small invalid template per rule, each built
// from a valid base, asserting the exact code, severity, field path, line,
// column and (where there is one) suggestion of the finding; and the
// example templates of deploy/templates/, which must validate with exactly
// the findings listed here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/template/template.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

// 21 lines; whatever follows starts on line 22.
constexpr char kBase[] = R"(id: base
title: "Base report"
parameters:
  - name: region
    type: enum
    values: [All, North, South]
    default: All
  - name: month
    type: date
    default: "2024-06-01"
sources:
  sales:
    kind: inline
    columns:
      - {name: month, type: text}
      - {name: region, type: text}
      - {name: revenue, type: float}
      - {name: units, type: int}
    rows:
      - [Jan, North, 10.5, 3]
      - [Feb, South, 7.25, 2]
)";

// More sources after `sales`: the first added line is line 22.
std::string Sources(const std::string& more) { return kBase + more; }
// "transforms:" on line 22; the first transform on line 23.
std::string Transforms(const std::string& t) { return std::string(kBase) + "transforms:\n" + t; }
// "sections:" on line 22; the first section on line 23.
std::string Sections(const std::string& s) { return std::string(kBase) + "sections:\n" + s; }
// A template of one parameter: "  - name: p" on line 4, its fields from line 5.
std::string Param(const std::string& fields) {
  return "id: t\ntitle: T\nparameters:\n  - name: p\n" + fields;
}

std::string Rows(int n, const std::string& row) {
  std::string out;
  for (int i = 0; i < n; ++i) out += row;
  return out;
}

// A template with an inline source `big` of `rows` rows (x float, y float)
// and then `sections` (sections: on line 9, the first section on line 10
// ... plus the rows).
std::string BigSource(int rows, const std::string& sections) {
  return "id: t\ntitle: T\nsources:\n  big:\n    kind: inline\n    columns:\n"
         "      - {name: x, type: float}\n      - {name: y, type: float}\n    rows:\n" +
         Rows(rows, "      - [1.5, 2]\n") + "sections:\n" + sections;
}

// A template and the finding it must give.
struct Case {
  const char* name;
  std::string yaml;
  test::ExpectedFinding finding;
};

// Names the case in gtest's messages (instead of a byte dump).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

constexpr Severity kI = Severity::kInfo;
constexpr Severity kW = Severity::kWarning;
constexpr Severity kE = Severity::kError;

const std::vector<Case>& Cases() {
  static const std::vector<Case> kCases = {
      // --- Root and header -------------------------------------------------
      {"VersionIsIgnored", "id: t\ntitle: T\nversion: 3\n", "field.ignored", kW, "version", 3, 1},
      {"UnknownRootField", "id: t\ntitle: T\nsectons: []\n", "field.unknown", kW, "sectons", 3, 1,
       "did you mean 'sections'?"},
      {"MissingId", "title: T\n", "field.required", kE, "id", 1, 1},
      {"PageSizeUnknown", "id: t\ntitle: T\npage: {size: A5}\n", "page.size", kE, "page.size", 3,
       14, "did you mean 'A4'?"},
      {"PageOrientationUnknown", "id: t\ntitle: T\npage: {orientation: landscap}\n",
       "page.orientation", kE, "page.orientation", 3, 21, "did you mean 'landscape'?"},
      {"MarginOutOfRange", "id: t\ntitle: T\npage:\n  margins: {top: 500}\n", "field.range", kE,
       "page.margins.top", 4, 18},
      {"MarginUnknownSide", "id: t\ntitle: T\npage:\n  margins: {up: 5}\n", "field.unknown", kW,
       "page.margins.up", 4, 13},
      {"PaletteBadColour", "id: t\ntitle: T\ntheme:\n  palette: [\"#12345\"]\n", "color.format", kE,
       "theme.palette[0]", 4, 13},
      {"FontSizeOutOfRange", "id: t\ntitle: T\ntheme: {font_size: 100}\n", "field.range", kE,
       "theme.font_size", 3, 20},
      {"TimeoutNotADuration", "id: t\ntitle: T\ntimeouts: {collect: 5 minutes}\n",
       "duration.format", kE, "timeouts.collect", 3, 21},
      {"TimeoutUnknownStage", "id: t\ntitle: T\ntimeouts: {colect: 5m}\n", "field.unknown", kW,
       "timeouts.colect", 3, 12, "did you mean 'collect'?"},
      {"TimeoutTooLong", "id: t\ntitle: T\ntimeouts: {render: 48h}\n", "field.range", kE,
       "timeouts.render", 3, 20},
      {"UnknownOutput", "id: t\ntitle: T\noutputs: [pdf, xlsxx]\n", "output.format", kE,
       "outputs[1]", 3, 16, "did you mean 'xlsx'?"},

      // --- Parameters ------------------------------------------------------
      {"ListWithoutItems", Param("    type: list\n"), "param.items", kE, "parameters[0].items", 4,
       5},
      {"ListItemsUnknownType", Param("    type: list\n    items: strin\n"), "param.type", kE,
       "parameters[0].items", 6, 12, "did you mean 'string'?"},
      {"ListOfLists", Param("    type: list\n    items: list\n"), "param.items", kE,
       "parameters[0].items", 6, 12},
      {"ItemsOnAScalar", Param("    type: int\n    items: int\n"), "field.ignored", kW,
       "parameters[0].items", 6, 5},
      {"PatternDoesNotCompile", Param("    type: string\n    pattern: \"[a-z\"\n"), "param.pattern",
       kE, "parameters[0].pattern", 6, 14},
      {"PatternOnAnInt", Param("    type: int\n    pattern: \"[0-9]+\"\n"), "param.pattern", kW,
       "parameters[0].pattern", 6, 14},
      {"DefaultBreaksPattern",
       Param("    type: string\n    pattern: \"[A-Z]+\"\n    default: abc\n"), "param.default", kE,
       "parameters[0].default", 7, 14},
      {"MinAboveMax", Param("    type: int\n    min: 5\n    max: 1\n"), "param.range", kE,
       "parameters[0].min", 6, 10},
      {"ListDefaultBadItem", Param("    type: list\n    items: int\n    default: \"1, x\"\n"),
       "param.default", kE, "parameters[0].default", 7, 14},
      {"ListEnumDefaultNotAChoice",
       Param("    type: list\n    items: {type: enum, values: [a, b]}\n    default: [a, c]\n"),
       "param.default", kE, "parameters[0].default", 7, 14},
      {"EnumWithoutValues", Param("    type: enum\n"), "param.values", kE, "parameters[0].values",
       4, 5},
      {"DatetimeBadDefault", Param("    type: datetime\n    default: \"2024-06-01 25:00\"\n"),
       "param.default", kE, "parameters[0].default", 6, 14},
      {"ParamNameNotAnIdentifier", "id: t\ntitle: T\nparameters:\n  - name: 1st\n", "param.name",
       kE, "parameters[0].name", 4, 11},

      // --- Sources ---------------------------------------------------------
      {"PostgresWithoutQuery",
       Sources("  db:\n    kind: postgres\n    connection: main\n    cache_ttl: 5m\n"),
       "field.required", kE, "sources.db.query", 23, 5},
      {"SqlSplicesPlaceholder",
       Sources("  db:\n    kind: postgres\n    connection: main\n    cache_ttl: 5m\n"
               "    query: \"SELECT * FROM t WHERE r = '{{ params.region }}'\"\n"),
       "sql.injection", kE, "sources.db.query", 26, 12,
       "bind the value instead: params: [params.NAME] and $1 in the query"},
      {"SqlConcatenatesParams",
       Sources("  db:\n    kind: postgres\n    connection: main\n    cache_ttl: 5m\n"
               "    query: \"SELECT * FROM t WHERE r = '' || params.region\"\n"),
       "sql.injection", kE, "sources.db.query", 26, 12},
      {"SqlBindBeyondParams",
       Sources("  db:\n    kind: postgres\n    connection: main\n    cache_ttl: 5m\n"
               "    query: |\n      SELECT * FROM t\n      WHERE r = $1 AND m = $2\n"
               "    params: [params.region]\n"),
       "sql.bind", kE, "sources.db.query", 26, 12},
      {"SqlUnusedBind",
       Sources("  db:\n    kind: postgres\n    connection: main\n    cache_ttl: 5m\n"
               "    query: SELECT 1\n    params: [params.region]\n"),
       "sql.unused_bind", kW, "sources.db.params[0]", 27, 14},
      {"SqlBindNotAParam",
       Sources("  db:\n    kind: postgres\n    connection: main\n    cache_ttl: 5m\n"
               "    query: SELECT $1\n    params: [region]\n"),
       "sql.bind", kE, "sources.db.params[0]", 27, 14, "did you mean 'params.region'?"},
      {"SqlBindUndeclaredParam",
       Sources("  db:\n    kind: postgres\n    connection: main\n    cache_ttl: 5m\n"
               "    query: SELECT $1\n    params: [params.regoin]\n"),
       "ref.param", kE, "sources.db.params[0]", 27, 14, "did you mean 'region'?"},
      {"PostgresWithoutCacheTtl",
       Sources("  db:\n    kind: postgres\n    connection: main\n    query: SELECT 1\n"),
       "perf.cache_ttl", kI, "sources.db", 23, 5},
      {"HttpWithoutCacheTtl",
       Sources("  api:\n    kind: http\n    url: \"https://example.com/x\"\n"), "perf.cache_ttl",
       kI, "sources.api", 23, 5},
      {"CsvBadDelimiter",
       Sources("  f:\n    kind: csv\n    path: data.csv\n    delimiter: \";;\"\n"),
       "source.delimiter", kE, "sources.f.delimiter", 25, 16},
      {"CsvWithoutPath", Sources("  f:\n    kind: csv\n"), "field.required", kE, "sources.f.path",
       23, 5},
      {"JsonBadPointer", Sources("  j:\n    kind: json\n    path: x.json\n    pointer: items\n"),
       "source.pointer", kE, "sources.j.pointer", 25, 14, "did you mean '/items'?"},
      {"HttpBadUrl",
       Sources("  api:\n    kind: http\n    url: \"ftp://example.com\"\n    cache_ttl: 1m\n"),
       "source.url", kE, "sources.api.url", 24, 10},
      {"HttpBadMethod",
       Sources("  api:\n    kind: http\n    url: \"https://example.com\"\n    method: PSOT\n"
               "    cache_ttl: 1m\n"),
       "source.method", kE, "sources.api.method", 25, 13, "did you mean 'POST'?"},
      {"HttpBodyWithGet",
       Sources("  api:\n    kind: http\n    url: \"https://example.com\"\n    body: \"{}\"\n"
               "    cache_ttl: 1m\n"),
       "field.ignored", kW, "sources.api.body", 25, 5},
      {"FieldOfAnotherKind",
       Sources("  f:\n    kind: csv\n    path: data.csv\n    query: SELECT 1\n"), "field.unknown",
       kW, "sources.f.query", 25, 5},
      {"FallbackUnknown",
       Sources("  db:\n    kind: postgres\n    connection: main\n    query: SELECT 1\n"
               "    cache_ttl: 5m\n    fallback: sale\n"),
       "ref.source", kE, "sources.db.fallback", 27, 15, "did you mean 'sales'?"},
      {"FallbackColumnsDiffer",
       Sources(
           "  db:\n    kind: postgres\n    connection: main\n    query: SELECT 1\n"
           "    cache_ttl: 5m\n    fallback: sales\n    columns:\n      - {name: x, type: int}\n"),
       "source.fallback", kE, "sources.db.fallback", 27, 15},
      {"FallbackNotInline",
       Sources("  db:\n    kind: postgres\n    connection: main\n    query: SELECT 1\n"
               "    cache_ttl: 5m\n    fallback: f\n  f:\n    kind: csv\n    path: x.csv\n"),
       "source.fallback", kE, "sources.db.fallback", 27, 15},
      {"UnknownSourceKind", Sources("  m:\n    kind: postgress\n"), "source.kind", kE,
       "sources.m.kind", 23, 11, "did you mean 'postgres'?"},
      {"SourceTimeoutNotADuration",
       Sources("  db:\n    kind: postgres\n    connection: main\n    query: SELECT 1\n"
               "    cache_ttl: 5m\n    timeout: soon\n"),
       "duration.format", kE, "sources.db.timeout", 27, 14},
      {"TooManyInlineRows",
       "id: t\ntitle: T\nsources:\n  s:\n    kind: inline\n    columns:\n"
       "      - {name: a, type: int}\n    rows:\n" +
           Rows(100001, "      - [1]\n"),
       "limit.rows", kE, "sources.s.rows", 9, 7},

      // --- Transforms ------------------------------------------------------
      {"TransformNameTakenBySource", Transforms("  sales:\n    from: sales\n"), "name.duplicate",
       kE, "transforms.sales", 23, 3},
      {"TransformUnknownFrom", Transforms("  t:\n    from: sale\n"), "ref.source", kE,
       "transforms.t.from", 24, 11, "did you mean 'sales'?"},
      {"TransformReadsItself", Transforms("  t:\n    from: t\n"), "ref.source", kE,
       "transforms.t.from", 24, 11},
      {"TransformFilterSyntax", Transforms("  t:\n    from: sales\n    filter: \"revenue >\"\n"),
       "expr.syntax", kE, "transforms.t.filter", 25, 13},
      {"TransformFilterSingleEquals",
       Transforms("  t:\n    from: sales\n    filter: \"region = 'North'\"\n"), "expr.syntax", kE,
       "transforms.t.filter", 25, 13},
      {"TransformFilterUnknownColumn",
       Transforms("  t:\n    from: sales\n    filter: \"revenu > 1\"\n"), "ref.column", kE,
       "transforms.t.filter", 25, 13, "did you mean 'revenue'?"},
      {"TransformFilterUnknownParam",
       Transforms("  t:\n    from: sales\n    filter: \"region == params.regon\"\n"), "ref.param",
       kE, "transforms.t.filter", 25, 13, "did you mean 'region'?"},
      {"AggregateUnknownFunction",
       Transforms("  t:\n    from: sales\n    aggregate: {total: summ(revenue)}\n"),
       "transform.aggregate", kE, "transforms.t.aggregate.total", 25, 24, "did you mean 'sum'?"},
      {"AggregateNotACall", Transforms("  t:\n    from: sales\n    aggregate: {total: revenue}\n"),
       "transform.aggregate", kE, "transforms.t.aggregate.total", 25, 24},
      {"AggregateTextColumn",
       Transforms("  t:\n    from: sales\n    aggregate: {total: sum(region)}\n"),
       "transform.aggregate", kE, "transforms.t.aggregate.total", 25, 24},
      {"AggregateUnknownColumn",
       Transforms("  t:\n    from: sales\n    aggregate: {total: sum(revenu)}\n"), "ref.column", kE,
       "transforms.t.aggregate.total", 25, 24, "did you mean 'revenue'?"},
      {"SortByColumnGroupedAway",
       Transforms("  t:\n    from: sales\n    group_by: [region]\n"
                  "    aggregate: {total: sum(revenue)}\n    sort: [-revenue]\n"),
       "ref.column", kE, "transforms.t.sort[0]", 27, 12},
      {"OtherWithoutLimit", Transforms("  t:\n    from: sales\n    other: true\n"),
       "transform.other", kE, "transforms.t.other", 25, 12, "add e.g. limit: 10"},
      {"JoinUnknownHow",
       Transforms("  t:\n    from: sales\n    join: {with: sales, on: [month], how: outer}\n"),
       "transform.join", kE, "transforms.t.join.how", 25, 43},
      {"JoinUnknownKey", Transforms("  t:\n    from: sales\n    join: {with: sales, on: [mnth]}\n"),
       "ref.column", kE, "transforms.t.join.on[0]", 25, 30, "did you mean 'month'?"},
      {"LimitZero", Transforms("  t:\n    from: sales\n    limit: 0\n"), "field.range", kE,
       "transforms.t.limit", 25, 12},
      {"PivotUnknownColumn",
       Transforms("  t:\n    from: sales\n    pivot: {index: month, columns: regon, "
                  "values: revenue}\n"),
       "ref.column", kE, "transforms.t.pivot.columns", 25, 36, "did you mean 'region'?"},
      {"SelectAfterDerive",
       Transforms("  t:\n    from: sales\n    derive: {price: \"revenue / units\"}\n"
                  "    select: [price, revenu]\n"),
       "ref.column", kE, "transforms.t.select[1]", 26, 21, "did you mean 'revenue'?"},

      // --- Sections --------------------------------------------------------
      {"ChartTypeLines",
       Sections("  - chart: {type: lines, source: sales, x: month, y: revenue}\n"), "chart.type",
       kE, "sections[0].chart.type", 23, 19, "did you mean 'line'?"},
      {"PieWithTwoSeries",
       Sections("  - chart: {type: pie, source: sales, x: month, y: [revenue, units]}\n"),
       "chart.series", kE, "sections[0].chart.y", 23, 52},
      {"ScatterTextX",
       Sections("  - chart: {type: scatter, source: sales, x: region, y: revenue}\n"),
       "chart.x_type", kE, "sections[0].chart.x", 23, 46},
      {"HistogramWithY",
       Sections("  - chart: {type: histogram, source: sales, x: revenue, y: units}\n"),
       "field.ignored", kW, "sections[0].chart.y", 23, 57},
      {"TooManySeries",
       Sections("  - chart:\n      type: bar\n      source: sales\n      x: month\n"
                "      y: [revenue, revenue, revenue, revenue, revenue, revenue, revenue,\n"
                "          revenue, revenue, revenue, revenue, revenue, revenue, revenue,\n"
                "          revenue, revenue, revenue, revenue, revenue, revenue, revenue]\n"),
       "limit.series", kE, "sections[0].chart.y", 27, 10},
      {"BinsOutOfRange",
       Sections("  - chart: {type: histogram, source: sales, x: revenue, bins: 500}\n"),
       "field.range", kE, "sections[0].chart.bins", 23, 63},
      {"LegendPositionUnknown",
       Sections("  - chart: {type: bar, source: sales, x: month, y: units, legend: left}\n"),
       "chart.legend", kE, "sections[0].chart.legend", 23, 67},
      {"DonutTooLarge",
       Sections("  - chart: {type: pie, source: sales, x: month, y: units, donut: 0.95}\n"),
       "field.range", kE, "sections[0].chart.donut", 23, 66},
      {"MarkersOnPie",
       Sections("  - chart: {type: pie, source: sales, x: month, y: units, markers: true}\n"),
       "field.ignored", kW, "sections[0].chart.markers", 23, 59},
      {"BinWidthNotPositive",
       Sections("  - chart: {type: histogram, source: sales, x: revenue, bin_width: 0}\n"),
       "field.range", kE, "sections[0].chart.bin_width", 23, 68},
      {"TableColumnWidthZero",
       Sections("  - table: {source: sales, columns: [{name: month, width: 0}]}\n"), "field.range",
       kE, "sections[0].table.columns[0].width", 23, 59},
      {"HorizontalLine",
       Sections("  - chart: {type: line, source: sales, x: month, y: units, horizontal: true}\n"),
       "field.ignored", kW, "sections[0].chart.horizontal", 23, 60},
      {"ChartColourNotHex",
       Sections("  - chart: {type: bar, source: sales, x: month, y: units, colors: [red]}\n"),
       "color.format", kE, "sections[0].chart.colors[0]", 23, 68},
      {"ChartOverTextY", Sections("  - chart: {type: line, source: sales, x: month, y: region}\n"),
       "chart.y_type", kE, "sections[0].chart.y", 23, 53},
      {"TableColumnUnknown",
       Sections("  - table:\n      source: sales\n      columns:\n        - {name: revenu}\n"),
       "ref.column", kE, "sections[0].table.columns[0].name", 26, 18, "did you mean 'revenue'?"},
      {"TableBadNumberFormat",
       Sections("  - table:\n      source: sales\n      columns:\n"
                "        - {name: revenue, format: \"abc\"}\n"),
       "format.value", kE, "sections[0].table.columns[0].format", 26, 35},
      {"TableBadDateFormat",
       Sections("  - table:\n      source: sales\n      columns:\n"
                "        - {name: month, format: \"%Y-%Q\"}\n"),
       "format.value", kE, "sections[0].table.columns[0].format", 26, 33},
      {"TableDateFormatOnNumber",
       Sections("  - table:\n      source: sales\n      columns:\n"
                "        - {name: revenue, format: \"%Y\"}\n"),
       "format.type", kW, "sections[0].table.columns[0].format", 26, 35},
      {"TableOverUnknownTransform", Sections("  - table: {source: by_regoin}\n"), "ref.source", kE,
       "sections[0].table.source", 23, 21},
      {"KpiWithoutValue", Sections("  - kpi: {label: Revenue}\n"), "kpi.value", kE,
       "sections[0].kpi.value", 23, 10},
      {"KpiValueAndSource",
       Sections("  - kpi: {label: R, value: \"{{ sales.revenue }}\", source: sales}\n"),
       "kpi.value", kE, "sections[0].kpi.source", 23, 51},
      {"KpiUnknownAggregate",
       Sections("  - kpi: {label: R, source: sales, column: revenue, aggregate: summ}\n"),
       "kpi.aggregate", kE, "sections[0].kpi.aggregate", 23, 64, "did you mean 'sum'?"},
      {"KpiSumOfText",
       Sections("  - kpi: {label: R, source: sales, column: region, aggregate: sum}\n"),
       "kpi.column_type", kE, "sections[0].kpi.column", 23, 44},
      {"KpiWithoutLabel", Sections("  - kpi: {source: sales, column: revenue}\n"), "field.required",
       kE, "sections[0].kpi.label", 23, 10},
      {"KpiBadFormat",
       Sections("  - kpi: {label: R, source: sales, column: revenue, format: \"x\"}\n"),
       "format.value", kE, "sections[0].kpi.format", 23, 61},
      {"WhenSyntax", Sections("  - heading: H\n    when: \"params.region ==\"\n"), "expr.syntax",
       kE, "sections[0].when", 24, 11},
      {"WhenNamesAColumn", Sections("  - heading: H\n    when: \"region == 'North'\"\n"),
       "expr.column", kE, "sections[0].when", 24, 11, "did you mean 'params.region'?"},
      {"WhenUnknownParam", Sections("  - heading: H\n    when: \"params.regon != 'All'\"\n"),
       "ref.param", kE, "sections[0].when", 24, 11, "did you mean 'region'?"},
      {"SectionKeyTypo", Sections("  - heading: H\n    whne: \"params.region != 'All'\"\n"),
       "field.unknown", kW, "sections[0].whne", 24, 5, "did you mean 'when'?"},
      {"ForEachUnknownColumn",
       Sections("  - for_each: regio\n    source: sales\n    sections:\n      - heading: X\n"),
       "ref.column", kE, "sections[0].for_each", 23, 15, "did you mean 'region'?"},
      {"ForEachWithoutSource",
       Sections("  - for_each: region\n    sections:\n      - heading: X\n"), "field.required", kE,
       "sections[0].source", 23, 5},
      {"ForEachWithoutSections", Sections("  - for_each: region\n    source: sales\n"),
       "field.required", kE, "sections[0].sections", 23, 5},
      {"ForEachEmptySections",
       Sections("  - for_each: region\n    source: sales\n    sections: []\n"), "field.required",
       kE, "sections[0].sections", 25, 15},
      {"ForEachNested",
       Sections("  - for_each: region\n    source: sales\n    sections:\n"
                "      - for_each: month\n        source: sales\n        sections:\n"
                "          - heading: X\n"),
       "section.nesting", kE, "sections[0].sections[0].for_each", 26, 9},
      {"GroupOutsideForEach", Sections("  - text: \"Site {{ group }}\"\n"), "ref.group", kE,
       "sections[0].text", 23, 11},
      {"PlaceholderUnknownFilter", Sections("  - text: \"{{ params.month | dat(\\\"%Y\\\") }}\"\n"),
       "placeholder.filter", kE, "sections[0].text", 23, 11, "did you mean 'date'?"},
      {"PlaceholderBadDateFormat", Sections("  - heading: \"{{ params.month | date('%Q') }}\"\n"),
       "placeholder.filter", kE, "sections[0].heading", 23, 14},
      {"PlaceholderNumberWithoutFormat",
       Sections("  - text: \"{{ sales.revenue | sum | number }}\"\n"), "placeholder.filter", kE,
       "sections[0].text", 23, 11},
      {"PlaceholderAggregateNotFirst",
       Sections("  - text: \"{{ sales.revenue | upper | sum }}\"\n"), "placeholder.filter", kE,
       "sections[0].text", 23, 11},
      {"PlaceholderUnknownSource", Sections("  - text: \"{{ sale.revenue }}\"\n"), "ref.source", kE,
       "sections[0].text", 23, 11, "did you mean 'sales'?"},
      {"PlaceholderUnknownColumn", Sections("  - text: \"{{ sales.revenu | sum }}\"\n"),
       "ref.column", kE, "sections[0].text", 23, 11, "did you mean 'revenue'?"},
      {"PlaceholderNotUnderstood", Sections("  - text: \"{{ 1 + 2 }}\"\n"), "ref.placeholder", kW,
       "sections[0].text", 23, 11},
      {"TitlePlaceholderUnknownParam", "id: t\ntitle: \"{{ params.x }}\"\n", "ref.param", kE,
       "title", 2, 8},
      {"TooManySections", Sections(Rows(201, "  - heading: H\n")), "limit.sections", kE, "sections",
       22, 1},
      {"TableOfManyRows", BigSource(5001, "  - table: {source: big}\n"), "perf.table_rows", kI,
       "sections[0].table.source", 5012, 21},
      {"ScatterOfManyPoints",
       BigSource(5001, "  - chart: {type: scatter, source: big, x: x, y: y}\n"),
       "perf.scatter_points", kI, "sections[0].chart.source", 5012, 36},
  };
  return kCases;
}

class TemplateCaseTest : public testing::TestWithParam<Case> {};

TEST_P(TemplateCaseTest, ReportsTheFinding) {
  const Case& c = GetParam();
  ParseResult r = ParseTemplate(c.yaml);
  const std::string all = test::FormatIssues(r.issues);
  const ValidationIssue* found = test::FindIssue(r.issues, c.finding.code);
  ASSERT_NE(found, nullptr) << "no " << c.finding.code << " among:" << all;
  EXPECT_TRUE(test::MatchesFinding(*found, c.finding));
  EXPECT_FALSE(found->message.empty());
  // Blocking findings block; the others leave a usable template.
  EXPECT_EQ(r.tmpl.has_value(), !HasBlockingIssues(r.issues)) << all;
  if (c.finding.severity >= Severity::kError) {
    EXPECT_FALSE(r.tmpl.has_value()) << all;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, TemplateCaseTest, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

TEST(TemplateCasesTest, TheBaseIsValidAndTheBookIsBigEnough) {
  ParseResult r = ParseTemplate(kBase);
  for (const ValidationIssue& i : r.issues) ADD_FAILURE() << FormatIssue(i);
  EXPECT_TRUE(r.tmpl.has_value());
  size_t blocking = 0;
  for (const Case& c : Cases()) blocking += c.finding.severity >= Severity::kError;
  EXPECT_GE(blocking, 60u);
}

// ---------------------------------------------------------------------------
// The examples in deploy/templates/: valid, with exactly these findings
// ("severity code path" each). A new example must be listed here.

const std::map<std::string, std::vector<std::string>>& ExpectedExampleFindings() {
  static const std::map<std::string, std::vector<std::string>> kExpected = {
      {"demo.yaml", {}},
      {"ops_kpi.yaml", {}},
      {"quality_events.yaml", {}},
      {"sales_summary.yaml", {}},
  };
  return kExpected;
}

TEST(ExampleTemplatesTest, ValidWithExactlyTheListedFindings) {
  namespace fs = std::filesystem;
  const fs::path dir = test::SourcePath("deploy/templates");
  std::vector<std::string> seen;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().filename().string();
    seen.push_back(name);
    ParseResult r = ParseTemplate(test::ReadFile(entry.path().string()));
    std::vector<std::string> findings;
    for (const ValidationIssue& i : r.issues) {
      findings.push_back(std::string(SeverityName(i.severity)) + " " + i.code + " " + i.path);
      EXPECT_LT(i.severity, Severity::kError) << name << ": " << FormatIssue(i);
    }
    EXPECT_TRUE(r.tmpl.has_value()) << name;
    auto expected = ExpectedExampleFindings().find(name);
    ASSERT_NE(expected, ExpectedExampleFindings().end()) << name << " is not listed";
    EXPECT_EQ(findings, expected->second) << name;
    if (r.tmpl) {
      EXPECT_EQ(r.tmpl->id + ".yaml", name);
      EXPECT_TRUE(ResolveParameters(*r.tmpl, {}).ok()) << name << ": defaults must bind";
    }
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), ExpectedExampleFindings().size());
}

}  // namespace
}  // namespace quire
