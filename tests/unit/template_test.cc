// Tests of the table model and the template model: parsing, every
// validation rule (code, severity, path, line), parameter binding and
// placeholder expansion.
#include "common/template/template.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/table/table.h"
#include "common/table/table_format.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

// ---------------------------------------------------------------------------
// Table

TEST(TableTest, TypedColumnsNullsAndDisplay) {
  Table t;
  ASSERT_NE(t.AddColumn("name", ColumnType::kText), nullptr);
  ASSERT_NE(t.AddColumn("count", ColumnType::kInt), nullptr);
  ASSERT_NE(t.AddColumn("ratio", ColumnType::kFloat), nullptr);
  ASSERT_NE(t.AddColumn("ok", ColumnType::kBool), nullptr);
  ASSERT_NE(t.AddColumn("day", ColumnType::kDate), nullptr);
  EXPECT_EQ(t.AddColumn("count", ColumnType::kText), nullptr);  // duplicate

  ASSERT_TRUE(t.AppendTextRow({"a", "42", "0.125", "true", "2024-02-29"}).ok());
  ASSERT_TRUE(t.AppendTextRow({std::nullopt, "-7", "98", "no", std::nullopt}).ok());
  EXPECT_FALSE(t.AppendTextRow({"b", "x", "1", "true", "2024-01-01"}).ok());
  EXPECT_FALSE(t.AppendTextRow({"b", "1"}).ok());
  EXPECT_EQ(t.num_rows(), 2u);  // bad rows left the table unchanged

  const Column* day = t.FindColumn("day");
  ASSERT_NE(day, nullptr);
  EXPECT_EQ(t.FindColumn("nope"), nullptr);
  EXPECT_EQ(day->AsString(0), "2024-02-29");
  EXPECT_DOUBLE_EQ(day->AsDouble(0), 19782);  // days since 1970-01-01
  EXPECT_TRUE(day->IsNull(1));
  EXPECT_EQ(day->AsString(1), "");
  EXPECT_TRUE(std::isnan(day->AsDouble(1)));
  EXPECT_EQ(t.FindColumn("count")->AsString(1), "-7");
  EXPECT_EQ(t.FindColumn("ratio")->AsString(0), "0.125");
  EXPECT_EQ(t.FindColumn("ratio")->AsString(1), "98");
  EXPECT_EQ(t.FindColumn("ok")->AsString(1), "false");
  EXPECT_DOUBLE_EQ(t.FindColumn("ok")->AsDouble(0), 1);
  EXPECT_TRUE(t.FindColumn("name")->IsNull(1));
  EXPECT_TRUE(std::isnan(t.FindColumn("name")->AsDouble(0)));

  // A column added later is padded with nulls.
  Column* late = t.AddColumn("late", ColumnType::kInt);
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(t.num_rows(), 2u);
  EXPECT_TRUE(late->IsNull(0));
}

TEST(TableTest, Conversions) {
  EXPECT_EQ(FormatDouble(120.5), "120.5");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatDouble(-3), "-3");
  EXPECT_EQ(FormatDouble(1234567.891), "1234567.891");
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(ParseDate("2023-02-29"), std::nullopt);
  EXPECT_EQ(ParseDate("2024-13-01"), std::nullopt);
  EXPECT_EQ(ParseDate("1970-01-02"), 1);
  EXPECT_EQ(ParseInt("+5"), 5);
  EXPECT_EQ(ParseInt("5.0"), std::nullopt);
  EXPECT_EQ(ParseFloat("1e3"), 1000);
  EXPECT_EQ(ParseFloat(""), std::nullopt);
}

// ---------------------------------------------------------------------------
// ParseTemplate: a valid template

// 15 lines; sections start on line 16.
constexpr char kPrefix[] = R"(id: t
title: "Sales for {{ params.region }}"
parameters:
  - name: region
    type: enum
    values: [North, South]
sources:
  sales:
    kind: inline
    columns:
      - {name: month, type: text}
      - {name: revenue, type: float}
    rows:
      - [Jan, 1.5]
      - [Feb, ~]
)";

