// queue_bench: the queue workload of ../shared/bench/queue-workload.md run
// through Quire's real queue code (JobQueue and its Lua scripts) against a
// real Redis: enqueue jobs/s (one call per job, and batched), processed
// jobs/s with K worker threads leasing in batches and completing in
// pipelined batches, the same with random priorities, and submit→start
// latency at a light steady load. Prints one line per figure:
//   quire <metric> median=<v> min=<v> max=<v>
//   quire latency_ms p50=<v> p90=<v> p99=<v> max=<v>
// The Redis is emptied (FLUSHALL) before each run: point it at a scratch
// server only.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/queue/job_queue.h"
#include "common/queue/queue_inspector.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int port = 6379;
  int jobs = 20000;
  int repeat = 3;
  int workers = 2;
  int lease_batch = 64;
  int latency_jobs = 1000;
  double latency_rate = 200;
};

std::vector<quire::JobSpec> MakeJobs(int n, bool random_priority, std::mt19937& rng) {
  std::vector<quire::JobSpec> jobs(n);
  std::uniform_int_distribution<int> prio(quire::kMinPriority, quire::kMaxPriority);
  for (int i = 0; i < n; ++i) {
    auto& j = jobs[i];
    j.template_id = "noop";
    j.template_version = 1;
    j.priority =
        random_priority ? static_cast<quire::Priority>(prio(rng)) : quire::Priority::kNormal;
    // About 200 bytes of parameters, as in the workload.
    j.params = {{"report", "noop"}, {"seq", std::to_string(i)}, {"padding", std::string(140, 'x')}};
    j.outputs = {"pdf"};
  }
  return jobs;
}

void Flush(quire::RedisPool& pool) {
  auto c = pool.Borrow();
  if (!c.ok() || !(*c)->Command({"FLUSHALL"}).ok()) {
    std::fprintf(stderr, "queue_bench: cannot FLUSHALL redis\n");
    std::exit(1);
  }
}

double EnqueueSingle(quire::JobQueue& q, const std::vector<quire::JobSpec>& jobs) {
  auto start = Clock::now();
  for (const auto& j : jobs) {
    if (!q.Submit(j).ok()) {
      std::fprintf(stderr, "queue_bench: submit failed\n");
      std::exit(1);
    }
  }
  return jobs.size() / std::chrono::duration<double>(Clock::now() - start).count();
}

double EnqueueBatch(quire::JobQueue& q, const std::vector<quire::JobSpec>& jobs) {
  auto start = Clock::now();
  for (size_t i = 0; i < jobs.size(); i += 1000) {
    std::vector<quire::JobSpec> chunk(jobs.begin() + i,
                                      jobs.begin() + std::min(jobs.size(), i + 1000));
    if (!q.SubmitBatch(chunk).ok()) {
      std::fprintf(stderr, "queue_bench: batch submit failed\n");
      std::exit(1);
    }
  }
  return jobs.size() / std::chrono::duration<double>(Clock::now() - start).count();
}

