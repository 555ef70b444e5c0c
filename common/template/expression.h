// Expression: the small expression language of `when:`,
// transform `filter:` and `derive:` — literals (numbers, 'text', true,
// false, null, [lists]), column names, params.NAME, comparisons (== != < <=
// > >= in), and/or/not, + - * / % and parentheses. No functions, no
// assignment: nothing in a template runs code.
//
// Parsing is separate from evaluation so that the validator can check an
// expression's references once and renderers can evaluate it many times.
// Public because the data transforms (report/data) evaluate `filter:` and
// `derive:` with it, row by row.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

struct ExprValue {
  enum class Kind { kNull, kBool, kNumber, kText, kList };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<ExprValue> items;

  // null, false, 0 and "" are false; everything else is true.
  bool Truthy() const;
};

// ParamValue -> ExprValue: int/float numbers, bool booleans, lists lists,
// everything else (dates included, which compare correctly as ISO text) text.
ExprValue ToExprValue(const ParamValue& value);

class Expression {
 public:
  // INVALID_ARGUMENT "... at character N" (1-based) for bad syntax.
  static StatusOr<Expression> Parse(std::string_view text);

  // Column names and params.NAME names the expression refers to, in order
  // of appearance, without repeats.
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::string>& params() const { return params_; }

  // The type of the result when `column_type` gives the type of each
  // referenced column: kBool for comparisons and logic, kFloat for
  // arithmetic, a column's own type for a bare column, kText for text.
  ColumnType ResultType(
      const std::function<std::optional<ColumnType>(const std::string&)>& column_type) const;

  // `column` yields the current row's value of a column (nullopt: no such
  // column, an error). Without `column` any column reference is an error.
  StatusOr<ExprValue> Evaluate(
      const ParamValues& params,
      const std::function<std::optional<ExprValue>(const std::string&)>& column = {}) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
  std::vector<std::string> columns_;
  std::vector<std::string> params_;
};

}  // namespace quire