TEST(ParseTemplateTest, ValidTemplateHasNoIssues) {
  const std::string yaml = std::string(kPrefix) + R"(sections:
  - heading: "Overview"
  - text: "Region {{ params.region }} on {{ now }}."
  - table: {source: sales, title: "Monthly revenue", columns: [month]}
  - chart: {type: bar, source: sales, x: month, y: [revenue], title: "Revenue",
            x_axis_title: "Month", y_axis_title: "k$", show_legend: false, width: 400}
  - page_break: true
outputs: [pdf, csv]
)";
  ParseResult r = ParseTemplate(yaml);
  for (const ValidationIssue& i : r.issues) ADD_FAILURE() << FormatIssue(i);
  ASSERT_TRUE(r.tmpl.has_value());
  const ReportTemplate& t = *r.tmpl;
  EXPECT_EQ(t.id, "t");
  ASSERT_EQ(t.parameters.size(), 1u);
  EXPECT_EQ(t.parameters[0].type, ParamType::kEnum);
  EXPECT_EQ(t.parameters[0].values, (std::vector<std::string>{"North", "South"}));
  ASSERT_EQ(t.sources.size(), 1u);
  ASSERT_EQ(t.sources[0].rows.size(), 2u);
  EXPECT_EQ(t.sources[0].rows[1][1], std::nullopt);
  ASSERT_EQ(t.sections.size(), 5u);
  EXPECT_EQ(t.sections[0].kind, SectionKind::kHeading);
  EXPECT_EQ(t.sections[1].kind, SectionKind::kText);
  ASSERT_EQ(t.sections[2].table.columns.size(), 1u);
  EXPECT_EQ(t.sections[2].table.columns[0].name, "month");
  const ChartSpec& c = t.sections[3].chart;
  EXPECT_EQ(t.sections[3].kind, SectionKind::kChart);
  EXPECT_EQ(c.type, ChartType::kBar);
  EXPECT_EQ(c.y, std::vector<std::string>{"revenue"});
  EXPECT_EQ(c.y_axis_title, "k$");
  EXPECT_FALSE(c.show_legend);
  EXPECT_EQ(c.width, 400);
  EXPECT_EQ(c.height, 300);
  EXPECT_EQ(t.sections[4].kind, SectionKind::kPageBreak);
  EXPECT_EQ(t.outputs, (std::vector<OutputFormat>{OutputFormat::kPdf, OutputFormat::kCsv}));
}

TEST(ParseTemplateTest, OutputsDefaultToPdf) {
  ParseResult r = ParseTemplate("id: t\ntitle: T\n");
  ASSERT_TRUE(r.tmpl.has_value());
  EXPECT_TRUE(r.issues.empty());
  EXPECT_EQ(r.tmpl->outputs, std::vector<OutputFormat>{OutputFormat::kPdf});
}

TEST(ParseTemplateTest, MaxAttemptsIsAWholeNumberFromOneToTwenty) {
  ParseResult r = ParseTemplate("id: t\ntitle: T\nmax_attempts: 5\n");
  ASSERT_TRUE(r.tmpl.has_value()) << test::FormatIssues(r.issues);
  EXPECT_EQ(r.tmpl->max_attempts, 5);
  EXPECT_EQ(ParseTemplate("id: t\ntitle: T\n").tmpl->max_attempts, 0) << "0 means the default";
  for (const char* bad : {"0", "21", "2.5", "many"}) {
    r = ParseTemplate(std::string("id: t\ntitle: T\nmax_attempts: ") + bad + "\n");
    EXPECT_FALSE(r.tmpl.has_value()) << bad;
    bool located = false;
    for (const ValidationIssue& i : r.issues) located |= i.path == "max_attempts" && i.line == 3;
    EXPECT_TRUE(located) << bad << ": " << test::FormatIssues(r.issues);
  }
}

TEST(ParseTemplateTest, DemoTemplateIsValid) {
  const std::string text = test::ReadFile(test::SourcePath("deploy/templates/demo.yaml"));
  ASSERT_FALSE(text.empty());
  ParseResult r = ParseTemplate(text);
  for (const ValidationIssue& i : r.issues) ADD_FAILURE() << FormatIssue(i);
  ASSERT_TRUE(r.tmpl.has_value());
  EXPECT_EQ(r.tmpl->id, "demo");
  StatusOr<ParamValues> params = ResolveParameters(*r.tmpl, {});
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  EXPECT_EQ(ExpandPlaceholders(r.tmpl->title, *params), "Quarterly Sales Report — North");
  StatusOr<Table> table = BuildInlineTable(*r.tmpl->FindSource("sales"));
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->num_rows(), 12u);
  EXPECT_EQ(table->num_columns(), 4u);
}

// ---------------------------------------------------------------------------
// ParseTemplate: one case per validation rule

// A template and the finding it must give (any column: 0).
struct RuleCase {
  const char* name;
  std::string yaml;
  test::ExpectedFinding finding;
};

std::string WithSections(const std::string& sections) {
  return std::string(kPrefix) + "sections:\n" + sections;
}

class ValidationRuleTest : public testing::TestWithParam<RuleCase> {};

TEST_P(ValidationRuleTest, ReportsTheRule) {
  const RuleCase& c = GetParam();
  ParseResult r = ParseTemplate(c.yaml);
  const ValidationIssue* found = test::FindIssue(r.issues, c.finding.code);
  ASSERT_NE(found, nullptr) << "no " << c.finding.code << " among:" << test::FormatIssues(r.issues);
  EXPECT_TRUE(test::MatchesFinding(*found, c.finding));
  EXPECT_EQ(r.tmpl.has_value(), !HasBlockingIssues(r.issues));
}

