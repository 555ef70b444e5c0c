// Output files that appear whole or not at all: written to `path`.partial
// and renamed onto `path` only once complete, so a reader (the finalize
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

}  // namespace quire
