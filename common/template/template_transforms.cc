// TemplateParser: the `transforms` map — named derived tables. Checks each
// step's references against the schema flowing through the steps (join,
// filter, derive, group_by + aggregate, pivot, select, rename, sort, limit)
// where it is known, expression syntax, and aggregate function names, and
// records the resulting schema for the sections that read the transform.
#include <cctype>

#include "common/template/internal/template_parser.h"

namespace quire::internal {
namespace {

const std::vector<std::string> kTransformFields = {"from",   "filter",   "select",    "rename",
                                                   "derive", "group_by", "aggregate", "sort",
                                                   "limit",  "other",    "join",      "pivot"};
const std::vector<std::string> kJoinFields = {"with", "on", "how"};
const std::vector<std::string> kJoinKinds = {"inner", "left"};
const std::vector<std::string> kPivotFields = {"index", "columns", "values"};

// "sum(col)", "count()": function and column; false when not of that shape.
bool SplitCall(const std::string& text, std::string* function, std::string* column) {
  const size_t open = text.find('(');
  const std::string t(TrimSpace(text));
  if (open == std::string::npos || t.empty() || t.back() != ')') return false;
  *function = std::string(TrimSpace(std::string_view(text).substr(0, open)));
  const size_t close = text.rfind(')');
  *column = std::string(TrimSpace(std::string_view(text).substr(open + 1, close - open - 1)));
  for (char c : *function) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return !function->empty();
}

}  // namespace

void TemplateParser::ParseTransforms(const yaml::Node& node, const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      reader_.Report(Severity::kError, "field.type", "a transform name must be a plain name", path,
                     it->first);
      continue;
    }
    const std::string name = it->first.Scalar();
    const std::string transform_path = JoinPath(path, name);
    if (!ClaimDatasetName(name, it->first, transform_path)) continue;
    TransformSpec t;
    t.name = name;
    if (reader_.ExpectMap(it->second, transform_path)) {
      ParseTransform(t, it->second, transform_path);
    }
    Dataset d;
    d.name = name;
    d.is_transform = true;
    d.known = t.columns_known;
    d.columns = t.columns;
    datasets_.push_back(std::move(d));
    tmpl_.transforms.push_back(std::move(t));
  }
}