const RuleCase kRuleCases[] = {
    {"RootNotMap", "- a\n- b\n", "template.root", Severity::kCritical, "", 1},
    {"UnknownField", "id: t\ntitle: T\ntitel: X\n", "field.unknown", Severity::kWarning, "titel", 3,
     0, "did you mean 'title'?"},
    {"MissingTitle", "id: t\ndescription: D\n", "field.required", Severity::kError, "title", 1},
    {"TitleWrongType", "id: t\ntitle: [a, b]\n", "field.type", Severity::kError, "title", 2},
    {"BadId", "id: Bad_ID\ntitle: T\n", "template.id", Severity::kError, "id", 1},
    {"DuplicateKey", "id: t\ntitle: T\ntitle: U\n", "field.duplicate", Severity::kError, "title",
     3},
    {"UnknownParamType", "id: t\ntitle: T\nparameters:\n  - name: n\n    type: strng\n",
     "param.type", Severity::kError, "parameters[0].type", 5, 0, "did you mean 'string'?"},
    {"DuplicateParam",
     "id: t\ntitle: T\nparameters:\n  - name: n\n    type: int\n  - name: n\n    type: int\n",
     "param.duplicate", Severity::kError, "parameters[1].name", 6},
    {"DefaultOutOfRange",
     "id: t\ntitle: T\nparameters:\n  - name: n\n    type: int\n    max: 10\n    default: 20\n",
     "param.default", Severity::kError, "parameters[0].default", 7},
    {"DefaultNotInEnum",
     "id: t\ntitle: T\nparameters:\n  - name: r\n    type: enum\n    values: [a, b]\n"
     "    default: c\n",
     "param.default", Severity::kError, "parameters[0].default", 7},
    {"UnknownOutput", "id: t\ntitle: T\noutputs: [pdf, docx]\n", "output.format", Severity::kError,
     "outputs[1]", 3},
    {"UnknownPlaceholderParam", "id: t\ntitle: \"For {{ params.regoin }}\"\n", "ref.param",
     Severity::kError, "title", 2},
    {"RowArity",
     "id: t\ntitle: T\nsources:\n  s:\n    kind: inline\n    columns:\n"
     "      - {name: a, type: int}\n    rows:\n      - [1]\n      - [2]\n      - [3, 4]\n",
     "source.row", Severity::kError, "sources.s.rows[2]", 11},
    {"CellWrongType",
     "id: t\ntitle: T\nsources:\n  s:\n    kind: inline\n    columns:\n"
     "      - {name: a, type: int}\n    rows:\n      - [x]\n",
     "source.value", Severity::kError, "sources.s.rows[0][0]", 9},
    {"UnknownColumnType",
     "id: t\ntitle: T\nsources:\n  s:\n    kind: inline\n    columns:\n"
     "      - {name: a, type: flaot}\n",
     "column.type", Severity::kError, "sources.s.columns[0].type", 7, 0, "did you mean 'float'?"},
    {"UnknownSourceKind", "id: t\ntitle: T\nsources:\n  s:\n    kind: sql\n", "source.kind",
     Severity::kError, "sources.s.kind", 5},
    {"UnknownChartType",
     WithSections("  - chart: {type: bra, source: sales, x: month, y: [revenue]}\n"), "chart.type",
     Severity::kError, "sections[0].chart.type", 17, 0, "did you mean 'bar'?"},
    {"UnknownSource", WithSections("  - heading: H\n  - table: {source: sale}\n"), "ref.source",
     Severity::kError, "sections[1].table.source", 18, 0, "did you mean 'sales'?"},
    {"UnknownYColumn",
     WithSections("  - text: A\n  - chart:\n      type: bar\n      source: sales\n      x: month\n"
                  "      y: [revenue, revenu2, profit]\n"),
     "ref.column", Severity::kError, "sections[1].chart.y[1]", 22, 0, "did you mean 'revenue'?"},
    {"UnknownXColumn", WithSections("  - chart: {type: bar, source: sales, x: mnth, y: revenue}\n"),
     "ref.column", Severity::kError, "sections[0].chart.x", 17, 0, "did you mean 'month'?"},
    {"TextYColumn", WithSections("  - chart: {type: bar, source: sales, x: month, y: month}\n"),
     "chart.y_type", Severity::kError, "sections[0].chart.y", 17},
    {"ChartMissingX", WithSections("  - chart: {type: bar, source: sales, y: revenue}\n"),
     "field.required", Severity::kError, "sections[0].chart.x", 17},
    {"PlaceholderInText", WithSections("  - text: \"Hi {{ params.regon }}\"\n"), "ref.param",
     Severity::kError, "sections[0].text", 17, 0, "did you mean 'region'?"},
    {"UnknownSectionKind", WithSections("  - heding: H\n"), "section.kind", Severity::kError,
     "sections[0]", 17, 0, "did you mean 'heading'?"},
    {"TwoSectionKinds", WithSections("  - heading: H\n    text: T\n"), "section.kind",
     Severity::kError, "sections[0]", 18},
    {"UnknownChartField",
     WithSections("  - chart: {type: bar, source: sales, x: month, y: revenue, titel: X}\n"),
     "field.unknown", Severity::kWarning, "sections[0].chart.titel", 17, 0,
     "did you mean 'title'?"},
    {"ChartTooWide",
     WithSections("  - chart: {type: bar, source: sales, x: month, y: revenue, width: -5}\n"),
     "chart.size", Severity::kError, "sections[0].chart.width", 17},
    {"SectionsNotList", "id: t\ntitle: T\nsections: {heading: H}\n", "field.type", Severity::kError,
     "sections", 3},
};

