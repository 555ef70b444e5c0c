#!/usr/bin/env bash
# Builds the template parser fuzzer with clang (libFuzzer, AddressSanitizer
# with leak detection, UndefinedBehaviorSanitizer) and runs it for a bounded
# time over the seed corpus (tests/fuzz/seeds and deploy/templates). Fails
# on any crash, hang (an input over 10 s), leak or sanitizer report.
#   tests/fuzz/run_fuzzers.sh [OUT_DIR]     QUIRE_FUZZ_SECONDS=60 by default
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/build/fuzz}"
SECS="${QUIRE_FUZZ_SECONDS:-60}"
CXX_FUZZ="${CXX_FUZZ:-clang++-14}"
mkdir -p "$OUT/corpus"

echo "== building template_fuzzer with $CXX_FUZZ"
# The template and table rooms' sources, without their own tests.
SRCS=()
for f in "$ROOT"/common/template/*.cc "$ROOT"/common/table/*.cc "$ROOT/common/base/status.cc"; do
  case "$f" in *_test.cc) ;; *) SRCS+=("$f") ;; esac
done
# shellcheck disable=SC2046
"$CXX_FUZZ" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"$ROOT" $(pkg-config --cflags yaml-0.1) \
  "$ROOT/tests/fuzz/template_fuzzer.cc" "${SRCS[@]}" $(pkg-config --libs yaml-0.1) \
  -o "$OUT/template_fuzzer"

echo "== fuzzing the template parser for ${SECS}s"
# The working corpus starts from the seeds and the shipped templates.
cp "$ROOT"/tests/fuzz/seeds/* "$ROOT"/deploy/templates/*.yaml "$OUT/corpus/" 2>/dev/null || true
cd "$OUT"
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  ./template_fuzzer -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -print_final_stats=1 corpus
