// Transforms: computes a template's named derived tables (TransformSpec)
// from the collected source tables. Pure computation over the Table model:
// no I/O, no fetching, no rendering; the validator (common/
// template_transforms.cc) checks references beforehand, and the columns
// produced match the schema it infers (TransformSpec::columns).
//
// Steps apply in this order: join, filter, derive, group_by + aggregate,
// pivot, select, rename, sort, limit (+ other). Semantics (SQL-like):
//  - join: rows of `from` matched to rows of `with` on equal values of every
//    `on` column; inner keeps matched rows only, left keeps every `from` row
//    (nulls where nothing matched). Several matches give one row each, in
//    `with`'s order. A null key matches nothing. Keys of different types
//    compare as numbers (int/float) or else as display text. Columns: all of
//    `from`'s, then `with`'s whose names `from` lacks — a clashing column of
//    `with` (keys included) is left out; rename it in an earlier transform
//    to keep it.
//  - filter: keeps the rows where the expression is true. A null is false;
//    < <= > >= and == against a null are false (`x == null` tests for null),
//    while `x != v` is true for a null x (the expression language's rule:
//    null equals only null).
//  - derive: each new column in turn (later ones see earlier ones); a name
//    already there is replaced in place. Its type is the expression's
//    (Expression::ResultType): arithmetic float, comparisons bool, a bare
//    column its own. Arithmetic with a null gives null; / and % by zero
//    give null.
//  - group_by + aggregate: one row per distinct key, in order of first
//    appearance; a null key value is a group of its own. Aggregate without
//    group_by: one row, even over no rows. Nulls are skipped: count() counts
//    rows, count(col) non-null cells, count_distinct distinct display texts;
//    sum, avg, min, max, median, p95 of no values are null. Types: count and
//    count_distinct int; sum int over int, else float; min and max the
//    column's (text and dates too); avg, median, p95 float.
//  - pivot: one row per distinct `index` value (first appearance; null is a
//    value), then one column per distinct non-null `columns` value, named by
//    its display text, in order of first appearance (rows with a null
//    `columns` value are left out); the cell is the sum of the numeric
//    `values` of its rows (int stays int), or the first non-null value of
//    another type; null where no row has a value. Other columns are dropped.
//  - select: those columns in that order; rename: each pair in turn.
//  - sort: stable, by each key in turn ("-col" descending), nulls last in
//    either direction.
//  - limit N: the first N rows; with `other: true` and more rows, one final
//    row: "Other" in the first text column, each int/float column summed over
//    the rows past N (null when they have no values), the others null.
// Errors: INVALID_ARGUMENT naming the transform for what only shows at run
// time (a missing column of a schema the validator could not know, a
// non-numeric column for sum/avg/median/p95, an expression that fails on a
// row, a duplicate column name); CANCELLED when `cancelled` (may be empty;
// looked at every 65,536 rows) returns true.
#pragma once

#include <functional>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

// The table of transform `t` over `data` (which holds its `from` and
// `join.with` tables; FAILED_PRECONDITION naming the missing one
// otherwise). `params` serve params.NAME in filter and derive.
StatusOr<Table> ApplyTransform(const TransformSpec& t, const ReportData& data,
                               const ParamValues& params,
                               const std::function<bool()>& cancelled = {});

// Every transform of `tmpl` in document order, each table stored in `data`
// under the transform's name (later transforms read earlier ones). A
// transform with an input without a table (an optional source that could
// not be read, or a transform over one) gets no table: not an error. Stops
// at the first error, which names the transform.
Status RunTransforms(const ReportTemplate& tmpl, const ParamValues& params, ReportData* data,
                     const std::function<bool()>& cancelled = {});

}  // namespace quire
