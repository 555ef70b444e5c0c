// Integration tests of the Redis job queue against a real redis-server: each
// Lua script of lua_scripts.cc through JobQueue (submit, lease, extend,
// progress, finish, cancel, heartbeat), the read-only QueueInspector, the
// TemplateStore, and the pool's behaviour when Redis goes away and returns.
//
// Not covered here: the gateway and worker processes (see their own tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <source_location>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/job_codec.h"
#include "common/queue/job_queue.h"
#include "common/queue/queue_inspector.h"
#include "common/queue/redis_client.h"
#include "common/queue/redis_keys.h"
#include "common/store/stored_templates.h"
#include "tests/support/test_servers.h"

namespace quire {

// Readable gtest messages for the enums these tests compare (found by ADL).
void PrintTo(StatusCode c, std::ostream* os) { *os << StatusCodeName(c); }
void PrintTo(JobState s, std::ostream* os) { *os << JobStateName(s); }
void PrintTo(Priority p, std::ostream* os) { *os << PriorityName(p); }
void PrintTo(Stage s, std::ostream* os) { *os << (s == Stage::kNone ? "NONE" : StageName(s)); }
void PrintTo(LeaseState s, std::ostream* os) {
  *os << (s == LeaseState::kHeld ? "kHeld" : s == LeaseState::kLost ? "kLost" : "kCancelRequested");
}

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Highest priority first: the order Lease() drains the queues in.
constexpr std::array<Priority, 4> kPriorities = {Priority::kUrgent, Priority::kHigh,
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

void Ok(const Status& s, std::source_location loc = std::source_location::current()) {
  if (!s.ok()) throw std::runtime_error("line " + std::to_string(loc.line()) + ": " + s.ToString());
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

JobSpec Spec(Priority priority = Priority::kNormal, std::string template_id = "sales") {
  JobSpec spec;
  spec.template_id = std::move(template_id);
  spec.template_version = 3;
  spec.priority = priority;
  spec.params = {{"region", "EMEA"}, {"quarter", "Q3"}};
  spec.outputs = {"pdf", "xlsx"};
  spec.submitter = "alice";
  return spec;
}

QueueOptions ShortLease() {
  QueueOptions o;
  o.lease_duration = 200ms;
  return o;
}

class QueueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { redis_ = std::make_unique<testing::TestRedis>(); }
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

  static inline std::unique_ptr<testing::TestRedis> redis_;
  RedisPool pool_{Options()};
  JobQueue queue_{&pool_, QueueOptions{}};
  QueueInspector inspector_{&pool_};
};

// ---------------------------------------------------------------------------
// SUBMIT

TEST_F(QueueTest, SubmitWritesJobHashAndQueuesByPriority) {
  for (Priority p : kPriorities) {
    SCOPED_TRACE(PriorityName(p));
    JobSpec spec = Spec(p);
    auto r = Ok(queue_.Submit(spec));
    EXPECT_FALSE(r.deduplicated);
    EXPECT_EQ(r.job_id.size(), 24u);

    EXPECT_EQ(Field(r.job_id, "id"), r.job_id);
    EXPECT_EQ(Field(r.job_id, "state"), "QUEUED");
    EXPECT_EQ(FieldInt(r.job_id, "attempt"), 0);  // absent until the first lease
    EXPECT_EQ(FieldInt(r.job_id, "prio"), static_cast<int>(p));
    EXPECT_EQ(Field(r.job_id, "tpl"), "sales");
    EXPECT_EQ(DecodeParams(Field(r.job_id, "params")), spec.params);
    for (Priority other : kPriorities) {
      EXPECT_EQ(InZset(keys::Pending(other), r.job_id), other == p) << PriorityName(other);
    }
    EXPECT_TRUE(InZset(keys::Index(), r.job_id));

    JobRecord rec = Ok(inspector_.Get(r.job_id));
    EXPECT_EQ(rec.state, JobState::kQueued);
    EXPECT_EQ(rec.spec.priority, p);
    EXPECT_EQ(rec.spec.params, spec.params);
    EXPECT_EQ(rec.spec.outputs, spec.outputs);
    EXPECT_EQ(rec.spec.template_version, 3);
    EXPECT_EQ(rec.spec.submitter, "alice");
    EXPECT_GT(rec.created_ms, 0);
  }
  EXPECT_EQ(Stat("submitted"), 4);
}

TEST_F(QueueTest, SubmitBatchOfThousandReturnsDistinctIds) {
  std::vector<JobSpec> specs(1000, Spec());
  auto results = Ok(queue_.SubmitBatch(specs));
  ASSERT_EQ(results.size(), 1000u);
  std::set<std::string> ids;
  for (const auto& r : results) {
    EXPECT_FALSE(r.deduplicated);
    ids.insert(r.job_id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(Cmd({"ZCARD", keys::Pending(Priority::kNormal)}).Integer(), 1000);
  EXPECT_EQ(Cmd({"ZCARD", keys::Index()}).Integer(), 1000);
  EXPECT_EQ(Stat("submitted"), 1000);
}

TEST_F(QueueTest, SubmitSignalsWorkAndCapsTheSignalList) {
  EXPECT_EQ(Cmd({"LLEN", keys::Signal()}).Integer(), 0);
  Submit(Spec());
  EXPECT_GT(Cmd({"LLEN", keys::Signal()}).Integer(), 0);
  Ok(queue_.SubmitBatch(std::vector<JobSpec>(100, Spec())));
  EXPECT_LE(Cmd({"LLEN", keys::Signal()}).Integer(), 64);
}

// ---------------------------------------------------------------------------
// LEASE

TEST_F(QueueTest, LeaseDrainsByPriorityThenFifo) {
  struct Case {
    int batch;
  };
  for (Case c : {Case{1}, Case{7}, Case{40}}) {
    SCOPED_TRACE("batch " + std::to_string(c.batch));
    redis_->Flush();
    // 40 jobs with priorities interleaved; the expected lease order is a
    // stable sort by priority, highest first.
    std::vector<std::pair<Priority, std::string>> submitted;
    for (int i = 0; i < 40; ++i) {
      Priority p = static_cast<Priority>(1 + (i * 7 + i / 5) % 4);
      submitted.emplace_back(p, Submit(Spec(p)));
    }
    std::stable_sort(submitted.begin(), submitted.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });

    std::vector<std::pair<Priority, std::string>> leased;
    for (int call = 0; call <= 40; ++call) {
      auto jobs = Ok(queue_.Lease("w-1", c.batch));
      if (jobs.empty()) break;
      size_t remaining = submitted.size() - leased.size();
      EXPECT_EQ(jobs.size(), std::min<size_t>(c.batch, remaining));
      for (const auto& j : jobs) leased.emplace_back(j.spec.priority, j.id);
    }
    EXPECT_EQ(leased, submitted);
    EXPECT_EQ(PendingTotal(), 0);
    EXPECT_EQ(Cmd({"ZCARD", keys::Active()}).Integer(), 40);
  }
}

TEST_F(QueueTest, LeaseMarksRunningWithIncreasingTokens) {
  JobSpec spec = Spec(Priority::kHigh);
  spec.idempotency_key = "order-17";
  spec.inline_template = "title: inline";
  std::string first = Submit(spec);
  Submit(Spec());
  Submit(Spec());

  int64_t last_token = 0;
  for (int i = 0; i < 3; ++i) {
    LeasedJob j = LeaseOne(queue_, "w-" + std::to_string(i));
    EXPECT_GT(j.token, last_token);
    last_token = j.token;
    EXPECT_EQ(j.attempt, 1);
    EXPECT_EQ(Field(j.id, "state"), "RUNNING");
    EXPECT_EQ(FieldInt(j.id, "token"), j.token);
    EXPECT_EQ(FieldInt(j.id, "attempt"), 1);
    EXPECT_EQ(Field(j.id, "worker"), "w-" + std::to_string(i));
    EXPECT_GT(FieldInt(j.id, "started"), 0);
    EXPECT_TRUE(InZset(keys::Active(), j.id));
    if (i == 0) {  // the spec round-trips through the lease reply
      EXPECT_EQ(j.id, first);
      EXPECT_EQ(j.spec.template_id, "sales");
      EXPECT_EQ(j.spec.template_version, 3);
      EXPECT_EQ(j.spec.priority, Priority::kHigh);
      EXPECT_EQ(j.spec.params, spec.params);
      EXPECT_EQ(j.spec.outputs, spec.outputs);
      EXPECT_EQ(j.spec.submitter, "alice");
      EXPECT_EQ(j.spec.idempotency_key, "order-17");
      EXPECT_EQ(j.spec.inline_template, "title: inline");
      EXPECT_GT(j.created_ms, 0);
    }
  }
}

TEST_F(QueueTest, LeaseOnEmptyQueueClearsSignal) {
  Submit(Spec());
  ASSERT_GT(Cmd({"LLEN", keys::Signal()}).Integer(), 0);
  EXPECT_EQ(Ok(queue_.Lease("w-1", 1)).size(), 1u);
  EXPECT_TRUE(Ok(queue_.Lease("w-1", 1)).empty());
  EXPECT_EQ(Cmd({"EXISTS", keys::Signal()}).Integer(), 0);

  // A stray signal with nothing queued is cleared too.
  Cmd({"LPUSH", keys::Signal(), "1"});
  EXPECT_TRUE(Ok(queue_.Lease("w-1", 4)).empty());
  EXPECT_EQ(Cmd({"EXISTS", keys::Signal()}).Integer(), 0);
}

TEST_F(QueueTest, WaitForWorkWakesPromptlyOnSubmit) {
  auto conn = Ok(pool_.Borrow());
  std::atomic<bool> submitted{false};
  Clock::time_point submit_at;
  std::thread submitter([&] {
    std::this_thread::sleep_for(300ms);
    submit_at = Clock::now();
    submitted = queue_.Submit(Spec()).ok();
  });
  Clock::time_point start = Clock::now();
  Status s = queue_.WaitForWork(*conn, 5000ms);
  Clock::time_point woke = Clock::now();
  submitter.join();
  EXPECT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(submitted);
  EXPECT_LT(Seconds(woke - submit_at), 0.5) << "woke " << Seconds(woke - start) << " s after start";
  EXPECT_GE(Seconds(woke - start), 0.2) << "returned before the submit";
}

TEST_F(QueueTest, WaitForWorkReturnsAfterTimeoutWhenIdle) {
  auto conn = Ok(pool_.Borrow());
  Clock::time_point start = Clock::now();
  Status s = queue_.WaitForWork(*conn, 500ms);
  double elapsed = Seconds(Clock::now() - start);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(elapsed, 0.2);
  EXPECT_LE(elapsed, 3.0);
  EXPECT_FALSE(conn->broken());
}

// ---------------------------------------------------------------------------
// EXTEND

TEST_F(QueueTest, ExtendReportsHeldCancelRequestedOrLost) {
  for (int i = 0; i < 3; ++i) Submit(Spec());
  auto jobs = Ok(queue_.Lease("w-1", 3));
  ASSERT_EQ(jobs.size(), 3u);
  const LeasedJob& held = jobs[0];
  const LeasedJob& cancelled = jobs[1];
  LeasedJob wrong_token = jobs[2];
  wrong_token.token += 100;
  EXPECT_EQ(Ok(queue_.Cancel(cancelled.id)).state, JobState::kRunning);

  std::map<std::string, int64_t> before;
  for (const auto& j : jobs) before[j.id] = ActiveDeadline(j.id);
  std::this_thread::sleep_for(30ms);

  auto states = Ok(queue_.Extend({&held, &cancelled, &wrong_token}));
  std::vector<LeaseState> want = {LeaseState::kHeld, LeaseState::kCancelRequested,
                                  LeaseState::kLost};
  EXPECT_EQ(states, want);
  EXPECT_GT(ActiveDeadline(held.id), before[held.id]);
  EXPECT_GT(ActiveDeadline(cancelled.id), before[cancelled.id]);
  EXPECT_EQ(ActiveDeadline(wrong_token.id), before[wrong_token.id]);

  // A finished job is lost and is not put back into the active set.
  ASSERT_EQ(Ok(queue_.Complete(held, {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Extend({&held})), std::vector<LeaseState>{LeaseState::kLost});
  EXPECT_FALSE(InZset(keys::Active(), held.id));

  EXPECT_TRUE(Ok(queue_.Extend({})).empty());
}

// ---------------------------------------------------------------------------
// Expiry and reclaim

TEST_F(QueueTest, ExpiredLeaseIsReclaimedAndOldHolderIsFenced) {
  JobQueue short_queue(&pool_, ShortLease());
  std::string id = Submit(Spec());
  LeasedJob old = LeaseOne(short_queue, "w-old");
  ASSERT_EQ(Ok(short_queue.Progress(old, Stage::kValidating, 10)), LeaseState::kHeld);
  std::this_thread::sleep_for(400ms);

  // The new holder leases with the default (long) lease, so its checks below
  // cannot race its own expiry.
  LeasedJob now = LeaseOne(queue_, "w-new");
  EXPECT_EQ(now.id, id);
  EXPECT_EQ(now.attempt, 2);
  EXPECT_GT(now.token, old.token);
  EXPECT_EQ(Stat("reclaimed"), 1);
  EXPECT_TRUE(Field(id, "t:VALIDATING:s").empty()) << "stage times of attempt 1 were kept";

  ArtifactInfo artifact{"report.pdf", "pdf", "application/pdf", 42, "abc", "/tmp/x"};
  EXPECT_EQ(Ok(queue_.Complete(old, {artifact})), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Fail(old, Status::Internal("boom"))), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.AckCancel(old)), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Progress(old, Stage::kRenderingReport, 90)), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Extend({&old})), std::vector<LeaseState>{LeaseState::kLost});

  EXPECT_EQ(Field(id, "state"), "RUNNING");
  EXPECT_EQ(FieldInt(id, "token"), now.token);
  EXPECT_EQ(Field(id, "worker"), "w-new");
  EXPECT_EQ(Field(id, "stage"), "");
  EXPECT_EQ(Field(id, "progress"), "0");
  EXPECT_EQ(Cmd({"HEXISTS", keys::Job(id), "artifacts"}).Integer(), 0);
  EXPECT_EQ(Field(id, "err_code"), "");
  EXPECT_EQ(Stat("completed") + Stat("failed") + Stat("cancelled"), 0);

  EXPECT_EQ(Ok(queue_.Complete(now, {artifact})), LeaseState::kHeld);
  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kCompleted);
  EXPECT_EQ(rec.attempt, 2);
  ASSERT_EQ(rec.artifacts.size(), 1u);
  EXPECT_EQ(rec.artifacts[0].name, "report.pdf");
  EXPECT_EQ(Stat("completed"), 1);
}

