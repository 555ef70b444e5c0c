// Clock: where the time that decides leases, retries, aging and run-at times
// comes from, so that tests advance time instead of sleeping (asynq's
// timeutil.Clock is the model).
//
// In production no Clock is given to the queue: its Lua scripts read Redis'
// own TIME, the one clock every worker and gateway agrees on however skewed
// their machines are. A test hands the queue a SimulatedClock; the scripts
// then take their "now" from it (lua_script.h).
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace quire {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the epoch.
  virtual int64_t NowMillis() const = 0;
};

// The machine's wall clock (std::chrono::system_clock).
const Clock& SystemClock();

// A clock that moves only when told to.
class SimulatedClock : public Clock {
 public:
  explicit SimulatedClock(int64_t start_ms) : now_ms_(start_ms) {}
  int64_t NowMillis() const override { return now_ms_.load(); }
  void Set(int64_t ms) { now_ms_.store(ms); }
  void Advance(std::chrono::milliseconds d) { now_ms_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace quire
