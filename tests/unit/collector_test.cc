// SourceCollector over real sources: a flaky local HTTP server (cpp-httplib
// on 127.0.0.1) shows transient failures retried with backoff until they
// succeed or the tries run out, and permanent ones failing at once; files
// and inline sources collected together; fallback and optional rules; the
// options read from a Config.
#include "report/data/collector.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "common/base/config.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

using std::chrono::milliseconds;

// Serves /flaky (503 for the first `failures` requests, then two records),
// /gone (404) and /down (always 500), counting requests per path.
class FlakyServer {
 public:
  explicit FlakyServer(int failures) : failures_(failures) {
    server_.Get("/flaky", [this](const httplib::Request&, httplib::Response& res) {
      if (flaky_++ < failures_) {
        res.status = 503;
        return;
      }
      res.set_content(R"([{"k": "a", "v": 1}, {"k": "b", "v": 2}])", "application/json");
    });
    server_.Get("/gone", [this](const httplib::Request&, httplib::Response& res) {
      ++gone_;
      res.status = 404;
    });
    server_.Get("/down", [this](const httplib::Request&, httplib::Response& res) {
      ++down_;
      res.status = 500;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(milliseconds(2));
    }
  }
  ~FlakyServer() {
    server_.stop();
    thread_.join();
  }
  std::string Host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Url(const char* path) const { return "http://" + Host() + path; }

  std::atomic<int> flaky_{0}, gone_{0}, down_{0};

 private:
  const int failures_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

CollectorOptions Options(const FlakyServer& server, const std::string& root) {
  CollectorOptions o;
  o.data_root = root;
  o.retry_attempts = 3;
  o.retry_base = milliseconds(20);
  o.default_timeout = milliseconds(5000);
  o.http.allow_hosts = {server.Host()};
  return o;
}

ReportTemplate Parse(const std::string& yaml) {
  ParseResult parsed = ParseTemplate(yaml);
  EXPECT_TRUE(parsed.tmpl.has_value()) << test::FormatIssues(parsed.issues);
  return parsed.tmpl.value_or(ReportTemplate());
}

TEST(SourceCollectorTest, TransientFailuresAreRetriedUntilTheyPass) {
  FlakyServer server(2);
  test::TempDir dir;
  std::ofstream(dir.File("x.csv")) << "a,b\n1,x\n2,y\n3,z\n";
  SourceCollector collector(Options(server, dir.path()));
  const ReportTemplate tmpl = Parse("id: t\ntitle: T\nsources:\n  web: {kind: http, url: \"" +
                                    server.Url("/flaky") +
                                    "\"}\n  file: {kind: csv, path: x.csv}\n"
                                    "  inline: {kind: inline, columns: [{name: n, type: int}], "
                                    "rows: [[7]]}\n");
  ReportData data;
  std::vector<std::string> warnings;
  ASSERT_TRUE(collector.Collect(tmpl, {}, {}, &data, &warnings).ok());
  EXPECT_EQ(server.flaky_.load(), 3) << "two 503s, then the records";
  EXPECT_EQ(data.tables.at("web").num_rows(), 2u);
  EXPECT_EQ(data.tables.at("file").num_rows(), 3u);
  EXPECT_EQ(data.tables.at("inline").num_rows(), 1u);
  EXPECT_TRUE(warnings.empty());
}

TEST(SourceCollectorTest, PermanentFailuresAreNotRetriedAndTransientOnesRunOut) {
  FlakyServer server(0);
  SourceCollector collector(Options(server, "."));
  ReportData data;
  Status s = collector.Collect(
      Parse("id: t\ntitle: T\nsources:\n  gone: {kind: http, url: \"" + server.Url("/gone") +
            "\"}\n"),
      {}, {}, &data, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_TRUE(test::Contains(s.message(), "'gone'")) << s.message();
  EXPECT_EQ(server.gone_.load(), 1) << "a 404 is not retried";

  s = collector.Collect(Parse("id: t\ntitle: T\nsources:\n  down: {kind: http, url: \"" +
                              server.Url("/down") + "\"}\n"),
                        {}, {}, &data, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(test::Contains(s.message(), "after 3 tries")) << s.message();
  EXPECT_EQ(server.down_.load(), 3);
}

TEST(SourceCollectorTest, OptionalSourcesWarnAndFallbacksStandIn) {
  FlakyServer server(0);
  SourceCollector collector(Options(server, "."));
  const ReportTemplate tmpl = Parse(
      "id: t\ntitle: T\nsources:\n"
      "  sample: {kind: inline, columns: [{name: k, type: text}], rows: [[z]]}\n"
      "  down: {kind: http, url: \"" +
      server.Url("/down") +
      "\", optional: true}\n"
      "  gone: {kind: http, url: \"" +
      server.Url("/gone") + "\", fallback: sample}\n");
  ReportData data;
  std::vector<std::string> warnings;
  ASSERT_TRUE(collector.Collect(tmpl, {}, {}, &data, &warnings).ok());
  EXPECT_EQ(data.tables.count("down"), 0u);
  ASSERT_EQ(data.tables.count("gone"), 1u);
  EXPECT_EQ(data.tables.at("gone").column(0).AsString(0), "z");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_TRUE(test::Contains(warnings[0], "'down'")) << warnings[0];
  EXPECT_TRUE(test::Contains(warnings[1], "using fallback 'sample'")) << warnings[1];
}

TEST(SourceCollectorTest, CancelStopsRetrying) {
  FlakyServer server(0);
  CollectorOptions o = Options(server, ".");
  o.retry_attempts = 10;
  o.retry_base = milliseconds(2000);
  SourceCollector collector(o);
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(200));
    cancel = true;
  });
  ReportData data;
  const auto start = std::chrono::steady_clock::now();
  Status s = collector.Collect(
      Parse("id: t\ntitle: T\nsources:\n  down: {kind: http, url: \"" + server.Url("/down") +
            "\"}\n"),
      {}, [&] { return cancel.load(); }, &data, nullptr);
  canceller.join();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "a cancelled job waited out its backoff";
}

TEST(SourceCollectorTest, OptionsComeFromTheConfig) {
  auto config = Config::Load("", {"http.allow_hosts=api.example.com,127.0.0.1:8080",
                                  "http.bearer_tokens=api.example.com=API_TOKEN",
                                  "postgres.connections=main=host=db dbname=x",
                                  "data.retry_attempts=5", "data.root=/srv/data"});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto o = CollectorOptions::FromConfig(*config);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->http.allow_hosts.size(), 2u);
  EXPECT_EQ(o->http.bearer_token_env.at("api.example.com"), "API_TOKEN");
  EXPECT_EQ(o->postgres_dsns.at("main"), "host=db dbname=x");
  EXPECT_EQ(o->retry_attempts, 5);
  EXPECT_EQ(o->data_root, "/srv/data");

  auto bad = Config::Load("", {"postgres.connections=nodsn"});
  ASSERT_TRUE(bad.ok());
  auto rejected = CollectorOptions::FromConfig(*bad);
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(test::Contains(rejected.status().message(), "postgres.connections"));
}

}  // namespace
}  // namespace quire