INSTANTIATE_TEST_SUITE_P(Rules, ValidationRuleTest, testing::ValuesIn(kRuleCases),
                         [](const testing::TestParamInfo<RuleCase>& info) {
                           return std::string(info.param.name);
                         });

// Every chart type the language names validates; those the renderer does
// not draw yet render as a placeholder (see render_test.cc).
TEST(ParseTemplateTest, AllChartTypesAreValid) {
  for (const std::string& type : ChartTypeNames()) {
    const std::string x = type == "scatter" || type == "histogram" ? "revenue" : "month";
    const std::string y = type == "histogram" ? "" : ", y: [revenue]";
    ParseResult r = ParseTemplate(
        WithSections("  - chart: {type: " + type + ", source: sales, x: " + x + y + "}\n"));
    for (const ValidationIssue& i : r.issues) ADD_FAILURE() << type << ": " << FormatIssue(i);
    ASSERT_TRUE(r.tmpl.has_value()) << type;
    EXPECT_EQ(ChartTypeName(r.tmpl->sections[0].chart.type), type);
  }
}

TEST(ParseTemplateTest, SyntaxErrorHasLineAndColumn) {
  ParseResult r = ParseTemplate("id: t\ntitle: T\nsections:\n  - heading: [unclosed\n");
  ASSERT_FALSE(r.issues.empty());
  const ValidationIssue& i = r.issues.front();
  EXPECT_EQ(i.code, "yaml.syntax");
  EXPECT_EQ(i.severity, Severity::kCritical);
  EXPECT_GE(i.line, 4);
  EXPECT_GT(i.column, 0);
  EXPECT_FALSE(r.tmpl.has_value());
  EXPECT_TRUE(HasBlockingIssues(r.issues));

  ParseResult tab = ParseTemplate("id: t\ntitle: T\n\tbad: 1\n");
  ASSERT_FALSE(tab.issues.empty());
  EXPECT_EQ(tab.issues.front().code, "yaml.syntax");
  EXPECT_EQ(tab.issues.front().line, 3);
  EXPECT_EQ(tab.issues.front().column, 1);

  ParseResult value = ParseTemplate("id: t\ntitle: a: b\n");
  ASSERT_FALSE(value.issues.empty());
  EXPECT_EQ(value.issues.front().code, "yaml.syntax");
  EXPECT_EQ(value.issues.front().line, 2);
  EXPECT_EQ(value.issues.front().column, 9);
}

TEST(ParseTemplateTest, EmptyDocumentIsCritical) {
  ParseResult r = ParseTemplate("");
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].code, "template.root");
  EXPECT_EQ(r.issues[0].severity, Severity::kCritical);
}

TEST(ParseTemplateTest, WarningsDoNotBlock) {
  ParseResult r = ParseTemplate("id: t\ntitle: T\ncolour: red\n");
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].severity, Severity::kWarning);
  EXPECT_TRUE(r.tmpl.has_value());
}

TEST(FormatIssueTest, Format) {
  ValidationIssue i{
      Severity::kError, "ref.column", "no column 'x'", "sections[3].chart.y[1]", 12, 7, ""};
  EXPECT_EQ(FormatIssue(i), "12:7: error: no column 'x' [ref.column] (sections[3].chart.y[1])");
  i.path = "";
  i.suggestion = "did you mean 'y'?";
  EXPECT_EQ(FormatIssue(i), "12:7: error: no column 'x' [ref.column] — did you mean 'y'?");
}

// ---------------------------------------------------------------------------
// ResolveParameters, ExpandPlaceholders, BuildInlineTable

ReportTemplate ParamsTemplate() {
  ParseResult r = ParseTemplate(R"(id: p
title: P
parameters:
  - name: region
    type: enum
    required: true
    values: [North, South]
  - name: quarter
    type: string
    default: "Q4"
  - name: n
    type: int
    min: 1
    max: 10
  - name: ratio
    type: float
    default: 0.5
  - name: day
    type: date
  - name: flag
    type: bool
)");
  EXPECT_TRUE(r.tmpl.has_value());
  return r.tmpl.value_or(ReportTemplate());
}

TEST(ResolveParametersTest, DefaultsAppliedAndValuesConverted) {
  StatusOr<ParamValues> v = ResolveParameters(
      ParamsTemplate(), {{"region", "South"}, {"n", "7"}, {"day", "2024-03-01"}, {"flag", "yes"}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->at("region").text, "South");
  EXPECT_EQ(v->at("quarter").text, "Q4");
  EXPECT_EQ(v->at("n").int_value, 7);
  EXPECT_DOUBLE_EQ(v->at("ratio").float_value, 0.5);
  EXPECT_EQ(v->at("day").text, "2024-03-01");
  EXPECT_EQ(v->at("flag").text, "true");
  EXPECT_EQ(v->at("flag").int_value, 1);
}

TEST(ResolveParametersTest, OptionalWithoutDefaultIsAbsent) {
  StatusOr<ParamValues> v = ResolveParameters(ParamsTemplate(), {{"region", "North"}});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->count("n"), 0u);
  EXPECT_EQ(v->count("day"), 0u);
}

