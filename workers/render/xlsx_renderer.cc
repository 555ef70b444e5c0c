// RenderXlsx: the workbook writer — formats made once per workbook, the
// Report sheet filled while VisitShownSections walks the sections, a sheet
// per table, and the charts collected on the way and written at the end
// (ChartData and Charts come after the table sheets).
#include "workers/render/xlsx_renderer.h"

#include <pango/pango.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "common/table_format.h"
#include "workers/charts/chart.h"
#include "workers/charts/chart_data.h"
#include "workers/charts/histogram_bins.h"
#include "workers/render/table_export.h"
#include "workers/render/text.h"

namespace quire {
namespace {

constexpr size_t kCancelCheckRows = 1000;
constexpr size_t kMeasuredRows = 500;  // rows sampled to size a column
constexpr double kMinColumnChars = 6;
constexpr double kMaxColumnChars = 60;
constexpr size_t kMaxStringChars = 32767;    // Excel's cell limit, in characters
constexpr lxw_col_t kReportTextColumns = 6;  // text spans A:F on the Report sheet
constexpr double kReportTextChars = 110;     // characters per line across A:F
constexpr double kLinePt = 15;               // row height of one line of body text
// Charts: 605x360 px (libxlsxwriter's default is 480x288), two a row, each
// in a cell grid of 10 columns by 20 rows.
constexpr double kChartXScale = 605.0 / 480.0;
constexpr double kChartYScale = 360.0 / 288.0;
constexpr lxw_col_t kChartGridColumns = 10;
constexpr lxw_row_t kChartGridRows = 20;
constexpr int64_t kExcelEpochOffset = 25569;  // Excel's serial of 1970-01-01
constexpr uint32_t kHeaderFill = 0xD9D9D9;

// ---------------------------------------------------------------------------
// Template formats as Excel num_formats.

// `text` as literal format text: characters in `plain` as they are,
// everything else quoted.
std::string ExcelLiteral(std::string_view text, std::string_view plain) {
  std::string out, quoted;
  const auto flush = [&] {
    if (!quoted.empty()) out += '"' + quoted + '"';
    quoted.clear();
  };
  for (char c : text) {
    if (plain.find(c) != std::string_view::npos) {
      flush();
      out += c;
    } else if (c == '"') {
      flush();
      out += "\\\"";
    } else {
      quoted += c;
    }
  }
  flush();
  return out;
}

// A canonical digit pattern, so that no "," lands where Excel reads it as
// "divide by 1000".
std::string ExcelNumberFormat(const NumberFormat& f) {
  std::string integer;
  if (f.grouping) {
    integer = std::string(static_cast<size_t>(std::max(0, 4 - f.min_integer_digits)), '#') +
              std::string(static_cast<size_t>(f.min_integer_digits), '0');
    integer.insert(integer.size() - 3, 1, ',');
  } else {
    integer = f.min_integer_digits == 0
                  ? "#"
                  : std::string(static_cast<size_t>(f.min_integer_digits), '0');
  }
  std::string decimals;
  if (f.max_decimals > 0) {
    decimals = "." + std::string(static_cast<size_t>(f.min_decimals), '0') +
               std::string(static_cast<size_t>(f.max_decimals - f.min_decimals), '#');
  }
  constexpr std::string_view kPlain = "%$-+/(): ";  // "%" scales by 100, as in the template
  return ExcelLiteral(f.prefix, kPlain) + integer + decimals + ExcelLiteral(f.suffix, kPlain);
}

// An strftime-style date format in Excel's codes; nullopt when it uses a
// conversion Excel has no code for (%j).
std::optional<std::string> ExcelDateFormat(std::string_view pattern) {
  static const std::map<char, std::string> kCodes = {
      {'Y', "yyyy"}, {'y', "yy"},    {'m', "mm"},         {'d', "dd"},
      {'e', "d"},    {'B', "mmmm"},  {'b', "mmm"},        {'A', "dddd"},
      {'a', "ddd"},  {'H', "hh"},    {'I', "hh"},         {'M', "mm"},
      {'S', "ss"},   {'p', "AM/PM"}, {'F', "yyyy-mm-dd"}, {'T', "hh:mm:ss"}};
  constexpr std::string_view kPlain = "-/:,. ()";
  std::string out, literal;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 == pattern.size()) {
      literal += pattern[i];
      continue;
    }
    const char conversion = pattern[++i];
    if (conversion == '%') {
      literal += '%';
      continue;
    }
    auto it = kCodes.find(conversion);
    if (it == kCodes.end()) return std::nullopt;
    out += ExcelLiteral(literal, kPlain);
    literal.clear();
    out += it->second;
  }
  return out + ExcelLiteral(literal, kPlain);
}

