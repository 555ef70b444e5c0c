// TemplateStore: versioned report templates, read from Redis. Every Put
// makes a new version; old versions stay readable, so a job pinned to a
// version runs the text it was submitted with.
//
// Without an archive (no history.dsn) Redis alone holds them and versions
// count 1, 2, ... With a TemplateArchive (archived_templates.h) PostgreSQL
// is the source of truth and Redis its cache: Put numbers and stores the
// version there first (UNAVAILABLE, nothing stored, while PostgreSQL is
// unreachable), and reads that miss in Redis — after Redis lost its data —
// copy what PostgreSQL has back into Redis. Deleted templates keep their
// rows, and their version numbers are never given again.
//
// Not responsible for validating templates (template.h does that).
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/redis_client.h"
#include "common/store/archived_templates.h"

namespace quire {

struct StoredTemplate {
  std::string id;
  int64_t version = 0;
  int64_t latest_version = 0;
  std::string title;
  std::string yaml;
  int64_t created_ms = 0;
  // Every stored version, oldest first.
  std::vector<int64_t> versions;
};

class TemplateStore {
 public:
  // `archive` may be null (Redis only); both must outlive the store.
  explicit TemplateStore(RedisPool* pool, TemplateArchive* archive = nullptr)
      : pool_(pool), archive_(archive) {}

  // Stores `yaml` as the next version of `id`; returns that version.
  StatusOr<int64_t> Put(const std::string& id, const std::string& title, const std::string& yaml);
  // `version` 0 means the latest. NOT_FOUND for an unknown id or version.
  StatusOr<StoredTemplate> Get(const std::string& id, int64_t version);
  // Deletes every version of `id`. NOT_FOUND for an unknown id;
  // FAILED_PRECONDITION while queued or running jobs use one of its versions.
  Status Delete(const std::string& id);
  // The latest version number of `id`. NOT_FOUND for an unknown id.
  StatusOr<int64_t> LatestVersion(const std::string& id);
  // The latest version of every template, without YAML text, sorted by id.
  StatusOr<std::vector<StoredTemplate>> List();

  struct WarmCounts {
    int64_t restored = 0;  // versions copied from PostgreSQL into Redis
    int64_t imported = 0;  // versions copied from Redis into PostgreSQL
  };
  // Copies into Redis every version the archive has and Redis lacks, and
  // into the archive every version only Redis has (stored before the
  // archive existed). Nothing to do without an archive.
  StatusOr<WarmCounts> Warm();

 private:
  // Constant after construction.
  RedisPool* const pool_;
  TemplateArchive* const archive_;
};

}  // namespace quire
