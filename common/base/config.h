// Config: every option of every Quire process, with its default and its
// documentation, in one table (config.cc). Values come from, in rising
// precedence: the defaults, one YAML file (deploy/quire.yaml), environment
// variables (option "worker.concurrency" is QUIRE_WORKER_CONCURRENCY), and
// `--set key=value` flags. Unknown keys are errors, so typos do not pass
// silently.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace quire {

struct OptionDoc {
  const char* key;
  const char* default_value;
  const char* help;
};

// The documented options, in file order.
const std::vector<OptionDoc>& AllOptions();

class Config {
 public:
  // Loads defaults, then `path` (if not empty), then QUIRE_* environment
  // variables, then `overrides` ("key=value"). INVALID_ARGUMENT names the
  // unknown key, or the file and line of a YAML error.
  static StatusOr<Config> Load(const std::string& path, const std::vector<std::string>& overrides);

  std::string Get(const std::string& key) const;
  int64_t GetInt(const std::string& key) const;
  Status Set(const std::string& key, const std::string& value);

 private:
  std::map<std::string, std::string> values_;
};

// "QUIRE_WORKER_CONCURRENCY" for "worker.concurrency".
std::string EnvName(const std::string& key);

}  // namespace quire
