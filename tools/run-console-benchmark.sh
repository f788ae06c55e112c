#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Issue 18's scenario: the same load against the console (`suda-server
# --start`, its window open on an Xvfb display, GSK_RENDERER=cairo) and
# against `suda-serverd`, in one run, printed side by side:
#   1. 100 members in one room, 50 of them sending one message a second:
#      server CPU per delivery, p99 and p999 delivery latency;
#   2. RSS after EVENTS1 and after EVENTS2 log events (a small room sending
#      fast, so a million events take minutes, not hours).
#
#   tools/run-console-benchmark.sh BUILD_DIR [--duration SECONDS] [--rounds N]
#                                  [--events "100000 1000000"] [--rate MSG_PER_S]
#
# Scenario 1 runs N times (3) for each, taking turns; the table shows the
# medians, and each round's figures follow it.
#
# Targets: console CPU per delivery <= 1.3 x the daemon's; console p99 <=
# the daemon's + 2 ms; console RSS within 10 % between the two counts.
# It builds nothing: BUILD_DIR must hold tools/suda-bench,
# src/serverd/suda-serverd and src/console/suda-server; Xvfb must be
# installed.  Everything listens on 127.0.0.1 only.

set -u

usage () {
  sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd) || usage
shift
duration=30
rounds=3
events="100000 1000000"
rate=2500
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) usage ;;
  esac
done

bench=$build/tools/suda-bench
serverd=$build/src/serverd/suda-serverd
console=$build/src/console/suda-server
for program in "$bench" "$serverd" "$console"; do
  [ -x "$program" ] || { echo "no $program: build first (ninja -C $build)" >&2; exit 1; }
done
command -v Xvfb > /dev/null || { echo "no Xvfb (apt-get install xvfb)" >&2; exit 1; }

work=$(mktemp -d /tmp/suda-console-bench.XXXXXX)
pids=()
cleanup () {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  sleep 1
  for pid in "${pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)"

cat > "$work/suda.conf" <<CONF
[server]
max-clients=10000

[limits]
flood-control=false
# every bench client comes from 127.0.0.1
exempt-loopback=true
CONF

free_port () {
  local p
  for p in $(seq 16800 16900); do
    ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return 0; }
  done
  return 1
}

