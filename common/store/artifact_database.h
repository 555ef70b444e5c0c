// ArtifactDatabase: committed artifacts kept as rows of quire_artifacts in
// PostgreSQL (config artifacts.store: postgres; the database of
// history.dsn), for deployments where workers and gateways share no disk.
// The ArtifactStore (artifact_store.h) still renders into a local staging
// directory; Commit() copies the files here in one transaction.
//
// Rows are keyed by (job id, lease token, file name), as the filesystem
// store keys directories, so two runs of one job never collide. The data
// column is stored uncompressed (reports are compressed already), so that
// reading a slice of it does not inflate the whole value.
//
// Thread-safe: each call borrows a pooled connection. Never logs the DSN.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/base/config.h"
#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/store/postgres_database.h"

namespace quire {

class ArtifactDatabase {
 public:
  ArtifactDatabase(std::string dsn, int pool_size);

  // Applies Quire's migrations (MigrateSchema; they include this table).
  Status Migrate();

  // Stores the files of one run: `files[i]` is the path of `infos[i]`.
  // All or nothing. UNAVAILABLE when PostgreSQL cannot be reached.
  Status Put(const std::string& job_id, int64_t token, const std::vector<ArtifactInfo>& infos,
             const std::vector<std::string>& files);
  // Up to `size` bytes of an artifact from `offset`; empty past its end.
  // NOT_FOUND when it is not (or no longer) stored.
  StatusOr<std::string> ReadRange(const ArtifactInfo& artifact, int64_t offset, size_t size);
  // Deletes the artifacts of run `token` of `job_id` (`keep` false), or
  // those of every other run of the job (`keep` true).
  Status DeleteRuns(const std::string& job_id, int64_t token, bool keep);
  // Deletes every artifact stored longer than `age` ago; how many.
  StatusOr<int64_t> DeleteOlderThan(std::chrono::seconds age);

  // "pg:<job>/<token>/<name>": the location of an artifact kept here.
  static std::string Location(const std::string& job_id, int64_t token, const std::string& name);
  static bool IsLocation(const std::string& location);

 private:
  PostgresDatabase db_;
};

// The database artifacts.store asks for: null for "filesystem"; one on
// history.dsn for "postgres". INVALID_ARGUMENT for another store, or for
// postgres without history.dsn.
StatusOr<std::unique_ptr<ArtifactDatabase>> ArtifactDatabaseFromConfig(const Config& config);

}  // namespace quire