TEST_F(QueueTest, ReclaimedJobKeepsItsFifoPosition) {
  JobQueue short_queue(&pool_, ShortLease());
  std::string a = Submit(Spec(Priority::kNormal));
  ASSERT_EQ(LeaseOne(short_queue, "w-1").id, a);
  std::string b = Submit(Spec(Priority::kNormal));
  std::string c = Submit(Spec(Priority::kLow));
  std::string d = Submit(Spec(Priority::kUrgent));
  std::this_thread::sleep_for(400ms);

  auto jobs = Ok(queue_.Lease("w-2", 10));
  std::vector<std::string> got;
  for (const auto& j : jobs) got.push_back(j.id);
  EXPECT_EQ(got, (std::vector<std::string>{d, a, b, c}));
  EXPECT_EQ(Stat("reclaimed"), 1);
}

// ---------------------------------------------------------------------------
// FINISH and fencing

TEST_F(QueueTest, FinishWithStaleTokenIsRefused) {
  Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  for (int64_t wrong : {job.token + 1, job.token - 1, int64_t{0}}) {
    SCOPED_TRACE("token " + std::to_string(wrong));
    LeasedJob stale = job;
    stale.token = wrong;
    EXPECT_EQ(Ok(queue_.Complete(stale, {})), LeaseState::kLost);
    EXPECT_EQ(Ok(queue_.Fail(stale, Status::Internal("x"))), LeaseState::kLost);
    EXPECT_EQ(Ok(queue_.AckCancel(stale)), LeaseState::kLost);
    EXPECT_EQ(Ok(queue_.Progress(stale, Stage::kValidating, 5)), LeaseState::kLost);
    EXPECT_EQ(Field(job.id, "state"), "RUNNING");
    EXPECT_EQ(Field(job.id, "stage"), "");
  }
  EXPECT_EQ(Ok(queue_.Complete(job, {})), LeaseState::kHeld);
  // A repeat by the finishing token (its first reply was lost) is told the
  // job is finished, and changes nothing.
  EXPECT_EQ(Ok(queue_.Complete(job, {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Fail(job, Status::Internal("late"))), LeaseState::kHeld);
  LeasedJob stale = job;
  stale.token = job.token + 1;
  EXPECT_EQ(Ok(queue_.Complete(stale, {})), LeaseState::kLost);
  EXPECT_EQ(Field(job.id, "state"), "COMPLETED");
  EXPECT_EQ(Field(job.id, "err_code"), "");
  EXPECT_EQ(Field(job.id, "progress"), "100");
  EXPECT_FALSE(InZset(keys::Active(), job.id));
  EXPECT_EQ(Stat("completed"), 1);
  EXPECT_EQ(Stat("failed"), 0);
}

TEST_F(QueueTest, FailRecordsTheError) {
  Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  EXPECT_EQ(Ok(queue_.Fail(job, Status::InvalidArgument("region 'XX' is unknown"))),
            LeaseState::kHeld);
  JobRecord rec = Ok(inspector_.Get(job.id));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "INVALID_ARGUMENT");
  EXPECT_EQ(rec.error_message, "region 'XX' is unknown");
  EXPECT_TRUE(rec.artifacts.empty());
  EXPECT_GT(rec.finished_ms, 0);
  EXPECT_EQ(Stat("failed"), 1);
}

TEST_F(QueueTest, CompleteBatchFinishesOnlyHeldLeases) {
  for (int i = 0; i < 3; ++i) Submit(Spec());
  auto jobs = Ok(queue_.Lease("w-1", 3));
  ASSERT_EQ(jobs.size(), 3u);
  LeasedJob stale = jobs[1];
  stale.token += 1;
  auto states = Ok(queue_.CompleteBatch({&jobs[0], &stale, &jobs[2]}));
  EXPECT_EQ(states,
            (std::vector<LeaseState>{LeaseState::kHeld, LeaseState::kLost, LeaseState::kHeld}));
  EXPECT_EQ(Field(jobs[0].id, "state"), "COMPLETED");
  EXPECT_EQ(Field(jobs[1].id, "state"), "RUNNING");
  EXPECT_EQ(Field(jobs[2].id, "state"), "COMPLETED");
  EXPECT_EQ(Stat("completed"), 2);
  EXPECT_TRUE(Ok(queue_.CompleteBatch({})).empty());
}

// ---------------------------------------------------------------------------
// CANCEL

TEST_F(QueueTest, CancelQueuedJobEndsItAtOnce) {
  std::string doomed = Submit(Spec(Priority::kHigh));
  std::string kept = Submit(Spec(Priority::kHigh));
  EXPECT_EQ(Ok(queue_.Cancel(doomed)).state, JobState::kCancelled);
  EXPECT_EQ(Field(doomed, "state"), "CANCELLED");
  EXPECT_GT(FieldInt(doomed, "finished"), 0);
  EXPECT_FALSE(InZset(keys::Pending(Priority::kHigh), doomed));
  EXPECT_GT(Cmd({"TTL", keys::Job(doomed)}).Integer(), 0);
  EXPECT_EQ(Stat("cancelled"), 1);

  auto jobs = Ok(queue_.Lease("w-1", 10));
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, kept);
  // Cancelling again reports the terminal state and counts nothing.
  EXPECT_EQ(Ok(queue_.Cancel(doomed)).state, JobState::kCancelled);
  EXPECT_EQ(Stat("cancelled"), 1);
}

