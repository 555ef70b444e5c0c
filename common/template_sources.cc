// TemplateParser: the `sources` map — source kinds, inline columns and rows
// (arity and cell types checked against the declared columns).
#include <set>

#include "common/template_parser.h"

namespace quire::internal {
namespace {

const std::vector<std::string> kSourceFields = {"kind", "columns", "rows"};
const std::vector<std::string> kColumnFields = {"name", "type"};

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

}  // namespace

void TemplateParser::ParseSources(const YAML::Node& node, const std::string& path) {
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
    tmpl_.sources.push_back(std::move(source));
  }
}

void TemplateParser::ParseSource(SourceSpec& source, const YAML::Node& node,
                                 const std::string& path) {
  const std::vector<YamlField> fields = reader_.Fields(node, path, kSourceFields);
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
    }
  }
  // kInline: columns and rows.
  std::vector<bool> typed_columns;  // whether column i's type is known
  if (const YamlField* f = reader_.Require(fields, "columns", node, path)) {
    const std::string columns_path = JoinPath(path, "columns");
    if (reader_.ExpectList(f->value, columns_path)) {
      for (size_t i = 0; i < f->value.size(); ++i) {
        const YAML::Node c = f->value[i];
        const std::string column_path = IndexPath(columns_path, i);
        ColumnSpec column;
        bool typed = false;
        if (reader_.ExpectMap(c, column_path)) {
          const std::vector<YamlField> cf = reader_.Fields(c, column_path, kColumnFields);
          if (const YamlField* n = reader_.Require(cf, "name", c, column_path)) {
            const std::string name_path = JoinPath(column_path, "name");
            if (auto name = reader_.String(n->value, name_path)) {
              column.name = *name;
              for (const ColumnSpec& other : source.columns) {
                if (other.name == column.name) {
                  reader_.Report(Severity::kError, "column.duplicate",
                                 "column '" + column.name + "' is declared more than once",
                                 name_path, n->value);
                }
              }
            }
          }
          if (const YamlField* t = reader_.Require(cf, "type", c, column_path)) {
            const std::string type_path = JoinPath(column_path, "type");
            if (auto type = reader_.String(t->value, type_path)) {
              if (auto ct = ColumnTypeFromName(*type)) {
                column.type = *ct;
                typed = true;
              } else {
                reader_.Report(Severity::kError, "column.type",
                               "unknown column type '" + *type + "'", type_path, t->value,
                               SuggestNearest(*type, ColumnTypeNames()));
              }
            }
          }
        }
        source.columns.push_back(std::move(column));
        typed_columns.push_back(typed);
      }
    }
  }
  if (const YamlField* f = YamlReader::Find(fields, "rows"); f && !f->value.IsNull()) {
    ParseRows(source, typed_columns, f->value, JoinPath(path, "rows"));
  }
}

void TemplateParser::ParseRows(SourceSpec& source, const std::vector<bool>& typed_columns,
                               const YAML::Node& node, const std::string& path) {
  if (!reader_.ExpectList(node, path)) return;
  for (size_t r = 0; r < node.size(); ++r) {
    const YAML::Node row = node[r];
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

}  // namespace quire::internal
