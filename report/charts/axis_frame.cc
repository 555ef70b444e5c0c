// AxisFrame layout and drawing; choosing an axis's ticks.
#include "report/charts/axis_frame.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "report/charts/date_ticks.h"
#include "report/charts/marks.h"
#include "report/charts/nice_scale.h"

namespace quire {
namespace {

constexpr double kPad = 6;               // pt between frame parts
constexpr double kMinPlot = 10;          // pt; the plot never collapses below this
constexpr double kBottomPitch = 60;      // pt per number tick along the bottom
constexpr double kLeftPitch = 36;        // pt per number tick up the left
constexpr double kMaxLeftShare = 0.35;   // of the width, for left labels
constexpr double kMaxBandShare = 0.35;   // of the height, for bottom labels
constexpr double kMaxRightRoom = 40;     // pt kept right of the plot for a last label
constexpr size_t kMeasuredLabels = 200;  // labels measured to find the widest

// The widest of `labels` in `style`; past kMeasuredLabels labels, the
// widest of the longest kMeasuredLabels (drawn labels are cut anyway).
double WidestLabel(const LabelText& text, const std::vector<std::string>& labels) {
  std::vector<size_t> order(labels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (order.size() > kMeasuredLabels) {
    std::nth_element(order.begin(), order.begin() + kMeasuredLabels, order.end(),
                     [&](size_t a, size_t b) { return labels[a].size() > labels[b].size(); });
    order.resize(kMeasuredLabels);
  }
  double widest = 0;
  for (size_t i : order) widest = std::max(widest, text.Width(labels[i]));
  return widest;
}

// Bin edges with enough decimals for the bin width, trailing zeros dropped.
std::string FormatEdge(double value, double width) {
  const int decimals =
      width > 0 ? std::clamp(1 - static_cast<int>(std::floor(std::log10(width))), 0, 6) : 0;
  NiceScale format;
  format.step = std::pow(10.0, -decimals);
  std::string s = format.Format(value);
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// The smallest distance between adjacent positions; `fallback` for fewer
// than two.
double MinSpacing(const std::vector<double>& positions, double fallback) {
  double spacing = fallback;
  for (size_t i = 1; i < positions.size(); ++i) {
    spacing = std::min(spacing, std::fabs(positions[i] - positions[i - 1]));
  }
  return spacing;
}

// Ticks for `domain` along `length` pt; `date_width` is the width of a
// long date label.
Axis ResolveAxis(const AxisDomain& domain, double length, double pitch, double date_width) {
  Axis axis;
  switch (domain.kind) {
    case AxisDomain::Kind::kCategories: {
      const size_t n = domain.categories.size();
      axis.max = static_cast<double>(std::max<size_t>(1, n));
      axis.bands = axis.turnable = true;
      axis.labels = domain.categories;
      for (size_t i = 0; i < n; ++i) axis.ticks.push_back(static_cast<double>(i) + 0.5);
      break;
    }
    case AxisDomain::Kind::kNumbers: {
      int target = std::clamp(static_cast<int>(length / pitch), 2, 10);
      if (domain.integer && domain.hi - domain.lo >= 1) {
        target = std::min(target, static_cast<int>(std::ceil(domain.hi - domain.lo)));
      }
      const NiceScale scale = NiceScale::For(domain.lo, domain.hi, target);
      axis.min = scale.min;
      axis.max = scale.max;
      axis.numeric = true;
      axis.ticks = scale.ticks;
      for (double t : scale.ticks) axis.labels.push_back(scale.Format(t));
      break;
    }
    case AxisDomain::Kind::kDates: {
      if (!(domain.lo <= domain.hi)) break;  // no dates: an empty 0..1 axis
      axis.min = domain.lo;
      axis.max = domain.hi;
      if (axis.max - axis.min < 1) {
        axis.min -= 1;
        axis.max += 1;
      }
      axis.turnable = true;
      const int max_ticks =
          1 + static_cast<int>(std::max(0.0, length) / (date_width + 3 * kTickLabelGap));
      DateTicks ticks = ComputeDateTicks(axis.min, axis.max, max_ticks);
      axis.ticks = std::move(ticks.days);
      axis.labels = std::move(ticks.labels);
      break;
    }
    case AxisDomain::Kind::kBinEdges: {
      if (domain.edges.size() < 2) break;
      axis.min = domain.edges.front();
      axis.max = domain.edges.back();
      axis.ticks = domain.edges;
      const double width = domain.edges[1] - domain.edges[0];
      for (double e : domain.edges) axis.labels.push_back(FormatEdge(e, width));
      break;
    }
  }
  return axis;
}

}  // namespace

AxisDomain AxisDomain::Categories(std::vector<std::string> names) {
  AxisDomain d;
  d.kind = Kind::kCategories;
  d.categories = std::move(names);
  return d;
}

AxisDomain AxisDomain::Numbers(double lo, double hi, bool with_zero) {
  AxisDomain d;
  d.kind = Kind::kNumbers;
  if (!(lo <= hi)) lo = hi = 0;  // no data: around zero
  d.lo = with_zero ? std::min(lo, 0.0) : lo;
  d.hi = with_zero ? std::max(hi, 0.0) : hi;
  return d;
}

AxisDomain AxisDomain::Dates(double lo, double hi) {
  AxisDomain d;
  d.kind = Kind::kDates;
  d.lo = lo;
  d.hi = hi;
  return d;
}

AxisDomain AxisDomain::BinEdges(std::vector<double> edges) {
  AxisDomain d;
  d.kind = Kind::kBinEdges;
  d.edges = std::move(edges);
  return d;
}

AxisDomain XDomain(const SeriesData& series) {
  if (series.x_kind == XKind::kCategories) return AxisDomain::Categories(series.categories);
  const double lo = series.x.empty() ? NAN : series.x.front();
  const double hi = series.x.empty() ? NAN : series.x.back();
  return series.x_kind == XKind::kDates ? AxisDomain::Dates(lo, hi) : AxisDomain::Numbers(lo, hi);
}

AxisFrame::AxisFrame(const ChartSpec& spec, const ChartTheme& theme, const ChartBox& box,
                     AxisDomain bottom, AxisDomain left, Legend* legend, bool has_data)
    : spec_(spec), theme_(theme), legend_(legend), has_data_(has_data), box_(box) {
  const LabelText label(ChartTextStyle(theme, theme.label_size));
  const LabelText axis_title(ChartTextStyle(theme, theme.axis_title_size));
  double top = box.y + kPad, low = box.y + box.height - kPad;
  double x0 = box.x + kPad, x1 = box.x + box.width - kPad;
  const double inner = std::max(kMinPlot, x1 - x0);

  if (!spec.title.empty()) {
    top += ChartTitle(spec.title, theme, inner).height() + kPad;
  }
  if (legend != nullptr) {
    const ChartBox rest = legend->Layout({x0, top, x1 - x0, std::max(0.0, low - top)});
    top = rest.y;
    low = rest.y + rest.height;
    x0 = rest.x;
    x1 = rest.x + rest.width;
  }
  // Axis titles take one line each (a long one is cut when drawn).
  if (!spec.x_axis_title.empty()) {
    low -= axis_title.height();
    x_title_top_ = low;
    low -= kPad / 2;
  }
  if (!spec.y_axis_title.empty()) {
    y_title_left_ = x0;
    x0 += axis_title.height() + kPad / 2;
  }
  const double label_height = label.height();
  top += label_height / 2;  // room for the top tick label

  // The left axis decides the plot's left edge.
  left_ = ResolveAxis(left, low - top - label_height, kLeftPitch, 0);
  left_label_width_ =
      std::min(WidestLabel(label, left_.labels), std::max(20.0, (x1 - x0) * kMaxLeftShare));
  x0 += left_label_width_ + kTickLabelGap;

  // The bottom axis decides the plot's bottom edge.
  const double date_width = label.Width("0000-00-00");
  bottom_ = ResolveAxis(bottom, x1 - x0, kBottomPitch, date_width);
  const double widest = WidestLabel(label, bottom_.labels);
  if (!bottom_.bands) x1 -= std::min(widest / 2, kMaxRightRoom);  // a centred last label
  plot_ = {x0, top, std::max(kMinPlot, x1 - x0), 0};
  std::vector<double> positions;
  const auto layout_bottom = [&] {
    positions.clear();
    for (double t : bottom_.ticks) positions.push_back(X(t));
    bottom_labels_ = LayoutTickLabels(positions.size(), MinSpacing(positions, plot_.width), widest,
                                      label_height, (low - top) * kMaxBandShare, bottom_.turnable);
  };
  layout_bottom();
  if (bottom_labels_.rotated) {
    // Turned labels run down to the left: make room for the first one.
    const double first = std::min(bottom_labels_.max_width, label.Width(bottom_.labels[0]));
    const double need = (first + label_height / 2) * M_SQRT1_2 - (positions[0] - (box.x + kPad));
    if (need > 0) {
      const double shift = std::min(need, plot_.width * kMaxLeftShare);
      plot_.x += shift;
      plot_.width = std::max(kMinPlot, plot_.width - shift);
      layout_bottom();
    }
  }
  low -= bottom_labels_.band_height;
  plot_.height = std::max(kMinPlot, low - top);

  // Thin the left labels to the final plot height.
  positions.clear();
  for (double t : left_.ticks) positions.push_back(Y(t));
  const double spacing = MinSpacing(positions, plot_.height);
  left_every_ = spacing > 0 ? static_cast<size_t>(std::ceil((label_height + 1) / spacing)) : 1;
  left_every_ = std::clamp<size_t>(left_every_, 1, std::max<size_t>(1, positions.size()));
}

double AxisFrame::X(double value) const {
  const double span = bottom_.max - bottom_.min;
  return plot_.x + (span > 0 ? (value - bottom_.min) / span : 0.5) * plot_.width;
}

double AxisFrame::Y(double value) const {
  const double span = left_.max - left_.min;
  const double t = span > 0 ? (value - left_.min) / span : 0.5;
  // Categories read top to bottom; values grow upwards.
  return left_.bands ? plot_.y + t * plot_.height : plot_.y + (1 - t) * plot_.height;
}

void AxisFrame::ClipToPlot(Canvas& canvas, double bleed) const {
  canvas.Rectangle(plot_.x - bleed, plot_.y - bleed, plot_.width + 2 * bleed,
                   plot_.height + 2 * bleed);
  canvas.Clip();
}

void AxisFrame::DrawUnderlay(Canvas& canvas) const {
  canvas.Save();
  canvas.SetColor(theme_.background);
  canvas.Rectangle(box_.x, box_.y, box_.width, box_.height);
  canvas.Fill();
  canvas.SetColor(theme_.grid);
  canvas.SetLineWidth(0.5);
  // At the labelled ticks only.
  if (!bottom_.bands) {
    for (size_t i = 0; i < bottom_.ticks.size(); i += bottom_labels_.every) {
      canvas.MoveTo(X(bottom_.ticks[i]), plot_.y);
      canvas.LineTo(X(bottom_.ticks[i]), plot_.y + plot_.height);
    }
  }
  if (!left_.bands) {
    for (size_t i = 0; i < left_.ticks.size(); i += left_every_) {
      canvas.MoveTo(plot_.x, Y(left_.ticks[i]));
      canvas.LineTo(plot_.x + plot_.width, Y(left_.ticks[i]));
    }
  }
  canvas.Stroke();
  canvas.Restore();
}

void AxisFrame::DrawOverlay(Canvas& canvas) const {
  canvas.Save();
  canvas.SetColor(theme_.axis);
  canvas.SetLineWidth(0.8);
  const double right = plot_.x + plot_.width, low = plot_.y + plot_.height;
  canvas.MoveTo(plot_.x, plot_.y);
  canvas.LineTo(plot_.x, low);
  canvas.LineTo(right, low);
  // Zero lines, which bars grow from.
  if (left_.numeric && left_.min < 0 && left_.max > 0) {
    canvas.MoveTo(plot_.x, Y(0));
    canvas.LineTo(right, Y(0));
  }
  if (bottom_.numeric && bottom_.min < 0 && bottom_.max > 0) {
    canvas.MoveTo(X(0), plot_.y);
    canvas.LineTo(X(0), low);
  }
  if (!bottom_.bands) {  // tick marks on a continuous axis
    for (size_t i = 0; i < bottom_.ticks.size(); i += bottom_labels_.every) {
      canvas.MoveTo(X(bottom_.ticks[i]), low);
      canvas.LineTo(X(bottom_.ticks[i]), low + 3);
    }
  }
  canvas.Stroke();
  canvas.Restore();

  DrawLeftLabels(canvas);
  DrawBottomLabels(canvas);
  const double inner = std::max(kMinPlot, box_.width - 2 * kPad);
  if (!spec_.title.empty()) {
    ChartTitle(spec_.title, theme_, inner).Draw(canvas, box_.x + kPad, box_.y + kPad);
  }
  const LabelText axis_title(ChartTextStyle(theme_, theme_.axis_title_size));
  if (!spec_.x_axis_title.empty()) {  // centred under the plot
    axis_title.Draw(canvas, spec_.x_axis_title, plot_.x, x_title_top_, 0, plot_.width,
                    TextAlign::kCenter);
  }
  if (!spec_.y_axis_title.empty()) {
    // Turned a quarter counterclockwise, reading bottom to top, centred
    // beside the plot.
    axis_title.Draw(canvas, spec_.y_axis_title, y_title_left_, plot_.y + plot_.height, -M_PI / 2,
                    plot_.height, TextAlign::kCenter);
  }
  if (legend_ != nullptr) legend_->Draw(canvas);
  if (!has_data_) DrawChartNote(canvas, "No data", plot_, theme_);
}

void AxisFrame::DrawLeftLabels(Canvas& canvas) const {
  const LabelText label(ChartTextStyle(theme_, theme_.label_size));
  for (size_t i = 0; i < left_.ticks.size(); i += left_every_) {
    label.Draw(canvas, left_.labels[i], plot_.x - kTickLabelGap - left_label_width_,
               Y(left_.ticks[i]) - label.height() / 2, 0, left_label_width_, TextAlign::kRight);
  }
}

void AxisFrame::DrawBottomLabels(Canvas& canvas) const {
  const LabelText label(ChartTextStyle(theme_, theme_.label_size));
  std::vector<double> positions;
  for (double t : bottom_.ticks) positions.push_back(X(t));
  const auto natural = [&](size_t i) { return label.Width(bottom_.labels[i]); };
  for (const PlacedLabel& p :
       PlaceTickLabels(bottom_labels_, positions, natural, label.height(), plot_.y + plot_.height,
                       box_.x + kPad, box_.x + box_.width - kPad)) {
    // Centred in their place (turned ones fill it and end at the tick).
    label.Draw(canvas, bottom_.labels[p.tick], p.x, p.y, p.angle, p.width, TextAlign::kCenter);
  }
}

}  // namespace quire