TEST_F(QueueTest, CancelRunningJobIsAcknowledgedByItsWorker) {
  Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  EXPECT_EQ(Ok(queue_.Cancel(job.id)).state, JobState::kRunning);
  EXPECT_EQ(Field(job.id, "state"), "RUNNING");
  EXPECT_EQ(Field(job.id, "cancel"), "1");
  EXPECT_TRUE(Ok(inspector_.Get(job.id)).cancel_requested);
  EXPECT_EQ(Stat("cancelled"), 0);

  EXPECT_EQ(Ok(queue_.Progress(job, Stage::kValidating, 5)), LeaseState::kCancelRequested);
  EXPECT_EQ(Ok(queue_.AckCancel(job)), LeaseState::kHeld);
  JobRecord rec = Ok(inspector_.Get(job.id));
  EXPECT_EQ(rec.state, JobState::kCancelled);
  EXPECT_EQ(rec.error_code, "CANCELLED");
  EXPECT_FALSE(InZset(keys::Active(), job.id));
  EXPECT_EQ(Stat("cancelled"), 1);
}

TEST_F(QueueTest, CancelOfFinishedJobReportsItsStateAndChangesNothing) {
  using FinishFn = std::function<StatusOr<LeaseState>(JobQueue&, const LeasedJob&)>;
  struct Case {
    const char* name;
    FinishFn finish;
    JobState want;
  };
  const std::vector<Case> cases = {
      {"completed", [](JobQueue& q, const LeasedJob& j) { return q.Complete(j, {}); },
       JobState::kCompleted},
      {"failed", [](JobQueue& q, const LeasedJob& j) { return q.Fail(j, Status::Internal("x")); },
       JobState::kFailed},
      {"cancelled", [](JobQueue& q, const LeasedJob& j) { return q.AckCancel(j); },
       JobState::kCancelled},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Submit(Spec());
    LeasedJob job = LeaseOne(queue_, "w-1");
    ASSERT_EQ(Ok(c.finish(queue_, job)), LeaseState::kHeld);
    int64_t cancelled = Stat("cancelled");
    std::string ver = Field(job.id, "ver");
    EXPECT_EQ(Ok(queue_.Cancel(job.id)).state, c.want);
    EXPECT_EQ(Field(job.id, "state"), JobStateName(c.want));
    EXPECT_EQ(Field(job.id, "cancel"), "");
    EXPECT_EQ(Field(job.id, "ver"), ver) << "an event was published for a no-op";
    EXPECT_EQ(Stat("cancelled"), cancelled);
  }
}

