// Data sources: what every source kind shares — the context a fetch runs
// in, and how its errors are classified. Each kind lives in its own file
// (postgres_source, file_source, http_source); the collect stage runs them
// concurrently, caches their tables and retries transient failures.
//
// Error classes, by status code: UNAVAILABLE, DEADLINE_EXCEEDED and
// RESOURCE_EXHAUSTED (HTTP 429) are transient — worth retrying with
// backoff; everything else (INVALID_ARGUMENT for a syntax error or bad
// data, NOT_FOUND, PERMISSION_DENIED for a path outside the data root or a
// host outside the allow-list, FAILED_PRECONDITION, ...) fails at once.
// Messages name the source and the cause.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

// True for the codes above that are worth retrying.
bool IsTransient(const Status& s);

// What one fetch of one source needs besides its spec.
struct FetchContext {
  const ParamValues* params = nullptr;  // bound parameters (bind arguments, placeholders)
  // The source's time limit (its `timeout`, else the configured default).
  std::chrono::milliseconds timeout{30000};
  // Checked in long loops (rows, waits); may be empty.
  std::function<bool()> cancelled;
};

}  // namespace quire
