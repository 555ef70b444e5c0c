#!/usr/bin/env node
// bullmq_bench.js — runs the queue workload of /work/shared/bench/queue-workload.md
// on BullMQ, against a dedicated Redis on 127.0.0.1:--port (the database is
// FLUSHALLed between phases, so never point this at a Redis that holds data).
//
// Phases, per repetition (--repeat, default 3):
//   1. enqueue_single: --jobs calls to queue.add(), awaited one at a time;
//   2. enqueue_batch:  the same jobs via queue.addBulk() in chunks of 1,000;
//   3. processed:      one Worker (concurrency 50, no-op async processor) drains
//                      the jobs of phase 2; timed from the first processor call
//                      to the last 'completed' event (job moved to finished);
//   4. enqueue_batch_prio + processed_prio: as 2+3, each job with a priority
//                      drawn at random (seeded) among 1..4.
// Then once: latency at light load — 20 warm-up jobs, then 1,000 jobs added one
// at a time at 200 jobs/s on an absolute schedule; latency = processor start −
// the moment just before queue.add(), both from process.hrtime.bigint().
//
// Results go to stdout as one line per metric, e.g.
//   bullmq processed_jobs_per_s median=12345 min=12000 max=12800 n=3
//   bullmq latency_ms p50=1.23 p90=2.34 p99=4.56 max=7.89 n=1000
// Lines starting with '#' are informational (settings, per-run values);
// progress goes to stderr. Exits non-zero on any error or after --timeout-s.

'use strict';

const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const opts = {
    port: null,
    jobs: 20000,
    repeat: 3,
    concurrency: 50,
    chunk: 1000,
    latencyJobs: 1000,
    latencyWarmup: 20,
    latencyRate: 200,
    timeoutS: 600,
    seed: 42,
  };
  const flags = {
    '--port': 'port', '--jobs': 'jobs', '--repeat': 'repeat',
    '--concurrency': 'concurrency', '--chunk': 'chunk',
    '--latency-jobs': 'latencyJobs', '--latency-warmup': 'latencyWarmup',
    '--latency-rate': 'latencyRate', '--timeout-s': 'timeoutS', '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log(`usage: node bullmq_bench.js --port N [${Object.keys(flags).slice(1).map((f) => `${f} N`).join('] [')}]`);
      process.exit(0);
    }
    const key = flags[a];
    const v = Number(argv[i + 1]);
    if (!key || !Number.isInteger(v) || v < 0) {
      throw new Error(`bad argument ${a} ${argv[i + 1] ?? ''} (see --help)`);
    }
    opts[key] = v;
    i++;
  }
  if (!opts.port) throw new Error('--port N is required (a dedicated, empty Redis)');
  if (opts.jobs < 1 || opts.repeat < 1 || opts.concurrency < 1 || opts.chunk < 1 ||
      opts.latencyRate < 1) {
    throw new Error('--jobs, --repeat, --concurrency, --chunk, --latency-rate must be >= 1');
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const connection = { host: '127.0.0.1', port: opts.port, maxRetriesPerRequest: null };
const QUEUE = 'bench';
// Kept jobs: completed jobs are deleted (memory stays flat over repetitions);
// failed ones are kept, and any failure aborts the run anyway.
const JOB_OPTS = { removeOnComplete: true };

const log = (...a) => console.error('[bullmq_bench]', ...a);
const now = () => process.hrtime.bigint();
const msSince = (t0) => Number(now() - t0) / 1e6;

// Hard bound on the whole run: an unref'd timer, so it never keeps us alive.
setTimeout(() => {
  console.error(`[bullmq_bench] ERROR: timed out after ${opts.timeoutS}s`);
  process.exit(2);
}, opts.timeoutS * 1000).unref();

// ------------------------------------------------------------------ helpers
// Small seeded PRNG (mulberry32) so the priority mix is the same every run.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Payload: {"report":"noop","seq":N,"params":{"pad":"xxx…"}}, ~200 bytes of JSON.
const PAYLOAD_BYTES = 200;
function payload(seq) {
  const base = JSON.stringify({ report: 'noop', seq, params: { pad: '' } }).length;
  return { report: 'noop', seq, params: { pad: 'x'.repeat(Math.max(0, PAYLOAD_BYTES - base)) } };
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

// Nearest-rank percentile of a sorted array.
function percentile(sorted, p) {
  const k = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, k) - 1];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let admin; // plain ioredis client for FLUSHALL / sanity checks

async function flush() {
  await admin.flushall();
}

async function newQueue() {
  const q = new Queue(QUEUE, { connection, defaultJobOptions: JOB_OPTS });
  q.on('error', (e) => log('queue error:', e.message));
  await q.waitUntilReady();
  return q;
}

// Wait until `count` jobs have completed on a fresh Worker; resolves with the
// elapsed ms from the first processor call to the last 'completed' event.
async function drainWithWorker(count, label) {
  let first = null;
  let done = 0;
  let end = null;
  let resolve;
  let reject;
  const finished = new Promise((res, rej) => { resolve = res; reject = rej; });
  const worker = new Worker(QUEUE, async () => {
    if (first === null) first = now();
    // no-op handler
  }, { connection, concurrency: opts.concurrency, autorun: false });
  worker.on('completed', () => {
    if (++done === count) { end = now(); resolve(); }
  });
  worker.on('failed', (job, err) => reject(new Error(`${label}: job ${job && job.id} failed: ${err && err.message}`)));
  worker.on('error', (e) => log(`${label}: worker error:`, e.message));
  worker.run().catch(reject);
  // Per-phase bound, well inside the global one, with a clearer message.
  const guard = setTimeout(() => reject(new Error(`${label}: only ${done}/${count} jobs completed after ${opts.timeoutS}s`)),
    opts.timeoutS * 1000);
  guard.unref();
  try {
    await finished;
  } finally {
    clearTimeout(guard);
    await worker.close();
  }
  return Number(end - first) / 1e6;
}

async function assertEmpty(q, label) {
  const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'delayed', 'failed', 'completed');
  const left = Object.entries(c).filter(([, v]) => v > 0);
  if (left.length) throw new Error(`${label}: queue not empty after draining: ${JSON.stringify(c)}`);
}

