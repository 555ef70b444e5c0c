// gateway_latency_bench: how long a unary rpc takes on a gateway that is
// streaming large artifacts. Starts a scratch PostgreSQL and Redis (the
// tests' TestPostgres and TestRedis), stores one artifact of --artifact-mb
// MiB in PostgreSQL (artifacts.store: postgres) as a COMPLETED job's, then,
// for each gateway binary given (--gateway LABEL=PATH, repeatable; default
// the quire-gateway built beside this bench), times --calls GetJob calls
// one after another (fewer if they take over --max-seconds) on an idle
// gateway, and again while --downloads clients (each on its own
// connection) stream that artifact over and over.
//
// Each repeat starts a fresh gateway process per binary, the binaries in
// turn, and measures last the downloads alone for 5 s. Prints, per gateway
// and phase (idle, downloading, downloads_alone), the median of --repeats
// repeats with their range:
//   quire_gateway_latency gateway=<label> <phase> downloads=<n> getjob_ms
//     p50=<v> [min-max] p99=<v> [..] max=<v> [..] calls=<timed, all repeats>
//     download_mib_per_s=<v> [..] chunk_gap_max_ms=<longest wait for a chunk>
// and the failed calls and downloads, if any. Everything started is
// stopped by pid.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "common/queue/job_queue.h"
#include "common/queue/queue_inspector.h"
#include "common/store/artifact_database.h"
#include "common/store/artifact_store.h"
#include "quire/v1/jobs.grpc.pb.h"
#include "tests/support/test_servers.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = quire::v1;
namespace qt = quire::testing;

constexpr const char* kArtifactName = "report.pdf";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "gateway_latency_bench: %s\n", what.c_str());
  std::exit(1);
}

// Stores `mib` MiB of random bytes as the artifact of a job that is then
// COMPLETED, the way a worker with artifacts.store: postgres does; the
// job's id.
std::string StoreCompletedJob(int redis_port, const std::string& dsn, int mib) {
  quire::RedisOptions ro;
  ro.port = redis_port;
  quire::RedisPool pool(ro);
  quire::JobQueue queue(&pool, quire::QueueOptions());
  quire::ArtifactDatabase db(dsn, 1);
  if (auto s = db.Migrate(); !s.ok()) Die("migrating PostgreSQL: " + s.message());
  quire::JobSpec spec;
  spec.inline_template = "id: big\ntitle: Big\nsections: [{heading: Big}]\noutputs: [pdf]\n";
  spec.template_id = "big";
  spec.outputs = {"pdf"};
  spec.submitter = "gateway_latency_bench";
  auto submitted = queue.Submit(spec);
  if (!submitted.ok()) Die("submitting: " + submitted.status().message());
  auto leased = queue.Lease("bench-worker", 1);
  if (!leased.ok() || leased->size() != 1) Die("leasing the job failed");
  const quire::LeasedJob& job = (*leased)[0];
  qt::TempDir staging;
  quire::ArtifactStore store(staging.path(), &db);
  auto dir = store.StagingDir(job.id, job.token);
  if (!dir.ok()) Die("staging: " + dir.status().message());
  {
    std::mt19937_64 rng(15);
    std::vector<uint64_t> block(1 << 17);  // 1 MiB
    std::ofstream out(*dir + "/" + kArtifactName, std::ios::binary);
    for (int i = 0; i < mib; ++i) {
      for (uint64_t& w : block) w = rng();
      out.write(reinterpret_cast<const char*>(block.data()),
                static_cast<std::streamsize>(block.size() * sizeof(uint64_t)));
    }
  }
  auto artifacts = store.Commit(job.id, job.token);
  if (!artifacts.ok()) Die("storing the artifact: " + artifacts.status().message());
  auto completed = queue.Complete(job, *artifacts);
  if (!completed.ok() || *completed != quire::LeaseState::kHeld) Die("completing the job failed");
  return job.id;
}

// A channel of its own (its own TCP connection), so that a download's bytes
// never queue the prober's calls on the client side.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& addr) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(8 << 20);
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

