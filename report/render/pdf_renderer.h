// PdfRenderer: a report as a PDF document — the template's page setup
// (A4/Letter, portrait/landscape, margins) and theme (font, size, palette),
// the title, then each section in order (headings, wrapped paragraphs with
// **bold**/*italic* and placeholders expanded, paginated tables with
// formats and totals, vector charts, KPI cards, page breaks, for_each
// blocks; sections whose `when:` is false are skipped), and "Page N of M"
// on every page, with the title as running header from page 2. Lays out
// once onto recorded pages, then paints them into the file. Does not fetch
// data: tables come in ReportData.
#pragma once

#include <functional>
#include <string>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

// Writes the report to `path` (via a partial file moved into place when
// complete, so `path` never holds half a document). `data` holds a table for every
// source a section uses; FAILED_PRECONDITION names a missing one, except
// for optional sources (and transforms over them), whose sections say
// "Data unavailable" instead. INVALID_ARGUMENT for a `when:` that does not
// evaluate.
// CANCELLED when `cancelled` (may be empty; checked between sections and
// table rows) returns true; INTERNAL when the file cannot be written; a
// chart's own error otherwise. Thread-compatible: concurrent calls with
// distinct paths are fine.
Status RenderPdf(const ReportTemplate& tmpl, const ParamValues& params, const ReportData& data,
                 const std::string& path, const std::function<bool()>& cancelled = {});

}  // namespace quire
