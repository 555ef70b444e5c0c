// BackgroundLoop: one thread that runs a body until Stop(). The body waits
// between rounds with SleepFor(), which Stop() cuts short, and asks
// stopping() whether to end. Used by the gateway's periodic tasks (the
// history writer, the scheduler).
//
// Thread-safe. The destructor stops and joins the thread.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "common/base/mutex.h"

namespace quire {

class BackgroundLoop {
 public:
  BackgroundLoop() = default;
  ~BackgroundLoop() { Stop(); }
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  // Runs `body` on a new thread.
  void Start(std::function<void()> body);
  // Makes stopping() true, wakes SleepFor(), and waits for the body to end.
  // Idempotent.
  void Stop() EXCLUDES(mu_);
  bool stopping() EXCLUDES(mu_);
  // Waits up to `d`, or until Stop().
  void SleepFor(std::chrono::milliseconds d) EXCLUDES(mu_);

 private:
  Mutex mu_;
  CondVar wake_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace quire
