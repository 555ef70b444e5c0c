// Output files that appear whole or not at all: written to `path`.partial
// and moved onto `path` only once complete, so a reader (the finalize
// stage, a user's file browser) never sees half a file.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace quire {

// `write` fills the open file and returns false on a write error. The
// partial file is removed on any failure; INTERNAL names the file.
Status WriteFileAtomically(const std::string& path, const std::function<bool(FILE*)>& write);

// WriteFileAtomically of `bytes`.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

// Moves the complete file `partial` onto `path` in one step: a reader of
// `path` sees the old file or the new one, never neither. A regular file
// already at `path` is swapped out (renameat2 RENAME_EXCHANGE) and then
// removed, rather than renamed over: ext4 flushes a file renamed over
// another on the spot (its auto_da_alloc heuristic), which made replacing a
// small chart cost four times as much as writing it. Where the exchange is
// not supported, or nothing is at `path`, a plain rename. INTERNAL names
// both files on failure; `partial` is then left for the caller to remove.
Status MoveIntoPlace(const std::string& partial, const std::string& path);

}  // namespace quire
