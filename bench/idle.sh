#!/usr/bin/env bash
# idle.sh - idle cost of hsflowd: CPU % and RSS over a window with counter polling only.
# Usage: bench/idle.sh [SECONDS] [POLLING] ["OTHER AGENT COMMAND"]
#   SECONDS  measuring window (default 60)
#   POLLING  polling interval in seconds (default 1)
#   OTHER AGENT COMMAND  optional second agent, run the same way (its config path is substituted
#            for {conf}), printed side by side with ratios.
# Reference agent (hsflowd 2.1.25) on this kind of machine: 0.03 % CPU, 2.5 MB RSS at polling 5.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
polling=${2:-1}
other=${3:-}
hsflowd=${HSFLOWD:-$top/build/hsflowd/hsflowd}
sflowcat=${SFLOWCAT:-$top/build/collector/sflowcat}
[ -x "$hsflowd" ] || { echo "build first: scripts/build" >&2; exit 1; }
port=$((20000 + $$ % 20000))
conf=$(mktemp /tmp/bench-idle.XXXXXX.conf)
printf 'sflow {\n  polling = %s\n  collector { ip = 127.0.0.1 udpport = %s }\n}\n' "$polling" "$port" >"$conf"
"$sflowcat" -p "$port" >/dev/null &
cat_pid=$!
pids=()
trap 'for p in "${pids[@]}" $cat_pid; do kill $p 2>/dev/null || true; done; rm -f "$conf"' EXIT

cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }  # nanoseconds on CPU, all threads
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/${3:-status}"; }

measure() { # pid -> "cpu_percent cpu_ms seconds rss_mb peak_mb pss_mb"
  local pid=$1 t0 t1 w0 w1
  sleep 3 # start-up is not idle
  t0=$(cpu_ns "$pid"); w0=$(date +%s.%N)
  sleep "$secs"
  t1=$(cpu_ns "$pid"); w1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v w0="$w0" -v w1="$w1" -v r="$(kb "$pid" VmRSS)" -v h="$(kb "$pid" VmHWM)" \
      -v p="$(kb "$pid" Pss smaps_rollup)" \
      'BEGIN { w = w1 - w0; printf "%.4f %.1f %.1f %.2f %.2f %.2f\n", 100*(b-a)/1e9/w, (b-a)/1e6, w, r/1024, h/1024, p/1024 }'
}
show() { # name figures
  set -- "$1" $2
  printf "%-8s cpu %.4f %%  (%s ms on CPU in %s s)  rss %s MB  peak %s MB  pss %s MB\n" \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}

"$hsflowd" -f "$conf" -d >/dev/null 2>&1 &
pids+=($!)
ours=$(measure "${pids[0]}")
echo "polling=$polling, ${secs}s window"
show hsflowd "$ours"
if [ -n "$other" ]; then
  # shellcheck disable=SC2086
  ${other//\{conf\}/$conf} >/dev/null 2>&1 &
  pids+=($!)
  theirs=$(measure "${pids[1]}")
  show other "$theirs"
  echo "$ours $theirs" | awk '{ printf "ratio hsflowd/other: cpu %.2f  rss %.2f\n", $1/($7+1e-9), $4/$10 }'
fi
echo "reference agent: cpu 0.030 %  rss 2.50 MB at polling 5 (same kind of machine)"
