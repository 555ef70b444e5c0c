#include "services/template_service.h"

#include <chrono>

#include "common/resolve/resolved_job.h"
#include "common/template/template.h"
#include "report/data/collector.h"
#include "services/proto_convert.h"

namespace quire {
namespace {

void ToProto(const StoredTemplate& t, v1::TemplateInfo* out) {
  out->set_template_id(t.id);
  out->set_version(t.version);
  out->set_latest_version(t.latest_version);
  out->set_title(t.title);
  out->set_yaml(t.yaml);
  SetTimestamp(t.created_ms, out->mutable_created_at());
  for (int64_t v : t.versions) out->add_versions(v);
}

// Fetches every source of `tmpl` once into `resp`, in order.
void TestSources(SourceCollector& sources, const ReportTemplate& tmpl,
                 const v1::ValidateTemplateRequest& req, const std::function<bool()>& cancelled,
                 v1::ValidateTemplateResponse* resp) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& p : req.parameters()) values.emplace_back(p.name(), p.value());
  StatusOr<ParamValues> params = ResolveParameters(tmpl, values);
  for (const SourceSpec& source : tmpl.sources) {
    auto* r = resp->add_sources();
    r->set_source(source.name);
    if (!params.ok()) {
      r->set_error(params.status().message());
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    StatusOr<Table> table = sources.Fetch(source, *params, cancelled);
    r->set_elapsed_ms(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    if (!table.ok()) {
      r->set_error(table.status().message());
      continue;
    }
    r->set_rows(static_cast<int64_t>(table->num_rows()));
    for (size_t i = 0; i < table->num_columns(); ++i) {
      r->add_columns(table->column(i).name());
      r->add_column_types(ColumnTypeName(table->column(i).type()));
    }
  }
}

}  // namespace

TemplateServiceImpl::TemplateServiceImpl(TemplateStore* store, RpcExecutor* store_calls,
                                         SourceCollector* sources,
                                         const TemplateServiceOptions& options)
    : store_(store),
      store_calls_(store_calls),
      default_sources_(sources == nullptr ? std::make_unique<SourceCollector>(CollectorOptions())
                                          : nullptr),
      sources_(sources != nullptr ? sources : default_sources_.get()),
      source_tests_({options.source_test_threads, options.source_test_queue,
                     "too many source tests are running; retry shortly"}) {}

TemplateServiceImpl::~TemplateServiceImpl() = default;

grpc::ServerUnaryReactor* TemplateServiceImpl::PutTemplate(grpc::CallbackServerContext* ctx,
                                                           const v1::PutTemplateRequest* req,
                                                           v1::PutTemplateResponse* resp) {
  if (req->yaml().empty()) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "yaml is required"));
  }
  return store_calls_->Answer(ctx, [this, req, resp] {
    auto parsed = ParseOrExplain(req->yaml());
    if (!parsed.ok()) return ToGrpc(parsed.status());
    const ReportTemplate& t = *parsed->tmpl;
    auto version = store_->Put(t.id, t.title, req->yaml());
    if (!version.ok()) return ToGrpc(version.status());
    resp->set_template_id(t.id);
    resp->set_version(*version);
    for (const auto& issue : parsed->issues) ToProto(issue, resp->add_issues());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::GetTemplate(grpc::CallbackServerContext* ctx,
                                                           const v1::GetTemplateRequest* req,
                                                           v1::TemplateInfo* resp) {
  if (req->template_id().empty()) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "template_id is required"));
  }
  return store_calls_->Answer(ctx, [this, req, resp] {
    auto t = store_->Get(req->template_id(), req->version());
    if (!t.ok()) return ToGrpc(t.status());
    ToProto(*t, resp);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ListTemplates(grpc::CallbackServerContext* ctx,
                                                             const v1::ListTemplatesRequest*,
                                                             v1::ListTemplatesResponse* resp) {
  return store_calls_->Answer(ctx, [this, resp] {
    auto list = store_->List();
    if (!list.ok()) return ToGrpc(list.status());
    for (const auto& t : *list) ToProto(t, resp->add_templates());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::DeleteTemplate(grpc::CallbackServerContext* ctx,
                                                              const v1::DeleteTemplateRequest* req,
                                                              v1::DeleteTemplateResponse*) {
  if (req->template_id().empty()) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "template_id is required"));
  }
  return store_calls_->Answer(ctx,
                              [this, req] { return ToGrpc(store_->Delete(req->template_id())); });
}

grpc::ServerUnaryReactor* TemplateServiceImpl::ValidateTemplate(
    grpc::CallbackServerContext* ctx, const v1::ValidateTemplateRequest* req,
    v1::ValidateTemplateResponse* resp) {
  ParseResult parsed = ParseTemplate(req->yaml());
  resp->set_valid(!HasBlockingIssues(parsed.issues));
  for (const auto& issue : parsed.issues) ToProto(issue, resp->add_issues());
  if (!req->test_sources() || !parsed.tmpl.has_value()) return Done(ctx, grpc::Status::OK);
  // Fetching may take as long as the sources' timeouts: off this thread.
  auto tmpl = std::make_shared<ReportTemplate>(std::move(*parsed.tmpl));
  return source_tests_.Answer(ctx, [this, ctx, req, resp, tmpl] {
    TestSources(
        *sources_, *tmpl, *req, [ctx] { return ctx->IsCancelled(); }, resp);
    return ctx->IsCancelled() ? grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client")
                              : grpc::Status::OK;
  });
}

}  // namespace quire