struct BadParamsCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> values;
  const char* message_part;
};

class BadParametersTest : public testing::TestWithParam<BadParamsCase> {};

TEST_P(BadParametersTest, Rejected) {
  StatusOr<ParamValues> v = ResolveParameters(ParamsTemplate(), GetParam().values);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find(GetParam().message_part), std::string::npos)
      << v.status().message();
}

const BadParamsCase kBadParams[] = {
    {"MissingRequired", {}, "missing required parameter 'region'"},
    {"UnknownParameter", {{"region", "North"}, {"regoin", "x"}}, "unknown parameter 'regoin'"},
    {"NotInEnum", {{"region", "East"}}, "parameter 'region': 'East' is not one of: North, South"},
    {"AboveMax", {{"region", "North"}, {"n", "11"}}, "parameter 'n': 11 is above the maximum 10"},
    {"BelowMin", {{"region", "North"}, {"n", "0"}}, "parameter 'n': 0 is below the minimum 1"},
    {"NotAnInt", {{"region", "North"}, {"n", "7.5"}}, "parameter 'n': '7.5' is not an integer"},
    {"BadDate", {{"region", "North"}, {"day", "2024-02-30"}}, "parameter 'day'"},
    {"BadBool", {{"region", "North"}, {"flag", "maybe"}}, "parameter 'flag'"},
    {"GivenTwice", {{"region", "North"}, {"region", "South"}}, "more than once"},
};

INSTANTIATE_TEST_SUITE_P(Params, BadParametersTest, testing::ValuesIn(kBadParams),
                         [](const testing::TestParamInfo<BadParamsCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ExpandPlaceholdersTest, ParamsAndNow) {
  ParamValues params;
  params["region"].text = "North";
  const auto t = std::chrono::system_clock::from_time_t(1718454600);  // 2024-06-15 12:30 UTC
  EXPECT_EQ(ExpandPlaceholders("Sales {{ params.region }} at {{now}}; {{ params.missing }}|"
                               "{{ other }} {{ unclosed",
                               params, t),
            "Sales North at 2024-06-15 12:30 UTC; |{{ other }} {{ unclosed");
}

TEST(BuildInlineTableTest, BuildsTypedTable) {
  SourceSpec s;
  s.name = "s";
  s.columns = {{"m", ColumnType::kText}, {"v", ColumnType::kFloat}};
  s.rows = {{"Jan", "1.5"}, {"Feb", std::nullopt}};
  StatusOr<Table> t = BuildInlineTable(s);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->num_rows(), 2u);
  EXPECT_TRUE(t->FindColumn("v")->IsNull(1));
  s.rows.push_back({"Mar", "abc"});
  StatusOr<Table> bad = BuildInlineTable(s);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("row 2"), std::string::npos) << bad.status().message();
}

// ---------------------------------------------------------------------------
// The richer model: header, parameter types, sources, transforms, sections

