#include "common/base/background_loop.h"

namespace quire {

void BackgroundLoop::Start(std::function<void()> body) { thread_ = std::thread(std::move(body)); }

void BackgroundLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundLoop::stopping() {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

void BackgroundLoop::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, d, [this] { return stop_; });
}

}  // namespace quire
