#include "common/queue/queue_config.h"

#include <algorithm>
#include <chrono>

namespace quire {

RedisOptions RedisOptionsFromConfig(const Config& config) {
  RedisOptions o;
  o.host = config.Get("redis.host");
  o.port = static_cast<int>(config.GetInt("redis.port"));
  o.password = config.Get("redis.password");
  o.timeout = std::chrono::milliseconds(config.GetInt("redis.timeout_ms"));
  return o;
}

QueueOptions QueueOptionsFromConfig(const Config& config) {
  QueueOptions o;
  o.lease_duration = std::chrono::milliseconds(config.GetInt("queue.lease_ms"));
  o.retention = std::chrono::seconds(config.GetInt("queue.retention_s"));
  o.idempotency_retention = std::chrono::seconds(config.GetInt("queue.idempotency_retention_s"));
  o.aging = std::chrono::milliseconds(std::max<int64_t>(0, config.GetInt("queue.aging_ms")));
  o.max_lost_leases =
      static_cast<int>(std::max<int64_t>(0, config.GetInt("queue.max_lost_leases")));
  return o;
}

}  // namespace quire
