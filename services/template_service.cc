#include "services/template_service.h"

#include <chrono>

#include "common/resolved_job.h"
#include "common/template.h"
#include "services/proto_convert.h"

namespace quire {
namespace {

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const grpc::Status& s) {
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(s);
  return reactor;
}

void ToProto(const StoredTemplate& t, v1::TemplateInfo* out) {
  out->set_template_id(t.id);
  out->set_version(t.version);
  out->set_latest_version(t.latest_version);
  out->set_title(t.title);
  out->set_yaml(t.yaml);
  SetTimestamp(t.created_ms, out->mutable_created_at());
  for (int64_t v : t.versions) out->add_versions(v);
}

}  // namespace

grpc::ServerUnaryReactor* TemplateServiceImpl::PutTemplate(grpc::CallbackServerContext* ctx,
                                                           const v1::PutTemplateRequest* req,
                                                           v1::PutTemplateResponse* resp) {
  if (req->yaml().empty()) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "yaml is required"));
  }
  auto parsed = ParseOrExplain(req->yaml());
  if (!parsed.ok()) return Done(ctx, ToGrpc(parsed.status()));
  const ReportTemplate& t = *parsed->tmpl;
  auto version = store_->Put(t.id, t.title, req->yaml());
  if (!version.ok()) return Done(ctx, ToGrpc(version.status()));
  resp->set_template_id(t.id);
  resp->set_version(*version);
  for (const auto& issue : parsed->issues) ToProto(issue, resp->add_issues());
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* TemplateServiceImpl::GetTemplate(grpc::CallbackServerContext* ctx,
                                                           const v1::GetTemplateRequest* req,
                                                           v1::TemplateInfo* resp) {
  if (req->template_id().empty()) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "template_id is required"));
  }
  auto t = store_->Get(req->template_id(), req->version());
  if (!t.ok()) return Done(ctx, ToGrpc(t.status()));
  ToProto(*t, resp);
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ListTemplates(grpc::CallbackServerContext* ctx,
                                                             const v1::ListTemplatesRequest*,
                                                             v1::ListTemplatesResponse* resp) {
  auto list = store_->List();
  if (!list.ok()) return Done(ctx, ToGrpc(list.status()));
  for (const auto& t : *list) ToProto(t, resp->add_templates());
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* TemplateServiceImpl::DeleteTemplate(grpc::CallbackServerContext* ctx,
                                                              const v1::DeleteTemplateRequest* req,
                                                              v1::DeleteTemplateResponse*) {
  if (req->template_id().empty()) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "template_id is required"));
  }
  return Done(ctx, ToGrpc(store_->Delete(req->template_id())));
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ValidateTemplate(
    grpc::CallbackServerContext* ctx, const v1::ValidateTemplateRequest* req,
    v1::ValidateTemplateResponse* resp) {
  ParseResult parsed = ParseTemplate(req->yaml());
  resp->set_valid(!HasBlockingIssues(parsed.issues));
  for (const auto& issue : parsed.issues) ToProto(issue, resp->add_issues());
  if (req->test_sources() && parsed.tmpl.has_value()) {
    for (const auto& source : parsed.tmpl->sources) {
      auto* r = resp->add_sources();
      r->set_source(source.name);
      auto start = std::chrono::steady_clock::now();
      auto table = BuildLocalTable(*parsed.tmpl, source);
      r->set_elapsed_ms(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      if (!table.ok()) {
        r->set_error(table.status().message());
        continue;
      }
      if (!table->has_value()) {
        r->set_error("optional source: no data available in this version");
        continue;
      }
      const Table& t = **table;
      r->set_rows(static_cast<int64_t>(t.num_rows()));
      for (size_t i = 0; i < t.num_columns(); ++i) r->add_columns(t.column(i).name());
    }
  }
  return Done(ctx, grpc::Status::OK);
}

}  // namespace quire