// ------------------------------------------------------------------- phases
async function throughputRun(rep, data, prios) {
  const N = data.length;
  const r = {};

  // 1. one queue.add() per job, awaited one at a time.
  await flush();
  let q = await newQueue();
  let t0 = now();
  for (let i = 0; i < N; i++) {
    await q.add('noop', data[i]);
  }
  r.enqueue_single_jobs_per_s = N / (msSince(t0) / 1000);
  await q.close();

  // 2. addBulk in chunks; 3. drain those jobs with one worker.
  const chunks = [];
  for (let i = 0; i < N; i += opts.chunk) {
    chunks.push(data.slice(i, i + opts.chunk).map((d) => ({ name: 'noop', data: d })));
  }
  await flush();
  q = await newQueue();
  t0 = now();
  for (const c of chunks) await q.addBulk(c);
  r.enqueue_batch_jobs_per_s = N / (msSince(t0) / 1000);
  r.processed_jobs_per_s = N / (await drainWithWorker(N, `run ${rep} processed`) / 1000);
  await assertEmpty(q, `run ${rep} processed`);
  await q.close();

  // 4. the same with a random priority (1..4) per job.
  const pchunks = [];
  for (let i = 0; i < N; i += opts.chunk) {
    pchunks.push(data.slice(i, i + opts.chunk).map((d, j) => ({
      name: 'noop', data: d, opts: { priority: prios[i + j] },
    })));
  }
  await flush();
  q = await newQueue();
  t0 = now();
  for (const c of pchunks) await q.addBulk(c);
  r.enqueue_batch_prio_jobs_per_s = N / (msSince(t0) / 1000);
  r.processed_prio_jobs_per_s = N / (await drainWithWorker(N, `run ${rep} processed_prio`) / 1000);
  await assertEmpty(q, `run ${rep} processed_prio`);
  await q.close();

  return r;
}

