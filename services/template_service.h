// TemplateServiceImpl: store, read, list and validate report templates.
#pragma once

#include "common/stored_templates.h"
#include "quire/v1/templates.grpc.pb.h"

namespace quire {

class TemplateServiceImpl final : public v1::TemplateService::CallbackService {
 public:
  explicit TemplateServiceImpl(TemplateStore* store) : store_(store) {}

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
};

}  // namespace quire
