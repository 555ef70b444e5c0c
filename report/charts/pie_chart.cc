// PieChart: slices from a Table, the layout (title, legend, circle), the
// slices and separators, and percentage label placement.
#include "report/charts/pie_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>

#include "report/charts/chart_data.h"
#include "report/charts/legend.h"
#include "report/charts/marks.h"

namespace quire {
namespace {

constexpr double kPad = 6;                // pt between the chart's parts
constexpr double kSeparator = 1;          // pt, the background-coloured line between slices
constexpr double kLabelPad = 2;           // pt kept clear around a percentage label
constexpr double kLeader = 14;            // pt from the circle to an outside label
constexpr double kMinShrink = 0.6;        // outside labels shrink the radius at most this far
constexpr double kPieLabelRadius = 0.62;  // of the radius: where a pie's inside labels sit
constexpr int kNudges = 12;               // half label heights an outside label may move
constexpr double kMaxDonut = 0.9;
constexpr Rgb kOtherColor{0xA0A0A0};
constexpr double kTurn = 2 * M_PI;
constexpr double kTwelveOClock = -M_PI / 2;

struct Rect {
  double x = 0, y = 0, w = 0, h = 0;

  Rect Padded(double p) const { return {x - p, y - p, w + 2 * p, h + 2 * p}; }
  bool Overlaps(const Rect& o) const {
    return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
  }
  double DistanceTo(double px, double py) const {
    return std::hypot(px - std::clamp(px, x, x + w), py - std::clamp(py, y, y + h));
  }
  bool Within(const ChartBox& b) const {
    return x >= b.x && y >= b.y && x + w <= b.x + b.width && y + h <= b.y + b.height;
  }
};

// One slice's region: the ring between radii `inner` (0 for a pie) and
// `outer`, from angle a0 clockwise to a1 (cairo angles: y points down).
struct Sector {
  double cx = 0, cy = 0, inner = 0, outer = 0, a0 = 0, a1 = 0;

  double mid() const { return (a0 + a1) / 2; }
  bool full() const { return a1 - a0 >= kTurn - 1e-9; }

  bool Contains(double x, double y) const {
    const double d = std::hypot(x - cx, y - cy);
    if (d < inner || d > outer) return false;
    if (full()) return true;
    double t = std::fmod(std::atan2(y - cy, x - cx) - a0, kTurn);
    if (t < 0) t += kTurn;
    return t <= a1 - a0;
  }

  // Whether all of `r` is inside: its edges are checked every point or so,
  // and a wedge's tip (the centre) must not poke into it.
  bool ContainsRect(const Rect& r) const {
    if (inner == 0 && !full() && cx > r.x && cx < r.x + r.w && cy > r.y && cy < r.y + r.h) {
      return false;
    }
    const int nx = static_cast<int>(std::ceil(r.w)) + 1, ny = static_cast<int>(std::ceil(r.h)) + 1;
    for (int i = 0; i <= nx; ++i) {
      const double x = r.x + r.w * i / nx;
      if (!Contains(x, r.y) || !Contains(x, r.y + r.h)) return false;
    }
    for (int i = 0; i <= ny; ++i) {
      const double y = r.y + r.h * i / ny;
      if (!Contains(r.x, y) || !Contains(r.x + r.w, y)) return false;
    }
    return true;
  }

