// TemplateServiceImpl: store, read, list and validate report templates.
// Reads and writes of the store run on the gateway's store executor;
// ValidateTemplate with test_sources fetches the template's real sources
// (through the gateway's SourceCollector, uncached) on an executor of its
// own; neither ever on gRPC's callback threads.
#pragma once

#include "common/store/stored_templates.h"
#include "quire/v1/templates.grpc.pb.h"
#include "services/rpc_executor.h"

namespace quire {

class SourceCollector;

struct TemplateServiceOptions {
  int source_test_threads = 2;  // threads that run test_sources fetches
  int source_test_queue = 16;   // validations that may wait for one
};

class TemplateServiceImpl final : public v1::TemplateService::CallbackService {
 public:
  // `store_calls` runs every call of `store`; `sources` fetches
  // test_sources, or null for a collector with default options (inline,
  // csv and json only). Both must outlive the service.
  TemplateServiceImpl(TemplateStore* store, RpcExecutor* store_calls, SourceCollector* sources,
                      const TemplateServiceOptions& options = {});
  ~TemplateServiceImpl() override;

  grpc::ServerUnaryReactor* PutTemplate(grpc::CallbackServerContext* ctx,
                                        const v1::PutTemplateRequest* req,
                                        v1::PutTemplateResponse* resp) override;
  grpc::ServerUnaryReactor* GetTemplate(grpc::CallbackServerContext* ctx,
                                        const v1::GetTemplateRequest* req,
                                        v1::TemplateInfo* resp) override;
  grpc::ServerUnaryReactor* ListTemplates(grpc::CallbackServerContext* ctx,
                                          const v1::ListTemplatesRequest* req,
                                          v1::ListTemplatesResponse* resp) override;
  grpc::ServerUnaryReactor* DeleteTemplate(grpc::CallbackServerContext* ctx,
                                           const v1::DeleteTemplateRequest* req,
                                           v1::DeleteTemplateResponse* resp) override;
  grpc::ServerUnaryReactor* ValidateTemplate(grpc::CallbackServerContext* ctx,
                                             const v1::ValidateTemplateRequest* req,
                                             v1::ValidateTemplateResponse* resp) override;

 private:
  TemplateStore* const store_;
  RpcExecutor* const store_calls_;
  std::unique_ptr<SourceCollector> default_sources_;  // when none was given
  SourceCollector* const sources_;
  RpcExecutor source_tests_;  // declared last: destroyed first
};

}  // namespace quire
