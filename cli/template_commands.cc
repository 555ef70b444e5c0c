#include "cli/template_commands.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/job_flags.h"
#include "cli/print.h"
#include "common/template/template.h"
#include "quire/v1/templates.grpc.pb.h"

namespace quire {
namespace {

// Every template command's flags; one command runs per process.
struct TemplateFlags {
  std::string file;  // put, validate (both)
  std::string id;    // get, delete
  int64_t version = 0;
  std::vector<std::string> params;  // templates validate
};

// Findings in file order, as a compiler prints them; exits 2 on an ERROR.
int ValidateLocally(const TemplateFlags& f) {
  std::string yaml;
  if (!ReadInputFile(f.file, &yaml)) return kExitUsage;
  auto parsed = ParseTemplate(yaml);
  std::stable_sort(parsed.issues.begin(), parsed.issues.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.line, a.column) < std::make_pair(b.line, b.column);
  });
  for (const auto& issue : parsed.issues) {
    std::fprintf(stderr, "%s:%s\n", f.file.c_str(), FormatIssue(issue).c_str());
  }
  return HasBlockingIssues(parsed.issues) ? kExitUsage : 0;
}

int PutTemplate(CliContext& cli, const TemplateFlags& f) {
  v1::PutTemplateRequest req;
  if (!ReadInputFile(f.file, req.mutable_yaml())) return kExitUsage;
  v1::PutTemplateResponse resp;
  if (int rc = cli.Call(&v1::TemplateService::Stub::PutTemplate, req, &resp)) return rc;
  PrintIssues(f.file, resp.issues());
  std::printf("%s v%lld\n", resp.template_id().c_str(), static_cast<long long>(resp.version()));
  return 0;
}

// The gateway's validation, which also fetches the sources with the given
// parameters; exits 2 for an invalid template.
int ValidateOnGateway(CliContext& cli, const TemplateFlags& f) {
  v1::ValidateTemplateRequest req;
  if (!ReadInputFile(f.file, req.mutable_yaml())) return kExitUsage;
  req.set_test_sources(true);
  if (!AddParams(f.params, req.mutable_parameters())) return kExitUsage;
  v1::ValidateTemplateResponse resp;
  if (int rc = cli.Call(&v1::TemplateService::Stub::ValidateTemplate, req, &resp)) return rc;
  PrintIssues(f.file, resp.issues());
  for (const auto& src : resp.sources()) {
    std::printf("source %s: %lld rows, %d columns, %.2f ms%s%s\n", src.source().c_str(),
                static_cast<long long>(src.rows()), src.columns_size(), src.elapsed_ms(),
                src.error().empty() ? "" : ", error: ", src.error().c_str());
  }
  return resp.valid() ? 0 : kExitUsage;
}

// The YAML on stdout, a "# id vN" line about it on stderr.
int GetTemplate(CliContext& cli, const TemplateFlags& f) {
  v1::GetTemplateRequest req;
  req.set_template_id(f.id);
  req.set_version(f.version);
  v1::TemplateInfo resp;
  if (int rc = cli.Call(&v1::TemplateService::Stub::GetTemplate, req, &resp)) return rc;
  if (cli.json()) {
    PrintJson(resp);
  } else {
    std::fprintf(stderr, "# %s v%lld (latest v%lld; versions 1..%lld)\n",
                 resp.template_id().c_str(), static_cast<long long>(resp.version()),
                 static_cast<long long>(resp.latest_version()),
                 static_cast<long long>(resp.versions_size()));
    std::cout << resp.yaml();
  }
  return 0;
}

int DeleteTemplate(CliContext& cli, const TemplateFlags& f) {
  v1::DeleteTemplateRequest req;
  req.set_template_id(f.id);
  v1::DeleteTemplateResponse resp;
  if (int rc = cli.Call(&v1::TemplateService::Stub::DeleteTemplate, req, &resp)) return rc;
  std::printf("deleted %s\n", f.id.c_str());
  return 0;
}

int ListTemplates(CliContext& cli) {
  v1::ListTemplatesResponse resp;
  int rc = cli.Call(&v1::TemplateService::Stub::ListTemplates, v1::ListTemplatesRequest(), &resp);
  if (rc != 0) return rc;
  if (cli.json()) {
    PrintJson(resp);
    return 0;
  }
  for (const auto& t : resp.templates()) {
    std::printf("%-24s v%-4lld %s\n", t.template_id().c_str(),
                static_cast<long long>(t.latest_version()), t.title().c_str());
  }
  return 0;
}

}  // namespace

void RegisterTemplateCommands(CLI::App& app, CliContext& cli) {
  auto f = std::make_shared<TemplateFlags>();

  auto* templates = app.add_subcommand("templates", "Manage templates");
  templates->require_subcommand(1);
  auto* put = templates->add_subcommand("put", "Store a template (new version)");
  put->add_option("file", f->file)->required();
  cli.OnRun(put, [&cli, f] { return PutTemplate(cli, *f); });
  auto* get = templates->add_subcommand("get", "Print a template's YAML");
  get->add_option("id", f->id)->required();
  get->add_option("--version", f->version);
  cli.OnRun(get, [&cli, f] { return GetTemplate(cli, *f); });
  auto* list = templates->add_subcommand("list", "List templates");
  cli.OnRun(list, [&cli] { return ListTemplates(cli); });
  auto* remove = templates->add_subcommand("delete", "Delete a template and all its versions");
  remove->add_option("id", f->id)->required();
  cli.OnRun(remove, [&cli, f] { return DeleteTemplate(cli, *f); });
  auto* validate = templates->add_subcommand("validate", "Validate a template on the gateway");
  validate->add_option("file", f->file)->required();
  validate->add_option("-p,--param", f->params,
                       "Parameter name=value the sources are fetched with (repeatable)");
  cli.OnRun(validate, [&cli, f] { return ValidateOnGateway(cli, *f); });

  auto* local = app.add_subcommand("validate", "Validate a template file locally (no server)");
  local->add_option("file", f->file)->required();
  cli.OnRun(local, [f] { return ValidateLocally(*f); });
}

}  // namespace quire
