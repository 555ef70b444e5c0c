// TemplateParser: the `sources` map — the kinds (inline, postgres, csv, json,
// http) and their fields, declared columns, inline rows (arity and cell
// types), SQL bind arguments (no placeholders spliced into SQL), fallbacks.
#include <algorithm>
#include <cctype>
#include <set>

#include "common/template/internal/template_parser.h"

namespace quire::internal {
namespace {

const std::vector<std::string> kCommonFields = {"kind", "columns", "optional", "fallback"};
// Indexed by SourceKind.
const std::vector<std::vector<std::string>> kKindFields = {
    {"rows"},
    {"connection", "query", "params", "timeout", "cache_ttl"},
    {"path", "delimiter", "header", "cache_ttl"},
    {"path", "pointer", "cache_ttl"},
    {"url", "method", "headers", "body", "pointer", "timeout", "cache_ttl"},
};
const std::vector<std::string> kColumnFields = {"name", "type"};
const std::vector<std::string> kMethods = {"GET", "POST"};

const std::vector<std::string>& AllSourceFields() {
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> all = kCommonFields;
    for (const auto& fields : kKindFields) {
      for (const std::string& f : fields) {
        if (std::find(all.begin(), all.end(), f) == all.end()) all.push_back(f);
      }
    }
    return all;
  }();
  return kAll;
}

const std::vector<std::string>& ColumnTypeNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (ColumnType t : {ColumnType::kText, ColumnType::kInt, ColumnType::kFloat, ColumnType::kBool,
                         ColumnType::kDate}) {
      names.push_back(ColumnTypeName(t));
    }
    return names;
  }();
  return kNames;
}

// The highest $n outside single-quoted literals and comments, and which of
// $1..$limit appear.
size_t ScanBindReferences(const std::string& sql, std::vector<bool>* used) {
  size_t highest = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') {
      const size_t close = sql.find('\'', i + 1);
      if (close == std::string::npos) break;
      i = close;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t eol = sql.find('\n', i);
      if (eol == std::string::npos) break;
      i = eol;
    } else if (c == '$' && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      size_t n = 0, j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) && n < 100000) {
        n = n * 10 + static_cast<size_t>(sql[j] - '0');
        ++j;
      }
      highest = std::max(highest, n);
      if (n >= 1 && n <= used->size()) (*used)[n - 1] = true;
      i = j - 1;
    }
  }
  return highest;
}

