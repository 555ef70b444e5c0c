#include "services/job_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <fstream>

#include "common/base/mutex.h"
#include "common/base/thread_annotations.h"
#include "common/resolve/resolved_job.h"
#include "services/proto_convert.h"

namespace quire {
namespace {

constexpr size_t kMaxIdempotencyKey = 128;
constexpr size_t kArtifactChunk = 64 * 1024;

Status CheckJobId(const std::string& id) {
  if (id.empty()) return Status::InvalidArgument("job_id is required");
  if (id.size() > 64 || id.find_first_of(" :/{}") != std::string::npos) {
    return Status::InvalidArgument("job_id '" + id + "' is not a Quire job id");
  }
  return Status::OK();
}

// Streams a job's events: its current state first, then every change,
// ending after a terminal state. Holds no thread while it waits; the state
// is read on the store executor, since the hub calls OnReady on its own
// thread (which must not wait on Redis) or on a gRPC thread.
//
// gRPC calls (StartWrite, Finish) are made after releasing mu_. Nothing of
// `this` is touched after them, since OnDone may run at once; OnDone deletes
// the reactor unless a read is in flight, which then deletes it.
class WatchReactor final : public grpc::ServerWriteReactor<v1::JobEvent>, public EventListener {
 public:
  WatchReactor(std::string job_id, EventHub* hub, QueueInspector* inspector,
               RpcExecutor* store_calls, std::atomic<int>* counter)
      : job_id_(std::move(job_id)),
        hub_(hub),
        inspector_(inspector),
        store_calls_(store_calls),
        counter_(counter) {
    counter_->fetch_add(1);
    hub_->Subscribe(job_id_, this);
  }

  void OnReady() override {
    {
      MutexLock lock(&mu_);
      // A read in flight may predate this (re)subscription: read again.
      if (reading_) {
        read_again_ = true;
        return;
      }
      reading_ = true;
    }
    StartRead();
  }

  void OnEvent(const std::string& payload) override {
    v1::JobEvent ev;
    if (EventFromJson(payload, &ev)) Push(std::move(ev));
  }

  void OnWriteDone(bool ok) override {
    Step step;
    {
      MutexLock lock(&mu_);
      writing_ = false;
      pending_.pop_front();
      if (!ok) RequestFinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
      step = NextLocked();
    }
    Run(step);
  }

  void OnCancel() override { RequestFinish(grpc::Status::CANCELLED); }

  void OnClosing() override {
    RequestFinish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                               "the gateway is shutting down; call WatchJob again (any gateway "
                               "streams any job)"));
  }

  void OnDone() override {
    hub_->Unsubscribe(job_id_, this);  // no OnReady or OnEvent after this
    counter_->fetch_sub(1);
    bool release;
    {
      MutexLock lock(&mu_);
      done_ = true;
      release = !reading_;
    }
    if (release) delete this;
  }

 private:
  struct Step {
    enum { kNone, kWrite, kFinish } action = kNone;
    const v1::JobEvent* message = nullptr;
    grpc::Status status;
  };

  // On a store thread: reads the job and streams its state. While reading_
  // is set the reactor is not deleted, so Push and RequestFinish are safe.
  void ReadState(bool run) {
    if (!run) {
      RequestFinish(ShuttingDown());
    } else if (auto rec = inspector_->Get(job_id_); !rec.ok()) {
      RequestFinish(ToGrpc(rec.status()));
    } else {
      v1::JobEvent ev;
      EventFromRecord(*rec, &ev);
      Push(std::move(ev));
    }
    bool again, release;
    {
      MutexLock lock(&mu_);
      again = read_again_ && run && !done_;
      read_again_ = false;
      reading_ = again;
      release = done_;
    }
    if (again) StartRead();
    if (release) delete this;
  }

  void StartRead() {
    store_calls_->Submit([this](bool run) { ReadState(run); });
  }

