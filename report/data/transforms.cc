// ApplyTransform (the steps in order over a working table that is copied
// only when a step must change a table it does not own), RunTransforms, and
// what the steps share (StepContext, TableOfColumns, TakeColumns).
#include "report/data/transforms.h"

#include <optional>

#include "report/data/internal/transform_steps.h"

namespace quire {
namespace internal {

Status StepContext::Invalid(const std::string& what) const {
  return Status::InvalidArgument("transform '" + transform_ + "': " + what);
}

Status StepContext::CheckCancelled(size_t row) const {
  if (row % kCancelCheckRows == 0 && cancelled_ && cancelled_()) {
    return Status::Cancelled("transform '" + transform_ + "' cancelled");
  }
  return Status::OK();
}

StatusOr<const Column*> StepContext::Find(const Table& table, const std::string& name,
                                          const char* step) const {
  const Column* c = table.FindColumn(name);
  if (c == nullptr) return Invalid(std::string(step) + ": no column '" + name + "'");
  return c;
}

StatusOr<Table> TableOfColumns(std::vector<Column> columns, const StepContext& ctx) {
  Table out;
  // All columns first, empty, so that none is padded with nulls.
  std::vector<Column*> added;
  added.reserve(columns.size());
  for (const Column& c : columns) {
    Column* a = out.AddColumn(c.name(), c.type());
    if (a == nullptr) return ctx.Invalid("two columns named '" + c.name() + "'");
    added.push_back(a);
  }
  for (size_t i = 0; i < columns.size(); ++i) *added[i] = std::move(columns[i]);
  return out;
}

std::vector<Column> TakeColumns(Table&& table) {
  std::vector<Column> columns;
  columns.reserve(table.num_columns());
  for (size_t i = 0; i < table.num_columns(); ++i) columns.push_back(std::move(table.column(i)));
  return columns;
}

}  // namespace internal

namespace {

// The table between two steps: at first the input in `data` (read in
// place), then each step's own result.
class WorkingTable {
 public:
  explicit WorkingTable(const Table* input) : view_(input) {}

  const Table& Get() const { return owned_ ? *owned_ : *view_; }
  // The table to change: the owned one, or a copy of the input.
  Table Take() { return owned_ ? std::move(*owned_) : *view_; }
  void Set(Table t) { owned_ = std::move(t); }

 private:
  const Table* view_;
  std::optional<Table> owned_;
};

const Table* FindInput(const ReportData& data, const std::string& name) {
  auto it = data.tables.find(name);
  return it == data.tables.end() ? nullptr : &it->second;
}

}  // namespace

StatusOr<Table> ApplyTransform(const TransformSpec& t, const ReportData& data,
                               const ParamValues& params, const std::function<bool()>& cancelled) {
  const internal::StepContext ctx(t.name, cancelled);
  const Table* from = FindInput(data, t.from);
  if (from == nullptr) {
    return Status::FailedPrecondition("transform '" + t.name + "': no table '" + t.from + "'");
  }
  WorkingTable cur(from);
  // Runs one step and keeps its result; returns its error.
  const auto run = [&cur](StatusOr<Table> result) -> Status {
    if (!result.ok()) return result.status();
    cur.Set(std::move(result).value());
    return Status::OK();
  };
  if (t.join) {
    const Table* with = FindInput(data, t.join->with);
    if (with == nullptr) {
      return Status::FailedPrecondition("transform '" + t.name + "': no table '" + t.join->with +
                                        "' to join");
    }
    QUIRE_RETURN_IF_ERROR(run(internal::JoinStep(cur.Get(), *with, *t.join, ctx)));
  }
  if (!t.filter.empty())
    QUIRE_RETURN_IF_ERROR(run(internal::FilterStep(cur.Get(), t.filter, params, ctx)));
  if (!t.derive.empty())
    QUIRE_RETURN_IF_ERROR(run(internal::DeriveStep(cur.Take(), t.derive, params, ctx)));
  if (!t.group_by.empty() || !t.aggregate.empty()) {
    QUIRE_RETURN_IF_ERROR(run(internal::GroupStep(cur.Get(), t.group_by, t.aggregate, ctx)));
  }
  if (t.pivot) QUIRE_RETURN_IF_ERROR(run(internal::PivotStep(cur.Get(), *t.pivot, ctx)));
  if (!t.select.empty())
    QUIRE_RETURN_IF_ERROR(run(internal::SelectStep(cur.Take(), t.select, ctx)));
  if (!t.rename.empty())
    QUIRE_RETURN_IF_ERROR(run(internal::RenameStep(cur.Take(), t.rename, ctx)));
  if (!t.sort.empty()) QUIRE_RETURN_IF_ERROR(run(internal::SortStep(cur.Get(), t.sort, ctx)));
  if (t.limit) cur.Set(internal::LimitStep(cur.Get(), *t.limit, t.other));
  return cur.Take();
}

Status RunTransforms(const ReportTemplate& tmpl, const ParamValues& params, ReportData* data,
                     const std::function<bool()>& cancelled) {
  for (const TransformSpec& t : tmpl.transforms) {
    if (cancelled && cancelled()) {
      return Status::Cancelled("cancelled before transform '" + t.name + "'");
    }
    const bool inputs = FindInput(*data, t.from) != nullptr &&
                        (!t.join || FindInput(*data, t.join->with) != nullptr);
    if (!inputs) {
      data->tables.erase(t.name);
      continue;
    }
    StatusOr<Table> table = ApplyTransform(t, *data, params, cancelled);
    if (!table.ok()) return table.status();
    data->tables.insert_or_assign(t.name, std::move(table).value());
  }
  return Status::OK();
}

}  // namespace quire