TEST(ParseTemplateTest, HeaderSourcesTransformsAndSectionsAreModelled) {
  ParseResult r = ParseTemplate(R"yaml(id: full
title: T
owner: me@example.com
page: {size: Letter, orientation: landscape, margins: {top: 20, left: 30}}
theme: {palette: ["#112233", "#aabbcc"], font: "DejaVu Serif", font_size: 11}
timeouts: {collect: 90s, render: 5m}
parameters:
  - {name: sites, type: list, items: {type: enum, values: [a, b]}, default: [a, b]}
  - {name: at, type: datetime, default: "2024-06-01T08:30"}
  - {name: code, type: string, pattern: "[A-Z]{3}", default: ABC}
sources:
  db:
    kind: postgres
    connection: main
    query: "SELECT site, n FROM t WHERE site = ANY($1)"
    params: [params.sites]
    cache_ttl: 10m
    optional: true
    columns: [{name: site, type: text}, {name: n, type: int}]
transforms:
  top:
    from: db
    filter: "n > 0 and site in ['a', 'b']"
    derive: {double: "n * 2"}
    group_by: [site]
    aggregate: {total: sum(n), rows: count(), biggest: max(double)}
    sort: [-total]
    limit: 5
    other: true
sections:
  - kpi: {label: Total, source: top, column: total, format: "#,##0"}
  - for_each: site
    source: db
    when: "params.code != 'XYZ'"
    sections:
      - heading: "Site {{ group | upper }}"
      - table: {source: db, columns: [site, {name: n, label: Count, format: "0"}], totals: true}
)yaml");
  for (const ValidationIssue& i : r.issues) ADD_FAILURE() << FormatIssue(i);
  ASSERT_TRUE(r.tmpl.has_value());
  const ReportTemplate& t = *r.tmpl;
  EXPECT_EQ(t.owner, "me@example.com");
  EXPECT_EQ(t.page.size, PageSize::kLetter);
  EXPECT_EQ(t.page.orientation, PageOrientation::kLandscape);
  EXPECT_EQ(t.page.margin_top, 20);
  EXPECT_EQ(t.page.margin_right, 50);
  EXPECT_EQ(t.theme.palette, (std::vector<uint32_t>{0x112233, 0xAABBCC}));
  EXPECT_EQ(t.theme.font, "DejaVu Serif");
  EXPECT_EQ(t.timeouts.collect, std::chrono::seconds(90));
  EXPECT_EQ(t.timeouts.render, std::chrono::minutes(5));
  EXPECT_FALSE(t.timeouts.validate.has_value());
  ASSERT_EQ(t.parameters.size(), 3u);
  EXPECT_EQ(t.parameters[0].type, ParamType::kList);
  EXPECT_EQ(t.parameters[0].item_type, ParamType::kEnum);
  EXPECT_EQ(t.parameters[0].default_value, "a,b");
  const SourceSpec& db = t.sources[0];
  EXPECT_EQ(db.kind, SourceKind::kPostgres);
  EXPECT_EQ(db.bind_params, std::vector<std::string>{"sites"});
  EXPECT_EQ(db.cache_ttl, std::chrono::minutes(10));
  EXPECT_TRUE(db.optional);
  EXPECT_TRUE(db.columns_known);
  ASSERT_EQ(t.transforms.size(), 1u);
  const TransformSpec& top = t.transforms[0];
  EXPECT_EQ(top.from, "db");
  ASSERT_EQ(top.aggregate.size(), 3u);
  EXPECT_EQ(top.aggregate[1].function, AggregateFunction::kCount);
  EXPECT_TRUE(top.sort[0].descending);
  EXPECT_EQ(top.limit, 5);
  EXPECT_TRUE(top.columns_known);
  std::vector<std::string> names;
  for (const ColumnSpec& c : top.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"site", "total", "rows", "biggest"}));
  EXPECT_EQ(top.columns[1].type, ColumnType::kInt);    // sum of an int column
  EXPECT_EQ(top.columns[3].type, ColumnType::kFloat);  // max of a derived float
  ASSERT_EQ(t.sections.size(), 2u);
  EXPECT_EQ(t.sections[0].kind, SectionKind::kKpi);
  EXPECT_EQ(t.sections[0].kpi.source, "top");
  const Section& block = t.sections[1];
  EXPECT_EQ(block.kind, SectionKind::kForEach);
  EXPECT_EQ(block.for_each, "site");
  EXPECT_EQ(block.when, "params.code != 'XYZ'");
  ASSERT_EQ(block.sections.size(), 2u);
  EXPECT_EQ(block.sections[1].table.columns[1].label, "Count");
  EXPECT_TRUE(block.sections[1].table.totals);
}

TEST(ParseTemplateTest, PivotMakesColumnsUnknownSoLaterStepsAreNotChecked) {
  ParseResult r = ParseTemplate(R"(id: p
title: T
sources:
  s: {kind: inline, columns: [{name: m, type: text}, {name: r, type: text}, {name: v, type: int}]}
transforms:
  wide: {from: s, pivot: {index: m, columns: r, values: v}}
sections:
  - chart: {type: bar, source: wide, x: m, y: [North, South]}
)");
  for (const ValidationIssue& i : r.issues) ADD_FAILURE() << FormatIssue(i);
  ASSERT_TRUE(r.tmpl.has_value());
  EXPECT_FALSE(r.tmpl->transforms[0].columns_known);
}

TEST(BindParameterValueTest, ListsDatetimesAndPatterns) {
  ParameterSpec list;
  list.name = "ids";
  list.type = ParamType::kList;
  list.item_type = ParamType::kInt;
  list.max = 10;
  StatusOr<ParamValue> v = BindParameterValue(list, " 3, 4 ,5");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->text, "3, 4, 5");
  ASSERT_EQ(v->items.size(), 3u);
  EXPECT_EQ(v->items[2].int_value, 5);
  EXPECT_TRUE(BindParameterValue(list, "").ok());
  StatusOr<ParamValue> big = BindParameterValue(list, "3,11");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("11 is above the maximum 10"), std::string::npos);

  ParameterSpec at;
  at.name = "at";
  at.type = ParamType::kDatetime;
  StatusOr<ParamValue> t = BindParameterValue(at, "2024-06-01T08:30Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "2024-06-01 08:30:00");
  EXPECT_EQ(t->int_value, 1717230600);
  EXPECT_FALSE(BindParameterValue(at, "2024-06-01").ok());

  ParameterSpec code;
  code.name = "code";
  code.pattern = "[A-Z]{3}";
  EXPECT_TRUE(BindParameterValue(code, "ABC").ok());
  StatusOr<ParamValue> bad = BindParameterValue(code, "ABCD");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("does not match the pattern"), std::string::npos);
}

