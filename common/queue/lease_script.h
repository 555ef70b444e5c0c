// LEASE, the script every worker calls to take work: it reclaims expired
// leases, queues the retries and run-at jobs whose time has come, lets
// long-waiting jobs rise a priority level, then leases jobs in priority
// order. Its text, in readable parts, and its KEYS and ARGV are in
// lease_script.cc.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/job_queue.h"
#include "common/queue/lua_script.h"

namespace quire::scripts {

// What one LEASE call does.
struct LeaseRequest {
  std::string worker_id;
  int max_jobs = 1;
  // The options that govern leases: lease_duration, reclaim_batch,
  // retention, aging and max_lost_leases.
  const QueueOptions* options = nullptr;
};
ScriptCall Lease(const LeaseRequest& request);

// The jobs leased. Entries of another shape than LEASE makes are skipped.
std::vector<LeasedJob> ParseLease(const RedisReply& reply);

}  // namespace quire::scripts
