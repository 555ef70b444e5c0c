// The row-wise and column-list steps: filter and derive (an expression per
// row over the row's cells), select and rename.
#include <optional>

#include "common/template/expression.h"
#include "report/data/internal/transform_steps.h"

namespace quire::internal {
namespace {

// A cell as the expression language sees it: numbers, bools, text; dates
// as ISO text (as parameters are), null as null.
ExprValue CellValue(const Column& c, size_t row) {
  ExprValue v;
  if (c.IsNull(row)) return v;
  switch (c.type()) {
    case ColumnType::kText:
      v.kind = ExprValue::Kind::kText;
      v.text = c.text_value(row);
      break;
    case ColumnType::kBool:
      v.kind = ExprValue::Kind::kBool;
      v.boolean = c.int_value(row) != 0;
      break;
    case ColumnType::kDate:
      v.kind = ExprValue::Kind::kText;
      v.text = FormatDate(c.int_value(row));
      break;
    case ColumnType::kInt:
      v.kind = ExprValue::Kind::kNumber;
      v.number = static_cast<double>(c.int_value(row));
      break;
    case ColumnType::kFloat:
      v.kind = ExprValue::Kind::kNumber;
      v.number = c.float_value(row);
      break;
  }
  return v;
}

// One parsed expression evaluated row by row over a table's columns.
class RowExpression {
 public:
  // INVALID_ARGUMENT naming the transform and `what` ("filter", "derive
  // 'x'") for bad syntax or a column the table lacks.
  static StatusOr<RowExpression> Make(const std::string& text, const Table& table,
                                      const std::string& what, const StepContext& ctx) {
    StatusOr<Expression> e = Expression::Parse(text);
    if (!e.ok()) return ctx.Invalid(what + ": " + e.status().message());
    RowExpression r(std::move(e).value(), what);
    for (const std::string& name : r.expr_.columns()) {
      StatusOr<const Column*> c = ctx.Find(table, name, what.c_str());
      if (!c.ok()) return c.status();
      r.columns_.push_back(*c);
    }
    return r;
  }

  ColumnType ResultType() const {
    return expr_.ResultType([this](const std::string& name) -> std::optional<ColumnType> {
      const Column* c = Lookup(name);
      return c != nullptr ? std::optional(c->type()) : std::nullopt;
    });
  }

  StatusOr<ExprValue> Evaluate(size_t row, const ParamValues& params,
                               const StepContext& ctx) const {
    StatusOr<ExprValue> v =
        expr_.Evaluate(params, [&](const std::string& name) -> std::optional<ExprValue> {
          const Column* c = Lookup(name);
          return c != nullptr ? std::optional(CellValue(*c, row)) : std::nullopt;
        });
    if (!v.ok())
      return ctx.Invalid(what_ + ", row " + std::to_string(row + 1) + ": " + v.status().message());
    return v;
  }

 private:
  RowExpression(Expression expr, std::string what)
      : expr_(std::move(expr)), what_(std::move(what)) {}

  const Column* Lookup(const std::string& name) const {
    const std::vector<std::string>& names = expr_.columns();
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return columns_[i];
    }
    return nullptr;
  }

  Expression expr_;
  std::string what_;
  std::vector<const Column*> columns_;  // by expr_.columns()
};

// Appends `v` to `out` as its type; false when it does not convert.
bool AppendValue(const ExprValue& v, Column& out) {
  using K = ExprValue::Kind;
  if (v.kind == K::kNull) {
    out.AppendNull();
    return true;
  }
  if (v.kind == K::kList) return false;
  switch (out.type()) {
    case ColumnType::kText:
      out.AppendText(v.kind == K::kText     ? v.text
                     : v.kind == K::kNumber ? FormatDouble(v.number)
                                            : (v.boolean ? "true" : "false"));
      return true;
    case ColumnType::kBool:
      out.AppendBool(v.Truthy());
      return true;
    case ColumnType::kFloat:
      if (v.kind == K::kNumber || v.kind == K::kBool) {
        out.AppendFloat(v.kind == K::kNumber ? v.number : v.boolean ? 1 : 0);
        return true;
      }
      break;
    case ColumnType::kInt:
      if (v.kind == K::kNumber && v.number == static_cast<double>(static_cast<int64_t>(v.number))) {
        out.AppendInt(static_cast<int64_t>(v.number));
        return true;
      }
      break;
    case ColumnType::kDate:
      break;
  }
  // Text that reads as the type (a date column's ISO text, numeric text).
  return v.kind == K::kText && out.AppendParsed(v.text).ok();
}

}  // namespace