TEST(ParseDurationTest, UnitsAndRejects) {
  EXPECT_EQ(ParseDuration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(ParseDuration("2h"), std::chrono::hours(2));
  EXPECT_EQ(ParseDuration("250ms"), std::chrono::milliseconds(250));
  for (const char* bad : {"", "5", "s", "0s", "-5s", "5 s", "1.5m", "5d"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(NumberFormatTest, PatternsFormat) {
  const auto fmt = [](double v, const char* pattern) {
    auto f = ParseNumberFormat(pattern);
    EXPECT_TRUE(f.ok()) << pattern;
    return f.ok() ? FormatNumber(v, *f) : "";
  };
  EXPECT_EQ(fmt(1234567.891, "#,##0.00"), "1,234,567.89");
  EXPECT_EQ(fmt(-1234.5, "#,##0"), "-1,235");
  EXPECT_EQ(fmt(0.1234, "0.0%"), "12.3%");
  EXPECT_EQ(fmt(955636.5, "$#,##0"), "$955,637");
  EXPECT_EQ(fmt(3.5, "0.##"), "3.5");
  EXPECT_EQ(fmt(3, "0.##"), "3");
  EXPECT_EQ(fmt(0.5, "#.00"), ".50");
  EXPECT_EQ(fmt(-0.001, "0.0"), "0.0");
  EXPECT_FALSE(ParseNumberFormat("abc").ok());
  EXPECT_FALSE(ParseNumberFormat("0.0.0").ok());
  EXPECT_FALSE(ParseNumberFormat("0 x 0").ok());
  EXPECT_TRUE(IsDateFormat("%Y-%m"));
  EXPECT_FALSE(IsDateFormat("0.0%"));
  EXPECT_FALSE(CheckDateFormat("%Q").ok());
  EXPECT_FALSE(CheckDateFormat("%Y%").ok());
  EXPECT_EQ(FormatTimestamp(1717230600, "%B %Y, %a %d %H:%M"), "June 2024, Sat 01 08:30");
}

ParamValue Value(ParamType type, std::string text, int64_t i = 0, double f = 0) {
  ParamValue v;
  v.type = type;
  v.text = std::move(text);
  v.int_value = i;
  v.float_value = f;
  return v;
}

TEST(EvaluateConditionTest, GrammarAndValues) {
  ParamValues p;
  p["region"] = Value(ParamType::kEnum, "North");
  p["n"] = Value(ParamType::kInt, "7", 7, 7);
  p["flag"] = Value(ParamType::kBool, "true", 1);
  ParamValue list = Value(ParamType::kList, "a, b");
  list.items = {Value(ParamType::kString, "a"), Value(ParamType::kString, "b")};
  p["tags"] = list;
  const auto eval = [&](const char* e) {
    StatusOr<bool> v = EvaluateCondition(e, p);
    EXPECT_TRUE(v.ok()) << e << ": " << v.status().ToString();
    return v.ok() && *v;
  };
  EXPECT_TRUE(eval("params.region != 'All'"));
  EXPECT_FALSE(eval("params.region == \"South\""));
  EXPECT_TRUE(eval("params.n >= 5 and params.n < 10"));
  EXPECT_TRUE(eval("not (params.n % 2 == 0) or false"));
  EXPECT_TRUE(eval("params.n * 2 + 1 == 15"));
  EXPECT_TRUE(eval("params.flag"));
  EXPECT_TRUE(eval("'b' in params.tags"));
  EXPECT_TRUE(eval("params.region in ['North', 'South']"));
  EXPECT_FALSE(eval("params.missing"));
  EXPECT_TRUE(eval("params.missing == null"));
  EXPECT_TRUE(eval("-params.n < 0"));
  for (const char* bad :
       {"params.n >", "params.n = 1", "(params.n", "region == 'x'", "'open", "params.", "a.b"}) {
    EXPECT_FALSE(EvaluateCondition(bad, p).ok()) << bad;
  }
  // Deep nesting is refused, not a stack overflow.
  const std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
  StatusOr<bool> nested = EvaluateCondition(deep, p);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("nested too deeply"), std::string::npos);
  EXPECT_FALSE(EvaluateCondition(std::string(100000, '-') + "1", p).ok());
  EXPECT_TRUE(EvaluateCondition("not not not not params.flag == false", p).ok());
}

TEST(ExpandPlaceholdersTest, DataGroupsAndFilters) {
  ParamValues params;
  params["month"] = Value(ParamType::kDate, "2024-06-01", 19875);
  params["ratio"] = Value(ParamType::kFloat, "0.256", 0, 0.256);
  ReportData data;
  Table& t = data.tables["sales"];
  Column* region = t.AddColumn("region", ColumnType::kText);
  Column* revenue = t.AddColumn("revenue", ColumnType::kFloat);
  Column* units = t.AddColumn("units", ColumnType::kInt);
  region->AppendText("north");
  revenue->AppendFloat(1200.5);
  units->AppendInt(3);
  region->AppendText("south");
  revenue->AppendFloat(800);
  units->AppendInt(4);
  PlaceholderContext ctx;
  ctx.params = &params;
  ctx.data = &data;
  ctx.now = std::chrono::system_clock::from_time_t(1718454600);  // 2024-06-15 12:30 UTC
  const auto x = [&](const std::string& text) { return ExpandPlaceholders(text, ctx); };
  EXPECT_EQ(x("{{ params.month | date(\"%B %Y\") }}"), "June 2024");
  EXPECT_EQ(x("{{ params.ratio | number('0.0%') }}"), "25.6%");
  EXPECT_EQ(x("{{ sales.region | upper }}"), "NORTH");
  EXPECT_EQ(x("{{ sales.revenue | sum | number(\"#,##0.00\") }}"), "2,000.50");
  EXPECT_EQ(x("{{ sales.units | sum }} / {{ sales.units | avg }} / {{ sales.region | count }}"),
            "7 / 3.5 / 2");
  EXPECT_EQ(x("{{ sales.units | max }}"), "4");
  EXPECT_EQ(x("{{ params.absent | default(\"n/a\") }}|{{ nope.x | default('-') }}"), "n/a|-");
  EXPECT_EQ(x("{{ now | date('%d %b') }}"), "15 Jun");
  EXPECT_EQ(x("{{ group }}"), "{{ group }}");  // outside a for_each block
  ctx.group = "Lyon";
  EXPECT_EQ(x("Site {{ group | lower }}"), "Site lyon");
  // Inside a for_each block the block's source is the group's rows.
  Table only_south = t.SelectRows({1});
  ctx.group_source = "sales";
  ctx.group_table = &only_south;
  EXPECT_EQ(x("{{ sales.region }} {{ sales.units | sum }}"), "south 4");
}

TEST(AggregateColumnTest, Functions) {
  Column c("v", ColumnType::kFloat);
  for (double v : {4.0, 1.0, 3.0, 2.0}) c.AppendFloat(v);
  c.AppendNull();
  c.AppendFloat(2.0);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kSum), 12);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kCount), 5);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kCountDistinct), 4);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kAvg), 2.4);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kMin), 1);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kMax), 4);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kMedian), 2);
  EXPECT_DOUBLE_EQ(AggregateColumn(c, AggregateFunction::kP95), 3.8);
  Column empty("e", ColumnType::kInt);
  EXPECT_TRUE(std::isnan(AggregateColumn(empty, AggregateFunction::kSum)));
  EXPECT_DOUBLE_EQ(AggregateColumn(empty, AggregateFunction::kCount), 0);
}

