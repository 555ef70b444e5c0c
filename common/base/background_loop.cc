#include "common/base/background_loop.h"

namespace quire {

void BackgroundLoop::Start(std::function<void()> body) { thread_ = std::thread(std::move(body)); }

void BackgroundLoop::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundLoop::stopping() {
  MutexLock lock(&mu_);
  return stop_;
}

void BackgroundLoop::SleepFor(std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  MutexLock lock(&mu_);
  while (!stop_ && wake_.WaitUntil(&mu_, deadline)) {
  }
}

}  // namespace quire
