// Recurring schedules through real gateways, workers and Redis: clear
// errors for bad schedules; next runs computed in the schedule's time zone;
// pause, resume, delete; each run submitted exactly once while three
// gateways run the scheduler; a run whose template is gone recorded as an
// error, not a crash.
#include <absl/time/civil_time.h>
#include <absl/time/time.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "quire/v1/schedules.grpc.pb.h"
#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

v1::CreateScheduleRequest Create(const std::string& id, const std::string& cron,
                                 const std::string& tz, const std::string& template_id) {
  v1::CreateScheduleRequest req;
  req.mutable_schedule()->set_schedule_id(id);
  req.mutable_schedule()->set_cron(cron);
  req.mutable_schedule()->set_time_zone(tz);
  *req.mutable_schedule()->mutable_job() = SubmitRequest(template_id);
  return req;
}

class Schedules {
 public:
  explicit Schedules(TestCluster& c, size_t gw = 0)
      : stub_(v1::ScheduleService::NewStub(c.channel(gw))) {}
  grpc::Status Create(const v1::CreateScheduleRequest& req, v1::Schedule* out) {
    return stub_->CreateSchedule(Deadline().get(), req, out);
  }
  grpc::Status Get(const std::string& id, v1::Schedule* out) {
    v1::GetScheduleRequest req;
    req.set_schedule_id(id);
    return stub_->GetSchedule(Deadline().get(), req, out);
  }
  grpc::Status Pause(const std::string& id, v1::Schedule* out) {
    v1::PauseScheduleRequest req;
    req.set_schedule_id(id);
    return stub_->PauseSchedule(Deadline().get(), req, out);
  }
  grpc::Status Resume(const std::string& id, v1::Schedule* out) {
    v1::ResumeScheduleRequest req;
    req.set_schedule_id(id);
    return stub_->ResumeSchedule(Deadline().get(), req, out);
  }
  grpc::Status Delete(const std::string& id) {
    v1::DeleteScheduleRequest req;
    req.set_schedule_id(id);
    v1::DeleteScheduleResponse resp;
    return stub_->DeleteSchedule(Deadline().get(), req, &resp);
  }
  grpc::Status List(v1::ListSchedulesResponse* out) {
    return stub_->ListSchedules(Deadline().get(), v1::ListSchedulesRequest(), out);
  }

 private:
  std::unique_ptr<v1::ScheduleService::Stub> stub_;
};

// Every job of `template_id`, through ListJobs.
std::vector<v1::Job> JobsOf(TestCluster& c, const std::string& template_id) {
  std::vector<v1::Job> out;
  std::string token;
  do {
    v1::ListJobsRequest req;
    req.set_template_id(template_id);
    req.set_page_size(100);
    req.set_page_token(token);
    v1::ListJobsResponse resp;
    if (!c.jobs().ListJobs(Deadline().get(), req, &resp).ok()) break;
    out.insert(out.end(), resp.jobs().begin(), resp.jobs().end());
    token = resp.next_page_token();
  } while (!token.empty());
  return out;
}

