// TickLabels: where the labels of a horizontal axis go so that they never
// overlap — every label, or every k-th one, set straight or turned 45°
// (whichever shows more), cut with "…" when longer than the room allows.
// Pure geometry over measured text sizes; the frame measures and draws.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace quire {

struct TickLabelLayout {
  size_t every = 1;        // label ticks 0, every, 2 * every, ...
  bool rotated = false;    // turned 45°, reading upwards, ending under the tick
  double max_width = 0;    // labels are cut with "…" to this length (pt)
  double band_height = 0;  // room the labels take below the axis (pt)
};

// The layout of `count` labels under ticks at least `spacing` pt apart,
// the widest `widest` pt and each line `height` pt tall, in a band at most
// `max_band` pt high. Straight labels are preferred unless turning them
// (when `allow_rotation`) shows more of them; straight ones may be cut to
// 3/4 of the widest. Number labels keep allow_rotation off.
TickLabelLayout LayoutTickLabels(size_t count, double spacing, double widest, double height,
                                 double max_band, bool allow_rotation);

// One label as drawn: TextBlock::Draw(x, y, angle) of a block `width` x
// `height` (width already cut to the layout's maximum and to the room).
struct PlacedLabel {
  size_t tick = 0;  // index into the ticks
  double x = 0;     // top-left corner before rotation (pt)
  double y = 0;
  double width = 0;
  double height = 0;
  double angle = 0;  // radians; -pi/4 when rotated
};

// Places the labels `layout` shows: tick i at `positions[i]` (ascending x),
// natural width `natural_width(i)` (asked only for shown ticks), under an
// axis at `axis_y`, kept within [left, right]: straight labels centred
// under their ticks but pushed inwards at the ends (and left out if that
// would make them touch their neighbour), turned ones cut at `left`.
std::vector<PlacedLabel> PlaceTickLabels(const TickLabelLayout& layout,
                                         const std::vector<double>& positions,
                                         const std::function<double(size_t)>& natural_width,
                                         double height, double axis_y, double left, double right);

// The gap (pt) between the axis and its labels, and between two labels.
constexpr double kTickLabelGap = 5;

}  // namespace quire
