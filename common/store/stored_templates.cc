#include "common/store/stored_templates.h"

#include <algorithm>
#include <map>

#include "common/queue/redis_keys.h"
#include "common/store/internal/store_scripts.h"

namespace quire {
namespace {

constexpr const char* kArchiveUnreachable =
    "PostgreSQL (history.dsn), which numbers and keeps template versions, is unreachable; "
    "try again when it is back";

// `read` from Redis; when it finds nothing, `restore` from the archive and
// read again. When the archive has nothing either, `read`'s own NOT_FOUND,
// which names what is missing.
template <typename Read, typename Restore>
auto ReadThrough(Read read, Restore restore) -> decltype(read()) {
  auto cached = read();
  if (cached.ok() || cached.status().code() != StatusCode::kNotFound) return cached;
  Status restored = restore();
  if (restored.code() == StatusCode::kNotFound) return cached;
  if (!restored.ok()) return restored;
  return read();
}

StatusOr<int64_t> Latest(RedisConnection& conn, const std::string& id) {
  auto latest = conn.Command({"HGET", keys::Template(id), "latest"});
  if (!latest.ok()) return latest.status();
  if (latest->IsNil()) return Status::NotFound("template '" + id + "' does not exist");
  return static_cast<int64_t>(std::strtoll(latest->String().c_str(), nullptr, 10));
}

StatusOr<int64_t> CachedLatest(RedisPool* pool, const std::string& id) {
  auto conn = pool->Borrow();
  if (!conn.ok()) return conn.status();
  return Latest(**conn, id);
}

// The version numbers Redis holds for `id` (its "v:<n>" fields), oldest
// first. After a version restored alone they need not be 1..latest.
StatusOr<std::vector<int64_t>> Versions(RedisConnection& conn, const std::string& id) {
  auto fields = conn.Command({"HKEYS", keys::Template(id)});
  if (!fields.ok()) return fields.status();
  std::vector<int64_t> out;
  for (size_t i = 0; i < fields->Size(); ++i) {
    const std::string f = ElementString(fields->Element(i));
    if (f.rfind("v:", 0) == 0) out.push_back(std::strtoll(f.c_str() + 2, nullptr, 10));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One version of `id` as Redis has it; the YAML only `with_yaml`.
// NOT_FOUND when Redis does not have it.
StatusOr<ArchivedTemplate> ReadVersion(RedisConnection& conn, const std::string& id,
                                       int64_t version, bool with_yaml) {
  const std::string v = std::to_string(version);
  std::vector<std::string> cmd = {"HMGET", keys::Template(id), "t:" + v, "title:" + v};
  if (with_yaml) cmd.push_back("v:" + v);
  auto r = conn.Command(cmd);
  if (!r.ok()) return r.status();
  if (r->Size() != cmd.size() - 2 || r->Element(0)->type == REDIS_REPLY_NIL) {
    return Status::NotFound("template '" + id + "' has no version " + v);
  }
  return ArchivedTemplate{id, version, ElementString(r->Element(1)),
                          with_yaml ? ElementString(r->Element(2)) : std::string(),
                          ElementInteger(r->Element(0))};
}

// `version` of `id` (0: the latest) from Redis.
StatusOr<StoredTemplate> ReadCached(RedisPool* pool, const std::string& id, int64_t version,
                                    bool with_yaml) {
  auto conn = pool->Borrow();
  if (!conn.ok()) return conn.status();
  auto latest = Latest(**conn, id);
  if (!latest.ok()) return latest.status();
  auto stored = ReadVersion(**conn, id, version == 0 ? *latest : version, with_yaml);
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kNotFound) return stored.status();
    return Status::NotFound(stored.status().message() + " (latest is " + std::to_string(*latest) +
                            ")");
  }
  auto versions = Versions(**conn, id);
  if (!versions.ok()) return versions.status();
  StoredTemplate t;
  t.id = id;
  t.version = stored->version;
  t.latest_version = *latest;
  t.title = std::move(stored->title);
  t.yaml = std::move(stored->yaml);
  t.created_ms = stored->created_ms;
  t.versions = std::move(*versions);
  return t;
}

// The latest version of every template in Redis, without YAML, by id.
StatusOr<std::vector<StoredTemplate>> ListCached(RedisPool* pool) {
  std::vector<std::string> ids;
  {
    auto conn = pool->Borrow();
    if (!conn.ok()) return conn.status();
    auto r = (*conn)->Command({"ZRANGE", keys::Templates(), "0", "-1"});
    if (!r.ok()) return r.status();
    for (size_t i = 0; i < r->Size(); ++i) ids.push_back(ElementString(r->Element(i)));
  }
  std::sort(ids.begin(), ids.end());
  std::vector<StoredTemplate> out;
  for (const auto& id : ids) {
    auto t = ReadCached(pool, id, 0, /*with_yaml=*/false);
    if (t.ok()) {
      out.push_back(std::move(*t));
    } else if (t.status().code() != StatusCode::kNotFound) {  // else deleted meanwhile
      return t.status();
    }
  }
  return out;
}

// DELETE_TEMPLATE.
Status Uncache(RedisPool* pool, const std::string& id) {
  auto conn = pool->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::DeleteTemplate(id));
  if (!r.ok()) return r.status();
  long long n = r->Integer();
  if (n < 0) return Status::NotFound("template '" + id + "' does not exist");
  if (n > 0) {
    return Status::FailedPrecondition("template '" + id + "' is used by " + std::to_string(n) +
                                      " queued or running job(s); cancel them or wait for "
                                      "them to finish, then delete it");
  }
  return Status::OK();
}

// PUT_TEMPLATE_VERSIONS with versions of one template.
Status Cache(RedisPool* pool, const std::vector<ArchivedTemplate>& versions) {
  if (versions.empty()) return Status::OK();
  auto conn = pool->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::PutTemplateVersions(versions));
  return r.ok() ? Status::OK() : r.status();
}

