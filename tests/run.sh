#!/usr/bin/env bash
# Installs what is missing (apt), builds Quire, starts a scratch PostgreSQL
# on a free loopback port in a temp dir, and runs every test with ctest.
# Integration tests start their own redis-server processes on free loopback
# ports; everything started is stopped by pid when the run ends.
#
#   tests/run.sh            build and run all tests
#   QUIRE_BUILD_DIR=DIR     build directory (default: build, build-asan or
#                           build-tsan by QUIRE_SANITIZE)
#   CTEST_ARGS="-R Queue"   extra ctest arguments
#   QUIRE_SANITIZE=address  build with AddressSanitizer + UndefinedBehavior-
#                           Sanitizer (leak checks on) and run the same suite
#   QUIRE_SANITIZE=thread   the same with ThreadSanitizer
#
# Under a sanitizer every process (the test binaries and the gateway,
# workers and quirectl they start) writes its reports to
# BUILD/sanitizer-logs/; the run fails if any report was written, even when
# ctest passed, since a server's report does not always fail its test.
# Reports stop the process that made them (halt_on_error). Suppressions,
# for third-party code only, are in tests/sanitizers/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SANITIZE="${QUIRE_SANITIZE:-}"
case "$SANITIZE" in
  "") BUILD_NAME=build ;;
  address) BUILD_NAME=build-asan ;;
  thread) BUILD_NAME=build-tsan ;;
  *) echo "QUIRE_SANITIZE is '$SANITIZE': use address, thread or leave it unset" >&2; exit 2 ;;
esac
BUILD="${QUIRE_BUILD_DIR:-$ROOT/$BUILD_NAME}"
JOBS="$(nproc)"

"$ROOT/deploy/deps.sh"

# The sanitizers' options, set before the build since the build runs the
# test binaries to list their tests.
SAN_LOGS="$BUILD/sanitizer-logs"
if [ -n "$SANITIZE" ]; then
  rm -rf "$SAN_LOGS"
  mkdir -p "$SAN_LOGS"
  SUPP="$ROOT/tests/sanitizers"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$SAN_LOGS/ubsan"
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:log_path=$SAN_LOGS/asan"
  export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp:print_suppressions=0:log_path=$SAN_LOGS/tsan"
fi

echo "== build ($BUILD${SANITIZE:+, QUIRE_SANITIZE=$SANITIZE})"
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DQUIRE_BUILD_TESTS=ON \
  -DQUIRE_BUILD_BENCH=ON -DQUIRE_SANITIZE="$SANITIZE" > "$BUILD/configure.log" 2>&1 \
  || { cat "$BUILD/configure.log"; exit 1; }
cmake --build "$BUILD" -j"$JOBS"

TMP="$(mktemp -d /tmp/quire-tests-XXXXXX)"
chmod 755 "$TMP"
PG_PID=""
cleanup() {
  local status=$?
  [ -n "$PG_PID" ] || PG_PID="$(head -n 1 "$TMP/pg/postmaster.pid" 2>/dev/null || true)"
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    kill -INT "$PG_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PG_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  if [ -n "$SANITIZE" ] && [ -n "$(ls -A "$SAN_LOGS")" ]; then
    for f in "$SAN_LOGS"/*; do echo "== $f"; head -n 300 "$f"; done
    echo "== sanitizer reports: $(ls "$SAN_LOGS" | wc -l) in $SAN_LOGS" >&2
    status=1
  fi
  exit "$status"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# PostgreSQL: initdb as a non-root user (PostgreSQL refuses to run as root).
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PG_PORT="$(free_port)"
AS=()
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); chown postgres "$TMP"; fi
echo "== postgresql on 127.0.0.1:$PG_PORT"
"${AS[@]}" "$PG_BIN/initdb" -D "$TMP/pg" -U quire --auth=trust -E UTF8 > "$TMP/initdb.log" 2>&1 \
  || { cat "$TMP/initdb.log"; exit 1; }
"${AS[@]}" "$PG_BIN/postgres" -D "$TMP/pg" -h 127.0.0.1 -p "$PG_PORT" -k "$TMP" \
  -c fsync=off -c synchronous_commit=off > "$TMP/pg.log" 2>&1 &
for _ in $(seq 100); do
  "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && break
  sleep 0.1
done
"$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q || { cat "$TMP/pg.log"; exit 1; }
# The server's own pid (not runuser's), so the cleanup stops the server.
PG_PID="$(head -n 1 "$TMP/pg/postmaster.pid")"
export QUIRE_TEST_PG_DSN="host=127.0.0.1 port=$PG_PORT user=quire dbname=postgres"

echo "== tests"
cd "$BUILD"
# Unit tests in parallel; integration tests one binary at a time, since they
# start servers and measure real timeouts on a 2-core machine.
ctest --output-on-failure -LE integration -j"$JOBS" ${CTEST_ARGS:-}
ctest --output-on-failure -L integration ${CTEST_ARGS:-}
