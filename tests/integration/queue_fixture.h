// QueueTest: the fixture of the Redis job queue's integration tests
// (queue_*_test.cc) — a real redis-server per test binary, emptied before
// each test, and on one pool: a JobQueue with the default options, one whose
// leases expire after 200 ms, the read-only QueueInspector and a
// TemplateStore — with helpers that read the keys behind the API, and the
// job specs and queue options the tests start from.
//
// Not responsible for judging the queue: the helpers return what Redis holds.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <source_location>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/job_queue.h"
#include "common/queue/queue_inspector.h"
#include "common/queue/redis_client.h"
#include "common/queue/redis_keys.h"
#include "common/store/stored_templates.h"
#include "tests/support/test_servers.h"

namespace quire {

// Readable gtest messages for the enums these tests compare (found by ADL).
inline void PrintTo(StatusCode c, std::ostream* os) { *os << StatusCodeName(c); }
inline void PrintTo(JobState s, std::ostream* os) { *os << JobStateName(s); }
inline void PrintTo(Priority p, std::ostream* os) { *os << PriorityName(p); }
inline void PrintTo(Stage s, std::ostream* os) {
  *os << (s == Stage::kNone ? "NONE" : StageName(s));
}
inline void PrintTo(LeaseState s, std::ostream* os) {
  *os << (s == LeaseState::kHeld ? "kHeld" : s == LeaseState::kLost ? "kLost" : "kCancelRequested");
}

namespace testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Highest priority first: the order Lease() drains the queues in.
inline constexpr std::array<Priority, 4> kPriorities = {Priority::kUrgent, Priority::kHigh,
                                                        Priority::kNormal, Priority::kLow};

// The value of a call that must succeed; otherwise the test ends with the
// status and the caller's line (gtest reports the exception).
template <typename T>
T Ok(StatusOr<T> r, std::source_location loc = std::source_location::current()) {
  if (!r.ok()) {
    throw std::runtime_error("line " + std::to_string(loc.line()) + ": " + r.status().ToString());
  }
  return std::move(r).value();
}

inline void Ok(const Status& s, std::source_location loc = std::source_location::current()) {
  if (!s.ok()) throw std::runtime_error("line " + std::to_string(loc.line()) + ": " + s.ToString());
}

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Wall-clock milliseconds since the epoch, the clock of JobSpec::run_at_ms.
inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline JobSpec Spec(Priority priority = Priority::kNormal, std::string template_id = "sales") {
  JobSpec spec;
  spec.template_id = std::move(template_id);
  spec.template_version = 3;
  spec.priority = priority;
  spec.params = {{"region", "EMEA"}, {"quarter", "Q3"}};
  spec.outputs = {"pdf", "xlsx"};
  spec.submitter = "alice";
  return spec;
}

class QueueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { redis_ = std::make_unique<TestRedis>(); }
  static void TearDownTestSuite() { redis_.reset(); }
  void SetUp() override { redis_->Flush(); }

  static RedisOptions Options() {
    RedisOptions o;
    o.host = "127.0.0.1";
    o.port = redis_->port();
    return o;
  }

  // A raw command on a pooled connection, for looking behind the API.
  RedisReply Cmd(const std::vector<std::string>& argv) {
    auto conn = Ok(pool_.Borrow());
    return Ok(conn->Command(argv));
  }
  std::string Field(const std::string& job_id, const std::string& field) {
    return Cmd({"HGET", keys::Job(job_id), field}).String();
  }
  int64_t FieldInt(const std::string& job_id, const std::string& field) {
    return std::strtoll(Field(job_id, field).c_str(), nullptr, 10);
  }
  int64_t Stat(const std::string& name) {
    return std::strtoll(Cmd({"HGET", keys::Stats(), name}).String().c_str(), nullptr, 10);
  }
  bool InZset(const std::string& key, const std::string& member) {
    return !Cmd({"ZSCORE", key, member}).IsNil();
  }
  int64_t ActiveDeadline(const std::string& job_id) {
    return std::strtoll(Cmd({"ZSCORE", keys::Active(), job_id}).String().c_str(), nullptr, 10);
  }
  int64_t PendingTotal() {
    int64_t n = 0;
    for (Priority p : kPriorities) n += Cmd({"ZCARD", keys::Pending(p)}).Integer();
    return n;
  }
  std::string Submit(const JobSpec& spec) { return Ok(queue_.Submit(spec)).job_id; }
  LeasedJob LeaseOne(JobQueue& q, const std::string& worker) {
    auto jobs = Ok(q.Lease(worker, 1));
    if (jobs.size() != 1) throw std::runtime_error("expected one leased job");
    return jobs[0];
  }

  // The queues' clock (QueueOptions::clock), so that a test moves time on
  // instead of sleeping: leases, retries, run-at times and aging follow it.
  // It starts at the wall clock so that times read like real ones. Redis'
  // own expiry (retention TTLs) still runs on real time.
  SimulatedClock clock_{NowMs()};
  QueueOptions OnTheClock(QueueOptions o) {
    o.clock = &clock_;
    return o;
  }
  // Leases of 200 ms: moving the clock 400 ms on lets them expire.
  QueueOptions ShortLease() {
    QueueOptions o;
    o.lease_duration = 200ms;
    return OnTheClock(o);
  }
  // A queued job rises a level every `interval` (0: never).
  QueueOptions AgingEvery(std::chrono::milliseconds interval) {
    QueueOptions o;
    o.aging = interval;
    return OnTheClock(o);
  }
  // Finished jobs stay in Redis for `retention`.
  QueueOptions KeepFinishedFor(std::chrono::seconds retention) {
    QueueOptions o;
    o.retention = retention;
    return OnTheClock(o);
  }

  static inline std::unique_ptr<TestRedis> redis_;
  RedisPool pool_{Options()};
  JobQueue queue_{&pool_, OnTheClock(QueueOptions{})};
  // For tests of expiry: its leases end after ShortLease().lease_duration.
  JobQueue short_queue_{&pool_, ShortLease()};
  QueueInspector inspector_{&pool_};
  TemplateStore templates_{&pool_};
};

}  // namespace testing
}  // namespace quire
