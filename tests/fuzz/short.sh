#!/usr/bin/env bash
# short.sh - the fuzz run of the test suite: a few seconds per harness from the committed corpus.
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v clang-14 >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "FAIL: clang-14 missing under CI"; exit 1; fi
  echo "SKIPPED: clang-14 not installed (apt-get install clang-14 libfuzzer-14-dev)"; exit 77
fi
FUZZ_BUILD=${BUILDDIR:-$PWD}/fuzz-build exec bash "$here/run.sh" "${FUZZ_SECONDS:-5}"
