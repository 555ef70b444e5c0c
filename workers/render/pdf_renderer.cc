// RenderPdf: the section loop over a PageFlow (laid out once onto recorded
// pages, then painted into the file with headers and "Page N of M"):
// `when:` conditions, for_each blocks (the block's source
// filtered to each group), rows of KPI cards, and a "data unavailable" note
// where an optional source or a not-yet-executed transform has no table.
#include "workers/render/pdf_renderer.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

#include "common/table_format.h"
#include "workers/charts/chart.h"
#include "workers/charts/placeholder_chart.h"
#include "workers/render/page_flow.h"
#include "workers/render/table_block.h"
#include "workers/render/text.h"

namespace quire {
namespace {

constexpr double kSectionGap = 10;  // pt between sections
// A heading is kept on the same page as at least this much of what follows.
constexpr double kHeadingKeepWithNext = 60;  // pt
constexpr size_t kKpisPerRow = 4;
constexpr double kKpiGap = 10;          // pt between KPI cards
constexpr double kKpiPad = 8;           // pt inside a KPI card
constexpr double kKpiValueScale = 2.6;  // KPI figure size, times the body size

// Everything one pass needs, constant across both passes.
struct Job {
  const ReportTemplate& tmpl;
  const ParamValues& params;
  const ReportData& data;
  const std::function<bool()>& cancelled;
  std::chrono::system_clock::time_point now;  // one "{{ now }}" for both passes
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

// Where sections are drawn: the placeholder context (params, data, the
// for_each group) and the table lookups that go with it.
struct Scope {
  const Job& job;
  PlaceholderContext placeholders;

