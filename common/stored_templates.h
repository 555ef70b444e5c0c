// TemplateStore: versioned report templates kept in Redis. Every Put makes a
// new version (1, 2, ...); old versions stay readable, so a job pinned to a
// version runs the text it was submitted with.
//
// Not responsible for validating templates (template.h does that).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/redis_client.h"
#include "common/status.h"

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
  explicit TemplateStore(RedisPool* pool) : pool_(pool) {}

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

 private:
  RedisPool* const pool_;
};

}  // namespace quire
