// The postgres source kind: runs a source's SQL on one of the worker's
// named connections and builds its Table. Not responsible for caching,
// retries or fallbacks (the collect stage) nor for holding connections
// (PostgresPool).
//
// Each query runs alone in a READ ONLY transaction with SET LOCAL
// statement_timeout, DateStyle ISO and TimeZone UTC. Parameters are real
// bind arguments ($1..$n in `bind_params` order), never spliced into SQL.
#pragma once

#include <chrono>

#include "common/base/status.h"
#include "common/store/postgres_pool.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/data/source.h"

namespace quire {

// Fetches `spec` (kind postgres) through `pool`.
//
// Bind arguments, from ctx.params by the names in spec.bind_params: ints and
// floats as numbers, bools true/false, dates 'YYYY-MM-DD', datetimes
// 'YYYY-MM-DD HH:MM:SS' (UTC), strings and enums as they are, lists as
// array literals ('{"a","b"}', so `= ANY($1)` works); an absent parameter is
// NULL.
//
// Result columns by type: int2/int4/int8 -> int; float4/float8/numeric ->
// float; bool -> bool; date -> date; timestamp and timestamptz -> text
// 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC (the Table has no datetime type);
// everything else (text, varchar, uuid, json, ...) -> text. SQL NULL ->
// null. When the source declares `columns`, the table has exactly those,
// in that order, converted to the declared types (undeclared result
// columns are dropped).
//
// The statement timeout is the source's `timeout`, else
// `default_statement_timeout`, at most ctx.timeout, which also bounds the
// wait for a pooled connection. A reused connection found broken is
// replaced and the query tried once more.
//
// Errors (messages name the source): UNAVAILABLE when the server cannot be
// reached, the connection breaks or the server shuts down, and for
// serialization failures/deadlocks (transient); DEADLINE_EXCEEDED when the
// statement timeout fires or no connection frees up in time;
// RESOURCE_EXHAUSTED for SQLSTATE class 53 (transient); INVALID_ARGUMENT
// with PostgreSQL's message for SQLSTATE class 42 (syntax, undefined table
// or column), class 22 (bad data, e.g. a parameter of the wrong type), a
// write in the read-only transaction, a missing declared column or a value
// that does not convert to its declared type; PERMISSION_DENIED for
// SQLSTATE 42501; FAILED_PRECONDITION for an unknown connection name, a
// rejected login and other SQL errors; CANCELLED when ctx.cancelled turns
// true (checked while waiting, during the query and between rows);
// INTERNAL for anything else.
StatusOr<Table> FetchPostgresSource(const SourceSpec& spec, PostgresPool& pool,
                                    const FetchContext& ctx,
                                    std::chrono::milliseconds default_statement_timeout);

}  // namespace quire
