// PostgresPool: the named PostgreSQL connections of one worker (config
// option postgres.connections, "name=DSN;name2=DSN"), at most pool_size open
// connections per name, shared by the worker's concurrent jobs.
//
// Thread-safe. A borrower waits up to its fetch timeout for a free
// connection. A connection its borrower marks broken is closed instead of
// returned, and the idle ones of the same name go with it (a broken
// connection usually means the server restarted), so the next borrow opens
// fresh ones. Not responsible for running queries (postgres_source) and
// never logs or returns a DSN: it may hold a password.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/mutex.h"
#include "common/base/status.h"

namespace quire {

// Parses "name=DSN;name2=DSN" (blanks around entries ignored, empty entries
// skipped) into DSNs by name. A DSN is a libpq key=value string or a
// postgresql:// URI and cannot contain ';'. INVALID_ARGUMENT for an entry
// without a name, a name other than letters, digits, '_' and '-', an empty
// DSN or a repeated name; the message names the entry by position and name,
// never quoting a DSN.
StatusOr<std::map<std::string, std::string>> ParsePostgresConnections(std::string_view config);

// The first line of a libpq or libpqxx message, without surrounding blanks.
std::string PostgresFirstLine(std::string_view what);

class PostgresPool {
 public:
  // `dsns` by connection name; pool_size < 1 counts as 1.
  PostgresPool(std::map<std::string, std::string> dsns, int pool_size);
  ~PostgresPool();
  PostgresPool(const PostgresPool&) = delete;
  PostgresPool& operator=(const PostgresPool&) = delete;

  // One borrowed connection, returned to the pool (or closed, when marked
  // broken) by the destructor. Move-only; used by one thread at a time. The
  // pool must outlive its leases.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) = delete;
    ~Lease();

    pqxx::connection& connection() { return *conn_; }
    // True when the connection was idle in the pool before (it may have gone
    // stale since); false when it was opened for this borrow.
    bool reused() const { return reused_; }
    // The connection failed: close it instead of returning it.
    void MarkBroken() { broken_ = true; }

   private:
    friend class PostgresPool;
    Lease(PostgresPool* pool, std::string name, std::unique_ptr<pqxx::connection> conn,
          bool reused);

    PostgresPool* pool_;
    std::string name_;
    std::unique_ptr<pqxx::connection> conn_;
    bool reused_;
    bool broken_ = false;
  };

  // A connection of `name`: an idle one, else a new one while fewer than
  // pool_size are open, else the first to come back within `wait`.
  // FAILED_PRECONDITION for an unknown name (naming it and the configured
  // ones); DEADLINE_EXCEEDED when none is free within `wait`; CANCELLED when
  // `cancelled` (may be empty) turns true while waiting; UNAVAILABLE when
  // the server refuses or cannot be reached; FAILED_PRECONDITION when it
  // rejects the login or the database.
  StatusOr<Lease> Borrow(const std::string& name, std::chrono::milliseconds wait,
                         const std::function<bool()>& cancelled = {});

  // The configured connection names, sorted.
  std::vector<std::string> names() const;

 private:
  struct Slot {
    std::vector<std::unique_ptr<pqxx::connection>> idle;  // open, not borrowed
    int open = 0;                                         // idle + borrowed + opening
  };

  // Called by ~Lease.
  void Return(const std::string& name, std::unique_ptr<pqxx::connection> conn, bool broken);
  // Opens a connection outside the lock. UNAVAILABLE / FAILED_PRECONDITION.
  StatusOr<std::unique_ptr<pqxx::connection>> Open(const std::string& name,
                                                   std::chrono::milliseconds wait) const;

  // Constant after construction.
  const std::map<std::string, std::string> dsns_;
  const int pool_size_;

  Mutex mu_;
  CondVar freed_;                                      // a slot or an idle connection came free
  std::map<std::string, Slot> slots_ GUARDED_BY(mu_);  // one per name in dsns_
};

}  // namespace quire
