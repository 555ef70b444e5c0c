// The queue's options as the config file sets them: `redis.*` for the
// connection and `queue.*` for leases, retention, idempotency and aging.
// Kept here, not in Config, so that reading config does not depend on the
// queue.
#pragma once

#include "common/base/config.h"
#include "common/queue/job_queue.h"
#include "common/queue/redis_client.h"

namespace quire {

RedisOptions RedisOptionsFromConfig(const Config& config);
QueueOptions QueueOptionsFromConfig(const Config& config);

}  // namespace quire
