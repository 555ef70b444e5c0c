// HistoryStore: migrations, writes and reads of the jobs' history.
#include "common/store/history_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "common/queue/job_codec.h"

namespace quire {
namespace {

using nlohmann::json;

// Migration 1: jobs and their state changes. `record` keeps the whole
// Redis record, so a job read back is what Redis had; the other columns
// are for filtering, sorting and people querying with SQL.
constexpr const char* kJobsTables = R"sql(
CREATE TABLE quire_jobs (
  id               text PRIMARY KEY,
  ver              bigint NOT NULL,
  state            text NOT NULL,
  template_id      text NOT NULL,
  template_version bigint NOT NULL,
  priority         smallint NOT NULL,
  submitter        text NOT NULL,
  worker           text NOT NULL,
  attempt          integer NOT NULL,
  created_ms       bigint NOT NULL,
  started_at       timestamptz,
  finished_at      timestamptz,
  error_code       text NOT NULL,
  error_message    text NOT NULL,
  params           jsonb,
  artifacts        jsonb,
  attempts         jsonb,
  stage_ms         jsonb NOT NULL,
  record           jsonb NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quire_jobs_by_created ON quire_jobs (created_ms DESC, id DESC);
CREATE INDEX quire_jobs_by_state ON quire_jobs (state, created_ms DESC, id DESC);
CREATE INDEX quire_jobs_by_template ON quire_jobs (template_id, created_ms DESC, id DESC);
CREATE TABLE quire_job_events (
  job_id        text NOT NULL,
  ver           bigint NOT NULL,
  state         text NOT NULL,
  attempt       integer NOT NULL,
  worker        text NOT NULL,
  error_code    text NOT NULL,
  error_message text NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, ver)
);
)sql";

// Migration 2: every version of every stored template (archived_templates.h).
// Rows are never removed: DeleteTemplate sets deleted_at, and a version
// number is never given twice.
constexpr const char* kTemplatesTable = R"sql(
CREATE TABLE quire_templates (
  template_id text NOT NULL,
  version     bigint NOT NULL,
  title       text NOT NULL,
  yaml        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  PRIMARY KEY (template_id, version)
);
)sql";

// Migration 3: artifacts kept in PostgreSQL (artifact_database.h). The
// data is stored uncompressed: reports are compressed already, and slices
// of an uncompressed value are read without inflating all of it.
constexpr const char* kArtifactsTable = R"sql(
CREATE TABLE quire_artifacts (
  job_id       text NOT NULL,
  token        bigint NOT NULL,
  name         text NOT NULL,
  format       text NOT NULL,
  content_type text NOT NULL,
  size_bytes   bigint NOT NULL,
  sha256       text NOT NULL,
  data         bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, token, name)
);
ALTER TABLE quire_artifacts ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX quire_artifacts_by_created ON quire_artifacts (created_at);
)sql";

