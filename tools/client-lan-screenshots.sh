#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's "Chats on this network" screenshots: the client's connect
# view listing two chats that suda-serverd announces, light and dark, into
# client-lan-{light,dark}.png.  Avahi runs for real in a network namespace
# of its own (tests/run-in-avahi-netns.sh, so root is needed), the client
# on an Xvfb screen inside it (cairo renderer).
#   tools/client-lan-screenshots.sh [BUILD] [OUT]
set -euo pipefail
build=$(cd "${1:-_build}" && pwd)
out=$(mkdir -p "${2:-data/screenshots}" && cd "${2:-data/screenshots}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${SUDA_IN_AVAHI_NETNS:-}" != 1 ]; then
  exec "$top/tests/run-in-avahi-netns.sh" "$0" "$build" "$out"
fi

tmp=$(mktemp -d)
pids=()
cleanup () {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Two classes on the network: one in clear, one with TLS and a password.
serve () {
  local name=$1 extra=$2
  cat >"$tmp/$name.conf" <<CONF
[server]
announce=true
announce-name=$3
default-channel=$4
$extra
CONF
  "$build/src/serverd/suda-serverd" --config "$tmp/$name.conf" --port 0 \
    --log "$tmp/$name.jsonl" >"$tmp/$name.out" 2>&1 &
  pids+=($!)
}
serve kim "" "Kim's class chat" "#networks"
mkdir -p "$tmp/lab-state"
serve lab "password=chalk
state-dir=$tmp/lab-state
[tls]
port=6697" "Science lab" "#lab"
sleep 3

for style in light dark; do
  config="$tmp/config-$style"
  mkdir -p "$config/glib-2.0/settings"
  cat >"$config/glib-2.0/settings/keyfile" <<EOF
[chat/suda/Suda]
window-width=900
window-height=560
style='$style'
keep-transcripts=false
server=''
EOF
  Xvfb -displayfd 3 -screen 0 900x560x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
  xvfb=$!
  for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
  display=$(cat "$tmp/display")
  DISPLAY=":$display" GSK_RENDERER=cairo GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$config" \
    GSETTINGS_SCHEMA_DIR="$build/data" SUDA_LOCALEDIR="$build/po" NO_AT_BRIDGE=1 \
    dbus-run-session -- "$build/src/client/suda" --nick student >"$tmp/client.out" 2>&1 &
  client=$!
  sleep 5
  DISPLAY=":$display" import -window root "$out/client-lan-$style.png"
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  kill "$xvfb"
  wait "$xvfb" 2>/dev/null || true
  echo "client-lan-$style.png"
done
