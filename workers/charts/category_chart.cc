// CategoryFrame layout and drawing; category series extraction.
#include "workers/charts/category_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace quire {
namespace {

constexpr double kPad = 6;             // pt between frame parts
constexpr double kTickGap = 4;         // pt between tick labels and the plot
constexpr double kSwatch = 8;          // pt, legend colour square
constexpr double kLegendItemGap = 14;  // pt between legend entries
constexpr double kMinPlot = 10;        // pt; the plot never collapses below this

TextStyle Style(const ChartTheme& theme, double size, bool bold = false) {
  TextStyle s;
  s.family = theme.font_family;
  s.size = size;
  s.bold = bold;
  s.color = theme.text;
  return s;
}

}  // namespace

bool CategorySeries::Range(double* lo, double* hi) const {
  bool any = false;
  *lo = std::numeric_limits<double>::infinity();
  *hi = -std::numeric_limits<double>::infinity();
  for (const auto& s : values) {
    for (double v : s) {
      if (!std::isfinite(v)) continue;
      any = true;
      *lo = std::min(*lo, v);
      *hi = std::max(*hi, v);
    }
  }
  return any;
}

StatusOr<CategorySeries> ExtractCategorySeries(const ChartSpec& spec, const Table& data) {
  const std::string chart = "chart '" + spec.title + "': ";
  const Column* x = data.FindColumn(spec.x);
  if (x == nullptr) return Status::InvalidArgument(chart + "no column '" + spec.x + "' in data");
  CategorySeries out;
  const size_t rows = data.num_rows();
  for (size_t r = 0; r < rows; ++r) out.categories.push_back(x->AsString(r));
  for (const std::string& name : spec.y) {
    const Column* y = data.FindColumn(name);
    if (y == nullptr) return Status::InvalidArgument(chart + "no column '" + name + "' in data");
    if (!IsNumericType(y->type())) {
      return Status::InvalidArgument(chart + "column '" + name + "' is " +
                                     ColumnTypeName(y->type()) + ", not a number");
    }
    out.names.push_back(name);
    std::vector<double>& v = out.values.emplace_back();
    for (size_t r = 0; r < rows; ++r) v.push_back(y->AsDouble(r));
  }
  return out;
}

CategoryFrame::CategoryFrame(cairo_t* cr, const ChartSpec& spec, const ChartTheme& theme,
                             const ChartBox& box, const CategorySeries& series, NiceScale scale)
    : cr_(cr), spec_(spec), theme_(theme), series_(series), box_(box), scale_(std::move(scale)) {
  double top = box.y + kPad, bottom = box.y + box.height - kPad;
  double left = box.x + kPad, right = box.x + box.width - kPad;
  const double inner = std::max(kMinPlot, right - left);

  if (!spec.title.empty()) {
    TextBlock title(cr, spec.title, Style(theme, theme.title_size, true), inner,
                    TextAlign::kCenter);
    title_height_ = title.height();
    top += title_height_ + kPad;
  }
  if (spec.show_legend && !series.names.empty()) {
    bottom -= LayoutLegend(inner).height();
    legend_top_ = bottom;
    bottom -= kPad;
  }
  if (!spec.x_axis_title.empty()) {
    TextBlock t(cr, spec.x_axis_title, Style(theme, theme.axis_title_size), inner,
                TextAlign::kCenter);
    bottom -= t.height();
    x_title_top_ = bottom;
    bottom -= kPad / 2;
  }
  TextBlock sample(cr, "Ag", Style(theme, theme.label_size));
  bottom -= sample.height() + kTickGap;  // category labels

  if (!spec.y_axis_title.empty()) {
    TextBlock t(cr, spec.y_axis_title, Style(theme, theme.axis_title_size));
    y_title_left_ = left;
    left += t.height() + kPad / 2;
  }
  double widest_tick = 0;
  for (double tick : scale_.ticks) {
    TextBlock t(cr, scale_.Format(tick), Style(theme, theme.label_size));
    widest_tick = std::max(widest_tick, t.width());
  }
  left += widest_tick + kTickGap;
  top += sample.height() / 2;  // room for the top tick label

  plot_ = {left, top, std::max(kMinPlot, right - left), std::max(kMinPlot, bottom - top)};
}

double CategoryFrame::ValueToY(double value) const {
  const double span = scale_.max - scale_.min;
  const double t = span > 0 ? (value - scale_.min) / span : 0;
  return plot_.y + plot_.height * (1 - std::clamp(t, 0.0, 1.0));
}

double CategoryFrame::BandWidth() const {
  return plot_.width / static_cast<double>(std::max<size_t>(1, series_.categories.size()));
}

double CategoryFrame::BandLeft(size_t i) const {
  return plot_.x + BandWidth() * static_cast<double>(i);
}

void CategoryFrame::DrawUnderlay() const {
  cairo_save(cr_);
  SetSourceRgb(cr_, theme_.background);
  cairo_rectangle(cr_, box_.x, box_.y, box_.width, box_.height);
  cairo_fill(cr_);

  cairo_set_line_width(cr_, 0.5);
  for (double tick : scale_.ticks) {
    const double y = ValueToY(tick);
    SetSourceRgb(cr_, theme_.grid);
    cairo_move_to(cr_, plot_.x, y);
    cairo_line_to(cr_, plot_.x + plot_.width, y);
    cairo_stroke(cr_);
    TextBlock label(cr_, scale_.Format(tick), Style(theme_, theme_.label_size));
    label.Draw(cr_, plot_.x - kTickGap - label.width(), y - label.height() / 2);
  }
  cairo_restore(cr_);
}