TEST(BuildLocalTableTest, InlineFallbackOptionalAndUnavailable) {
  ParseResult r = ParseTemplate(R"(id: l
title: T
sources:
  sample: {kind: inline, columns: [{name: a, type: int}], rows: [[1], [2]]}
  db: {kind: postgres, connection: c, query: "SELECT 1", cache_ttl: 1m, fallback: sample}
  feed: {kind: http, url: "https://example.com", cache_ttl: 1m, optional: true}
  file: {kind: csv, path: x.csv}
)");
  ASSERT_TRUE(r.tmpl.has_value());
  const ReportTemplate& t = *r.tmpl;
  EXPECT_TRUE(t.FindSource("db")->columns_known);  // the fallback's schema
  auto db = BuildLocalTable(t, *t.FindSource("db"));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->has_value());
  EXPECT_EQ((*db)->num_rows(), 2u);
  auto feed = BuildLocalTable(t, *t.FindSource("feed"));
  ASSERT_TRUE(feed.ok());
  EXPECT_FALSE(feed->has_value());
  auto file = BuildLocalTable(t, *t.FindSource("file"));
  EXPECT_EQ(file.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(file.status().message().find("source kind 'csv' is not available yet"),
            std::string::npos)
      << file.status().message();
}

TEST(TableTest, SelectRowsAndDatetimes) {
  Table t;
  t.AddColumn("k", ColumnType::kText);
  t.AddColumn("v", ColumnType::kInt);
  ASSERT_TRUE(t.AppendTextRow({"a", "1"}).ok());
  ASSERT_TRUE(t.AppendTextRow({"b", std::nullopt}).ok());
  ASSERT_TRUE(t.AppendTextRow({"c", "3"}).ok());
  Table s = t.SelectRows({2, 1});
  ASSERT_EQ(s.num_rows(), 2u);
  EXPECT_EQ(s.column(0).AsString(0), "c");
  EXPECT_EQ(s.column(1).AsString(0), "3");
  EXPECT_TRUE(s.column(1).IsNull(1));
  EXPECT_EQ(ParseDatetime("1970-01-02 00:00:01"), 86401);
  EXPECT_EQ(ParseDatetime("2024-02-30T00:00"), std::nullopt);
  EXPECT_EQ(ParseDatetime("2024-01-01T24:00"), std::nullopt);
  EXPECT_EQ(FormatDatetime(-1), "1969-12-31 23:59:59");
}

}  // namespace
}  // namespace quire
