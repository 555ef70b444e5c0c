// The postgres source: bind arguments, the read-only query, the mapping of
// PostgreSQL errors onto status codes and of result columns onto a Table.
// Every libpqxx exception is caught here.
#include "report/data/postgres_source.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <exception>
#include <functional>
#include <optional>
#include <pqxx/except>
#include <pqxx/prepared_statement>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/base/mutex.h"

namespace quire {
namespace {

// ---------------------------------------------------------------------------
// Bind arguments.

std::string ArgumentText(const ParamValue& value);

// A PostgreSQL array literal with every item quoted: {"a","b \"c\""}.
std::string ArrayLiteral(const std::vector<ParamValue>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : ArgumentText(items[i])) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string ArgumentText(const ParamValue& value) {
  switch (value.type) {
    case ParamType::kInt:
      return std::to_string(value.int_value);
    case ParamType::kFloat: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof(buf), value.float_value);
      return std::string(buf, r.ptr);
    }
    case ParamType::kBool:
      return value.int_value != 0 ? "true" : "false";
    case ParamType::kDate:
      return FormatDate(value.int_value);
    case ParamType::kDatetime:  // the session's TimeZone is UTC
      return FormatDatetime(value.int_value);
    case ParamType::kList:
      return ArrayLiteral(value.items);
    case ParamType::kString:
    case ParamType::kEnum:
      break;
  }
  return value.text;
}

// The arguments for $1..$n; nullopt (NULL) for an absent parameter.
std::vector<std::optional<std::string>> BindArguments(const SourceSpec& spec,
                                                      const ParamValues* params) {
  std::vector<std::optional<std::string>> args;
  for (const std::string& name : spec.bind_params) {
    const ParamValue* value = nullptr;
    if (params != nullptr) {
      auto it = params->find(name);
      if (it != params->end()) value = &it->second;
    }
    args.push_back(value ? std::optional<std::string>(ArgumentText(*value)) : std::nullopt);
  }
  return args;
}

// ---------------------------------------------------------------------------
// Errors.

std::string SourcePrefix(const SourceSpec& spec) { return "postgres source '" + spec.name + "': "; }

// PostgreSQL's message without the "ERROR:  " prefix and the LINE/caret
// lines after it.
std::string ServerMessage(const char* what) {
  std::string_view s(what);
  s = s.substr(0, s.find('\n'));
  for (std::string_view prefix : {"ERROR:", "FATAL:"}) {
    if (s.rfind(prefix, 0) == 0) s.remove_prefix(prefix.size());
  }
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return std::string(s);
}