  void Push(v1::JobEvent ev) {
    Step step;
    {
      MutexLock lock(&mu_);
      if (finished_ || finish_requested_ || terminal_queued_ || ev.sequence() <= last_sequence_) {
        return;
      }
      last_sequence_ = ev.sequence();
      if (IsTerminal(static_cast<JobState>(ev.state()))) terminal_queued_ = true;
      pending_.push_back(std::move(ev));
      step = NextLocked();
    }
    Run(step);
  }

  void RequestFinish(const grpc::Status& s) {
    Step step;
    {
      MutexLock lock(&mu_);
      RequestFinishLocked(s);
      step = NextLocked();
    }
    Run(step);
  }

  void RequestFinishLocked(const grpc::Status& s) REQUIRES(mu_) {
    if (finish_requested_) return;
    finish_requested_ = true;
    finish_status_ = s;
  }

  // Decides the next gRPC operation; at most one write is in flight.
  Step NextLocked() REQUIRES(mu_) {
    Step step;
    if (finished_ || writing_) return step;
    if (finish_requested_ || (pending_.empty() && terminal_queued_)) {
      finished_ = true;
      step.action = Step::kFinish;
      step.status = finish_requested_ ? finish_status_ : grpc::Status::OK;
      return step;
    }
    if (pending_.empty()) return step;
    writing_ = true;
    step.action = Step::kWrite;
    step.message = &pending_.front();
    return step;
  }

  void Run(const Step& step) {
    if (step.action == Step::kWrite) StartWrite(step.message);
    if (step.action == Step::kFinish) Finish(step.status);
  }

  const std::string job_id_;
  EventHub* const hub_;
  QueueInspector* const inspector_;
  RpcExecutor* const store_calls_;
  std::atomic<int>* const counter_;

  Mutex mu_;
  std::deque<v1::JobEvent> pending_ GUARDED_BY(mu_);  // front is being written
  bool writing_ GUARDED_BY(mu_) = false;
  bool finished_ GUARDED_BY(mu_) = false;
  bool finish_requested_ GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ GUARDED_BY(mu_);
  bool terminal_queued_ GUARDED_BY(mu_) = false;
  int64_t last_sequence_ GUARDED_BY(mu_) = -1;
  bool reading_ GUARDED_BY(mu_) = false;     // a ReadState is queued or running
  bool read_again_ GUARDED_BY(mu_) = false;  // OnReady came during it
  bool done_ GUARDED_BY(mu_) = false;        // OnDone ran
};

// Artifact `name` of job `job_id`, opened: the job must be COMPLETED and
// list it. The statuses GetArtifact answers before its first chunk.
struct OpenedArtifact {
  std::unique_ptr<ArtifactReader> reader;
  int64_t total = 0;
};
StatusOr<OpenedArtifact> OpenArtifact(QueueInspector* inspector, ArtifactStore* artifacts,
                                      const std::string& job_id, const std::string& name) {
  auto rec = inspector->Get(job_id);
  if (!rec.ok()) return rec.status();
  if (rec->state != JobState::kCompleted) {
    return Status::FailedPrecondition("job " + job_id + " is " + JobStateName(rec->state) +
                                      "; artifacts exist once it is COMPLETED");
  }
  for (const auto& a : rec->artifacts) {
    if (a.name != name) continue;
    auto reader = artifacts->Open(a);
    if (!reader.ok()) return reader.status();
    return OpenedArtifact{std::move(*reader), a.size_bytes};
  }
  std::string names;
  for (const auto& a : rec->artifacts) names += (names.empty() ? "" : ", ") + a.name;
  return Status::NotFound("job " + job_id + " has no artifact '" + name + "' (it has: " + names +
                          ")");
}

