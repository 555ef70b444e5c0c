#include "common/schedule/cron.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <vector>

namespace quire {
namespace {

// Next answers -1 rather than look further than this.
constexpr int kHorizonYears = 5;

constexpr const char* kExpected =
    "expected 5 or 6 fields \"[second] minute hour day-of-month month day-of-week\" (second "
    "is optional and defaults to 0) or one of the macros "
    "@hourly @daily @midnight @weekly @monthly @yearly @annually";

// The macros, as the expressions they stand for.
struct Macro {
  const char* name;
  const char* expansion;
};
constexpr Macro kMacros[] = {
    {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kWeekdayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

// What one of the six fields accepts.
struct FieldSpec {
  const char* name;
  int min;
  int max;                   // the largest value written (7 for day-of-week)
  int star_max;              // where "*" and "a/n" stop (6 for day-of-week: 7 repeats Sunday)
  const char* const* names;  // three-letter names of min, min+1, ...; or nullptr
  int num_names;
  const char* allowed;  // for error messages
};

constexpr FieldSpec kFields[6] = {
    {"second", 0, 59, 59, nullptr, 0, "0-59"},
    {"minute", 0, 59, 59, nullptr, 0, "0-59"},
    {"hour", 0, 23, 23, nullptr, 0, "0-23"},
    {"day-of-month", 1, 31, 31, nullptr, 0, "1-31"},
    {"month", 1, 12, 12, kMonthNames, 12, "1-12 or JAN-DEC"},
    {"day-of-week", 0, 7, 6, kWeekdayNames, 7, "0-7 (0 and 7 are both Sunday) or SUN-SAT"},
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitOnSpace(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    if (IsSpace(s[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && !IsSpace(s[end])) ++end;
    words.push_back(s.substr(i, end - i));
    i = end;
  }
  return words;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Every message about a field names it, quotes what was written and says
// what the field takes, so the fix is clear without reading the docs.
Status FieldError(const FieldSpec& field, std::string_view text, const std::string& problem) {
  return Status::InvalidArgument("cron " + std::string(field.name) + " field " + Quoted(text) +
                                 ": " + problem + "; allowed values are " + field.allowed +
                                 ", combined as *, a-b, */n, a-b/n, a/n and comma lists");
}

// A non-negative decimal number and nothing else; nullopt otherwise (an
// overlong number reads as INT_MAX, which every range check rejects).
std::optional<int> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) return std::numeric_limits<int>::max();
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// One value of a field: a number in range or, for month and day-of-week, a name.
StatusOr<int> ParseValue(const FieldSpec& field, std::string_view text, std::string_view value) {
  if (value.empty()) return FieldError(field, text, "a value is missing");
  if (std::optional<int> n = ParseNumber(value)) {
    if (*n < field.min || *n > field.max) {
      return FieldError(field, text, Quoted(value) + " is out of range");
    }
    return *n;
  }
  for (int i = 0; i < field.num_names; ++i) {
    if (EqualsIgnoreCase(value, field.names[i])) return field.min + i;
  }
  return FieldError(
      field, text,
      Quoted(value) + (field.names ? " is neither a number nor a known name" : " is not a number"));
}

// The bits of the values one field allows.
StatusOr<uint64_t> ParseField(const FieldSpec& field, std::string_view text) {
  uint64_t bits = 0;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) return FieldError(field, text, "a comma list has an empty item");

    std::string_view range = item;
    int step = 1;
    const size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const std::string_view step_text = item.substr(slash + 1);
      const int span = field.star_max - field.min + 1;
      const std::optional<int> n = ParseNumber(step_text);
      if (!n) {
        return FieldError(field, text,
                          "step " + Quoted(step_text) + " after '/' must be a number from 1 to " +
                              std::to_string(span));
      }
      if (*n < 1 || *n > span) {
        return FieldError(
            field, text,
            "step " + std::to_string(*n) + " must be from 1 to " + std::to_string(span));
      }
      step = *n;
    }

    int lo = 0;
    int hi = 0;
    if (range == "*") {
      lo = field.min;
      hi = field.star_max;
    } else if (const size_t dash = range.find('-'); dash != std::string_view::npos) {
      const std::string_view hi_text = range.substr(dash + 1);
      if (hi_text.find('-') != std::string_view::npos) {
        return FieldError(field, text, "range " + Quoted(range) + " has more than one '-'");
      }
      StatusOr<int> a = ParseValue(field, text, range.substr(0, dash));
      if (!a.ok()) return a.status();
      StatusOr<int> b = ParseValue(field, text, hi_text);
      if (!b.ok()) return b.status();
      lo = *a;
      hi = *b;
      if (lo > hi) {
        return FieldError(
            field, text,
            "range " + Quoted(range) + " runs backwards; write the smaller value first");
      }
    } else {
      StatusOr<int> a = ParseValue(field, text, range);
      if (!a.ok()) return a.status();
      lo = *a;
      // "a/n" runs from a to the end of the field; a lone "a" is just a.
      hi = slash != std::string_view::npos ? std::max(lo, field.star_max) : lo;
    }
    for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << v;

    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return bits;
}

bool Has(uint64_t bits, int value) { return (bits >> value) & 1; }

// The smallest value >= `from` whose bit is set; -1 when there is none.
int NextSet(uint64_t bits, int from) {
  if (from >= 64) return -1;
  const uint64_t rest = bits >> from;
  return rest == 0 ? -1 : from + std::countr_zero(rest);
}

// Cron numbers weekdays from Sunday = 0; absl from Monday = 0.
int CronWeekday(absl::CivilDay day) { return (static_cast<int>(absl::GetWeekday(day)) + 1) % 7; }

}  // namespace

StatusOr<CronSchedule> CronSchedule::Parse(std::string_view expr, std::string_view time_zone) {
  const std::string_view trimmed = Trim(expr);
  if (trimmed.empty())
    return Status::InvalidArgument(std::string("cron expression is empty; ") + kExpected);

  std::vector<std::string_view> words = SplitOnSpace(trimmed);
  if (trimmed.front() == '@') {
    const Macro* macro = nullptr;
    for (const Macro& m : kMacros) {
      if (EqualsIgnoreCase(words[0], m.name)) macro = &m;
    }
    if (macro == nullptr) {
      return Status::InvalidArgument("unknown cron macro " + Quoted(words[0]) + "; " + kExpected);
    }
    if (words.size() > 1) {
      return Status::InvalidArgument("cron macro " + Quoted(words[0]) +
                                     " must stand alone, but is followed by " +
                                     Quoted(trimmed.substr(words[1].data() - trimmed.data())));
    }
    words = SplitOnSpace(macro->expansion);
  }
  if (words.size() != 5 && words.size() != 6) {
    return Status::InvalidArgument("cron expression " + Quoted(trimmed) + " has " +
                                   std::to_string(words.size()) + " field" +
                                   (words.size() == 1 ? "" : "s") + "; " + kExpected);
  }
  // Five fields (and every macro) run at second 0.
  if (words.size() == 5) words.insert(words.begin(), "0");

  CronSchedule schedule;
  schedule.expression_ = std::string(trimmed);
  schedule.time_zone_ = time_zone.empty() ? "UTC" : std::string(time_zone);
  if (!absl::LoadTimeZone(schedule.time_zone_, &schedule.zone_)) {
    return Status::InvalidArgument("unknown time zone " + Quoted(schedule.time_zone_) +
                                   ": expected an IANA name from the system tz database such as "
                                   "\"Europe/Berlin\", \"America/New_York\" or \"UTC\"");
  }

  uint64_t* const bits[6] = {&schedule.seconds_,       &schedule.minutes_, &schedule.hours_,
                             &schedule.days_of_month_, &schedule.months_,  &schedule.days_of_week_};
  for (int i = 0; i < 6; ++i) {
    StatusOr<uint64_t> field = ParseField(kFields[i], words[i]);
    if (!field.ok()) return field.status();
    *bits[i] = *field;
  }
  // 7 is another name for Sunday; keep only 0 so Next has one bit to test.
  if (Has(schedule.days_of_week_, 7)) schedule.days_of_week_ = (schedule.days_of_week_ & 0x7f) | 1;
  schedule.day_of_month_star_ = words[3].front() == '*';
  schedule.day_of_week_star_ = words[5].front() == '*';
  return schedule;
}

bool CronSchedule::RunsOn(absl::CivilDay day) const {
  if (!Has(months_, day.month())) return false;
  const bool by_month_day = Has(days_of_month_, day.day());
  const bool by_weekday = Has(days_of_week_, CronWeekday(day));
  // Vixie cron: two restricted day fields widen each other; a '*' one
  // matches every day, so AND leaves the other field in charge.
  if (!day_of_month_star_ && !day_of_week_star_) return by_month_day || by_weekday;
  return by_month_day && by_weekday;
}

absl::Time CronSchedule::RunInstant(absl::CivilSecond local) const {
  const absl::TimeZone::TimeInfo info = zone_.At(local);
  // SKIPPED: `local` falls in a spring-forward gap; run when the gap ends.
  // REPEATED: `local` happens twice; `pre` (the offset before the change)
  // is the first time. UNIQUE: pre == post.
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

// RunInstant never decreases as `local` increases (a gap folds onto its end,
// an overlap keeps its first pass, which lies before everything after the
// overlap). So walking local times upwards from the local second of `after`
// (whose RunInstant is <= after) and stopping at the first instant > after
// finds the earliest run; runs that fold onto an earlier or equal instant are
// passed over, which is what makes a gap or an overlap run only once.
int64_t CronSchedule::Next(int64_t after_ms) const {
  const absl::Time after = absl::FromUnixMillis(after_ms);
  absl::CivilSecond from = zone_.At(after).cs;
  // In the second pass of a repeated hour every local time up to the end of
  // the repeat ran in the first pass, before `after`; start the walk where
  // the repeat ends rather than pass over up to an hour of seconds.
  if (const absl::TimeZone::TimeInfo info = zone_.At(from);
      info.kind == absl::TimeZone::TimeInfo::REPEATED && info.post <= after) {
    from = zone_.At(info.trans).cs + absl::ToInt64Seconds(info.post - info.pre);
  }
  const absl::CivilDay first_day(from);
  const absl::CivilDay last_day(first_day.year() + kHorizonYears, first_day.month(),
                                first_day.day());
  absl::CivilDay day = first_day;
  while (day <= last_day) {
    if (!Has(months_, day.month())) {
      day = absl::CivilDay(absl::CivilMonth(day) + 1);
      continue;
    }
    if (RunsOn(day)) {
      const bool today = day == first_day;
      for (int h = NextSet(hours_, today ? from.hour() : 0); h >= 0; h = NextSet(hours_, h + 1)) {
        const bool this_hour = today && h == from.hour();
        for (int m = NextSet(minutes_, this_hour ? from.minute() : 0); m >= 0;
             m = NextSet(minutes_, m + 1)) {
          const bool this_minute = this_hour && m == from.minute();
          for (int s = NextSet(seconds_, this_minute ? from.second() : 0); s >= 0;
               s = NextSet(seconds_, s + 1)) {
            const absl::Time at =
                RunInstant(absl::CivilSecond(day.year(), day.month(), day.day(), h, m, s));
            if (at <= after) continue;
            // Beyond the range of int64 milliseconds the conversion saturates.
            const int64_t at_ms = absl::ToUnixMillis(at);
            return at_ms > after_ms ? at_ms : -1;
          }
        }
      }
    }
    ++day;
  }
  return -1;
}

}  // namespace quire