TEST_F(QueueTest, CancelOfUnknownJobIsNotFound) {
  auto r = queue_.Cancel("0000000000000deadbeef0000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  auto g = inspector_.Get("0000000000000deadbeef0000");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);
}

TEST_F(QueueTest, ExpiredLeaseOfCancelRequestedJobEndsCancelled) {
  JobQueue short_queue(&pool_, ShortLease());
  std::string id = Submit(Spec());
  LeasedJob old = LeaseOne(short_queue, "w-1");
  ASSERT_EQ(Ok(queue_.Cancel(id)).state, JobState::kRunning);
  std::this_thread::sleep_for(400ms);

  EXPECT_TRUE(Ok(queue_.Lease("w-2", 5)).empty()) << "a cancelled job was requeued";
  EXPECT_EQ(Field(id, "state"), "CANCELLED");
  EXPECT_FALSE(InZset(keys::Active(), id));
  EXPECT_EQ(PendingTotal(), 0);
  EXPECT_GT(Cmd({"TTL", keys::Job(id)}).Integer(), 0);
  EXPECT_EQ(Stat("cancelled"), 1);
  EXPECT_EQ(Stat("reclaimed"), 0);
  EXPECT_EQ(Ok(short_queue.AckCancel(old)), LeaseState::kLost);
  EXPECT_EQ(Stat("cancelled"), 1);
}

// ---------------------------------------------------------------------------
// Idempotency

TEST_F(QueueTest, SameIdempotencyKeyGivesSameJob) {
  JobSpec spec = Spec();
  spec.idempotency_key = "invoice-2024-07";
  auto first = Ok(queue_.Submit(spec));
  auto second = Ok(queue_.Submit(spec));
  EXPECT_FALSE(first.deduplicated);
  EXPECT_TRUE(second.deduplicated);
  EXPECT_EQ(first.job_id, second.job_id);
  EXPECT_EQ(Cmd({"ZCARD", keys::Index()}).Integer(), 1);
  EXPECT_EQ(PendingTotal(), 1);
  EXPECT_EQ(Stat("submitted"), 1);
  EXPECT_GT(Cmd({"TTL", keys::Idempotency("invoice-2024-07")}).Integer(), 0);

  // Another key, or none at all, makes new jobs; duplicates inside one batch
  // are caught too.
  JobSpec other = Spec();
  other.idempotency_key = "invoice-2024-08";
  std::vector<JobSpec> batch = {other, other, Spec(), Spec()};
  auto results = Ok(queue_.SubmitBatch(batch));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_NE(results[0].job_id, first.job_id);
  EXPECT_EQ(results[1].job_id, results[0].job_id);
  EXPECT_TRUE(results[1].deduplicated);
  EXPECT_FALSE(results[2].deduplicated);
  EXPECT_NE(results[2].job_id, results[3].job_id);
  EXPECT_EQ(Cmd({"ZCARD", keys::Index()}).Integer(), 4);
}

// ---------------------------------------------------------------------------
// PROGRESS, stage times and metrics

TEST_F(QueueTest, ProgressStampsStagesAndRecordsLatency) {
  std::string id = Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  struct Step {
    Stage stage;
    int percent;
  };
  const std::vector<Step> steps = {{Stage::kValidating, 10},
                                   {Stage::kValidating, 20},
                                   {Stage::kCollectingData, 40},
                                   {Stage::kRenderingReport, 80}};
  Stage previous = Stage::kNone;
  std::string previous_start;
  for (const auto& step : steps) {
    std::string name = StageName(step.stage);
    SCOPED_TRACE(name + " " + std::to_string(step.percent));
    std::this_thread::sleep_for(5ms);
    ASSERT_EQ(Ok(queue_.Progress(job, step.stage, step.percent)), LeaseState::kHeld);
    EXPECT_EQ(Field(id, "stage"), name);
    EXPECT_EQ(FieldInt(id, "progress"), step.percent);
    EXPECT_EQ(Field(id, "t:" + name + ":e"), "");
    if (step.stage == previous) {
      EXPECT_EQ(Field(id, "t:" + name + ":s"), previous_start) << "restamped a running stage";
      EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(step.stage)}).Integer(), 0);
    } else if (previous != Stage::kNone) {
      std::string prev = StageName(previous);
      int64_t s = FieldInt(id, "t:" + prev + ":s");
      int64_t e = FieldInt(id, "t:" + prev + ":e");
      EXPECT_GE(e, s);
      EXPECT_EQ(FieldInt(id, "t:" + name + ":s"), e);
      EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(previous)}).Integer(), 1);
      EXPECT_EQ(std::strtoll(Cmd({"LINDEX", keys::StageLatency(previous), "0"}).String().c_str(),
                             nullptr, 10),
                e - s);
    }
    previous = step.stage;
    previous_start = Field(id, "t:" + name + ":s");
  }
  ASSERT_EQ(Ok(queue_.Complete(job, {})), LeaseState::kHeld);
  EXPECT_GT(FieldInt(id, "t:RENDERING_REPORT:e"), 0);
  EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(Stage::kRenderingReport)}).Integer(), 1);
  EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(Stage::kGeneratingCharts)}).Integer(), 0);

  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.progress, 100);
  std::vector<Stage> stages;
  for (const auto& t : rec.stage_times) {
    stages.push_back(t.stage);
    EXPECT_GT(t.started_ms, 0);
    EXPECT_GE(t.finished_ms, t.started_ms);
  }
  EXPECT_EQ(stages, (std::vector<Stage>{Stage::kValidating, Stage::kCollectingData,
                                        Stage::kRenderingReport}));
}

TEST_F(QueueTest, MetricsCountDepthStatesLatencyAndWorkers) {
  std::vector<std::string> low;
  Submit(Spec(Priority::kUrgent));
  Submit(Spec(Priority::kUrgent));
  Submit(Spec(Priority::kHigh));
  for (int i = 0; i < 3; ++i) low.push_back(Submit(Spec(Priority::kLow)));

  LeasedJob done = LeaseOne(queue_, "w-1");
  ASSERT_EQ(Ok(queue_.Progress(done, Stage::kValidating, 10)), LeaseState::kHeld);
  ASSERT_EQ(Ok(queue_.Progress(done, Stage::kCollectingData, 50)), LeaseState::kHeld);
  ASSERT_EQ(Ok(queue_.Complete(done, {})), LeaseState::kHeld);
  LeaseOne(queue_, "w-2");  // stays running
  ASSERT_EQ(Ok(queue_.Cancel(low[0])).state, JobState::kCancelled);

  Ok(queue_.Heartbeat("w-1"));
  Ok(queue_.Heartbeat("w-2"));
  Ok(queue_.Heartbeat("w-1"));
  // A worker silent for 20 s is not live.
  auto time = Cmd({"TIME"});
  int64_t now_ms = ElementInteger(time.Element(0)) * 1000 + ElementInteger(time.Element(1)) / 1000;
  Cmd({"ZADD", keys::Workers(), std::to_string(now_ms - 20000), "w-stale"});

  QueueMetrics m = Ok(inspector_.Metrics());
  EXPECT_EQ(m.depth, (std::map<Priority, int64_t>{{Priority::kLow, 2},
                                                  {Priority::kNormal, 0},
                                                  {Priority::kHigh, 1},
                                                  {Priority::kUrgent, 0}}));
  EXPECT_EQ(m.by_state[JobState::kQueued], 3);
  EXPECT_EQ(m.by_state[JobState::kRunning], 1);
  EXPECT_EQ(m.by_state[JobState::kCompleted], 1);
  EXPECT_EQ(m.by_state[JobState::kFailed], 0);
  EXPECT_EQ(m.by_state[JobState::kCancelled], 1);
  EXPECT_EQ(m.submitted, 6);
  EXPECT_EQ(m.completed, 1);
  EXPECT_EQ(m.cancelled, 1);
  EXPECT_EQ(m.live_workers, 2);

  std::map<Stage, int64_t> samples;
  for (const auto& l : m.latency) samples[l.stage] = l.samples;
  EXPECT_EQ(samples, (std::map<Stage, int64_t>{{Stage::kValidating, 1},
                                               {Stage::kCollectingData, 1},
                                               {Stage::kGeneratingCharts, 0},
                                               {Stage::kRenderingReport, 0},
                                               {Stage::kFinalizing, 0}}));
}

