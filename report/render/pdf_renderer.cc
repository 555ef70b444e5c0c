// RenderPdf: the sections, as the section walk shows them, laid out on a
// PageFlow (once, onto recorded pages), then painted into the file with
// headers and "Page N of M". Lays out headings, text, tables, charts, rows
// of KPI cards and "data unavailable" notes; which sections are shown, and
// with what data, is the walk's (section_walk.h).
#include "report/render/pdf_renderer.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "common/table/table_format.h"
#include "report/canvas/canvas.h"
#include "report/canvas/text.h"
#include "report/charts/chart.h"
#include "report/charts/placeholder_chart.h"
#include "report/render/file_output.h"
#include "report/render/internal/page_flow.h"
#include "report/render/internal/table_block.h"
#include "report/render/section_walk.h"

namespace quire {
namespace {

constexpr double kSectionGap = 10;  // pt between sections
// A heading is kept on the same page as at least this much of what follows.
constexpr double kHeadingKeepWithNext = 60;  // pt
constexpr size_t kKpisPerRow = 4;
constexpr double kKpiGap = 10;          // pt between KPI cards
constexpr double kKpiPad = 8;           // pt inside a KPI card
constexpr double kKpiValueScale = 2.6;  // KPI figure size, times the body size

// Everything one rendering needs, constant throughout.
struct Job {
  const ReportTemplate& tmpl;
  const ParamValues& params;
  const ReportData& data;
  const std::function<bool()>& cancelled;
  std::chrono::system_clock::time_point now;  // one "{{ now }}" for the whole document
  ChartTheme chart_theme;

