#!/bin/bash
# golden.sh - sflowcat must decode the golden capture exactly as the reference decoder did.
#
# Under make check the harness runs this from the top build directory and exports srcdir; run by
# hand from the source tree it finds both by itself. SFLOWCAT overrides the binary.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_src=${srcdir:-$here/../..}
data=$top_src/tests/data

if [ -z "${SFLOWCAT:-}" ]; then
        for c in ./collector/sflowcat "$here/../../collector/sflowcat"; do
                if [ -x "$c" ]; then
                        SFLOWCAT=$c
                        break
                fi
        done
fi
if [ -z "${SFLOWCAT:-}" ] || [ ! -x "$SFLOWCAT" ]; then
        echo "golden.sh: sflowcat not found (build it, or set SFLOWCAT)" >&2
        exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
        echo "golden.sh: python3 not available, skipping" >&2
        exit 77
fi

status=0
compared=0
for pcap in "$data"/*.pcap; do
        name=$(basename "$pcap" .pcap)
        expected=$data/$name.sflowtool.jsonl
        [ -f "$expected" ] || continue
        echo "golden.sh: $name"
        python3 "$top_src/tests/e2e/jsoncmp.py" --sflowcat "$SFLOWCAT" --pcap "$pcap" \
                --expected "$expected" || status=1
        compared=$((compared + 1))
done
if [ "$compared" -eq 0 ]; then
        echo "golden.sh: no capture with a reference reading in $data" >&2
        exit 99
fi
exit $status
