// RpcExecutor: a few threads where rpcs do what gRPC's callback threads
// must not do (wait on Redis or PostgreSQL, fetch a data source, draw a
// chart). A callback handler hands that part over and returns at once; the
// part ends the call, or starts the stream's next write, when it is done.
//
// New calls wait in a bounded queue: one that finds it full is refused at
// once, and the handler answers RESOURCE_EXHAUSTED with `busy_message`.
// The next step of a stream already running (an artifact's next chunk, a
// watch's read of its job) is never refused: refusing it would break the
// stream midway, and each stream has at most one step queued.
//
// Not responsible for the calls' lifetimes. A task must not touch its call
// after finishing it or starting a write (the reactor may be deleted at
// once); and the gRPC server must be shut down before its executors are
// destroyed: Server::Shutdown waits for every call, so for every task that
// still has one to finish.
#pragma once

#include <grpcpp/grpcpp.h>

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/base/mutex.h"
#include "common/base/thread_annotations.h"

namespace quire {

struct RpcExecutorOptions {
  int threads = 2;      // at least 1
  int max_queued = 64;  // new calls that may wait, every thread being busy
  // The RESOURCE_EXHAUSTED message of a call refused by a full queue; say
  // what to do about it.
  std::string busy_message = "the gateway is busy; retry shortly";
};

class RpcExecutor {
 public:
  // Runs on a pool thread with run=true, or with run=false when the
  // executor is shutting down: the task then ends its call with
  // ShuttingDown() and does nothing else.
  using Task = std::function<void(bool run)>;

  explicit RpcExecutor(RpcExecutorOptions options);
  // Runs the waiting tasks with run=false and joins the threads.
  ~RpcExecutor();
  RpcExecutor(const RpcExecutor&) = delete;
  RpcExecutor& operator=(const RpcExecutor&) = delete;

  // Queues a new call's task. False, without queueing, when the executor
  // is stopping or holds threads + max_queued new calls already (running
  // or waiting), i.e. when max_queued would wait with every thread busy.
  [[nodiscard]] bool TrySubmit(Task task);
  // Queues the next step of a running stream, however many wait; when the
  // executor is stopping, runs it at once on this thread with run=false.
  void Submit(Task task);

  // Answers a unary rpc from a pool thread: returns ctx's reactor at once;
  // `body` fills the response there, and its status finishes the call. A
  // full queue finishes it at once with Busy(); a call the client cancelled
  // while it waited ends CANCELLED without running `body`; shutdown ends
  // the waiting ones with ShuttingDown().
  grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* ctx,
                                   std::function<grpc::Status()> body);

  // RESOURCE_EXHAUSTED with the busy message.
  grpc::Status Busy() const;

 private:
  struct Queued {
    Task task;
    bool counted;  // a new call's, so within max_calls_
  };

  bool Enqueue(Task task, bool counted);
  void Loop();

  // Constant after construction.
  const RpcExecutorOptions options_;
  const int max_calls_;  // threads + max_queued

  Mutex mu_;
  CondVar work_;  // signalled when a task is queued or stopping_ is set
  std::deque<Queued> queue_ GUARDED_BY(mu_);
  // New calls' tasks queued or running: counting the running ones too, a
  // call is admitted whether or not a thread has woken up yet.
  int calls_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// UNAVAILABLE: the gateway is shutting down (clients retry elsewhere).
grpc::Status ShuttingDown();

}  // namespace quire
