#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The cluster scenario of issue 15: two suda-serverd sharing one room
# through a redis-server of the script's own, MEMBERS members on each and
# SENDERS × RATE msg/s on each side; then one suda-serverd alone with the
# same total load (2 × MEMBERS members, 2 × SENDERS senders).  Prints each
# server's CPU per delivery, the cross-server p99 (sent on A, received on
# B) beside the single server's p99, and Redis's CPU.
#
#   tools/run-cluster-benchmark.sh BUILD_DIR [--members 500] [--senders 20]
#                                  [--rate 20] [--duration 10]
#
# It builds nothing: BUILD_DIR must hold tools/suda-bench and
# src/serverd/suda-serverd.  Everything listens on 127.0.0.1 only.

set -u

usage () {
  sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd) || usage
shift
members=500
senders=20
rate=20
duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --members) members=$2; shift 2 ;;
    --senders) senders=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) usage ;;
  esac
done

bench=$build/tools/suda-bench
serverd=$build/src/serverd/suda-serverd
dir=$(mktemp -d /tmp/suda-cluster-bench.XXXXXX)
pids=()

cleanup () {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# CPU seconds (user + system) a process has used so far.
cpu_of () {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

# NAME [CLUSTER-LINES]: starts a daemon, sets port_NAME and pid_NAME.
start_server () {
  local name=$1 conf=$dir/$1.conf out=$dir/$1.out line=""
  printf '[server]\nlisten=127.0.0.1\nport=0\nmax-clients=5000\n[limits]\nflood-control=false\nexempt-loopback=true\n%s\n' \
    "${2:-}" > "$conf"
  "$serverd" --config "$conf" --log "$dir/$name.jsonl" > "$out" 2> "$dir/$name.err" &
  pids+=($!)
  eval "pid_$name=$!"
  for _ in $(seq 100); do
    line=$(grep -m1 "listening on" "$out")
    [ -n "$line" ] && break
    sleep 0.1
  done
  [ -n "$line" ] || { echo "suda-serverd $name did not start:" >&2; cat "$dir/$name.err" >&2; exit 1; }
  eval "port_$name=${line##*:}"
}

# FILE KEY: a key=value line suda-bench --machine printed.
value () {
  sed -n "s/^$2=//p" "$1" | head -1
}

redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$dir" > /dev/null &
redis_pid=$!
pids+=($redis_pid)
for _ in $(seq 100); do
  redis-cli -p "$redis_port" ping > /dev/null 2>&1 && break
  sleep 0.1
done

cluster="[cluster]\nredis=redis://127.0.0.1:$redis_port/0\n"
start_server a "$(printf "${cluster}server-id=a")"
start_server b "$(printf "${cluster}server-id=b")"
sleep 1

redis_start=$(cpu_of "$redis_pid")
t_start=$(date +%s.%N)
common=(--clients "$members" --senders "$senders" --rate "$rate" --duration "$duration"
        --warmup 5 --concurrency 16 --machine)
"$bench" "${common[@]}" --port "$port_a" --pid "$pid_a" --run-id 101 --remote-run 202 \
  --nick-prefix ca > "$dir/bench-a.txt" 2>&1 &
bench_a=$!
"$bench" "${common[@]}" --port "$port_b" --pid "$pid_b" --run-id 202 --remote-run 101 \
  --nick-prefix cb > "$dir/bench-b.txt" 2>&1 &
bench_b=$!
wait "$bench_a" "$bench_b"
redis_cpu=$(awk -v a="$redis_start" -v b="$(cpu_of "$redis_pid")" 'BEGIN { printf "%.2f", b - a }')
elapsed=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
kill "$pid_a" "$pid_b" 2>/dev/null

start_server single ""
sleep 1
"$bench" --clients $((2 * members)) --senders $((2 * senders)) --rate "$rate" --duration "$duration" \
  --warmup 5 --concurrency 16 --machine --port "$port_single" --pid "$pid_single" \
  > "$dir/bench-single.txt" 2>&1

# Per delivery: the server's CPU in the window over everything it delivered
# then, its own senders' lines and the other server's alike.
per_delivery () {
  awk -v cpu="$(value "$1" server_cpu_s)" -v own="$(value "$1" delivered)" \
      -v remote="$(value "$1" remote_delivered)" \
      'BEGIN { n = own + remote; if (n > 0) printf "%.2f", cpu * 1e6 / n; else print "-" }'
}

cat <<EOF
| | cluster, server A | cluster, server B | one server |
|---|---|---|---|
| members × senders × msg/s | $members × $senders × $rate | $members × $senders × $rate | $((2 * members)) × $((2 * senders)) × $rate |
| deliveries in ${duration} s (own + other server's) | $(value "$dir/bench-a.txt" delivered) + $(value "$dir/bench-a.txt" remote_delivered) | $(value "$dir/bench-b.txt" delivered) + $(value "$dir/bench-b.txt" remote_delivered) | $(value "$dir/bench-single.txt" delivered) |
| server CPU, % of a core | $(value "$dir/bench-a.txt" server_cpu_pct) | $(value "$dir/bench-b.txt" server_cpu_pct) | $(value "$dir/bench-single.txt" server_cpu_pct) |
| server CPU per delivery, µs | $(per_delivery "$dir/bench-a.txt") | $(per_delivery "$dir/bench-b.txt") | $(per_delivery "$dir/bench-single.txt") |
| p99, same server, ms | $(value "$dir/bench-a.txt" p99_ms) | $(value "$dir/bench-b.txt" p99_ms) | $(value "$dir/bench-single.txt" p99_ms) |
| p99, from the other server, ms | $(value "$dir/bench-a.txt" remote_p99_ms) (B → A) | $(value "$dir/bench-b.txt" remote_p99_ms) (A → B) | |
| lost | $(value "$dir/bench-a.txt" lost) | $(value "$dir/bench-b.txt" lost) | $(value "$dir/bench-single.txt" lost) |

Redis: $redis_cpu CPU s over the cluster run's $elapsed s (joins and warm-up included).
EOF
