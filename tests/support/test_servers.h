// Real servers for integration tests: a redis-server on a free loopback port
// in a temp dir, and Quire's own binaries as child processes. Everything is
// stopped by pid when its object is destroyed. No mocks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace quire::testing {

// A free TCP port on 127.0.0.1 (bound once and released).
int FreePort();

// A fresh temp directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process with its output in a log file.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // SIGTERM, then SIGKILL after `grace`; waits for the exit.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // SIGKILL at once, as a crash would.
  void Kill();
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;
  // The exit code once it exited by itself; -1 while running or when it
  // was killed by a signal.
  int exit_code() const { return exit_code_; }

 private:
  void Reap(bool block);
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

// redis-server on 127.0.0.1:port() with persistence off.
class TestRedis {
 public:
  // With `append_only`, Redis keeps an AOF (appendfsync everysec) in its
  // directory, as deploy/ runs it, so that data survives a Restart().
  explicit TestRedis(bool append_only = false);
  ~TestRedis();
  int port() const { return port_; }
  // Stops the server (SIGKILL: without AOF the data is lost) and starts it
  // again on the same port.
  void Stop();
  void Start();
  // A clean restart: SIGTERM (Redis writes its AOF out and exits), then
  // Start() on the same port and directory.
  void Restart();
  // Empties every database.
  void Flush();

 private:
  TempDir dir_;
  int port_;
  bool append_only_;
  std::unique_ptr<ChildProcess> proc_;
};

// A scratch PostgreSQL cluster of its own: initdb into a temp dir (as user
// postgres when running as root), listening on 127.0.0.1:port() and a unix
// socket in the temp dir, superuser "quire" with trust auth, fsync off.
// Binaries from the newest /usr/lib/postgresql/*/bin. Stop()/Start() for
// fault tests; the destructor stops the server by its postmaster pid.
class TestPostgres {
 public:
  TestPostgres();
  ~TestPostgres();
  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;
  int port() const { return port_; }
  // "host=127.0.0.1 port=N user=quire dbname=postgres".
  std::string dsn() const;
  // Fast shutdown (sessions are terminated), waiting until the server is
  // gone; Start() brings it back on the same port with the same data.
  void Stop();
  void Start();

 private:
  // Runs `command` through sh, as user postgres when running as root.
  void Run(const std::string& command) const;

  TempDir dir_;
  std::string bin_;  // the PostgreSQL bin directory
  int port_;
};

// Waits until `addr` (host:port) accepts TCP connections; false on timeout.
bool WaitForPort(int port, std::chrono::milliseconds timeout);

// Paths of the built binaries (set by CMake).
std::string GatewayBinary();
std::string WorkerBinary();
std::string QuirectlBinary();
// The repository's root.
std::string SourceDir();

}  // namespace quire::testing
