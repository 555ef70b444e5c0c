// SectionWalk: table lookup, column selection, KPI figures and the walk
// over the shown sections (`when:`, for_each groups, cancellation).
#include "report/render/section_walk.h"

#include <cmath>
#include <map>

namespace quire {
namespace {

Status CheckCancelled(const std::function<bool()>& cancelled) {
  if (cancelled && cancelled()) return Status::Cancelled("rendering cancelled");
  return Status::OK();
}

Status VisitSections(const SectionScope& scope, const std::vector<Section>& sections,
                     const std::function<bool()>& cancelled, SectionVisitor& visitor);

// One pass over a for_each block's sections per distinct value of its
// column, in order of first appearance; the block alone when its source
// has no data.
Status VisitForEach(const SectionScope& scope, const Section& section,
                    const std::function<bool()>& cancelled, SectionVisitor& visitor) {
  StatusOr<const Table*> table = scope.FindTable(section.for_each_source);
  if (!table.ok()) return table.status();
  if (*table == nullptr) return visitor.Visit(section, scope);
  const Column* column = (*table)->FindColumn(section.for_each);
  if (column == nullptr) {
    return Status::InvalidArgument("for_each: source '" + section.for_each_source +
                                   "' has no column '" + section.for_each + "'");
  }
  std::vector<std::string> groups;
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t r = 0; r < (*table)->num_rows(); ++r) {
    const std::string key = column->AsString(r);
    auto [it, inserted] = rows.try_emplace(key);
    if (inserted) groups.push_back(key);
    it->second.push_back(r);
  }
  for (const std::string& group : groups) {
    QUIRE_RETURN_IF_ERROR(CheckCancelled(cancelled));
    const Table filtered = (*table)->SelectRows(rows[group]);
    SectionScope inner = scope;
    inner.placeholders.group = group;
    inner.placeholders.group_source = section.for_each_source;
    inner.placeholders.group_table = &filtered;
    QUIRE_RETURN_IF_ERROR(VisitSections(inner, section.sections, cancelled, visitor));
  }
  return Status::OK();
}

// `sections` in order as one run, broken by for_each blocks.
Status VisitSections(const SectionScope& scope, const std::vector<Section>& sections,
                     const std::function<bool()>& cancelled, SectionVisitor& visitor) {
  for (const Section& section : sections) {
    QUIRE_RETURN_IF_ERROR(CheckCancelled(cancelled));
    if (!section.when.empty()) {
      StatusOr<bool> show = EvaluateCondition(section.when, *scope.placeholders.params);
      if (!show.ok()) {
        return Status::InvalidArgument("when '" + section.when + "': " + show.status().message());
      }
      if (!*show) continue;
    }
    if (section.kind == SectionKind::kForEach) {
      QUIRE_RETURN_IF_ERROR(visitor.EndRun(scope));
      QUIRE_RETURN_IF_ERROR(VisitForEach(scope, section, cancelled, visitor));
    } else {
      QUIRE_RETURN_IF_ERROR(visitor.Visit(section, scope));
    }
  }
  return visitor.EndRun(scope);
}

// SectionScope::FindTable, `depth` bounding the walk up a transform's
// inputs. The collect stage computes every transform whose inputs have
// tables, so a transform's table is missing by design only when one of its
// inputs (`from`, `join.with`) is; as is an optional source's.
StatusOr<const Table*> FindTableAt(const SectionScope& scope, const std::string& name,
                                   size_t depth) {
  if (const Table* t = scope.placeholders.FindTable(name)) return t;
  if (const TransformSpec* transform = scope.tmpl->FindTransform(name)) {
    for (const std::string* input :
         {&transform->from, transform->join ? &transform->join->with : nullptr}) {
      if (input == nullptr || depth == 0) continue;
      StatusOr<const Table*> table = FindTableAt(scope, *input, depth - 1);
      if (!table.ok()) return table.status();
      if (*table == nullptr) return static_cast<const Table*>(nullptr);
    }
    return Status::FailedPrecondition("no data for transform '" + name +
                                      "' although its inputs have data");
  }
  const SourceSpec* source = scope.tmpl->FindSource(name);
  if (source != nullptr && source->optional) return static_cast<const Table*>(nullptr);
  return Status::FailedPrecondition("no data for source '" + name + "'");
}

}  // namespace

std::string DataUnavailableNote(const std::string& source) {
  return "Data unavailable: '" + source + "' has no data in this run.";
}

std::string SectionScope::Expand(const std::string& text) const {
  return ExpandPlaceholders(text, placeholders);
}

StatusOr<const Table*> SectionScope::FindTable(const std::string& name) const {
  return FindTableAt(*this, name, tmpl->transforms.size());
}

StatusOr<std::vector<SelectedColumn>> SelectTableColumns(
    const Table& table, const std::vector<TableColumnSpec>& columns) {
  std::vector<SelectedColumn> out;
  if (columns.empty()) {
    for (size_t i = 0; i < table.num_columns(); ++i) {
      out.push_back({&table.column(i), table.column(i).name(), "", 0});
    }
    return out;
  }
  for (const TableColumnSpec& spec : columns) {
    const Column* c = table.FindColumn(spec.name);
    if (c == nullptr) return Status::InvalidArgument("table has no column '" + spec.name + "'");
    out.push_back({c, spec.label.empty() ? spec.name : spec.label, spec.format, spec.width});
  }
  return out;
}

StatusOr<double> KpiFigure(const KpiSpec& kpi, const SectionScope& scope) {
  StatusOr<const Table*> table = scope.FindTable(kpi.source);
  if (!table.ok()) return table.status();
  if (*table == nullptr) return NAN;
  const Column* column = (*table)->FindColumn(kpi.column);
  if (column == nullptr) {
    return Status::InvalidArgument("kpi '" + kpi.label + "': no column '" + kpi.column + "'");
  }
  return AggregateColumn(*column, kpi.aggregate);
}

KpiTrend KpiDeltaTrend(const std::string& delta) {
  if (delta.empty()) return KpiTrend::kFlat;
  if (delta[0] == '+') return KpiTrend::kUp;
  if (delta[0] == '-' || delta.rfind("\u2212", 0) == 0) return KpiTrend::kDown;
  return KpiTrend::kFlat;
}

Status SectionVisitor::EndRun(const SectionScope&) { return Status::OK(); }

Status VisitShownSections(const ReportTemplate& tmpl, const ParamValues& params,
                          const ReportData& data, std::chrono::system_clock::time_point now,
                          const std::function<bool()>& cancelled, SectionVisitor& visitor) {
  SectionScope scope;
  scope.tmpl = &tmpl;
  scope.placeholders.params = &params;
  scope.placeholders.data = &data;
  scope.placeholders.now = now;
  return VisitSections(scope, tmpl.sections, cancelled, visitor);
}

}  // namespace quire
