// csv and json sources: files under the worker's data root (data.root),
// read whole into a Table. Not responsible for retries or caching (the
// collect stage's), nor for the records -> Table rules of JSON
// (json_records.h, shared with http sources).
//
// Paths: spec.path is relative to `data_root`. PERMISSION_DENIED, naming
// the source and the path, for an absolute path, one that leaves the root
// through "..", or one that resolves (through symlinks) outside it;
// NOT_FOUND for a missing file; FAILED_PRECONDITION when the data root
// itself does not exist. Both functions are safe to call concurrently.
#pragma once

#include <string>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/data/source.h"

namespace quire {

// An RFC 4180 file: fields separated by spec.delimiter, optionally quoted
// ("a, b", "say ""hi""", line breaks inside quotes), LF or CRLF line ends,
// a UTF-8 byte order mark skipped, blank lines skipped. With spec.header
// the first row names the columns; without, they are the declared columns
// in order, else col1..colN. Declared columns (spec.columns) give the
// types and, with a header, pick the file's columns by name (others are
// dropped); otherwise each column takes the first of int, float, date
// (YYYY-MM-DD), bool, text that all its non-empty cells read as. An empty
// cell is null.
//
// INVALID_ARGUMENT with the line number: an unterminated quote, text after
// a closing quote, a row with the wrong number of fields, a declared column
// missing from the header, a cell that does not convert to its declared
// type ("source 'x': line 17, column 'amount': 'abc' is not a float").
// CANCELLED when ctx.cancelled says so.
StatusOr<Table> ReadCsvSource(const SourceSpec& spec, const std::string& data_root,
                              const FetchContext& ctx);

// A JSON file: the array of records at spec.pointer, converted as
// ParseJsonRecords (json_records.h) describes; its errors name the file.
StatusOr<Table> ReadJsonSource(const SourceSpec& spec, const std::string& data_root,
                               const FetchContext& ctx);

}  // namespace quire
