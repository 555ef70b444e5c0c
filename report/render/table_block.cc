// FlowTable: table layout (column widths) and row drawing with page breaks.
// Rows are not drawn one cell at a time: each page's share of the table is
// batched — one path per fill colour, the grid as whole lines, and the cell
// text of each font as one glyph run — and drawn when the page ends. Cells
// whose text needs shaping (scripts beyond Latin) or cutting with "…" are
// set by pango instead.
#include "report/render/internal/table_block.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "common/table/table_format.h"
#include "report/render/section_walk.h"

namespace quire {
namespace {

constexpr double kFontSize = 9;        // pt
constexpr double kTitleSize = 11;      // pt
constexpr double kCellPad = 4;         // pt, left/right inside a cell
constexpr double kRowPad = 2.2;        // pt, top/bottom inside a cell
constexpr size_t kMeasuredRows = 500;  // rows sampled to size columns
constexpr Rgb kHeaderFill{0xD9D9D9};
constexpr Rgb kStripeFill{0xF2F2F2};
constexpr Rgb kGridLine{0xBFBFBF};
constexpr double kGridWidth = 0.25;  // pt

TextStyle CellStyle(bool bold) {
  TextStyle s;
  s.size = kFontSize;
  s.bold = bold;
  return s;
}

class TableWriter {
 public:
  TableWriter(PageFlow& flow, std::vector<SelectedColumn> columns)
      : flow_(flow),
        columns_(std::move(columns)),
        fonts_{std::make_unique<GlyphFont>(CellStyle(false)),
               std::make_unique<GlyphFont>(CellStyle(true))} {
    row_height_ = TextBlock(flow.cr(), "Ag", CellStyle(true)).height() + 2 * kRowPad;
  }

  double row_height() const { return row_height_; }

  // Widths given in the template are kept; the others follow the widest of
  // header and sampled cells. Everything is scaled down to fit the text
  // width, and content-sized tables are stretched to fill it.
  void SizeColumns(size_t rows) {
    double total = 0;
    bool all_fixed = true;
    for (const SelectedColumn& c : columns_) {
      double w = c.width;
      if (w <= 0) {
        all_fixed = false;
        w = TextWidth(c.label, true);
        for (size_t r = 0; r < std::min(rows, kMeasuredRows); ++r) {
          w = std::max(w, TextWidth(Cell(c, r), false));
        }
        w += 2 * kCellPad;
      }
      widths_.push_back(w);
      total += w;
    }
    const double scale = total > flow_.width() || !all_fixed ? flow_.width() / total : 1;
    for (double& w : widths_) w *= scale;
  }

  void AddHeader() {
    std::vector<std::string> names;
    for (const SelectedColumn& c : columns_) names.push_back(c.label);
    AddRow(names, kHeaderFill, true, false);
  }

  void AddDataRow(size_t r) {
    cells_.clear();
    for (const SelectedColumn& c : columns_) cells_.push_back(Cell(c, r));
    AddRow(cells_, r % 2 == 1 ? kStripeFill : Rgb{0xFFFFFF}, false, true);
  }

  // Sums of the numeric columns, in their formats; none for a percentage
  // column (rates do not add up).
  void AddTotalsRow() {
    std::vector<std::string> cells;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const SelectedColumn& c = columns_[i];
      const bool percent = !IsDateFormat(c.format) && c.format.find('%') != std::string::npos;
      if (!IsNumericType(c.column->type()) || percent) {
        cells.push_back(i == 0 ? "Total" : "");
        continue;
      }
      double sum = AggregateColumn(*c.column, AggregateFunction::kSum);
      if (std::isnan(sum)) sum = 0;
      Column total("", c.column->type());
      if (c.column->type() == ColumnType::kInt) {
        total.AppendInt(static_cast<int64_t>(std::llround(sum)));
      } else {
        total.AppendFloat(sum);
      }
      cells.push_back(FormatCell(total, 0, c.format));
    }
    AddRow(cells, kHeaderFill, true, true);
  }

  // Draws what this page holds of the table. Call before every page break
  // and at the end.
  void Flush() {
    if (row_tops_.empty()) return;
    cairo_t* cr = flow_.cr();
    cairo_save(cr);
    for (const Rgb fill : {kHeaderFill, kStripeFill}) {
      bool any = false;
      for (size_t i = 0; i < row_tops_.size(); ++i) {
        if (row_fills_[i].hex != fill.hex) continue;
        cairo_rectangle(cr, flow_.left(), row_tops_[i], table_width(), row_height_);
        any = true;
      }
      if (any) {
        SetSourceRgb(cr, fill);
        cairo_fill(cr);
      }
    }
    // The grid: a line under every row and one at every column edge.
    const double top = row_tops_.front(), bottom = row_tops_.back() + row_height_;
    cairo_move_to(cr, flow_.left(), top);
    cairo_rel_line_to(cr, table_width(), 0);
    for (double y : row_tops_) {
      cairo_move_to(cr, flow_.left(), y + row_height_);
      cairo_rel_line_to(cr, table_width(), 0);
    }
    double x = flow_.left();
    for (size_t i = 0; i <= widths_.size(); ++i) {
      cairo_move_to(cr, x, top);
      cairo_line_to(cr, x, bottom);
      if (i < widths_.size()) x += widths_[i];
    }
    SetSourceRgb(cr, kGridLine);
    cairo_set_line_width(cr, kGridWidth);
    cairo_stroke(cr);
    cairo_restore(cr);
    for (int bold = 0; bold < 2; ++bold) {
      fonts_[bold]->Draw(cr, glyphs_[bold]);
      glyphs_[bold].clear();
    }
    for (const Shaped& s : shaped_) {
      TextBlock text(cr, s.text, CellStyle(s.bold), s.width, s.align, true);
      text.Draw(cr, s.x, s.y);
    }
    shaped_.clear();
    row_tops_.clear();
    row_fills_.clear();
  }

