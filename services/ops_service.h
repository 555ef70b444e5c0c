// OpsServiceImpl: the metrics snapshot rpc (and the same figures in the
// Prometheus text format for the gateway's /metrics endpoint), and sending
// dead-letter jobs back to their queue. Both read or write Redis, on the
// gateway's store executor.
#pragma once

#include <string>

#include "common/queue/job_queue.h"
#include "common/queue/queue_inspector.h"
#include "quire/v1/ops.grpc.pb.h"
#include "services/rpc_executor.h"

namespace quire {

class OpsServiceImpl final : public v1::OpsService::CallbackService {
 public:
  OpsServiceImpl(QueueInspector* inspector, JobQueue* queue, RpcExecutor* store_calls)
      : inspector_(inspector), queue_(queue), store_calls_(store_calls) {}

  grpc::ServerUnaryReactor* GetMetrics(grpc::CallbackServerContext* ctx,
                                       const v1::GetMetricsRequest* req,
                                       v1::Metrics* resp) override;
  grpc::ServerUnaryReactor* RequeueJob(grpc::CallbackServerContext* ctx,
                                       const v1::RequeueJobRequest* req,
                                       v1::RequeueJobResponse* resp) override;

 private:
  QueueInspector* const inspector_;
  JobQueue* const queue_;
  RpcExecutor* const store_calls_;
};

void ToProto(const QueueMetrics& m, v1::Metrics* out);
// The Prometheus exposition text of a snapshot; `watchers` is the number of
// open WatchJob streams on this gateway.
std::string PrometheusText(const QueueMetrics& m, int watchers);

}  // namespace quire