// ---------------------------------------------------------------------------
// Retention

TEST_F(QueueTest, FinishedJobsExpireAfterRetention) {
  QueueOptions options;
  options.retention = 1s;
  JobQueue q(&pool_, options);
  for (int i = 0; i < 4; ++i) Submit(Spec());
  auto jobs = Ok(q.Lease("w-1", 4));
  ASSERT_EQ(jobs.size(), 4u);
  ASSERT_EQ(Ok(q.Complete(jobs[0], {})), LeaseState::kHeld);
  ASSERT_EQ(Ok(q.Fail(jobs[1], Status::Internal("x"))), LeaseState::kHeld);
  ASSERT_EQ(Ok(q.Cancel(jobs[2].id)).state, JobState::kRunning);
  ASSERT_EQ(Ok(q.AckCancel(jobs[2])), LeaseState::kHeld);
  const std::string& running = jobs[3].id;
  std::string queued_then_cancelled = Submit(Spec());
  ASSERT_EQ(Ok(q.Cancel(queued_then_cancelled)).state, JobState::kCancelled);

  std::vector<std::string> finished = {jobs[0].id, jobs[1].id, jobs[2].id, queued_then_cancelled};
  for (const auto& id : finished) {
    int64_t ttl = Cmd({"TTL", keys::Job(id)}).Integer();
    EXPECT_GT(ttl, 0) << id;
    EXPECT_LE(ttl, 1) << id;
    EXPECT_TRUE(inspector_.Get(id).ok());
  }
  EXPECT_EQ(Cmd({"TTL", keys::Job(running)}).Integer(), -1);

  std::this_thread::sleep_for(2100ms);
  for (const auto& id : finished) {
    auto r = inspector_.Get(id);
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  }
  EXPECT_TRUE(inspector_.Get(running).ok());
  auto page = Ok(inspector_.List({}, 100, ""));
  ASSERT_EQ(page.jobs.size(), 1u);
  EXPECT_EQ(page.jobs[0].id, running);
}

// ---------------------------------------------------------------------------
// QueueInspector::List

TEST_F(QueueTest, ListPagesNewestFirstWithFilters) {
  // 25 jobs, a couple of ms apart so creation times differ; every fourth is
  // cancelled.
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) {
    ids.push_back(
        Submit(Spec(i % 2 == 0 ? Priority::kLow : Priority::kHigh, i % 3 == 0 ? "alpha" : "beta")));
    std::this_thread::sleep_for(2ms);
  }
  for (int i = 0; i < 25; i += 4) ASSERT_EQ(Ok(queue_.Cancel(ids[i])).state, JobState::kCancelled);

  // All jobs, pages of 10.
  std::vector<std::string> listed;
  std::vector<size_t> sizes;
  std::string token;
  for (int page_no = 0; page_no < 5; ++page_no) {
    JobPage page = Ok(inspector_.List({}, 10, token));
    sizes.push_back(page.jobs.size());
    for (const auto& j : page.jobs) listed.push_back(j.id);
    token = page.next_page_token;
    if (token.empty()) break;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 5}));
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());
  EXPECT_EQ(listed, newest_first);

  struct Case {
    const char* name;
    JobFilter filter;
    std::function<bool(int)> want;
  };
  const std::vector<Case> cases = {
      {"cancelled", {JobState::kCancelled, "", 0}, [](int i) { return i % 4 == 0; }},
      {"queued", {JobState::kQueued, "", 0}, [](int i) { return i % 4 != 0; }},
      {"running", {JobState::kRunning, "", 0}, [](int) { return false; }},
      {"high", {JobState::kUnspecified, "", 3}, [](int i) { return i % 2 == 1; }},
      {"alpha", {JobState::kUnspecified, "alpha", 0}, [](int i) { return i % 3 == 0; }},
      {"alpha low queued",
       {JobState::kQueued, "alpha", 1},
       [](int i) { return i % 3 == 0 && i % 2 == 0 && i % 4 != 0; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> want;
    for (int i = 24; i >= 0; --i) {
      if (c.want(i)) want.push_back(ids[i]);
    }
    std::vector<std::string> got;
    std::string t;
    for (int page_no = 0; page_no < 20; ++page_no) {
      JobPage page = Ok(inspector_.List(c.filter, 4, t));
      EXPECT_LE(page.jobs.size(), 4u);
      for (const auto& j : page.jobs) got.push_back(j.id);
      t = page.next_page_token;
      if (t.empty()) break;
    }
    EXPECT_EQ(got, want);
  }
}

TEST_F(QueueTest, ListRejectsMalformedPageToken) {
  Submit(Spec());
  for (const char* token : {"garbage", ":0000000000000", "no-colon-at-all"}) {
    SCOPED_TRACE(token);
    auto r = inspector_.List({}, 10, token);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

// A token with a colon but a non-numeric score reaches ZREVRANGEBYSCORE,
// whose error came back as INTERNAL instead of INVALID_ARGUMENT (regression).
TEST_F(QueueTest, ListRejectsNonNumericPageTokenAsInvalidArgument) {
  Submit(Spec());
  for (const char* token : {"abc:def", "12x:0000000000000"}) {
    SCOPED_TRACE(token);
    auto r = inspector_.List({}, 10, token);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  }
}

// ---------------------------------------------------------------------------
// TemplateStore

TEST_F(QueueTest, TemplateStoreKeepsEveryVersion) {
  TemplateStore store(&pool_);
  EXPECT_EQ(Ok(store.Put("sales", "Sales v1", "title: one\n")), 1);
  EXPECT_EQ(Ok(store.Put("sales", "Sales v2", "title: two\n")), 2);

  StoredTemplate latest = Ok(store.Get("sales", 0));
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.latest_version, 2);
  EXPECT_EQ(latest.yaml, "title: two\n");
  EXPECT_EQ(latest.title, "Sales v2");
  EXPECT_GT(latest.created_ms, 0);

  StoredTemplate old = Ok(store.Get("sales", 1));
  EXPECT_EQ(old.version, 1);
  EXPECT_EQ(old.latest_version, 2);
  EXPECT_EQ(old.yaml, "title: one\n");
  EXPECT_EQ(old.title, "Sales v1");

  struct Missing {
    const char* id;
    int64_t version;
  };
  for (Missing m :
       {Missing{"nope", 0}, Missing{"nope", 1}, Missing{"sales", 3}, Missing{"sales", -1}}) {
    SCOPED_TRACE(std::string(m.id) + " v" + std::to_string(m.version));
    auto r = store.Get(m.id, m.version);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  }

  EXPECT_EQ(Ok(store.Put("zeta", "Z", "z: 1\n")), 1);
  EXPECT_EQ(Ok(store.Put("alpha", "A", "a: 1\n")), 1);
  auto all = Ok(store.List());
  std::vector<std::string> ids;
  for (const auto& t : all) {
    ids.push_back(t.id);
    EXPECT_TRUE(t.yaml.empty());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"alpha", "sales", "zeta"}));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].version, 2);
  EXPECT_EQ(all[1].title, "Sales v2");
}

// ---------------------------------------------------------------------------
// Redis down