// Drains `total` queued jobs with `workers` threads; jobs/s from the first
// lease to the last completion.
double Drain(quire::JobQueue& q, const Args& a, int total) {
  std::atomic<int> done{0};
  std::atomic<bool> started{false};
  Clock::time_point first;
  std::mutex first_mu;
  std::vector<std::thread> threads;
  for (int w = 0; w < a.workers; ++w) {
    threads.emplace_back([&, w] {
      std::string id = "bench-" + std::to_string(w);
      while (done.load() < total) {
        auto leased = q.Lease(id, a.lease_batch);
        if (!leased.ok()) std::exit(1);
        if (leased->empty()) {
          std::this_thread::yield();
          continue;
        }
        if (!started.exchange(true)) {
          std::lock_guard<std::mutex> lock(first_mu);
          first = Clock::now();
        }
        std::vector<const quire::LeasedJob*> batch;
        for (const auto& j : *leased) batch.push_back(&j);
        auto r = q.CompleteBatch(batch);
        if (!r.ok()) std::exit(1);
        done += static_cast<int>(leased->size());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto end = Clock::now();
  std::lock_guard<std::mutex> lock(first_mu);
  return total / std::chrono::duration<double>(end - first).count();
}

// CPU microseconds Redis' main thread has used so far (INFO cpu): Redis'
// own cost, user and system, much less noisy than wall-clock rates on a
// shared machine.
double RedisCpuMicros(quire::RedisPool& pool) {
  auto c = pool.Borrow();
  if (!c.ok()) return 0;
  auto r = (*c)->Command({"INFO", "cpu"});
  if (!r.ok()) return 0;
  std::string text = r->String();
  double total = 0;
  for (const char* field : {"used_cpu_user_main_thread:", "used_cpu_sys_main_thread:"}) {
    size_t pos = text.find(field);
    if (pos != std::string::npos) total += std::strtod(text.c_str() + pos + strlen(field), nullptr);
  }
  return total * 1e6;
}

struct Summary {
  double median, min, max;
};

Summary Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

void Print(const char* metric, const Summary& s) {
  std::printf("quire %s median=%.0f min=%.0f max=%.0f\n", metric, s.median, s.min, s.max);
  std::fflush(stdout);
}

// Submit one job at a time at a steady rate; a worker thread blocks on the
// queue's signal, leases, and records start − submit time.
void Latency(quire::JobQueue& q, quire::RedisPool& pool, const Args& a) {
  Flush(pool);
  std::mt19937 rng(7);
  int total = 20 + a.latency_jobs;
  auto specs = MakeJobs(total, false, rng);
  std::vector<Clock::time_point> submitted(total);
  std::vector<double> latency_ms(total, -1);
  std::atomic<int> seen{0};
  std::thread worker([&] {
    auto conn = quire::RedisConnection::Connect(pool.options());
    if (!conn.ok()) std::exit(1);
    while (seen.load() < total) {
      auto leased = q.Lease("latency", 16);
      if (!leased.ok()) std::exit(1);
      auto now = Clock::now();
      if (leased->empty()) {
        (void)q.WaitForWork(**conn, std::chrono::milliseconds(200));
        continue;
      }
      std::vector<const quire::LeasedJob*> batch;
      for (const auto& j : *leased) {
        int seq = std::stoi(j.spec.params[1].second);
        latency_ms[seq] = std::chrono::duration<double, std::milli>(now - submitted[seq]).count();
        batch.push_back(&j);
      }
      (void)q.CompleteBatch(batch);
      seen += static_cast<int>(leased->size());
    }
  });
  auto start = Clock::now();
  auto period = std::chrono::duration<double>(1.0 / a.latency_rate);
  for (int i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(period * i));
    submitted[i] = Clock::now();
    if (!q.Submit(specs[i]).ok()) std::exit(1);
  }
  worker.join();
  std::vector<double> measured(latency_ms.begin() + 20, latency_ms.end());
  std::printf("quire latency_ms p50=%.3f p90=%.3f p99=%.3f max=%.3f\n",
              quire::Quantile(measured, 0.50), quire::Quantile(measured, 0.90),
              quire::Quantile(measured, 0.99), quire::Quantile(measured, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"queue_bench: Quire's queue on the standard queue workload"};
  Args a;
  app.add_option("--redis-port", a.port, "Scratch Redis on 127.0.0.1 (it is FLUSHALLed)")
      ->required();
  app.add_option("--jobs", a.jobs)->capture_default_str();
  app.add_option("--repeat", a.repeat)->capture_default_str();
  app.add_option("--workers", a.workers, "Worker threads draining the queue")
      ->capture_default_str();
  app.add_option("--lease-batch", a.lease_batch, "Jobs leased per call")->capture_default_str();
  app.add_option("--latency-jobs", a.latency_jobs)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  quire::RedisOptions ro;
  ro.port = a.port;
  quire::RedisPool pool(ro, 32);
  quire::QueueOptions qo;
  quire::JobQueue q(&pool, qo);
  std::mt19937 rng(20240601);

  std::printf("quire config jobs=%d repeat=%d workers=%d lease_batch=%d\n", a.jobs, a.repeat,
              a.workers, a.lease_batch);
  std::vector<double> single, batch, processed, processed_prio;
  double us_submit = 0, us_drain = 0;
  for (int r = 0; r < a.repeat; ++r) {
    auto jobs = MakeJobs(a.jobs, false, rng);
    Flush(pool);
    single.push_back(EnqueueSingle(q, jobs));
    Flush(pool);
    double t0 = RedisCpuMicros(pool);
    batch.push_back(EnqueueBatch(q, jobs));
    double t1 = RedisCpuMicros(pool);
    processed.push_back(Drain(q, a, a.jobs));
    double t2 = RedisCpuMicros(pool);
    us_submit = (t1 - t0) / a.jobs;
    us_drain = (t2 - t1) / a.jobs;
    auto prio_jobs = MakeJobs(a.jobs, true, rng);
    Flush(pool);
    (void)EnqueueBatch(q, prio_jobs);
    processed_prio.push_back(Drain(q, a, a.jobs));
  }
  Print("enqueue_single_jobs_per_s", Summarize(single));
  Print("enqueue_batch_jobs_per_s", Summarize(batch));
  Print("processed_jobs_per_s", Summarize(processed));
  Print("processed_prio_jobs_per_s", Summarize(processed_prio));
  std::printf("quire redis_cpu_us_per_job submit=%.2f lease_and_complete=%.2f\n", us_submit, us_drain);
  Latency(q, pool, a);
  Flush(pool);
  return 0;
}
