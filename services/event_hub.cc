#include "services/event_hub.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>

#include "common/queue/redis_keys.h"

namespace quire {

EventHub::EventHub(RedisOptions options) : options_(std::move(options)) {
  if (pipe2(wake_pipe_, O_NONBLOCK | O_CLOEXEC) != 0) {
    spdlog::critical("event hub: pipe2 failed");
  }
}

EventHub::~EventHub() {
  Stop();
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
}

void EventHub::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventHub::Stop() {
  {
    RecursiveMutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
}

void EventHub::Wake() {
  char c = 1;
  [[maybe_unused]] auto n = write(wake_pipe_[1], &c, 1);
}

size_t EventHub::listener_count() {
  RecursiveMutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [k, v] : listeners_) n += v.size();
  return n;
}

void EventHub::Subscribe(const std::string& job_id, EventListener* listener) {
  std::string channel = keys::EventChannel(job_id);
  bool ready = false;
  {
    RecursiveMutexLock lock(&mu_);
    auto& set = listeners_[channel];
    bool first = set.empty();
    set.insert(listener);
    if (confirmed_.count(channel)) {
      ready = true;
    } else {
      waiting_.emplace(channel, listener);
      if (first) outbox_.push_back({"SUBSCRIBE", channel});
    }
  }
  if (ready) {
    listener->OnReady();
  } else {
    Wake();
  }
}

void EventHub::CloseAll() {
  RecursiveMutexLock lock(&mu_);
  // Copy: each listener unsubscribes itself when its stream ends.
  std::vector<std::pair<std::string, EventListener*>> all;
  for (const auto& [channel, set] : listeners_) {
    for (EventListener* l : set) all.emplace_back(channel, l);
  }
  for (const auto& [channel, l] : all) {
    auto cur = listeners_.find(channel);
    if (cur != listeners_.end() && cur->second.count(l)) l->OnClosing();
  }
}

void EventHub::Unsubscribe(const std::string& job_id, EventListener* listener) {
  std::string channel = keys::EventChannel(job_id);
  RecursiveMutexLock lock(&mu_);
  auto it = listeners_.find(channel);
  if (it == listeners_.end()) return;
  it->second.erase(listener);
  for (auto w = waiting_.lower_bound(channel); w != waiting_.end() && w->first == channel;) {
    w = w->second == listener ? waiting_.erase(w) : std::next(w);
  }
  if (it->second.empty()) {
    listeners_.erase(it);
    confirmed_.erase(channel);
    outbox_.push_back({"UNSUBSCRIBE", channel});
    Wake();
  }
}

bool EventHub::Connect() {
  timeval tv{options_.timeout.count() / 1000, (options_.timeout.count() % 1000) * 1000};
  ctx_ = redisConnectWithTimeout(options_.host.c_str(), options_.port, tv);
  if (ctx_ == nullptr || ctx_->err) {
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
    return false;
  }
  if (!options_.password.empty()) {
    auto* r = static_cast<redisReply*>(redisCommand(ctx_, "AUTH %s", options_.password.c_str()));
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
    if (!ok) {
      redisFree(ctx_);
      ctx_ = nullptr;
      return false;
    }
  }
  // Resubscribe everything; every listener resynchronises on confirmation.
  RecursiveMutexLock lock(&mu_);
  confirmed_.clear();
  waiting_.clear();
  outbox_.clear();
  for (const auto& [channel, set] : listeners_) {
    outbox_.push_back({"SUBSCRIBE", channel});
    for (auto* l : set) waiting_.emplace(channel, l);
  }
  return true;
}

void EventHub::Dispatch(const redisReply* r) {
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
  std::string kind = ElementString(r->element[0]);
  std::string channel = ElementString(r->element[1]);
  RecursiveMutexLock lock(&mu_);
  if (kind == "message") {
    auto it = listeners_.find(channel);
    if (it == listeners_.end()) return;
    std::string payload = ElementString(r->element[2]);
    // Copy: a listener may unsubscribe itself while being called.
    std::vector<EventListener*> targets(it->second.begin(), it->second.end());
    for (auto* l : targets) {
      auto cur = listeners_.find(channel);
      if (cur != listeners_.end() && cur->second.count(l)) l->OnEvent(payload);
    }
  } else if (kind == "subscribe") {
    if (!listeners_.count(channel)) return;  // unsubscribed meanwhile
    confirmed_.insert(channel);
    std::vector<EventListener*> ready;
    for (auto w = waiting_.lower_bound(channel); w != waiting_.end() && w->first == channel;) {
      ready.push_back(w->second);
      w = waiting_.erase(w);
    }
    for (auto* l : ready) {
      auto cur = listeners_.find(channel);
      if (cur != listeners_.end() && cur->second.count(l)) l->OnReady();
    }
  }
}

void EventHub::Run() {
  auto backoff = std::chrono::milliseconds(50);
  while (true) {
    {
      RecursiveMutexLock lock(&mu_);
      if (stopping_) break;
    }
    if (ctx_ == nullptr) {
      if (!Connect()) {
        pollfd pfd{wake_pipe_[0], POLLIN, 0};
        poll(&pfd, 1, static_cast<int>(backoff.count()));
        char buf[64];
        while (read(wake_pipe_[0], buf, sizeof(buf)) > 0) {
        }
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      backoff = std::chrono::milliseconds(50);
      spdlog::info("event hub: connected to redis {}:{}", options_.host, options_.port);
    }
    // Send queued (un)subscriptions.
    {
      RecursiveMutexLock lock(&mu_);
      for (const auto& cmd : outbox_) {
        std::vector<const char*> argv;
        std::vector<size_t> lens;
        for (const auto& a : cmd) {
          argv.push_back(a.data());
          lens.push_back(a.size());
        }
        redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
      }
      outbox_.clear();
    }
    int done = 0;
    while (!done) {
      if (redisBufferWrite(ctx_, &done) != REDIS_OK) break;
    }
    bool failed = ctx_->err != 0;
    if (!failed) {
      pollfd fds[2] = {{ctx_->fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
      poll(fds, 2, 1000);
      if (fds[1].revents & POLLIN) {
        char buf[256];
        while (read(wake_pipe_[0], buf, sizeof(buf)) > 0) {
        }
      }
      if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
        if (redisBufferRead(ctx_) != REDIS_OK) {
          failed = true;
        } else {
          void* reply = nullptr;
          while (redisGetReplyFromReader(ctx_, &reply) == REDIS_OK && reply != nullptr) {
            Dispatch(static_cast<redisReply*>(reply));
            freeReplyObject(reply);
            reply = nullptr;
          }
          failed = ctx_->err != 0;
        }
      }
    }
    if (failed) {
      spdlog::warn("event hub: redis connection lost ({}); reconnecting", ctx_->errstr);
      redisFree(ctx_);
      ctx_ = nullptr;
    }
  }
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
}

}  // namespace quire
