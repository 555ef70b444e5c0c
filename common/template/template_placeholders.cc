// Placeholders: parsing {{ head | filter("arg") }} and expanding them
// against parameters, the render time, a for_each group and data tables.
#include "common/template/internal/template_placeholders.h"

#include <cctype>
#include <cmath>
#include <ctime>

#include "common/table/table_format.h"
#include "common/template/template.h"

namespace quire {
namespace internal {
namespace {

bool IsName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// 'text', built by appending (GCC 12 warns falsely, -Wrestrict, on "'" + s).
std::string Quoted(std::string_view s) {
  std::string out(1, '\'');
  out.append(s).append(1, '\'');
  return out;
}

// Splits at '|' outside quotes.
std::vector<std::string_view> SplitPipes(std::string_view s) {
  std::vector<std::string_view> parts;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quote != 0) {
      if (s[i] == quote) quote = 0;
    } else if (s[i] == '"' || s[i] == '\'') {
      quote = s[i];
    } else if (s[i] == '|') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

}  // namespace

const std::vector<std::string>& PlaceholderFilterNames() {
  static const std::vector<std::string> kNames = {
      "date", "number", "upper", "lower",  "default", "sum",           "count",
      "avg",  "min",    "max",   "median", "p95",     "count_distinct"};
  return kNames;
}

StatusOr<Placeholder> ParsePlaceholder(std::string_view expression) {
  std::vector<std::string_view> parts = SplitPipes(expression);
  Placeholder p;
  const std::string_view head = TrimSpace(parts[0]);
  if (head == "now") {
    p.head = Placeholder::Head::kNow;
  } else if (head == "group") {
    p.head = Placeholder::Head::kGroup;
  } else {
    const size_t dot = head.find('.');
    if (dot == std::string_view::npos || !IsName(head.substr(0, dot)) ||
        !IsName(head.substr(dot + 1))) {
      return Status::InvalidArgument(Quoted(head) +
                                     " is not params.NAME, now, group or SOURCE.COLUMN");
    }
    if (head.substr(0, dot) == "params") {
      p.head = Placeholder::Head::kParam;
      p.name = std::string(head.substr(dot + 1));
    } else {
      p.head = Placeholder::Head::kData;
      p.name = std::string(head.substr(0, dot));
      p.column = std::string(head.substr(dot + 1));
    }
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view f = TrimSpace(parts[i]);
    PlaceholderFilter filter;
    const size_t open = f.find('(');
    if (open == std::string_view::npos) {
      filter.name = std::string(f);
    } else {
      filter.name = std::string(TrimSpace(f.substr(0, open)));
      if (f.back() != ')') {
        return Status::InvalidArgument("filter " + Quoted(f) + " lacks its ')'");
      }
      std::string_view arg = TrimSpace(f.substr(open + 1, f.size() - open - 2));
      if (arg.size() < 2 || (arg.front() != '"' && arg.front() != '\'') ||
          arg.back() != arg.front()) {
        return Status::InvalidArgument("the argument of filter '" + filter.name +
                                       "' must be quoted text");
      }
      filter.arg = std::string(arg.substr(1, arg.size() - 2));
    }
    if (!IsName(filter.name)) {
      return Status::InvalidArgument(Quoted(f) + " is not a filter");
    }
    p.filters.push_back(std::move(filter));
  }
  return p;
}

}  // namespace internal

namespace {

// A placeholder's value between filters.
struct Value {
  enum class Kind { kNull, kText, kNumber, kDate, kDatetime };
  Kind kind = Kind::kNull;
  std::string text;     // kText
  double number = 0;    // kNumber
  int64_t integer = 0;  // kDate: days; kDatetime: seconds
  bool is_int = false;  // kNumber shown without decimals

