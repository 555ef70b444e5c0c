// XlsxTableSheet: a table section's rows as the content of its own sheet —
// a bold grey header row that is frozen, filtered and repeated on printed
// pages, typed cells in Excel formats translated from the template's, an
// optional SUM totals row, and column widths from the template or the
// content. The sheet's name, its page setup and the Report sheet's link to
// it are the caller's.
#pragma once

#include <xlsxwriter.h>

#include <functional>
#include <vector>

#include "common/base/status.h"
#include "report/render/internal/xlsx_cells.h"
#include "report/render/internal/xlsx_formats.h"
#include "report/render/section_walk.h"

namespace quire {

// Fills the empty sheet `ws` with the first `rows` rows of `shown` under
// their labels. With `totals`, a last row of SUM formulas (their values
// cached) under the numeric columns but rates, and "Total" in a first
// column that is not summed. WriteRows' CANCELLED; libxlsxwriter's errors
// go to `errors`.
Status WriteTableSheet(lxw_worksheet* ws, const std::vector<SelectedColumn>& shown, size_t rows,
                       bool totals, WorkbookStyles* styles, const std::function<bool()>& cancelled,
                       XlsxErrors* errors);

}  // namespace quire
