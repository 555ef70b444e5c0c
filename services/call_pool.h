// CallPool: a few threads that run the slow part of unary calls (drawing a
// chart, fetching a template's data sources) so that gRPC's callback
// threads never block, behind a bounded queue: a call that finds it full is
// refused at once (the caller answers RESOURCE_EXHAUSTED).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace quire {

class CallPool {
 public:
  // `threads` at least 1; `max_queued` calls may wait for a thread.
  CallPool(int threads, int max_queued);
  // Runs the waiting calls with run=false (they finish with UNAVAILABLE)
  // and joins the threads.
  ~CallPool();
  CallPool(const CallPool&) = delete;
  CallPool& operator=(const CallPool&) = delete;

  // Queues `call`; it runs on a pool thread with run=true, or with
  // run=false when the pool is shutting down. False, without queueing,
  // when the queue is full or the pool is stopping.
  bool Submit(std::function<void(bool run)> call);

 private:
  void Loop();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void(bool run)>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                            // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace quire
