#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Two builds' suda-serverd under the same busy-room loads, alternating run by
# run, with the server's send() calls counted: what a change to the flush
# does, on a machine too busy for wall-clock figures alone.
#
#   tools/run-flush-ab.sh BASE_BUILD NEW_BUILD [ROUNDS] [LOADS]
#
# LOADS is a list of MEMBERS:SENDERS:RATE (default "200:20:20 1000:20:20
# 100:10:10").  Per run: 8 s window, 1 s warm-up, server and bench at
# nice -n -10 (when allowed), `perf stat -e syscalls:sys_enter_sendto` over
# 5 s of the window.  Prints one line per run: server CPU per delivery,
# p50/p99, send() calls, lines per send().  Needs perf; builds nothing.

set -u
[ $# -ge 2 ] || { sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
base=$(cd "$1" && pwd) || exit 2
new=$(cd "$2" && pwd) || exit 2
rounds=${3:-2}
loads=${4:-"200:20:20 1000:20:20 100:10:10"}
bench=$new/tools/suda-bench
work=$(mktemp -d /tmp/suda-flush-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/suda.conf" <<CONF
[server]
max-clients=10000

[limits]
flood-control=false
exempt-loopback=true
CONF

value () { sed -n "s/^$2=//p" "$1" | head -1; }

run () {   # LABEL BUILD MEMBERS SENDERS RATE
  local label=$1 build=$2 kv=$work/run.kv
  nice -n -10 true 2>/dev/null && n="nice -n -10" || n=""
  $n "$build/src/serverd/suda-serverd" --listen 127.0.0.1 --port 0 --config "$work/suda.conf" \
    --log "$work/s.jsonl" > "$work/s.out" 2>&1 &
  local server=$! port="" _
  for _ in $(seq 50); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/s.out" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  (sleep 5; perf stat -x, -e syscalls:sys_enter_sendto -p "$server" -- sleep 5 \
     2> "$work/perf.txt" > /dev/null) &
  local perf=$!
  $n "$bench" --port "$port" --pid "$server" --clients "$3" --senders "$4" --rate "$5" \
    --duration 8 --warmup 1 --machine > "$kv" 2>&1
  wait "$perf"
  kill "$server"; wait "$server" 2>/dev/null
  rm -f "$work/s.jsonl"
  local sends
  sends=$(grep sendto "$work/perf.txt" | cut -d, -f1)
  printf '%-5s %4s members %2s×%-2s %s load %-5s µs/delivery %-5s cpu %-5s%% p50 %-7s p99 %-8s send() %-7s lines/send %s\n' \
    "$label" "$3" "$4" "$5" "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(value "$kv" server_us_per_delivery)" "$(value "$kv" server_cpu_pct)" \
    "$(value "$kv" p50_ms)" "$(value "$kv" p99_ms)" "$sends" \
    "$(awk -v s="$sends" -v d="$(value "$kv" deliveries_per_s)" 'BEGIN { if (s > 0) printf "%.2f", d * 5 / s }')"
}

for _ in $(seq "$rounds"); do
  for load in $loads; do
    IFS=: read -r members senders rate <<< "$load"
    run base "$base" "$members" "$senders" "$rate"
    run new "$new" "$members" "$senders" "$rate"
  done
done
