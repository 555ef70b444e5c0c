#!/usr/bin/env bash
# run.sh — runs the queue workload (/work/shared/bench/queue-workload.md) on
# BullMQ and on Quire's queue_bench in one run, against one private Redis, and
# prints a side-by-side table (metric | bullmq | quire | ratio quire/bullmq).
# The machine is small and noisy, so only figures from the same run compare.
#
# usage: bench/peers/run.sh [--jobs N] [--repeat N]        (defaults 20000, 3)
# env:   QUIRE_BUILD_DIR  build dir holding bench/queue_bench (default: build;
#                         a relative path is taken from the repo root)
#        KEEP_OUTPUT=DIR  also copy the raw outputs of both benches to DIR
#
# It starts its own redis-server (loopback, free port, temp dir, persistence
# off), stopped by pid on exit; installs bench/peers/node_modules if missing.

set -euo pipefail

JOBS=20000
REPEAT=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jobs) JOBS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument: $1 (see --help)" >&2; exit 64 ;;
  esac
done

PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$PEERS_DIR/../.." && pwd)"
BUILD_DIR="${QUIRE_BUILD_DIR:-build}"
[[ "$BUILD_DIR" = /* ]] || BUILD_DIR="$REPO_ROOT/$BUILD_DIR"
QUIRE_BIN="$BUILD_DIR/bench/queue_bench"

for tool in redis-server redis-cli node npm awk timeout; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' not found in PATH" >&2; exit 69; }
done

# ---------------------------------------------------------------- Redis
TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/quire-peers.XXXXXX")"
REDIS_PID=""
cleanup() {
  if [[ -n "$REDIS_PID" ]] && kill -0 "$REDIS_PID" 2>/dev/null; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  if [[ -n "${KEEP_OUTPUT:-}" ]]; then
    mkdir -p "$KEEP_OUTPUT" && cp -f "$TMP_DIR"/*.out "$TMP_DIR"/redis.log "$KEEP_OUTPUT"/ 2>/dev/null || true
  fi
  rm -rf "$TMP_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Ask the kernel for a free loopback port, then start Redis on it; retry a few
# times in case another process grabbed the port in between.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
start_redis() {
  local attempt port
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$TMP_DIR" --logfile "$TMP_DIR/redis.log" --daemonize no &
    REDIS_PID=$!
    for _ in $(seq 50); do                       # up to ~5 s
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        REDIS_PORT="$port"
        return 0
      fi
      kill -0 "$REDIS_PID" 2>/dev/null || break  # died (port taken?): retry
      sleep 0.1
    done
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
    echo "run.sh: redis-server did not come up on port $port (attempt $attempt)" >&2
  done
  echo "run.sh: could not start redis-server; last log:" >&2
  tail -n 20 "$TMP_DIR/redis.log" >&2 || true
  return 1
}
flushall() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null; }

start_redis
echo "== redis $(redis-server --version | awk '{sub(/^v=/, "", $3); print $3}') on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID, no persistence), $(nproc) cores"

# ---------------------------------------------------------------- BullMQ
if [[ ! -d "$PEERS_DIR/node_modules" ]]; then
  echo "== installing BullMQ deps in $PEERS_DIR"
  # Prefer the lockfile (npm ci). npm ci refuses a lock that lacks entries for
  # optional per-platform packages (e.g. @msgpackr-extract/* for darwin/win32,
  # which a registry mirror may not carry); fall back to npm install then,
  # without touching the tracked lockfile (--no-package-lock).
  if [[ -f "$PEERS_DIR/package-lock.json" ]] \
      && (cd "$PEERS_DIR" && npm ci --no-audit --no-fund); then
    :
  else
    [[ -f "$PEERS_DIR/package-lock.json" ]] && echo "run.sh: npm ci failed; falling back to npm install" >&2
    (cd "$PEERS_DIR" && npm install --no-audit --no-fund --no-package-lock)
  fi
fi

echo "== bullmq: jobs=$JOBS repeat=$REPEAT"
flushall
# bullmq_bench.js bounds itself (10 min); timeout(1) is a backstop.
timeout 900 node "$PEERS_DIR/bullmq_bench.js" --port "$REDIS_PORT" --jobs "$JOBS" --repeat "$REPEAT" \
  | tee "$TMP_DIR/bullmq.out"

# ---------------------------------------------------------------- Quire
flushall
: > "$TMP_DIR/quire.out"
if [[ -x "$QUIRE_BIN" ]]; then
  echo "== quire: $QUIRE_BIN jobs=$JOBS repeat=$REPEAT"
  # A failing Quire bench still lets the table print whatever it produced.
  if ! timeout 900 "$QUIRE_BIN" --redis-port "$REDIS_PORT" --jobs "$JOBS" --repeat "$REPEAT" \
      | tee "$TMP_DIR/quire.out"; then
    echo "run.sh: WARNING: $QUIRE_BIN failed or timed out; its figures below may be missing" >&2
  fi
  flushall
else
  echo "== quire: SKIPPED — $QUIRE_BIN not found or not executable" \
       "(build the queue_bench target, or set QUIRE_BUILD_DIR)" >&2
fi

# ---------------------------------------------------------------- table
# Result lines look like
#   <system> <metric> median=X min=A max=B n=K     (throughput: jobs/s)
#   <system> latency_ms p50=X p90=Y p99=Z max=W    (latency: one row per key)
# Anything else (comments, progress) is ignored.
echo
echo "== same-run comparison (jobs=$JOBS, repeat=$REPEAT; throughput = median [min-max])"
awk '
  function cell(sys, row) { return ((sys, row) in val) ? val[sys, row] : "-" }
  function addrow(row) { if (!(row in seen)) { seen[row] = 1; order[++nrows] = row } }
  ($1 == "bullmq" || $1 == "quire") && NF >= 3 {
    sys = $1; metric = $2
    delete kv
    for (i = 3; i <= NF; i++) { split($i, p, "="); if (p[2] != "") kv[p[1]] = p[2] }
    if ("median" in kv) {
      addrow(metric); num[sys, metric] = kv["median"]
      val[sys, metric] = kv["median"] (("min" in kv && "max" in kv) ? " [" kv["min"] "-" kv["max"] "]" : "")
    } else if ("p50" in kv) {
      n = split("p50 p90 p99 max", keys, " ")
      for (k = 1; k <= n; k++) if (keys[k] in kv) {
        row = metric "." keys[k]; addrow(row); num[sys, row] = kv[keys[k]]; val[sys, row] = kv[keys[k]]
      }
    }
  }
  END {
    fmt = "%-32s | %-24s | %-24s | %s\n"
    printf fmt, "metric", "bullmq", "quire", "ratio (quire/bullmq)"
    printf fmt, "--------------------------------", "------------------------", "------------------------", "--------------------"
    for (r = 1; r <= nrows; r++) {
      row = order[r]
      ratio = "-"
      if ((("bullmq", row) in num) && (("quire", row) in num) && num["bullmq", row] + 0 != 0)
        ratio = sprintf("%.2f", num["quire", row] / num["bullmq", row])
      printf fmt, row, cell("bullmq", row), cell("quire", row), ratio
    }
    print ""
    print "ratio > 1: quire is faster on *_jobs_per_s rows, slower on latency_ms rows."
  }
' "$TMP_DIR/bullmq.out" "$TMP_DIR/quire.out"
