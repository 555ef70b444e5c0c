#include "tests/support/test_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace quire::testing {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool WaitForPort(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "quire-test-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path)
    : log_path_(std::move(log_path)) {
  // Everything is prepared before fork(): between fork() and exec() a child
  // of a multi-threaded process may only make async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  pid_ = fork();
  if (pid_ == 0) {
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    setpgid(0, 0);
    execv(args[0], args.data());
    _exit(127);
  }
  if (fd >= 0) close(fd);
}

ChildProcess::~ChildProcess() { Stop(std::chrono::milliseconds(3000)); }

void ChildProcess::Reap(bool block) {
  if (pid_ <= 0) return;
  int status = 0;
  pid_t r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  if (r == pid_ && WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
  if (r == pid_ || (r < 0 && errno == ECHILD)) pid_ = -1;
}

bool ChildProcess::running() {
  Reap(false);
  return pid_ > 0;
}

void ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!running()) return;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(true);
}

std::string ChildProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TestRedis::TestRedis(bool append_only) : port_(FreePort()), append_only_(append_only) { Start(); }

TestRedis::~TestRedis() { Stop(); }

void TestRedis::Start() {
  proc_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
                               "127.0.0.1", "--save", "", "--appendonly",
                               append_only_ ? "yes" : "no", "--appendfsync", "everysec", "--dir",
                               dir_.path(), "--protected-mode", "yes"},
      dir_.path() + "/redis.log");
  if (!WaitForPort(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("redis-server did not start: " + proc_->Log());
  }
}

void TestRedis::Stop() {
  if (proc_) proc_->Kill();
  proc_.reset();
}

void TestRedis::Restart() {
  if (proc_) proc_->Stop(std::chrono::milliseconds(10000));
  proc_.reset();
  Start();
}

void TestRedis::Flush() {
  std::string cmd = "redis-cli -p " + std::to_string(port_) + " FLUSHALL > /dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("FLUSHALL failed");
}

namespace {

// The bin directory of the newest PostgreSQL under /usr/lib/postgresql.
std::string PostgresBinDir() {
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  if (best.empty()) throw std::runtime_error("no PostgreSQL under /usr/lib/postgresql/*/bin");
  return best;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TestPostgres::TestPostgres() : bin_(PostgresBinDir()), port_(FreePort()) {
  if (geteuid() == 0) {  // PostgreSQL refuses to run as root
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("running as root and there is no user postgres");
    if (chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot chown " + dir_.path() + " to postgres");
    }
  }
  Run(bin_ + "/initdb -D " + dir_.path() + "/data -U quire --auth=trust -E UTF8 --no-sync > " +
      dir_.path() + "/initdb.log 2>&1");
  Start();
}

TestPostgres::~TestPostgres() { Stop(); }

std::string TestPostgres::dsn() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=quire dbname=postgres";
}

void TestPostgres::Run(const std::string& command) const {
  std::string full = geteuid() == 0 ? "runuser -u postgres -- sh -c '" + command + "'" : command;
  if (std::system(full.c_str()) != 0) {
    throw std::runtime_error("failed: " + command + "\n" + ReadFile(dir_.path() + "/initdb.log") +
                             ReadFile(dir_.path() + "/pg.log"));
  }
}

void TestPostgres::Start() {
  Run(bin_ + "/pg_ctl -D " + dir_.path() + "/data -l " + dir_.path() + "/pg.log -w -t 30 -o \"-p " +
      std::to_string(port_) + " -c listen_addresses=127.0.0.1 -k " + dir_.path() +
      " -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start > /dev/null");
}

void TestPostgres::Stop() {
  const std::string pid_file = dir_.path() + "/data/postmaster.pid";
  pid_t pid = static_cast<pid_t>(std::atol(ReadFile(pid_file).c_str()));
  if (pid <= 0) return;
  kill(pid, SIGINT);  // fast shutdown
  // The postmaster is not our child (pg_ctl daemonizes it): it is gone when
  // kill(pid, 0) fails, or (should nobody reap it) its pid file is removed.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (kill(pid, 0) != 0 || !std::filesystem::exists(pid_file)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  std::error_code ec;
  std::filesystem::remove(pid_file, ec);  // so that no later Stop() signals a reused pid
}

std::string GatewayBinary() { return QUIRE_GATEWAY_BIN; }
std::string WorkerBinary() { return QUIRE_WORKER_BIN; }
std::string QuirectlBinary() { return QUIRECTL_BIN; }
std::string SourceDir() { return QUIRE_SOURCE_DIR; }

}  // namespace quire::testing
