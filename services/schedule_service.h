// ScheduleServiceImpl: the ScheduleService rpcs (proto/quire/v1/
// schedules.proto). Scheduler: the loop in every gateway that submits the
// due runs of every schedule, each exactly once however many gateways run
// it (see schedule_store.h for how). The rpcs run on the gateway's store
// executor, the scheduler on its own thread.
#pragma once

#include <chrono>

#include "common/base/background_loop.h"
#include "common/queue/job_queue.h"
#include "common/store/schedule_store.h"
#include "common/store/stored_templates.h"
#include "quire/v1/schedules.grpc.pb.h"
#include "services/rpc_executor.h"

namespace quire {

class ScheduleServiceImpl final : public v1::ScheduleService::CallbackService {
 public:
  ScheduleServiceImpl(ScheduleStore* store, TemplateStore* templates, RpcExecutor* store_calls)
      : store_(store), templates_(templates), store_calls_(store_calls) {}

  grpc::ServerUnaryReactor* CreateSchedule(grpc::CallbackServerContext* ctx,
                                           const v1::CreateScheduleRequest* req,
                                           v1::Schedule* resp) override;
  grpc::ServerUnaryReactor* GetSchedule(grpc::CallbackServerContext* ctx,
                                        const v1::GetScheduleRequest* req,
                                        v1::Schedule* resp) override;
  grpc::ServerUnaryReactor* ListSchedules(grpc::CallbackServerContext* ctx,
                                          const v1::ListSchedulesRequest* req,
                                          v1::ListSchedulesResponse* resp) override;
  grpc::ServerUnaryReactor* PauseSchedule(grpc::CallbackServerContext* ctx,
                                          const v1::PauseScheduleRequest* req,
                                          v1::Schedule* resp) override;
  grpc::ServerUnaryReactor* ResumeSchedule(grpc::CallbackServerContext* ctx,
                                           const v1::ResumeScheduleRequest* req,
                                           v1::Schedule* resp) override;
  grpc::ServerUnaryReactor* DeleteSchedule(grpc::CallbackServerContext* ctx,
                                           const v1::DeleteScheduleRequest* req,
                                           v1::DeleteScheduleResponse* resp) override;

 private:
  ScheduleStore* const store_;
  TemplateStore* const templates_;
  RpcExecutor* const store_calls_;
};

struct SchedulerOptions {
  // How often the scheduler looks for due runs.
  std::chrono::milliseconds tick{1000};
  // Most schedules handled per tick.
  int batch = 100;
};

class Scheduler {
 public:
  Scheduler(ScheduleStore* store, TemplateStore* templates, JobQueue* queue,
            SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  void Stop();

  // Submits every run due now; returns how many runs this call submitted
  // (runs another scheduler submitted first are not counted).
  StatusOr<int> RunDue();

 private:
  // Submits schedule `id`'s due run, if it is still due; true when this
  // call advanced the schedule.
  StatusOr<bool> RunOne(const std::string& id, int64_t now_ms);

  ScheduleStore* const store_;
  TemplateStore* const templates_;
  JobQueue* const queue_;
  const SchedulerOptions options_;

  BackgroundLoop loop_;
};

}  // namespace quire
