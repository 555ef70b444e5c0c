// XlsxCharts: chart blocks, the Excel chart types, series styles and
// axes, and the ChartData and Charts sheets.
#include "report/render/internal/xlsx_charts.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "report/charts/chart.h"
#include "report/charts/chart_data.h"
#include "report/charts/histogram_bins.h"

namespace quire {
namespace {

// Charts: 605x360 px (libxlsxwriter's default is 480x288), two a row, each
// in a cell grid of 10 columns by 20 rows.
constexpr double kChartXScale = 605.0 / 480.0;
constexpr double kChartYScale = 360.0 / 288.0;
constexpr lxw_col_t kChartGridColumns = 10;
constexpr lxw_row_t kChartGridRows = 20;

// libxlsxwriter reads a chart text starting with "=" as a cell reference.
std::string ChartText(std::string text) {
  if (!text.empty() && text[0] == '=') text.insert(0, " ");
  return text;
}

uint8_t ExcelChartType(const ChartSpec& spec) {
  switch (spec.type) {
    case ChartType::kBar:
      if (spec.horizontal) return spec.stacked ? LXW_CHART_BAR_STACKED : LXW_CHART_BAR;
      return spec.stacked ? LXW_CHART_COLUMN_STACKED : LXW_CHART_COLUMN;
    case ChartType::kLine:
      return spec.stacked ? LXW_CHART_LINE_STACKED : LXW_CHART_LINE;
    case ChartType::kArea:
      return spec.stacked ? LXW_CHART_AREA_STACKED : LXW_CHART_AREA;
    case ChartType::kPie:
      return spec.donut > 0 ? LXW_CHART_DOUGHNUT : LXW_CHART_PIE;
    case ChartType::kScatter:
      return LXW_CHART_SCATTER;
    case ChartType::kHistogram:
      return LXW_CHART_COLUMN;
  }
  return LXW_CHART_COLUMN;
}

uint8_t ExcelLegendPosition(const ChartSpec& spec) {
  if (!spec.show_legend || spec.type == ChartType::kHistogram) return LXW_CHART_LEGEND_NONE;
  switch (spec.legend) {
    case LegendPosition::kRight:
      return LXW_CHART_LEGEND_RIGHT;
    case LegendPosition::kTop:
      return LXW_CHART_LEGEND_TOP;
    case LegendPosition::kBottom:
      break;
  }
  return LXW_CHART_LEGEND_BOTTOM;
}

// Colours one series (or, for a pie, its slices) from `palette`.
lxw_error StyleSeries(const ChartBlock& block, lxw_chart_series* series, size_t index,
                      const std::vector<uint32_t>& palette) {
  const ChartSpec& spec = block.spec;
  const uint32_t color = palette[index % palette.size()];
  lxw_chart_fill fill{};
  fill.color = color;
  lxw_chart_line line{};
  line.color = color;
  switch (spec.type) {
    case ChartType::kBar:
    case ChartType::kArea:
      chart_series_set_fill(series, &fill);
      chart_series_set_line(series, &line);
      break;
    case ChartType::kHistogram: {
      chart_series_set_fill(series, &fill);
      lxw_chart_line border{};
      border.color = 0xFFFFFF;
      chart_series_set_line(series, &border);
      break;
    }
    case ChartType::kLine: {
      line.width = 2.25f;
      chart_series_set_line(series, &line);
      const size_t points = block.data.num_rows();
      if (spec.markers.value_or(points <= 30)) {
        chart_series_set_marker_type(series, LXW_CHART_MARKER_CIRCLE);
        chart_series_set_marker_size(series, 5);
        chart_series_set_marker_fill(series, &fill);
        chart_series_set_marker_line(series, &line);
      } else {
        chart_series_set_marker_type(series, LXW_CHART_MARKER_NONE);
      }
      break;
    }
    case ChartType::kScatter:
      chart_series_set_marker_type(series, LXW_CHART_MARKER_CIRCLE);
      chart_series_set_marker_size(series, 6);
      chart_series_set_marker_fill(series, &fill);
      chart_series_set_marker_line(series, &line);
      break;
    case ChartType::kPie: {
      const size_t n = std::max<size_t>(1, block.data.num_rows());
      std::vector<lxw_chart_fill> fills(n);
      std::vector<lxw_chart_point> points(n);
      std::vector<lxw_chart_point*> pointers;
      for (size_t i = 0; i < n; ++i) {
        fills[i].color = palette[i % palette.size()];
        points[i].fill = &fills[i];
        pointers.push_back(&points[i]);
      }
      pointers.push_back(nullptr);
      if (spec.labels) {
        chart_series_set_labels(series);
        chart_series_set_labels_options(series, LXW_FALSE, LXW_FALSE, LXW_FALSE);
        chart_series_set_labels_percentage(series);
      }
      return chart_series_set_points(series, pointers.data());
    }
  }
  return LXW_NO_ERROR;
}

// Where chart `i` sits on the Charts sheet: A1, K1, A21, K21, ...
std::pair<lxw_row_t, lxw_col_t> ChartCell(size_t i) {
  return {static_cast<lxw_row_t>(i / 2) * kChartGridRows,
          static_cast<lxw_col_t>(i % 2) * kChartGridColumns};
}

// The native chart of `block`, whose data starts at column `col` of
// ChartData, placed at `cell` of `sheet`.
void AddChart(lxw_workbook* wb, const ChartBlock& block, const std::vector<uint32_t>& palette,
              lxw_worksheet* sheet, lxw_col_t col, std::pair<lxw_row_t, lxw_col_t> cell,
              XlsxErrors* errors) {
  const ChartSpec& spec = block.spec;
  lxw_chart* chart = workbook_add_chart(wb, ExcelChartType(spec));
  if (chart == nullptr) {
    errors->Check(LXW_ERROR_MEMORY_MALLOC_FAILED);
    return;
  }
  const lxw_row_t last = static_cast<lxw_row_t>(std::max<size_t>(1, block.data.num_rows()));
  const std::string categories = "=ChartData!" + RangeName(1, col, last, col);
  const std::vector<uint32_t>& colors = spec.colors.empty() ? palette : spec.colors;
  for (size_t s = 1; s < block.data.num_columns(); ++s) {
    const lxw_col_t c = col + static_cast<lxw_col_t>(s);
    const std::string values = "=ChartData!" + RangeName(1, c, last, c);
    lxw_chart_series* series = chart_add_series(chart, categories.c_str(), values.c_str());
    if (series == nullptr) {
      errors->Check(LXW_ERROR_MEMORY_MALLOC_FAILED);
      return;
    }
    chart_series_set_name(series, ("=ChartData!" + CellName(0, c)).c_str());
    errors->Check(StyleSeries(block, series, s - 1, colors));
  }
  if (spec.title.empty()) {
    chart_title_off(chart);
  } else {
    chart_title_set_name(chart, ChartText(spec.title).c_str());
  }
  if (spec.type != ChartType::kPie) {
    // The category axis: libxlsxwriter's x_axis is the horizontal one,
    // which a horizontal bar chart uses for the values.
    const bool sideways = spec.type == ChartType::kBar && spec.horizontal;
    lxw_chart_axis* x_axis = sideways ? chart->y_axis : chart->x_axis;
    lxw_chart_axis* y_axis = sideways ? chart->x_axis : chart->y_axis;
    if (!spec.x_axis_title.empty()) {
      chart_axis_set_name(x_axis, ChartText(spec.x_axis_title).c_str());
    }
    if (!spec.y_axis_title.empty()) {
      chart_axis_set_name(y_axis, ChartText(spec.y_axis_title).c_str());
    }
    // Dates as dates in the axis labels, also for viewers that read only
    // the cached values.
    const std::string x_format = ExcelFormatFor(block.data.column(0).type(), "");
    if (!x_format.empty()) chart_axis_set_num_format(x_axis, x_format.c_str());
  } else if (spec.donut > 0) {
    chart_set_hole_size(chart, static_cast<uint8_t>(std::clamp(
                                   static_cast<int>(std::lround(spec.donut * 100)), 10, 90)));
  }
  if (spec.type == ChartType::kHistogram) chart_set_series_gap(chart, 0);
  chart_legend_set_position(chart, ExcelLegendPosition(spec));
  lxw_chart_options options{};
  options.x_scale = kChartXScale;
  options.y_scale = kChartYScale;
  errors->Check(worksheet_insert_chart_opt(sheet, cell.first, cell.second, chart, &options));
}

}  // namespace

StatusOr<ChartBlock> MakeChartBlock(const ChartSpec& spec, const Table& table) {
  ChartBlock block{spec, Table(), {spec.x}};
  const std::string chart = "chart '" + spec.title + "': ";
  if (spec.type == ChartType::kHistogram) {
    const Column* x = table.FindColumn(spec.x);
    if (x == nullptr) return Status::InvalidArgument(chart + "no column '" + spec.x + "' in data");
    if (x->type() == ColumnType::kText || x->type() == ColumnType::kBool) {
      return Status::InvalidArgument(chart + "column '" + spec.x + "' is " +
                                     ColumnTypeName(x->type()) + ", not a number");
    }
    const HistogramBins bins = ComputeHistogramBins(ColumnValues(*x), spec.bins, spec.bin_width);
    Column* labels = block.data.AddColumn("c0", ColumnType::kText);
    Column* counts = block.data.AddColumn("c1", ColumnType::kInt);
    for (size_t i = 0; i < bins.counts.size(); ++i) {
      labels->AppendText(bins.Label(i));
      counts->AppendInt(bins.counts[i]);
    }
    block.headers.push_back("Count");
    return block;
  }
  const bool categorical = spec.type == ChartType::kBar || spec.type == ChartType::kPie;
  StatusOr<SeriesData> series = ExtractSeries(spec, table, categorical);
  if (!series.ok()) return series.status();
  if (spec.type == ChartType::kScatter && series->x_kind == XKind::kCategories) {
    return Status::InvalidArgument(chart + "column '" + spec.x + "' is " +
                                   ColumnTypeName(table.FindColumn(spec.x)->type()) +
                                   ", not a number");
  }
  // Every column first: Table::AddColumn pads a new column to the rows
  // already there.
  const ColumnType x_type = series->x_kind == XKind::kCategories ? ColumnType::kText
                            : series->x_kind == XKind::kDates    ? ColumnType::kDate
                                                                 : ColumnType::kFloat;
  Column* x = block.data.AddColumn("c0", x_type);
  const size_t shown = spec.type == ChartType::kPie ? std::min<size_t>(1, series->names.size())
                                                    : series->names.size();
  std::vector<Column*> values;
  for (size_t s = 0; s < shown; ++s) {
    values.push_back(block.data.AddColumn("c" + std::to_string(s + 1), ColumnType::kFloat));
    block.headers.push_back(series->names[s]);
  }
  for (size_t r = 0; r < series->rows(); ++r) {
    switch (series->x_kind) {
      case XKind::kCategories:
        x->AppendText(series->categories[r]);
        break;
      case XKind::kNumbers:
        x->AppendFloat(series->x[r]);
        break;
      case XKind::kDates:
        x->AppendDate(static_cast<int64_t>(std::llround(series->x[r])));
        break;
    }
    for (size_t s = 0; s < shown; ++s) values[s]->AppendFloat(series->values[s][r]);
  }
  return block;
}

ChartSheets::ChartSheets(const Theme& theme) {
  const ChartTheme chart_theme = ChartThemeFor(theme);
  for (const Rgb& c : chart_theme.palette) palette_.push_back(c.hex);
}

std::string ChartSheets::Add(ChartBlock block) {
  const auto [row, col] = ChartCell(blocks_.size());
  blocks_.push_back(std::move(block));
  return "Charts!" + CellName(row, col);
}

Status ChartSheets::Write(lxw_workbook* wb, WorkbookStyles* styles,
                          const std::function<bool()>& cancelled, XlsxErrors* errors) const {
  if (blocks_.empty()) return Status::OK();
  lxw_worksheet* data = workbook_add_worksheet(wb, "ChartData");
  lxw_worksheet* sheet = workbook_add_worksheet(wb, "Charts");
  lxw_col_t col = 0;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const ChartBlock& block = blocks_[i];
    const lxw_col_t width = static_cast<lxw_col_t>(block.data.num_columns());
    if (static_cast<size_t>(col) + width > LXW_COL_MAX) {
      return Status::ResourceExhausted("too many chart series for one ChartData sheet");
    }
    std::vector<const Column*> columns;
    std::vector<lxw_format*> formats;
    for (lxw_col_t c = 0; c < width; ++c) {
      errors->Check(WriteText(data, 0, col + c, block.headers[c], styles->header));
      columns.push_back(&block.data.column(c));
      formats.push_back(styles->Cell(ExcelFormatFor(columns.back()->type(), "")));
    }
    errors->Check(worksheet_set_column(data, col, col + width - 1, 14, nullptr));
    QUIRE_RETURN_IF_ERROR(
        WriteRows(data, columns, formats, block.data.num_rows(), col, cancelled, errors));
    AddChart(wb, block, palette_, sheet, col, ChartCell(i), errors);
    col += width + 1;  // a blank column between blocks
  }
  return Status::OK();
}

}  // namespace quire
