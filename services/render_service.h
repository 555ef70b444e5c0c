// RenderServiceImpl: RenderChart — one chart over request data, drawn by a
// small pool of render threads so that drawing never runs on gRPC's
// callback threads. A full queue answers RESOURCE_EXHAUSTED at once.
#pragma once

#include "common/base/status.h"
#include "quire/v1/render.grpc.pb.h"
#include "services/rpc_executor.h"

namespace quire {

struct RenderServiceOptions {
  int threads = 2;      // render threads
  int max_queued = 64;  // calls waiting for a thread
};

// Draws `req` into `resp` (image, content type, size, findings). The whole
// of RenderChart but the threading; INVALID_ARGUMENT for bad input.
Status RenderChartRequest(const v1::RenderChartRequest& req, v1::RenderChartResponse* resp);

class RenderServiceImpl final : public v1::RenderService::CallbackService {
 public:
  explicit RenderServiceImpl(const RenderServiceOptions& options);

  grpc::ServerUnaryReactor* RenderChart(grpc::CallbackServerContext* ctx,
                                        const v1::RenderChartRequest* req,
                                        v1::RenderChartResponse* resp) override;

 private:
  RpcExecutor pool_;  // destroyed first: finishes queued calls with UNAVAILABLE
};

}  // namespace quire