 private:
  // A cell left to pango.
  struct Shaped {
    std::string text;
    bool bold;
    double x, y, width;
    TextAlign align;
  };

  static std::string Cell(const SelectedColumn& c, size_t r) {
    return FormatCell(*c.column, r, c.format);
  }

  double table_width() const {
    double w = 0;
    for (double c : widths_) w += c;
    return w;
  }

  double TextWidth(const std::string& text, bool bold) {
    double advance = 0;
    scratch_.clear();
    if (fonts_[bold]->Append(text, 0, 0, &scratch_, &advance)) return advance;
    return TextBlock(flow_.cr(), text, CellStyle(bold)).width();
  }

  // `align_numbers`: right-align the cells of numeric columns.
  void AddRow(const std::vector<std::string>& cells, Rgb fill, bool bold, bool align_numbers) {
    const double y = flow_.y();
    row_tops_.push_back(y);
    row_fills_.push_back(fill);
    const GlyphFont& font = *fonts_[bold];
    std::vector<cairo_glyph_t>& glyphs = glyphs_[bold];
    double x = flow_.left();
    for (size_t i = 0; i < cells.size(); ++i) {
      const bool right = align_numbers && IsNumericType(columns_[i].column->type());
      const double room = std::max(1.0, widths_[i] - 2 * kCellPad);
      const size_t start = glyphs.size();
      double advance = 0;
      if (font.Append(cells[i], x + kCellPad, y + kRowPad + font.baseline(), &glyphs, &advance) &&
          advance <= room) {
        if (right) {
          for (size_t g = start; g < glyphs.size(); ++g) glyphs[g].x += room - advance;
        }
      } else if (!cells[i].empty()) {
        glyphs.resize(start);
        shaped_.push_back({cells[i], bold, x + kCellPad, y + kRowPad, room,
                           right ? TextAlign::kRight : TextAlign::kLeft});
      }
      x += widths_[i];
    }
    flow_.Advance(row_height_);
  }

  PageFlow& flow_;
  std::vector<SelectedColumn> columns_;
  std::unique_ptr<GlyphFont> fonts_[2];  // regular, bold
  std::vector<double> widths_;
  double row_height_ = 0;
  // The batch of the current page.
  std::vector<double> row_tops_;
  std::vector<Rgb> row_fills_;
  std::vector<cairo_glyph_t> glyphs_[2];
  std::vector<Shaped> shaped_;
  std::vector<std::string> cells_;
  std::vector<cairo_glyph_t> scratch_;
};

}  // namespace

Status FlowTable(PageFlow& flow, const Table& table, const std::string& title,
                 const std::vector<TableColumnSpec>& columns, bool totals,
                 const std::function<bool()>& cancelled) {
  StatusOr<std::vector<SelectedColumn>> shown = SelectTableColumns(table, columns);
  if (!shown.ok()) return shown.status();
  if (shown->empty()) return Status::OK();

  TableWriter writer(flow, std::move(*shown));
  const size_t rows = table.num_rows();
  writer.SizeColumns(rows);

  TextStyle title_style;
  title_style.size = kTitleSize;
  title_style.bold = true;
  const TextBlock heading(flow.cr(), title, title_style, flow.width());
  const double heading_height = title.empty() ? 0 : heading.height() + 4;
  // Keep the title, the header and the first row together.
  flow.EnsureRoom(heading_height + 2 * writer.row_height());
  if (!title.empty()) {
    heading.Draw(flow.cr(), flow.left(), flow.y());
    flow.Advance(heading_height);
  }
  const auto break_page = [&] {
    writer.Flush();
    flow.NewPage();
    writer.AddHeader();
  };
  writer.AddHeader();
  for (size_t r = 0; r < rows; ++r) {
    if (cancelled && (r & 63) == 0 && cancelled()) {
      writer.Flush();
      return Status::Cancelled("rendering cancelled");
    }
    if (writer.row_height() > flow.remaining()) break_page();
    writer.AddDataRow(r);
  }
  writer.Flush();
  if (rows == 0) {
    TextStyle empty = CellStyle(false);
    empty.italic = true;
    empty.color = {0x777777};
    TextBlock text(flow.cr(), "No rows", empty, flow.width(), TextAlign::kCenter);
    text.Draw(flow.cr(), flow.left(), flow.y() + kRowPad);
    flow.Advance(writer.row_height());
  }
  if (totals) {
    if (writer.row_height() > flow.remaining()) break_page();
    writer.AddTotalsRow();
    writer.Flush();
  }
  return Status::OK();
}

}  // namespace quire
