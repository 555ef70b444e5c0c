// TickLabels: thinning, turning and cutting axis labels.
#include "report/charts/tick_labels.h"

#include <algorithm>
#include <cmath>

namespace quire {
namespace {

constexpr double kSin45 = M_SQRT1_2;   // = cos 45°
constexpr double kMinCutShare = 0.75;  // straight labels may lose a quarter to "…"

size_t Every(double need, double spacing, size_t count) {
  if (!(spacing > 0)) return std::max<size_t>(1, count);
  const double k = std::ceil(need / spacing - 1e-9);
  return std::clamp<size_t>(static_cast<size_t>(std::min(k, 1e12)), 1, std::max<size_t>(1, count));
}

}  // namespace

TickLabelLayout LayoutTickLabels(size_t count, double spacing, double widest, double height,
                                 double max_band, bool allow_rotation) {
  TickLabelLayout out;
  if (count == 0) return out;
  out.band_height = kTickLabelGap + height;
  // Straight: neighbours at k * spacing must clear each other's halves.
  // Text may lose a little to "…"; numbers never.
  const double share = allow_rotation ? kMinCutShare : 1;
  out.every = Every(share * widest + kTickLabelGap, spacing, count);
  out.max_width = std::max(0.0, static_cast<double>(out.every) * spacing - kTickLabelGap);
  if (!allow_rotation || out.every == 1) return out;
  // Turned 45°: neighbours must clear each other across the text lines.
  const size_t every_turned = Every((height + kTickLabelGap) / kSin45, spacing, count);
  const double length = std::min(widest, (max_band - kTickLabelGap) / kSin45 - height);
  if (every_turned >= out.every || length < 2 * height) return out;
  out.every = every_turned;
  out.rotated = true;
  out.max_width = length;
  out.band_height = kTickLabelGap + (height + length) * kSin45;
  return out;
}

std::vector<PlacedLabel> PlaceTickLabels(const TickLabelLayout& layout,
                                         const std::vector<double>& positions,
                                         const std::function<double(size_t)>& natural_width,
                                         double height, double axis_y, double left, double right) {
  std::vector<PlacedLabel> out;
  const size_t every = std::max<size_t>(1, layout.every);
  for (size_t i = 0; i < positions.size(); i += every) {
    const double x = positions[i];
    double w = std::min(natural_width(i), layout.max_width);
    PlacedLabel label;
    label.tick = i;
    label.height = height;
    if (!layout.rotated) {
      // Centred under the tick, pushed inwards at the ends; dropped when
      // that would run into the label before.
      w = std::max(0.0, std::min(w, right - left));
      label.x = std::clamp(x - w / 2, left, right - w);
      label.y = axis_y + kTickLabelGap;
      if (!out.empty() && label.x < out.back().x + out.back().width + kTickLabelGap) continue;
    } else {
      // The middle of the text's end sits just under the tick; the text
      // runs down to the left and must not pass `left`.
      w = std::max(0.0, std::min(w, (x - left - height / 2 * kSin45) / kSin45));
      const double end_y = axis_y + kTickLabelGap + height / 2 * kSin45;
      label.x = x - w * kSin45 - height / 2 * kSin45;
      label.y = end_y + w * kSin45 - height / 2 * kSin45;
      label.angle = -M_PI / 4;
    }
    label.width = w;
    out.push_back(label);
  }
  return out;
}

}  // namespace quire
