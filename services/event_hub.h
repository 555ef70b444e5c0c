// EventHub: the gateway's one Redis pub/sub connection. Watchers subscribe
// to a job's event channel; the hub subscribes in Redis on the first watcher
// of a job and unsubscribes after the last, and fans each message out.
// Any gateway can thus watch any job, whichever worker runs it.
//
// One thread owns the connection (poll() on its socket and a wake-up pipe);
// no watcher holds a thread. After a reconnect every watcher is told to
// resynchronise, since messages published meanwhile are lost.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/base/mutex.h"
#include "common/base/thread_annotations.h"
#include "common/queue/redis_client.h"

namespace quire {

class EventListener {
 public:
  virtual ~EventListener() = default;
  // The subscription is live in Redis: every later event will arrive. Read
  // the current state now. Called again after each reconnect.
  virtual void OnReady() = 0;
  // One event's JSON payload, as published by the queue's scripts.
  virtual void OnEvent(const std::string& payload) = 0;
  // The gateway is shutting down: end the stream with a status the client
  // can retry on (another gateway can stream the same job).
  virtual void OnClosing() {}
};

class EventHub {
 public:
  explicit EventHub(RedisOptions options);
  ~EventHub();

  void Start();
  void Stop();

  // Calls are made on the hub thread and must not block for long. After
  // Unsubscribe returns, the listener is never called again.
  // Tells every listener OnClosing (at gateway shutdown, before the server
  // stops, so streams end with a retryable status instead of being cut).
  void CloseAll();
  void Subscribe(const std::string& job_id, EventListener* listener);
  void Unsubscribe(const std::string& job_id, EventListener* listener);

  // Listeners currently registered (for tests and metrics).
  size_t listener_count();

 private:
  void Run();
  void Wake();
  bool Connect();
  void Dispatch(const redisReply* reply);

  const RedisOptions options_;
  int wake_pipe_[2] = {-1, -1};
  std::thread thread_;

  // Held while calling listeners, which may Unsubscribe from the call.
  RecursiveMutex mu_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::map<std::string, std::set<EventListener*>> listeners_ GUARDED_BY(mu_);
  // Channels whose subscription Redis has confirmed.
  std::set<std::string> confirmed_ GUARDED_BY(mu_);
  // Commands to send on the next wake-up.
  std::vector<std::vector<std::string>> outbox_ GUARDED_BY(mu_);
  // Listeners waiting for their channel's confirmation.
  std::multimap<std::string, EventListener*> waiting_ GUARDED_BY(mu_);

  redisContext* ctx_ = nullptr;  // owned by the hub thread
};

}  // namespace quire
