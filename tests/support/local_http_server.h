// LocalHttpServer: a cpp-httplib server on 127.0.0.1 and a free port of its
// own, serving the routes a test registers, on its own thread from
// construction to destruction (stopped and joined by the destructor).
// Debian's cpp-httplib listens with a backlog of 5: a burst of more
// simultaneous connections than that loses SYNs, which clients resend only
// after a second. Tests that need more spread them over several servers.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace quire::test {

class LocalHttpServer {
 public:
  // `routes` registers the handlers (server.Get(...), ...) before it listens.
  explicit LocalHttpServer(const std::function<void(httplib::Server&)>& routes) {
    routes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() does nothing before the loop runs: wait for it.
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ~LocalHttpServer() {
    server_.stop();
    thread_.join();
  }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  int port() const { return port_; }
  // "127.0.0.1:PORT", as http.allow_hosts wants it.
  std::string Host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Url(const std::string& path) const { return "http://" + Host() + path; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace quire::test
