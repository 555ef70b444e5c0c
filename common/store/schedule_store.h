// ScheduleStore: recurring-job schedules in Redis — one hash per schedule,
// a zset of all ids and a zset of the active ones by next run — and the
// scripts that change them (lua_scripts.cc). What a run submits is an
// opaque blob here (the gateway keeps a serialized SubmitJobRequest); when
// the next run is, the caller computes (cron.h).
//
// Exactly once: a scheduler submits a due run with an idempotency key made
// of the schedule id and the run's time, then Advance()s the schedule only
// if its next run is still the one it submitted. Two schedulers that see
// the same run both submit it, get the same job, and one of them advances.
//
// Thread-safe: connections come from a shared RedisPool.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/redis_client.h"

namespace quire {

struct ScheduleRecord {
  std::string id;
  std::string cron;
  std::string time_zone;
  std::string job;  // what each run submits (opaque)
  bool paused = false;
  int64_t next_ms = -1;  // -1: no run to come
  int64_t last_ms = 0;   // the last run submitted; 0 for none yet
  std::string last_job_id;
  std::string last_error;
  int64_t runs = 0;
  int64_t created_ms = 0;
};

class ScheduleStore {
 public:
  explicit ScheduleStore(RedisPool* pool) : pool_(pool) {}

  // Redis' clock, in ms: the one time every scheduler agrees on.
  StatusOr<int64_t> Now();

  // ALREADY_EXISTS for a taken id.
  Status Create(const ScheduleRecord& record);
  // NOT_FOUND for an unknown id.
  StatusOr<ScheduleRecord> Get(const std::string& id);
  // Every schedule, by id.
  StatusOr<std::vector<ScheduleRecord>> List();
  // NOT_FOUND for an unknown id.
  Status Pause(const std::string& id);
  // Active again, next run at `next_ms`. NOT_FOUND for an unknown id.
  Status Resume(const std::string& id, int64_t next_ms);
  // NOT_FOUND for an unknown id.
  Status Delete(const std::string& id);

  // Ids of active schedules whose next run is at or before `now_ms`.
  StatusOr<std::vector<std::string>> Due(int64_t now_ms, int max);
  // Moves a schedule from its run `expected_ms` to `next_ms` (-1: none),
  // recording the run's job, or the error that kept it from being
  // submitted. False (and nothing written) when the schedule is gone,
  // paused, or already past that run.
  StatusOr<bool> Advance(const std::string& id, int64_t expected_ms, int64_t next_ms,
                         const std::string& job_id, const std::string& error);

 private:
  RedisPool* const pool_;
};

// The idempotency key of one run: "schedule:<id>:<run ms>".
std::string ScheduleRunKey(const std::string& id, int64_t run_ms);

}  // namespace quire
