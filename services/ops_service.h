// OpsServiceImpl: the metrics snapshot rpc, and the same figures in the
// Prometheus text format for the gateway's /metrics endpoint.
#pragma once

#include <string>

#include "common/queue_inspector.h"
#include "quire/v1/ops.grpc.pb.h"

namespace quire {

class OpsServiceImpl final : public v1::OpsService::CallbackService {
 public:
  explicit OpsServiceImpl(QueueInspector* inspector) : inspector_(inspector) {}

  grpc::ServerUnaryReactor* GetMetrics(grpc::CallbackServerContext* ctx,
                                       const v1::GetMetricsRequest* req,
                                       v1::Metrics* resp) override;

 private:
  QueueInspector* const inspector_;
};

void ToProto(const QueueMetrics& m, v1::Metrics* out);
// The Prometheus exposition text of a snapshot; `watchers` is the number of
// open WatchJob streams on this gateway.
std::string PrometheusText(const QueueMetrics& m, int watchers);

}  // namespace quire