// One statement, so that `prev` sees the rows as they were before the
// upsert: an event is added for a new job, or a changed state or attempt.
constexpr const char* kWrite = R"sql(
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
    id text, ver bigint, state text, template_id text, template_version bigint,
    priority smallint, submitter text, worker text, attempt integer, created_ms bigint,
    started_ms bigint, finished_ms bigint, error_code text, error_message text,
    params jsonb, artifacts jsonb, attempts jsonb, stage_ms jsonb, record jsonb)
),
prev AS (
  SELECT j.id, j.state, j.attempt FROM quire_jobs j JOIN input USING (id)
),
up AS (
  INSERT INTO quire_jobs AS j (id, ver, state, template_id, template_version, priority,
      submitter, worker, attempt, created_ms, started_at, finished_at, error_code,
      error_message, params, artifacts, attempts, stage_ms, record)
  SELECT id, ver, state, template_id, template_version, priority, submitter, worker, attempt,
      created_ms,
      CASE WHEN started_ms > 0 THEN to_timestamp(started_ms / 1000.0) END,
      CASE WHEN finished_ms > 0 THEN to_timestamp(finished_ms / 1000.0) END,
      error_code, error_message, params, artifacts, attempts, stage_ms, record
  FROM input
  ON CONFLICT (id) DO UPDATE SET
      ver = EXCLUDED.ver, state = EXCLUDED.state, worker = EXCLUDED.worker,
      attempt = EXCLUDED.attempt, started_at = EXCLUDED.started_at,
      finished_at = EXCLUDED.finished_at, error_code = EXCLUDED.error_code,
      error_message = EXCLUDED.error_message, artifacts = EXCLUDED.artifacts,
      attempts = EXCLUDED.attempts, stage_ms = EXCLUDED.stage_ms, record = EXCLUDED.record,
      updated_at = now()
    WHERE j.ver < EXCLUDED.ver
  RETURNING j.id, j.ver, j.state, j.attempt, j.worker, j.error_code, j.error_message
)
INSERT INTO quire_job_events (job_id, ver, state, attempt, worker, error_code, error_message)
SELECT up.id, up.ver, up.state, up.attempt, up.worker, up.error_code, up.error_message
FROM up LEFT JOIN prev USING (id)
WHERE prev.id IS NULL OR prev.state <> up.state OR prev.attempt <> up.attempt
ON CONFLICT DO NOTHING
)sql";

// A field holding JSON, as JSON; null when absent or unreadable (the whole
// text is in `record` either way).
json JsonField(const std::map<std::string, std::string>& f, const char* name) {
  std::string text = FieldText(f, name);
  if (text.empty()) return nullptr;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(nullptr) : j;
}

json Row(const std::map<std::string, std::string>& f) {
  json stage_ms = json::object();
  for (int s = 1; s <= 5; ++s) {
    std::string name = StageName(static_cast<Stage>(s));
    int64_t start = FieldInt(f, "t:" + name + ":s");
    int64_t end = FieldInt(f, "t:" + name + ":e");
    if (start > 0 && end >= start) stage_ms[name] = end - start;
  }
  json record = json::object();
  for (const auto& [k, v] : f) record[k] = v;
  std::string state = FieldText(f, "state");
  return json{{"id", FieldText(f, "id")},
              {"ver", FieldInt(f, "ver")},
              {"state", state.empty() ? "UNKNOWN" : state},
              {"template_id", FieldText(f, "tpl")},
              {"template_version", FieldInt(f, "tver")},
              {"priority", FieldInt(f, "prio")},
              {"submitter", FieldText(f, "submitter")},
              {"worker", FieldText(f, "worker")},
              {"attempt", FieldInt(f, "attempt")},
              {"created_ms", FieldInt(f, "created")},
              {"started_ms", FieldInt(f, "started")},
              {"finished_ms", FieldInt(f, "finished")},
              {"error_code", FieldText(f, "err_code")},
              {"error_message", FieldText(f, "err_msg")},
              {"params", JsonField(f, "params")},
              {"artifacts", JsonField(f, "artifacts")},
              {"attempts", JsonField(f, "attempts")},
              {"stage_ms", stage_ms},
              {"record", record}};
}

JobRecord FromRecordJson(const std::string& text) {
  std::map<std::string, std::string> fields;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_string()) fields[k] = v.get<std::string>();
    }
  }
  return JobRecordFromFields(fields);
}

}  // namespace

