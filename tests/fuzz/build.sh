#!/usr/bin/env bash
# build.sh - build the libFuzzer harness tests/fuzz/fuzz_NAME.c (with the sources listed in
# fuzz_NAME.srcs, the libraries in fuzz_NAME.libs and the generated sources of fuzz_NAME.gen) into OUT/fuzz_NAME, and seed
# OUT/corpus_NAME from tests/fuzz/corpus/NAME.   Usage: build.sh OUT NAME
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1 n=$2
CLANG=${CLANG:-clang-14}
srcs=$(sed "s|[^ ]\+|$top/&|g" "$top/tests/fuzz/fuzz_$n.srcs")
libs=$(cat "$top/tests/fuzz/fuzz_$n.libs" 2>/dev/null || true)
# generated sources (fuzz_NAME.gen OUT prints the compiler arguments for them)
if [ -f "$top/tests/fuzz/fuzz_$n.gen" ]; then
  mkdir -p "$out"
  srcs="$srcs $(bash "$top/tests/fuzz/fuzz_$n.gen" "$out")"
fi
mkdir -p "$out/corpus_$n"
# shellcheck disable=SC2086
"$CLANG" -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$top/hsflowd" -I"$top" "$top/tests/fuzz/fuzz_$n.c" $srcs $libs -o "$out/fuzz_$n"
cp -n "$top/tests/fuzz/corpus/$n/"* "$out/corpus_$n/" 2>/dev/null || true
