// TestCluster: a whole Quire deployment for end-to-end tests — a real
// redis-server, one or more quire-gateway processes and any number of
// quire-worker processes, each on a free loopback port — with gRPC stubs and
// bounded-time helpers: put a template, submit, poll a job until a state,
// fetch an artifact, run quirectl.
//
// Not responsible for judging the product: helpers return what they saw. A
// wait that runs out of time adds a gtest failure naming what it waited for,
// the job's last state and the tails of the process logs. Every process is
// stopped by pid when the cluster is destroyed (workers, then gateways, then
// Redis).
#pragma once

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "quire/v1/jobs.grpc.pb.h"
#include "quire/v1/ops.grpc.pb.h"
#include "quire/v1/templates.grpc.pb.h"
#include "tests/support/test_servers.h"

namespace quire::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Deadline of every unary call a helper makes.
inline constexpr std::chrono::milliseconds kRpcDeadline = 10s;

inline std::unique_ptr<grpc::ClientContext> Deadline(std::chrono::milliseconds d = kRpcDeadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + d);
  return ctx;
}

// "INVALID_ARGUMENT: message", for failure messages.
inline std::string Describe(const grpc::Status& s) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int c = static_cast<int>(s.error_code());
  return std::string(c >= 0 && c <= 16 ? kNames[c] : "?") + ": " + s.error_message();
}

// Asserts that a gRPC call succeeded, printing its status otherwise.
#define ASSERT_RPC_OK(expr)                                \
  do {                                                     \
    const grpc::Status _s = (expr);                        \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << Describe(_s); \
  } while (0)

// One line about a job: id, state, stage, progress, attempt, worker, error.
inline std::string Describe(const v1::Job& j) {
  std::string out = j.job_id() + " " + v1::JobState_Name(j.state()) + " stage " +
                    v1::Stage_Name(j.stage()) + " " + std::to_string(j.progress_percent()) +
                    "% attempt " + std::to_string(j.attempt()) + " worker '" + j.worker_id() + "'";
  if (j.cancel_requested()) out += " (cancel requested)";
  if (!j.error_code().empty()) out += " error " + j.error_code() + ": " + j.error_message();
  return out;
}

inline int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Lower-case hex SHA-256 of `data`.
inline std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

inline std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The last `max_bytes` of a text, for failure messages.
inline std::string Tail(const std::string& text, size_t max_bytes = 3000) {
  return text.size() <= max_bytes ? text : "..." + text.substr(text.size() - max_bytes);
}

// Threads of a process, from /proc/<pid>/status; -1 when unreadable.
inline int ThreadCount(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return -1;
}

// Regular files below `dir` (recursively); empty when it does not exist.
inline std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(it->path().string());
  }
  return out;
}

// Outcome of RunCommand.
struct CommandResult {
  int exit_code = -1;  // -1 when killed at the deadline or by a signal
  bool timed_out = false;
  std::string output;  // stdout and stderr, interleaved
};

