// FlowTable: table layout (column widths) and row-by-row drawing with page
// breaks.
#include "workers/render/table_block.h"

#include <algorithm>
#include <cmath>

#include "common/table_format.h"

namespace quire {
namespace {

constexpr double kFontSize = 9;        // pt
constexpr double kTitleSize = 11;      // pt
constexpr double kCellPad = 4;         // pt, left/right inside a cell
constexpr double kRowPad = 3;          // pt, top/bottom inside a cell
constexpr size_t kMeasuredRows = 500;  // rows sampled to size columns
constexpr Rgb kHeaderFill{0xD9D9D9};
constexpr Rgb kStripeFill{0xF2F2F2};
constexpr Rgb kGridLine{0xBFBFBF};

TextStyle CellStyle(bool bold) {
  TextStyle s;
  s.size = kFontSize;
  s.bold = bold;
  return s;
}

// One shown column: the data, its header text and display format.
struct ShownColumn {
  const Column* column;
  std::string label;
  std::string format;
};

class TableWriter {
 public:
  TableWriter(PageFlow& flow, std::vector<ShownColumn> columns)
      : flow_(flow), columns_(std::move(columns)) {
    row_height_ = TextBlock(flow.cr(), "Ag", CellStyle(true)).height() + 2 * kRowPad;
  }

  double row_height() const { return row_height_; }

  // Natural widths (widest of header and sampled cells), scaled to the
  // text width.
  void SizeColumns(size_t rows) {
    std::vector<double> natural;
    double total = 0;
    for (const ShownColumn& c : columns_) {
      double w = TextBlock(flow_.cr(), c.label, CellStyle(true)).width();
      for (size_t r = 0; r < std::min(rows, kMeasuredRows); ++r) {
        w = std::max(w, TextBlock(flow_.cr(), Cell(c, r), CellStyle(false)).width());
      }
      natural.push_back(w + 2 * kCellPad);
      total += natural.back();
    }
    for (double w : natural) widths_.push_back(w * flow_.width() / std::max(1.0, total));
  }

  void DrawHeader() {
    std::vector<std::string> names;
    for (const ShownColumn& c : columns_) names.push_back(c.label);
    DrawRow(names, kHeaderFill, true, false);
  }

  void DrawDataRow(size_t r) {
    std::vector<std::string> cells;
    for (const ShownColumn& c : columns_) cells.push_back(Cell(c, r));
    const Rgb fill = r % 2 == 1 ? kStripeFill : Rgb{0xFFFFFF};
    DrawRow(cells, fill, false, true);
  }

  // Sums of the numeric columns, in their formats; none for a percentage
  // column (rates do not add up).
  void DrawTotalsRow() {
    std::vector<std::string> cells;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const ShownColumn& c = columns_[i];
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
    DrawRow(cells, kHeaderFill, true, true);
  }

 private:
  static std::string Cell(const ShownColumn& c, size_t r) {
    return FormatCell(*c.column, r, c.format);
  }

  // `align_numbers`: right-align the cells of numeric columns.
  void DrawRow(const std::vector<std::string>& cells, Rgb fill, bool bold, bool align_numbers) {
    cairo_t* cr = flow_.cr();
    double x = flow_.left();
    const double y = flow_.y();
    for (size_t i = 0; i < cells.size(); ++i) {
      cairo_save(cr);
      cairo_rectangle(cr, x, y, widths_[i], row_height_);
      SetSourceRgb(cr, fill);
      cairo_fill_preserve(cr);
      SetSourceRgb(cr, kGridLine);
      cairo_set_line_width(cr, 0.5);
      cairo_stroke(cr);
      cairo_restore(cr);
      const bool numeric = align_numbers && IsNumericType(columns_[i].column->type());
      TextBlock text(cr, cells[i], CellStyle(bold), std::max(1.0, widths_[i] - 2 * kCellPad),
                     numeric ? TextAlign::kRight : TextAlign::kLeft, true);
      text.Draw(cr, x + kCellPad, y + kRowPad);
      x += widths_[i];
    }
    flow_.Advance(row_height_);
  }

  PageFlow& flow_;
  std::vector<ShownColumn> columns_;
  std::vector<double> widths_;
  double row_height_ = 0;
};

}  // namespace

Status FlowTable(PageFlow& flow, const Table& table, const std::string& title,
                 const std::vector<TableColumnSpec>& columns, bool totals,
                 const std::function<bool()>& cancelled) {
  std::vector<ShownColumn> shown;
  if (columns.empty()) {
    for (size_t i = 0; i < table.num_columns(); ++i) {
      shown.push_back({&table.column(i), table.column(i).name(), ""});
    }
  } else {
    for (const TableColumnSpec& spec : columns) {
      const Column* c = table.FindColumn(spec.name);
      if (c == nullptr) return Status::InvalidArgument("table has no column '" + spec.name + "'");
      shown.push_back({c, spec.label.empty() ? spec.name : spec.label, spec.format});
    }
  }
  if (shown.empty()) return Status::OK();

  TableWriter writer(flow, shown);
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
  writer.DrawHeader();
  for (size_t r = 0; r < rows; ++r) {
    if (cancelled && cancelled()) return Status::Cancelled("rendering cancelled");
    if (writer.row_height() > flow.remaining()) {
      flow.NewPage();
      writer.DrawHeader();
    }
    writer.DrawDataRow(r);
  }
  if (rows == 0) {
    TextStyle empty = CellStyle(false);
    empty.italic = true;
    empty.color = {0x777777};
    TextBlock text(flow.cr(), "No rows", empty, flow.width(), TextAlign::kCenter);
    text.Draw(flow.cr(), flow.left(), flow.y() + kRowPad);
    flow.Advance(writer.row_height());
  }
  if (totals) {
    if (writer.row_height() > flow.remaining()) {
      flow.NewPage();
      writer.DrawHeader();
    }
    writer.DrawTotalsRow();
  }
  return Status::OK();
}

}  // namespace quire
