#!/usr/bin/env bash
# short.sh - the fuzz run of the test suite: a few seconds per harness from the committed corpus,
# with a fixed seed so that the suite is repeatable (a slower machine runs a prefix of the same
# sequence of inputs). Exploration with new seeds is tests/fuzz/run-long's.
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v clang-14 >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "FAIL: clang-14 missing under CI"; exit 1; fi
  echo "SKIPPED: clang-14 not installed (apt-get install clang-14 libfuzzer-14-dev)"; exit 77
fi
FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_BUILD=${BUILDDIR:-$PWD}/fuzz-build exec bash "$here/run.sh" "${FUZZ_SECONDS:-5}"