wait_port () {   # PORT PID
  local _
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

rss_kib () {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# The daemon
daemon_port=$(free_port) || exit 1
"$serverd" --listen 127.0.0.1 --port "$daemon_port" --config "$work/suda.conf" \
  --log "$work/daemon.jsonl" > "$work/daemon.out" 2>&1 &
daemon_pid=$!
pids+=("$daemon_pid")
wait_port "$daemon_port" "$daemon_pid" || { echo "suda-serverd did not start" >&2; cat "$work/daemon.out" >&2; exit 1; }

# The console, its window on a display of its own
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp > "$work/xvfb.out" 2>&1 &
pids+=("$!")
sleep 1
console_port=$(free_port) || exit 1
while [ "$console_port" = "$daemon_port" ]; do console_port=$((console_port + 1)); done
DISPLAY=$display GSK_RENDERER=cairo GSETTINGS_BACKEND=memory GTK_A11Y=none NO_AT_BRIDGE=1 \
  GSETTINGS_SCHEMA_DIR="${GSETTINGS_SCHEMA_DIR:-$build/data}" \
  XDG_STATE_HOME="$work/state" \
  "$console" --start --listen 127.0.0.1 --port "$console_port" --config "$work/suda.conf" \
  > "$work/console.out" 2>&1 &
console_pid=$!
pids+=("$console_pid")
wait_port "$console_port" "$console_pid" || { echo "suda-server did not start" >&2; cat "$work/console.out" >&2; exit 1; }

value () {   # FILE KEY
  sed -n "s/^$2=//p" "$1" | head -1
}

# 1. The class: 100 members, 50 sending a message a second -----------------
# ROUNDS rounds, the two sides taking turns at going first: the machine's
# own drift (another process, the CPU's clock) then falls on both alike.
class_run () {   # WHO ROUND
  local who=$1 round=$2 port_var=${1}_port pid_var=${1}_pid
  "$bench" --port "${!port_var}" --pid "${!pid_var}" --clients 100 --senders 50 --rate 1 \
    --duration "$duration" --warmup 2 --drain 3 --nick-prefix "c${who:0:1}$round" --machine \
    > "$work/$who-class-$round.kv" 2> "$work/$who-class-$round.err" \
    || { echo "the bench failed against $who:" >&2; cat "$work/$who-class-$round.err" >&2; exit 1; }
}
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="daemon console"; else order="console daemon"; fi
  for who in $order; do class_run "$who" "$round"; done
done

# 2. RSS over events: a room of two, each sending RATE messages a second -----
declare -A rss
for who in daemon console; do
  port_var=${who}_port; pid_var=${who}_pid
  done_events=0
  for target in $events; do
    seconds=$(( (target - done_events) / (2 * rate) ))
    [ "$seconds" -ge 1 ] || seconds=1
    "$bench" --port "${!port_var}" --clients 2 --senders 2 --rate "$rate" --duration "$seconds" \
      --warmup 0 --drain 2 --nick-prefix "r${who:0:1}" --machine > "$work/$who-rss.kv" 2>&1 \
      || { echo "the bench failed against $who:" >&2; cat "$work/$who-rss.kv" >&2; exit 1; }
    done_events=$target
    rss[$who-$target]=$(rss_kib "${!pid_var}")
  done
done

# The table ------------------------------------------------------------------
median () {   # NUMBERS... -> the median
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
per_delivery () {   # FILE -> microseconds of server CPU per delivery
  awk -v cpu="$(value "$1" server_cpu_s)" -v n="$(value "$1" delivered)" \
    'BEGIN { if (n > 0) printf "%.2f", cpu * 1e6 / n; else print "n/a" }'
}
gtk_per_delivery () {   # FILE -> the main thread's (GTK's) share
  awk -v t="$(value "$1" server_main_thread_cpu_s)" -v n="$(value "$1" delivered)" \
    'BEGIN { if (n > 0) printf "%.2f", t * 1e6 / n; else print "n/a" }'
}
d_cpus=(); c_cpus=(); ratios=(); d_p99s=(); c_p99s=(); d_p999s=(); c_p999s=(); gtks=(); lost=0; rounds_text=""
for round in $(seq "$rounds"); do
  d=$work/daemon-class-$round.kv; c=$work/console-class-$round.kv
  d_cpus+=("$(per_delivery "$d")"); c_cpus+=("$(per_delivery "$c")")
  ratios+=("$(awk -v a="${c_cpus[-1]}" -v b="${d_cpus[-1]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')")
  d_p99s+=("$(value "$d" p99_ms)"); c_p99s+=("$(value "$c" p99_ms)")
  d_p999s+=("$(value "$d" p999_ms)"); c_p999s+=("$(value "$c" p999_ms)")
  gtks+=("$(gtk_per_delivery "$c")")
  lost=$((lost + $(value "$d" lost) + $(value "$c" lost)))
  rounds_text+="round $round: daemon ${d_cpus[-1]} µs, console ${c_cpus[-1]} µs (${ratios[-1]}×; GTK thread ${gtks[-1]} µs); p99 ${d_p99s[-1]} / ${c_p99s[-1]} ms"$'\n'
done
d_cpu=$(median "${d_cpus[@]}"); c_cpu=$(median "${c_cpus[@]}"); ratio=$(median "${ratios[@]}")
d_p99=$(median "${d_p99s[@]}"); c_p99=$(median "${c_p99s[@]}")
d_p999=$(median "${d_p999s[@]}"); c_p999=$(median "${c_p999s[@]}")
gtk=$(median "${gtks[@]}")
set -- $events
e1=$1; e2=${2:-$1}

echo "| ${duration} s × $rounds, 100 members, 50 × 1 msg/s (medians) | suda-serverd | suda-server (console) | target |"
echo "|---|---|---|---|"
echo "| server CPU per delivery (µs) | $d_cpu | $c_cpu (${ratio}× the daemon's, median of the rounds) | ≤ 1.3 × daemon |"
echo "| delivery latency p99 / p999 (ms) | $d_p99 / $d_p999 | $c_p99 / $c_p999 | p99 ≤ daemon + 2 ms |"
echo "| console: GTK thread CPU per delivery (µs) | | $gtk | |"
echo "| deliveries a round | $(value "$work/daemon-class-1.kv" delivered) | $(value "$work/console-class-1.kv" delivered) | |"
echo "| lost (all rounds) | $lost | | 0 |"
echo "| RSS after $e1 / $e2 events (KiB) | ${rss[daemon-$e1]} / ${rss[daemon-$e2]} | ${rss[console-$e1]} / ${rss[console-$e2]} | console within 10 % |"
echo
printf '%s' "$rounds_text"
awk -v ratio="$ratio" -v dp="$d_p99" -v cp="$c_p99" \
    -v r1="${rss[console-$e1]}" -v r2="${rss[console-$e2]}" 'BEGIN {
  ok_cpu = (ratio <= 1.3); ok_p99 = (cp <= dp + 2); ok_rss = (r2 <= 1.1 * r1 && r2 >= 0.9 * r1);
  printf "\ncpu %s (%.2f×), p99 %s (%+.3f ms), rss %s (%+.1f %%)\n", \
    (ok_cpu ? "ok" : "MISSED"), ratio, (ok_p99 ? "ok" : "MISSED"), cp - dp, \
    (ok_rss ? "ok" : "MISSED"), (r1 > 0 ? 100 * (r2 - r1) / r1 : 0)
}'
