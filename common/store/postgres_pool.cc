// PostgresPool: parsing of postgres.connections and the per-name pools.
#include "common/store/postgres_pool.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace quire {
namespace {

std::string_view Trim(std::string_view s) {
  const char* kBlanks = " \t\r\n";
  size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kBlanks);
  return s.substr(b, e - b + 1);
}

bool IsValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// `dsn` with libpq's connect_timeout (whole seconds, at least 2) added
// unless it sets one, so that an unreachable host fails within the wait.
std::string WithConnectTimeout(const std::string& dsn, std::chrono::milliseconds wait) {
  if (dsn.find("connect_timeout") != std::string::npos) return dsn;
  long long seconds = std::max<long long>(2, (wait.count() + 999) / 1000);
  std::string option = "connect_timeout=" + std::to_string(seconds);
  bool uri = dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
  if (!uri) return dsn + " " + option;
  return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + option;
}

// A failure to connect: configuration problems (login, database, options)
// fail at once; anything else (refused, unreachable, too many clients,
// shutting down) is worth retrying.
Status ConnectError(const std::string& name, const char* what) {
  std::string cause = PostgresFirstLine(what);
  std::string message = "postgres connection '" + name + "': cannot connect: " + cause;
  for (const char* permanent : {"authentication failed", "does not exist", "no pg_hba.conf entry",
                                "invalid connection option", "invalid URI", "missing \"=\""}) {
    if (cause.find(permanent) != std::string::npos) return Status::FailedPrecondition(message);
  }
  return Status::Unavailable(message);
}

}  // namespace

std::string PostgresFirstLine(std::string_view what) {
  std::string_view s = Trim(what);
  s = s.substr(0, s.find('\n'));
  return std::string(Trim(s));
}

StatusOr<std::map<std::string, std::string>> ParsePostgresConnections(std::string_view config) {
  std::map<std::string, std::string> dsns;
  int position = 0;
  while (!config.empty()) {
    size_t semi = config.find(';');
    std::string_view entry = Trim(config.substr(0, semi));
    config = semi == std::string_view::npos ? std::string_view() : config.substr(semi + 1);
    if (entry.empty()) continue;
    ++position;
    std::string where = "postgres.connections entry " + std::to_string(position);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(where + ": expected name=DSN");
    }
    std::string_view name = Trim(entry.substr(0, eq));
    std::string_view dsn = Trim(entry.substr(eq + 1));
    if (name.empty()) return Status::InvalidArgument(where + ": missing the name before '='");
    if (!IsValidName(name)) {
      return Status::InvalidArgument(where + ": connection name '" + std::string(name) +
                                     "' may only contain letters, digits, '_' and '-'");
    }
    where += " ('" + std::string(name) + "')";
    if (dsn.empty()) return Status::InvalidArgument(where + ": empty DSN");
    if (!dsns.emplace(std::string(name), std::string(dsn)).second) {
      return Status::InvalidArgument(where + ": connection name repeated");
    }
  }
  return dsns;
}

PostgresPool::PostgresPool(std::map<std::string, std::string> dsns, int pool_size)
    : dsns_(std::move(dsns)), pool_size_(std::max(1, pool_size)) {
  for (const auto& [name, dsn] : dsns_) slots_[name];
}

PostgresPool::~PostgresPool() = default;

std::vector<std::string> PostgresPool::names() const {
  std::vector<std::string> names;
  for (const auto& [name, dsn] : dsns_) names.push_back(name);
  return names;
}

StatusOr<PostgresPool::Lease> PostgresPool::Borrow(const std::string& name,
                                                   std::chrono::milliseconds wait,
                                                   const std::function<bool()>& cancelled) {
  if (dsns_.count(name) == 0) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "'" : ", '") + n + "'";
    return Status::FailedPrecondition(
        "unknown postgres connection '" + name +
        "'; configured (postgres.connections): " + (known.empty() ? std::string("none") : known));
  }
  auto deadline = std::chrono::steady_clock::now() + wait;
  {
    MutexLock lock(&mu_);
    Slot& slot = slots_[name];
    while (slot.idle.empty() && slot.open >= pool_size_) {
      if (cancelled && cancelled()) {
        return Status::Cancelled("postgres connection '" + name + "': cancelled while waiting");
      }
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        return Status::DeadlineExceeded("postgres connection '" + name + "': all " +
                                        std::to_string(pool_size_) + " connections busy for " +
                                        std::to_string(wait.count()) + " ms");
      }
      // Short slices when a cancellation must be noticed.
      auto until = cancelled ? std::min(deadline, now + std::chrono::milliseconds(50)) : deadline;
      freed_.WaitUntil(&mu_, until);
    }
    if (!slot.idle.empty()) {
      std::unique_ptr<pqxx::connection> conn = std::move(slot.idle.back());
      slot.idle.pop_back();
      return Lease(this, name, std::move(conn), /*reused=*/true);
    }
    ++slot.open;  // reserve the slot, then connect without the lock
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  StatusOr<std::unique_ptr<pqxx::connection>> conn =
      Open(name, std::max(left, std::chrono::milliseconds(1)));
  if (!conn.ok()) {
    MutexLock lock(&mu_);
    --slots_[name].open;
    freed_.Signal();
    return conn.status();
  }
  return Lease(this, name, std::move(*conn), /*reused=*/false);
}

StatusOr<std::unique_ptr<pqxx::connection>> PostgresPool::Open(
    const std::string& name, std::chrono::milliseconds wait) const {
  try {
    return std::make_unique<pqxx::connection>(WithConnectTimeout(dsns_.at(name), wait));
  } catch (const std::exception& e) {
    return ConnectError(name, e.what());
  }
}

void PostgresPool::Return(const std::string& name, std::unique_ptr<pqxx::connection> conn,
                          bool broken) {
  std::vector<std::unique_ptr<pqxx::connection>> closing;  // closed after unlocking
  {
    MutexLock lock(&mu_);
    Slot& slot = slots_[name];
    if (broken || !conn->is_open()) {
      closing.push_back(std::move(conn));
      for (auto& idle : slot.idle) closing.push_back(std::move(idle));
      slot.open -= static_cast<int>(closing.size());
      slot.idle.clear();
    } else {
      slot.idle.push_back(std::move(conn));
    }
  }
  freed_.SignalAll();
}

PostgresPool::Lease::Lease(PostgresPool* pool, std::string name,
                           std::unique_ptr<pqxx::connection> conn, bool reused)
    : pool_(pool), name_(std::move(name)), conn_(std::move(conn)), reused_(reused) {}

PostgresPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      name_(std::move(other.name_)),
      conn_(std::move(other.conn_)),
      reused_(other.reused_),
      broken_(other.broken_) {}

PostgresPool::Lease::~Lease() {
  if (conn_) pool_->Return(name_, std::move(conn_), broken_);
}

}  // namespace quire
