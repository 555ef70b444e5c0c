#include "services/proto_convert.h"

#include <nlohmann/json.hpp>

namespace quire {

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const grpc::Status& s) {
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(s);
  return reactor;
}

grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), s.message());
}

void SetTimestamp(int64_t ms, google::protobuf::Timestamp* ts) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>((ms % 1000) * 1000000));
}

int64_t TimestampMillis(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1000000;
}

std::string FormatName(v1::OutputFormat f) {
  switch (f) {
    case v1::PDF:
      return "pdf";
    case v1::XLSX:
      return "xlsx";
    case v1::PNG:
      return "png";
    case v1::SVG:
      return "svg";
    case v1::CSV:
      return "csv";
    case v1::JSON:
      return "json";
    default:
      return "";
  }
}

v1::OutputFormat FormatFromName(const std::string& name) {
  for (int f = v1::PDF; f <= v1::JSON; ++f) {
    if (FormatName(static_cast<v1::OutputFormat>(f)) == name)
      return static_cast<v1::OutputFormat>(f);
  }
  return v1::OUTPUT_FORMAT_UNSPECIFIED;
}

void ToProto(const JobRecord& r, v1::Job* out) {
  out->set_job_id(r.id);
  out->set_template_id(r.spec.template_id);
  out->set_template_version(r.spec.template_version);
  out->set_priority(static_cast<v1::Priority>(r.spec.priority));
  out->set_state(static_cast<v1::JobState>(r.state));
  out->set_stage(static_cast<v1::Stage>(r.stage));
  out->set_progress_percent(r.progress);
  out->set_attempt(r.attempt);
  for (const auto& [k, v] : r.spec.params) {
    auto* p = out->add_parameters();
    p->set_name(k);
    p->set_value(v);
  }
  for (const auto& f : r.spec.outputs) out->add_outputs(FormatFromName(f));
  if (r.created_ms) SetTimestamp(r.created_ms, out->mutable_created_at());
  if (r.started_ms) SetTimestamp(r.started_ms, out->mutable_started_at());
  if (r.finished_ms) SetTimestamp(r.finished_ms, out->mutable_finished_at());
  for (const auto& t : r.stage_times) {
    auto* st = out->add_stage_timings();
    st->set_stage(static_cast<v1::Stage>(t.stage));
    SetTimestamp(t.started_ms, st->mutable_started_at());
    if (t.finished_ms) SetTimestamp(t.finished_ms, st->mutable_finished_at());
  }
  out->set_error_code(r.error_code);
  out->set_error_message(r.error_message);
  for (const auto& a : r.artifacts) {
    auto* pa = out->add_artifacts();
    pa->set_name(a.name);
    pa->set_format(FormatFromName(a.format));
    pa->set_content_type(a.content_type);
    pa->set_size_bytes(a.size_bytes);
    pa->set_sha256(a.sha256);
  }
  out->set_worker_id(r.worker_id);
  out->set_submitter(r.spec.submitter);
  out->set_idempotency_key(r.spec.idempotency_key);
  out->set_fresh_data(r.spec.fresh_data);
  for (const std::string& w : r.warnings) out->add_warnings(w);
  out->set_max_attempts(r.spec.max_attempts);
  if (r.spec.deadline_ms) SetTimestamp(r.spec.deadline_ms, out->mutable_deadline());
  if (r.spec.run_at_ms) SetTimestamp(r.spec.run_at_ms, out->mutable_run_at());
  if (r.next_attempt_ms) SetTimestamp(r.next_attempt_ms, out->mutable_next_attempt_at());
  for (const AttemptError& e : r.attempt_errors) {
    v1::AttemptError* pe = out->add_attempt_errors();
    pe->set_attempt(e.attempt);
    pe->set_error_code(e.error_code);
    pe->set_error_message(e.error_message);
    pe->set_worker_id(e.worker_id);
    if (e.finished_ms) SetTimestamp(e.finished_ms, pe->mutable_finished_at());
  }
  out->set_cancel_requested(r.cancel_requested);
}

void ToProto(const ValidationIssue& i, v1::ValidationIssue* out) {
  out->set_severity(static_cast<v1::Severity>(i.severity));
  out->set_code(i.code);
  out->set_message(i.message);
  out->set_path(i.path);
  out->set_line(i.line);
  out->set_column(i.column);
  out->set_suggestion(i.suggestion);
}

bool EventFromJson(const std::string& json, v1::JobEvent* out) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  out->set_job_id(j.value("id", ""));
  out->set_sequence(j.value("seq", int64_t{0}));
  out->set_state(static_cast<v1::JobState>(JobStateFromName(j.value("state", ""))));
  out->set_stage(static_cast<v1::Stage>(StageFromName(j.value("stage", ""))));
  out->set_progress_percent(j.value("progress", 0));
  out->set_attempt(j.value("attempt", 0));
  out->set_error_code(j.value("err_code", ""));
  out->set_error_message(j.value("err_msg", ""));
  SetTimestamp(j.value("t", int64_t{0}), out->mutable_time());
  return true;
}

void EventFromRecord(const JobRecord& r, v1::JobEvent* out) {
  out->set_job_id(r.id);
  out->set_sequence(r.sequence);
  out->set_state(static_cast<v1::JobState>(r.state));
  out->set_stage(static_cast<v1::Stage>(r.stage));
  out->set_progress_percent(r.progress);
  out->set_attempt(r.attempt);
  out->set_error_code(r.error_code);
  out->set_error_message(r.error_message);
  int64_t t = r.finished_ms ? r.finished_ms : (r.started_ms ? r.started_ms : r.created_ms);
  SetTimestamp(t, out->mutable_time());
}

}  // namespace quire