// The Excel num_format for a column of `type` shown with template format
// `pattern`: "" (General) for text, bools and numbers without a usable
// format; dates default to yyyy-mm-dd.
std::string ExcelFormatFor(ColumnType type, std::string_view pattern) {
  if (type == ColumnType::kDate) {
    if (IsDateFormat(pattern) && CheckDateFormat(pattern).ok()) {
      if (auto f = ExcelDateFormat(pattern)) return *f;
    }
    return "yyyy-mm-dd";
  }
  if (IsNumericType(type) && !pattern.empty() && !IsDateFormat(pattern)) {
    if (auto f = ParseNumberFormat(pattern); f.ok()) return ExcelNumberFormat(*f);
  }
  return "";
}

// True when a totals row sums the column: numbers, but not rates.
bool SumsInTotals(const SelectedColumn& c) {
  if (!IsNumericType(c.column->type())) return false;
  if (IsDateFormat(c.format)) return true;
  StatusOr<NumberFormat> f = ParseNumberFormat(c.format);
  return !(f.ok() && f->percent);
}

// ---------------------------------------------------------------------------
// Text helpers.

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The longest prefix of `s` of at most `n` code points.
std::string Utf8Prefix(const std::string& s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n) return s.substr(0, i);
  }
  return s;
}

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// libxlsxwriter reads a chart text starting with "=" as a cell reference.
std::string ChartText(std::string text) {
  if (!text.empty() && text[0] == '=') text.insert(0, " ");
  return text;
}

std::string CellName(lxw_row_t row, lxw_col_t col) {
  char buf[32];
  lxw_rowcol_to_cell_abs(buf, row, col, LXW_TRUE, LXW_TRUE);
  return buf;
}

// "$A$2:$A$13", or with `absolute` false "A2:A13".
std::string RangeName(lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row,
                      lxw_col_t last_col, bool absolute = true) {
  char buf[64];
  if (absolute) {
    lxw_rowcol_to_range_abs(buf, first_row, first_col, last_row, last_col);
  } else {
    lxw_rowcol_to_range(buf, first_row, first_col, last_row, last_col);
  }
  return buf;
}

// Valid, unique sheet names: at most 31 characters, none of []:*?/\, not
// starting or ending with an apostrophe, unique ignoring case.
class SheetNames {
 public:
  SheetNames() {
    for (const char* reserved : {"Report", "ChartData", "Charts", "History"}) {
      taken_.insert(AsciiLower(reserved));
    }
  }

  std::string Take(const std::string& wanted) {
    std::string name;
    for (char c : wanted) {
      if (c == '[') c = '(';
      if (c == ']') c = ')';
      if (std::string_view(":*?/\\").find(c) != std::string_view::npos) c = '-';
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
      name += c;
    }
    const auto trim = [](std::string& s) {
      const size_t b = s.find_first_not_of(" '");
      const size_t e = s.find_last_not_of(" '");
      s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
    };
    trim(name);
    if (name.empty()) name = "Table";
    std::string candidate = Utf8Prefix(name, LXW_SHEETNAME_MAX);
    trim(candidate);
    for (int n = 2; taken_.count(AsciiLower(candidate)) > 0; ++n) {
      const std::string suffix = " (" + std::to_string(n) + ")";
      candidate = Utf8Prefix(name, LXW_SHEETNAME_MAX - suffix.size());
      trim(candidate);
      candidate += suffix;
    }
    taken_.insert(AsciiLower(candidate));
    return candidate;
  }

 private:
  std::set<std::string> taken_;
};

// ---------------------------------------------------------------------------
// Formats, made once per workbook.

class Styles {
 public:
  explicit Styles(lxw_workbook* wb) : wb_(wb) {
    title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 16);
    heading = workbook_add_format(wb);
    format_set_bold(heading);
    format_set_font_size(heading, 13);
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    italic = workbook_add_format(wb);
    format_set_italic(italic);
    header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_bg_color(header, kHeaderFill);
    format_set_bottom(header, LXW_BORDER_THIN);
    wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    note = workbook_add_format(wb);
    format_set_italic(note);
    format_set_font_color(note, 0x777777);
    link = workbook_add_format(wb);
    format_set_underline(link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(link, 0x0563C1);
    delta_up = workbook_add_format(wb);
    format_set_font_color(delta_up, 0x2E7D32);
    delta_down = workbook_add_format(wb);
    format_set_font_color(delta_down, 0xC62828);
  }

