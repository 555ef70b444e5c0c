// RenderServiceImpl: RenderChart — one chart over request data, drawn by a
// small pool of render threads so that drawing never runs on gRPC's
// callback threads. A full queue answers RESOURCE_EXHAUSTED at once.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "quire/v1/render.grpc.pb.h"

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
  // Finishes the queued calls with UNAVAILABLE and joins the threads.
  ~RenderServiceImpl() override;

  grpc::ServerUnaryReactor* RenderChart(grpc::CallbackServerContext* ctx,
                                        const v1::RenderChartRequest* req,
                                        v1::RenderChartResponse* resp) override;

 private:
  void Loop();

  const RenderServiceOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void(bool run)>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                            // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace quire
