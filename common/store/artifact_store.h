// ArtifactStore: where finished reports live. A run renders into a local
// staging directory under <root>/.staging/; Commit() then keeps the files
// under <root>/<job id>/<lease token>/ (the filesystem store, default), or
// in PostgreSQL (artifact_database.h, artifacts.store: postgres) for
// machines without a shared disk. Keyed by lease token, two runs of the
// same job (one of which lost its lease) never write the same file; the run
// that loses is discarded with Discard(). RemoveExpired() applies the
// retention (artifacts.retention_s).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"

namespace quire {

class ArtifactDatabase;

// Reads one artifact in order, a chunk at a time. Not thread-safe.
class ArtifactReader {
 public:
  virtual ~ArtifactReader() = default;
  // Up to `max` next bytes; empty at the end.
  virtual StatusOr<std::string> Next(size_t max) = 0;
  // Bytes the next calls of Next return from memory, without I/O (readers
  // read ahead in slices): a caller that must not wait can take those.
  virtual size_t Buffered() const = 0;
};

class ArtifactStore {
 public:
  // With `database` (may be null), committed artifacts go to PostgreSQL.
  explicit ArtifactStore(std::string root, ArtifactDatabase* database = nullptr);

  // A fresh, empty directory where the run `token` of `job_id` writes its
  // files before Commit().
  StatusOr<std::string> StagingDir(const std::string& job_id, int64_t token);
  // Moves every file of the staging dir into the store and describes each
  // (size, SHA-256, format from the file extension).
  StatusOr<std::vector<ArtifactInfo>> Commit(const std::string& job_id, int64_t token);
  // Removes whatever the run `token` of `job_id` left behind.
  void Discard(const std::string& job_id, int64_t token);

  // A run that has a staging directory: (job id, lease token).
  struct StagedRun {
    std::string job_id;
    int64_t token = 0;
  };
  // Every staging directory, e.g. those left by workers that were killed.
  std::vector<StagedRun> StagedRuns() const;
  // Removes the staging directory of one run (never committed artifacts).
  void RemoveStaging(const StagedRun& run);
  // Removes the committed artifacts of every run of `job_id` but `token`'s:
  // those of attempts whose worker was killed after committing its files
  // but before recording the job's end. Called by the run that completed.
  void RemoveOtherRuns(const std::string& job_id, int64_t token);

  // Removes the committed artifacts older than `age` (a run's files go
  // together); returns how many runs (filesystem) or files (PostgreSQL).
  StatusOr<int64_t> RemoveExpired(std::chrono::seconds age);

  // A reader of the artifact, wherever it is kept. NOT_FOUND when it is
  // gone (e.g. past the retention); FAILED_PRECONDITION for an artifact in
  // PostgreSQL when this store has no database.
  StatusOr<std::unique_ptr<ArtifactReader>> Open(const ArtifactInfo& artifact) const;
  // Calls `sink` with consecutive chunks of at most `chunk_size` bytes of
  // the artifact. NOT_FOUND when the file is gone.
  Status Read(const ArtifactInfo& artifact, size_t chunk_size,
              const std::function<bool(const char* data, size_t size, int64_t offset,
                                       int64_t total)>& sink) const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
  ArtifactDatabase* const database_;
};

// "application/pdf" for "pdf", and so on.
std::string ContentTypeFor(const std::string& format);
// Lower-case hex SHA-256 of a file's content.
StatusOr<std::string> FileSha256(const std::string& path);

}  // namespace quire