// Restarts the shared redis-server however the test ends.
class RedisRestart {
 public:
  explicit RedisRestart(testing::TestRedis* redis) : redis_(redis) { redis_->Stop(); }
  ~RedisRestart() { Start(); }
  void Start() {
    if (!started_) redis_->Start();
    started_ = true;
  }

 private:
  testing::TestRedis* redis_;
  bool started_ = false;
};

TEST_F(QueueTest, RedisDownGivesUnavailableThenRecovers) {
  Submit(Spec());  // the pool now holds a connection that is about to break
  TemplateStore store(&pool_);
  {
    RedisRestart restart(redis_.get());
    struct Call {
      const char* name;
      std::function<Status()> run;
    };
    const std::vector<Call> calls = {
        {"submit", [&] { return queue_.Submit(Spec()).status(); }},
        {"submit again", [&] { return queue_.Submit(Spec()).status(); }},
        {"lease", [&] { return queue_.Lease("w-1", 1).status(); }},
        {"cancel", [&] { return queue_.Cancel("x").status(); }},
        {"heartbeat", [&] { return queue_.Heartbeat("w-1"); }},
        {"get", [&] { return inspector_.Get("x").status(); }},
        {"metrics", [&] { return inspector_.Metrics().status(); }},
        {"put template", [&] { return store.Put("t", "T", "x: 1").status(); }},
    };
    for (const auto& call : calls) {
      SCOPED_TRACE(call.name);
      Clock::time_point start = Clock::now();
      Status s = call.run();
      EXPECT_LT(Seconds(Clock::now() - start), 5.0);
      EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    }
    restart.Start();
  }
  auto r = queue_.Submit(Spec());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ok(inspector_.Get(r->job_id)).state, JobState::kQueued);
  EXPECT_EQ(Ok(queue_.Lease("w-1", 1)).size(), 1u);
}

// Idle pooled connections opened before a Redis restart are dead after it;
// the first calls after the restart must not fail on them.
TEST_F(QueueTest, RedisRestartDoesNotFailCallsOnStaleIdleConnections) {
  {
    // Three connections in use at once, then returned: three idle.
    auto a = Ok(pool_.Borrow());
    auto b = Ok(pool_.Borrow());
    auto c = Ok(pool_.Borrow());
    for (auto* l : {&a, &b, &c}) Ok((*l)->Command({"PING"}));
  }
  { RedisRestart restart(redis_.get()); }
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE("submit " + std::to_string(i));
    auto r = queue_.Submit(Spec());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
}

}  // namespace
}  // namespace quire

namespace quire {
namespace {

// A template cannot be deleted while queued or running jobs are pinned to
// one of its versions; every way a job ends releases it.
TEST_F(QueueTest, TemplateDeleteIsRefusedWhileLiveJobsUseIt) {
  TemplateStore store(&pool_);
  Ok(store.Put("sales", "Sales", "title: one\n"));
  EXPECT_EQ(store.Delete("nope").code(), StatusCode::kNotFound);

  // Three live jobs: one will complete, one fail, one be cancelled queued.
  std::string a = Ok(queue_.Submit(Spec())).job_id;
  std::string b = Ok(queue_.Submit(Spec())).job_id;
  std::string c = Ok(queue_.Submit(Spec())).job_id;
  // Inline templates (version 0) never pin a stored template.
  JobSpec inline_spec = Spec();
  inline_spec.template_version = 0;
  Ok(queue_.Submit(inline_spec));

  Status refused = store.Delete("sales");
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("3 queued or running"), std::string::npos) << refused.message();

