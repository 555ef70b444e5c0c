// Expression: a recursive-descent parser into a small tree, and a
// tree-walking evaluator.
//
//   or   := and ("or" and)*          and := not ("and" not)*
//   not  := "not" not | cmp          cmp := sum (("=="|"!="|"<"|"<="|">"|">="|"in") sum)?
//   sum  := prod (("+"|"-") prod)*   prod := unary (("*"|"/"|"%") unary)*
//   unary:= "-" unary | atom
//   atom := number | 'text' | "text" | true | false | null | params.NAME | NAME
//         | "(" or ")" | "[" (or ("," or)*)? "]"
#include "common/template/expression.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace quire {

struct Expression::Node {
  enum class Op {
    kLiteral,
    kColumn,
    kParam,
    kList,
    kNot,
    kNeg,
    kAnd,
    kOr,
    kEq,
    kNe,
    kLt,
    kLe,
    kGt,
    kGe,
    kIn,
    kAdd,
    kSub,
    kMul,
    kDiv,
    kMod
  };
  Op op = Op::kLiteral;
  ExprValue literal;
  std::string name;  // kColumn, kParam
  std::vector<std::shared_ptr<const Node>> args;
};

namespace {

using Node = Expression::Node;
using Op = Node::Op;
using NodePtr = std::shared_ptr<const Node>;

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<NodePtr> ParseAll() {
    NodePtr root = Or();
    if (status_.ok()) {
      Skip();
      if (pos_ < text_.size()) Fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    }
    if (!status_.ok()) return status_;
    return root;
  }

  std::vector<std::string> columns, params;

 private:
  void Fail(const std::string& what) {
    if (status_.ok()) {
      status_ = Status::InvalidArgument(what + " at character " + std::to_string(pos_ + 1));
    }
  }
  void Skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  // Consumes `token` (a keyword must not run on into an identifier).
  bool Accept(std::string_view token) {
    Skip();
    if (text_.substr(pos_, token.size()) != token) return false;
    if (IsIdentChar(token.back()) && pos_ + token.size() < text_.size() &&
        IsIdentChar(text_[pos_ + token.size()])) {
      return false;
    }
    pos_ += token.size();
    return true;
  }
  static NodePtr Make(Op op, std::vector<NodePtr> args) {
    auto n = std::make_shared<Node>();
    n->op = op;
    n->args = std::move(args);
    return n;
  }

  // Bounds recursion (nested parentheses, "not not ...", "- - ...") so that
  // no input can exhaust the stack.
  class Depth {
   public:
    explicit Depth(Parser* p) : p_(p) {
      if (++p_->depth_ > kMaxDepth) p_->Fail("expression nested too deeply");
    }
    ~Depth() { --p_->depth_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;

   private:
    Parser* p_;
  };
  static constexpr int kMaxDepth = 64;

