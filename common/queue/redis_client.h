// RedisConnection: one blocking hiredis connection with timeouts, typed
// replies and pipelining. RedisPool: a small pool of them shared by threads.
//
// Not responsible for: what the keys mean (redis_keys.h) or for any state
// change (job_queue.h). A connection is used by one thread at a time; the
// pool hands them out.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/mutex.h"
#include "common/base/status.h"

namespace quire {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Sent with AUTH when not empty.
  std::string password;
  // Connect and per-command timeout.
  std::chrono::milliseconds timeout{2000};
};

// A reply, owned. Null when the command failed at the connection level.
class RedisReply {
 public:
  RedisReply() = default;
  explicit RedisReply(redisReply* r) : reply_(r, &freeReplyObject) {}

  const redisReply* get() const { return reply_.get(); }
  bool IsNil() const { return reply_ && reply_->type == REDIS_REPLY_NIL; }
  bool IsError() const { return reply_ && reply_->type == REDIS_REPLY_ERROR; }
  bool IsArray() const { return reply_ && reply_->type == REDIS_REPLY_ARRAY; }
  long long Integer() const { return reply_ ? reply_->integer : 0; }
  std::string String() const {
    return reply_ && reply_->str ? std::string(reply_->str, reply_->len) : std::string();
  }
  size_t Size() const { return IsArray() ? reply_->elements : 0; }
  const redisReply* Element(size_t i) const { return reply_->element[i]; }

 private:
  std::shared_ptr<redisReply> reply_;
};

// Text of an element reply; "" for nil.
std::string ElementString(const redisReply* r);
// Integer of an element reply, parsing strings; 0 for nil.
long long ElementInteger(const redisReply* r);
// An HGETALL reply as field -> value; empty for anything else.
std::map<std::string, std::string> FieldMap(const redisReply* r);
// One field of such a map as text; "" when absent.
std::string FieldText(const std::map<std::string, std::string>& fields, const std::string& name);
// One field as a whole number; `otherwise` when absent or empty.
int64_t FieldInt(const std::map<std::string, std::string>& fields, const std::string& name,
                 int64_t otherwise = 0);

class RedisConnection {
 public:
  static StatusOr<std::unique_ptr<RedisConnection>> Connect(const RedisOptions& options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. UNAVAILABLE when the connection broke (it is then
  // unusable: `broken()` is true); INTERNAL carrying Redis' text for an
  // error reply.
  StatusOr<RedisReply> Command(const std::vector<std::string>& argv);

  // Queues a command for Flush(); no I/O happens here.
  void Append(const std::vector<std::string>& argv);
  // Sends every appended command and reads all replies, in order. Error
  // replies are returned as replies (check IsError()), not as a Status.
  StatusOr<std::vector<RedisReply>> Flush();

  // Runs a Lua script by its SHA1, loading it first if Redis does not know it.
  StatusOr<RedisReply> Eval(const std::string& script, const std::string& sha1,
                            const std::vector<std::string>& keys,
                            const std::vector<std::string>& args);

  // Changes the read timeout, e.g. for blocking commands.
  void SetTimeout(std::chrono::milliseconds timeout);
  bool broken() const { return broken_; }
  // True when the server closed the connection (or sent something unasked)
  // while it sat idle. Never blocks.
  bool PeerClosed();
  redisContext* context() { return ctx_; }

 private:
  explicit RedisConnection(redisContext* ctx) : ctx_(ctx) {}
  StatusOr<RedisReply> Check(redisReply* r);

  redisContext* ctx_;
  bool broken_ = false;
  size_t pending_ = 0;
};

// A pool of connections. Borrow() gives one back on destruction; broken
// connections are dropped and replaced on the next Borrow().
class RedisPool {
 public:
  explicit RedisPool(RedisOptions options, size_t max_idle = 16);

  class Lease {
   public:
    Lease(RedisPool* pool, std::unique_ptr<RedisConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Return(std::move(conn_));
    }
    RedisConnection* operator->() { return conn_.get(); }
    RedisConnection& operator*() { return *conn_; }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> conn_;
  };

  // UNAVAILABLE when Redis cannot be reached.
  StatusOr<Lease> Borrow();
  const RedisOptions& options() const { return options_; }

 private:
  void Return(std::unique_ptr<RedisConnection> conn);

  const RedisOptions options_;
  const size_t max_idle_;
  Mutex mu_;
  std::vector<std::unique_ptr<RedisConnection>> idle_ GUARDED_BY(mu_);
};

// What in this Redis server's settings puts Quire's promises at risk: a
// maxmemory-policy other than noeviction (job records could be evicted)
// and persistence that is off (a restart would lose every queued job).
// Empty when all is well or when CONFIG is not allowed (managed Redis);
// UNAVAILABLE when Redis cannot be reached.
StatusOr<std::vector<std::string>> CheckRedisSettings(RedisConnection& conn);
// Logs CheckRedisSettings' warnings (at start-up of the gateway and the
// worker); a Redis that cannot be reached yet is logged and not an error.
void WarnAboutRedisSettings(RedisPool& pool);

// SHA1 of a script, as Redis computes it for EVALSHA.
std::string ScriptSha1(std::string_view text);
// SHA-256 of `text` in lower-case hex (cache keys).
std::string Sha256Hex(std::string_view text);

}  // namespace quire
