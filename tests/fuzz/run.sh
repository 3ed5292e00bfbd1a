#!/usr/bin/env bash
# run.sh - build every libFuzzer harness (tests/fuzz/fuzz_NAME.c, linked with the sources listed
# in fuzz_NAME.srcs and libraries in fuzz_NAME.libs) and run each for SECONDS on its corpus.
# Usage: tests/fuzz/run.sh [SECONDS] [NAME...]   (SECONDS default 60; output in fuzz-build/)
# FUZZ_SEED: libFuzzer's -seed (default 0: a new one each run).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_BUILD:-$PWD/fuzz-build}
secs=${1:-60}
shift || true
CLANG=${CLANG:-clang-14}
command -v "$CLANG" >/dev/null || { echo "SKIPPED: $CLANG not installed (apt-get install clang-14 libfuzzer-14-dev)"; exit 77; }
mkdir -p "$out"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$top"/tests/fuzz/fuzz_*.c; do n=$(basename "$f" .c); names+=("${n#fuzz_}"); done
fi
status=0
for n in "${names[@]}"; do
  echo "== fuzz_$n: build"
  bash "$top/tests/fuzz/build.sh" "$out" "$n"
  corpus="$out/corpus_$n"
  echo "== fuzz_$n: ${secs}s on $(ls "$corpus" | wc -l) inputs"
  log="$out/log_$n"
  if (cd "$out" && "./fuzz_$n" -max_total_time="$secs" -seed="${FUZZ_SEED:-0}" -print_final_stats=1 "$corpus" >"$log" 2>&1); then
    tail -n 12 "$log"
  else
    # what the sanitizer or libFuzzer said, the stack and the input, for the CI log
    grep -n -m1 -B2 -A60 -E '^==[0-9]+==|ERROR: libFuzzer|SUMMARY:|^MS: ' "$log" || tail -n 80 "$log"
    for c in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* "$out"/slow-unit-*; do
      [ -f "$c" ] && { echo "input $(basename "$c") (base64):"; base64 -w 100 "$c" | head -c 20000; echo; }
    done
    echo "fuzz_$n FAILED (crash input in $out)"; status=1
  fi
done
exit $status
