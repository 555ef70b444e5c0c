// PdfRenderer: a report as a PDF document — A4 portrait, 50 pt margins, the
// title, then each section in order (headings, wrapped paragraphs with
// placeholders expanded, paginated tables, vector charts, page breaks), and
// "Page N of M" on every page. Renders twice: a layout pass to count pages,
// then the real pass. Does not fetch data: tables come in ReportData.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "common/table.h"
#include "common/template.h"

namespace quire {

// Writes the report to `path` (via `path`.partial, renamed when complete,
// so `path` never holds half a document). `data` holds a table for every
// source a section uses; FAILED_PRECONDITION names a missing one.
// CANCELLED when `cancelled` (may be empty; checked between sections and
// table rows) returns true; INTERNAL when the file cannot be written; a
// chart's own error otherwise. Thread-compatible: concurrent calls with
// distinct paths are fine.
Status RenderPdf(const ReportTemplate& tmpl, const ParamValues& params, const ReportData& data,
                 const std::string& path, const std::function<bool()>& cancelled = {});

}  // namespace quire