  std::string Display() const {
    switch (kind) {
      case Kind::kNull:
        return "";
      case Kind::kText:
        return text;
      case Kind::kNumber:
        return is_int ? std::to_string(static_cast<int64_t>(number)) : FormatDouble(number);
      case Kind::kDate:
        return FormatDate(integer);
      case Kind::kDatetime:
        return FormatDatetime(integer);
    }
    return "";
  }
};

Value FromParam(const ParamValue& p) {
  Value v;
  switch (p.type) {
    case ParamType::kInt:
      v.kind = Value::Kind::kNumber;
      v.number = p.float_value;
      v.is_int = true;
      break;
    case ParamType::kFloat:
      v.kind = Value::Kind::kNumber;
      v.number = p.float_value;
      break;
    case ParamType::kDate:
      v.kind = Value::Kind::kDate;
      v.integer = p.int_value;
      break;
    case ParamType::kDatetime:
      v.kind = Value::Kind::kDatetime;
      v.integer = p.int_value;
      break;
    default:
      v.kind = Value::Kind::kText;
      v.text = p.text;
      break;
  }
  return v;
}

Value FromCell(const Column& c, size_t row) {
  Value v;
  if (row >= c.size() || c.IsNull(row)) return v;
  switch (c.type()) {
    case ColumnType::kInt:
      v.kind = Value::Kind::kNumber;
      v.number = static_cast<double>(c.int_value(row));
      v.is_int = true;
      break;
    case ColumnType::kFloat:
      v.kind = Value::Kind::kNumber;
      v.number = c.float_value(row);
      break;
    case ColumnType::kDate:
      v.kind = Value::Kind::kDate;
      v.integer = c.int_value(row);
      break;
    default:
      v.kind = Value::Kind::kText;
      v.text = c.AsString(row);
      break;
  }
  return v;
}

// The head's value; nullopt when the placeholder should stay as written.
std::optional<Value> HeadValue(const internal::Placeholder& p, const PlaceholderContext& ctx,
                               size_t* filters_used) {
  using Head = internal::Placeholder::Head;
  *filters_used = 0;
  switch (p.head) {
    case Head::kNow: {
      Value v;
      v.kind = Value::Kind::kDatetime;
      v.integer =
          std::chrono::duration_cast<std::chrono::seconds>(ctx.now.time_since_epoch()).count();
      return v;
    }
    case Head::kGroup:
      if (!ctx.group) return std::nullopt;
      return Value{Value::Kind::kText, *ctx.group};
    case Head::kParam: {
      if (ctx.params == nullptr) return Value();
      auto it = ctx.params->find(p.name);
      return it == ctx.params->end() ? Value() : FromParam(it->second);
    }
    case Head::kData: {
      const Table* table = ctx.FindTable(p.name);
      if (table == nullptr) return Value();
      const Column* c = table->FindColumn(p.column);
      if (c == nullptr) return Value();
      if (!p.filters.empty()) {
        if (auto f = AggregateFunctionFromName(p.filters[0].name)) {
          *filters_used = 1;
          const double d = AggregateColumn(*c, *f);
          if (std::isnan(d)) return Value();
          Value v;
          v.kind = Value::Kind::kNumber;
          v.number = d;
          v.is_int = *f == AggregateFunction::kCount || *f == AggregateFunction::kCountDistinct ||
                     (c->type() == ColumnType::kInt && *f != AggregateFunction::kAvg &&
                      *f != AggregateFunction::kMedian && *f != AggregateFunction::kP95);
          return v;
        }
      }
      return FromCell(*c, 0);
    }
  }
  return std::nullopt;
}

void ApplyFilter(const internal::PlaceholderFilter& f, Value* v) {
  const std::string arg = f.arg.value_or("");
  if (f.name == "default") {
    if (v->Display().empty()) *v = Value{Value::Kind::kText, arg};
    return;
  }
  if (f.name == "upper" || f.name == "lower") {
    std::string s = v->Display();
    for (char& c : s) {
      c = static_cast<char>(f.name == "upper" ? std::toupper(static_cast<unsigned char>(c))
                                              : std::tolower(static_cast<unsigned char>(c)));
    }
    *v = Value{Value::Kind::kText, s};
    return;
  }
  if (f.name == "number") {
    std::optional<double> d;
    if (v->kind == Value::Kind::kNumber) d = v->number;
    if (v->kind == Value::Kind::kText) d = ParseFloat(v->text);
    auto format = ParseNumberFormat(arg);
    if (d && format.ok()) *v = Value{Value::Kind::kText, FormatNumber(*d, *format)};
    return;
  }
  if (f.name == "date") {
    std::optional<int64_t> seconds;
    if (v->kind == Value::Kind::kDate) seconds = v->integer * 86400;
    if (v->kind == Value::Kind::kDatetime) seconds = v->integer;
    if (v->kind == Value::Kind::kText) {
      if (auto d = ParseDate(v->text)) seconds = *d * 86400;
      if (auto t = ParseDatetime(v->text)) seconds = *t;
    }
    if (seconds && CheckDateFormat(arg).ok()) {
      *v = Value{Value::Kind::kText, FormatTimestamp(*seconds, arg)};
    }
  }
}

}  // namespace

const Table* PlaceholderContext::FindTable(const std::string& name) const {
  if (group_table != nullptr && name == group_source) return group_table;
  if (data == nullptr) return nullptr;
  auto it = data->tables.find(name);
  return it == data->tables.end() ? nullptr : &it->second;
}

std::string ExpandPlaceholders(const std::string& text, const PlaceholderContext& ctx) {
  std::string out;
  size_t pos = 0, begin = 0, end = 0;
  std::string_view expr;
  while (internal::NextPlaceholder(text, pos, &begin, &end, &expr)) {
    out.append(text, pos, begin - pos);
    pos = end;
    StatusOr<internal::Placeholder> p = internal::ParsePlaceholder(expr);
    std::optional<Value> v;
    size_t used = 0;
    if (p.ok()) v = HeadValue(*p, ctx, &used);
    if (!v) {
      out.append(text, begin, end - begin);
      continue;
    }
    if (p->head == internal::Placeholder::Head::kNow && p->filters.empty()) {
      out += FormatTimestamp(v->integer, "%Y-%m-%d %H:%M UTC");
      continue;
    }
    for (size_t i = used; i < p->filters.size(); ++i) ApplyFilter(p->filters[i], &*v);
    out += v->Display();
  }
  out.append(text, pos, std::string::npos);
  return out;
}

std::string ExpandPlaceholders(const std::string& text, const ParamValues& params) {
  return ExpandPlaceholders(text, params, std::chrono::system_clock::now());
}

std::string ExpandPlaceholders(const std::string& text, const ParamValues& params,
                               std::chrono::system_clock::time_point now) {
  PlaceholderContext ctx;
  ctx.params = &params;
  ctx.now = now;
  return ExpandPlaceholders(text, ctx);
}

ChartSpec ExpandChartText(const ChartSpec& spec, const PlaceholderContext& ctx) {
  ChartSpec out = spec;
  out.title = ExpandPlaceholders(spec.title, ctx);
  out.x_axis_title = ExpandPlaceholders(spec.x_axis_title, ctx);
  out.y_axis_title = ExpandPlaceholders(spec.y_axis_title, ctx);
  return out;
}

ChartSpec ExpandChartText(const ChartSpec& spec, const ParamValues& params,
                          std::chrono::system_clock::time_point now) {
  PlaceholderContext ctx;
  ctx.params = &params;
  ctx.now = now;
  return ExpandChartText(spec, ctx);
}

}  // namespace quire
