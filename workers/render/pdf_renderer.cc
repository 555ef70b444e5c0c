// RenderPdf: the section loop over a PageFlow, run once to count pages and
// once for real.
#include "workers/render/pdf_renderer.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <chrono>
#include <cstdio>

#include "workers/charts/chart.h"
#include "workers/render/page_flow.h"
#include "workers/render/table_block.h"
#include "workers/render/text.h"

namespace quire {
namespace {

constexpr double kTitleSize = 20;    // pt
constexpr double kHeadingSize = 14;  // pt
constexpr double kBodySize = 10;     // pt
constexpr double kSectionGap = 10;   // pt between sections
// A heading is kept on the same page as at least this much of what follows.
constexpr double kHeadingKeepWithNext = 60;  // pt

// Everything one pass needs, constant across both passes.
struct Job {
  const ReportTemplate& tmpl;
  const ParamValues& params;
  const ReportData& data;
  const std::function<bool()>& cancelled;
  std::chrono::system_clock::time_point now;  // one "{{ now }}" for both passes

  std::string Expand(const std::string& text) const {
    return ExpandPlaceholders(text, params, now);
  }
};

// Draws `text` wrapped to the text width, line by line so that a long
// paragraph continues on the next page. With `keep_with_next` > 0 the block
// starts on a new page unless it and that much more fit on this one.
void FlowParagraph(PageFlow& flow, const std::string& text, const TextStyle& style,
                   double keep_with_next = 0) {
  const TextBlock block(flow.cr(), text, style, flow.width());
  if (keep_with_next > 0) flow.EnsureRoom(block.height() + keep_with_next);
  for (int i = 0; i < block.line_count(); ++i) {
    double top = 0, height = 0;
    block.LineExtents(i, &top, &height);
    flow.EnsureRoom(height);
    block.DrawLine(flow.cr(), i, flow.left(), flow.y() - top);
    flow.Advance(height);
  }
}

const Table* FindTable(const Job& job, const std::string& source, Status* status) {
  auto it = job.data.tables.find(source);
  if (it != job.data.tables.end()) return &it->second;
  *status = Status::FailedPrecondition("no data for source '" + source + "'");
  return nullptr;
}

Status FlowChart(PageFlow& flow, const Job& job, const ChartSpec& spec) {
  Status status;
  const Table* table = FindTable(job, spec.source, &status);
  if (table == nullptr) return status;
  const ChartSpec expanded = ExpandChartText(spec, job.params, job.now);
  // Shrink to the text width and the page height, keeping the aspect ratio.
  const double scale =
      std::min({1.0, flow.width() / spec.width, flow.page_content_height() / spec.height});
  const ChartBox box{flow.left() + (flow.width() - spec.width * scale) / 2, 0, spec.width * scale,
                     spec.height * scale};
  flow.EnsureRoom(box.height);
  ChartBox placed = box;
  placed.y = flow.y();
  QUIRE_RETURN_IF_ERROR(DrawChart(flow.cr(), expanded, *table, placed, ChartTheme()));
  flow.Advance(box.height);
  return Status::OK();
}

Status FlowSection(PageFlow& flow, const Job& job, const Section& section) {
  switch (section.kind) {
    case SectionKind::kHeading: {
      TextStyle style;
      style.size = kHeadingSize;
      style.bold = true;
      flow.Space(kSectionGap);
      FlowParagraph(flow, job.Expand(section.text), style, kHeadingKeepWithNext);
      flow.Advance(4);
      return Status::OK();
    }
    case SectionKind::kText: {
      TextStyle style;
      style.size = kBodySize;
      flow.Space(kSectionGap / 2);
      FlowParagraph(flow, job.Expand(section.text), style);
      return Status::OK();
    }
    case SectionKind::kTable: {
      Status status;
      const Table* table = FindTable(job, section.table.source, &status);
      if (table == nullptr) return status;
      flow.Space(kSectionGap);
      return FlowTable(flow, *table, job.Expand(section.table.title), section.table.columns,
                       job.cancelled);
    }
    case SectionKind::kChart:
      flow.Space(kSectionGap);
      return FlowChart(flow, job, section.chart);
    case SectionKind::kPageBreak:
      if (!flow.AtPageTop()) flow.NewPage();
      return Status::OK();
  }
  return Status::Internal("unknown section kind");
}

// One full pass over the document on `surface`. `total_pages` is 0 in the
// layout pass. Sets *pages to the number of pages drawn.
Status RenderPass(cairo_surface_t* surface, const Job& job, int total_pages, int* pages) {
  cairo_t* cr = cairo_create(surface);
  PageFlow flow(cr, PageGeometry(), total_pages);
  Status status;
  TextStyle title_style;
  title_style.size = kTitleSize;
  title_style.bold = true;
  FlowParagraph(flow, job.Expand(job.tmpl.title), title_style);
  flow.Advance(6);
  for (const Section& section : job.tmpl.sections) {
    if (job.cancelled && job.cancelled()) {
      status = Status::Cancelled("rendering cancelled");
      break;
    }
    status = FlowSection(flow, job, section);
    if (!status.ok()) break;
  }
  *pages = flow.Finish();
  if (status.ok() && cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
    status = Status::Internal(std::string("drawing failed: ") +
                              cairo_status_to_string(cairo_status(cr)));
  }
  cairo_destroy(cr);
  return status;
}

cairo_status_t DiscardBytes(void*, const unsigned char*, unsigned int) {
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Status RenderPdf(const ReportTemplate& tmpl, const ParamValues& params, const ReportData& data,
                 const std::string& path, const std::function<bool()>& cancelled) {
  const Job job{tmpl, params, data, cancelled, std::chrono::system_clock::now()};
  const PageGeometry page;

  // Pass 1: lay out into a PDF that goes nowhere, to count pages. Same
  // surface type as pass 2, so text measures identically.
  int total_pages = 0;
  {
    cairo_surface_t* counting =
        cairo_pdf_surface_create_for_stream(DiscardBytes, nullptr, page.width, page.height);
    Status s = RenderPass(counting, job, 0, &total_pages);
    cairo_surface_destroy(counting);
    QUIRE_RETURN_IF_ERROR(s);
  }

  // Pass 2: the document.
  const std::string partial = path + ".partial";
  cairo_surface_t* surface = cairo_pdf_surface_create(partial.c_str(), page.width, page.height);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return Status::Internal("cannot create " + partial + ": " + why);
  }
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, job.Expand(tmpl.title).c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Quire");
  int pages = 0;
  Status status = RenderPass(surface, job, total_pages, &pages);
  cairo_surface_finish(surface);
  if (status.ok() && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    status = Status::Internal("cannot write " + partial + ": " +
                              cairo_status_to_string(cairo_surface_status(surface)));
  }
  cairo_surface_destroy(surface);
  if (status.ok() && pages != total_pages) {
    status = Status::Internal("page count changed between passes");
  }
  if (status.ok() && std::rename(partial.c_str(), path.c_str()) != 0) {
    status = Status::Internal("cannot rename " + partial + " to " + path);
  }
  if (!status.ok()) std::remove(partial.c_str());
  return status;
}

}  // namespace quire