  std::string Expand(const std::string& text) const {
    return ExpandPlaceholders(text, placeholders);
  }
  // The table of source or transform `name`. nullptr with *status OK when
  // its data is unavailable by design (an optional source, a transform);
  // nullptr with FAILED_PRECONDITION when it should have been collected.
  const Table* FindTable(const std::string& name, Status* status) const {
    if (const Table* t = placeholders.FindTable(name)) return t;
    const SourceSpec* source = job.tmpl.FindSource(name);
    if ((source != nullptr && source->optional) || job.tmpl.FindTransform(name) != nullptr) {
      return nullptr;
    }
    *status = Status::FailedPrecondition("no data for source '" + name + "'");
    return nullptr;
  }
};

std::string Unavailable(const std::string& name) {
  return "Data unavailable: '" + name + "' has no data in this run.";
}

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

void FlowNote(PageFlow& flow, const Scope& scope, const std::string& text) {
  TextStyle style = scope.job.Style(0.9);
  style.italic = true;
  style.color = {0x777777};
  FlowParagraph(flow, text, style);
}

Status FlowChart(PageFlow& flow, const Scope& scope, const ChartSpec& spec) {
  Status status;
  const Table* table = scope.FindTable(spec.source, &status);
  if (!status.ok()) return status;
  const ChartSpec expanded = ExpandChartText(spec, scope.placeholders);
  // Shrink to the text width and the page height, keeping the aspect ratio.
  const double scale =
      std::min({1.0, flow.width() / spec.width, flow.page_content_height() / spec.height});
  ChartBox box{flow.left() + (flow.width() - spec.width * scale) / 2, 0, spec.width * scale,
               spec.height * scale};
  flow.EnsureRoom(box.height);
  box.y = flow.y();
  if (table == nullptr) {
    DrawPlaceholderBox(flow.cr(), box, expanded.title, Unavailable(spec.source),
                       scope.job.chart_theme);
  } else {
    QUIRE_RETURN_IF_ERROR(DrawChart(flow.cr(), expanded, *table, box, scope.job.chart_theme));
  }
  flow.Advance(box.height);
  return Status::OK();
}

// The figure of a KPI: its value text expanded, or the aggregate of its
// column formatted.
std::string KpiValue(const Scope& scope, const KpiSpec& kpi, Status* status) {
  if (kpi.source.empty()) return scope.Expand(kpi.value);
  const Table* table = scope.FindTable(kpi.source, status);
  if (table == nullptr) return "n/a";
  const Column* column = table->FindColumn(kpi.column);
  if (column == nullptr) {
    *status = Status::InvalidArgument("kpi '" + kpi.label + "': no column '" + kpi.column + "'");
    return "";
  }
  const double v = AggregateColumn(*column, kpi.aggregate);
  if (std::isnan(v)) return "n/a";
  if (!kpi.format.empty()) {
    if (auto f = ParseNumberFormat(kpi.format); f.ok()) return FormatNumber(v, *f);
  }
  return FormatDouble(v);
}

// A row of KPI cards: label, big figure, delta (green when it starts with
// "+", red with "-").
Status FlowKpiRow(PageFlow& flow, const Scope& scope, const std::vector<const KpiSpec*>& kpis) {
  const Job& job = scope.job;
  const double card_width = (flow.width() - kKpiGap * static_cast<double>(kKpisPerRow - 1)) /
                            static_cast<double>(kKpisPerRow);
  const double inner = card_width - 2 * kKpiPad;
  struct Card {
    std::string label, value, delta;
    TextStyle value_style;  // shrunk until the figure fits the card
  };
  std::vector<Card> cards;
  for (const KpiSpec* kpi : kpis) {
    Status status;
    Card c{scope.Expand(kpi->label), KpiValue(scope, *kpi, &status), scope.Expand(kpi->delta),
           job.Style(kKpiValueScale, true)};
    QUIRE_RETURN_IF_ERROR(status);
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
      const bool up = c.delta[0] == '+';
      const bool down = c.delta[0] == '-' || c.delta.rfind("\u2212", 0) == 0;
      delta_style.color = up ? Rgb{0x2E7D32} : down ? Rgb{0xC62828} : Rgb{0x555555};
      TextBlock delta(cr, c.delta, delta_style, inner);
      delta.Draw(cr, x + kKpiPad, y);
    }
  }
  flow.Advance(height);
  return Status::OK();
}

Status FlowSections(PageFlow& flow, const Scope& scope, const std::vector<Section>& sections);

// One block per distinct value of the for_each column, in order of first
// appearance, each with its source filtered to the group's rows.
Status FlowForEach(PageFlow& flow, const Scope& scope, const Section& section) {
  Status status;
  const Table* table = scope.FindTable(section.for_each_source, &status);
  if (!status.ok()) return status;
  if (table == nullptr) {
    FlowNote(flow, scope, Unavailable(section.for_each_source));
    return Status::OK();
  }
  const Column* column = table->FindColumn(section.for_each);
  if (column == nullptr) {
    return Status::InvalidArgument("for_each: source '" + section.for_each_source +
                                   "' has no column '" + section.for_each + "'");
  }
  std::vector<std::string> groups;
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t r = 0; r < table->num_rows(); ++r) {
    const std::string key = column->AsString(r);
    auto [it, inserted] = rows.try_emplace(key);
    if (inserted) groups.push_back(key);
    it->second.push_back(r);
  }
  for (const std::string& group : groups) {
    if (scope.job.cancelled && scope.job.cancelled()) {
      return Status::Cancelled("rendering cancelled");
    }
    const Table filtered = table->SelectRows(rows[group]);
    Scope inner = scope;
    inner.placeholders.group = group;
    inner.placeholders.group_source = section.for_each_source;
    inner.placeholders.group_table = &filtered;
    QUIRE_RETURN_IF_ERROR(FlowSections(flow, inner, section.sections));
  }
  return Status::OK();
}

Status FlowSection(PageFlow& flow, const Scope& scope, const Section& section) {
  const Job& job = scope.job;
  switch (section.kind) {
    case SectionKind::kHeading:
      flow.Space(kSectionGap);
      FlowParagraph(flow, scope.Expand(section.text), job.Style(1.4, true), kHeadingKeepWithNext);
      flow.Advance(4);
      return Status::OK();
    case SectionKind::kText:
      flow.Space(kSectionGap / 2);
      FlowParagraph(flow, EmphasisToMarkup(scope.Expand(section.text)), job.Style(1), 0, true);
      return Status::OK();
    case SectionKind::kTable: {
      Status status;
      const Table* table = scope.FindTable(section.table.source, &status);
      if (!status.ok()) return status;
      flow.Space(kSectionGap);
      if (table == nullptr) {
        if (!section.table.title.empty()) {
          FlowParagraph(flow, scope.Expand(section.table.title), job.Style(1.1, true));
        }
        FlowNote(flow, scope, Unavailable(section.table.source));
        return Status::OK();
      }
      return FlowTable(flow, *table, scope.Expand(section.table.title), section.table.columns,
                       section.table.totals, job.cancelled);
    }
    case SectionKind::kChart:
      flow.Space(kSectionGap);
      return FlowChart(flow, scope, section.chart);
    case SectionKind::kKpi:
      flow.Space(kSectionGap);
      return FlowKpiRow(flow, scope, {&section.kpi});
    case SectionKind::kPageBreak:
      if (!flow.AtPageTop()) flow.NewPage();
      return Status::OK();
    case SectionKind::kForEach:
      return FlowForEach(flow, scope, section);
  }
  return Status::Internal("unknown section kind");
}

// Draws `sections` in order, skipping those whose `when:` is false and
// setting consecutive KPIs side by side.
Status FlowSections(PageFlow& flow, const Scope& scope, const std::vector<Section>& sections) {
  std::vector<const KpiSpec*> kpis;
  const auto flush_kpis = [&]() -> Status {
    for (size_t i = 0; i < kpis.size(); i += kKpisPerRow) {
      flow.Space(kSectionGap);
      const size_t end = std::min(kpis.size(), i + kKpisPerRow);
      QUIRE_RETURN_IF_ERROR(
          FlowKpiRow(flow, scope,
                     std::vector<const KpiSpec*>(kpis.begin() + static_cast<long>(i),
                                                 kpis.begin() + static_cast<long>(end))));
    }
    kpis.clear();
    return Status::OK();
  };
  for (const Section& section : sections) {
    if (scope.job.cancelled && scope.job.cancelled()) {
      return Status::Cancelled("rendering cancelled");
    }
    if (!section.when.empty()) {
      StatusOr<bool> show = EvaluateCondition(section.when, scope.job.params);
      if (!show.ok()) {
        return Status::InvalidArgument("when '" + section.when + "': " + show.status().message());
      }
      if (!*show) continue;
    }
    if (section.kind == SectionKind::kKpi) {
      kpis.push_back(&section.kpi);
      continue;
    }
    QUIRE_RETURN_IF_ERROR(flush_kpis());
    QUIRE_RETURN_IF_ERROR(FlowSection(flow, scope, section));
  }
  return flush_kpis();
}

// Lays the document out onto recorded pages.
Status LayOut(PageFlow& flow, const Job& job, const std::string& title) {
  Scope scope{job, {}};
  scope.placeholders.params = &job.params;
  scope.placeholders.data = &job.data;
  scope.placeholders.now = job.now;
  FlowParagraph(flow, title, job.Style(2, true));
  flow.Advance(6);
  return FlowSections(flow, scope, job.tmpl.sections);
}

Status CairoError(cairo_status_t s, const std::string& what) {
  if (s == CAIRO_STATUS_SUCCESS) return Status::OK();
  return Status::Internal(what + ": " + cairo_status_to_string(s));
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
  const std::string partial = path + ".partial";
  cairo_surface_t* surface =
      cairo_pdf_surface_create(partial.c_str(), geometry.width, geometry.height);
  status = CairoError(cairo_surface_status(surface), "cannot create " + partial);
  if (status.ok()) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, tmpl.owner.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT,
                                   tmpl.description.c_str());
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
  if (status.ok() && std::rename(partial.c_str(), path.c_str()) != 0) {
    status = Status::Internal("cannot rename " + partial + " to " + path);
  }
  if (!status.ok()) std::remove(partial.c_str());
  return status;
}

}  // namespace quire