  void AddPath(Canvas& canvas) const {
    canvas.NewSubPath();
    if (inner > 0) {
      canvas.Arc(cx, cy, outer, a0, a1);
      canvas.ArcNegative(cx, cy, inner, a1, a0);
    } else {
      canvas.MoveTo(cx, cy);
      canvas.Arc(cx, cy, outer, a0, a1);
    }
    canvas.ClosePath();
  }
};

// A percentage label with its place, and for an outside label the leader
// line: from the slice's edge straight out to an elbow, then to the label.
struct PlacedLabel {
  size_t slice = 0;
  Rect rect;
  bool outside = false;
  double edge_x = 0, edge_y = 0;    // on the circle
  double elbow_x = 0, elbow_y = 0;  // half the leader's length out from it
};

std::string Percent(double share) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.1f%%", share * 100);
  return buf;
}

// Dark text on light slices, white on dark ones.
Rgb LabelColor(Rgb slice, const ChartTheme& theme) {
  const double luma = 0.299 * ((slice.hex >> 16) & 0xFF) + 0.587 * ((slice.hex >> 8) & 0xFF) +
                      0.114 * (slice.hex & 0xFF);
  return luma < 150 ? Rgb{0xFFFFFF} : theme.text;
}

// The palette in order, and neutral grey for "Other"; the last slice never
// shares its colour with the first (they touch at 12 o'clock) when the
// palette has another.
std::vector<Rgb> SliceColors(const std::vector<PieSlice>& slices, const ChartTheme& theme) {
  const size_t n = slices.size();
  std::vector<Rgb> colors;
  for (size_t i = 0; i < n; ++i) colors.push_back(theme.SeriesColor(i));
  if (n > 0 && slices.back().other) {
    colors.back() = kOtherColor;
  } else if (n > 2 && colors.back().hex == colors.front().hex) {
    for (const Rgb& c : theme.palette) {
      if (c.hex != colors.front().hex && c.hex != colors[n - 2].hex) {
        colors.back() = c;
        break;
      }
    }
  }
  return colors;
}

std::vector<Sector> Sectors(const std::vector<PieSlice>& slices, double cx, double cy, double inner,
                            double outer) {
  std::vector<Sector> sectors;
  double a = kTwelveOClock;
  for (size_t i = 0; i < slices.size(); ++i) {
    // The last slice closes the circle exactly, whatever the rounding.
    const double end = i + 1 == slices.size() ? kTwelveOClock + kTurn : a + slices[i].share * kTurn;
    sectors.push_back({cx, cy, inner, outer, a, end});
    a = end;
  }
  return sectors;
}

// Where the label of `s` goes inside it, or nullopt when it does not fit.
std::optional<Rect> InsidePlace(const Sector& s, double w, double h) {
  double x = s.cx, y = s.cy;
  if (!(s.full() && s.inner == 0)) {
    const double r = s.inner > 0 ? (s.inner + s.outer) / 2 : s.outer * kPieLabelRadius;
    x += r * std::cos(s.mid());
    y += r * std::sin(s.mid());
  }
  const Rect rect{x - w / 2, y - h / 2, w, h};
  if (!s.ContainsRect(rect.Padded(kLabelPad))) return std::nullopt;
  return rect;
}

// Places labels: inside the slices where they fit; the others, largest
// slice first, beside the circle (nudged up or down a little when the spot
// is taken) or not at all. No two placed labels overlap, and all lie in
// `area`.
std::vector<PlacedLabel> PlaceLabels(const std::vector<PieSlice>& slices,
                                     const std::vector<Sector>& sectors,
                                     const std::vector<Rect>& sizes, const ChartBox& area) {
  std::vector<PlacedLabel> placed;
  std::vector<size_t> outside;
  for (size_t i = 0; i < slices.size(); ++i) {
    if (std::optional<Rect> r = InsidePlace(sectors[i], sizes[i].w, sizes[i].h)) {
      placed.push_back({i, *r});
    } else {
      outside.push_back(i);
    }
  }
  std::stable_sort(outside.begin(), outside.end(),
                   [&](size_t a, size_t b) { return slices[a].share > slices[b].share; });
  for (size_t i : outside) {
    const Sector& s = sectors[i];
    const double c = std::cos(s.mid()), sn = std::sin(s.mid());
    const double w = sizes[i].w, h = sizes[i].h;
    const double want_y =
        std::clamp(s.cy + (s.outer + kLeader / 2) * sn - h / 2, area.y, area.y + area.height - h);
    for (int step = 0; step <= kNudges; ++step) {
      // 0, +1/2, -1/2, +1, -1, ... label heights from where it wants to be.
      const double top = want_y + h / 2 * ((step + 1) / 2) * (step % 2 == 1 ? 1 : -1);
      // On the slice's side, the leader's length out from the circle.
      const double dy = top + h / 2 - s.cy;
      const double reach = std::sqrt(std::max(0.0, std::pow(s.outer + kLeader, 2) - dy * dy));
      const Rect rect{c >= 0 ? s.cx + reach : s.cx - reach - w, top, w, h};
      const bool free = rect.Within(area) && rect.DistanceTo(s.cx, s.cy) >= s.outer + kLabelPad &&
                        std::none_of(placed.begin(), placed.end(), [&](const PlacedLabel& p) {
                          return p.rect.Padded(kLabelPad).Overlaps(rect);
                        });
      if (free) {
        const double elbow = s.outer + kLeader / 2;
        placed.push_back({i, rect, true, s.cx + s.outer * c, s.cy + s.outer * sn, s.cx + elbow * c,
                          s.cy + elbow * sn});
        break;
      }
    }
  }
  return placed;
}

void DrawLabels(Canvas& canvas, const std::vector<PlacedLabel>& labels,
                const std::vector<PieSlice>& slices, const std::vector<Rgb>& colors,
                const ChartTheme& theme) {
  for (const PlacedLabel& label : labels) {
    TextStyle style = ChartTextStyle(theme, theme.label_size);
    if (label.outside) {
      canvas.Save();
      canvas.SetColor(theme.axis);
      canvas.SetLineWidth(0.6);
      const bool right = label.rect.x > label.edge_x;
      canvas.MoveTo(label.edge_x, label.edge_y);
      canvas.LineTo(label.elbow_x, label.elbow_y);
      canvas.LineTo(right ? label.rect.x - kLabelPad : label.rect.x + label.rect.w + kLabelPad,
                    label.rect.y + label.rect.h / 2);
      canvas.Stroke();
      canvas.Restore();
    } else {
      style.color = LabelColor(colors[label.slice], theme);
    }
    LabelText(style).Draw(canvas, Percent(slices[label.slice].share), label.rect.x, label.rect.y);
  }
}

}  // namespace