  NodePtr Or() {
    Depth depth(this);
    if (!status_.ok()) return std::make_shared<Node>();
    NodePtr left = And();
    while (status_.ok() && Accept("or")) left = Make(Op::kOr, {left, And()});
    return left;
  }
  NodePtr And() {
    NodePtr left = Not();
    while (status_.ok() && Accept("and")) left = Make(Op::kAnd, {left, Not()});
    return left;
  }
  NodePtr Not() {
    Depth depth(this);
    if (!status_.ok()) return std::make_shared<Node>();
    if (Accept("not")) return Make(Op::kNot, {Not()});
    return Compare();
  }
  NodePtr Compare() {
    NodePtr left = Sum();
    static const std::pair<const char*, Op> kOps[] = {
        {"==", Op::kEq}, {"!=", Op::kNe}, {"<=", Op::kLe}, {">=", Op::kGe},
        {"<", Op::kLt},  {">", Op::kGt},  {"in", Op::kIn}};
    if (!status_.ok()) return left;
    for (const auto& [token, op] : kOps) {
      if (Accept(token)) return Make(op, {left, Sum()});
    }
    Skip();
    if (pos_ < text_.size() && text_[pos_] == '=') Fail("use '==' to compare, not '='");
    return left;
  }
  NodePtr Sum() {
    NodePtr left = Product();
    while (status_.ok()) {
      if (Accept("+")) {
        left = Make(Op::kAdd, {left, Product()});
      } else if (Accept("-")) {
        left = Make(Op::kSub, {left, Product()});
      } else {
        break;
      }
    }
    return left;
  }
  NodePtr Product() {
    NodePtr left = Unary();
    while (status_.ok()) {
      if (Accept("*")) {
        left = Make(Op::kMul, {left, Unary()});
      } else if (Accept("/")) {
        left = Make(Op::kDiv, {left, Unary()});
      } else if (Accept("%")) {
        left = Make(Op::kMod, {left, Unary()});
      } else {
        break;
      }
    }
    return left;
  }
  NodePtr Unary() {
    Depth depth(this);
    if (!status_.ok()) return std::make_shared<Node>();
    if (Accept("-")) return Make(Op::kNeg, {Unary()});
    return Atom();
  }
  NodePtr Atom() {
    Skip();
    auto n = std::make_shared<Node>();
    if (pos_ >= text_.size()) {
      Fail("expression ends too early");
      return n;
    }
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      NodePtr inner = Or();
      if (!Accept(")")) Fail("missing ')'");
      return inner;
    }
    if (c == '[') {
      ++pos_;
      n->op = Op::kList;
      if (!Accept("]")) {
        do {
          n->args.push_back(Or());
        } while (status_.ok() && Accept(","));
        if (!Accept("]")) Fail("missing ']'");
      }
      return n;
    }
    if (c == '\'' || c == '"') {
      const size_t close = text_.find(c, pos_ + 1);
      if (close == std::string_view::npos) {
        Fail("unterminated text");
        return n;
      }
      n->literal.kind = ExprValue::Kind::kText;
      n->literal.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t end = pos_;
      while (end < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.')) {
        ++end;
      }
      auto v = ParseFloat(text_.substr(pos_, end - pos_));
      if (!v) {
        Fail("bad number '" + std::string(text_.substr(pos_, end - pos_)) + "'");
        return n;
      }
      n->literal.kind = ExprValue::Kind::kNumber;
      n->literal.number = *v;
      pos_ = end;
      return n;
    }
    if (IsIdentStart(c)) {
      size_t end = pos_;
      while (end < text_.size() && (IsIdentChar(text_[end]) || text_[end] == '.')) ++end;
      const std::string word(text_.substr(pos_, end - pos_));
      if (word == "true" || word == "false") {
        n->literal.kind = ExprValue::Kind::kBool;
        n->literal.boolean = word == "true";
      } else if (word == "null") {
        n->literal.kind = ExprValue::Kind::kNull;
      } else if (word == "and" || word == "or" || word == "not" || word == "in") {
        Fail("unexpected '" + word + "'");
        return n;
      } else if (word.rfind("params.", 0) == 0) {
        n->op = Op::kParam;
        n->name = word.substr(7);
        if (n->name.empty() || n->name.find('.') != std::string::npos) {
          Fail("bad parameter reference '" + word + "'");
          return n;
        }
        if (std::find(params.begin(), params.end(), n->name) == params.end()) {
          params.push_back(n->name);
        }
      } else if (word.find('.') != std::string::npos) {
        Fail("unknown name '" + word + "' (only params.NAME has a dot)");
        return n;
      } else {
        n->op = Op::kColumn;
        n->name = word;
        if (std::find(columns.begin(), columns.end(), word) == columns.end()) {
          columns.push_back(word);
        }
      }
      pos_ = end;
      return n;
    }
    Fail("unexpected '" + std::string(1, c) + "'");
    return n;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
  Status status_;
};

ExprValue Bool(bool b) {
  ExprValue v;
  v.kind = ExprValue::Kind::kBool;
  v.boolean = b;
  return v;
}

ExprValue Number(double d) {
  ExprValue v;
  v.kind = ExprValue::Kind::kNumber;
  v.number = d;
  return v;
}

// A number for arithmetic and mixed comparisons: numbers, bools, numeric text.
std::optional<double> AsNumber(const ExprValue& v) {
  switch (v.kind) {
    case ExprValue::Kind::kNumber:
      return v.number;
    case ExprValue::Kind::kBool:
      return v.boolean ? 1 : 0;
    case ExprValue::Kind::kText:
      return ParseFloat(v.text);
    default:
      return std::nullopt;
  }
}

// <0, 0, >0, or nullopt when the two cannot be ordered.
std::optional<int> Compare(const ExprValue& a, const ExprValue& b) {
  using K = ExprValue::Kind;
  if (a.kind == K::kNull || b.kind == K::kNull) {
    if (a.kind == b.kind) return 0;
    return std::nullopt;
  }
  if (a.kind == K::kText && b.kind == K::kText)
    return a.text.compare(b.text) < 0 ? -1 : a.text == b.text ? 0 : 1;
  auto x = AsNumber(a), y = AsNumber(b);
  if (x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
  return std::nullopt;
}

using ColumnFn = std::function<std::optional<ExprValue>(const std::string&)>;

StatusOr<ExprValue> Eval(const Node& n, const ParamValues& params, const ColumnFn& column) {
  switch (n.op) {
    case Op::kLiteral:
      return n.literal;
    case Op::kParam: {
      auto it = params.find(n.name);
      return it == params.end() ? ExprValue() : ToExprValue(it->second);
    }
    case Op::kColumn: {
      std::optional<ExprValue> v;
      if (column) v = column(n.name);
      if (!v) return Status::InvalidArgument("unknown name '" + n.name + "'");
      return *v;
    }
    default:
      break;
  }
  std::vector<ExprValue> args;
  for (const NodePtr& a : n.args) {
    // and/or short-circuit.
    if (!args.empty() && n.op == Op::kAnd && !args[0].Truthy()) return Bool(false);
    if (!args.empty() && n.op == Op::kOr && args[0].Truthy()) return Bool(true);
    StatusOr<ExprValue> v = Eval(*a, params, column);
    if (!v.ok()) return v.status();
    args.push_back(std::move(v).value());
  }
  switch (n.op) {
    case Op::kList: {
      ExprValue v;
      v.kind = ExprValue::Kind::kList;
      v.items = std::move(args);
      return v;
    }
    case Op::kNot:
      return Bool(!args[0].Truthy());
    case Op::kAnd:
    case Op::kOr:
      return Bool(args[1].Truthy());
    case Op::kNeg: {
      auto x = AsNumber(args[0]);
      return x ? Number(-*x) : ExprValue();
    }
    case Op::kEq:
    case Op::kNe: {
      auto c = Compare(args[0], args[1]);
      return Bool((c && *c == 0) == (n.op == Op::kEq));
    }
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      auto c = Compare(args[0], args[1]);
      if (!c) return Bool(false);
      if (n.op == Op::kLt) return Bool(*c < 0);
      if (n.op == Op::kLe) return Bool(*c <= 0);
      if (n.op == Op::kGt) return Bool(*c > 0);
      return Bool(*c >= 0);
    }
    case Op::kIn: {
      if (args[1].kind != ExprValue::Kind::kList) {
        return Status::InvalidArgument("'in' needs a list on its right");
      }
      for (const ExprValue& item : args[1].items) {
        auto c = Compare(args[0], item);
        if (c && *c == 0) return Bool(true);
      }
      return Bool(false);
    }
    default:
      break;
  }
  // Arithmetic; '+' of two texts joins them.
  if (n.op == Op::kAdd && args[0].kind == ExprValue::Kind::kText &&
      args[1].kind == ExprValue::Kind::kText) {
    ExprValue v;
    v.kind = ExprValue::Kind::kText;
    v.text = args[0].text + args[1].text;
    return v;
  }
  auto x = AsNumber(args[0]), y = AsNumber(args[1]);
  if (!x || !y) return ExprValue();
  switch (n.op) {
    case Op::kAdd:
      return Number(*x + *y);
    case Op::kSub:
      return Number(*x - *y);
    case Op::kMul:
      return Number(*x * *y);
    case Op::kDiv:
      return *y == 0 ? ExprValue() : Number(*x / *y);
    case Op::kMod:
      return *y == 0 ? ExprValue() : Number(std::fmod(*x, *y));
    default:
      break;
  }
  return Status::Internal("unknown expression operator");
}

ColumnType TypeOf(const Node& n,
                  const std::function<std::optional<ColumnType>(const std::string&)>& column) {
  switch (n.op) {
    case Op::kLiteral:
      switch (n.literal.kind) {
        case ExprValue::Kind::kBool:
          return ColumnType::kBool;
        case ExprValue::Kind::kNumber:
          return ColumnType::kFloat;
        default:
          return ColumnType::kText;
      }
    case Op::kColumn: {
      auto t = column ? column(n.name) : std::nullopt;
      return t.value_or(ColumnType::kText);
    }
    case Op::kParam:
    case Op::kList:
      return ColumnType::kText;
    case Op::kNeg:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
    case Op::kMod:
      return ColumnType::kFloat;
    case Op::kAdd: {
      const bool text = TypeOf(*n.args[0], column) == ColumnType::kText &&
                        TypeOf(*n.args[1], column) == ColumnType::kText;
      return text ? ColumnType::kText : ColumnType::kFloat;
    }
    default:
      return ColumnType::kBool;
  }
}

}  // namespace