void TemplateParser::ParseTransform(TransformSpec& t, const yaml::Node& node,
                                    const std::string& path) {
  const std::vector<YamlField> fields = reader_.Fields(node, path, kTransformFields);
  const auto find = [&](std::string_view key) -> const YamlField* {
    const YamlField* f = YamlReader::Find(fields, key);
    return f != nullptr && !f->value.IsNull() ? f : nullptr;
  };
  // The schema as it flows through the steps; unknown stops column checks.
  Dataset cur;
  cur.name = t.name;
  cur.is_transform = true;
  if (const YamlField* f = reader_.Require(fields, "from", node, path)) {
    const std::string from_path = JoinPath(path, "from");
    auto from = reader_.String(f->value, from_path);
    if (from && *from == t.name) {
      reader_.Report(Severity::kError, "ref.source", "transform '" + t.name + "' reads from itself",
                     from_path, f->value);
    } else if (from) {
      // Only sources and earlier transforms are visible here.
      if (const Dataset* d = ResolveDataset(*f, from_path)) {
        t.from = *from;
        cur.known = d->known;
        cur.columns = d->columns;
        cur.name = d->name;
        cur.is_transform = d->is_transform;
      }
    }
  }

  if (const YamlField* f = find("join")) {
    const std::string join_path = JoinPath(path, "join");
    if (reader_.ExpectMap(f->value, join_path)) {
      const std::vector<YamlField> jf = reader_.Fields(f->value, join_path, kJoinFields);
      JoinSpec join;
      const Dataset* with = nullptr;
      if (const YamlField* w = reader_.Require(jf, "with", f->value, join_path)) {
        with = ResolveDataset(*w, JoinPath(join_path, "with"));
        if (with != nullptr) join.with = with->name;
      }
      if (const YamlField* on = reader_.Require(jf, "on", f->value, join_path)) {
        std::vector<std::string> paths;
        const auto keys = ReadNames(on->value, JoinPath(join_path, "on"), &paths);
        for (size_t i = 0; i < keys.size(); ++i) {
          ResolveColumn(cur, keys[i].first, keys[i].second, paths[i]);
          if (with != nullptr) ResolveColumn(*with, keys[i].first, keys[i].second, paths[i]);
          join.on.push_back(keys[i].first);
        }
      }
      if (const YamlField* how = YamlReader::Find(jf, "how")) {
        const std::string how_path = JoinPath(join_path, "how");
        if (auto h = reader_.String(how->value, how_path)) {
          if (*h == "left") {
            join.how = JoinKind::kLeft;
          } else if (*h != "inner") {
            reader_.Report(Severity::kError, "transform.join",
                           "join how must be inner or left, not '" + *h + "'", how_path, how->value,
                           SuggestNearest(*h, kJoinKinds));
          }
        }
      }
      if (with == nullptr || !with->known) {
        cur.known = false;
      } else {
        for (const ColumnSpec& c : with->columns) {
          if (cur.Find(c.name) == nullptr) cur.columns.push_back(c);
        }
      }
      t.join = std::move(join);
    }
  }

  if (const YamlField* f = find("filter")) {
    const std::string p = JoinPath(path, "filter");
    if (auto s = reader_.String(f->value, p)) {
      t.filter = *s;
      CheckExpression(*s, f->value, p, &cur);
    }
  }

  if (const YamlField* f = find("derive")) {
    const std::string derive_path = JoinPath(path, "derive");
    if (reader_.ExpectMap(f->value, derive_path)) {
      for (auto it = f->value.begin(); it != f->value.end(); ++it) {
        const std::string column = it->first.IsScalar() ? it->first.Scalar() : "";
        const std::string p = JoinPath(derive_path, column);
        auto expr = reader_.String(it->second, p);
        if (!expr) continue;
        std::optional<ColumnType> type;
        CheckExpression(*expr, it->second, p, &cur, &type);
        t.derive.emplace_back(column, *expr);
        if (ColumnSpec* existing = const_cast<ColumnSpec*>(cur.Find(column))) {
          existing->type = type.value_or(ColumnType::kFloat);
        } else {
          cur.columns.push_back({column, type.value_or(ColumnType::kFloat)});
        }
      }
    }
  }

  const YamlField* group_by = find("group_by");
  const YamlField* aggregate = find("aggregate");
  if (group_by != nullptr || aggregate != nullptr) {
    Dataset grouped;
    grouped.name = t.name;  // later steps see the grouped columns
    grouped.is_transform = true;
    grouped.known = cur.known;
    if (group_by != nullptr) {
      std::vector<std::string> paths;
      const auto names = ReadNames(group_by->value, JoinPath(path, "group_by"), &paths);
      for (size_t i = 0; i < names.size(); ++i) {
        ResolveColumn(cur, names[i].first, names[i].second, paths[i]);
        t.group_by.push_back(names[i].first);
        const ColumnSpec* c = cur.Find(names[i].first);
        grouped.columns.push_back({names[i].first, c != nullptr ? c->type : ColumnType::kText});
      }
    }
    if (aggregate != nullptr) {
      const std::string agg_path = JoinPath(path, "aggregate");
      if (reader_.ExpectMap(aggregate->value, agg_path)) {
        for (auto it = aggregate->value.begin(); it != aggregate->value.end(); ++it) {
          AggregateSpec a;
          a.output = it->first.IsScalar() ? it->first.Scalar() : "";
          const std::string p = JoinPath(agg_path, a.output);
          auto call = reader_.String(it->second, p);
          if (!call) continue;
          std::string function, column;
          if (!SplitCall(*call, &function, &column)) {
            reader_.Report(Severity::kError, "transform.aggregate",
                           "aggregate '" + *call + "' is not of the form function(column)", p,
                           it->second, "e.g. sum(revenue) or count()");
            continue;
          }
          auto fn = AggregateFunctionFromName(function);
          if (!fn) {
            reader_.Report(Severity::kError, "transform.aggregate",
                           "unknown aggregate function '" + function + "'", p, it->second,
                           SuggestNearest(function, AggregateFunctionNames()));
            continue;
          }
          a.function = *fn;
          a.column = column;
          ColumnType type = ColumnType::kFloat;
          if (column.empty()) {
            if (*fn != AggregateFunction::kCount) {
              reader_.Report(Severity::kError, "transform.aggregate",
                             std::string(AggregateFunctionName(*fn)) + "() needs a column", p,
                             it->second,
                             std::string("e.g. ") + AggregateFunctionName(*fn) + "(revenue)");
              continue;
            }
          } else if (ResolveColumn(cur, column, it->second, p)) {
            const ColumnSpec* c = cur.Find(column);
            const bool numeric_fn =
                *fn == AggregateFunction::kSum || *fn == AggregateFunction::kAvg ||
                *fn == AggregateFunction::kMedian || *fn == AggregateFunction::kP95;
            if (c != nullptr && numeric_fn && !IsNumericType(c->type)) {
              reader_.Report(Severity::kError, "transform.aggregate",
                             std::string(AggregateFunctionName(*fn)) +
                                 " needs a numeric column; '" + column + "' is " +
                                 ColumnTypeName(c->type),
                             p, it->second);
            }
            if (c != nullptr && (*fn == AggregateFunction::kMin || *fn == AggregateFunction::kMax ||
                                 (*fn == AggregateFunction::kSum && c->type == ColumnType::kInt))) {
              type = c->type;
            }
          }
          if (*fn == AggregateFunction::kCount || *fn == AggregateFunction::kCountDistinct) {
            type = ColumnType::kInt;
          }
          grouped.columns.push_back({a.output, type});
          t.aggregate.push_back(std::move(a));
        }
      }
    }
    cur = std::move(grouped);
  }

  if (const YamlField* f = find("pivot")) {
    const std::string pivot_path = JoinPath(path, "pivot");
    if (reader_.ExpectMap(f->value, pivot_path)) {
      const std::vector<YamlField> pf = reader_.Fields(f->value, pivot_path, kPivotFields);
      PivotSpec pivot;
      std::string* targets[] = {&pivot.index, &pivot.columns, &pivot.values};
      for (size_t i = 0; i < kPivotFields.size(); ++i) {
        const YamlField* k = reader_.Require(pf, kPivotFields[i], f->value, pivot_path);
        if (k == nullptr) continue;
        const std::string p = JoinPath(pivot_path, kPivotFields[i]);
        if (auto name = reader_.String(k->value, p)) {
          ResolveColumn(cur, *name, k->value, p);
          *targets[i] = *name;
        }
      }
      t.pivot = pivot;
      // The new columns are the data's distinct values: unknown until run.
      cur.known = false;
      cur.columns.clear();
    }
  }

  if (const YamlField* f = find("select")) {
    std::vector<std::string> paths;
    const auto names = ReadNames(f->value, JoinPath(path, "select"), &paths);
    std::vector<ColumnSpec> selected;
    for (size_t i = 0; i < names.size(); ++i) {
      ResolveColumn(cur, names[i].first, names[i].second, paths[i]);
      t.select.push_back(names[i].first);
      const ColumnSpec* c = cur.Find(names[i].first);
      selected.push_back({names[i].first, c != nullptr ? c->type : ColumnType::kText});
    }
    cur.columns = std::move(selected);
  }

  if (const YamlField* f = find("rename")) {
    const std::string rename_path = JoinPath(path, "rename");
    if (reader_.ExpectMap(f->value, rename_path)) {
      for (auto it = f->value.begin(); it != f->value.end(); ++it) {
        const std::string from = it->first.IsScalar() ? it->first.Scalar() : "";
        const std::string p = JoinPath(rename_path, from);
        auto to = reader_.String(it->second, p);
        if (!to) continue;
        ResolveColumn(cur, from, it->first, p);
        t.rename.emplace_back(from, *to);
        for (ColumnSpec& c : cur.columns) {
          if (c.name == from) c.name = *to;
        }
      }
    }
  }

  if (const YamlField* f = find("sort")) {
    std::vector<std::string> paths;
    const auto keys = ReadNames(f->value, JoinPath(path, "sort"), &paths);
    for (size_t i = 0; i < keys.size(); ++i) {
      SortKey key;
      key.descending = !keys[i].first.empty() && keys[i].first[0] == '-';
      key.column = key.descending ? keys[i].first.substr(1) : keys[i].first;
      ResolveColumn(cur, key.column, keys[i].second, paths[i]);
      t.sort.push_back(std::move(key));
    }
  }

  if (const YamlField* f = find("limit")) {
    if (auto v = ReadNumberIn(*f, JoinPath(path, "limit"), 1, 1e9)) {
      if (*v != static_cast<double>(static_cast<int64_t>(*v))) {
        reader_.Report(Severity::kError, "field.type", "limit must be a whole number",
                       JoinPath(path, "limit"), f->value);
      } else {
        t.limit = static_cast<int64_t>(*v);
      }
    }
  }
  if (const YamlField* f = find("other")) {
    if (auto b = reader_.Bool(f->value, JoinPath(path, "other"))) {
      t.other = *b;
      if (t.other && find("limit") == nullptr) {
        reader_.Report(Severity::kError, "transform.other",
                       "other: true folds the rows past limit into one row; it needs a limit",
                       JoinPath(path, "other"), f->value, "add e.g. limit: 10");
      }
    }
  }
  t.columns = cur.columns;
  t.columns_known = cur.known;
}

}  // namespace quire::internal