// True when `sql` names params.X outside a comment: a parameter spliced in
// by string concatenation rather than bound.
bool MentionsParams(const std::string& sql) {
  for (size_t pos = sql.find("params."); pos != std::string::npos;
       pos = sql.find("params.", pos + 1)) {
    if (pos > 0 &&
        (std::isalnum(static_cast<unsigned char>(sql[pos - 1])) || sql[pos - 1] == '_')) {
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace

void TemplateParser::ParseSources(const yaml::Node& node, const std::string& path) {
  if (!reader_.ExpectMap(node, path)) return;
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      reader_.Report(Severity::kError, "field.type", "a source name must be a plain name", path,
                     it->first);
      continue;
    }
    const std::string name = it->first.Scalar();
    const std::string source_path = JoinPath(path, name);
    if (!seen.insert(name).second) {
      reader_.Report(Severity::kError, "field.duplicate",
                     "source '" + name + "' is declared more than once", source_path, it->first);
      continue;
    }
    SourceSpec source;
    source.name = name;
    if (reader_.ExpectMap(it->second, source_path)) ParseSource(source, it->second, source_path);
    Dataset d;
    d.name = name;
    d.known = source.columns_known;
    d.columns = source.columns;
    d.inline_rows = source.kind == SourceKind::kInline ? source.rows.size() : 0;
    datasets_.push_back(std::move(d));
    tmpl_.sources.push_back(std::move(source));
  }
  CheckFallbacks(node, path);
}

void TemplateParser::ParseSource(SourceSpec& source, const yaml::Node& node,
                                 const std::string& path) {
  const std::vector<YamlField> fields = reader_.Fields(node, path, AllSourceFields());
  if (const YamlField* f = reader_.Require(fields, "kind", node, path)) {
    const std::string kind_path = JoinPath(path, "kind");
    if (auto kind = reader_.String(f->value, kind_path)) {
      if (auto k = SourceKindFromName(*kind)) {
        source.kind = *k;
      } else {
        reader_.Report(Severity::kError, "source.kind", "unknown source kind '" + *kind + "'",
                       kind_path, f->value, SuggestNearest(*kind, SourceKindNames()));
        return;
      }
    } else {
      return;
    }
  } else {
    return;
  }
  const std::vector<std::string>& kind_fields = kKindFields[static_cast<size_t>(source.kind)];
  for (const YamlField& f : fields) {
    if (std::find(kCommonFields.begin(), kCommonFields.end(), f.key) != kCommonFields.end() ||
        std::find(kind_fields.begin(), kind_fields.end(), f.key) != kind_fields.end()) {
      continue;
    }
    reader_.Report(
        Severity::kWarning, "field.unknown",
        "field '" + f.key + "' does not apply to a " + SourceKindName(source.kind) + " source",
        JoinPath(path, f.key), f.key_node);
  }
  const auto find = [&](std::string_view key) -> const YamlField* {
    if (std::find(kind_fields.begin(), kind_fields.end(), key) == kind_fields.end() &&
        std::find(kCommonFields.begin(), kCommonFields.end(), key) == kCommonFields.end()) {
      return nullptr;
    }
    const YamlField* f = YamlReader::Find(fields, key);
    return f != nullptr && !f->value.IsNull() ? f : nullptr;
  };
  const auto read_text = [&](std::string_view key, std::string* out) -> const YamlField* {
    const YamlField* f = find(key);
    if (f == nullptr) return nullptr;
    auto s = reader_.String(f->value, JoinPath(path, key));
    if (s) *out = *s;
    return s ? f : nullptr;
  };
  const auto require_text = [&](std::string_view key, std::string* out) -> const YamlField* {
    if (find(key) == nullptr) {
      reader_.Require(fields, key, node, path);
      return nullptr;
    }
    return read_text(key, out);
  };

  if (const YamlField* f = find("optional")) {
    if (auto b = reader_.Bool(f->value, JoinPath(path, "optional"))) source.optional = *b;
  }
  read_text("fallback", &source.fallback);
  if (const YamlField* f = find("timeout"))
    source.timeout = ReadDuration(*f, JoinPath(path, "timeout"));
  if (const YamlField* f = find("cache_ttl")) {
    source.cache_ttl = ReadDuration(*f, JoinPath(path, "cache_ttl"));
  }

  // Columns: required for inline, optional (then known) for the others.
  std::vector<bool> typed_columns;
  if (source.kind == SourceKind::kInline) {
    if (const YamlField* f = reader_.Require(fields, "columns", node, path)) {
      ParseColumns(source, &typed_columns, f->value, JoinPath(path, "columns"));
    }
    source.columns_known = true;
  } else if (const YamlField* f = find("columns")) {
    ParseColumns(source, &typed_columns, f->value, JoinPath(path, "columns"));
    source.columns_known = true;
  }

  switch (source.kind) {
    case SourceKind::kInline:
      if (const YamlField* f = find("rows")) {
        ParseRows(source, typed_columns, f->value, JoinPath(path, "rows"));
      }
      break;
    case SourceKind::kPostgres: {
      require_text("connection", &source.connection);
      const YamlField* query = require_text("query", &source.query);
      const YamlField* params = find("params");
      if (params != nullptr) {
        const std::string params_path = JoinPath(path, "params");
        if (reader_.ExpectList(params->value, params_path)) {
          for (size_t i = 0; i < params->value.size(); ++i) {
            const std::string p = IndexPath(params_path, i);
            auto ref = reader_.String(params->value[i], p);
            if (!ref) continue;
            constexpr std::string_view kPrefix = "params.";
            const std::string name =
                ref->rfind(kPrefix, 0) == 0 ? ref->substr(kPrefix.size()) : std::string();
            if (name.empty()) {
              reader_.Report(Severity::kError, "sql.bind",
                             "bind argument '" + *ref + "' must be written params.NAME", p,
                             params->value[i], "did you mean 'params." + *ref + "'?");
            } else if (tmpl_.FindParameter(name) == nullptr) {
              std::vector<std::string> declared;
              for (const ParameterSpec& d : tmpl_.parameters) declared.push_back(d.name);
              reader_.Report(Severity::kError, "ref.param",
                             "bind argument refers to undeclared parameter '" + name + "'", p,
                             params->value[i], SuggestNearest(name, declared));
            }
            source.bind_params.push_back(name);
          }
        }
      }
      if (query != nullptr) {
        CheckQuery(source, query->value, params != nullptr ? params->value : yaml::Node(), path);
      }
      break;
    }
    case SourceKind::kCsv:
      if (const YamlField* f = require_text("path", &source.path)) {
        CheckPlaceholders(source.path, f->value, JoinPath(path, "path"));
      }
      if (const YamlField* f = find("delimiter")) {
        const std::string p = JoinPath(path, "delimiter");
        if (auto d = reader_.String(f->value, p)) {
          if (d->size() == 1 && (*d)[0] != '"' && (*d)[0] != '\n') {
            source.delimiter = (*d)[0];
          } else {
            reader_.Report(
                Severity::kError, "source.delimiter",
                "delimiter must be one character (not a quote or newline), not '" + *d + "'", p,
                f->value, "e.g. \";\" or \"\\t\"");
          }
        }
      }
      if (const YamlField* f = find("header")) {
        if (auto b = reader_.Bool(f->value, JoinPath(path, "header"))) source.header = *b;
      }
      break;
    case SourceKind::kJson:
    case SourceKind::kHttp:
      if (source.kind == SourceKind::kJson) {
        if (const YamlField* f = require_text("path", &source.path)) {
          CheckPlaceholders(source.path, f->value, JoinPath(path, "path"));
        }
      } else {
        if (const YamlField* f = require_text("url", &source.url)) {
          CheckPlaceholders(source.url, f->value, JoinPath(path, "url"));
          if (source.url.rfind("http://", 0) != 0 && source.url.rfind("https://", 0) != 0) {
            reader_.Report(Severity::kError, "source.url",
                           "url must start with http:// or https://", JoinPath(path, "url"),
                           f->value);
          }
        }
        if (const YamlField* f = read_text("method", &source.method)) {
          if (std::find(kMethods.begin(), kMethods.end(), source.method) == kMethods.end()) {
            reader_.Report(Severity::kError, "source.method",
                           "method must be GET or POST, not '" + source.method + "'",
                           JoinPath(path, "method"), f->value,
                           SuggestNearest(source.method, kMethods));
            source.method = "GET";
          }
        }
        if (const YamlField* f = find("headers")) {
          const std::string p = JoinPath(path, "headers");
          if (reader_.ExpectMap(f->value, p)) {
            for (auto h = f->value.begin(); h != f->value.end(); ++h) {
              const std::string key = h->first.IsScalar() ? h->first.Scalar() : "";
              auto v = reader_.String(h->second, JoinPath(p, key));
              if (v) {
                CheckPlaceholders(*v, h->second, JoinPath(p, key));
                source.headers.emplace_back(key, *v);
              }
            }
          }
        }
        if (const YamlField* f = read_text("body", &source.body)) {
          CheckPlaceholders(source.body, f->value, JoinPath(path, "body"));
          if (source.method != "POST") {
            reader_.Report(Severity::kWarning, "field.ignored",
                           "body is only sent with method POST", JoinPath(path, "body"),
                           f->key_node);
          }
        }
      }
      if (const YamlField* f = read_text("pointer", &source.pointer)) {
        if (!source.pointer.empty() && source.pointer[0] != '/') {
          reader_.Report(
              Severity::kError, "source.pointer",
              "pointer must be empty or start with '/' (RFC 6901), not '" + source.pointer + "'",
              JoinPath(path, "pointer"), f->value, "did you mean '/" + source.pointer + "'?");
        }
      }
      break;
  }
  if ((source.kind == SourceKind::kPostgres || source.kind == SourceKind::kHttp) &&
      !source.cache_ttl) {
    reader_.Report(Severity::kInfo, "perf.cache_ttl",
                   std::string("the ") + SourceKindName(source.kind) + " source '" + source.name +
                       "' has no cache_ttl: every job queries it again",
                   path, node, "add e.g. cache_ttl: 10m if the data may be a little stale");
  }
}

void TemplateParser::ParseColumns(SourceSpec& source, std::vector<bool>* typed,
                                  const yaml::Node& node, const std::string& columns_path) {
  if (!reader_.ExpectList(node, columns_path)) return;
  for (size_t i = 0; i < node.size(); ++i) {
    const yaml::Node c = node[i];
    const std::string column_path = IndexPath(columns_path, i);
    ColumnSpec column;
    bool is_typed = false;
    if (reader_.ExpectMap(c, column_path)) {
      const std::vector<YamlField> cf = reader_.Fields(c, column_path, kColumnFields);
      if (const YamlField* n = reader_.Require(cf, "name", c, column_path)) {
        const std::string name_path = JoinPath(column_path, "name");
        if (auto name = reader_.String(n->value, name_path)) {
          column.name = *name;
          for (const ColumnSpec& other : source.columns) {
            if (other.name == column.name) {
              reader_.Report(Severity::kError, "column.duplicate",
                             "column '" + column.name + "' is declared more than once", name_path,
                             n->value);
            }
          }
        }
      }
      if (const YamlField* t = reader_.Require(cf, "type", c, column_path)) {
        const std::string type_path = JoinPath(column_path, "type");
        if (auto type = reader_.String(t->value, type_path)) {
          if (auto ct = ColumnTypeFromName(*type)) {
            column.type = *ct;
            is_typed = true;
          } else {
            reader_.Report(Severity::kError, "column.type", "unknown column type '" + *type + "'",
                           type_path, t->value, SuggestNearest(*type, ColumnTypeNames()));
          }
        }
      }
    }
    source.columns.push_back(std::move(column));
    typed->push_back(is_typed);
  }
}

void TemplateParser::ParseRows(SourceSpec& source, const std::vector<bool>& typed_columns,
                               const yaml::Node& node, const std::string& path) {
  if (!reader_.ExpectList(node, path)) return;
  if (node.size() > TemplateLimits::kMaxInlineRows) {
    reader_.Report(Severity::kError, "limit.rows",
                   "source '" + source.name + "' has " + std::to_string(node.size()) +
                       " inline rows; at most " + std::to_string(TemplateLimits::kMaxInlineRows) +
                       " are allowed",
                   path, node, "read large data from a postgres, csv or json source");
    return;
  }
  for (size_t r = 0; r < node.size(); ++r) {
    const yaml::Node row = node[r];
    const std::string row_path = IndexPath(path, r);
    if (!reader_.ExpectList(row, row_path)) continue;
    if (row.size() != source.columns.size()) {
      reader_.Report(Severity::kError, "source.row",
                     "row has " + std::to_string(row.size()) + " cells, the source declares " +
                         std::to_string(source.columns.size()) + " columns",
                     row_path, row);
      continue;
    }
    std::vector<std::optional<std::string>> cells;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string cell_path = IndexPath(row_path, c);
      if (row[c].IsNull()) {
        cells.emplace_back(std::nullopt);
        continue;
      }
      auto text = reader_.String(row[c], cell_path);
      if (!text) {
        cells.emplace_back(std::nullopt);
        continue;
      }
      if (typed_columns[c]) {
        Column probe("", source.columns[c].type);
        Status s = probe.AppendParsed(*text);
        if (!s.ok()) {
          reader_.Report(Severity::kError, "source.value",
                         "column '" + source.columns[c].name + "': " + s.message(), cell_path,
                         row[c]);
        }
      }
      cells.emplace_back(std::move(text));
    }
    source.rows.push_back(std::move(cells));
  }
}

