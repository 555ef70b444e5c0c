#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) over Quire's sources, or the
# files given, with the compile commands of a configured build whose
# generated protobuf headers exist (build them first: `cmake --build BUILD
# --target quire_proto`). Prints the findings, then a count per check; exits
# 1 if there is any.
#
#   tests/clang_tidy.sh                     every source file
#   tests/clang_tidy.sh FILE.cc...          those files only
#   tests/clang_tidy.sh $(git diff --name-only main -- '*.cc')
#   QUIRE_BUILD_DIR=DIR                     build directory (default: build)
#
# A build configured with clang (CXX=clang++) gives clang-tidy the same
# flags it compiles with; a gcc build works too, its gcc-only warning
# options aside.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${QUIRE_BUILD_DIR:-$ROOT/build}"
TIDY="$(command -v clang-tidy-14 || command -v clang-tidy)"
RUN_TIDY="$(command -v run-clang-tidy-14 || command -v run-clang-tidy)"
[ -f "$BUILD/compile_commands.json" ] \
  || { echo "no $BUILD/compile_commands.json: configure the build first" >&2; exit 2; }

if [ $# -gt 0 ]; then
  FILES=()
  for f in "$@"; do
    case "$f" in *.cc) FILES+=("$(realpath "$f")") ;; esac
  done
  [ ${#FILES[@]} -gt 0 ] || { echo "clang-tidy: no .cc files given"; exit 0; }
else
  # Every .cc of ours in the build; not the generated code under the build.
  FILES=("$ROOT/(bench|cli|common|report|services|tests|workers)/.*\.cc$")
fi

OUT="$(mktemp /tmp/quire-tidy-XXXXXX)"
trap 'rm -f "$OUT"' EXIT
"$RUN_TIDY" -quiet -clang-tidy-binary "$TIDY" -p "$BUILD" -j "$(nproc)" \
  -extra-arg=-Wno-unknown-warning-option "${FILES[@]}" 2>&1 \
  | sed -E 's/\x1b\[[0-9;]*m//g' > "$OUT" || true

# Each finding once (a header's is reported by every file including it).
grep -E '^/.*: (warning|error): .*\[[a-z0-9.,-]+\]$' "$OUT" | sort -u > "$OUT.findings" || true
trap 'rm -f "$OUT" "$OUT.findings"' EXIT
if [ ! -s "$OUT.findings" ]; then
  if grep -q 'error:' "$OUT"; then cat "$OUT"; exit 2; fi
  echo "clang-tidy: no findings"
  exit 0
fi
cat "$OUT.findings"
echo "== $(wc -l < "$OUT.findings") findings"
sed -E 's/.*\[([a-z0-9.,-]+)\]$/\1/' "$OUT.findings" | sort | uniq -c | sort -rn
exit 1
