// TemplateParser: chart sections — the six chart types, what each needs of
// x and y (categories and numeric series; numeric x for scatter and
// histogram; one series for pie), colours, sizes, the series limit and the
// scatter performance hint.
#include "common/template/internal/template_parser.h"

namespace quire::internal {
namespace {

const std::vector<std::string> kChartFields = {
    "type",       "source",  "x",      "y",      "title",  "x_axis_title", "y_axis_title",
    "colors",     "show_legend", "legend", "width",  "height", "stacked",      "horizontal",
    "markers",    "donut",   "labels", "bins",   "bin_width"};
constexpr double kMaxChartSize = 2000;  // pt
constexpr double kMaxBins = 200;

}  // namespace

std::optional<ChartSpec> TemplateParser::ParseChartSection(const yaml::Node& node,
                                                           const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return std::nullopt;
  const std::vector<YamlField> fields = reader_.Fields(node, path, kChartFields);
  ChartSpec chart;
  bool ok = true;
  if (const YamlField* f = reader_.Require(fields, "type", node, path)) {
    const std::string type_path = JoinPath(path, "type");
    if (auto type = reader_.String(f->value, type_path)) {
      if (auto t = ChartTypeFromName(*type)) {
        chart.type = *t;
      } else {
        ok = false;
        reader_.Report(Severity::kError, "chart.type", "unknown chart type '" + *type + "'",
                       type_path, f->value, SuggestNearest(*type, ChartTypeNames()));
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  const bool histogram = chart.type == ChartType::kHistogram;
  const bool numeric_x = histogram || chart.type == ChartType::kScatter;

  const Dataset* data = nullptr;
  const YamlField* source_field = default_chart_source_.empty()
                                      ? reader_.Require(fields, "source", node, path)
                                      : YamlReader::Find(fields, "source");
  if (source_field != nullptr) {
    data = ResolveDataset(*source_field, JoinPath(path, "source"));
  } else if (!default_chart_source_.empty()) {
    data = FindDataset(default_chart_source_);
  }
  if (data != nullptr) chart.source = data->name;
  ok = ok && data != nullptr;

  if (const YamlField* f = reader_.Require(fields, "x", node, path)) {
    const std::string x_path = JoinPath(path, "x");
    if (auto x = reader_.String(f->value, x_path)) {
      chart.x = *x;
      if (data != nullptr) {
        ok = ResolveColumn(*data, *x, f->value, x_path) && ok;
        const ColumnSpec* column = data->Find(*x);
        if (numeric_x && column != nullptr && !IsNumericType(column->type) &&
            !(chart.type == ChartType::kScatter && column->type == ColumnType::kDate)) {
          ok = false;
          reader_.Report(Severity::kError, "chart.x_type",
                         "column '" + *x + "' is " + ColumnTypeName(column->type) + "; a " +
                             ChartTypeName(chart.type) + " chart needs a numeric x",
                         x_path, f->value);
        }
      }
    }
  } else {
    ok = false;
  }

  const YamlField* y_field =
      histogram ? YamlReader::Find(fields, "y") : reader_.Require(fields, "y", node, path);
  if (histogram && y_field != nullptr) {
    reader_.Report(Severity::kWarning, "field.ignored",
                   "a histogram counts the values of x; y is ignored", JoinPath(path, "y"),
                   y_field->key_node);
  } else if (y_field != nullptr) {
    const std::string y_path = JoinPath(path, "y");
    // y: revenue  or  y: [r2023, r2024]
    std::vector<std::pair<yaml::Node, std::string>> items;
    if (y_field->value.IsSequence()) {
      for (size_t i = 0; i < y_field->value.size(); ++i) {
        items.emplace_back(y_field->value[i], IndexPath(y_path, i));
      }
      if (items.empty()) {
        ok = false;
        reader_.Report(Severity::kError, "field.required", "y needs at least one column", y_path,
                       y_field->value);
      }
    } else {
      items.emplace_back(y_field->value, y_path);
    }
    if (items.size() > TemplateLimits::kMaxSeries) {
      ok = false;
      reader_.Report(Severity::kError, "limit.series",
                     "the chart has " + std::to_string(items.size()) + " series; at most " +
                         std::to_string(TemplateLimits::kMaxSeries) + " are allowed",
                     y_path, y_field->value, "pivot or filter the data to fewer series");
    }
    if (chart.type == ChartType::kPie && items.size() > 1) {
      ok = false;
      reader_.Report(
          Severity::kError, "chart.series",
          "a pie chart shows one series; y names " + std::to_string(items.size()) + " columns",
          y_path, y_field->value, "draw one pie per column, or use a bar chart");
    }
    for (const auto& [item, item_path] : items) {
      auto y = reader_.String(item, item_path);
      if (!y) continue;
      chart.y.push_back(*y);
      if (data == nullptr) continue;
      if (!ResolveColumn(*data, *y, item, item_path)) {
        ok = false;
        continue;
      }
      const ColumnSpec* column = data->Find(*y);
      if (column != nullptr && !IsNumericType(column->type)) {
        ok = false;
        reader_.Report(Severity::kError, "chart.y_type",
                       "column '" + *y + "' is " + ColumnTypeName(column->type) +
                           "; chart values need an int or float column",
                       item_path, item);
      }
    }
  } else if (!histogram) {
    ok = false;
  }

  ReadText(fields, "title", path, &chart.title);
  ReadText(fields, "x_axis_title", path, &chart.x_axis_title);
  ReadText(fields, "y_axis_title", path, &chart.y_axis_title);
  if (const YamlField* f = YamlReader::Find(fields, "colors"); f && !f->value.IsNull()) {
    chart.colors = ReadColors(f->value, JoinPath(path, "colors"));
  }
  if (const YamlField* f = YamlReader::Find(fields, "show_legend")) {
    if (auto b = reader_.Bool(f->value, JoinPath(path, "show_legend"))) chart.show_legend = *b;
  }
  if (const YamlField* f = YamlReader::Find(fields, "legend")) {
    const std::string p = JoinPath(path, "legend");
    if (auto name = reader_.String(f->value, p)) {
      if (*name == "none") {
        chart.show_legend = false;
      } else if (auto pos = LegendPositionFromName(*name)) {
        chart.legend = *pos;
      } else {
        std::vector<std::string> choices = LegendPositionNames();
        choices.push_back("none");
        reader_.Report(Severity::kError, "chart.legend", "unknown legend position '" + *name + "'",
                       p, f->value, SuggestNearest(*name, choices));
      }
    }
  }
  for (const char* dim : {"width", "height"}) {
    const YamlField* f = YamlReader::Find(fields, dim);
    if (f == nullptr) continue;
    const std::string dim_path = JoinPath(path, dim);
    auto v = reader_.Number(f->value, dim_path);
    if (!v) continue;
    if (*v <= 0 || *v > kMaxChartSize) {
      reader_.Report(
          Severity::kError, "chart.size",
          std::string(dim) + " must be above 0 and at most " + FormatDouble(kMaxChartSize) + " pt",
          dim_path, f->value);
      continue;
    }
    (std::string_view(dim) == "width" ? chart.width : chart.height) = *v;
  }
  // Options that apply to some types only.
  struct Option {
    const char* key;
    bool applies;
    const char* which;
  };
  const Option options[] = {
      {"stacked",
       chart.type == ChartType::kBar || chart.type == ChartType::kArea ||
           chart.type == ChartType::kLine,
       "bar, line and area charts"},
      {"horizontal", chart.type == ChartType::kBar, "bar charts"},
      {"markers", chart.type == ChartType::kLine || chart.type == ChartType::kArea,
       "line and area charts"},
      {"donut", chart.type == ChartType::kPie, "pie charts"},
      {"labels", chart.type == ChartType::kPie, "pie charts"},
      {"bins", histogram, "histograms"},
      {"bin_width", histogram, "histograms"},
  };
  for (const Option& o : options) {
    const YamlField* f = YamlReader::Find(fields, o.key);
    if (f == nullptr) continue;
    const std::string p = JoinPath(path, o.key);
    if (!o.applies) {
      reader_.Report(Severity::kWarning, "field.ignored",
                     std::string(o.key) + " applies only to " + o.which, p, f->key_node);
      continue;
    }
    const std::string_view key = o.key;
    if (key == "bins") {
      if (auto v = ReadNumberIn(*f, p, 1, kMaxBins)) chart.bins = static_cast<int>(*v);
    } else if (key == "bin_width") {
      if (auto v = ReadNumberIn(*f, p, 1e-9, 1e12)) chart.bin_width = *v;
    } else if (key == "donut") {
      if (auto v = ReadNumberIn(*f, p, 0, 0.9)) chart.donut = *v;
    } else if (auto b = reader_.Bool(f->value, p)) {
      if (key == "stacked") chart.stacked = *b;
      if (key == "horizontal") chart.horizontal = *b;
      if (key == "markers") chart.markers = *b;
      if (key == "labels") chart.labels = *b;
    }
  }
  if (chart.type == ChartType::kScatter && data != nullptr &&
      data->inline_rows * std::max<size_t>(1, chart.y.size()) >
          TemplateLimits::kScatterPointsHint) {
    reader_.Report(Severity::kInfo, "perf.scatter_points",
                   "the scatter chart draws " +
                       std::to_string(data->inline_rows * std::max<size_t>(1, chart.y.size())) +
                       " points: slow to render and hard to read",
                   JoinPath(path, "source"), source_field->value,
                   "sample the data, or use a histogram");
  }
  if (!ok) return std::nullopt;
  return chart;
}

}  // namespace quire::internal