void TemplateParser::CheckQuery(const SourceSpec& source, const yaml::Node& query,
                                const yaml::Node& params, const std::string& path) {
  const std::string query_path = JoinPath(path, "query");
  const std::string& sql = source.query;
  if (sql.find("{{") != std::string::npos) {
    reader_.Report(Severity::kError, "sql.injection",
                   "query splices a {{ placeholder }} into the SQL text (an injection risk)",
                   query_path, query,
                   "bind the value instead: params: [params.NAME] and $1 in the query");
  } else if (MentionsParams(sql)) {
    reader_.Report(Severity::kError, "sql.injection",
                   "query builds SQL from params.NAME (an injection risk)", query_path, query,
                   "bind the value instead: params: [params.NAME] and $1 in the query");
  }
  std::vector<bool> used(source.bind_params.size(), false);
  const size_t highest = ScanBindReferences(sql, &used);
  if (highest > source.bind_params.size()) {
    reader_.Report(Severity::kError, "sql.bind",
                   "query uses $" + std::to_string(highest) + " but params binds " +
                       std::to_string(source.bind_params.size()) + " value" +
                       (source.bind_params.size() == 1 ? "" : "s"),
                   query_path, query, "add the missing parameters to params: [...]");
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i]) continue;
    reader_.Report(Severity::kWarning, "sql.unused_bind",
                   "bind argument $" + std::to_string(i + 1) + " (params." + source.bind_params[i] +
                       ") is not used by the query",
                   IndexPath(JoinPath(path, "params"), i), params[i]);
  }
}