// Streams an artifact's bytes in chunks, the next only once the previous
// one was written. Opening it and every read of a 1 MiB slice (from
// PostgreSQL or the file) run on the store executor; the 64 KiB chunks
// between are copied from the slice in OnWriteDone.
//
// Exactly one of these holds the call at any time, so it is finished once
// and OnDone (which deletes the reactor) cannot come while a read is in
// flight: a queued or running read, a write in flight, or Finish called.
// OnCancel only marks the call; the read that holds it then finishes it.
class ArtifactReactor final : public grpc::ServerWriteReactor<v1::ArtifactChunk> {
 public:
  ArtifactReactor(QueueInspector* inspector, ArtifactStore* artifacts, RpcExecutor* store_calls,
                  std::string job_id, std::string name)
      : store_calls_(store_calls) {
    const bool queued = store_calls_->TrySubmit(
        [this, inspector, artifacts, job_id = std::move(job_id), name = std::move(name)](bool run) {
          if (!GoOn(run)) return;
          auto opened = OpenArtifact(inspector, artifacts, job_id, name);
          if (!opened.ok()) {
            Finish(ToGrpc(opened.status()));
            return;
          }
          reader_ = std::move(opened->reader);
          total_ = opened->total;
          ReadNext(true);
        });
    if (!queued) Finish(store_calls_->Busy());
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(ClientStopped());
      return;
    }
    // A chunk already in memory is taken here (a copy, no I/O); only the
    // read of a new slice goes to a store thread.
    if (reader_->Buffered() > 0) {
      ReadNext(true);
    } else {
      store_calls_->Submit([this](bool run) { ReadNext(run); });
    }
  }
  void OnCancel() override { cancelled_ = true; }
  void OnDone() override { delete this; }

 private:
  static grpc::Status ClientStopped() {
    return grpc::Status(grpc::StatusCode::CANCELLED, "client stopped reading");
  }

  // False, having finished the call, when the executor is stopping or the
  // client has gone.
  bool GoOn(bool run) {
    if (run && !cancelled_) return true;
    Finish(run ? ClientStopped() : ShuttingDown());
    return false;
  }

  // On a store thread, or in OnWriteDone when the chunk is in memory: takes
  // the next chunk and writes it, or finishes.
  void ReadNext(bool run) {
    if (!GoOn(run)) return;
    auto buf = reader_->Next(kArtifactChunk);
    if (!buf.ok()) {
      Finish(ToGrpc(buf.status()));
      return;
    }
    const size_t n = buf->size();
    if (n == 0) {
      Finish(grpc::Status::OK);
      return;
    }
    chunk_.set_data(std::move(*buf));
    chunk_.set_offset(offset_);
    chunk_.set_total_bytes(total_);
    offset_ += static_cast<int64_t>(n);
    StartWrite(&chunk_);
  }

  RpcExecutor* const store_calls_;
  std::atomic<bool> cancelled_{false};
  // Touched only by the holder of the call (see above).
  std::unique_ptr<ArtifactReader> reader_;
  int64_t total_ = 0;
  int64_t offset_ = 0;
  v1::ArtifactChunk chunk_;
};

class ErrorWriter final : public grpc::ServerWriteReactor<v1::ArtifactChunk> {
 public:
  explicit ErrorWriter(const grpc::Status& s) { Finish(s); }
  void OnDone() override { delete this; }
};

class WatchError final : public grpc::ServerWriteReactor<v1::JobEvent> {
 public:
  explicit WatchError(const grpc::Status& s) { Finish(s); }
  void OnDone() override { delete this; }
};

}  // namespace

JobServiceImpl::JobServiceImpl(JobQueue* queue, QueueInspector* inspector, TemplateStore* templates,
                               EventHub* hub, ArtifactStore* artifacts, RpcExecutor* store_calls,
                               JobServiceOptions options)
    : queue_(queue),
      inspector_(inspector),
      templates_(templates),
      hub_(hub),
      artifacts_(artifacts),
      store_calls_(store_calls),
      options_(options) {}