StatusOr<Table> FilterStep(const Table& in, const std::string& filter, const ParamValues& params,
                           const StepContext& ctx) {
  StatusOr<RowExpression> e = RowExpression::Make(filter, in, "filter", ctx);
  if (!e.ok()) return e.status();
  std::vector<size_t> kept;
  const size_t rows = in.num_rows();
  for (size_t r = 0; r < rows; ++r) {
    QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(r));
    StatusOr<ExprValue> v = e->Evaluate(r, params, ctx);
    if (!v.ok()) return v.status();
    if (v->Truthy()) kept.push_back(r);
  }
  return in.SelectRows(kept);
}

StatusOr<Table> DeriveStep(Table in, const std::vector<std::pair<std::string, std::string>>& derive,
                           const ParamValues& params, const StepContext& ctx) {
  for (const auto& [name, text] : derive) {
    const std::string what = "derive '" + name + "'";
    StatusOr<RowExpression> e = RowExpression::Make(text, in, what, ctx);
    if (!e.ok()) return e.status();
    const size_t rows = in.num_rows();
    Column column(name, e->ResultType());
    for (size_t r = 0; r < rows; ++r) {
      QUIRE_RETURN_IF_ERROR(ctx.CheckCancelled(r));
      StatusOr<ExprValue> v = e->Evaluate(r, params, ctx);
      if (!v.ok()) return v.status();
      if (!AppendValue(*v, column)) {
        return ctx.Invalid(what + ", row " + std::to_string(r + 1) + ": the value is not a " +
                           ColumnTypeName(column.type()));
      }
    }
    Column* slot = in.FindColumn(name);
    if (slot == nullptr) slot = in.AddColumn(name, column.type());
    *slot = std::move(column);
  }
  return in;
}

StatusOr<Table> SelectStep(Table in, const std::vector<std::string>& select,
                           const StepContext& ctx) {
  std::vector<Column> columns;
  for (const std::string& name : select) {
    for (const Column& c : columns) {
      if (c.name() == name) return ctx.Invalid("select: '" + name + "' twice");
    }
    StatusOr<const Column*> c = ctx.Find(in, name, "select");
    if (!c.ok()) return c.status();
    columns.push_back(std::move(*in.FindColumn(name)));
  }
  return TableOfColumns(std::move(columns), ctx);
}

StatusOr<Table> RenameStep(Table in, const std::vector<std::pair<std::string, std::string>>& rename,
                           const StepContext& ctx) {
  // The names after each pair in turn, as the validator follows them.
  std::vector<std::string> names;
  for (size_t i = 0; i < in.num_columns(); ++i) names.push_back(in.column(i).name());
  for (const auto& [from, to] : rename) {
    bool found = false;
    for (std::string& n : names) {
      if (n == from) {
        n = to;
        found = true;
      }
    }
    if (!found) return ctx.Invalid("rename: no column '" + from + "'");
  }
  std::vector<Column> columns = TakeColumns(std::move(in));
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name() == names[i]) continue;
    // Column names are fixed at construction: copy the cells over.
    Column renamed(names[i], columns[i].type());
    for (size_t r = 0; r < columns[i].size(); ++r) renamed.AppendFrom(columns[i], r);
    columns[i] = std::move(renamed);
  }
  return TableOfColumns(std::move(columns), ctx);
}

}  // namespace quire::internal