  // Cells in Excel number format `num_format` ("" for General); `totals`:
  // bold on the header fill. nullptr (the default format) for plain cells.
  lxw_format* Cell(const std::string& num_format, bool totals = false) {
    if (num_format.empty() && !totals) return nullptr;
    lxw_format*& f = cells_[{num_format, totals}];
    if (f == nullptr) {
      f = workbook_add_format(wb_);
      if (!num_format.empty()) format_set_num_format(f, num_format.c_str());
      if (totals) {
        format_set_bold(f);
        format_set_bg_color(f, kHeaderFill);
        format_set_top(f, LXW_BORDER_THIN);
      }
    }
    return f;
  }

  lxw_format* title;
  lxw_format* heading;
  lxw_format* bold;
  lxw_format* italic;
  lxw_format* header;
  lxw_format* wrap;
  lxw_format* note;
  lxw_format* link;
  lxw_format* delta_up;
  lxw_format* delta_down;

 private:
  lxw_workbook* wb_;
  std::map<std::pair<std::string, bool>, lxw_format*> cells_;
};

// ---------------------------------------------------------------------------
// Cells.

// An empty cell, written only when it has a format to show.
lxw_error WriteBlank(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, lxw_format* format) {
  return format == nullptr ? LXW_NO_ERROR : worksheet_write_blank(ws, row, col, format);
}

// A string cell; invalid UTF-8 (which would make the file unreadable) is
// replaced by U+FFFD, an over-long text cut to Excel's limit.
lxw_error WriteText(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& text,
                    lxw_format* format) {
  if (text.empty()) return WriteBlank(ws, row, col, format);
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
    const std::string fixed = valid;
    g_free(valid);
    return WriteText(ws, row, col, fixed, format);
  }
  if (Utf8Length(text) > kMaxStringChars) {
    return worksheet_write_string(ws, row, col, Utf8Prefix(text, kMaxStringChars).c_str(), format);
  }
  return worksheet_write_string(ws, row, col, text.c_str(), format);
}

// Row `r` of `c`, typed: numbers, real dates (serials; ISO text before
// 1900, which Excel cannot show), booleans, strings. Nulls and non-finite
// numbers stay empty.
lxw_error WriteCell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const Column& c, size_t r,
                    lxw_format* format) {
  if (c.IsNull(r)) return WriteBlank(ws, row, col, format);
  switch (c.type()) {
    case ColumnType::kText:
      return WriteText(ws, row, col, c.text_value(r), format);
    case ColumnType::kBool:
      return worksheet_write_boolean(ws, row, col, c.int_value(r) != 0, format);
    case ColumnType::kDate: {
      // Excel counts a 1900-02-29 that never was: serials from 61 on.
      const int64_t days = c.int_value(r);
      const int64_t serial = days + kExcelEpochOffset - (days < -25508 ? 1 : 0);
      if (serial < 1) return WriteText(ws, row, col, FormatDate(days), format);
      return worksheet_write_number(ws, row, col, static_cast<double>(serial), format);
    }
    case ColumnType::kInt:
    case ColumnType::kFloat: {
      const double v = c.AsDouble(r);
      if (!std::isfinite(v)) return WriteBlank(ws, row, col, format);
      return worksheet_write_number(ws, row, col, v, format);
    }
  }
  return LXW_NO_ERROR;
}

