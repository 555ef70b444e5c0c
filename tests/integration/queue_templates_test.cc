// The TemplateStore beside the queue: every version kept, and a template
// that queued or running jobs are pinned to cannot be deleted until each of
// them ends, however it ends.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, TemplateStoreKeepsEveryVersion) {
  EXPECT_EQ(Ok(templates_.Put("sales", "Sales v1", "title: one\n")), 1);
  EXPECT_EQ(Ok(templates_.Put("sales", "Sales v2", "title: two\n")), 2);

  StoredTemplate latest = Ok(templates_.Get("sales", 0));
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.latest_version, 2);
  EXPECT_EQ(latest.yaml, "title: two\n");
  EXPECT_EQ(latest.title, "Sales v2");
  EXPECT_GT(latest.created_ms, 0);

  StoredTemplate old = Ok(templates_.Get("sales", 1));
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
    auto r = templates_.Get(m.id, m.version);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  }

  EXPECT_EQ(Ok(templates_.Put("zeta", "Z", "z: 1\n")), 1);
  EXPECT_EQ(Ok(templates_.Put("alpha", "A", "a: 1\n")), 1);
  auto all = Ok(templates_.List());
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

// A template cannot be deleted while queued or running jobs are pinned to
// one of its versions; every way a job ends releases it.
TEST_F(QueueTest, TemplateDeleteIsRefusedWhileLiveJobsUseIt) {
  Ok(templates_.Put("sales", "Sales", "title: one\n"));
  EXPECT_EQ(templates_.Delete("nope").code(), StatusCode::kNotFound);

  // Three live jobs: one will complete, one fail, one be cancelled queued.
  std::string a = Ok(queue_.Submit(Spec())).job_id;
  std::string b = Ok(queue_.Submit(Spec())).job_id;
  std::string c = Ok(queue_.Submit(Spec())).job_id;
  // Inline templates (version 0) never pin a stored template.
  JobSpec inline_spec = Spec();
  inline_spec.template_version = 0;
  Ok(queue_.Submit(inline_spec));

  Status refused = templates_.Delete("sales");
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("3 queued or running"), std::string::npos) << refused.message();

  auto leased = Ok(queue_.Lease("w-1", 2));
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(Ok(queue_.Complete(leased[0], {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Fail(leased[1], Status::Internal("boom"))), LeaseState::kHeld);
  EXPECT_EQ(templates_.Delete("sales").code(), StatusCode::kFailedPrecondition);  // c still queued
  EXPECT_EQ(Ok(queue_.Cancel(c)).state, JobState::kCancelled);
  (void)a;
  (void)b;

  EXPECT_TRUE(templates_.Delete("sales").ok());
  EXPECT_EQ(templates_.Get("sales", 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Ok(templates_.List()).size(), 0u);
  EXPECT_EQ(templates_.Delete("sales").code(), StatusCode::kNotFound);
}

// A job whose expired lease is reclaimed as CANCELLED releases its template.
TEST_F(QueueTest, ReclaimedCancelledJobReleasesItsTemplate) {
  Ok(templates_.Put("sales", "Sales", "title: one\n"));
  std::string id = Ok(short_queue_.Submit(Spec())).job_id;
  ASSERT_EQ(Ok(short_queue_.Lease("w-1", 1)).size(), 1u);
  EXPECT_EQ(Ok(short_queue_.Cancel(id)).state, JobState::kRunning);
  EXPECT_EQ(templates_.Delete("sales").code(), StatusCode::kFailedPrecondition);
  clock_.Advance(ShortLease().lease_duration * 2);
  Ok(short_queue_.Lease("w-2", 1));  // reclaims: ends the job CANCELLED
  EXPECT_EQ(Ok(inspector_.Get(id)).state, JobState::kCancelled);
  EXPECT_TRUE(templates_.Delete("sales").ok());
}

}  // namespace
}  // namespace quire::testing
