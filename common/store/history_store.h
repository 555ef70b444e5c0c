// HistoryStore: the jobs' history in PostgreSQL (config option
// history.dsn). It owns the schema, applied by Quire itself as numbered
// migrations; writes copies of job records (the history writer,
// history_writer.h, feeds it from Redis); and reads them back, so that
// GetJob and ListJobs still answer once a job has left Redis.
//
// Tables (docs/operations.md has the columns):
//   quire_schema_migrations  one row per applied migration
//   quire_jobs               one row per job: its latest record
//   quire_job_events         one row per state change the writer saw
//   quire_templates          one row per template version (archived_templates.h)
//
// Thread-safe: each call borrows a connection from a small pool
// (postgres_database.h). A failed connection is dropped and the next call
// opens a new one, so the store survives a PostgreSQL restart. Never logs or
// returns the DSN.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/queue_inspector.h"
#include "common/store/postgres_database.h"

namespace quire {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Every migration, in version order. Append only: a released migration is
// never edited, a change is a new one.
const std::vector<Migration>& HistoryMigrations();

// Applies the migrations `db` lacks, in order, each in its own transaction
// with its row in quire_schema_migrations, under an advisory lock:
// processes starting together apply each migration once. Returns the
// schema version. UNAVAILABLE when PostgreSQL cannot be reached;
// FAILED_PRECONDITION when it refuses the login or a migration fails. One
// schema serves every PostgreSQL store (history, templates, artifacts).
StatusOr<int> MigrateSchema(PostgresDatabase* db);

class HistoryStore : public JobArchive {
 public:
  HistoryStore(std::string dsn, int pool_size);

  // MigrateSchema on this store's database.
  StatusOr<int> Migrate() { return MigrateSchema(&db_); }

  // Writes the given job records (Redis hash fields, as HGETALL returns
  // them), all in one transaction. A row is only replaced by a record with
  // a higher `ver`, so an older copy arriving late never undoes a newer
  // one; a record whose state or attempt differs from the stored row also
  // adds a quire_job_events row.
  Status Write(const std::vector<std::map<std::string, std::string>>& records);

  // JobArchive: NOT_FOUND for a job the history does not have.
  StatusOr<JobRecord> Get(const std::string& job_id) override;
  StatusOr<std::vector<JobRecord>> List(const JobFilter& filter, int64_t before_created_ms,
                                        const std::string& before_id, int limit) override;

 private:
  PostgresDatabase db_;
};

}  // namespace quire
