// CronSchedule: when a recurring job runs, from a classic cron expression
// (five fields, or six with a leading second) read in an IANA time zone.
// Parse checks an expression once and says what is wrong with it; Next
// answers "when is the first run after this instant". It reads no clock (the
// caller passes the instant) and does no I/O after Parse, which loads the
// zone's rules from the system tz database. It does not enqueue anything or
// remember which runs happened.
//
// Syntax: "minute hour day-of-month month day-of-week", or with an optional
// leading field "second minute hour day-of-month month day-of-week" (five
// fields mean second 0), fields separated by spaces or tabs, each a comma
// list of items:
//   *        every value        a      one value       a-b    a range
//   */n      every n-th value   a-b/n  every n-th in a range
//   a/n      every n-th from a up to the field's largest value
// second 0-59, minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or
// JAN-DEC, day-of-week 0-7 or SUN-SAT (0 and 7 both mean Sunday; * and a/n
// stop at 6, so "1/2" is Monday, Wednesday, Friday). Names are
// case-insensitive. A step runs from 1 to the size of its field. The macros
// @hourly, @daily (@midnight), @weekly (Sunday 00:00), @monthly, @yearly
// (@annually) stand for a whole expression, at second 0.
//
// Days follow Vixie cron: when both day-of-month and day-of-week are
// restricted (neither starts with '*'), a day runs if EITHER matches, so
// "0 0 13 * 5" runs on every 13th and on every Friday; otherwise both must
// match, so "0 0 */2 * 5" runs on the odd-numbered Fridays.
//
// Daylight saving, so that a daily job runs exactly once every day:
// - A local time that does not exist (the spring-forward gap, e.g. 02:30 on
//   the last Sunday of March in Europe/Berlin) runs once, at the instant the
//   gap ends (03:00:00 local). Several times in one gap share that one run,
//   so "* * 2 * * *" runs once that day in the gap, not 3600 times.
// - A local time that occurs twice (fall-back, e.g. 02:30 on the last Sunday
//   of October in Europe/Berlin) runs once, at its first occurrence. Hence a
//   schedule that runs within the repeated hour ("*/15 * * * *") does not
//   run again during the hour's second pass: the clock there only repeats
//   local times that already ran.
//
// Thread safety: a CronSchedule is immutable after Parse; Next may be called
// from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/base/status.h"

namespace quire {

class CronSchedule {
 public:
  // `expr` as described above; `time_zone` an IANA name such as
  // "Europe/Berlin" or "UTC" (empty means UTC). INVALID_ARGUMENT names the
  // field, the offending value and what the field allows, or the time zone
  // it could not find.
  static StatusOr<CronSchedule> Parse(std::string_view expr, std::string_view time_zone);

  // The first run strictly after `after_ms`, both in Unix epoch
  // milliseconds (a run is always a whole second); -1 when there is none
  // within five years of `after_ms` (e.g. "0 0 30 2 *"; also "0 0 29 2 *"
  // across the skipped leap day of 2100). It walks days (whole months at a
  // time where the month does not match), then the hours, minutes and
  // seconds of a matching day, bit by allowed bit; never every second or
  // minute, so even an impossible schedule answers in microseconds.
  int64_t Next(int64_t after_ms) const;

  // The expression without surrounding whitespace, as passed to Parse.
  const std::string& expression() const { return expression_; }
  // The zone name as passed to Parse; "UTC" when that was empty.
  const std::string& time_zone() const { return time_zone_; }

 private:
  CronSchedule() = default;

  // Whether the schedule runs at all on `day` (month and day fields).
  bool RunsOn(absl::CivilDay day) const;
  // The instant a run at local time `local` happens, by the rules above.
  absl::Time RunInstant(absl::CivilSecond local) const;

  std::string expression_;
  std::string time_zone_;
  absl::TimeZone zone_;
  // One bit per allowed value: bit m of minutes_ set means minute m runs.
  uint64_t seconds_ = 0;        // bits 0-59; only bit 0 for five fields
  uint64_t minutes_ = 0;        // bits 0-59
  uint64_t hours_ = 0;          // bits 0-23
  uint64_t days_of_month_ = 0;  // bits 1-31
  uint64_t months_ = 0;         // bits 1-12
  uint64_t days_of_week_ = 0;   // bits 0-6, Sunday = 0 (a 7 is stored as 0)
  // Whether the field was written starting with '*' (Vixie's DOM_STAR and
  // DOW_STAR), which picks the AND or the OR rule for days.
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
};

}  // namespace quire
