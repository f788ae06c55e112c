#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts the chat from a build folder: the server console serving on port
# 6667 and a client window connected to it.  Without a display it starts
# the headless server instead.  SUDA_PORT and SUDA_NICK change the port and
# the client's nickname.
set -euo pipefail
build=$(cd "${1:-_build}" && pwd)
port=${SUDA_PORT:-6667}
nick=${SUDA_NICK:-${SUDO_USER:-$(id -un)}}

# Run from the build folder: its schemas and its compiled translations.
export GSETTINGS_SCHEMA_DIR="$build/data"
export SUDA_LOCALEDIR="$build/po"

console="$build/src/console/suda-server"
client="$build/src/client/suda"

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ ! -x "$console" ] || [ ! -x "$client" ]; then
  echo "No display: starting the headless server (Ctrl+C stops it)."
  echo "Connect with any IRC client, or: nc 127.0.0.1 $port"
  exec "$build/src/serverd/suda-serverd" --port "$port"
fi

# GApplication wants a session bus; a root shell on a fresh machine may
# have none.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
  exec dbus-run-session -- "$0" "$@"
fi

"$console" --start --port "$port" &
console_pid=$!
for _ in $(seq 100); do
  if nc -z 127.0.0.1 "$port" 2>/dev/null; then break; fi
  sleep 0.1
done
"$client" "irc://127.0.0.1:$port/#lobby" --nick "$nick" || true
wait "$console_pid"
