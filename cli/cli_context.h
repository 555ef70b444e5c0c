// What every quirectl command shares: the global flags, the exit codes a
// script can rely on, the gateway channel and each call's deadline, and how
// a failed call and an unreadable input file are reported. The commands
// themselves live one group per file (job_commands.h, template_commands.h,
// ...) and register on the CLI11 app; this file holds no command.
//
// Exit codes a script can rely on:
//   0 success
//   1 the job ended FAILED or CANCELLED (submit --wait, watch), or the
//     in-process pipeline failed (render)
//   2 bad usage or input file (also: a template with ERROR findings)
//   3 the gateway answered with an error (its gRPC code is printed)
//   4 the gateway could not be reached (UNAVAILABLE / deadline)
#pragma once

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

namespace quire {

constexpr int kExitJobFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRpc = 3;
constexpr int kExitUnavailable = 4;

// Prints a failed call's gRPC code and message; returns kExitUnavailable for
// an unreachable gateway (UNAVAILABLE, DEADLINE_EXCEEDED), else kExitRpc.
int RpcError(const grpc::Status& s);

// The flags before the command, the channel to the gateway they name, and
// the exit code of the command that ran. One per process, living longer than
// the app whose callbacks refer to it. Not thread-safe.
class CliContext {
 public:
  // Adds --addr (its default from $QUIRE_ADDR), --json and --timeout.
  void AddGlobalFlags(CLI::App& app);

  // Makes `run` the callback of `command`: it runs after a successful parse,
  // and what it returns becomes exit_code().
  void OnRun(CLI::App* command, std::function<int()> run);
  // kExitUsage when no command ran.
  int exit_code() const { return exit_code_; }

  bool json() const { return json_; }

  // The gateway channel, created on first use (after parsing, from --addr).
  const std::shared_ptr<grpc::Channel>& Channel();
  // A context for one call, with the --timeout deadline unless `deadline` is
  // false (a stream that lasts as long as a job).
  std::unique_ptr<grpc::ClientContext> NewCall(bool deadline = true) const;

  // Calls a unary rpc of `Stub` with the --timeout deadline, e.g.
  // Call(&v1::JobService::Stub::GetJob, req, &job). Returns 0, or after
  // printing the error its exit code (RpcError).
  template <typename Stub, typename Request, typename Response>
  int Call(grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
           const Request& request, Response* response) {
    Stub stub(Channel());
    grpc::Status s = (stub.*rpc)(NewCall().get(), request, response);
    return s.ok() ? 0 : RpcError(s);
  }

 private:
  std::string addr_ = "127.0.0.1:50051";
  bool json_ = false;
  double timeout_s_ = 30;
  std::shared_ptr<grpc::Channel> channel_;
  int exit_code_ = kExitUsage;
};

// Reads a whole input file into *out; false, after a message naming it, when
// it cannot be read.
bool ReadInputFile(const std::string& path, std::string* out);

}  // namespace quire