  double body_size() const { return tmpl.theme.font_size; }
  TextStyle Style(double scale, bool bold = false) const {
    TextStyle s;
    s.family = tmpl.theme.font.c_str();
    s.size = body_size() * scale;
    s.bold = bold;
    return s;
  }
};

// Draws `text` wrapped to the text width, line by line so that a long
// paragraph continues on the next page. With `keep_with_next` > 0 the block
// starts on a new page unless it and that much more fit on this one.
void FlowParagraph(PageFlow& flow, const std::string& text, const TextStyle& style,
                   double keep_with_next = 0, bool markup = false) {
  const TextBlock block(flow.cr(), text, style, flow.width(), TextAlign::kLeft, false, markup);
  if (keep_with_next > 0) flow.EnsureRoom(block.height() + keep_with_next);
  for (int i = 0; i < block.line_count(); ++i) {
    double top = 0, height = 0;
    block.LineExtents(i, &top, &height);
    flow.EnsureRoom(height);
    block.DrawLine(flow.cr(), i, flow.left(), flow.y() - top);
    flow.Advance(height);
  }
}

void FlowNote(PageFlow& flow, const Job& job, const std::string& text) {
  TextStyle style = job.Style(0.9);
  style.italic = true;
  style.color = {0x777777};
  FlowParagraph(flow, text, style);
}

Status FlowChart(PageFlow& flow, const Job& job, const SectionScope& scope, const ChartSpec& spec) {
  StatusOr<const Table*> table = scope.FindTable(spec.source);
  if (!table.ok()) return table.status();
  const ChartSpec expanded = ExpandChartText(spec, scope.placeholders);
  // Shrink to the text width and the page height, keeping the aspect ratio.
  const double scale =
      std::min({1.0, flow.width() / spec.width, flow.page_content_height() / spec.height});
  ChartBox box{flow.left() + (flow.width() - spec.width * scale) / 2, 0, spec.width * scale,
               spec.height * scale};
  flow.EnsureRoom(box.height);
  box.y = flow.y();
  CairoCanvas canvas(flow.cr());
  if (*table == nullptr) {
    DrawPlaceholderBox(canvas, box, expanded.title, DataUnavailableNote(spec.source),
                       job.chart_theme);
  } else {
    QUIRE_RETURN_IF_ERROR(DrawChart(canvas, expanded, **table, box, job.chart_theme));
  }
  flow.Advance(box.height);
  return Status::OK();
}

// The figure of a KPI: its value text expanded, or the aggregate of its
// column formatted.
StatusOr<std::string> KpiValue(const SectionScope& scope, const KpiSpec& kpi) {
  if (kpi.source.empty()) return scope.Expand(kpi.value);
  StatusOr<double> v = KpiFigure(kpi, scope);
  if (!v.ok()) return v.status();
  if (std::isnan(*v)) return std::string("n/a");
  if (!kpi.format.empty()) {
    if (auto f = ParseNumberFormat(kpi.format); f.ok()) return FormatNumber(*v, *f);
  }
  return FormatDouble(*v);
}

// A row of KPI cards: label, big figure, delta (green when it points up,
// red when down).
Status FlowKpiRow(PageFlow& flow, const Job& job, const SectionScope& scope,
                  const std::vector<const KpiSpec*>& kpis) {
  const double card_width = (flow.width() - kKpiGap * static_cast<double>(kKpisPerRow - 1)) /
                            static_cast<double>(kKpisPerRow);
  const double inner = card_width - 2 * kKpiPad;
  struct Card {
    std::string label, value, delta;
    TextStyle value_style;  // shrunk until the figure fits the card
  };
  std::vector<Card> cards;
  for (const KpiSpec* kpi : kpis) {
    StatusOr<std::string> value = KpiValue(scope, *kpi);
    if (!value.ok()) return value.status();
    Card c{scope.Expand(kpi->label), std::move(*value), scope.Expand(kpi->delta),
           job.Style(kKpiValueScale, true)};
    const double natural = TextBlock(flow.cr(), c.value, c.value_style).width();
    if (natural > inner) c.value_style.size *= inner / natural;
    cards.push_back(std::move(c));
  }
  TextStyle label_style = job.Style(0.9);
  label_style.color = {0x555555};
  TextStyle delta_style = job.Style(0.9);
  double height = 0;
  for (const Card& c : cards) {
    double h = TextBlock(flow.cr(), c.label, label_style, inner).height() +
               TextBlock(flow.cr(), "Ag", job.Style(kKpiValueScale, true)).height();
    if (!c.delta.empty()) h += TextBlock(flow.cr(), c.delta, delta_style, inner).height();
    height = std::max(height, h + 2 * kKpiPad);
  }
  flow.EnsureRoom(height);
  cairo_t* cr = flow.cr();
  for (size_t i = 0; i < cards.size(); ++i) {
    const Card& c = cards[i];
    const double x = flow.left() + static_cast<double>(i) * (card_width + kKpiGap);
    cairo_save(cr);
    cairo_rectangle(cr, x, flow.y(), card_width, height);
    SetSourceRgb(cr, Rgb{0xF4F6F8});
    cairo_fill_preserve(cr);
    SetSourceRgb(cr, Rgb{0xD0D5DB});
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    cairo_restore(cr);
    double y = flow.y() + kKpiPad;
    TextBlock label(cr, c.label, label_style, inner);
    label.Draw(cr, x + kKpiPad, y);
    y += label.height();
    // Baseline-aligned across cards: a shrunk figure sits lower in its line.
    const double line = TextBlock(cr, "Ag", job.Style(kKpiValueScale, true)).height();
    TextBlock value(cr, c.value, c.value_style, inner, TextAlign::kLeft, true);
    value.Draw(cr, x + kKpiPad, y + (line - value.height()) * 0.8);
    y += line;
    if (!c.delta.empty()) {
      const KpiTrend trend = KpiDeltaTrend(c.delta);
      delta_style.color = trend == KpiTrend::kUp     ? Rgb{0x2E7D32}
                          : trend == KpiTrend::kDown ? Rgb{0xC62828}
                                                     : Rgb{0x555555};
      TextBlock delta(cr, c.delta, delta_style, inner);
      delta.Draw(cr, x + kKpiPad, y);
    }
  }
  flow.Advance(height);
  return Status::OK();
}

// The shown sections laid out on the flow, in order; the KPIs of one run of
// the walk set side by side, kKpisPerRow a row.
class SectionLayout final : public SectionVisitor {
 public:
  SectionLayout(PageFlow& flow, const Job& job) : flow_(flow), job_(job) {}

  Status Visit(const Section& section, const SectionScope& scope) override {
    if (section.kind == SectionKind::kKpi) {
      kpis_.push_back(&section.kpi);  // laid out when the run of KPIs ends
      return Status::OK();
    }
    QUIRE_RETURN_IF_ERROR(FlowKpis(scope));
    return FlowSection(section, scope);
  }

  Status EndRun(const SectionScope& scope) override { return FlowKpis(scope); }

 private:
  // The KPIs kept so far, in rows.
  Status FlowKpis(const SectionScope& scope) {
    for (size_t i = 0; i < kpis_.size(); i += kKpisPerRow) {
      flow_.Space(kSectionGap);
      const size_t end = std::min(kpis_.size(), i + kKpisPerRow);
      QUIRE_RETURN_IF_ERROR(
          FlowKpiRow(flow_, job_, scope,
                     std::vector<const KpiSpec*>(kpis_.begin() + static_cast<long>(i),
                                                 kpis_.begin() + static_cast<long>(end))));
    }
    kpis_.clear();
    return Status::OK();
  }