  auto leased = Ok(queue_.Lease("w-1", 2));
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(Ok(queue_.Complete(leased[0], {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Fail(leased[1], Status::Internal("boom"))), LeaseState::kHeld);
  EXPECT_EQ(store.Delete("sales").code(), StatusCode::kFailedPrecondition);  // c still queued
  EXPECT_EQ(Ok(queue_.Cancel(c)).state, JobState::kCancelled);
  (void)a;
  (void)b;

  EXPECT_TRUE(store.Delete("sales").ok());
  EXPECT_EQ(store.Get("sales", 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Ok(store.List()).size(), 0u);
  EXPECT_EQ(store.Delete("sales").code(), StatusCode::kNotFound);
}

// A job whose expired lease is reclaimed as CANCELLED releases its template.
TEST_F(QueueTest, ReclaimedCancelledJobReleasesItsTemplate) {
  TemplateStore store(&pool_);
  Ok(store.Put("sales", "Sales", "title: one\n"));
  JobQueue short_queue(&pool_, ShortLease());
  std::string id = Ok(short_queue.Submit(Spec())).job_id;
  ASSERT_EQ(Ok(short_queue.Lease("w-1", 1)).size(), 1u);
  EXPECT_EQ(Ok(short_queue.Cancel(id)).state, JobState::kRunning);
  EXPECT_EQ(store.Delete("sales").code(), StatusCode::kFailedPrecondition);
  std::this_thread::sleep_for(ShortLease().lease_duration * 2);
  Ok(short_queue.Lease("w-2", 1));  // reclaims: ends the job CANCELLED
  EXPECT_EQ(Ok(inspector_.Get(id)).state, JobState::kCancelled);
  EXPECT_TRUE(store.Delete("sales").ok());
}

}  // namespace
}  // namespace quire

namespace quire {
namespace {

// The ListJobs index forgets jobs whose hash expired after the retention,
// and never a live job, however old.
TEST_F(QueueTest, TrimIndexDropsOnlyExpiredJobs) {
  QueueOptions o;
  o.retention = std::chrono::seconds(1);
  JobQueue q(&pool_, o);
  std::string done = Ok(q.Submit(Spec())).job_id;
  std::string waiting = Ok(q.Submit(Spec())).job_id;
  auto leased = Ok(q.Lease("w-1", 1));
  ASSERT_EQ(leased.size(), 1u);
  ASSERT_EQ(leased[0].id, done);
  EXPECT_EQ(Ok(q.Complete(leased[0], {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(q.TrimIndex()), 0);  // nothing older than the retention yet
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_EQ(Ok(q.TrimIndex()), 1);
  EXPECT_FALSE(InZset(keys::Index(), done));
  EXPECT_TRUE(InZset(keys::Index(), waiting));  // still queued: kept
  EXPECT_EQ(Ok(q.TrimIndex()), 0);
  auto page = Ok(inspector_.List({}, 10, ""));
  ASSERT_EQ(page.jobs.size(), 1u);
  EXPECT_EQ(page.jobs[0].id, waiting);
}

}  // namespace
}  // namespace quire

// ---------------------------------------------------------------------------
// RETRY and REQUEUE

namespace quire {
namespace {

TEST_F(QueueTest, RetryScheduledJobWaitsItsDelayThenRunsAgainWithItsHistory) {
  const std::string id = Submit(Spec());
  LeasedJob first = LeaseOne(queue_, "w1");
  ASSERT_EQ(Ok(queue_.Progress(first, Stage::kCollectingData, 20)), LeaseState::kHeld);
  const auto before = std::chrono::system_clock::now();
  ASSERT_EQ(Ok(queue_.Retry(first, Status::Unavailable("source 'sales': connection refused"), 400ms,
                            {"a warning"})),
            LeaseState::kHeld);

  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kRetryScheduled);
  EXPECT_EQ(rec.error_code, "UNAVAILABLE");
  const int64_t before_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count();
  EXPECT_GE(rec.next_attempt_ms, before_ms + 350);
  EXPECT_LE(rec.next_attempt_ms, before_ms + 2000);
  ASSERT_EQ(rec.attempt_errors.size(), 1u);
  EXPECT_EQ(rec.attempt_errors[0].attempt, 1);
  EXPECT_EQ(rec.attempt_errors[0].error_code, "UNAVAILABLE");
  EXPECT_EQ(rec.attempt_errors[0].error_message, "source 'sales': connection refused");
  EXPECT_EQ(rec.attempt_errors[0].worker_id, "w1");
  EXPECT_FALSE(InZset(keys::Active(), id));
  EXPECT_TRUE(InZset(keys::Scheduled(), id));
  EXPECT_EQ(Stat("retried"), 1);
  EXPECT_EQ(Ok(inspector_.Metrics()).by_state[JobState::kRetryScheduled], 1);

  // Not before its time; the old token can no longer touch it.
  EXPECT_TRUE(Ok(queue_.Lease("w2", 1)).empty());
  EXPECT_EQ(Ok(queue_.Complete(first, {})), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Retry(first, Status::Unavailable("again"), 1ms)), LeaseState::kLost);
  std::this_thread::sleep_for(450ms);
  LeasedJob second = LeaseOne(queue_, "w2");
  EXPECT_EQ(second.id, id);
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(second.failed_attempts, 1);
  EXPECT_GT(second.token, first.token);
  EXPECT_FALSE(InZset(keys::Scheduled(), id));

  ASSERT_EQ(Ok(queue_.Fail(second,
                           Status(StatusCode::kDeadlineExceeded, "COLLECTING_DATA took too long"))),
            LeaseState::kHeld);
  rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.next_attempt_ms, 0);
  ASSERT_EQ(rec.attempt_errors.size(), 2u);
  EXPECT_EQ(rec.attempt_errors[1].attempt, 2);
  EXPECT_EQ(rec.attempt_errors[1].error_code, "DEADLINE_EXCEEDED");
  EXPECT_EQ(rec.attempt_errors[1].worker_id, "w2");
}

TEST_F(QueueTest, CancelOfAJobWaitingForARetryEndsItAtOnce) {
  const std::string id = Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w1");
  ASSERT_EQ(Ok(queue_.Retry(job, Status::Unavailable("down"), 200ms)), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Cancel(id)).state, JobState::kCancelled);
  EXPECT_FALSE(InZset(keys::Scheduled(), id));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(Ok(queue_.Lease("w2", 1)).empty());
  EXPECT_EQ(Ok(inspector_.Get(id)).state, JobState::kCancelled);
  EXPECT_EQ(Stat("cancelled"), 1);
}

TEST_F(QueueTest, AnExpiredLeaseIsRecordedAsAnAbortedAttempt) {
  JobQueue short_queue(&pool_, ShortLease());
  const std::string id = Submit(Spec());
  LeaseOne(short_queue, "w-dead");
  std::this_thread::sleep_for(400ms);
  LeasedJob again = LeaseOne(queue_, "w-new");
  EXPECT_EQ(again.attempt, 2);
  EXPECT_EQ(again.failed_attempts, 0) << "a crashed worker's attempt used up the retry budget";
  const JobRecord rec = Ok(inspector_.Get(id));
  ASSERT_EQ(rec.attempt_errors.size(), 1u);
  EXPECT_EQ(rec.attempt_errors[0].error_code, "ABORTED");
  EXPECT_EQ(rec.attempt_errors[0].worker_id, "w-dead");
  EXPECT_NE(rec.attempt_errors[0].error_message.find("lease expired"), std::string::npos);
}

TEST_F(QueueTest, RequeueSendsAFailedJobBackWithAFreshBudget) {
  JobSpec spec = Spec(Priority::kHigh);
  spec.template_version = 0;  // not pinned to a stored template
  spec.max_attempts = 2;
  const std::string id = Submit(spec);
  const std::string other = Submit(Spec(Priority::kHigh));
  LeasedJob job = LeaseOne(queue_, "w1");
  ASSERT_EQ(job.id, id);
  EXPECT_EQ(job.spec.max_attempts, 2);
  ASSERT_EQ(Ok(queue_.Fail(job, Status::InvalidArgument("bad"))), LeaseState::kHeld);
  EXPECT_EQ(Ok(inspector_.Get(id)).failed_attempts, 1);

  Ok(queue_.Requeue(id));
  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kQueued);
  EXPECT_EQ(rec.error_code, "");
  EXPECT_EQ(rec.finished_ms, 0);
  EXPECT_EQ(rec.failed_attempts, 0) << "the budget was not renewed";
  ASSERT_EQ(rec.attempt_errors.size(), 1u) << "the history was lost";
  EXPECT_EQ(Cmd({"TTL", keys::Job(id)}).Integer(), -1) << "a requeued job must not expire";
  EXPECT_EQ(Stat("requeued"), 1);

  // At the back of its priority: the job queued before it goes first.
  EXPECT_EQ(LeaseOne(queue_, "w2").id, other);
  LeasedJob again = LeaseOne(queue_, "w2");
  EXPECT_EQ(again.id, id);
  EXPECT_EQ(again.attempt, 2);
  EXPECT_EQ(again.failed_attempts, 0);

  // Only FAILED jobs; unknown ids are NOT_FOUND.
  EXPECT_EQ(queue_.Requeue(id).code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(queue_.Requeue(id).message().find("RUNNING"), std::string::npos);
  EXPECT_EQ(queue_.Requeue("nope").code(), StatusCode::kNotFound);
}

TEST_F(QueueTest, RequeueRefusesAJobWhoseTemplateVersionWasDeleted) {
  TemplateStore store(&pool_);
  const int64_t version = Ok(store.Put("gone", "Gone", "id: gone\ntitle: Gone\n"));
  JobSpec spec = Spec(Priority::kNormal, "gone");
  spec.template_version = version;
  const std::string id = Submit(spec);
  LeasedJob job = LeaseOne(queue_, "w1");
  ASSERT_EQ(Ok(queue_.Fail(job, Status::InvalidArgument("bad"))), LeaseState::kHeld);
  Ok(store.Delete("gone"));
  const Status s = queue_.Requeue(id);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("deleted"), std::string::npos) << s.ToString();
  EXPECT_EQ(Ok(inspector_.Get(id)).state, JobState::kFailed);
}

}  // namespace
}  // namespace quire

// ---------------------------------------------------------------------------
// Garbage in job records: the job fails with DATA_LOSS, the queue goes on.

namespace quire {
namespace {

TEST_F(QueueTest, ARecordOfTheWrongTypeFailsThatJobAndOthersStillLease) {
  const std::string bad = Submit(Spec());
  const std::string good = Submit(Spec());
  Cmd({"DEL", keys::Job(bad)});
  Cmd({"SET", keys::Job(bad), "garbage"});
  const std::vector<LeasedJob> leased = Ok(queue_.Lease("w1", 2));
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, good);
  const JobRecord rec = Ok(inspector_.Get(bad));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "DATA_LOSS");
  EXPECT_NE(rec.error_message.find("WRONGTYPE"), std::string::npos) << rec.error_message;
  EXPECT_EQ(Stat("failed"), 1);
}

TEST_F(QueueTest, AMissingRecordFailsThatJob) {
  const std::string gone = Submit(Spec());
  Cmd({"DEL", keys::Job(gone)});
  EXPECT_TRUE(Ok(queue_.Lease("w1", 1)).empty());
  const JobRecord rec = Ok(inspector_.Get(gone));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_NE(rec.error_message.find("missing"), std::string::npos) << rec.error_message;
}