// Copies `id` from the archive into Redis: every version when Redis has
// none of it, else `version` (0: every version). NOT_FOUND when the archive
// has nothing to copy.
Status Restore(RedisPool* pool, TemplateArchive* archive, const std::string& id, int64_t version) {
  {
    auto conn = pool->Borrow();
    if (!conn.ok()) return conn.status();
    auto exists = (*conn)->Command({"EXISTS", keys::Template(id)});
    if (!exists.ok()) return exists.status();
    if (exists->Integer() == 0) version = 0;
  }
  return archive->Load(id, version, [&](const std::vector<ArchivedTemplate>& versions) {
    return Cache(pool, versions);
  });
}

}  // namespace

StatusOr<int64_t> TemplateStore::Put(const std::string& id, const std::string& title,
                                     const std::string& yaml) {
  if (archive_ == nullptr) {
    auto conn = pool_->Borrow();
    if (!conn.ok()) return conn.status();
    auto r = RunScript(**conn, scripts::PutTemplate(id, yaml, title));
    if (!r.ok()) return r.status();
    return static_cast<int64_t>(r->Integer());
  }
  // Redis may hold versions the archive lacks (stored before it existed):
  // the new number is above those too.
  auto floor = CachedLatest(pool_, id);
  if (!floor.ok() && floor.status().code() != StatusCode::kNotFound) return floor.status();
  Status cached;  // the write to Redis, once it ran
  auto version =
      archive_->Insert(id, title, yaml, floor.ok() ? *floor : 0, [&](const ArchivedTemplate& t) {
        cached = Cache(pool_, {t});
        return cached;
      });
  if (version.ok()) return version;
  const Status& s = version.status();
  std::string why = s.message();
  if (cached.ok() && s.code() == StatusCode::kUnavailable) {
    why = std::string(kArchiveUnreachable) + " (" + why + ")";
  }
  return Status(s.code(), "template '" + id + "' was not stored: " + why);
}

StatusOr<StoredTemplate> TemplateStore::Get(const std::string& id, int64_t version) {
  auto read = [&] { return ReadCached(pool_, id, version, /*with_yaml=*/true); };
  if (archive_ == nullptr) return read();
  return ReadThrough(read, [&] { return Restore(pool_, archive_, id, version); });
}

Status TemplateStore::Delete(const std::string& id) {
  if (archive_ == nullptr) return Uncache(pool_, id);
  return archive_->Delete(id, [&] { return Uncache(pool_, id); });
}

StatusOr<int64_t> TemplateStore::LatestVersion(const std::string& id) {
  auto read = [&] { return CachedLatest(pool_, id); };
  if (archive_ == nullptr) return read();
  return ReadThrough(read, [&] { return Restore(pool_, archive_, id, 0); });
}

StatusOr<std::vector<StoredTemplate>> TemplateStore::List() {
  auto list = ListCached(pool_);
  if (archive_ == nullptr || !list.ok() || !list->empty()) return list;
  // No template in Redis: there are none, or Redis lost them.
  auto warmed = Warm();
  if (!warmed.ok()) return warmed.status();
  return warmed->restored > 0 ? ListCached(pool_) : list;
}

StatusOr<TemplateStore::WarmCounts> TemplateStore::Warm() {
  WarmCounts counts;
  if (archive_ == nullptr) return counts;
  auto archived = archive_->LiveVersions();
  if (!archived.ok()) return archived.status();
  const auto has = [](const std::vector<int64_t>& sorted, int64_t v) {
    return std::binary_search(sorted.begin(), sorted.end(), v);
  };
  // What Redis holds, by id; and, read whole, the versions only it holds.
  std::map<std::string, std::vector<int64_t>> cached;
  std::vector<ArchivedTemplate> only_cached;
  {
    auto conn = pool_->Borrow();
    if (!conn.ok()) return conn.status();
    auto ids = (*conn)->Command({"ZRANGE", keys::Templates(), "0", "-1"});
    if (!ids.ok()) return ids.status();
    for (size_t i = 0; i < ids->Size(); ++i) {
      const std::string id = ElementString(ids->Element(i));
      auto versions = Versions(**conn, id);
      if (!versions.ok()) return versions.status();
      auto it = archived->find(id);
      for (int64_t v : *versions) {
        if (it != archived->end() && has(it->second, v)) continue;
        auto t = ReadVersion(**conn, id, v, /*with_yaml=*/true);
        if (t.ok()) {
          only_cached.push_back(std::move(*t));
        } else if (t.status().code() != StatusCode::kNotFound) {
          return t.status();
        }
      }
      cached[id] = std::move(*versions);
    }
  }
  auto imported = archive_->Import(only_cached);
  if (!imported.ok()) return imported.status();
  counts.imported = *imported;
  for (const auto& [id, versions] : *archived) {
    const std::vector<int64_t>& have = cached[id];
    const int64_t missing =
        std::count_if(versions.begin(), versions.end(), [&](int64_t v) { return !has(have, v); });
    if (missing == 0) continue;
    Status s = Restore(pool_, archive_, id, 0);
    if (s.code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    if (!s.ok()) return s;
    counts.restored += missing;
  }
  return counts;
}

}  // namespace quire
