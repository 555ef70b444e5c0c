// PostgresDatabase: the PostgreSQL database Quire keeps its own tables in
// (history.dsn), reached through a small pool of connections, and the one
// way the stores on it (history_store.h, archived_templates.h) run their
// work: Run() borrows a connection and turns libpqxx's exceptions into a
// Status. A lost connection, or a server shutting down, is UNAVAILABLE and
// the connection is dropped, so the next call opens a new one and the store
// survives a PostgreSQL restart; an SQL error is INTERNAL with PostgreSQL's
// message. Every message starts with the store's label ("job history: ").
//
// Not responsible for the schema (HistoryMigrations()) or for retrying.
// Thread-safe. Never logs or returns the DSN.
#pragma once

#include <exception>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <utility>

#include "common/base/status.h"
#include "common/store/postgres_pool.h"

namespace quire {

class PostgresDatabase {
 public:
  // `name` names the pool's connections in its messages ("postgres
  // connection 'history'"); `label` starts every message ("job history").
  PostgresDatabase(std::string name, std::string label, std::string dsn, int pool_size);

  // Runs `body(pqxx::connection&)` on a borrowed connection (waiting up to
  // 5 s for one) and returns what it returns: a Status or StatusOr. `what`
  // says what the work is ("reading a job") in error messages.
  template <typename Fn>
  auto Run(std::string_view what, Fn body) -> decltype(body(std::declval<pqxx::connection&>())) {
    // A connection that sat idle in the pool may have died with a server
    // restart: work that finds it so is tried once more on a new one (the
    // pool drops the other idle ones too). Nothing was committed on a
    // connection lost before its commit, so this never applies work twice.
    for (int attempt = 0;; ++attempt) {
      StatusOr<PostgresPool::Lease> lease = Borrow();
      if (!lease.ok()) return lease.status();
      try {
        return body(lease->connection());
      } catch (const std::exception&) {
        bool lost = false;
        Status s = Failure(*lease, what, &lost);
        if (!(lost && lease->reused() && attempt == 0)) return s;
      }
    }
  }

  const std::string& label() const { return label_; }

 private:
  StatusOr<PostgresPool::Lease> Borrow();
  // The Status of the exception being handled; called from a catch block.
  // `lost` is set when the connection was lost before any commit.
  Status Failure(PostgresPool::Lease& lease, std::string_view what, bool* lost) const;

  // Constant after construction.
  const std::string name_;
  const std::string label_;

  PostgresPool pool_;
};

}  // namespace quire