// Template text with **bold** and *italic* (parsed by EmphasisToMarkup) as
// a rich string; a plain string when there is no emphasis.
lxw_error WriteEmphasis(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& text,
                        lxw_format* format, const Styles& styles) {
  const std::string markup = EmphasisToMarkup(text);
  PangoAttrList* attrs = nullptr;
  char* plain = nullptr;
  if (!pango_parse_markup(markup.c_str(), -1, 0, &attrs, &plain, nullptr, nullptr)) {
    return WriteText(ws, row, col, text, format);
  }
  struct Fragment {
    lxw_format* format;
    std::string text;
  };
  std::vector<Fragment> fragments;
  const std::string all = plain;
  PangoAttrIterator* it = pango_attr_list_get_iterator(attrs);
  do {
    gint start = 0, end = 0;
    pango_attr_iterator_range(it, &start, &end);
    end = std::min<gint>(end, static_cast<gint>(all.size()));
    if (start >= end) continue;
    lxw_format* f = pango_attr_iterator_get(it, PANGO_ATTR_WEIGHT) != nullptr  ? styles.bold
                    : pango_attr_iterator_get(it, PANGO_ATTR_STYLE) != nullptr ? styles.italic
                                                                               : nullptr;
    fragments.push_back(
        {f, all.substr(static_cast<size_t>(start), static_cast<size_t>(end - start))});
  } while (pango_attr_iterator_next(it));
  pango_attr_iterator_destroy(it);
  pango_attr_list_unref(attrs);
  g_free(plain);

  const bool emphasis = std::any_of(fragments.begin(), fragments.end(),
                                    [](const Fragment& f) { return f.format != nullptr; });
  if (!emphasis || fragments.size() < 2 || Utf8Length(all) > kMaxStringChars) {
    return WriteText(ws, row, col, all, format);
  }
  std::vector<lxw_rich_string_tuple> tuples;
  for (Fragment& f : fragments) tuples.push_back({f.format, f.text.data()});
  std::vector<lxw_rich_string_tuple*> pointers;
  for (lxw_rich_string_tuple& t : tuples) pointers.push_back(&t);
  pointers.push_back(nullptr);
  return worksheet_write_rich_string(ws, row, col, pointers.data(), format);
}

// ---------------------------------------------------------------------------
// Charts.

// One chart's data as written to ChartData: column 0 the categories or x
// values (or the histogram's bin labels), then one column per series.
struct ChartBlock {
  ChartSpec spec;  // placeholders expanded
  Table data;      // columns named c0, c1, ...: the headers may repeat
  std::vector<std::string> headers;
};

// The block of `spec` over `table`, its rows as the PDF's chart reads them
// (ExtractSeries: bars and pies by row, lines, areas and scatters sorted by
// a numeric or date x). INVALID_ARGUMENT for a column the table lacks or of
// the wrong type.
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

// ---------------------------------------------------------------------------
// The workbook.