// Streams the artifact over and over until `stop`, counting bytes and the
// longest wait for a chunk within a stream.
class Downloader {
 public:
  Downloader(const std::string& addr, const std::string& job_id, std::atomic<bool>* stop)
      : stub_(v1::JobService::NewStub(OwnChannel(addr))) {
    thread_ = std::thread([this, job_id, stop] {
      v1::GetArtifactRequest req;
      req.set_job_id(job_id);
      req.set_name(kArtifactName);
      while (!stop->load()) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
        auto reader = stub_->GetArtifact(&ctx, req);
        v1::ArtifactChunk chunk;
        auto last = Clock::now();
        while (reader->Read(&chunk)) {
          const auto now = Clock::now();
          if (chunk.offset() > 0) {
            const double gap = std::chrono::duration<double, std::milli>(now - last).count();
            if (gap > max_gap_ms_.load()) max_gap_ms_ = gap;
          }
          last = now;
          bytes_ += static_cast<int64_t>(chunk.data().size());
          if (stop->load()) {
            ctx.TryCancel();
            break;
          }
        }
        grpc::Status s = reader->Finish();
        if (!s.ok() && !stop->load()) failures_++;
      }
    });
  }
  ~Downloader() { thread_.join(); }

  int64_t bytes() const { return bytes_.load(); }
  int failures() const { return failures_.load(); }
  double max_gap_ms() const { return max_gap_ms_.load(); }

 private:
  std::unique_ptr<v1::JobService::Stub> stub_;
  std::atomic<int64_t> bytes_{0};
  std::atomic<int> failures_{0};
  std::atomic<double> max_gap_ms_{0};  // written by the thread only
  std::thread thread_;
};

struct Sample {
  double p50 = 0, p99 = 0, max = 0;  // GetJob, ms
  double download_mib_per_s = 0;
  double chunk_gap_ms = 0;  // the longest wait for a chunk
  int calls = 0;            // timed
  int failed_calls = 0;
  int failed_downloads = 0;
};

