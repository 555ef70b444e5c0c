// TemplateArchive: template versions in PostgreSQL.
#include "common/store/archived_templates.h"

#include <pqxx/pqxx>
#include <set>

namespace quire {
namespace {

// Advisory locks on a template id: the pair (hashtext('quire_templates'),
// hashtext(id)), held until the transaction ends. Two ids with the same
// hash only wait for each other.
constexpr const char* kLock =
    "SELECT pg_advisory_xact_lock(hashtext('quire_templates'), hashtext($1))";
constexpr const char* kLockShared =
    "SELECT pg_advisory_xact_lock_shared(hashtext('quire_templates'), hashtext($1))";

// created_at as milliseconds since the epoch.
constexpr const char* kCreatedMs = "(extract(epoch FROM created_at) * 1000)::bigint";

}  // namespace

TemplateArchive::TemplateArchive(std::string dsn, int pool_size)
    : db_("templates", "template archive", std::move(dsn), pool_size) {}

StatusOr<int64_t> TemplateArchive::Insert(
    const std::string& id, const std::string& title, const std::string& yaml, int64_t floor,
    const std::function<Status(const ArchivedTemplate&)>& cache) {
  return db_.Run("storing a template version", [&](pqxx::connection& conn) -> StatusOr<int64_t> {
    pqxx::work tx(conn);
    tx.exec_params(kLock, id);
    pqxx::row row = tx.exec_params1(
        std::string("INSERT INTO quire_templates (template_id, version, title, yaml)"
                    " SELECT $1, greatest(coalesce(max(version), 0), $4::bigint) + 1, $2, $3"
                    " FROM quire_templates WHERE template_id = $1"
                    " RETURNING version, ") +
            kCreatedMs,
        id, title, yaml, floor);
    ArchivedTemplate t{id, row[0].as<int64_t>(), title, yaml, row[1].as<int64_t>()};
    QUIRE_RETURN_IF_ERROR(cache(t));
    tx.commit();
    return t.version;
  });
}

Status TemplateArchive::Load(
    const std::string& id, int64_t version,
    const std::function<Status(const std::vector<ArchivedTemplate>&)>& cache) {
  return db_.Run("reading a template", [&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    tx.exec_params(kLockShared, id);
    pqxx::result r =
        tx.exec_params(std::string("SELECT version, title, yaml, ") + kCreatedMs +
                           " FROM quire_templates WHERE template_id = $1"
                           " AND deleted_at IS NULL AND ($2::bigint = 0 OR version = $2::bigint)"
                           " ORDER BY version",
                       id, version);
    if (r.empty()) return Status::NotFound("template '" + id + "' is not in the archive");
    std::vector<ArchivedTemplate> versions;
    versions.reserve(r.size());
    for (const auto& row : r) {
      versions.push_back({id, row[0].as<int64_t>(), row[1].as<std::string>(),
                          row[2].as<std::string>(), row[3].as<int64_t>()});
    }
    QUIRE_RETURN_IF_ERROR(cache(versions));
    tx.commit();
    return Status::OK();
  });
}

Status TemplateArchive::Delete(const std::string& id, const std::function<Status()>& uncache) {
  return db_.Run("deleting a template", [&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    tx.exec_params(kLock, id);
    Status uncached = uncache();
    if (!uncached.ok() && uncached.code() != StatusCode::kNotFound) return uncached;
    pqxx::result r = tx.exec_params(
        "UPDATE quire_templates SET deleted_at = now()"
        " WHERE template_id = $1 AND deleted_at IS NULL",
        id);
    tx.commit();
    return r.affected_rows() > 0 ? Status::OK() : uncached;
  });
}

StatusOr<std::map<std::string, std::vector<int64_t>>> TemplateArchive::LiveVersions() {
  using Versions = std::map<std::string, std::vector<int64_t>>;
  return db_.Run("listing templates", [&](pqxx::connection& conn) -> StatusOr<Versions> {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec(
        "SELECT template_id, version FROM quire_templates WHERE deleted_at IS NULL"
        " ORDER BY template_id, version");
    Versions out;
    for (const auto& row : r) out[row[0].as<std::string>()].push_back(row[1].as<int64_t>());
    return out;
  });
}

StatusOr<int64_t> TemplateArchive::Import(const std::vector<ArchivedTemplate>& versions) {
  if (versions.empty()) return int64_t{0};
  // Locks taken in id order, so two importers never wait for each other
  // in a circle.
  std::set<std::string> ids;
  for (const auto& t : versions) ids.insert(t.id);
  return db_.Run("importing template versions", [&](pqxx::connection& conn) -> StatusOr<int64_t> {
    pqxx::work tx(conn);
    for (const auto& id : ids) tx.exec_params(kLock, id);
    int64_t added = 0;
    for (const auto& t : versions) {
      added += tx.exec_params(
                     "INSERT INTO quire_templates (template_id, version, title, yaml, created_at)"
                     " VALUES ($1, $2, $3, $4, to_timestamp($5::bigint / 1000.0))"
                     " ON CONFLICT DO NOTHING",
                     t.id, t.version, t.title, t.yaml, t.created_ms)
                   .affected_rows();
    }
    tx.commit();
    return added;
  });
}

std::unique_ptr<TemplateArchive> TemplateArchiveFromConfig(const Config& config) {
  const std::string dsn = config.Get("history.dsn");
  if (dsn.empty()) return nullptr;
  return std::make_unique<TemplateArchive>(dsn,
                                           static_cast<int>(config.GetInt("history.pool_size")));
}

}  // namespace quire
