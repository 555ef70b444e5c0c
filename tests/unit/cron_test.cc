// CronSchedule: parse errors that name the field, the field syntax (five
// fields, or six with a leading second), the Vixie day rule, time zones, and
// daylight-saving transitions in both directions, at minute and at second
// resolution (every expected instant written out in UTC).
#include "common/schedule/cron.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace quire {
namespace {

// Unix milliseconds of a UTC date and time.
int64_t Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  return absl::ToUnixMillis(absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second), absl::UTCTimeZone()));
}

// "2024-03-31 01:00Z", so a failed comparison shows readable instants.
std::string Show(int64_t ms) {
  if (ms < 0) return "none";
  return absl::FormatTime("%Y-%m-%d %H:%M:%SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

CronSchedule MustParse(std::string_view expr, std::string_view zone = "UTC") {
  StatusOr<CronSchedule> s = CronSchedule::Parse(expr, zone);
  EXPECT_TRUE(s.ok()) << expr << ": " << s.status().ToString();
  if (!s.ok()) return *CronSchedule::Parse("* * * * *", "UTC");
  return *std::move(s);
}

// The next `n` runs after `after_ms`, each shown in UTC.
std::vector<std::string> Runs(const CronSchedule& s, int64_t after_ms, int n) {
  std::vector<std::string> runs;
  int64_t t = after_ms;
  for (int i = 0; i < n; ++i) {
    t = s.Next(t);
    runs.push_back(Show(t));
    if (t < 0) break;
  }
  return runs;
}

// The message of a Parse that must fail with INVALID_ARGUMENT.
std::string ParseError(std::string_view expr, std::string_view zone = "UTC") {
  StatusOr<CronSchedule> s = CronSchedule::Parse(expr, zone);
  EXPECT_FALSE(s.ok()) << expr << " parsed";
  if (s.ok()) return "";
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << s.status().ToString();
  return s.status().message();
}

void ExpectMentions(const std::string& message, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) {
    EXPECT_NE(message.find(part), std::string::npos)
        << "message \"" << message << "\" does not mention \"" << part << "\"";
  }
}

// --- Parse errors ------------------------------------------------------------

TEST(CronParse, WrongFieldCountSaysFiveOrSixAreExpected) {
  ExpectMentions(ParseError("0 0 * *"),
                 {"has 4 fields", "expected 5 or 6 fields", "second", "day-of-week"});
  ExpectMentions(ParseError("0 0 0 0 * * *"), {"has 7 fields", "expected 5 or 6 fields"});
  ExpectMentions(ParseError("0"), {"has 1 field;", "expected 5 or 6 fields"});
  ExpectMentions(ParseError(""), {"empty", "expected 5 or 6 fields"});
  ExpectMentions(ParseError("   \t "), {"empty"});
}

TEST(CronParse, SecondFieldErrorsNameTheSecond) {
  ExpectMentions(ParseError("60 * * * * *"), {"second", "\"60\"", "out of range", "0-59"});
  ExpectMentions(ParseError("0-60 * * * * *"), {"second", "\"60\"", "out of range"});
  ExpectMentions(ParseError("*/0 * * * * *"), {"second", "step 0", "from 1 to 60"});
  ExpectMentions(ParseError("*/61 * * * * *"), {"second", "step 61", "from 1 to 60"});
  ExpectMentions(ParseError("5x * * * * *"), {"second", "\"5x\"", "not a number"});
  ExpectMentions(ParseError("1,,2 * * * * *"), {"second", "empty item"});
  ExpectMentions(ParseError("30-10 * * * * *"), {"second", "backwards"});
  // With six fields the others shift by one and keep their own names.
  ExpectMentions(ParseError("0 60 * * * *"), {"minute", "\"60\"", "0-59"});
  ExpectMentions(ParseError("0 0 24 * * *"), {"hour", "\"24\""});
  ExpectMentions(ParseError("0 0 0 * * 8"), {"day-of-week", "\"8\""});
}

TEST(CronParse, OutOfRangeNamesTheFieldTheValueAndTheRange) {
  ExpectMentions(ParseError("60 * * * *"), {"minute", "\"60\"", "out of range", "0-59"});
  ExpectMentions(ParseError("0 24 * * *"), {"hour", "\"24\"", "0-23"});
  ExpectMentions(ParseError("0 0 0 * *"), {"day-of-month", "\"0\"", "1-31"});
  ExpectMentions(ParseError("0 0 32 * *"), {"day-of-month", "\"32\"", "1-31"});
  ExpectMentions(ParseError("0 0 * 13 *"), {"month", "\"13\"", "1-12 or JAN-DEC"});
  ExpectMentions(ParseError("0 0 * * 8"), {"day-of-week", "\"8\"", "0-7", "SUN-SAT"});
  ExpectMentions(ParseError("0 0 * * 1-9"), {"day-of-week", "\"9\""});
  ExpectMentions(ParseError("99999999999999999999 * * * *"), {"minute", "out of range"});
}

TEST(CronParse, ReversedRangeIsRejected) {
  ExpectMentions(ParseError("0 0 * * FRI-MON"), {"day-of-week", "\"FRI-MON\"", "backwards"});
  ExpectMentions(ParseError("0 17-9 * * *"), {"hour", "\"17-9\"", "backwards"});
}

TEST(CronParse, StepZeroAndBadStepsAreRejected) {
  ExpectMentions(ParseError("*/0 * * * *"), {"minute", "step 0", "from 1 to 60"});
  ExpectMentions(ParseError("0 1-5/0 * * *"), {"hour", "step 0", "from 1 to 24"});
  ExpectMentions(ParseError("0 0 * */13 *"), {"month", "step 13", "from 1 to 12"});
  ExpectMentions(ParseError("*/x * * * *"), {"minute", "step \"x\""});
  ExpectMentions(ParseError("*/ * * * *"), {"minute", "step \"\""});
  ExpectMentions(ParseError("*/5/2 * * * *"), {"minute", "step \"5/2\""});
}

TEST(CronParse, TrailingGarbageIsRejected) {
  ExpectMentions(ParseError("5x * * * *"), {"minute", "\"5x\"", "not a number"});
  ExpectMentions(ParseError("0 0 * * MON!"), {"day-of-week", "\"MON!\"", "known name"});
  ExpectMentions(ParseError("0 0 * * MONDAY"), {"day-of-week", "\"MONDAY\""});
  ExpectMentions(ParseError("0 0 * JANUARY *"), {"month", "\"JANUARY\""});
  ExpectMentions(ParseError("1,2, * * * *"), {"minute", "empty item"});
  ExpectMentions(ParseError(",1 * * * *"), {"minute", "empty item"});
  ExpectMentions(ParseError("1-2-3 * * * *"), {"minute", "more than one '-'"});
  ExpectMentions(ParseError("0 1- * * *"), {"hour", "missing"});
  ExpectMentions(ParseError("-5 * * * *"), {"minute", "missing"});
  ExpectMentions(ParseError("0 0 ? * *"), {"day-of-month", "\"?\""});
  ExpectMentions(ParseError("0 MON * * *"), {"hour", "\"MON\"", "not a number"});
  ExpectMentions(ParseError("** * * * *"), {"minute", "\"**\""});
}

TEST(CronParse, MacrosMustBeKnownAndStandAlone) {
  ExpectMentions(ParseError("@reboot"), {"unknown cron macro", "@reboot", "@daily"});
  ExpectMentions(ParseError("@daily 5"), {"@daily", "must stand alone", "\"5\""});
}

TEST(CronParse, UnknownTimeZoneNamesTheZone) {
  ExpectMentions(ParseError("0 6 1 * *", "Europe/Berln"),
                 {"unknown time zone", "\"Europe/Berln\"", "Europe/Berlin"});
  ExpectMentions(ParseError("0 6 1 * *", "CEST+2"), {"\"CEST+2\""});
}

TEST(CronParse, AccessorsKeepTheInput) {
  CronSchedule s = MustParse("  0 6 1 * *\t", "Europe/Berlin");
  EXPECT_EQ(s.expression(), "0 6 1 * *");
  EXPECT_EQ(s.time_zone(), "Europe/Berlin");
  CronSchedule utc = MustParse("@daily", "");
  EXPECT_EQ(utc.expression(), "@daily");
  EXPECT_EQ(utc.time_zone(), "UTC");
  EXPECT_EQ(utc.Next(Utc(2024, 5, 17, 10, 15)), Utc(2024, 5, 18));
}

// --- Next in UTC -------------------------------------------------------------

TEST(CronNext, FiveFieldsAndMacrosRunAtSecondZero) {
  const int64_t from = Utc(2024, 5, 17, 10, 15, 30);
  EXPECT_EQ(Runs(MustParse("*/20 9-11 * * MON-FRI"), from, 5),
            Runs(MustParse("0 */20 9-11 * * MON-FRI"), from, 5));
  EXPECT_EQ(Runs(MustParse("@hourly"), from, 3), Runs(MustParse("0 0 * * * *"), from, 3));
  EXPECT_EQ(Runs(MustParse("@daily"), from, 3), Runs(MustParse("0 0 0 * * *"), from, 3));
}

TEST(CronNext, EveryTwoSeconds) {
  CronSchedule s = MustParse("*/2 * * * * *");
  EXPECT_EQ(Runs(s, Utc(2024, 5, 17, 10, 15, 55), 5),
            (std::vector<std::string>{"2024-05-17 10:15:56Z", "2024-05-17 10:15:58Z",
                                      "2024-05-17 10:16:00Z", "2024-05-17 10:16:02Z",
                                      "2024-05-17 10:16:04Z"}));
  // Across a year boundary, from a time that is not a whole second.
  EXPECT_EQ(Runs(s, Utc(2024, 12, 31, 23, 59, 57) + 250, 3),
            (std::vector<std::string>{"2024-12-31 23:59:58Z", "2025-01-01 00:00:00Z",
                                      "2025-01-01 00:00:02Z"}));
  EXPECT_EQ(s.Next(Utc(2024, 5, 17, 10, 15, 55) + 999), Utc(2024, 5, 17, 10, 15, 56));
}

TEST(CronNext, SecondsMinuteHourDayOfMonth) {
  EXPECT_EQ(Runs(MustParse("30 0 6 1 * *"), Utc(2024, 5, 17), 3),
            (std::vector<std::string>{"2024-06-01 06:00:30Z", "2024-07-01 06:00:30Z",
                                      "2024-08-01 06:00:30Z"}));
  // 06:00:30 on the 1st has passed, 06:00:29 has not.
  EXPECT_EQ(Show(MustParse("30 0 6 1 * *").Next(Utc(2024, 6, 1, 6, 0, 29))),
            "2024-06-01 06:00:30Z");
  EXPECT_EQ(Runs(MustParse("5,10-12,50/5 0 0 * * *"), Utc(2024, 5, 17), 7),
            (std::vector<std::string>{"2024-05-17 00:00:05Z", "2024-05-17 00:00:10Z",
                                      "2024-05-17 00:00:11Z", "2024-05-17 00:00:12Z",
                                      "2024-05-17 00:00:50Z", "2024-05-17 00:00:55Z",
                                      "2024-05-18 00:00:05Z"}));
}

TEST(CronNext, EveryMinuteAndHourly) {
  EXPECT_EQ(Show(MustParse("* * * * *").Next(Utc(2024, 5, 17, 10, 15, 30))),
            "2024-05-17 10:16:00Z");
  EXPECT_EQ(Runs(MustParse("0 * * * *"), Utc(2024, 12, 31, 22, 30), 3),
            (std::vector<std::string>{"2024-12-31 23:00:00Z", "2025-01-01 00:00:00Z",
                                      "2025-01-01 01:00:00Z"}));
}

TEST(CronNext, IsStrictlyAfterAnOccurrence) {
  CronSchedule hourly = MustParse("0 * * * *");
  EXPECT_EQ(hourly.Next(Utc(2024, 5, 17, 10)), Utc(2024, 5, 17, 11));
  EXPECT_EQ(hourly.Next(Utc(2024, 5, 17, 10) - 1), Utc(2024, 5, 17, 10));
  EXPECT_EQ(hourly.Next(Utc(2024, 5, 17, 10) + 1), Utc(2024, 5, 17, 11));
  CronSchedule berlin = MustParse("30 2 * * *", "Europe/Berlin");
  const int64_t run = berlin.Next(Utc(2024, 1, 10));
  EXPECT_EQ(Show(run), "2024-01-10 01:30:00Z");
  EXPECT_EQ(Show(berlin.Next(run)), "2024-01-11 01:30:00Z");
}

TEST(CronNext, IsStrictlyAfterAnOccurrenceToTheSecond) {
  CronSchedule at15 = MustParse("15 * * * * *");
  const int64_t run = Utc(2024, 5, 17, 10, 0, 15);
  EXPECT_EQ(at15.Next(run), Utc(2024, 5, 17, 10, 1, 15));
  EXPECT_EQ(at15.Next(run - 1), run);
  EXPECT_EQ(at15.Next(run - 1000), run);
  EXPECT_EQ(at15.Next(run + 1), Utc(2024, 5, 17, 10, 1, 15));
  CronSchedule every = MustParse("* * * * * *");
  EXPECT_EQ(every.Next(run), run + 1000);
  EXPECT_EQ(every.Next(run - 1), run);
  EXPECT_EQ(every.Next(run + 999), run + 1000);
  CronSchedule berlin = MustParse("59 59 23 * * *", "Europe/Berlin");
  const int64_t late = berlin.Next(Utc(2024, 1, 10));
  EXPECT_EQ(Show(late), "2024-01-10 22:59:59Z");
  EXPECT_EQ(Show(berlin.Next(late)), "2024-01-11 22:59:59Z");
}

TEST(CronNext, StepsListsAndRanges) {
  EXPECT_EQ(Runs(MustParse("*/15 9-17/4 * * *"), Utc(2024, 5, 17, 12, 50), 6),
            (std::vector<std::string>{"2024-05-17 13:00:00Z", "2024-05-17 13:15:00Z",
                                      "2024-05-17 13:30:00Z", "2024-05-17 13:45:00Z",
                                      "2024-05-17 17:00:00Z", "2024-05-17 17:15:00Z"}));
  EXPECT_EQ(Runs(MustParse("5,10-12,50 0 * * *"), Utc(2024, 5, 17), 6),
            (std::vector<std::string>{"2024-05-17 00:05:00Z", "2024-05-17 00:10:00Z",
                                      "2024-05-17 00:11:00Z", "2024-05-17 00:12:00Z",
                                      "2024-05-17 00:50:00Z", "2024-05-18 00:05:00Z"}));
  // "a/n" runs from a to the end of the field.
  EXPECT_EQ(Runs(MustParse("10/20 23 * * *"), Utc(2024, 5, 17), 4),
            (std::vector<std::string>{"2024-05-17 23:10:00Z", "2024-05-17 23:30:00Z",
                                      "2024-05-17 23:50:00Z", "2024-05-18 23:10:00Z"}));
  // Quarterly on the first at 08:00.
  EXPECT_EQ(Runs(MustParse("0 8 1 */3 *"), Utc(2024, 5, 17), 3),
            (std::vector<std::string>{"2024-07-01 08:00:00Z", "2024-10-01 08:00:00Z",
                                      "2025-01-01 08:00:00Z"}));
}

TEST(CronNext, MonthAndWeekdayNamesIgnoreCase) {
  // 2024-06-28 is a Friday.
  EXPECT_EQ(Runs(MustParse("0 9 * jun,Jul mon-FRI"), Utc(2024, 6, 28, 12), 3),
            (std::vector<std::string>{"2024-07-01 09:00:00Z", "2024-07-02 09:00:00Z",
                                      "2024-07-03 09:00:00Z"}));
  EXPECT_EQ(Runs(MustParse("0 9 * DEC sat"), Utc(2024, 6, 28), 2),
            (std::vector<std::string>{"2024-12-07 09:00:00Z", "2024-12-14 09:00:00Z"}));
}

TEST(CronNext, SevenAndZeroAreBothSunday) {
  const int64_t from = Utc(2024, 9, 1, 12);  // a Sunday
  const std::vector<std::string> sundays = {"2024-09-08 00:00:00Z", "2024-09-15 00:00:00Z",
                                            "2024-09-22 00:00:00Z"};
  EXPECT_EQ(Runs(MustParse("0 0 * * 0"), from, 3), sundays);
  EXPECT_EQ(Runs(MustParse("0 0 * * 7"), from, 3), sundays);
  EXPECT_EQ(Runs(MustParse("0 0 * * SUN"), from, 3), sundays);
  EXPECT_EQ(Runs(MustParse("@weekly"), from, 3), sundays);
  EXPECT_EQ(Runs(MustParse("0 0 * * 5-7"), from, 4),
            (std::vector<std::string>{"2024-09-06 00:00:00Z", "2024-09-07 00:00:00Z",
                                      "2024-09-08 00:00:00Z", "2024-09-13 00:00:00Z"}));
  // "*" and "a/n" stop at Saturday, so Sunday is not counted twice.
  EXPECT_EQ(Runs(MustParse("0 0 * * 1/2"), from, 4),
            (std::vector<std::string>{"2024-09-02 00:00:00Z", "2024-09-04 00:00:00Z",
                                      "2024-09-06 00:00:00Z", "2024-09-09 00:00:00Z"}));
}

TEST(CronNext, BothDayFieldsRestrictedMeansEither) {
  // Every 13th and every Friday; September 13 2024 is both, October 13 a Sunday.
  EXPECT_EQ(Runs(MustParse("0 0 13 * 5"), Utc(2024, 9, 1), 8),
            (std::vector<std::string>{"2024-09-06 00:00:00Z", "2024-09-13 00:00:00Z",
                                      "2024-09-20 00:00:00Z", "2024-09-27 00:00:00Z",
                                      "2024-10-04 00:00:00Z", "2024-10-11 00:00:00Z",
                                      "2024-10-13 00:00:00Z", "2024-10-18 00:00:00Z"}));
}

TEST(CronNext, AStarDayFieldMeansBoth) {
  EXPECT_EQ(Runs(MustParse("0 0 * * FRI"), Utc(2024, 9, 1), 2),
            (std::vector<std::string>{"2024-09-06 00:00:00Z", "2024-09-13 00:00:00Z"}));
  EXPECT_EQ(Runs(MustParse("0 0 13 * *"), Utc(2024, 9, 1), 2),
            (std::vector<std::string>{"2024-09-13 00:00:00Z", "2024-10-13 00:00:00Z"}));
  // A field starting with '*' counts as unrestricted (as in Vixie cron):
  // odd-numbered days that are also Fridays.
  EXPECT_EQ(Runs(MustParse("0 0 */2 * 5"), Utc(2024, 9, 1), 4),
            (std::vector<std::string>{"2024-09-13 00:00:00Z", "2024-09-27 00:00:00Z",
                                      "2024-10-11 00:00:00Z", "2024-10-25 00:00:00Z"}));
}

TEST(CronNext, MacrosMatchTheirExpressions) {
  const int64_t from = Utc(2024, 5, 17, 10, 15);
  const std::pair<const char*, const char*> pairs[] = {
      {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@MIDNIGHT", "0 0 * * *"},
      {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
  };
  for (const auto& [macro, expr] : pairs) {
    EXPECT_EQ(Runs(MustParse(macro), from, 3), Runs(MustParse(expr), from, 3)) << macro;
  }
  EXPECT_EQ(Show(MustParse("@yearly").Next(from)), "2025-01-01 00:00:00Z");
}

TEST(CronNext, LeapDayAcrossYears) {
  CronSchedule leap = MustParse("0 0 29 2 *");
  EXPECT_EQ(Runs(leap, Utc(2023, 6, 1), 3),
            (std::vector<std::string>{"2024-02-29 00:00:00Z", "2028-02-29 00:00:00Z",
                                      "2032-02-29 00:00:00Z"}));
  // 2100 is not a leap year: the next after 2096 is 2104, beyond the horizon.
  EXPECT_EQ(leap.Next(Utc(2096, 3, 1)), -1);
}

TEST(CronNext, ImpossibleDateIsMinusOne) {
  EXPECT_EQ(MustParse("0 0 30 2 *").Next(Utc(2024, 1, 1)), -1);
  EXPECT_EQ(MustParse("0 0 31 4,6,9,11 *").Next(Utc(2024, 1, 1)), -1);
  EXPECT_EQ(MustParse("0 0 30 2 *", "America/New_York").Next(Utc(2024, 1, 1)), -1);
}

TEST(CronNext, RareSchedulesAreFast) {
  CronSchedule leap = MustParse("0 0 29 2 *", "Europe/Berlin");
  CronSchedule never = MustParse("0 0 30 2 *", "Europe/Berlin");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    EXPECT_GT(leap.Next(Utc(2024, 3, 1) + i * 60'000), 0);
    EXPECT_EQ(never.Next(Utc(2024, 3, 1) + i * 60'000), -1);
  }
  // Testing minute by minute would be ~2.6 million zone lookups per call.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(CronNext, RareSecondSchedulesAreFast) {
  CronSchedule leap = MustParse("59 59 23 29 2 *", "Europe/Berlin");
  CronSchedule never = MustParse("*/10 * * 30 2 *", "Europe/Berlin");
  // Asked from inside the repeated hour, every second up to its end has run.
  CronSchedule every = MustParse("* * * * * *", "Europe/Berlin");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    EXPECT_GT(leap.Next(Utc(2024, 3, 1) + i * 1'000), 0);
    EXPECT_EQ(never.Next(Utc(2024, 3, 1) + i * 1'000), -1);
    EXPECT_EQ(every.Next(Utc(2024, 10, 27, 1, 0, 1) + i), Utc(2024, 10, 27, 2));
  }
  // Testing second by second would be ~158 million zone lookups per call.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(CronNext, ExtremeInstantsEndWithoutLooping) {
  CronSchedule every = MustParse("* * * * *");
  EXPECT_EQ(every.Next(std::numeric_limits<int64_t>::max()), -1);
  EXPECT_GT(every.Next(std::numeric_limits<int64_t>::min()), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(every.Next(-1), 0);
  EXPECT_EQ(every.Next(-60'001), -60'000);
  CronSchedule every_second = MustParse("* * * * * *");
  EXPECT_EQ(every_second.Next(std::numeric_limits<int64_t>::max()), -1);
  EXPECT_GT(every_second.Next(std::numeric_limits<int64_t>::min()),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(every_second.Next(-1), 0);
  EXPECT_EQ(every_second.Next(-1'001), -1'000);
}

TEST(CronNext, TenThousandRunsStrictlyIncrease) {
  for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York"}) {
    CronSchedule s = MustParse("*/7 * * * *", zone);
    // Starts a week before Berlin's fall-back, so the sweep crosses it.
    int64_t t = Utc(2024, 10, 20);
    for (int i = 0; i < 10'000; ++i) {
      const int64_t next = s.Next(t);
      ASSERT_GT(next, t) << zone << " after " << Show(t);
      ASSERT_LE(next - t, 8 * 60 * 60'000) << zone << " after " << Show(t);
      if (std::string(zone) == "UTC") {
        ASSERT_EQ(next % 60'000, 0);
        ASSERT_EQ(next / 60'000 % 60 % 7, 0) << Show(next);
      }
      t = next;
    }
  }
}

// "*/7" seconds are 0, 7, ..., 56: runs are 7 s apart, except 4 s from :56
// to :00 of the next minute. Berlin's local seconds equal UTC's (whole-hour
// offsets), so the same holds there, across the spring-forward gap (02:00:00
// to 02:59:56 fold onto the gap's end, 01:00:00Z, which follows 00:59:56Z
// after 4 s, and 03:00:07 follows after 7 s) and except for the one hour
// the fall-back repeats, which does not run again.
TEST(CronNext, TenThousandRunsEverySevenSeconds) {
  struct Case {
    const char* zone;
    int64_t start;
    int64_t skipped_from;  // the run before the repeated hour; -1 if none
  };
  const Case cases[] = {
      {"UTC", Utc(2024, 12, 31, 20), -1},
      {"Europe/Berlin", Utc(2024, 3, 30, 20), -1},
      {"Europe/Berlin", Utc(2024, 10, 26, 20), Utc(2024, 10, 27, 0, 59, 56)},
  };
  for (const Case& c : cases) {
    CronSchedule s = MustParse("*/7 * * * * *", c.zone);
    int64_t t = c.start;  // itself a run: second 0
    bool skipped = false;
    for (int i = 0; i < 10'000; ++i) {
      const int64_t next = s.Next(t);
      ASSERT_GT(next, t) << c.zone << " after " << Show(t);
      ASSERT_EQ(next % 1'000, 0) << Show(next);
      const int64_t second = t / 1'000 % 60;
      int64_t expected = t + (second == 56 ? 4'000 : 7'000);
      if (t == c.skipped_from) {
        expected = Utc(2024, 10, 27, 2);  // 03:00:00 CET
        skipped = true;
      }
      ASSERT_EQ(next, expected) << c.zone << " after " << Show(t) << ": " << Show(next);
      t = next;
    }
    EXPECT_EQ(skipped, c.skipped_from >= 0) << c.zone;
  }
}

// --- Time zones and daylight saving ------------------------------------------

TEST(CronTimeZone, MonthlyReportBerlin) {
  // The monthly report on the 1st at 06:00 Berlin: 05:00Z in winter (CET),
  // 04:00Z in summer (CEST, from March 30 to October 26 2025).
  EXPECT_EQ(Runs(MustParse("0 6 1 * *", "Europe/Berlin"), Utc(2024, 12, 15), 13),
            (std::vector<std::string>{
                "2025-01-01 05:00:00Z", "2025-02-01 05:00:00Z", "2025-03-01 05:00:00Z",
                "2025-04-01 04:00:00Z", "2025-05-01 04:00:00Z", "2025-06-01 04:00:00Z",
                "2025-07-01 04:00:00Z", "2025-08-01 04:00:00Z", "2025-09-01 04:00:00Z",
                "2025-10-01 04:00:00Z", "2025-11-01 05:00:00Z", "2025-12-01 05:00:00Z",
                "2026-01-01 05:00:00Z"}));
}

TEST(CronTimeZone, NewYorkOffsets) {
  // 09:00 in New York: 14:00Z in EST, 13:00Z in EDT.
  EXPECT_EQ(Runs(MustParse("0 9 * * MON", "America/New_York"), Utc(2024, 3, 1), 3),
            (std::vector<std::string>{"2024-03-04 14:00:00Z", "2024-03-11 13:00:00Z",
                                      "2024-03-18 13:00:00Z"}));
}

// Berlin 2024: 02:00 CET jumps to 03:00 CEST on March 31 (01:00Z).
TEST(CronDst, BerlinGapRunsOnceWhenTheGapEnds) {
  EXPECT_EQ(Runs(MustParse("30 2 * * *", "Europe/Berlin"), Utc(2024, 3, 28), 6),
            (std::vector<std::string>{"2024-03-28 01:30:00Z", "2024-03-29 01:30:00Z",
                                      "2024-03-30 01:30:00Z", "2024-03-31 01:00:00Z",
                                      "2024-04-01 00:30:00Z", "2024-04-02 00:30:00Z"}));
  // Every time in the gap folds onto 03:00 CEST, which runs once.
  EXPECT_EQ(Runs(MustParse("*/15 * * * *", "Europe/Berlin"), Utc(2024, 3, 31, 0, 30), 5),
            (std::vector<std::string>{"2024-03-31 00:45:00Z", "2024-03-31 01:00:00Z",
                                      "2024-03-31 01:15:00Z", "2024-03-31 01:30:00Z",
                                      "2024-03-31 01:45:00Z"}));
  // Asked from inside the skipped hour's instant, it still moves forward.
  EXPECT_EQ(Show(MustParse("30 2 * * *", "Europe/Berlin").Next(Utc(2024, 3, 31, 1))),
            "2024-04-01 00:30:00Z");
}

// The same at second resolution: "15 30 2" (02:30:15) does not exist on
// March 31 and runs once when the gap ends; so does every second of 02:xx.
TEST(CronDst, BerlinGapSecondsRunOnceWhenTheGapEnds) {
  EXPECT_EQ(Runs(MustParse("15 30 2 * * *", "Europe/Berlin"), Utc(2024, 3, 29), 4),
            (std::vector<std::string>{"2024-03-29 01:30:15Z", "2024-03-30 01:30:15Z",
                                      "2024-03-31 01:00:00Z", "2024-04-01 00:30:15Z"}));
  // The last second of 02:xx CET the day before, the gap's end, then 02:xx
  // CEST the day after.
  EXPECT_EQ(Runs(MustParse("* * 2 * * *", "Europe/Berlin"), Utc(2024, 3, 30, 1, 59, 58), 4),
            (std::vector<std::string>{"2024-03-30 01:59:59Z", "2024-03-31 01:00:00Z",
                                      "2024-04-01 00:00:00Z", "2024-04-01 00:00:01Z"}));
  // The second before the gap, then the gap's end, then 03:00:01 CEST.
  EXPECT_EQ(Runs(MustParse("* * * * * *", "Europe/Berlin"), Utc(2024, 3, 31, 0, 59, 58), 3),
            (std::vector<std::string>{"2024-03-31 00:59:59Z", "2024-03-31 01:00:00Z",
                                      "2024-03-31 01:00:01Z"}));
}

// Berlin 2024: 03:00 CEST falls back to 02:00 CET on October 27 (01:00Z),
// so 02:30 happens at 00:30Z and again at 01:30Z.
TEST(CronDst, BerlinRepeatRunsOnceAtTheFirstOccurrence) {
  CronSchedule daily = MustParse("30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(Runs(daily, Utc(2024, 10, 24), 6),
            (std::vector<std::string>{"2024-10-24 00:30:00Z", "2024-10-25 00:30:00Z",
                                      "2024-10-26 00:30:00Z", "2024-10-27 00:30:00Z",
                                      "2024-10-28 01:30:00Z", "2024-10-29 01:30:00Z"}));
  // From inside the second pass of 02:xx, the repeat does not run.
  EXPECT_EQ(Show(daily.Next(Utc(2024, 10, 27, 1, 15))), "2024-10-28 01:30:00Z");
  // Nor does a sub-hourly schedule: the clock only repeats times that ran.
  EXPECT_EQ(Runs(MustParse("*/15 * * * *", "Europe/Berlin"), Utc(2024, 10, 27, 0, 30), 4),
            (std::vector<std::string>{"2024-10-27 00:45:00Z", "2024-10-27 02:00:00Z",
                                      "2024-10-27 02:15:00Z", "2024-10-27 02:30:00Z"}));
}

TEST(CronDst, BerlinRepeatSecondsRunOnceAtTheFirstOccurrence) {
  CronSchedule daily = MustParse("15 30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(Runs(daily, Utc(2024, 10, 26), 3),
            (std::vector<std::string>{"2024-10-26 00:30:15Z", "2024-10-27 00:30:15Z",
                                      "2024-10-28 01:30:15Z"}));
  EXPECT_EQ(Show(daily.Next(Utc(2024, 10, 27, 1, 30, 14))), "2024-10-28 01:30:15Z");
  // Every second: the last of the first pass, then 03:00:00 CET.
  CronSchedule every = MustParse("* * * * * *", "Europe/Berlin");
  EXPECT_EQ(Runs(every, Utc(2024, 10, 27, 0, 59, 58), 3),
            (std::vector<std::string>{"2024-10-27 00:59:59Z", "2024-10-27 02:00:00Z",
                                      "2024-10-27 02:00:01Z"}));
  EXPECT_EQ(Show(every.Next(Utc(2024, 10, 27, 1, 59, 59) + 500)), "2024-10-27 02:00:00Z");
  EXPECT_EQ(Show(every.Next(Utc(2024, 10, 27, 1))), "2024-10-27 02:00:00Z");
}

// New York 2024: 02:00 EST jumps to 03:00 EDT on March 10 (07:00Z); 02:00
// EDT falls back to 01:00 EST on November 3 (06:00Z).
TEST(CronDst, NewYorkGap) {
  EXPECT_EQ(Runs(MustParse("30 2 * * *", "America/New_York"), Utc(2024, 3, 8), 5),
            (std::vector<std::string>{"2024-03-08 07:30:00Z", "2024-03-09 07:30:00Z",
                                      "2024-03-10 07:00:00Z", "2024-03-11 06:30:00Z",
                                      "2024-03-12 06:30:00Z"}));
}

TEST(CronDst, NewYorkRepeat) {
  EXPECT_EQ(Runs(MustParse("30 1 * * *", "America/New_York"), Utc(2024, 11, 1, 12), 4),
            (std::vector<std::string>{"2024-11-02 05:30:00Z", "2024-11-03 05:30:00Z",
                                      "2024-11-04 06:30:00Z", "2024-11-05 06:30:00Z"}));
  // 02:30 is not repeated in New York (the clock goes 01:59 EDT -> 01:00 EST).
  EXPECT_EQ(Runs(MustParse("30 2 * * *", "America/New_York"), Utc(2024, 11, 1, 12), 3),
            (std::vector<std::string>{"2024-11-02 06:30:00Z", "2024-11-03 07:30:00Z",
                                      "2024-11-04 07:30:00Z"}));
}

// A daily job runs exactly once on every local day of the weeks around each
// transition, in both zones.
TEST(CronDst, DailyRunsExactlyOncePerLocalDay) {
  struct Case {
    const char* zone;
    const char* expr;
    int year, month, day;  // a local date four days before a transition
  };
  const Case cases[] = {
      {"Europe/Berlin", "30 2 * * *", 2024, 3, 27},
      {"Europe/Berlin", "30 2 * * *", 2024, 10, 23},
      {"America/New_York", "30 2 * * *", 2024, 3, 6},
      {"America/New_York", "30 2 * * *", 2024, 10, 30},
      {"America/New_York", "30 1 * * *", 2024, 3, 6},
      {"America/New_York", "30 1 * * *", 2024, 10, 30},
  };
  for (const Case& c : cases) {
    CronSchedule s = MustParse(c.expr, c.zone);
    absl::TimeZone zone;
    ASSERT_TRUE(absl::LoadTimeZone(c.zone, &zone));
    const absl::CivilDay first(c.year, c.month, c.day);
    int64_t t = absl::ToUnixMillis(absl::FromCivil(first, zone)) - 1;
    for (int i = 0; i < 9; ++i) {
      t = s.Next(t);
      const absl::CivilDay local(zone.At(absl::FromUnixMillis(t)).cs);
      EXPECT_EQ(local, first + i) << c.zone << " " << c.expr << " run " << i << " at " << Show(t);
    }
  }
}

}  // namespace
}  // namespace quire