void TemplateParser::CheckFallbacks(const yaml::Node& sources, const std::string& path) {
  for (SourceSpec& source : tmpl_.sources) {
    if (source.fallback.empty()) continue;
    const std::string p = JoinPath(JoinPath(path, source.name), "fallback");
    const yaml::Node at = sources[source.name]["fallback"];
    const SourceSpec* fallback = tmpl_.FindSource(source.fallback);
    std::string problem;
    if (source.kind == SourceKind::kInline) {
      reader_.Report(Severity::kWarning, "field.ignored", "an inline source needs no fallback", p,
                     at);
      source.fallback.clear();
      continue;
    }
    if (fallback == nullptr) {
      std::vector<std::string> names;
      for (const SourceSpec& s : tmpl_.sources) names.push_back(s.name);
      reader_.Report(Severity::kError, "ref.source",
                     "fallback '" + source.fallback + "' is not a declared source", p, at,
                     SuggestNearest(source.fallback, names));
      continue;
    }
    if (fallback->kind != SourceKind::kInline) {
      problem = "fallback '" + source.fallback + "' must be an inline source";
    } else if (source.columns_known) {
      bool same = fallback->columns.size() == source.columns.size();
      for (size_t i = 0; same && i < source.columns.size(); ++i) {
        same = fallback->columns[i].name == source.columns[i].name &&
               fallback->columns[i].type == source.columns[i].type;
      }
      if (!same) {
        problem = "fallback '" + source.fallback +
                  "' must declare the same columns (names, "
                  "types, order) as source '" +
                  source.name + "'";
      }
    }
    if (!problem.empty()) {
      reader_.Report(Severity::kError, "source.fallback", problem, p, at);
      continue;
    }
    if (!source.columns_known) {
      // The fallback's schema is the source's.
      source.columns = fallback->columns;
      source.columns_known = true;
      for (Dataset& d : datasets_) {
        if (d.name != source.name) continue;
        d.columns = source.columns;
        d.known = true;
      }
    }
  }
}

}  // namespace quire::internal
