// RpcExecutor: new calls beyond max_queued are refused while a stream's
// next step never is, and every task runs exactly once, on a pool thread:
// with run=false when it was still waiting as the executor stopped.
#include "services/rpc_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace quire {
namespace {

// Holds the executor's only thread until Open().
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

TEST(RpcExecutor, RefusesNewCallsBeyondTheQueueButNeverAStreamsNextStep) {
  Gate gate;
  std::atomic<int> ran{0}, skipped{0};
  auto count = [&](bool run) { (run ? ran : skipped)++; };
  {
    RpcExecutor executor({1, 2, "busy"});
    ASSERT_TRUE(executor.TrySubmit([&](bool) { gate.Wait(); }));
    gate.WaitEntered();  // the thread is taken; the queue is empty
    EXPECT_TRUE(executor.TrySubmit(count));
    EXPECT_TRUE(executor.TrySubmit(count));
    EXPECT_FALSE(executor.TrySubmit(count)) << "a third call waiting with max_queued 2";
    for (int i = 0; i < 5; ++i) executor.Submit(count);  // never refused
    EXPECT_FALSE(executor.TrySubmit(count)) << "steps do not make room for calls";
    EXPECT_EQ(executor.Busy().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(executor.Busy().error_message(), "busy");
    gate.Open();
  }
  EXPECT_EQ(ran + skipped, 7) << "every queued task runs exactly once";
}

TEST(RpcExecutor, TasksStillWaitingWhenItStopsRunWithRunFalse) {
  Gate gate;
  std::atomic<int> ran{0}, skipped{0};
  auto count = [&](bool run) { (run ? ran : skipped)++; };
  auto executor = std::make_unique<RpcExecutor>(RpcExecutorOptions{1, 8, "busy"});
  ASSERT_TRUE(executor->TrySubmit([&](bool) { gate.Wait(); }));
  gate.WaitEntered();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(executor->TrySubmit(count));
  executor->Submit(count);
  // The destructor marks the executor stopping, then joins its thread:
  // released a moment later, the thread finds the waiting tasks stopped.
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gate.Open();
  });
  executor.reset();
  release.join();
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(skipped, 4);
}

TEST(RpcExecutor, RunsTasksOnItsThreadsWithRunTrue) {
  std::atomic<int> ran{0};
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> elsewhere{true};
  {
    RpcExecutor executor({3, 100, "busy"});
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(executor.TrySubmit([&](bool run) {
        if (std::this_thread::get_id() == caller) elsewhere = false;
        if (run) ran++;
      }));
    }
    // Destroyed once they ran: wait for them first.
    while (ran < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ran, 50);
  EXPECT_TRUE(elsewhere);
}

}  // namespace
}  // namespace quire