TEST_F(QueueTest, AnUnreadablePriorityFailsTheReclaimedJobNotTheLease) {
  JobQueue short_queue(&pool_, ShortLease());
  const std::string bad = Submit(Spec());
  LeaseOne(short_queue, "w-dead");
  Cmd({"HSET", keys::Job(bad), "prio", "urgent!"});
  const std::string good = Submit(Spec());
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(LeaseOne(queue_, "w2").id, good);
  const JobRecord rec = Ok(inspector_.Get(bad));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "DATA_LOSS");
  EXPECT_NE(rec.error_message.find("priority"), std::string::npos) << rec.error_message;
}

TEST_F(QueueTest, TruncatedParametersMarkTheLeasedJobCorrupt) {
  const std::string id = Submit(Spec());
  Cmd({"HSET", keys::Job(id), "params", "[[\"region\",\"EM"});
  const LeasedJob job = LeaseOne(queue_, "w1");
  EXPECT_EQ(job.id, id);
  EXPECT_NE(job.corrupt.find("parameters"), std::string::npos) << job.corrupt;
  const std::string fine = Submit(Spec());
  EXPECT_TRUE(LeaseOne(queue_, "w1").corrupt.empty());
  (void)fine;
}

}  // namespace
}  // namespace quire

// ---------------------------------------------------------------------------
// Aging: no priority starves.

namespace quire {
namespace {

TEST_F(QueueTest, ALowJobRisesALevelPerAgingIntervalAndRunsUnderConstantUrgentLoad) {
  QueueOptions o;
  o.aging = 200ms;
  JobQueue aging_queue(&pool_, o);
  const std::string low = Submit(Spec(Priority::kLow));
  const auto start = Clock::now();
  // A constant URGENT load: two new URGENT jobs for every one leased, so
  // without aging the LOW job would wait forever.
  int urgent_leased = 0;
  std::string leased;
  while (Clock::now() - start < 5s) {
    Submit(Spec(Priority::kUrgent));
    Submit(Spec(Priority::kUrgent));
    leased = LeaseOne(aging_queue, "w1").id;
    if (leased == low) break;
    ++urgent_leased;
    std::this_thread::sleep_for(20ms);
  }
  const double waited = Seconds(Clock::now() - start);
  ASSERT_EQ(leased, low) << "LOW starved under URGENT load for 5 s";
  // Three levels to climb, one interval each.
  EXPECT_GE(waited, 0.6);
  EXPECT_LT(waited, 2.0);
  EXPECT_GT(urgent_leased, 10);
  EXPECT_EQ(FieldInt(low, "lvl"), static_cast<int>(Priority::kUrgent));
  EXPECT_EQ(FieldInt(low, "prio"), static_cast<int>(Priority::kLow)) << "its own priority changed";
}

TEST_F(QueueTest, WithoutAgingPriorityStaysStrict) {
  QueueOptions o;
  o.aging = 0ms;
  JobQueue strict(&pool_, o);
  const std::string low = Submit(Spec(Priority::kLow));
  std::this_thread::sleep_for(50ms);
  for (int i = 0; i < 5; ++i) Submit(Spec(Priority::kUrgent));
  for (int i = 0; i < 5; ++i) EXPECT_NE(LeaseOne(strict, "w1").id, low);
  EXPECT_EQ(LeaseOne(strict, "w1").id, low);
}

TEST_F(QueueTest, CancelFindsAJobThatRoseAboveItsPriority) {
  QueueOptions o;
  o.aging = 100ms;
  JobQueue aging_queue(&pool_, o);
  const std::string low = Submit(Spec(Priority::kLow));
  std::this_thread::sleep_for(150ms);
  Submit(Spec(Priority::kUrgent));
  LeaseOne(aging_queue, "w1");  // ages the LOW job into NORMAL
  EXPECT_TRUE(InZset(keys::Pending(Priority::kNormal), low));
  EXPECT_EQ(Ok(queue_.Cancel(low)).state, JobState::kCancelled);
  EXPECT_EQ(PendingTotal(), 0);
}

}  // namespace
}  // namespace quire

namespace quire {
namespace {

TEST_F(QueueTest, RedisSettingsThatRiskJobsAreReported) {
  auto conn = Ok(pool_.Borrow());
  const std::string policy = Cmd({"CONFIG", "GET", "maxmemory-policy"}).get()->element[1]->str;
  Cmd({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  Cmd({"CONFIG", "SET", "appendonly", "yes"});
  EXPECT_TRUE(Ok(CheckRedisSettings(*conn)).empty());

  Cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  std::vector<std::string> w = Ok(CheckRedisSettings(*conn));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("allkeys-lru"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("noeviction"), std::string::npos) << w[0];

  Cmd({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  Cmd({"CONFIG", "SET", "appendonly", "no"});
  Cmd({"CONFIG", "SET", "save", ""});
  w = Ok(CheckRedisSettings(*conn));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("appendonly"), std::string::npos) << w[0];
  Cmd({"CONFIG", "SET", "maxmemory-policy", policy});
}

}  // namespace
}  // namespace quire

namespace quire {
namespace {

TEST_F(QueueTest, AJobThatLosesItsLeaseTooOftenFailsInsteadOfLoopingForever) {
  QueueOptions o = ShortLease();
  o.max_lost_leases = 2;
  JobQueue q(&pool_, o);
  JobSpec spec = Spec();
  spec.template_version = 0;  // not pinned to a stored template
  const std::string id = Submit(spec);
  LeaseOne(q, "w1");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(LeaseOne(q, "w2").id, id) << "queued again after the first lost lease";
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(Ok(q.Lease("w3", 1)).empty());
  const JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "ABORTED");
  EXPECT_NE(rec.error_message.find("2 times"), std::string::npos) << rec.error_message;
  EXPECT_EQ(rec.attempt_errors.size(), 2u);
  // Requeued, it gets its chances again.
  Ok(q.Requeue(id));
  EXPECT_EQ(LeaseOne(q, "w4").id, id);
}

}  // namespace
}  // namespace quire

// ---------------------------------------------------------------------------
// run_at: one-off delays.

namespace quire {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(QueueTest, AJobWithAFutureRunAtWaitsScheduledThenQueues) {
  JobSpec spec = Spec(Priority::kHigh);
  const int64_t run_at = NowMs() + 300;
  spec.run_at_ms = run_at;
  const std::string later = Submit(spec);
  spec.run_at_ms = NowMs() - 1000;  // in the past: at once
  const std::string now = Submit(spec);
  JobRecord rec = Ok(inspector_.Get(later));
  EXPECT_EQ(rec.state, JobState::kScheduled);
  EXPECT_EQ(rec.spec.run_at_ms, run_at);
  EXPECT_TRUE(InZset(keys::Delayed(), later));
  EXPECT_EQ(Ok(inspector_.Metrics()).by_state[JobState::kScheduled], 1);

  EXPECT_EQ(LeaseOne(queue_, "w1").id, now);
  EXPECT_TRUE(Ok(queue_.Lease("w1", 1)).empty()) << "ran before its time";
  std::this_thread::sleep_for(350ms);
  LeasedJob job = LeaseOne(queue_, "w1");
  EXPECT_EQ(job.id, later);
  EXPECT_EQ(job.attempt, 1);
  EXPECT_FALSE(InZset(keys::Delayed(), later));
}

TEST_F(QueueTest, CancelEndsAScheduledJob) {
  JobSpec spec = Spec();
  spec.run_at_ms = NowMs() + 200;
  const std::string id = Submit(spec);
  EXPECT_EQ(Ok(queue_.Cancel(id)).state, JobState::kCancelled);
  EXPECT_FALSE(InZset(keys::Delayed(), id));
  std::this_thread::sleep_for(250ms);
  EXPECT_TRUE(Ok(queue_.Lease("w1", 1)).empty());
}

}  // namespace
}  // namespace quire