void CategoryFrame::DrawOverlay() const {
  cairo_save(cr_);
  SetSourceRgb(cr_, theme_.axis);
  cairo_set_line_width(cr_, 0.8);
  // Value axis, and the category axis at zero (or at the bottom).
  cairo_move_to(cr_, plot_.x, plot_.y);
  cairo_line_to(cr_, plot_.x, plot_.y + plot_.height);
  cairo_stroke(cr_);
  const double zero = ValueToY(std::clamp(0.0, scale_.min, scale_.max));
  cairo_move_to(cr_, plot_.x, zero);
  cairo_line_to(cr_, plot_.x + plot_.width, zero);
  cairo_stroke(cr_);
  cairo_restore(cr_);

  const double inner = std::max(kMinPlot, box_.width - 2 * kPad);
  if (!spec_.title.empty()) {
    TextBlock title(cr_, spec_.title, Style(theme_, theme_.title_size, true), inner,
                    TextAlign::kCenter);
    title.Draw(cr_, box_.x + kPad, box_.y + kPad);
  }
  if (!spec_.x_axis_title.empty()) {
    TextBlock t(cr_, spec_.x_axis_title, Style(theme_, theme_.axis_title_size), plot_.width,
                TextAlign::kCenter);
    t.Draw(cr_, plot_.x, x_title_top_);
  }
  if (!spec_.y_axis_title.empty()) {
    TextBlock t(cr_, spec_.y_axis_title, Style(theme_, theme_.axis_title_size), plot_.height,
                TextAlign::kCenter);
    // Rotated a quarter turn counterclockwise, reading bottom to top.
    t.Draw(cr_, y_title_left_, plot_.y + plot_.height, -M_PI / 2);
  }
  DrawCategoryLabels();
  if (spec_.show_legend && !series_.names.empty()) DrawLegend();

  double lo = 0, hi = 0;
  if (!series_.Range(&lo, &hi)) {
    TextStyle style = Style(theme_, theme_.axis_title_size);
    style.italic = true;
    style.color = theme_.axis;
    TextBlock t(cr_, "No data", style, plot_.width, TextAlign::kCenter);
    t.Draw(cr_, plot_.x, plot_.y + plot_.height / 2 - t.height() / 2);
  }
}

void CategoryFrame::DrawCategoryLabels() const {
  const size_t n = series_.categories.size();
  if (n == 0) return;
  const TextStyle style = Style(theme_, theme_.label_size);
  // Show every k-th label so that labels do not overlap.
  double widest = 0;
  for (const std::string& c : series_.categories) {
    widest = std::max(widest, TextBlock(cr_, c, style).width());
  }
  const double band = BandWidth();
  const size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil((widest + 4) / band)));
  const double slot = band * static_cast<double>(std::min(every, n));
  for (size_t i = 0; i < n; i += every) {
    TextBlock label(cr_, series_.categories[i], style, slot, TextAlign::kCenter, true);
    label.Draw(cr_, BandLeft(i) + band / 2 - slot / 2, plot_.y + plot_.height + kTickGap);
  }
}

CategoryFrame::LegendLayout CategoryFrame::LayoutLegend(double inner) const {
  // Entries flow left to right and wrap at `inner`.
  LegendLayout layout;
  layout.lines.emplace_back();
  layout.line_height = kSwatch;
  for (size_t i = 0; i < series_.names.size(); ++i) {
    TextBlock t(cr_, series_.names[i], Style(theme_, theme_.label_size));
    const double w = kSwatch + 4 + t.width();
    layout.line_height = std::max(layout.line_height, t.height());
    LegendLayout::Line* line = &layout.lines.back();
    if (line->width > 0 && line->width + kLegendItemGap + w > inner) {
      line = &layout.lines.emplace_back();
    }
    line->width += (line->width > 0 ? kLegendItemGap : 0) + w;
    line->entries.push_back({i, w});
  }
  return layout;
}

void CategoryFrame::DrawLegend() const {
  const TextStyle style = Style(theme_, theme_.label_size);
  const double inner = std::max(kMinPlot, box_.width - 2 * kPad);
  const LegendLayout layout = LayoutLegend(inner);
  double y = legend_top_;
  for (const LegendLayout::Line& line : layout.lines) {
    double x = box_.x + kPad + (inner - line.width) / 2;  // centred
    for (const auto& [series, width] : line.entries) {
      cairo_save(cr_);
      SetSourceRgb(cr_, theme_.SeriesColor(series));
      cairo_rectangle(cr_, x, y + (layout.line_height - kSwatch) / 2, kSwatch, kSwatch);
      cairo_fill(cr_);
      cairo_restore(cr_);
      TextBlock t(cr_, series_.names[series], style);
      t.Draw(cr_, x + kSwatch + 4, y + (layout.line_height - t.height()) / 2);
      x += width + kLegendItemGap;
    }
    y += layout.line_height;
  }
}

}  // namespace quire