async function latencyRun() {
  const total = opts.latencyWarmup + opts.latencyJobs;
  const submitAt = new Array(total);
  const startAt = new Array(total);
  let done = 0;
  let resolve;
  let reject;
  const finished = new Promise((res, rej) => { resolve = res; reject = rej; });

  await flush();
  const q = await newQueue();
  const worker = new Worker(QUEUE, async (job) => {
    startAt[job.data.seq] = now();
  }, { connection, concurrency: opts.concurrency });
  worker.on('completed', () => { if (++done === total) resolve(); });
  worker.on('failed', (job, err) => reject(new Error(`latency: job ${job && job.id} failed: ${err && err.message}`)));
  worker.on('error', (e) => log('latency: worker error:', e.message));
  await worker.waitUntilReady();
  await sleep(200); // let the worker reach its blocking wait for jobs

  // Absolute schedule: job i is due at t0 + i/rate, whatever the previous add
  // cost (no sleep drift); if we fall behind, the next add goes out at once.
  const periodNs = 1e9 / opts.latencyRate;
  const tStart = now();
  for (let i = 0; i < total; i++) {
    const due = tStart + BigInt(Math.round(i * periodNs));
    const waitMs = Number(due - now()) / 1e6;
    if (waitMs > 0) await sleep(waitMs);
    submitAt[i] = now();
    await q.add('noop', payload(i));
  }
  const submitSpanS = Number(submitAt[total - 1] - submitAt[opts.latencyWarmup]) / 1e9;

  const guard = setTimeout(() => reject(new Error(`latency: only ${done}/${total} jobs completed`)), 60000);
  guard.unref();
  try {
    await finished;
  } finally {
    clearTimeout(guard);
    await worker.close();
  }
  await assertEmpty(q, 'latency');
  await q.close();

  const lat = [];
  for (let i = opts.latencyWarmup; i < total; i++) lat.push(Number(startAt[i] - submitAt[i]) / 1e6);
  lat.sort((a, b) => a - b);
  const achieved = (opts.latencyJobs - 1) / submitSpanS;
  return {
    p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99),
    max: lat[lat.length - 1], n: lat.length, achieved,
  };
}

// --------------------------------------------------------------------- main
const fmtRate = (x) => Math.round(x);
const fmtMs = (x) => x.toFixed(3);

async function main() {
  admin = new IORedis(connection);
  admin.on('error', (e) => log('admin connection error:', e.message));
  const info = await admin.info('server');
  const redisVersion = (/redis_version:(\S+)/.exec(info) || [])[1] || '?';

  const bullmqVersion = require('bullmq/package.json').version;
  const ioredisVersion = require('ioredis/package.json').version;
  console.log(`# bullmq ${bullmqVersion}, ioredis ${ioredisVersion}, node ${process.version}, redis ${redisVersion} on 127.0.0.1:${opts.port}`);
  console.log(`# settings: jobs=${opts.jobs} repeat=${opts.repeat} batch_chunk=${opts.chunk} workers=1 concurrency=${opts.concurrency} ` +
    `removeOnComplete=true (completed jobs deleted) payload_bytes=${JSON.stringify(payload(0)).length} priorities=1..4 seed=${opts.seed}`);

  const data = Array.from({ length: opts.jobs }, (_, i) => payload(i));
  const rnd = mulberry32(opts.seed);
  const prios = Array.from({ length: opts.jobs }, () => 1 + Math.floor(rnd() * 4));

  const metrics = [
    'enqueue_single_jobs_per_s', 'enqueue_batch_jobs_per_s', 'processed_jobs_per_s',
    'enqueue_batch_prio_jobs_per_s', 'processed_prio_jobs_per_s',
  ];
  const runs = [];
  for (let rep = 1; rep <= opts.repeat; rep++) {
    log(`throughput run ${rep}/${opts.repeat} …`);
    const r = await throughputRun(rep, data, prios);
    runs.push(r);
    console.log(`# run ${rep}: ` + metrics.map((m) => `${m}=${fmtRate(r[m])}`).join(' '));
  }

  log(`latency run: ${opts.latencyWarmup} warm-up + ${opts.latencyJobs} jobs at ${opts.latencyRate} jobs/s …`);
  const lat = await latencyRun();
  await flush();

  for (const m of metrics) {
    const s = stats(runs.map((r) => r[m]));
    console.log(`bullmq ${m} median=${fmtRate(s.median)} min=${fmtRate(s.min)} max=${fmtRate(s.max)} n=${s.n}`);
  }
  console.log(`bullmq latency_ms p50=${fmtMs(lat.p50)} p90=${fmtMs(lat.p90)} p99=${fmtMs(lat.p99)} max=${fmtMs(lat.max)} n=${lat.n}`);
  console.log(`# latency: ${lat.n} jobs submitted at ${lat.achieved.toFixed(1)} jobs/s (target ${opts.latencyRate}), ` +
    `after ${opts.latencyWarmup} warm-up jobs; latency = processor start - just before queue.add()`);
}

main()
  .then(async () => {
    await admin.quit();
    process.exit(0);
  })
  .catch(async (e) => {
    console.error('[bullmq_bench] ERROR:', e && e.stack ? e.stack : e);
    try { if (admin) admin.disconnect(); } catch (_) { /* ignore */ }
    process.exit(1);
  });
