// JobServiceImpl: the JobService rpcs (proto/quire/v1/jobs.proto) on the
// gRPC callback API. Every Redis and PostgreSQL call runs on the gateway's
// store executor (rpc_executor.h), never on gRPC's callback threads: unary
// calls answer from there; WatchJob and GetArtifact are reactors that hold
// no thread while they wait, and read their job or artifact there.
#pragma once

#include <atomic>

#include "common/queue/job_queue.h"
#include "common/queue/queue_inspector.h"
#include "common/store/artifact_store.h"
#include "common/store/stored_templates.h"
#include "quire/v1/jobs.grpc.pb.h"
#include "services/event_hub.h"
#include "services/rpc_executor.h"

namespace quire {

struct JobServiceOptions {
  // Most jobs in one SubmitJobs call.
  int max_batch = 1000;
};

// Checks a submit request and turns it into a queueable spec (the template
// resolved, the parameters checked); fills `resp` with the pinned version
// and the non-blocking findings. Shared by SubmitJob(s) and the scheduler.
StatusOr<JobSpec> PrepareJob(TemplateStore* templates, const v1::SubmitJobRequest& req,
                             v1::SubmitJobResponse* resp);

class JobServiceImpl final : public v1::JobService::CallbackService {
 public:
  // Every pointer must outlive the service; `store_calls` runs its calls
  // of the queue, the inspector, the templates and the artifacts.
  JobServiceImpl(JobQueue* queue, QueueInspector* inspector, TemplateStore* templates,
                 EventHub* hub, ArtifactStore* artifacts, RpcExecutor* store_calls,
                 JobServiceOptions options);

  grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* ctx,
                                      const v1::SubmitJobRequest* req,
                                      v1::SubmitJobResponse* resp) override;
  grpc::ServerUnaryReactor* SubmitJobs(grpc::CallbackServerContext* ctx,
                                       const v1::SubmitJobsRequest* req,
                                       v1::SubmitJobsResponse* resp) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext* ctx, const v1::GetJobRequest* req,
                                   v1::Job* resp) override;
  grpc::ServerWriteReactor<v1::JobEvent>* WatchJob(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchJobRequest* req) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* ctx,
                                      const v1::CancelJobRequest* req,
                                      v1::CancelJobResponse* resp) override;
  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext* ctx,
                                     const v1::ListJobsRequest* req,
                                     v1::ListJobsResponse* resp) override;
  grpc::ServerWriteReactor<v1::ArtifactChunk>* GetArtifact(
      grpc::CallbackServerContext* ctx, const v1::GetArtifactRequest* req) override;

  // Watch streams open right now.
  int active_watchers() const { return active_watchers_.load(); }

 private:
  JobQueue* const queue_;
  QueueInspector* const inspector_;
  TemplateStore* const templates_;
  EventHub* const hub_;
  ArtifactStore* const artifacts_;
  RpcExecutor* const store_calls_;
  const JobServiceOptions options_;
  std::atomic<int> active_watchers_{0};
};

}  // namespace quire
