#include "common/stored_templates.h"

#include <algorithm>

#include "common/lua_scripts.h"
#include "common/redis_keys.h"

namespace quire {

StatusOr<int64_t> TemplateStore::Put(const std::string& id, const std::string& title,
                                     const std::string& yaml) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Eval(scripts::PutTemplate().text, scripts::PutTemplate().sha1,
                         {keys::Template(id), keys::Templates()}, {yaml, id, title});
  if (!r.ok()) return r.status();
  return static_cast<int64_t>(r->Integer());
}

StatusOr<StoredTemplate> TemplateStore::Get(const std::string& id, int64_t version) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto latest = (*conn)->Command({"HGET", keys::Template(id), "latest"});
  if (!latest.ok()) return latest.status();
  if (latest->IsNil()) return Status::NotFound("template '" + id + "' does not exist");
  StoredTemplate t;
  t.id = id;
  t.latest_version = std::strtoll(latest->String().c_str(), nullptr, 10);
  t.version = version == 0 ? t.latest_version : version;
  std::string v = std::to_string(t.version);
  auto r = (*conn)->Command({"HMGET", keys::Template(id), "v:" + v, "t:" + v, "title:" + v});
  if (!r.ok()) return r.status();
  if (r->Size() != 3 || r->Element(0)->type == REDIS_REPLY_NIL) {
    return Status::NotFound("template '" + id + "' has no version " + v + " (latest is " +
                            std::to_string(t.latest_version) + ")");
  }
  t.yaml = ElementString(r->Element(0));
  t.created_ms = ElementInteger(r->Element(1));
  t.title = ElementString(r->Element(2));
  for (int64_t v = 1; v <= t.latest_version; ++v) t.versions.push_back(v);
  return t;
}

Status TemplateStore::Delete(const std::string& id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Eval(scripts::DeleteTemplate().text, scripts::DeleteTemplate().sha1,
                         {keys::Template(id), keys::Templates(), keys::TemplateRefs()}, {id});
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

StatusOr<int64_t> TemplateStore::LatestVersion(const std::string& id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto latest = (*conn)->Command({"HGET", keys::Template(id), "latest"});
  if (!latest.ok()) return latest.status();
  if (latest->IsNil()) return Status::NotFound("template '" + id + "' does not exist");
  return static_cast<int64_t>(std::strtoll(latest->String().c_str(), nullptr, 10));
}

StatusOr<std::vector<StoredTemplate>> TemplateStore::List() {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto ids = (*conn)->Command({"ZRANGE", keys::Templates(), "0", "-1"});
  if (!ids.ok()) return ids.status();
  std::vector<StoredTemplate> out;
  for (size_t i = 0; i < ids->Size(); ++i) {
    std::string id = ElementString(ids->Element(i));
    auto latest = (*conn)->Command({"HGET", keys::Template(id), "latest"});
    if (!latest.ok()) return latest.status();
    std::string v = latest->String();
    auto r = (*conn)->Command({"HMGET", keys::Template(id), "t:" + v, "title:" + v});
    if (!r.ok()) return r.status();
    StoredTemplate t;
    t.id = id;
    t.version = t.latest_version = std::strtoll(v.c_str(), nullptr, 10);
    t.created_ms = ElementInteger(r->Element(0));
    t.title = ElementString(r->Element(1));
    for (int64_t n = 1; n <= t.latest_version; ++n) t.versions.push_back(n);
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace quire
