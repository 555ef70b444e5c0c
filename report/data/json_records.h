// Records -> Table: the conversion json files and http responses share (the
// array of records at an RFC 6901 pointer, its columns and their types), and
// the typed-cell conversion the CSV reader shares with it, so that a cell
// reads and fails the same way in every source kind.
//
// No I/O; nlohmann::json exceptions are caught inside.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/data/source.h"

namespace quire {

// Parses `text` as JSON and builds the table of the array at spec.pointer
// ("" = the root). `origin` names where the text came from for messages,
// e.g. "file 'sales.json'" or "response of GET https://...".
//
// Elements are objects (keys -> columns, in order of first appearance; a
// missing key or a JSON null is null), or, when spec declares columns,
// arrays of values in declared order. With declared columns the table has
// exactly those, in that order and of those types (other keys are ignored).
// Otherwise types are inferred per column: integers -> int, numbers with
// any non-integer -> float, booleans -> bool, strings that all read as
// YYYY-MM-DD -> date, anything else (mixed kinds, other strings) -> text,
// nested objects and arrays as their JSON text.
//
// INVALID_ARGUMENT naming spec.name and `origin`: a syntax error (with its
// line and column), a pointer that is malformed, not found or not an array,
// an element of the wrong shape, a value that does not convert to its
// declared type. CANCELLED when ctx.cancelled says so.
StatusOr<Table> ParseJsonRecords(std::string_view text, const SourceSpec& spec,
                                 const std::string& origin, const FetchContext& ctx);

// Where a cell is, for messages: "line 17", "record 3".
struct CellLocation {
  const char* unit;  // "line", "record"
  size_t number;     // 1-based
};

// Appends `text` converted to the column's type (common/table/table.h: Parse*),
// or null when it is nullopt. On failure appends nothing and returns
// INVALID_ARGUMENT "source 'x': line 17, column 'amount': 'abc' is not a
// float".
Status AppendCell(Column* column, std::optional<std::string_view> text, const std::string& source,
                  CellLocation where);

}  // namespace quire