StatusOr<JobSpec> PrepareJob(TemplateStore* templates, const v1::SubmitJobRequest& req,
                             v1::SubmitJobResponse* resp) {
  if (req.template_id().empty() && req.inline_template().empty()) {
    return Status::InvalidArgument("either template_id or inline_template is required");
  }
  if (!req.template_id().empty() && !req.inline_template().empty()) {
    return Status::InvalidArgument("give template_id or inline_template, not both");
  }
  if (req.template_version() < 0) {
    return Status::InvalidArgument("template_version must be 0 (latest) or a stored version");
  }
  if (req.idempotency_key().size() > kMaxIdempotencyKey) {
    return Status::InvalidArgument("idempotency_key is longer than 128 bytes");
  }
  JobSpec spec;
  spec.template_id = req.template_id();
  spec.template_version = req.template_version();
  spec.inline_template = req.inline_template();
  int prio = req.priority() == v1::PRIORITY_UNSPECIFIED ? v1::NORMAL : req.priority();
  if (prio < kMinPriority || prio > kMaxPriority) {
    return Status::InvalidArgument("priority " + std::to_string(prio) +
                                   " is not one of LOW, NORMAL, HIGH, URGENT");
  }
  spec.priority = static_cast<Priority>(prio);
  for (const auto& p : req.parameters()) spec.params.emplace_back(p.name(), p.value());
  for (int f : req.outputs()) {
    std::string name = FormatName(static_cast<v1::OutputFormat>(f));
    if (name.empty())
      return Status::InvalidArgument("output format " + std::to_string(f) + " is not known");
    spec.outputs.push_back(name);
  }
  spec.idempotency_key = req.idempotency_key();
  spec.submitter = req.submitter();
  spec.fresh_data = req.fresh_data();
  if (req.max_attempts() < 0 || req.max_attempts() > kMaxAttempts) {
    return Status::InvalidArgument("max_attempts must be between 1 and " +
                                   std::to_string(kMaxAttempts) + " (0 for the default), not " +
                                   std::to_string(req.max_attempts()));
  }
  spec.max_attempts = req.max_attempts();
  if (req.has_deadline()) {
    spec.deadline_ms = TimestampMillis(req.deadline());
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    if (spec.deadline_ms <= now_ms) {
      return Status::InvalidArgument("deadline is in the past; give a time in the future");
    }
  }
  if (req.has_run_at()) {
    spec.run_at_ms = TimestampMillis(req.run_at());
    if (spec.deadline_ms > 0 && spec.run_at_ms >= spec.deadline_ms) {
      return Status::InvalidArgument("run_at is not before the deadline; the job could never run");
    }
  }
  auto resolved = ResolveJob(templates, spec);
  if (!resolved.ok()) return resolved.status();
  if (spec.inline_template.empty())
    spec.template_version = resolved->template_version;
  else
    spec.template_id = resolved->tmpl.id;
  spec.outputs = resolved->outputs;
  resp->set_template_version(spec.template_version);
  for (const auto& issue : resolved->issues) ToProto(issue, resp->add_issues());
  return spec;
}