// Runs a program with extra environment variables, waiting at most
// `timeout`; kills it (SIGKILL) when the time is up.
inline CommandResult RunCommand(const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& env,
                                const std::string& log_path, std::chrono::milliseconds timeout) {
  CommandResult result;
  // Everything the child needs is built before fork(): between fork() and
  // exec() a child of a multi-threaded process may not allocate.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    if (!env.count(entry.substr(0, entry.find('=')))) env_strings.push_back(std::move(entry));
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args_copy = argv;
  std::vector<char*> args;
  for (auto& a : args_copy) args.push_back(a.data());
  args.push_back(nullptr);
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_t pid = fork();
  if (pid == 0) {
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  if (fd >= 0) close(fd);
  auto deadline = Clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.output = ReadFileText(log_path);
  return result;
}

// ---------------------------------------------------------------------------
// Templates the tests use.

// A template that renders in milliseconds: title, one paragraph, a 3-row
// table. One optional parameter `who`.
inline std::string TinyTemplate(const std::string& id = "tiny") {
  return "id: " + id +
         "\n"
         "title: \"Tiny report {{ params.who }}\"\n"
         "parameters:\n"
         "  - name: who\n"
         "    type: string\n"
         "    default: \"test\"\n"
         "sources:\n"
         "  t:\n"
         "    kind: inline\n"
         "    columns:\n"
         "      - {name: k, type: text}\n"
         "      - {name: v, type: int}\n"
         "    rows:\n"
         "      - [a, 1]\n"
         "      - [b, 2]\n"
         "      - [c, 3]\n"
         "sections:\n"
         "  - heading: \"Tiny\"\n"
         "  - text: \"One short paragraph for {{ params.who }}.\"\n"
         "  - table: {source: t}\n"
         "outputs: [pdf]\n";
}

// A template whose PDF takes seconds to render: one table of `rows` rows
// (20,000 rows with labels cut by pango: about 2 s on a 2-core test machine).
inline std::string SlowTemplate(int rows, const std::string& id = "slow") {
  static const std::string kSlowLabel(100, 'x');
  std::string y = "id: " + id +
                  "\n"
                  "title: \"Slow report\"\n"
                  "sources:\n"
                  "  big:\n"
                  "    kind: inline\n"
                  "    columns:\n"
                  "      - {name: k, type: int}\n"
                  "      - {name: label, type: text}\n"
                  "      - {name: v, type: float}\n"
                  "    rows:\n";
  y.reserve(y.size() + static_cast<size_t>(rows) * 140);
  for (int i = 0; i < rows; ++i) {
    // Labels too long for their column: each is cut with "…" by pango, the
    // slow path of table cells, so that rendering takes seconds.
    y += "      - [" + std::to_string(i) + ", \"row " + std::to_string(i) + " " + kSlowLabel +
         "\", " + std::to_string(i / 2) + ".5]\n";
  }
  y += "sections:\n  - heading: \"Big\"\n  - table: {source: big}\noutputs: [pdf]\n";
  return y;
}

inline std::string DemoTemplate() {
  std::string y = ReadFileText(SourceDir() + "/deploy/templates/demo.yaml");
  if (y.empty()) throw std::runtime_error("cannot read deploy/templates/demo.yaml");
  return y;
}

inline v1::SubmitJobRequest SubmitRequest(const std::string& template_id,
                                          v1::Priority priority = v1::NORMAL) {
  v1::SubmitJobRequest req;
  req.set_template_id(template_id);
  req.set_priority(priority);
  req.set_submitter("e2e-test");
  return req;
}

inline void AddParam(v1::SubmitJobRequest* req, const std::string& name, const std::string& value) {
  auto* p = req->add_parameters();
  p->set_name(name);
  p->set_value(value);
}

// ---------------------------------------------------------------------------

class TestCluster {
 public:
  struct Options {
    // Extra `--set key=value` for every gateway.
    std::vector<std::string> gateway_sets;
    // Extra `--set key=value` for every worker.
    std::vector<std::string> worker_sets;
    // Gateways started by the constructor.
    int gateways = 1;
    // Redis with an append-only file (everysec), as deploy/ runs it.
    bool redis_aof = false;
  };

  TestCluster() : TestCluster(Options{}) {}
  explicit TestCluster(Options options) : options_(std::move(options)) {
    artifacts_dir_ = work_.path() + "/artifacts";
    std::filesystem::create_directories(artifacts_dir_);
    redis_ = std::make_unique<TestRedis>(options_.redis_aof);
    for (int i = 0; i < options_.gateways; ++i) StartGateway();
  }

  ~TestCluster() {
    workers_.clear();
    gateways_.clear();
    redis_.reset();
  }

  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  TestRedis& redis() { return *redis_; }
  const std::string& artifacts_dir() const { return artifacts_dir_; }
  const std::string& work_dir() const { return work_.path(); }

  // Starts one more gateway on the same Redis; returns its index.
  size_t StartGateway(const std::vector<std::string>& extra_sets = {}) {
    auto g = std::make_unique<Gateway>();
    g->port = FreePort();
    g->addr = "127.0.0.1:" + std::to_string(g->port);
    std::vector<std::string> argv = {GatewayBinary()};
    for (const auto& s : CommonSets()) argv.insert(argv.end(), {"--set", s});
    argv.insert(argv.end(), {"--set", "gateway.listen=" + g->addr});
    argv.insert(argv.end(), {"--set", "gateway.metrics_listen="});
    for (const auto& s : options_.gateway_sets) argv.insert(argv.end(), {"--set", s});
    for (const auto& s : extra_sets) argv.insert(argv.end(), {"--set", s});
    size_t index = gateways_.size();
    g->proc = std::make_unique<ChildProcess>(
        argv, work_.path() + "/gateway" + std::to_string(index) + ".log");
    if (!WaitForPort(g->port, 15s)) {
      throw std::runtime_error("gateway did not listen on " + g->addr + ": " + g->proc->Log());
    }
    g->channel = grpc::CreateChannel(g->addr, grpc::InsecureChannelCredentials());
    if (!g->channel->WaitForConnected(std::chrono::system_clock::now() + 10s)) {
      throw std::runtime_error("no gRPC connection to the gateway at " + g->addr);
    }
    g->jobs = v1::JobService::NewStub(g->channel);
    g->templates = v1::TemplateService::NewStub(g->channel);
    g->ops = v1::OpsService::NewStub(g->channel);
    gateways_.push_back(std::move(g));
    return index;
  }

  ChildProcess& gateway(size_t i = 0) { return *gateways_.at(i)->proc; }
  const std::string& gateway_addr(size_t i = 0) const { return gateways_.at(i)->addr; }
  std::shared_ptr<grpc::Channel> channel(size_t i = 0) { return gateways_.at(i)->channel; }
  v1::JobService::Stub& jobs(size_t i = 0) { return *gateways_.at(i)->jobs; }
  v1::TemplateService::Stub& templates(size_t i = 0) { return *gateways_.at(i)->templates; }
  v1::OpsService::Stub& ops(size_t i = 0) { return *gateways_.at(i)->ops; }

  // Starts a worker with id `id`; `extra_sets` add to Options::worker_sets.
  ChildProcess& StartWorker(const std::string& id, int concurrency,
                            const std::vector<std::string>& extra_sets = {}) {
    std::vector<std::string> argv = {WorkerBinary()};
    for (const auto& s : CommonSets()) argv.insert(argv.end(), {"--set", s});
    argv.insert(argv.end(), {"--set", "worker.id=" + id});
    argv.insert(argv.end(), {"--set", "worker.concurrency=" + std::to_string(concurrency)});
    for (const auto& s : options_.worker_sets) argv.insert(argv.end(), {"--set", s});
    for (const auto& s : extra_sets) argv.insert(argv.end(), {"--set", s});
    auto proc = std::make_unique<ChildProcess>(argv, work_.path() + "/worker-" + id + ".log");
    auto& ref = *proc;
    workers_[id] = std::move(proc);
    return ref;
  }

  ChildProcess& worker(const std::string& id) { return *workers_.at(id); }

  // The last lines of every process log, for failure messages.
  std::string LogTails(size_t max_bytes = 2000) const {
    std::string out;
    for (size_t i = 0; i < gateways_.size(); ++i) {
      out += "\n--- gateway" + std::to_string(i) + " log ---\n" +
             Tail(gateways_[i]->proc->Log(), max_bytes);
    }
    for (const auto& [id, w] : workers_) {
      out += "\n--- worker " + id + " log ---\n" + Tail(w->Log(), max_bytes);
    }
    return out;
  }

  // --- RPC helpers (each call has a kRpcDeadline deadline) ----------------

  grpc::Status PutTemplate(const std::string& yaml, v1::PutTemplateResponse* resp = nullptr,
                           size_t gw = 0) {
    v1::PutTemplateRequest req;
    req.set_yaml(yaml);
    v1::PutTemplateResponse ignored;
    return templates(gw).PutTemplate(Deadline().get(), req, resp ? resp : &ignored);
  }

  grpc::Status Submit(const v1::SubmitJobRequest& req, v1::SubmitJobResponse* resp, size_t gw = 0) {
    return jobs(gw).SubmitJob(Deadline().get(), req, resp);
  }

  // Submits `n` copies of `req` through SubmitJobs, up to 1,000 per call;
  // the new jobs' ids in order (a gtest failure for any that was refused).
  std::vector<std::string> SubmitMany(const v1::SubmitJobRequest& req, int n, size_t gw = 0) {
    std::vector<std::string> ids;
    for (int done = 0; done < n; done += 1000) {
      v1::SubmitJobsRequest batch;
      for (int i = done; i < std::min(n, done + 1000); ++i) *batch.add_jobs() = req;
      v1::SubmitJobsResponse submitted;
      const grpc::Status s = jobs(gw).SubmitJobs(Deadline(30s).get(), batch, &submitted);
      EXPECT_TRUE(s.ok()) << "SubmitJobs: " << Describe(s);
      for (const auto& r : submitted.results()) {
        EXPECT_EQ(r.code(), 0) << r.message();
        ids.push_back(r.response().job_id());
      }
    }
    return ids;
  }

  // The new job's id; "" (and a gtest failure) when the submit failed.
  std::string SubmitOk(const v1::SubmitJobRequest& req, size_t gw = 0) {
    v1::SubmitJobResponse resp;
    grpc::Status s = Submit(req, &resp, gw);
    EXPECT_TRUE(s.ok()) << "SubmitJob: " << Describe(s);
    return s.ok() ? resp.job_id() : std::string();
  }

  grpc::Status GetJob(const std::string& id, v1::Job* job, size_t gw = 0) {
    v1::GetJobRequest req;
    req.set_job_id(id);
    return jobs(gw).GetJob(Deadline().get(), req, job);
  }

  grpc::Status Cancel(const std::string& id, v1::CancelJobResponse* resp, size_t gw = 0) {
    v1::CancelJobRequest req;
    req.set_job_id(id);
    return jobs(gw).CancelJob(Deadline().get(), req, resp);
  }

  grpc::Status GetMetrics(v1::Metrics* m, size_t gw = 0) {
    return ops(gw).GetMetrics(Deadline().get(), v1::GetMetricsRequest(), m);
  }

  // Polls GetJob every 50 ms until `done(job)` holds; false when `timeout`
  // passed first. `job` holds the last state seen.
  bool PollJob(const std::string& id, const std::function<bool(const v1::Job&)>& done,
               std::chrono::milliseconds timeout, v1::Job* job) {
    auto deadline = Clock::now() + timeout;
    while (true) {
      v1::Job j;
      if (GetJob(id, &j).ok()) {
        *job = j;
        if (done(j)) return true;
      }
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(50ms);
    }
  }

  // Waits until the job is COMPLETED, FAILED or CANCELLED; on timeout adds
  // a gtest failure and returns the last state seen.
  v1::Job WaitForTerminal(const std::string& id, std::chrono::milliseconds timeout) {
    v1::Job job;
    bool ok = PollJob(
        id,
        [](const v1::Job& j) {
          return j.state() == v1::COMPLETED || j.state() == v1::FAILED ||
                 j.state() == v1::CANCELLED;
        },
        timeout, &job);
    EXPECT_TRUE(ok) << "job " << id << " did not finish within "
                    << std::chrono::duration<double>(timeout).count()
                    << " s; last seen: " << Describe(job) << LogTails();
    return job;
  }

  // Waits until the job RUNNING on `worker_id` (any worker when empty).
  bool WaitForRunning(const std::string& id, const std::string& worker_id,
                      std::chrono::milliseconds timeout, v1::Job* job) {
    bool ok = PollJob(
        id,
        [&](const v1::Job& j) {
          return j.state() == v1::RUNNING && (worker_id.empty() || j.worker_id() == worker_id);
        },
        timeout, job);
    EXPECT_TRUE(ok) << "job " << id << " was not RUNNING on '" << worker_id << "' within "
                    << std::chrono::duration<double>(timeout).count()
                    << " s; last seen: " << Describe(*job) << LogTails();
    return ok;
  }

  // Streams an artifact into `data` (and each chunk into `chunks` when not
  // null); the final status of the stream.
  grpc::Status GetArtifact(const std::string& id, const std::string& name, std::string* data,
                           std::vector<v1::ArtifactChunk>* chunks = nullptr, size_t gw = 0) {
    v1::GetArtifactRequest req;
    req.set_job_id(id);
    req.set_name(name);
    auto ctx = Deadline(30s);
    auto reader = jobs(gw).GetArtifact(ctx.get(), req);
    v1::ArtifactChunk chunk;
    data->clear();
    while (reader->Read(&chunk)) {
      *data += chunk.data();
      if (chunks) chunks->push_back(chunk);
    }
    return reader->Finish();
  }

 private:
  struct Gateway {
    int port = 0;
    std::string addr;
    std::unique_ptr<ChildProcess> proc;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::JobService::Stub> jobs;
    std::unique_ptr<v1::TemplateService::Stub> templates;
    std::unique_ptr<v1::OpsService::Stub> ops;
  };

  std::vector<std::string> CommonSets() const {
    return {"redis.port=" + std::to_string(redis_->port()), "redis.host=127.0.0.1",
            "artifacts.dir=" + artifacts_dir_};
  }

  const Options options_;
  TempDir work_;
  std::string artifacts_dir_;
  // Destroyed in reverse: workers, gateways, then Redis, then the temp dir.
  std::unique_ptr<TestRedis> redis_;
  std::vector<std::unique_ptr<Gateway>> gateways_;
  std::map<std::string, std::unique_ptr<ChildProcess>> workers_;
};

}  // namespace quire::testing