// `calls` GetJob calls one after another, with `downloads` streams running;
// with no calls, the streams alone for `max_seconds`.
Sample Measure(const std::string& addr, const std::string& job_id, int downloads, int calls,
               double max_seconds) {
  auto stub = v1::JobService::NewStub(OwnChannel(addr));
  v1::GetJobRequest req;
  req.set_job_id(job_id);
  auto get_job = [&](std::vector<double>* lat) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::Job job;
    auto t0 = Clock::now();
    grpc::Status s = stub->GetJob(&ctx, req, &job);
    if (lat) lat->push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    return s.ok() && job.state() == v1::COMPLETED;
  };
  for (int i = 0; i < 20; ++i) get_job(nullptr);  // warm up the connection

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Downloader>> streams;
  for (int i = 0; i < downloads; ++i) {
    streams.push_back(std::make_unique<Downloader>(addr, job_id, &stop));
  }
  // Every stream under way before the first timed call.
  const auto give_up = Clock::now() + std::chrono::seconds(30);
  for (auto& d : streams) {
    while (d->bytes() == 0 && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  Sample out;
  std::vector<double> lat;
  int64_t bytes_before = 0;
  for (auto& d : streams) bytes_before += d->bytes();
  const auto t0 = Clock::now();
  const auto until = t0 + std::chrono::duration<double>(max_seconds);
  for (int i = 0; i < calls && (i < 10 || Clock::now() < until); ++i) {
    if (!get_job(&lat)) out.failed_calls++;
  }
  if (calls == 0) std::this_thread::sleep_until(until);
  out.calls = static_cast<int>(lat.size());
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  int64_t bytes_after = 0;
  for (auto& d : streams) bytes_after += d->bytes();
  stop = true;
  for (auto& d : streams) {
    out.failed_downloads += d->failures();
    out.chunk_gap_ms = std::max(out.chunk_gap_ms, d->max_gap_ms());
  }
  streams.clear();
  if (!lat.empty()) {
    out.p50 = quire::Quantile(lat, 0.5);
    out.p99 = quire::Quantile(lat, 0.99);
    out.max = quire::Quantile(lat, 1.0);
  }
  out.download_mib_per_s = static_cast<double>(bytes_after - bytes_before) / (1 << 20) / seconds;
  return out;
}

std::string Figure(std::vector<double> v, const char* format) {
  std::sort(v.begin(), v.end());
  char buf[128];
  const double median = v[v.size() / 2];
  std::snprintf(buf, sizeof(buf), format, median);
  std::string out = buf;
  std::snprintf(buf, sizeof(buf), format, v.front());
  out += std::string(" [") + buf;
  std::snprintf(buf, sizeof(buf), format, v.back());
  out += std::string("-") + buf + "]";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gateway_latency_bench: unary rpc latency while artifacts stream"};
  std::vector<std::string> gateways;
  int artifact_mib = 50, downloads = 8, calls = 1000, repeats = 3;
  double max_seconds = 60;
  app.add_option("--gateway", gateways,
                 "LABEL=PATH of a quire-gateway binary (repeatable; default: the built one)");
  app.add_option("--artifact-mb", artifact_mib, "Size of the artifact in MiB")
      ->capture_default_str();
  app.add_option("--downloads", downloads, "Concurrent artifact streams")->capture_default_str();
  app.add_option("--calls", calls, "Timed GetJob calls per measurement")->capture_default_str();
  app.add_option("--max-seconds", max_seconds,
                 "Fewer calls when a measurement would take longer (at least 10)")
      ->capture_default_str();
  app.add_option("--repeats", repeats)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (gateways.empty()) gateways.push_back("built=" + qt::GatewayBinary());
  std::vector<std::pair<std::string, std::string>> binaries;
  for (const std::string& g : gateways) {
    const size_t eq = g.find('=');
    if (eq == std::string::npos) Die("--gateway wants LABEL=PATH, not '" + g + "'");
    binaries.emplace_back(g.substr(0, eq), g.substr(eq + 1));
  }

  qt::TestPostgres pg;
  qt::TestRedis redis;
  const std::string job_id = StoreCompletedJob(redis.port(), pg.dsn(), artifact_mib);
  std::printf("quire_gateway_latency artifact_mib=%d downloads=%d calls=%d repeats=%d\n",
              artifact_mib, downloads, calls, repeats);
  std::fflush(stdout);

  // GetJob on an idle gateway, then while artifacts stream, then the
  // streams alone (their rate without the prober's calls).
  struct Phase {
    std::string name;
    int downloads;
    int calls;
    double seconds;
  };
  const std::vector<Phase> phases = {{"idle", 0, calls, max_seconds},
                                     {"downloading", downloads, calls, max_seconds},
                                     {"downloads_alone", downloads, 0, 5}};
  // samples[label][phase] over the repeats.
  std::map<std::string, std::vector<std::vector<Sample>>> samples;
  for (int r = 0; r < repeats; ++r) {
    for (const auto& [label, path] : binaries) {
      qt::TempDir dir;
      const int port = qt::FreePort();
      const std::string addr = "127.0.0.1:" + std::to_string(port);
      qt::ChildProcess gateway(
          {path, "--set", "gateway.listen=" + addr, "--set", "gateway.metrics_listen=", "--set",
           "redis.port=" + std::to_string(redis.port()), "--set", "history.dsn=" + pg.dsn(),
           "--set", "artifacts.store=postgres", "--set", "artifacts.dir=" + dir.path(), "--set",
           "log.level=warn"},
          dir.path() + "/gateway.log");
      if (!qt::WaitForPort(port, std::chrono::seconds(15))) {
        Die(label + " gateway did not start: " + gateway.Log());
      }
      auto& runs = samples[label];
      runs.resize(phases.size());
      for (size_t p = 0; p < phases.size(); ++p) {
        const Phase& ph = phases[p];
        runs[p].push_back(Measure(addr, job_id, ph.downloads, ph.calls, ph.seconds));
      }
      gateway.Stop();
    }
  }
  for (const auto& [label, path] : binaries) {
    for (size_t p = 0; p < phases.size(); ++p) {
      const Phase& ph = phases[p];
      const std::vector<Sample>& runs = samples[label][p];
      std::vector<double> p50, p99, max, mibs, gaps;
      int timed = 0, failed_calls = 0, failed_downloads = 0;
      for (const Sample& s : runs) {
        p50.push_back(s.p50);
        p99.push_back(s.p99);
        max.push_back(s.max);
        mibs.push_back(s.download_mib_per_s);
        gaps.push_back(s.chunk_gap_ms);
        timed += s.calls;
        failed_calls += s.failed_calls;
        failed_downloads += s.failed_downloads;
      }
      std::printf("quire_gateway_latency gateway=%s %s downloads=%d", label.c_str(),
                  ph.name.c_str(), ph.downloads);
      if (ph.calls > 0) {
        std::printf(" getjob_ms p50=%s p99=%s max=%s calls=%d", Figure(p50, "%.2f").c_str(),
                    Figure(p99, "%.2f").c_str(), Figure(max, "%.1f").c_str(), timed);
      }
      if (ph.downloads > 0) {
        std::printf(" download_mib_per_s=%s chunk_gap_max_ms=%s", Figure(mibs, "%.0f").c_str(),
                    Figure(gaps, "%.1f").c_str());
      }
      if (failed_calls + failed_downloads > 0) {
        std::printf(" failed_calls=%d failed_downloads=%d", failed_calls, failed_downloads);
      }
      std::printf("\n");
    }
  }
  return 0;
}