grpc::ServerUnaryReactor* JobServiceImpl::SubmitJob(grpc::CallbackServerContext* ctx,
                                                    const v1::SubmitJobRequest* req,
                                                    v1::SubmitJobResponse* resp) {
  return store_calls_->Answer(ctx, [this, req, resp] {
    auto spec = PrepareJob(templates_, *req, resp);
    if (!spec.ok()) return ToGrpc(spec.status());
    auto result = queue_->Submit(*spec);
    if (!result.ok()) return ToGrpc(result.status());
    resp->set_job_id(result->job_id);
    resp->set_deduplicated(result->deduplicated);
    spdlog::debug("submitted job {} (template {} v{})", result->job_id, spec->template_id,
                  spec->template_version);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* JobServiceImpl::SubmitJobs(grpc::CallbackServerContext* ctx,
                                                     const v1::SubmitJobsRequest* req,
                                                     v1::SubmitJobsResponse* resp) {
  if (req->jobs_size() > options_.max_batch) {
    return Done(ctx, grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                  "a batch holds at most " + std::to_string(options_.max_batch) +
                                      " jobs; this one has " + std::to_string(req->jobs_size()) +
                                      ": split it"));
  }
  return store_calls_->Answer(ctx, [this, req, resp] {
    std::vector<JobSpec> specs;
    std::vector<int> slot;  // result index of each spec
    for (int i = 0; i < req->jobs_size(); ++i) {
      auto* result = resp->add_results();
      auto spec = PrepareJob(templates_, req->jobs(i), result->mutable_response());
      if (!spec.ok()) {
        result->set_code(static_cast<int>(spec.status().code()));
        result->set_message(spec.status().message());
        result->clear_response();
        continue;
      }
      specs.push_back(std::move(*spec));
      slot.push_back(i);
    }
    if (!specs.empty()) {
      auto submitted = queue_->SubmitBatch(specs);
      if (!submitted.ok()) return ToGrpc(submitted.status());
      for (size_t k = 0; k < submitted->size(); ++k) {
        auto* r = resp->mutable_results(slot[k])->mutable_response();
        r->set_job_id((*submitted)[k].job_id);
        r->set_deduplicated((*submitted)[k].deduplicated);
      }
    }
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* JobServiceImpl::GetJob(grpc::CallbackServerContext* ctx,
                                                 const v1::GetJobRequest* req, v1::Job* resp) {
  Status s = CheckJobId(req->job_id());
  if (!s.ok()) return Done(ctx, ToGrpc(s));
  return store_calls_->Answer(ctx, [this, req, resp] {
    auto rec = inspector_->Get(req->job_id());
    if (!rec.ok()) return ToGrpc(rec.status());
    ToProto(*rec, resp);
    return grpc::Status::OK;
  });
}

grpc::ServerWriteReactor<v1::JobEvent>* JobServiceImpl::WatchJob(grpc::CallbackServerContext*,
                                                                 const v1::WatchJobRequest* req) {
  Status s = CheckJobId(req->job_id());
  if (!s.ok()) return new WatchError(ToGrpc(s));
  return new WatchReactor(req->job_id(), hub_, inspector_, store_calls_, &active_watchers_);
}

grpc::ServerUnaryReactor* JobServiceImpl::CancelJob(grpc::CallbackServerContext* ctx,
                                                    const v1::CancelJobRequest* req,
                                                    v1::CancelJobResponse* resp) {
  Status s = CheckJobId(req->job_id());
  if (!s.ok()) return Done(ctx, ToGrpc(s));
  return store_calls_->Answer(ctx, [this, req, resp] {
    auto outcome = queue_->Cancel(req->job_id());
    if (!outcome.ok()) return ToGrpc(outcome.status());
    if (IsTerminal(outcome->state) && outcome->state != JobState::kCancelled) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "job " + req->job_id() + " already finished as " +
                              JobStateName(outcome->state) + "; nothing to cancel");
    }
    resp->set_state(static_cast<v1::JobState>(outcome->state));
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* JobServiceImpl::ListJobs(grpc::CallbackServerContext* ctx,
                                                   const v1::ListJobsRequest* req,
                                                   v1::ListJobsResponse* resp) {
  int size = req->page_size() == 0 ? 100 : req->page_size();
  if (size < 1 || size > 1000) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                  "page_size must be between 1 and 1000"));
  }
  return store_calls_->Answer(ctx, [this, req, resp, size] {
    JobFilter filter;
    filter.state = static_cast<JobState>(req->state());
    filter.template_id = req->template_id();
    filter.priority = req->priority();
    auto page = inspector_->List(filter, size, req->page_token());
    if (!page.ok()) return ToGrpc(page.status());
    for (const auto& r : page->jobs) ToProto(r, resp->add_jobs());
    resp->set_next_page_token(page->next_page_token);
    return grpc::Status::OK;
  });
}

grpc::ServerWriteReactor<v1::ArtifactChunk>* JobServiceImpl::GetArtifact(
    grpc::CallbackServerContext*, const v1::GetArtifactRequest* req) {
  Status s = CheckJobId(req->job_id());
  if (!s.ok()) return new ErrorWriter(ToGrpc(s));
  return new ArtifactReactor(inspector_, artifacts_, store_calls_, req->job_id(), req->name());
}

}  // namespace quire