StatusOr<std::vector<PieSlice>> PieSlices(const ChartSpec& spec, const Table& data) {
  if (spec.y.size() != 1) {
    return Status::InvalidArgument("chart '" + spec.title +
                                   "': a pie chart needs one value column (y), got " +
                                   std::to_string(spec.y.size()));
  }
  StatusOr<SeriesData> series = ExtractSeries(spec, data, /*categorical_x=*/true);
  if (!series.ok()) return series.status();
  std::vector<PieSlice> slices;
  for (size_t r = 0; r < series->categories.size(); ++r) {
    const double v = series->values[0][r];
    if (std::isfinite(v) && v > 0) slices.push_back({series->categories[r], v});
  }
  if (slices.size() > kPieOwnSlices + 1) {
    std::vector<size_t> order(slices.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return slices[a].value > slices[b].value; });
    std::vector<bool> own(slices.size(), false);
    for (size_t k = 0; k < kPieOwnSlices; ++k) own[order[k]] = true;
    std::vector<PieSlice> kept;
    PieSlice other{"Other", 0, 0, true};
    for (size_t i = 0; i < slices.size(); ++i) {
      if (own[i]) {
        kept.push_back(std::move(slices[i]));
      } else {
        other.value += slices[i].value;
      }
    }
    kept.push_back(std::move(other));
    slices = std::move(kept);
  }
  // Shares of values scaled by the largest, so that huge values cannot
  // overflow the total.
  double largest = 0;
  for (const PieSlice& s : slices) largest = std::max(largest, s.value);
  double total = 0;
  for (const PieSlice& s : slices) total += s.value / largest;
  for (PieSlice& s : slices) s.share = s.value / largest / total;
  return slices;
}

