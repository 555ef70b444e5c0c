// EncodeTable / DecodeTable: a Table as one compact binary string and back,
// for the source cache in Redis. Column by column: the name, the type, a
// null bitmap, then the values (fixed-width numbers copied in bulk; texts as
// lengths then bytes), so a cached table decodes in about the time it takes
// to copy it.
//
// The encoding starts with a magic and version; DecodeTable refuses
// anything else (a truncated value, another version, another byte order)
// with DATA_LOSS instead of returning a wrong table. No I/O.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/table/table.h"

namespace quire {

std::string EncodeTable(const Table& table);
StatusOr<Table> DecodeTable(std::string_view bytes);

}  // namespace quire