bool ExprValue::Truthy() const {
  switch (kind) {
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return boolean;
    case Kind::kNumber:
      return number != 0;
    case Kind::kText:
      return !text.empty();
    case Kind::kList:
      return !items.empty();
  }
  return false;
}

ExprValue ToExprValue(const ParamValue& value) {
  ExprValue v;
  switch (value.type) {
    case ParamType::kInt:
    case ParamType::kFloat:
      return Number(value.float_value);
    case ParamType::kBool:
      return Bool(value.int_value != 0);
    case ParamType::kList:
      v.kind = ExprValue::Kind::kList;
      for (const ParamValue& item : value.items) v.items.push_back(ToExprValue(item));
      return v;
    default:
      v.kind = ExprValue::Kind::kText;
      v.text = value.text;
      return v;
  }
}

StatusOr<Expression> Expression::Parse(std::string_view text) {
  Parser parser(text);
  StatusOr<NodePtr> root = parser.ParseAll();
  if (!root.ok()) return root.status();
  Expression e;
  e.root_ = std::move(root).value();
  e.columns_ = std::move(parser.columns);
  e.params_ = std::move(parser.params);
  return e;
}

ColumnType Expression::ResultType(
    const std::function<std::optional<ColumnType>(const std::string&)>& column_type) const {
  return TypeOf(*root_, column_type);
}

StatusOr<ExprValue> Expression::Evaluate(const ParamValues& params, const ColumnFn& column) const {
  return Eval(*root_, params, column);
}

StatusOr<bool> EvaluateCondition(std::string_view expression, const ParamValues& params) {
  StatusOr<Expression> e = Expression::Parse(expression);
  if (!e.ok()) return e.status();
  StatusOr<ExprValue> v = e->Evaluate(params);
  if (!v.ok()) return v.status();
  return v->Truthy();
}

}  // namespace quire
