// ArtifactStore: where finished reports live. The filesystem store keeps a
// job's artifacts under <root>/<job id>/<lease token>/, so two runs of the
// same job (one of which lost its lease) never write the same file; the run
// that loses is discarded with Discard().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/job.h"
#include "common/status.h"

namespace quire {

class ArtifactStore {
 public:
  explicit ArtifactStore(std::string root);

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

  // Calls `sink` with consecutive chunks of at most `chunk_size` bytes of
  // the artifact. NOT_FOUND when the file is gone.
  Status Read(const ArtifactInfo& artifact, size_t chunk_size,
              const std::function<bool(const char* data, size_t size, int64_t offset,
                                       int64_t total)>& sink) const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

// "application/pdf" for "pdf", and so on.
std::string ContentTypeFor(const std::string& format);
// Lower-case hex SHA-256 of a file's content.
StatusOr<std::string> FileSha256(const std::string& path);

}  // namespace quire