Status DrawPieChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                    const ChartTheme& theme) {
  StatusOr<std::vector<PieSlice>> slices = PieSlices(spec, data);
  if (!slices.ok()) return slices.status();
  const std::vector<Rgb> colors = SliceColors(*slices, theme);

  canvas.Save();
  canvas.Rectangle(box.x, box.y, box.width, box.height);
  canvas.Clip();
  canvas.SetColor(theme.background);
  canvas.Paint();

  ChartBox area{box.x + kPad, box.y + kPad, std::max(1.0, box.width - 2 * kPad),
                std::max(1.0, box.height - 2 * kPad)};
  if (!spec.title.empty()) {
    const TextBlock title = ChartTitle(spec.title, theme, area.width);
    title.Draw(canvas, area.x, area.y);
    const double taken = std::min(area.height - 1, title.height() + kPad);
    area.y += taken;
    area.height -= taken;
  }
  if (slices->empty()) {
    DrawChartNote(canvas, "No data", area, theme);
    canvas.Restore();
    return Status::OK();
  }

  std::vector<LegendEntry> entries;
  for (size_t i = 0; i < slices->size(); ++i) entries.push_back({(*slices)[i].name, colors[i]});
  Legend legend(std::move(entries), LegendSwatch::kSquare, spec.legend, theme);
  if (spec.show_legend) area = legend.Layout(area);

  // The circle fills the area, less room beside it for the labels that do
  // not fit inside their slices.
  const double cx = area.x + area.width / 2, cy = area.y + area.height / 2;
  const double donut = std::clamp(spec.donut, 0.0, kMaxDonut);
  double radius = std::max(0.5, std::min(area.width, area.height) / 2);
  std::vector<Rect> sizes;
  std::vector<PlacedLabel> labels;
  if (spec.labels) {
    const LabelText label(ChartTextStyle(theme, theme.label_size));
    for (const PieSlice& s : *slices)
      sizes.push_back({0, 0, label.Width(Percent(s.share)), label.height()});
    double widest_outside = 0;
    const std::vector<Sector> full = Sectors(*slices, cx, cy, radius * donut, radius);
    for (size_t i = 0; i < slices->size(); ++i) {
      if (!InsidePlace(full[i], sizes[i].w, sizes[i].h)) {
        widest_outside = std::max(widest_outside, sizes[i].w);
      }
    }
    if (widest_outside > 0) {
      // Room for a label beside the circle, and for a leader above or below.
      const double room = std::min(area.width / 2 - kLeader - widest_outside - kLabelPad,
                                   area.height / 2 - kLeader / 2);
      radius = std::max(radius * kMinShrink, std::min(radius, room));
    }
  }
  const std::vector<Sector> sectors = Sectors(*slices, cx, cy, radius * donut, radius);
  if (spec.labels) labels = PlaceLabels(*slices, sectors, sizes, area);

  for (size_t i = 0; i < sectors.size(); ++i) {
    canvas.SetColor(colors[i]);
    sectors[i].AddPath(canvas);
    canvas.Fill();
  }
  if (sectors.size() > 1) {
    canvas.SetColor(theme.background);
    canvas.SetLineWidth(kSeparator);
    for (const Sector& s : sectors) {
      canvas.MoveTo(cx + s.inner * std::cos(s.a0), cy + s.inner * std::sin(s.a0));
      canvas.LineTo(cx + s.outer * std::cos(s.a0), cy + s.outer * std::sin(s.a0));
    }
    canvas.Stroke();
  }
  DrawLabels(canvas, labels, *slices, colors, theme);
  if (spec.show_legend) legend.Draw(canvas);
  canvas.Restore();
  return Status::OK();
}

}  // namespace quire
