#include "common/queue/redis_client.h"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cstdio>

namespace quire {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = ms.count() / 1000;
  tv.tv_usec = (ms.count() % 1000) * 1000;
  return tv;
}

}  // namespace

std::string ElementString(const redisReply* r) {
  if (r == nullptr || r->str == nullptr) return {};
  return std::string(r->str, r->len);
}

long long ElementInteger(const redisReply* r) {
  if (r == nullptr) return 0;
  if (r->type == REDIS_REPLY_INTEGER) return r->integer;
  if (r->str != nullptr) return std::strtoll(r->str, nullptr, 10);
  return 0;
}

std::map<std::string, std::string> FieldMap(const redisReply* r) {
  std::map<std::string, std::string> f;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return f;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    f[ElementString(r->element[i])] = ElementString(r->element[i + 1]);
  }
  return f;
}

std::string FieldText(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

int64_t FieldInt(const std::map<std::string, std::string>& fields, const std::string& name,
                 int64_t otherwise) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second.empty()) return otherwise;
  return std::strtoll(it->second.c_str(), nullptr, 10);
}

StatusOr<std::unique_ptr<RedisConnection>> RedisConnection::Connect(const RedisOptions& options) {
  redisContext* ctx =
      redisConnectWithTimeout(options.host.c_str(), options.port, ToTimeval(options.timeout));
  if (ctx == nullptr) return Status::Unavailable("redis: out of memory creating a connection");
  if (ctx->err) {
    std::string msg = "redis at " + options.host + ":" + std::to_string(options.port) +
                      " is unreachable: " + ctx->errstr;
    redisFree(ctx);
    return Status::Unavailable(msg);
  }
  redisSetTimeout(ctx, ToTimeval(options.timeout));
  redisEnableKeepAlive(ctx);
  std::unique_ptr<RedisConnection> conn(new RedisConnection(ctx));
  if (!options.password.empty()) {
    auto r = conn->Command({"AUTH", options.password});
    if (!r.ok()) return Status::Unavailable("redis AUTH failed: " + r.status().message());
  }
  return conn;
}

RedisConnection::~RedisConnection() { redisFree(ctx_); }

void RedisConnection::SetTimeout(std::chrono::milliseconds timeout) {
  redisSetTimeout(ctx_, ToTimeval(timeout));
}

StatusOr<RedisReply> RedisConnection::Check(redisReply* r) {
  if (r == nullptr) {
    broken_ = true;
    return Status::Unavailable(std::string("redis connection lost: ") +
                               (ctx_->err ? ctx_->errstr : "no reply"));
  }
  RedisReply reply(r);
  if (reply.IsError()) return Status::Internal("redis: " + reply.String());
  return reply;
}

StatusOr<RedisReply> RedisConnection::Command(const std::vector<std::string>& argv) {
  if (broken_) return Status::Unavailable("redis connection is broken");
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), args.data(), lens.data()));
  return Check(r);
}

void RedisConnection::Append(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), args.data(), lens.data());
  ++pending_;
}

StatusOr<std::vector<RedisReply>> RedisConnection::Flush() {
  std::vector<RedisReply> replies;
  replies.reserve(pending_);
  size_t n = pending_;
  pending_ = 0;
  if (broken_) return Status::Unavailable("redis connection is broken");
  for (size_t i = 0; i < n; ++i) {
    void* r = nullptr;
    if (redisGetReply(ctx_, &r) != REDIS_OK || r == nullptr) {
      broken_ = true;
      return Status::Unavailable(std::string("redis connection lost: ") +
                                 (ctx_->err ? ctx_->errstr : "no reply"));
    }
    replies.emplace_back(static_cast<redisReply*>(r));
  }
  return replies;
}

StatusOr<RedisReply> RedisConnection::Eval(const std::string& script, const std::string& sha1,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha1);
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = Command(argv);
  if (!r.ok() && r.status().message().find("NOSCRIPT") != std::string::npos) {
    argv[0] = "EVAL";
    argv[1] = script;
    return Command(argv);
  }
  return r;
}

RedisPool::RedisPool(RedisOptions options, size_t max_idle)
    : options_(std::move(options)), max_idle_(max_idle) {}

bool RedisConnection::PeerClosed() {
  char c;
  ssize_t n = recv(ctx_->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  // 0: orderly close (e.g. Redis restarted); data: a stray reply we cannot
  // match to a command; EAGAIN: alive and idle.
  return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

StatusOr<RedisPool::Lease> RedisPool::Borrow() {
  while (true) {
    std::unique_ptr<RedisConnection> conn;
    {
      MutexLock lock(&mu_);
      if (idle_.empty()) break;
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
    // An idle connection whose server went away is dropped here, so a Redis
    // restart costs no failed call.
    if (!conn->PeerClosed()) return Lease(this, std::move(conn));
  }
  auto conn = RedisConnection::Connect(options_);
  if (!conn.ok()) return conn.status();
  return Lease(this, std::move(conn).value());
}

void RedisPool::Return(std::unique_ptr<RedisConnection> conn) {
  if (conn->broken()) return;
  MutexLock lock(&mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

namespace {

std::string Hex(const unsigned char* digest, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> CheckRedisSettings(RedisConnection& conn) {
  std::vector<std::string> warnings;
  // CONFIG GET name -> [name, value]; an error reply (renamed or forbidden
  // command) means we cannot tell, which is not a reason to complain.
  const auto get = [&](const char* name) -> StatusOr<std::string> {
    auto r = conn.Command({"CONFIG", "GET", name});
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kUnavailable) return r.status();
      return std::string();
    }
    return r->Size() == 2 ? ElementString(r->Element(1)) : std::string();
  };
  auto policy = get("maxmemory-policy");
  if (!policy.ok()) return policy.status();
  if (!policy->empty() && *policy != "noeviction") {
    warnings.push_back("Redis maxmemory-policy is '" + *policy +
                       "': under memory pressure Redis may evict job records and queues; set it "
                       "to noeviction");
  }
  auto aof = get("appendonly");
  if (!aof.ok()) return aof.status();
  auto save = get("save");
  if (!save.ok()) return save.status();
  if (*aof == "no" && save->empty()) {
    warnings.push_back(
        "Redis persistence is off (appendonly no, no save points): a Redis restart "
        "loses every queued job; set appendonly yes, appendfsync everysec");
  }
  return warnings;
}

void WarnAboutRedisSettings(RedisPool& pool) {
  auto conn = pool.Borrow();
  StatusOr<std::vector<std::string>> warnings =
      conn.ok() ? CheckRedisSettings(**conn) : StatusOr<std::vector<std::string>>(conn.status());
  if (!warnings.ok()) {
    spdlog::warn("cannot check Redis settings yet: {}", warnings.status().ToString());
    return;
  }
  for (const std::string& w : *warnings) spdlog::warn("{}", w);
}

std::string ScriptSha1(std::string_view text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Hex(digest, SHA_DIGEST_LENGTH);
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Hex(digest, SHA256_DIGEST_LENGTH);
}

}  // namespace quire