const std::vector<Migration>& HistoryMigrations() {
  // Sorted by version, whatever the order written here.
  static const std::vector<Migration> kMigrations = [] {
    std::vector<Migration> m = {
        {1, "jobs and job events", kJobsTables},
        {2, "template versions", kTemplatesTable},
        {3, "artifacts", kArtifactsTable},
    };
    std::sort(m.begin(), m.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return m;
  }();
  return kMigrations;
}

StatusOr<int> MigrateSchema(PostgresDatabase* db) {
  return db->Run("migrating the schema", [](pqxx::connection& conn) -> StatusOr<int> {
    int version = 0;
    {
      pqxx::work tx(conn);
      // Serializes concurrent starts; released at commit.
      tx.exec("SELECT pg_advisory_xact_lock(7106373185249436210)");
      tx.exec0(
          "CREATE TABLE IF NOT EXISTS quire_schema_migrations ("
          " version integer PRIMARY KEY, name text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
      version =
          tx.exec1("SELECT coalesce(max(version), 0) FROM quire_schema_migrations")[0].as<int>();
      tx.commit();
    }
    for (const Migration& m : HistoryMigrations()) {
      pqxx::work tx(conn);
      tx.exec("SELECT pg_advisory_xact_lock(7106373185249436210)");
      // Another process may have applied it while this one waited.
      if (!tx.exec_params("SELECT 1 FROM quire_schema_migrations WHERE version = $1", m.version)
               .empty()) {
        version = std::max(version, m.version);
        continue;
      }
      try {
        tx.exec(m.sql);
      } catch (const pqxx::sql_error& e) {
        return Status::FailedPrecondition("job history: migration " + std::to_string(m.version) +
                                          " (" + m.name +
                                          ") failed: " + PostgresFirstLine(e.what()));
      }
      tx.exec_params("INSERT INTO quire_schema_migrations (version, name) VALUES ($1, $2)",
                     m.version, m.name);
      tx.commit();
      spdlog::info("job history: applied migration {} ({})", m.version, m.name);
      version = m.version;
    }
    const int known = HistoryMigrations().back().version;
    if (version > known) {
      spdlog::warn(
          "job history: the database is at schema version {}, newer than this build's {}; "
          "a newer Quire migrated it",
          version, known);
    }
    return version;
  });
}

HistoryStore::HistoryStore(std::string dsn, int pool_size)
    : db_("history", "job history", std::move(dsn), pool_size) {}

Status HistoryStore::Write(const std::vector<std::map<std::string, std::string>>& records) {
  if (records.empty()) return Status::OK();
  // One row per job (an upsert cannot touch a row twice): the newest.
  std::map<std::string, const std::map<std::string, std::string>*> newest;
  for (const auto& f : records) {
    const std::string id = FieldText(f, "id");
    if (id.empty()) continue;
    auto [it, added] = newest.emplace(id, &f);
    if (!added && FieldInt(*it->second, "ver") < FieldInt(f, "ver")) it->second = &f;
  }
  json rows = json::array();
  for (const auto& [id, f] : newest) rows.push_back(Row(*f));
  const std::string payload = rows.dump(-1, ' ', false, json::error_handler_t::replace);
  auto result = db_.Run("writing job records", [&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    tx.exec_params(kWrite, payload);
    tx.commit();
    return Status::OK();
  });
  return result;
}

StatusOr<JobRecord> HistoryStore::Get(const std::string& job_id) {
  return db_.Run("reading a job", [&](pqxx::connection& conn) -> StatusOr<JobRecord> {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_params("SELECT record::text FROM quire_jobs WHERE id = $1", job_id);
    if (r.empty()) return Status::NotFound("job '" + job_id + "' does not exist");
    return FromRecordJson(r[0][0].c_str());
  });
}

StatusOr<std::vector<JobRecord>> HistoryStore::List(const JobFilter& filter,
                                                    int64_t before_created_ms,
                                                    const std::string& before_id, int limit) {
  if (before_created_ms < 0) before_created_ms = std::numeric_limits<int64_t>::max();
  const std::string state =
      filter.state == JobState::kUnspecified ? std::string() : JobStateName(filter.state);
  return db_.Run("listing jobs", [&](pqxx::connection& conn) -> StatusOr<std::vector<JobRecord>> {
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec_params(
        "SELECT record::text FROM quire_jobs"
        " WHERE (created_ms, id) < ($1, $2)"
        " AND ($3 = '' OR state = $3) AND ($4 = '' OR template_id = $4)"
        " AND ($5 = 0 OR priority = $5)"
        " ORDER BY created_ms DESC, id DESC LIMIT $6",
        before_created_ms, before_id, state, filter.template_id, filter.priority, limit);
    std::vector<JobRecord> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(FromRecordJson(row[0].c_str()));
    return out;
  });
}

}  // namespace quire
