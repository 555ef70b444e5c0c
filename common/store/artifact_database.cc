// ArtifactDatabase: artifacts as rows in PostgreSQL.
#include "common/store/artifact_database.h"

#include <charconv>
#include <fstream>
#include <iterator>
#include <pqxx/pqxx>
#include <string_view>

#include "common/store/history_store.h"

namespace quire {
namespace {

constexpr const char* kPoolName = "artifacts";
constexpr std::string_view kPrefix = "pg:";

// (job id, token, name) of a "pg:<job>/<token>/<name>" location.
bool SplitLocation(const std::string& location, std::string* job, int64_t* token,
                   std::string* name) {
  if (location.rfind(kPrefix, 0) != 0) return false;
  const std::string_view rest = std::string_view(location).substr(kPrefix.size());
  const size_t a = rest.find('/');
  const size_t b = a == std::string_view::npos ? a : rest.find('/', a + 1);
  if (b == std::string_view::npos) return false;
  const auto [end, error] = std::from_chars(rest.data() + a + 1, rest.data() + b, *token);
  if (error != std::errc() || end != rest.data() + b) return false;
  *job = std::string(rest.substr(0, a));
  *name = std::string(rest.substr(b + 1));
  return !job->empty() && !name->empty();
}

}  // namespace

StatusOr<std::unique_ptr<ArtifactDatabase>> ArtifactDatabaseFromConfig(const Config& config) {
  const std::string store = config.Get("artifacts.store");
  if (store == "filesystem") return std::unique_ptr<ArtifactDatabase>();
  if (store != "postgres") {
    return Status::InvalidArgument("artifacts.store must be filesystem or postgres, not '" + store +
                                   "'");
  }
  if (config.Get("history.dsn").empty()) {
    return Status::InvalidArgument(
        "artifacts.store: postgres keeps artifacts in the history.dsn database; set history.dsn");
  }
  return std::make_unique<ArtifactDatabase>(config.Get("history.dsn"), 4);
}

ArtifactDatabase::ArtifactDatabase(std::string dsn, int pool_size)
    : db_(kPoolName, "artifact store", std::move(dsn), pool_size) {}

Status ArtifactDatabase::Migrate() {
  auto version = MigrateSchema(&db_);
  return version.ok() ? Status::OK() : version.status();
}

std::string ArtifactDatabase::Location(const std::string& job_id, int64_t token,
                                       const std::string& name) {
  return std::string(kPrefix) + job_id + "/" + std::to_string(token) + "/" + name;
}

bool ArtifactDatabase::IsLocation(const std::string& location) {
  return location.rfind(kPrefix, 0) == 0;
}

Status ArtifactDatabase::Put(const std::string& job_id, int64_t token,
                             const std::vector<ArtifactInfo>& infos,
                             const std::vector<std::string>& files) {
  return db_.Run("storing artifacts", [&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    // A run stored twice (a retried commit) replaces its rows.
    tx.exec_params("DELETE FROM quire_artifacts WHERE job_id = $1 AND token = $2", job_id, token);
    for (size_t i = 0; i < infos.size(); ++i) {
      std::ifstream in(files[i], std::ios::binary);
      if (!in) return Status::Internal("artifact store: cannot read '" + files[i] + "'");
      const std::string data((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      const ArtifactInfo& a = infos[i];
      tx.exec_params(
          "INSERT INTO quire_artifacts (job_id, token, name, format, content_type, size_bytes,"
          " sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          job_id, token, a.name, a.format, a.content_type, a.size_bytes, a.sha256,
          pqxx::binarystring(data));
    }
    tx.commit();
    return Status::OK();
  });
}

StatusOr<std::string> ArtifactDatabase::ReadRange(const ArtifactInfo& artifact, int64_t offset,
                                                  size_t size) {
  std::string job, name;
  int64_t token = 0;
  if (!SplitLocation(artifact.location, &job, &token, &name)) {
    return Status::Internal("artifact '" + artifact.name + "' has a malformed location");
  }
  return db_.Run("reading an artifact", [&](pqxx::connection& conn) -> StatusOr<std::string> {
    pqxx::read_transaction tx(conn);
    // substring() of bytea counts from 1.
    pqxx::result r = tx.exec_params(
        "SELECT substring(data FROM $4 FOR $5) FROM quire_artifacts"
        " WHERE job_id = $1 AND token = $2 AND name = $3",
        job, token, name, offset + 1, static_cast<int64_t>(size));
    if (r.empty()) {
      return Status::NotFound("artifact '" + artifact.name +
                              "' is no longer stored (artifacts.retention_s)");
    }
    pqxx::binarystring bytes(r[0][0]);
    return bytes.str();
  });
}

Status ArtifactDatabase::DeleteRuns(const std::string& job_id, int64_t token, bool keep) {
  return db_.Run("deleting artifacts", [&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    tx.exec_params(keep ? "DELETE FROM quire_artifacts WHERE job_id = $1 AND token <> $2"
                        : "DELETE FROM quire_artifacts WHERE job_id = $1 AND token = $2",
                   job_id, token);
    tx.commit();
    return Status::OK();
  });
}

StatusOr<int64_t> ArtifactDatabase::DeleteOlderThan(std::chrono::seconds age) {
  return db_.Run("deleting expired artifacts", [&](pqxx::connection& conn) -> StatusOr<int64_t> {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_params(
        "DELETE FROM quire_artifacts WHERE created_at < now() - make_interval(secs => $1)",
        static_cast<double>(age.count()));
    tx.commit();
    return static_cast<int64_t>(r.affected_rows());
  });
}

}  // namespace quire
