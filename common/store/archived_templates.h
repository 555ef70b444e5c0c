// TemplateArchive: every version of every stored template in PostgreSQL
// (table quire_templates, in the database of history.dsn), the source of
// truth behind the Redis copy TemplateStore (stored_templates.h) reads
// first. It gives version numbers out, keeps every version, and keeps
// deleted ones as rows with deleted_at set.
//
// Each call that changes what Redis holds for a template id runs a
// caller's function (`cache`, `uncache`) inside its transaction, under a
// PostgreSQL advisory lock on the id: exclusive for Insert and Delete,
// shared for Load. So puts of one id from any number of gateways get
// distinct versions, and a template restored into Redis by one process
// cannot come back after another has deleted it. The functions must not
// wait for this archive (they run holding one of its connections).
//
// Not responsible for the schema (HistoryMigrations(), history_store.h) or
// for Redis. Thread-safe; see postgres_database.h for connections and
// errors (UNAVAILABLE while PostgreSQL cannot be reached).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/base/config.h"
#include "common/base/status.h"
#include "common/store/postgres_database.h"

namespace quire {

struct ArchivedTemplate {
  std::string id;
  int64_t version = 0;
  std::string title;
  std::string yaml;
  int64_t created_ms = 0;  // when it was first stored
};

class TemplateArchive {
 public:
  TemplateArchive(std::string dsn, int pool_size);

  // Stores `yaml` as a new version of `id`: one more than the highest
  // version the archive ever had for `id` (deleted ones included, so a
  // number is never given twice) and than `floor` (the highest one Redis
  // knows). Calls `cache` with it before committing: when `cache` fails,
  // nothing is stored and its Status is returned. Returns the version.
  StatusOr<int64_t> Insert(const std::string& id, const std::string& title, const std::string& yaml,
                           int64_t floor,
                           const std::function<Status(const ArchivedTemplate&)>& cache);

  // Calls `cache` with the versions of `id` that are not deleted, oldest
  // first: every one when `version` is 0, else that one. NOT_FOUND (and no
  // call) when there is none. Returns what `cache` returns.
  Status Load(const std::string& id, int64_t version,
              const std::function<Status(const std::vector<ArchivedTemplate>&)>& cache);

  // Calls `uncache`; then, unless it failed with another code than
  // NOT_FOUND, marks every version of `id` deleted (deleted_at = now()).
  // NOT_FOUND when `uncache` found nothing and no version was left to mark.
  Status Delete(const std::string& id, const std::function<Status()>& uncache);

  // The versions not deleted, by template id, oldest first; no text.
  StatusOr<std::map<std::string, std::vector<int64_t>>> LiveVersions();

  // Adds versions the archive has never had (templates stored in Redis
  // before the archive existed), with their own numbers and times; a
  // version the archive has, deleted or not, is left as it is. Returns how
  // many were added.
  StatusOr<int64_t> Import(const std::vector<ArchivedTemplate>& versions);

 private:
  PostgresDatabase db_;
};

// The archive in the history.dsn database (history.pool_size connections);
// null when history.dsn is empty.
std::unique_ptr<TemplateArchive> TemplateArchiveFromConfig(const Config& config);

}  // namespace quire
