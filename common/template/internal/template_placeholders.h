// Internal to quire_template: the structure of one {{ placeholder }} —
// a head (params.NAME, now, group or SOURCE.COLUMN) and a chain of filters
// — shared by the validator, which checks it, and ExpandPlaceholders.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace quire::internal {

struct PlaceholderFilter {
  std::string name;                // "date", "number", "upper", "sum", ...
  std::optional<std::string> arg;  // the quoted argument of date(...), number(...), default(...)
};

struct Placeholder {
  enum class Head { kParam, kNow, kGroup, kData };
  Head head = Head::kNow;
  std::string name;    // kParam: the parameter; kData: the source or transform
  std::string column;  // kData
  std::vector<PlaceholderFilter> filters;
};

// The filters a placeholder may use after its head; aggregates (sum, count,
// avg, min, max, median, p95, count_distinct) only first after SOURCE.COLUMN.
const std::vector<std::string>& PlaceholderFilterNames();

// INVALID_ARGUMENT for a head that is none of the four forms or a filter
// that does not parse ("number(" without its closing parenthesis). Filter
// names and arguments are not judged here.
StatusOr<Placeholder> ParsePlaceholder(std::string_view expression);

}  // namespace quire::internal
