// Legend layout (rows or a column, capped, "+N more") and drawing.
#include "report/charts/legend.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "report/charts/marks.h"

namespace quire {
namespace {

constexpr double kSquare = 8;              // pt, square and marker swatches
constexpr double kLineSwatch = 16;         // pt, line swatches
constexpr double kSwatchGap = 4;           // pt between a swatch and its name
constexpr double kItemGap = 14;            // pt between entries on a row
constexpr double kRowGap = 2;              // pt between rows
constexpr double kChartGap = 8;            // pt between the legend and the chart
constexpr double kMaxRowsShare = 1.0 / 3;  // of the area's height (bottom, top)
constexpr double kMaxColumnShare = 0.3;    // of the area's width (right)
constexpr double kMinColumnWidth = 48;     // pt

}  // namespace

std::vector<LegendEntry> SeriesLegendEntries(const std::vector<std::string>& names,
                                             const ChartTheme& theme) {
  std::vector<LegendEntry> entries;
  for (size_t i = 0; i < names.size(); ++i) entries.push_back({names[i], theme.SeriesColor(i)});
  return entries;
}

Legend::Legend(std::vector<LegendEntry> entries, LegendSwatch swatch, LegendPosition position,
               const ChartTheme& theme)
    : entries_(std::move(entries)), swatch_(swatch), position_(position), theme_(theme) {}

double Legend::SwatchWidth() const {
  return swatch_ == LegendSwatch::kLine || swatch_ == LegendSwatch::kLineMarker ? kLineSwatch
                                                                                : kSquare;
}

std::string Legend::MoreText() const {
  return "+" + std::to_string(entries_.size() - shown_) + " more";
}

ChartBox Legend::Layout(const ChartBox& area) {
  items_.clear();
  box_ = {area.x, area.y, 0, 0};
  shown_ = 0;
  if (entries_.empty()) return area;
  line_height_ = std::max(kSquare, LabelText(ChartTextStyle(theme_, theme_.label_size)).height());
  if (position_ == LegendPosition::kRight) {
    LayoutColumn(area);
    return {area.x, area.y, std::max(0.0, area.width - box_.width - kChartGap), area.height};
  }
  LayoutRows(area);
  const double taken = std::min(area.height, box_.height + kChartGap);
  const double top = position_ == LegendPosition::kTop ? area.y + taken : area.y;
  return {area.x, top, area.width, area.height - taken};
}

void Legend::LayoutRows(const ChartBox& area) {
  const LabelText label(ChartTextStyle(theme_, theme_.label_size));
  const double sw = SwatchWidth() + kSwatchGap;
  const double inner = std::max(sw + 10, area.width);
  struct Row {
    std::vector<Item> items;
    double width = 0;
  };
  std::vector<Row> rows(1);
  auto place = [&](size_t entry, double text_width) {
    const double w = sw + text_width;
    Row* row = &rows.back();
    if (row->width > 0 && row->width + kItemGap + w > inner) row = &rows.emplace_back();
    row->width += (row->width > 0 ? kItemGap : 0);
    row->items.push_back({entry, row->width, 0, text_width});
    row->width += w;
  };
  for (size_t i = 0; i < entries_.size(); ++i) {
    place(i, std::min(label.Width(entries_[i].name), inner - sw));
  }
  const size_t max_rows =
      std::max<size_t>(1, static_cast<size_t>(std::floor((area.height * kMaxRowsShare + kRowGap) /
                                                         (line_height_ + kRowGap))));
  shown_ = entries_.size();
  if (rows.size() > max_rows) {
    // Keep the first rows; end the last one with the "+N more" note.
    rows.resize(max_rows);
    Row& last = rows.back();
    shown_ = 0;
    for (const Row& r : rows) shown_ += r.items.size();
    double note = label.Width(MoreText());
    while (!last.items.empty() && last.width + kItemGap + note > inner) {
      last.items.pop_back();
      --shown_;
      last.width = last.items.empty() ? 0 : last.items.back().x + sw + last.items.back().text_width;
      note = label.Width(MoreText());
    }
    last.width += (last.width > 0 ? kItemGap : 0);
    last.items.push_back({entries_.size(), last.width - sw, 0, note});
    last.width += note;
  }
  const double height = static_cast<double>(rows.size()) * (line_height_ + kRowGap) - kRowGap;
  const double top = position_ == LegendPosition::kTop
                         ? area.y
                         : area.y + area.height - std::min(height, area.height);
  box_ = {area.x, top, area.width, height};
  for (size_t r = 0; r < rows.size(); ++r) {
    const double left = area.x + (area.width - rows[r].width) / 2;  // centred
    for (Item item : rows[r].items) {
      item.x += left;
      item.y = top + static_cast<double>(r) * (line_height_ + kRowGap);
      items_.push_back(item);
    }
  }
}

void Legend::LayoutColumn(const ChartBox& area) {
  const LabelText label(ChartTextStyle(theme_, theme_.label_size));
  const double sw = SwatchWidth() + kSwatchGap;
  const double max_width =
      std::min(area.width, std::max(kMinColumnWidth, area.width * kMaxColumnShare));
  const double max_text = std::max(10.0, max_width - sw);
  const size_t max_rows = std::max<size_t>(
      1, static_cast<size_t>(std::floor((area.height + kRowGap) / (line_height_ + kRowGap))));
  shown_ = entries_.size() <= max_rows ? entries_.size() : max_rows - 1;
  const size_t rows = std::min(entries_.size(), max_rows);
  const double height = static_cast<double>(rows) * (line_height_ + kRowGap) - kRowGap;
  const double top = area.y + std::max(0.0, (area.height - height) / 2);  // centred
  double width = 0;
  for (size_t i = 0; i < rows; ++i) {
    const std::string& text = i < shown_ ? entries_[i].name : MoreText();
    const double natural = label.Width(text);
    const size_t entry = i < shown_ ? i : entries_.size();
    items_.push_back({entry, 0, top + static_cast<double>(i) * (line_height_ + kRowGap),
                      std::min(natural, max_text)});
    width = std::max(width, (entry < entries_.size() ? sw : 0) + items_.back().text_width);
  }
  box_ = {area.x + area.width - width, top, width, height};
  for (Item& item : items_) item.x = box_.x - (item.entry < entries_.size() ? 0 : sw);
}

void Legend::DrawSwatch(Canvas& canvas, const LegendEntry& entry, double x, double y) const {
  const double mid = y + line_height_ / 2;
  canvas.Save();
  canvas.SetColor(entry.color);
  switch (swatch_) {
    case LegendSwatch::kSquare:
      canvas.Rectangle(x, mid - kSquare / 2, kSquare, kSquare);
      canvas.Fill();
      break;
    case LegendSwatch::kMarker:
      AddMarkerPath(canvas, x + kSquare / 2, mid, kSquare / 2 - 0.5);
      canvas.Fill();
      break;
    case LegendSwatch::kLine:
    case LegendSwatch::kLineMarker:
      canvas.SetLineWidth(2);
      canvas.MoveTo(x, mid);
      canvas.LineTo(x + kLineSwatch, mid);
      canvas.Stroke();
      if (swatch_ == LegendSwatch::kLineMarker) {
        AddMarkerPath(canvas, x + kLineSwatch / 2, mid, 3);
        canvas.Fill();
      }
      break;
  }
  canvas.Restore();
}

void Legend::Draw(Canvas& canvas) const {
  const TextStyle style = ChartTextStyle(theme_, theme_.label_size);
  TextStyle note_style = style;
  note_style.italic = true;
  note_style.color = theme_.axis;
  const LabelText label(style), note_label(note_style);
  const double sw = SwatchWidth() + kSwatchGap;
  for (const Item& item : items_) {
    const bool note = item.entry >= entries_.size();
    const std::string text = note ? MoreText() : entries_[item.entry].name;
    if (!note) DrawSwatch(canvas, entries_[item.entry], item.x, item.y);
    // Cut with "…" only when the name was measured wider than its room.
    const LabelText& l = note ? note_label : label;
    l.Draw(canvas, text, item.x + sw, item.y + (line_height_ - l.height()) / 2, 0, item.text_width);
  }
}

}  // namespace quire
