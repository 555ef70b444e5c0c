// PostgresDatabase: borrowing connections and mapping libpqxx's exceptions.
#include "common/store/postgres_database.h"

#include <chrono>
#include <pqxx/pqxx>

namespace quire {

PostgresDatabase::PostgresDatabase(std::string name, std::string label, std::string dsn,
                                   int pool_size)
    : name_(name),
      label_(std::move(label)),
      pool_({{std::move(name), std::move(dsn)}}, pool_size) {}

StatusOr<PostgresPool::Lease> PostgresDatabase::Borrow() {
  auto lease = pool_.Borrow(name_, std::chrono::seconds(5));
  if (!lease.ok()) {
    // The pool names the connection "postgres connection '<name>'".
    return Status(lease.status().code(), label_ + ": " + lease.status().message());
  }
  return lease;
}

Status PostgresDatabase::Failure(PostgresPool::Lease& lease, std::string_view what,
                                 bool* lost) const {
  const std::string prefix = label_ + ": " + std::string(what) + ": ";
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    lease.MarkBroken();
    *lost = true;
    return Status::Unavailable(prefix + "connection lost: " + PostgresFirstLine(e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    lease.MarkBroken();
    return Status::Unavailable(prefix +
                               "connection lost during commit: " + PostgresFirstLine(e.what()));
  } catch (const pqxx::sql_error& e) {
    // A statement cut off by a server shutdown is a lost connection too.
    const std::string state = e.sqlstate();
    if (state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0) {
      lease.MarkBroken();
      *lost = true;
      return Status::Unavailable(prefix + PostgresFirstLine(e.what()));
    }
    return Status::Internal(prefix + PostgresFirstLine(e.what()));
  } catch (const std::exception& e) {
    lease.MarkBroken();
    return Status::Unavailable(prefix + PostgresFirstLine(e.what()));
  }
}

}  // namespace quire
