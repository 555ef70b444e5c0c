// TableBlock: a Table drawn as a paginated grid on a PageFlow — optional
// title, a bold header row on grey that is repeated at the top of every page
// the table continues on, alternating row shading, numbers right-aligned,
// cells in their column's number or date format, over-long cells cut with
// "…", an optional bold totals row. Column widths follow the content,
// scaled to the text width.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/render/internal/page_flow.h"

namespace quire {

// Draws the columns SelectTableColumns (section_walk.h) picks from `table`
// for `columns` at the flow's cursor, headed by their labels; with `totals`
// a last row sums each numeric column but those with a percentage format
// ("Total" in the first column when it is not numeric).
// SelectTableColumns' INVALID_ARGUMENT for a column the table lacks;
// CANCELLED when `cancelled` (may be empty) returns true, which is checked
// between rows.
Status FlowTable(PageFlow& flow, const Table& table, const std::string& title,
                 const std::vector<TableColumnSpec>& columns, bool totals,
                 const std::function<bool()>& cancelled);

}  // namespace quire