bool IsConnectionLost(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

Status SqlError(const SourceSpec& spec, const std::string& sqlstate, const char* what,
                std::chrono::milliseconds statement_timeout, bool cancelled) {
  std::string message = SourcePrefix(spec) + ServerMessage(what);
  if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
  auto is_class = [&](const char* cls) { return sqlstate.rfind(cls, 0) == 0; };
  if (sqlstate == "57014") {
    if (cancelled) return Status::Cancelled(SourcePrefix(spec) + "cancelled");
    return Status::DeadlineExceeded(SourcePrefix(spec) +
                                    "query exceeded its statement timeout of " +
                                    std::to_string(statement_timeout.count()) + " ms");
  }
  if (IsConnectionLost(sqlstate) || is_class("40")) return Status::Unavailable(message);
  if (is_class("53")) return Status::ResourceExhausted(message);
  if (sqlstate == "42501") return Status(StatusCode::kPermissionDenied, message);
  if (is_class("42") || is_class("22") || sqlstate == "25006" || sqlstate == "0A000") {
    return Status::InvalidArgument(message);
  }
  if (sqlstate.empty() || is_class("XX")) return Status::Internal(message);
  return Status::FailedPrecondition(message);
}

// Cancels the connection's running query once `cancelled` turns true,
// polling every 50 ms on its own thread until destroyed. Inert for an empty
// `cancelled`. Best effort: a cancel that arrives between statements is
// ignored by the server.
class QueryCanceller {
 public:
  QueryCanceller(pqxx::connection& conn, const std::function<bool()>& cancelled) {
    if (!cancelled) return;
    thread_ = std::thread([this, &conn, cancelled] {
      MutexLock lock(&mu_);
      while (!done_) {
        if (cancelled()) {
          fired_ = true;
          try {
            conn.cancel_query();
          } catch (const std::exception&) {
            // Best effort: the query then runs to its timeout.
          }
          return;
        }
        wake_.WaitUntil(&mu_, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
      }
    });
  }
  ~QueryCanceller() {
    if (!thread_.joinable()) return;
    {
      MutexLock lock(&mu_);
      done_ = true;
    }
    wake_.SignalAll();
    thread_.join();
  }
  bool fired() const { return fired_; }

 private:
  Mutex mu_;
  CondVar wake_;
  bool done_ GUARDED_BY(mu_) = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

// ---------------------------------------------------------------------------
// Result conversion.

// How a result column's text reads, by type OID (pg_type.h).
enum class PgKind { kInt, kFloat, kBool, kDate, kTimestamp, kText };

PgKind KindOfOid(pqxx::oid oid) {
  switch (oid) {
    case 20:  // int8
    case 21:  // int2
    case 23:  // int4
      return PgKind::kInt;
    case 700:   // float4
    case 701:   // float8
    case 1700:  // numeric
      return PgKind::kFloat;
    case 16:  // bool
      return PgKind::kBool;
    case 1082:  // date
      return PgKind::kDate;
    case 1114:  // timestamp
    case 1184:  // timestamptz
      return PgKind::kTimestamp;
    default:  // text, varchar, bpchar, name, uuid, json, ...
      return PgKind::kText;
  }
}

ColumnType NaturalType(PgKind kind) {
  switch (kind) {
    case PgKind::kInt:
      return ColumnType::kInt;
    case PgKind::kFloat:
      return ColumnType::kFloat;
    case PgKind::kBool:
      return ColumnType::kBool;
    case PgKind::kDate:
      return ColumnType::kDate;
    case PgKind::kTimestamp:
    case PgKind::kText:
      break;
  }
  return ColumnType::kText;
}

// The value as text for a text column (or a declared type to parse into):
// bools "true"/"false", timestamptz without its "+00" (always UTC here).
std::string_view NaturalText(PgKind kind, std::string_view s) {
  if (kind == PgKind::kBool) return s == "t" ? "true" : "false";
  if (kind == PgKind::kTimestamp && s.size() > 3 && s.substr(s.size() - 3) == "+00") {
    s.remove_suffix(3);
  }
  return s;
}

// Appends one non-null value to `column`: the column's own type read
// directly where it matches the result's, else parsed from the text.
bool AppendValue(Column& column, PgKind kind, std::string_view s) {
  const char* end = s.data() + s.size();
  switch (column.type()) {
    case ColumnType::kInt:
      if (kind == PgKind::kInt) {
        int64_t v = 0;
        auto r = std::from_chars(s.data(), end, v);
        if (r.ec != std::errc() || r.ptr != end) return false;
        column.AppendInt(v);
        return true;
      }
      break;
    case ColumnType::kFloat:
      if (kind == PgKind::kInt || kind == PgKind::kFloat) {
        double v = 0;
        auto r = std::from_chars(s.data(), end, v);
        if (r.ec != std::errc() || r.ptr != end) return false;
        column.AppendFloat(v);
        return true;
      }
      break;
    case ColumnType::kBool:
      if (kind == PgKind::kBool) {
        column.AppendBool(s == "t");
        return true;
      }
      break;
    case ColumnType::kDate:
    case ColumnType::kText:
      break;
  }
  if (column.type() == ColumnType::kText) {
    column.AppendText(std::string(NaturalText(kind, s)));
    return true;
  }
  return column.AppendParsed(NaturalText(kind, s)).ok();
}

// Which result column fills each table column.
struct ColumnPlan {
  int result_column;
  PgKind kind;
  Column* column;
};

StatusOr<std::vector<ColumnPlan>> PlanColumns(const SourceSpec& spec, const pqxx::result& r,
                                              Table& table) {
  std::vector<ColumnPlan> plan;
  const int n = static_cast<int>(r.columns());
  if (spec.columns.empty()) {
    for (int j = 0; j < n; ++j) {
      PgKind kind = KindOfOid(r.column_type(j));
      Column* column = table.AddColumn(r.column_name(j), NaturalType(kind));
      if (column == nullptr) {
        return Status::InvalidArgument(SourcePrefix(spec) + "the result has two columns named '" +
                                       r.column_name(j) + "'; give them distinct aliases");
      }
      plan.push_back({j, kind, column});
    }
    return plan;
  }
  for (const ColumnSpec& declared : spec.columns) {
    int found = -1;
    for (int j = 0; j < n && found < 0; ++j) {
      if (declared.name == r.column_name(j)) found = j;
    }
    if (found < 0) {
      std::string have;
      for (int j = 0; j < n; ++j) have += std::string(j ? ", " : "") + r.column_name(j);
      return Status::InvalidArgument(
          SourcePrefix(spec) + "the result has no column '" + declared.name +
          "' (declared in columns); it has: " + (have.empty() ? "no columns" : have));
    }
    Column* column = table.AddColumn(declared.name, declared.type);
    if (column == nullptr) {
      return Status::InvalidArgument(SourcePrefix(spec) + "column '" + declared.name +
                                     "' is declared twice");
    }
    plan.push_back({found, KindOfOid(r.column_type(found)), column});
  }
  return plan;
}

StatusOr<Table> ConvertResult(const SourceSpec& spec, const pqxx::result& r,
                              const FetchContext& ctx) {
  Table table;
  StatusOr<std::vector<ColumnPlan>> plan = PlanColumns(spec, r, table);
  if (!plan.ok()) return plan.status();
  const size_t rows = r.size();
  for (size_t i = 0; i < rows; ++i) {
    if ((i & 4095) == 0 && ctx.cancelled && ctx.cancelled()) {
      return Status::Cancelled(SourcePrefix(spec) + "cancelled");
    }
    const pqxx::row row = r[static_cast<pqxx::result::size_type>(i)];
    for (const ColumnPlan& p : *plan) {
      const pqxx::field f = row[static_cast<pqxx::row::size_type>(p.result_column)];
      if (f.is_null()) {
        p.column->AppendNull();
      } else if (!AppendValue(*p.column, p.kind, std::string_view(f.c_str(), f.size()))) {
        return Status::InvalidArgument(SourcePrefix(spec) + "row " + std::to_string(i + 1) +
                                       ", column '" + p.column->name() + "': cannot read '" +
                                       f.c_str() + "' as " + ColumnTypeName(p.column->type()));
      }
    }
  }
  return table;
}

// ---------------------------------------------------------------------------
// The query.

// One attempt on one connection. Sets *connection_lost when the connection
// broke (or must not be reused).
StatusOr<Table> RunQuery(const SourceSpec& spec, pqxx::connection& conn,
                         const std::vector<std::optional<std::string>>& args,
                         std::chrono::milliseconds statement_timeout, const FetchContext& ctx,
                         bool* connection_lost) {
  std::vector<const char*> values;  // nullptr binds NULL
  for (const auto& a : args) values.push_back(a ? a->c_str() : nullptr);
  bool cancel_fired = false;
  try {
    pqxx::read_transaction tx(conn);
    tx.exec("SET LOCAL statement_timeout = " + std::to_string(statement_timeout.count()) +
            "; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL TimeZone = 'UTC'"
            "; SET LOCAL extra_float_digits = 3");
    pqxx::result r;
    {
      QueryCanceller canceller(conn, ctx.cancelled);
      try {
        r = tx.exec_params(spec.query, pqxx::prepare::make_dynamic_params(values));
      } catch (...) {
        cancel_fired = canceller.fired();
        throw;
      }
      cancel_fired = canceller.fired();
    }
    // A cancel request may still be in flight: do not reuse the connection.
    if (cancel_fired) *connection_lost = true;
    tx.commit();
    return ConvertResult(spec, r, ctx);
  } catch (const pqxx::broken_connection& e) {
    *connection_lost = true;
    return Status::Unavailable(SourcePrefix(spec) + "connection '" + spec.connection +
                               "' lost: " + ServerMessage(e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    *connection_lost = true;
    return Status::Unavailable(SourcePrefix(spec) + ServerMessage(e.what()));
  } catch (const pqxx::sql_error& e) {
    if (IsConnectionLost(e.sqlstate()) || cancel_fired) *connection_lost = true;
    return SqlError(spec, e.sqlstate(), e.what(), statement_timeout, cancel_fired);
  } catch (const std::exception& e) {
    *connection_lost = !conn.is_open();
    return Status::Internal(SourcePrefix(spec) + e.what());
  }
}

}  // namespace

StatusOr<Table> FetchPostgresSource(const SourceSpec& spec, PostgresPool& pool,
                                    const FetchContext& ctx,
                                    std::chrono::milliseconds default_statement_timeout) {
  if (spec.query.empty()) return Status::InvalidArgument(SourcePrefix(spec) + "no query");
  const std::chrono::milliseconds statement_timeout =
      std::max(std::chrono::milliseconds(1),
               std::min(spec.timeout.value_or(default_statement_timeout), ctx.timeout));
  const std::vector<std::optional<std::string>> args = BindArguments(spec, ctx.params);
  // A second attempt only when a connection reused from the pool turned out
  // broken (the server restarted since): the query is read-only.
  for (int attempt = 0;; ++attempt) {
    if (ctx.cancelled && ctx.cancelled()) {
      return Status::Cancelled(SourcePrefix(spec) + "cancelled");
    }
    StatusOr<PostgresPool::Lease> lease = pool.Borrow(spec.connection, ctx.timeout, ctx.cancelled);
    if (!lease.ok()) {
      return Status(lease.status().code(), SourcePrefix(spec) + lease.status().message());
    }
    bool connection_lost = false;
    StatusOr<Table> table =
        RunQuery(spec, lease->connection(), args, statement_timeout, ctx, &connection_lost);
    if (!connection_lost) return table;
    lease->MarkBroken();
    if (!lease->reused() || attempt > 0 || table.status().code() != StatusCode::kUnavailable) {
      return table;
    }
  }
}

}  // namespace quire