class WorkbookWriter {
 public:
  WorkbookWriter(const ReportTemplate& tmpl, const std::string& path,
                 const std::function<bool()>& cancelled)
      : tmpl_(tmpl), cancelled_(cancelled) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;  // charts read their data back from the cells
    wb_ = workbook_new_opt(path.c_str(), &options);
    if (wb_ != nullptr) styles_.emplace(wb_);
    const ChartTheme theme = ChartThemeFor(tmpl.theme);
    for (const Rgb& c : theme.palette) palette_.push_back(c.hex);
  }
  ~WorkbookWriter() {
    if (wb_ != nullptr) lxw_workbook_free(wb_);
  }
  WorkbookWriter(const WorkbookWriter&) = delete;
  WorkbookWriter& operator=(const WorkbookWriter&) = delete;

  bool ok() const { return wb_ != nullptr; }

  // Document properties and the top of the Report sheet: title and
  // parameters.
  void Begin(const ParamValues& params, const ReportData& data,
             std::chrono::system_clock::time_point now) {
    PlaceholderContext context;
    context.params = &params;
    context.data = &data;
    context.now = now;
    std::string title = ExpandPlaceholders(tmpl_.title, context);
    std::string subject = ExpandPlaceholders(tmpl_.description, context);
    std::string author = tmpl_.owner;
    std::string comments = "Generated by Quire from template '" + tmpl_.id + "'";
    lxw_doc_properties properties{};
    properties.title = title.data();
    properties.subject = subject.data();
    properties.author = author.data();
    properties.comments = comments.data();
    properties.created = std::chrono::system_clock::to_time_t(now);
    Check(workbook_set_properties(wb_, &properties));

    report_ = workbook_add_worksheet(wb_, "Report");
    SetUpPage(report_);
    Check(worksheet_set_column(report_, 0, 0, 30, nullptr));
    Check(worksheet_set_column(report_, 1, 2, 22, nullptr));
    Check(worksheet_set_column(report_, 3, kReportTextColumns - 1, 12, nullptr));
    Check(worksheet_set_row(report_, 0, 24, nullptr));
    Check(WriteText(report_, 0, 0, title, styles_->title));
    row_ = 2;
    if (!tmpl_.parameters.empty()) {
      Check(worksheet_write_string(report_, row_, 0, "Name", styles_->header));
      Check(worksheet_write_string(report_, row_, 1, "Value", styles_->header));
      ++row_;
      for (const ParameterSpec& p : tmpl_.parameters) {
        Check(WriteText(report_, row_, 0, p.name, nullptr));
        if (auto it = params.find(p.name); it != params.end()) WriteParam(it->second);
        ++row_;
      }
    }
    ++row_;
  }

  Status Visit(const Section& section, const SectionScope& scope) {
    switch (section.kind) {
      case SectionKind::kHeading:
        Check(worksheet_set_row(report_, row_, 20, nullptr));
        Check(WriteText(report_, row_++, 0, scope.Expand(section.text), styles_->heading));
        return Status::OK();
      case SectionKind::kText:
        WriteParagraph(scope.Expand(section.text));
        return Status::OK();
      case SectionKind::kKpi:
        return WriteKpi(section.kpi, scope);
      case SectionKind::kTable:
        return WriteTable(section.table, scope);
      case SectionKind::kChart:
        return CollectChart(section.chart, scope);
      case SectionKind::kForEach:  // only when its source has no data
        Note(DataUnavailableNote(section.for_each_source));
        return Status::OK();
      case SectionKind::kPageBreak:
        return Status::OK();
    }
    return Status::Internal("unknown section kind");
  }

  // ChartData and Charts, after every table sheet.
  Status WriteCharts() {
    if (charts_.empty()) return Status::OK();
    lxw_worksheet* data = workbook_add_worksheet(wb_, "ChartData");
    lxw_worksheet* sheet = workbook_add_worksheet(wb_, "Charts");
    lxw_col_t col = 0;
    for (size_t i = 0; i < charts_.size(); ++i) {
      const ChartBlock& block = charts_[i];
      const lxw_col_t width = static_cast<lxw_col_t>(block.data.num_columns());
      if (static_cast<size_t>(col) + width > LXW_COL_MAX) {
        return Status::ResourceExhausted("too many chart series for one ChartData sheet");
      }
      std::vector<const Column*> columns;
      std::vector<lxw_format*> formats;
      for (lxw_col_t c = 0; c < width; ++c) {
        Check(WriteText(data, 0, col + c, block.headers[c], styles_->header));
        columns.push_back(&block.data.column(c));
        formats.push_back(styles_->Cell(ExcelFormatFor(columns.back()->type(), "")));
      }
      Check(worksheet_set_column(data, col, col + width - 1, 14, nullptr));
      QUIRE_RETURN_IF_ERROR(WriteRows(data, columns, formats, block.data.num_rows(), col));
      AddChart(block, sheet, col, ChartCell(i));
      col += width + 1;  // a blank column between blocks
    }
    return Status::OK();
  }

  // Writes the workbook (to the path given at construction).
  Status Close() {
    if (error_ != LXW_NO_ERROR) {
      return Status::Internal(std::string("cannot build the workbook: ") + lxw_strerror(error_));
    }
    const lxw_error e = workbook_close(wb_);
    wb_ = nullptr;  // freed by workbook_close
    if (e != LXW_NO_ERROR) return Status::Internal(lxw_strerror(e));
    return Status::OK();
  }

 private:
  void Check(lxw_error e) {
    if (e != LXW_NO_ERROR && error_ == LXW_NO_ERROR) error_ = e;
  }

  Status Cancelled() const { return Status::Cancelled("rendering cancelled"); }

  // Paper, orientation and margins from the template; "Page N of M".
  void SetUpPage(lxw_worksheet* ws) {
    worksheet_set_paper(ws, tmpl_.page.size == PageSize::kLetter ? 1 : 9);
    if (tmpl_.page.orientation == PageOrientation::kLandscape) worksheet_set_landscape(ws);
    const PageSetup& p = tmpl_.page;
    worksheet_set_margins(ws, p.margin_left / 72, p.margin_right / 72, p.margin_top / 72,
                          p.margin_bottom / 72);
    Check(worksheet_set_footer(ws, "&CPage &P of &N"));
  }

  void WriteParam(const ParamValue& v) {
    switch (v.type) {
      case ParamType::kInt:
      case ParamType::kFloat:
        Check(worksheet_write_number(report_, row_, 1, v.float_value, nullptr));
        return;
      case ParamType::kBool:
        Check(worksheet_write_boolean(report_, row_, 1, v.int_value != 0, nullptr));
        return;
      case ParamType::kDate: {
        Column date("", ColumnType::kDate);
        date.AppendDate(v.int_value);
        Check(WriteCell(report_, row_, 1, date, 0, styles_->Cell("yyyy-mm-dd")));
        return;
      }
      default:
        Check(WriteText(report_, row_, 1, v.text, nullptr));
    }
  }

  // Wrapped across A:F, tall enough for its lines.
  void WriteParagraph(const std::string& text) {
    double lines = 0;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const double chars = static_cast<double>(Utf8Length(text.substr(start, end - start)));
      lines += std::max(1.0, std::ceil(chars / kReportTextChars));
      start = end + 1;
    }
    Check(worksheet_set_row(report_, row_, kLinePt * lines, nullptr));
    Check(worksheet_merge_range(report_, row_, 0, row_, kReportTextColumns - 1, "", styles_->wrap));
    Check(WriteEmphasis(report_, row_, 0, text, styles_->wrap, *styles_));
    ++row_;
  }

  void Note(const std::string& text) { Check(WriteText(report_, row_++, 0, text, styles_->note)); }

  // Label, value (a number in its format, or text) and delta.
  Status WriteKpi(const KpiSpec& kpi, const SectionScope& scope) {
    Check(WriteText(report_, row_, 0, scope.Expand(kpi.label), styles_->bold));
    if (kpi.source.empty()) {
      Check(WriteText(report_, row_, 1, scope.Expand(kpi.value), nullptr));
    } else {
      StatusOr<const Table*> table = scope.FindTable(kpi.source);
      if (!table.ok()) return table.status();
      const Column* column = *table == nullptr ? nullptr : (*table)->FindColumn(kpi.column);
      if (*table != nullptr && column == nullptr) {
        return Status::InvalidArgument("kpi '" + kpi.label + "': no column '" + kpi.column + "'");
      }
      const double v = column == nullptr ? NAN : AggregateColumn(*column, kpi.aggregate);
      if (std::isnan(v)) {
        Check(WriteText(report_, row_, 1, "n/a", nullptr));
      } else {
        Check(worksheet_write_number(
            report_, row_, 1, v, styles_->Cell(ExcelFormatFor(ColumnType::kFloat, kpi.format))));
      }
    }
    const std::string delta = scope.Expand(kpi.delta);
    if (!delta.empty()) {
      const bool up = delta[0] == '+';
      const bool down = delta[0] == '-' || delta.rfind("\u2212", 0) == 0;
      Check(WriteText(report_, row_, 2, delta,
                      up     ? styles_->delta_up
                      : down ? styles_->delta_down
                             : nullptr));
    }
    ++row_;
    return Status::OK();
  }

  // A link on the Report sheet to `target` ("'Sheet'!A1"), shown as `text`.
  void Link(const std::string& text, const std::string& target) {
    const std::string url = "internal:" + target;
    Check(worksheet_write_url_opt(report_, row_++, 0, url.c_str(), styles_->link,
                                  Utf8Prefix(text, 255).c_str(), nullptr));
  }

  // Rows 0..rows-1 of `columns` at sheet rows 1.. (under a header), from
  // sheet column `col`, each column in its format.
  Status WriteRows(lxw_worksheet* ws, const std::vector<const Column*>& columns,
                   const std::vector<lxw_format*>& formats, size_t rows, lxw_col_t col) {
    for (size_t r = 0; r < rows; ++r) {
      if (r % kCancelCheckRows == 0 && cancelled_ && cancelled_()) return Cancelled();
      for (size_t c = 0; c < columns.size(); ++c) {
        Check(WriteCell(ws, static_cast<lxw_row_t>(r + 1), col + static_cast<lxw_col_t>(c),
                        *columns[c], r, formats[c]));
      }
    }
    return Status::OK();
  }

  // A sheet of the table: header, typed rows, totals, widths, filter,
  // frozen header, print setup; a link to it on the Report sheet.
  Status WriteTable(const TableSectionSpec& spec, const SectionScope& scope) {
    StatusOr<const Table*> found = scope.FindTable(spec.source);
    if (!found.ok()) return found.status();
    const std::string title = scope.Expand(spec.title);
    if (*found == nullptr) {
      if (!title.empty()) Check(WriteText(report_, row_++, 0, title, styles_->bold));
      Note(DataUnavailableNote(spec.source));
      return Status::OK();
    }
    const Table& table = **found;
    StatusOr<std::vector<SelectedColumn>> shown = SelectTableColumns(table, spec.columns);
    if (!shown.ok()) return shown.status();
    const size_t rows = table.num_rows();
    if (rows + 2 > LXW_ROW_MAX || shown->size() > LXW_COL_MAX) {
      return Status::ResourceExhausted(
          "table '" + spec.source + "' has " + std::to_string(rows) +
          " rows; an Excel sheet holds at most 1048574 and a totals row");
    }
    std::string shown_name = title.empty() ? spec.source : title;
    if (const auto& group = scope.placeholders.group;
        group && shown_name.find(*group) == std::string::npos) {
      shown_name += " " + *group;
    }
    const std::string name = names_.Take(shown_name);
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    if (ws == nullptr) return Status::Internal("cannot add sheet '" + name + "'");
    Link("Table: " + shown_name, "'" + QuoteSheet(name) + "'!A1");

    std::vector<const Column*> columns;
    std::vector<lxw_format*> formats;
    for (size_t c = 0; c < shown->size(); ++c) {
      const SelectedColumn& s = (*shown)[c];
      Check(WriteText(ws, 0, static_cast<lxw_col_t>(c), s.label, styles_->header));
      columns.push_back(s.column);
      formats.push_back(styles_->Cell(ExcelFormatFor(s.column->type(), s.format)));
    }
    QUIRE_RETURN_IF_ERROR(WriteRows(ws, columns, formats, rows, 0));
    if (spec.totals) WriteTotals(ws, *shown, rows);
    for (size_t c = 0; c < shown->size(); ++c) {
      Check(worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                 ColumnChars((*shown)[c], rows), nullptr));
    }
    const lxw_col_t last_col = static_cast<lxw_col_t>(std::max<size_t>(1, shown->size()) - 1);
    worksheet_freeze_panes(ws, 1, 0);
    Check(worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(rows), last_col));
    SetUpPage(ws);
    Check(worksheet_repeat_rows(ws, 0, 0));
    worksheet_fit_to_pages(ws, 1, 0);
    return Status::OK();
  }

  // SUM formulas (with their values cached) under the numeric columns but
  // rates; "Total" in a first column that is not summed.
  void WriteTotals(lxw_worksheet* ws, const std::vector<SelectedColumn>& shown, size_t rows) {
    const lxw_row_t row = static_cast<lxw_row_t>(rows + 1);
    for (size_t c = 0; c < shown.size(); ++c) {
      const SelectedColumn& s = shown[c];
      const lxw_col_t col = static_cast<lxw_col_t>(c);
      const std::string num_format = ExcelFormatFor(s.column->type(), s.format);
      lxw_format* f = styles_->Cell(num_format, true);
      if (!SumsInTotals(s)) {
        Check(c == 0 ? worksheet_write_string(ws, row, col, "Total", f)
                     : WriteBlank(ws, row, col, f));
        continue;
      }
      double sum = AggregateColumn(*s.column, AggregateFunction::kSum);
      if (std::isnan(sum)) sum = 0;
      if (rows == 0) {
        Check(worksheet_write_number(ws, row, col, 0, f));
        continue;
      }
      const std::string formula = "=SUM(" + RangeName(1, col, row - 1, col, false) + ")";
      Check(worksheet_write_formula_num(ws, row, col, formula.c_str(), f, sum));
    }
  }

  // Excel character widths: the template's (pt) or the widest of the
  // header and the sampled cells as shown, capped.
  static double ColumnChars(const SelectedColumn& c, size_t rows) {
    if (c.width > 0) {
      const double px = c.width * 96 / 72;
      return std::max(1.0, (px - 5) / 7);
    }
    double chars = static_cast<double>(Utf8Length(c.label)) * 1.1;  // bold
    for (size_t r = 0; r < std::min(rows, kMeasuredRows); ++r) {
      chars = std::max(chars, static_cast<double>(Utf8Length(FormatCell(*c.column, r, c.format))));
    }
    return std::clamp(chars + 2, kMinColumnChars, kMaxColumnChars);
  }

  static std::string QuoteSheet(const std::string& name) {
    std::string out;
    for (char c : name) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out;
  }

  // Where chart `i` sits on the Charts sheet: A1, K1, A21, K21, ...
  static std::pair<lxw_row_t, lxw_col_t> ChartCell(size_t i) {
    return {static_cast<lxw_row_t>(i / 2) * kChartGridRows,
            static_cast<lxw_col_t>(i % 2) * kChartGridColumns};
  }

  // Checks and keeps the chart's data for WriteCharts; a link on the
  // Report sheet, or a note when its data is unavailable.
  Status CollectChart(const ChartSpec& spec, const SectionScope& scope) {
    StatusOr<const Table*> table = scope.FindTable(spec.source);
    if (!table.ok()) return table.status();
    const ChartSpec expanded = ExpandChartText(spec, scope.placeholders);
    const std::string label =
        expanded.title.empty() ? std::string(ChartTypeName(spec.type)) + " chart of " + spec.source
                               : expanded.title;
    if (*table == nullptr) {
      Check(WriteText(report_, row_++, 0, label, styles_->bold));
      Note(DataUnavailableNote(spec.source));
      return Status::OK();
    }
    StatusOr<ChartBlock> block = MakeChartBlock(expanded, **table);
    if (!block.ok()) return block.status();
    const auto [row, col] = ChartCell(charts_.size());
    Link("Chart: " + label, "Charts!" + CellName(row, col));
    charts_.push_back(std::move(*block));
    return Status::OK();
  }

  // The native chart of `block`, whose data starts at column `col` of
  // ChartData, placed at `cell` of `sheet`.
  void AddChart(const ChartBlock& block, lxw_worksheet* sheet, lxw_col_t col,
                std::pair<lxw_row_t, lxw_col_t> cell) {
    const ChartSpec& spec = block.spec;
    lxw_chart* chart = workbook_add_chart(wb_, ExcelChartType(spec));
    if (chart == nullptr) {
      Check(LXW_ERROR_MEMORY_MALLOC_FAILED);
      return;
    }
    const lxw_row_t last = static_cast<lxw_row_t>(std::max<size_t>(1, block.data.num_rows()));
    const std::string categories = "=ChartData!" + RangeName(1, col, last, col);
    const std::vector<uint32_t>& palette = spec.colors.empty() ? palette_ : spec.colors;
    for (size_t s = 1; s < block.data.num_columns(); ++s) {
      const lxw_col_t c = col + static_cast<lxw_col_t>(s);
      const std::string values = "=ChartData!" + RangeName(1, c, last, c);
      lxw_chart_series* series = chart_add_series(chart, categories.c_str(), values.c_str());
      if (series == nullptr) {
        Check(LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
      }
      chart_series_set_name(series, ("=ChartData!" + CellName(0, c)).c_str());
      Check(StyleSeries(block, series, s - 1, palette));
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
    Check(worksheet_insert_chart_opt(sheet, cell.first, cell.second, chart, &options));
  }

  const ReportTemplate& tmpl_;
  const std::function<bool()>& cancelled_;
  lxw_workbook* wb_ = nullptr;
  std::optional<Styles> styles_;
  std::vector<uint32_t> palette_;
  lxw_worksheet* report_ = nullptr;
  lxw_row_t row_ = 0;  // the next row of the Report sheet
  SheetNames names_;
  std::vector<ChartBlock> charts_;
  lxw_error error_ = LXW_NO_ERROR;  // the first failed libxlsxwriter call
};

}  // namespace

Status RenderXlsx(const ReportTemplate& tmpl, const ParamValues& params, const ReportData& data,
                  const std::string& path, const std::function<bool()>& cancelled) {
  const std::string partial = path + ".partial";
  const auto now = std::chrono::system_clock::now();
  Status status;
  {
    WorkbookWriter writer(tmpl, partial, cancelled);
    if (!writer.ok()) return Status::Internal("cannot create a workbook for " + partial);
    writer.Begin(params, data, now);
    status = VisitShownSections(tmpl, params, data, now, cancelled,
                                [&](const Section& section, const SectionScope& scope) {
                                  return writer.Visit(section, scope);
                                });
    if (status.ok()) status = writer.WriteCharts();
    if (status.ok() && cancelled && cancelled()) status = Status::Cancelled("rendering cancelled");
    if (status.ok()) {
      status = writer.Close();
      if (!status.ok())
        status = Status::Internal("cannot write " + partial + ": " + status.message());
    }
  }
  if (status.ok() && std::rename(partial.c_str(), path.c_str()) != 0) {
    status = Status::Internal("cannot rename " + partial + " to " + path);
  }
  if (!status.ok()) std::remove(partial.c_str());
  return status;
}

}  // namespace quire
