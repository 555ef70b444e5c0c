#include "services/call_pool.h"

#include <algorithm>

namespace quire {

CallPool::CallPool(int threads, int max_queued)
    : max_queued_(static_cast<size_t>(std::max(0, max_queued))) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Loop(); });
}

CallPool::~CallPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool CallPool::Submit(std::function<void(bool run)> call) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(call));
  }
  cv_.notify_one();
  return true;
}

void CallPool::Loop() {
  for (;;) {
    std::function<void(bool)> call;
    bool run = true;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      call = std::move(queue_.front());
      queue_.pop_front();
      run = !stopping_;
    }
    call(run);
  }
}

}  // namespace quire