TEST(Schedules, BadSchedulesAreRefusedWithAMessageThatSaysWhy) {
  TestCluster c;
  Schedules s(c);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  v1::Schedule out;

  grpc::Status st = s.Create(Create("monthly", "0 25 1 * *", "UTC", "tiny"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("hour"), std::string::npos) << st.error_message();

  st = s.Create(Create("monthly", "0 6 1 * *", "Europe/Berln", "tiny"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("Europe/Berln"), std::string::npos) << st.error_message();

  st = s.Create(Create("monthly", "0 6 1 * *", "UTC", "no-such-template"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();

  st = s.Create(Create("bad id!", "0 6 1 * *", "UTC", "tiny"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  st = s.Create(Create("never", "0 0 30 2 *", "UTC", "tiny"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("no run"), std::string::npos) << st.error_message();

  v1::CreateScheduleRequest keyed = Create("keyed", "0 6 1 * *", "UTC", "tiny");
  keyed.mutable_schedule()->mutable_job()->set_idempotency_key("mine");
  st = s.Create(keyed, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::CreateScheduleRequest bad_param = Create("param", "0 6 1 * *", "UTC", "tiny");
  auto* p = bad_param.mutable_schedule()->mutable_job()->add_parameters();
  p->set_name("nope");
  p->set_value("1");
  st = s.Create(bad_param, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();

  ASSERT_RPC_OK(s.Create(Create("monthly", "0 6 1 * *", "UTC", "tiny"), &out));
  st = s.Create(Create("monthly", "0 7 1 * *", "UTC", "tiny"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  EXPECT_EQ(s.Get("nope", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.Pause("nope", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.Resume("nope", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.Delete("nope").error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ListSchedulesResponse all;
  ASSERT_RPC_OK(s.List(&all));
  ASSERT_EQ(all.schedules_size(), 1);  // only the good one was stored
}

TEST(Schedules, TheMonthlyBerlinReportRunsOnThe1stAt0600LocalTime) {
  TestCluster c;
  Schedules s(c);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  v1::Schedule created;
  ASSERT_RPC_OK(s.Create(Create("quality", "0 6 1 * *", "Europe/Berlin", "tiny"), &created));

  // The 1st of next month, 06:00 in Berlin, as an instant.
  absl::TimeZone berlin;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  const absl::CivilSecond now_local = absl::ToCivilSecond(absl::Now(), berlin);
  const absl::CivilMonth next_month = absl::CivilMonth(now_local) + 1;
  const absl::Time expected =
      absl::FromCivil(absl::CivilSecond(next_month.year(), next_month.month(), 1, 6, 0, 0), berlin);
  EXPECT_EQ(created.next_run_at().seconds(), absl::ToUnixSeconds(expected))
      << "next run " << created.next_run_at().seconds();
  EXPECT_FALSE(created.paused());
  EXPECT_EQ(created.runs(), 0);
  EXPECT_EQ(created.job().template_id(), "tiny");

  v1::Schedule paused;
  ASSERT_RPC_OK(s.Pause("quality", &paused));
  EXPECT_TRUE(paused.paused());
  EXPECT_FALSE(paused.has_next_run_at());
  v1::Schedule resumed;
  ASSERT_RPC_OK(s.Resume("quality", &resumed));
  EXPECT_FALSE(resumed.paused());
  EXPECT_EQ(resumed.next_run_at().seconds(), absl::ToUnixSeconds(expected));

  ASSERT_RPC_OK(s.Delete("quality"));
  v1::Schedule gone;
  EXPECT_EQ(s.Get("quality", &gone).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(Schedules, EachRunIsSubmittedOnceWhileThreeGatewaysRunTheScheduler) {
  TestCluster::Options o;
  o.gateways = 3;
  o.gateway_sets = {"schedule.tick_ms=20"};
  TestCluster c(o);
  c.StartWorker("w1", 4);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate("every")));
  Schedules s(c, 1);
  v1::Schedule created;
  ASSERT_RPC_OK(s.Create(Create("every-second", "* * * * * *", "", "every"), &created));
  std::this_thread::sleep_for(5500ms);
  v1::Schedule paused;
  ASSERT_RPC_OK(s.Pause("every-second", &paused));
  std::this_thread::sleep_for(200ms);  // a tick that read it before the pause ends
  v1::Schedule final_state;
  ASSERT_RPC_OK(s.Get("every-second", &final_state));

  const std::vector<v1::Job> jobs = JobsOf(c, "every");
  ASSERT_GE(jobs.size(), 4u) << c.LogTails();
  EXPECT_EQ(static_cast<int64_t>(jobs.size()), final_state.runs())
      << "jobs submitted and runs counted differ";
  std::set<int64_t> runs;
  for (const v1::Job& j : jobs) {
    const std::string prefix = "schedule:every-second:";
    ASSERT_EQ(j.idempotency_key().rfind(prefix, 0), 0u) << j.idempotency_key();
    EXPECT_TRUE(runs.insert(std::stoll(j.idempotency_key().substr(prefix.size()))).second)
        << "run submitted twice: " << j.idempotency_key();
    EXPECT_EQ(j.submitter(), "e2e-test");
  }
  // One job per second, none skipped, each at a whole second.
  int64_t prev = -1;
  for (int64_t r : runs) {
    EXPECT_EQ(r % 1000, 0);
    if (prev >= 0) {
      EXPECT_EQ(r - prev, 1000) << "a run was skipped";
    }
    prev = r;
  }
  EXPECT_EQ(Millis(final_state.last_run_at()), *runs.rbegin());
  for (const v1::Job& j : jobs) {
    EXPECT_EQ(c.WaitForTerminal(j.job_id(), 30s).state(), v1::COMPLETED);
  }
  // Paused: no more runs.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(JobsOf(c, "every").size(), jobs.size());
}

TEST(Schedules, ARunWhoseTemplateIsGoneIsRecordedAsAnError) {
  TestCluster::Options o;
  o.gateway_sets = {"schedule.tick_ms=50"};
  TestCluster c(o);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate("doomed")));
  Schedules s(c);
  v1::Schedule created;
  ASSERT_RPC_OK(s.Create(Create("doomed", "* * * * * *", "UTC", "doomed"), &created));
  v1::DeleteTemplateRequest del;
  del.set_template_id("doomed");
  v1::DeleteTemplateResponse deleted;
  ASSERT_RPC_OK(c.templates().DeleteTemplate(Deadline().get(), del, &deleted));

  v1::Schedule after;
  const auto until = Clock::now() + 10s;
  while (Clock::now() < until) {
    ASSERT_RPC_OK(s.Get("doomed", &after));
    if (!after.last_error().empty()) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(after.last_error().find("doomed"), std::string::npos) << after.last_error();
  EXPECT_EQ(after.runs(), 0);
  EXPECT_GT(after.next_run_at().seconds(), created.next_run_at().seconds()) << "not advanced";
  EXPECT_TRUE(JobsOf(c, "doomed").empty());
}

}  // namespace
}  // namespace quire::testing
