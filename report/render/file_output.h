// Output files that appear whole or not at all: written to a partial file
// beside `path` (PartialPath) and moved onto `path` only once complete, so
// a reader (the finalize stage, a user's file browser) never sees half a
// file, and two writers of one path never write into the same file.
//
// Nothing is synced to disk: after a power cut a file written just before
// may be empty (ext4 would have flushed one renamed over an older file;
// exchanging it, which is four times cheaper, does not). Quire's files are
// rendered again when lost: a job's artifacts are stored by its finalize
// stage, and a job is complete only after that.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace quire {

// A fresh name for a partial file of `path`, unique to this writer (this
// process and call): `path`.partial-<pid>-<n>.
std::string PartialPath(const std::string& path);

// `write` fills the open file and returns false on a write error. The
// partial file is removed on any failure; INTERNAL names the file and the
// system's reason.
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
