#include "services/rpc_executor.h"

#include <algorithm>

namespace quire {

grpc::Status ShuttingDown() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the gateway is shutting down");
}

RpcExecutor::RpcExecutor(RpcExecutorOptions options)
    : options_(std::move(options)),
      max_calls_(std::max(1, options_.threads) + std::max(0, options_.max_queued)) {
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
}

RpcExecutor::~RpcExecutor() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  work_.SignalAll();
  for (std::thread& t : threads_) t.join();
}

bool RpcExecutor::TrySubmit(Task task) { return Enqueue(std::move(task), true); }

void RpcExecutor::Submit(Task task) {
  // A refused step still has its call to end: it does so here.
  if (!Enqueue(task, false)) task(false);
}

bool RpcExecutor::Enqueue(Task task, bool counted) {
  {
    MutexLock lock(&mu_);
    if (stopping_) return false;
    if (counted) {
      if (calls_ >= max_calls_) return false;
      ++calls_;
    }
    queue_.push_back({std::move(task), counted});
  }
  work_.Signal();
  return true;
}

void RpcExecutor::Loop() {
  for (;;) {
    Queued next;
    bool run = true;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && queue_.empty()) work_.Wait(&mu_);
      if (queue_.empty()) return;  // stopping, nothing left
      next = std::move(queue_.front());
      queue_.pop_front();
      run = !stopping_;
    }
    next.task(run);
    if (next.counted) {
      MutexLock lock(&mu_);
      --calls_;
    }
  }
}

grpc::ServerUnaryReactor* RpcExecutor::Answer(grpc::CallbackServerContext* ctx,
                                              std::function<grpc::Status()> body) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const bool queued = TrySubmit([ctx, reactor, body = std::move(body)](bool run) {
    if (!run) {
      reactor->Finish(ShuttingDown());
    } else if (ctx->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
    } else {
      reactor->Finish(body());
    }
  });
  if (!queued) reactor->Finish(Busy());
  return reactor;
}

grpc::Status RpcExecutor::Busy() const {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, options_.busy_message);
}

}  // namespace quire
