#!/usr/bin/env bash
# Quire on one machine, from nothing to a rendered report:
#   deploy/quickstart.sh        install what is missing, build, start Redis,
#                               PostgreSQL (the job history), the gateway and
#                               two workers, register the demo template,
#                               submit it and write out/demo.pdf and
#                               out/demo.xlsx
#   deploy/quickstart.sh stop   stop everything it started
# State (pid files, logs, Redis and PostgreSQL data, artifacts) lives under
# ./.run/.
# Running it twice is safe: what is already running is reused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.run"
OUT="$ROOT/out"
BUILD="${QUIRE_BUILD_DIR:-$ROOT/build}"
REDIS_PORT="${QUIRE_REDIS_PORT:-6379}"
GATEWAY_ADDR="${QUIRE_GATEWAY_LISTEN:-127.0.0.1:50051}"
METRICS_ADDR="${QUIRE_GATEWAY_METRICS_LISTEN:-127.0.0.1:9464}"
PG_PORT="${QUIRE_PG_PORT:-55432}"
export QUIRE_REDIS_PORT="$REDIS_PORT" QUIRE_GATEWAY_LISTEN="$GATEWAY_ADDR"
export QUIRE_GATEWAY_METRICS_LISTEN="$METRICS_ADDR" QUIRE_ARTIFACTS_DIR="$RUN/artifacts"
export QUIRE_HISTORY_DSN="host=127.0.0.1 port=$PG_PORT user=quire dbname=postgres"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
# PostgreSQL refuses to run as root: it runs as the postgres user then.
AS=()
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); fi

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

stop_one() {
  if alive "$1"; then
    local pid; pid="$(cat "$RUN/$1.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    echo "stopped $1 (pid $pid)"
  fi
  rm -f "$RUN/$1.pid"
}

stop_postgres() {
  if [ -f "$RUN/postgres/data/postmaster.pid" ] && [ -n "$PG_BIN" ]; then
    "${AS[@]}" "$PG_BIN/pg_ctl" -D "$RUN/postgres/data" -m fast -w stop > /dev/null 2>&1 || true
    echo "stopped postgresql"
  fi
}

if [ "${1:-}" = "stop" ]; then
  for p in worker-2 worker-1 gateway redis; do stop_one "$p"; done
  stop_postgres
  exit 0
fi

"$ROOT/deploy/deps.sh"
echo "== building (this takes a few minutes the first time)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$BUILD" -j"$(nproc)" --target quire-gateway quire-worker quirectl
mkdir -p "$RUN" "$OUT"

start() {  # name, command...
  local name="$1"; shift
  if alive "$name"; then echo "$name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  nohup "$@" > "$RUN/$name.log" 2>&1 &
  echo $! > "$RUN/$name.pid"
  echo "started $name (pid $!, log $RUN/$name.log)"
}

wait_port() {  # port, what
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "quickstart: $2 did not come up on port $1; see its log in $RUN" >&2
  exit 1
}

if ! alive redis && (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then
  echo "quickstart: port $REDIS_PORT is taken by another program; set QUIRE_REDIS_PORT" >&2
  exit 1
fi
# AOF with fsync every second, and no eviction: Quire's keys must not vanish.
start redis /usr/bin/redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$RUN" \
  --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save ''
wait_port "$REDIS_PORT" redis
# PostgreSQL for the job history (history.dsn): Quire creates its tables.
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
if ! "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
  if (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then
    echo "quickstart: port $PG_PORT is taken by another program; set QUIRE_PG_PORT" >&2
    exit 1
  fi
  # One directory the server's user owns: data, socket and log.
  PGDIR="$RUN/postgres"
  mkdir -p "$PGDIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDIR"; fi
  if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
    "${AS[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U quire --auth=trust -E UTF8 \
      > "$RUN/initdb.log" 2>&1 || { cat "$RUN/initdb.log"; exit 1; }
  fi
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgresql.log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PGDIR" start > /dev/null \
    || { tail -n 20 "$PGDIR/postgresql.log"; exit 1; }
  echo "started postgresql (port $PG_PORT, log $RUN/postgres/postgresql.log)"
else
  echo "postgresql already running (port $PG_PORT)"
fi
start gateway "$BUILD/services/quire-gateway" -c "$ROOT/deploy/quire.yaml"
wait_port "${GATEWAY_ADDR##*:}" gateway
start worker-1 "$BUILD/workers/quire-worker" -c "$ROOT/deploy/quire.yaml" --concurrency 2
start worker-2 "$BUILD/workers/quire-worker" -c "$ROOT/deploy/quire.yaml" --concurrency 2

QUIRECTL=("$BUILD/cli/quirectl" --addr "$GATEWAY_ADDR")
echo "== registering deploy/templates/demo.yaml"
"${QUIRECTL[@]}" templates put "$ROOT/deploy/templates/demo.yaml"
echo "== submitting the demo report"
rm -rf "$RUN/download"
"${QUIRECTL[@]}" submit demo -p region=North --priority HIGH --wait -o "$RUN/download"
mv -f "$RUN/download/report.pdf" "$OUT/demo.pdf"
mv -f "$RUN/download/report.xlsx" "$OUT/demo.xlsx"
rm -rf "$RUN/download"

cat <<MSG

Quire is running:
  gateway   $GATEWAY_ADDR (gRPC), metrics http://$METRICS_ADDR/metrics
  workers   2 (concurrency 2 each)
  redis     127.0.0.1:$REDIS_PORT (data in $RUN)
  postgres  127.0.0.1:$PG_PORT, database postgres, user quire: the job history
            (psql -h 127.0.0.1 -p $PG_PORT -U quire postgres -c 'SELECT id, state FROM quire_jobs')
  logs      $RUN/*.log
  report    $OUT/demo.pdf and $OUT/demo.xlsx

Try:  $BUILD/cli/quirectl --addr $GATEWAY_ADDR list
      $BUILD/cli/quirectl --addr $GATEWAY_ADDR metrics
Stop: deploy/quickstart.sh stop
MSG
