#include "cli/cli_context.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/base/status.h"

namespace quire {

void CliContext::AddGlobalFlags(CLI::App& app) {
  if (const char* env = std::getenv("QUIRE_ADDR")) addr_ = env;
  app.add_option("--addr", addr_, "Gateway address (env QUIRE_ADDR)")->capture_default_str();
  app.add_flag("--json", json_, "Print JSON instead of text");
  app.add_option("--timeout", timeout_s_, "Per-call deadline in seconds")->capture_default_str();
}

void CliContext::OnRun(CLI::App* command, std::function<int()> run) {
  command->callback([this, run = std::move(run)] { exit_code_ = run(); });
}

const std::shared_ptr<grpc::Channel>& CliContext::Channel() {
  if (!channel_) channel_ = grpc::CreateChannel(addr_, grpc::InsecureChannelCredentials());
  return channel_;
}

std::unique_ptr<grpc::ClientContext> CliContext::NewCall(bool deadline) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (deadline) {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(static_cast<int64_t>(timeout_s_ * 1000)));
  }
  return ctx;
}

int RpcError(const grpc::Status& s) {
  std::fprintf(stderr, "quirectl: %s: %s\n",
               StatusCodeName(static_cast<StatusCode>(s.error_code())), s.error_message().c_str());
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return kExitUnavailable;
  }
  return kExitRpc;
}

bool ReadInputFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "quirectl: cannot read '%s'\n", path.c_str());
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace quire