  Status FlowSection(const Section& section, const SectionScope& scope) {
    switch (section.kind) {
      case SectionKind::kHeading:
        flow_.Space(kSectionGap);
        FlowParagraph(flow_, scope.Expand(section.text), job_.Style(1.4, true),
                      kHeadingKeepWithNext);
        flow_.Advance(4);
        return Status::OK();
      case SectionKind::kText:
        flow_.Space(kSectionGap / 2);
        FlowParagraph(flow_, EmphasisToMarkup(scope.Expand(section.text)), job_.Style(1), 0, true);
        return Status::OK();
      case SectionKind::kTable:
        return FlowTableSection(section.table, scope);
      case SectionKind::kChart:
        flow_.Space(kSectionGap);
        return FlowChart(flow_, job_, scope, section.chart);
      case SectionKind::kPageBreak:
        if (!flow_.AtPageTop()) flow_.NewPage();
        return Status::OK();
      case SectionKind::kForEach:  // only when its source has no data
        FlowNote(flow_, job_, DataUnavailableNote(section.for_each_source));
        return Status::OK();
      case SectionKind::kKpi:  // kept by Visit
        break;
    }
    return Status::Internal("unknown section kind");
  }

  Status FlowTableSection(const TableSectionSpec& spec, const SectionScope& scope) {
    StatusOr<const Table*> table = scope.FindTable(spec.source);
    if (!table.ok()) return table.status();
    flow_.Space(kSectionGap);
    if (*table == nullptr) {
      if (!spec.title.empty()) {
        FlowParagraph(flow_, scope.Expand(spec.title), job_.Style(1.1, true));
      }
      FlowNote(flow_, job_, DataUnavailableNote(spec.source));
      return Status::OK();
    }
    return FlowTable(flow_, **table, scope.Expand(spec.title), spec.columns, spec.totals,
                     job_.cancelled);
  }

  PageFlow& flow_;
  const Job& job_;
  std::vector<const KpiSpec*> kpis_;  // the current run's, not yet laid out
};

// Lays the document out onto recorded pages.
Status LayOut(PageFlow& flow, const Job& job, const std::string& title) {
  FlowParagraph(flow, title, job.Style(2, true));
  flow.Advance(6);
  SectionLayout layout(flow, job);
  return VisitShownSections(job.tmpl, job.params, job.data, job.now, job.cancelled, layout);
}

// "2026-11-21T10:00:00Z": PDF metadata dates in ISO 8601 as cairo wants.
std::string IsoTime(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Status RenderPdf(const ReportTemplate& tmpl, const ParamValues& params, const ReportData& data,
                 const std::string& path, const std::function<bool()>& cancelled) {
  Job job{
      tmpl, params, data, cancelled, std::chrono::system_clock::now(), ChartThemeFor(tmpl.theme)};
  const PageGeometry geometry = PageGeometry::For(tmpl.page);
  PlaceholderContext title_context;
  title_context.params = &params;
  title_context.data = &data;
  title_context.now = job.now;
  const std::string title = ExpandPlaceholders(tmpl.title, title_context);

  // Lay out once, onto recorded pages; then the page count is known.
  PageFlow flow(geometry);
  Status status = LayOut(flow, job, title);
  const int pages = flow.Finish();
  if (status.ok()) status = flow.status();
  QUIRE_RETURN_IF_ERROR(status);

  // Paint the pages into the file (cairo writes the document as it goes),
  // each with its header and "Page N of M" footer.
  const std::string partial = PartialPath(path);
  cairo_surface_t* surface =
      cairo_pdf_surface_create(partial.c_str(), geometry.width, geometry.height);
  status = CairoError(cairo_surface_status(surface), "cannot create " + partial);
  if (status.ok()) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, tmpl.owner.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, tmpl.description.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Quire");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                   IsoTime(job.now).c_str());
    cairo_t* cr = cairo_create(surface);
    for (int i = 0; i < pages; ++i) {
      if (cancelled && cancelled()) {
        status = Status::Cancelled("rendering cancelled");
        break;
      }
      flow.PaintPage(static_cast<size_t>(i), cr);
      DrawPageDecorations(cr, geometry, i + 1, pages, i == 0 ? "" : title);
      cairo_show_page(cr);
    }
    if (status.ok()) status = CairoError(cairo_status(cr), "drawing failed");
    cairo_destroy(cr);
  }
  cairo_surface_finish(surface);
  if (status.ok()) status = CairoError(cairo_surface_status(surface), "cannot write " + partial);
  cairo_surface_destroy(surface);
  if (status.ok()) status = MoveIntoPlace(partial, path);
  if (!status.ok()) std::remove(partial.c_str());
  return status;
}

}  // namespace quire
