#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's client screenshots: the client from a build folder in a
# busy #lobby of a fresh suda-serverd, at 360, 800 and 1280 px wide, in the
# light and the dark style, each on an Xvfb screen of its own width
# (cairo renderer, so the pictures do not depend on a GPU).
#   tools/client-screenshots.sh [BUILD] [OUT] [ONLY]
# (defaults: _build, data/screenshots; ONLY, e.g. 800-light, takes one)
set -euo pipefail
build=$(cd "${1:-_build}" && pwd)
out=$(mkdir -p "${2:-data/screenshots}" && cd "${2:-data/screenshots}" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup () {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/src/serverd/suda-serverd" --port "$port" --log "$tmp/server.jsonl" >"$tmp/serverd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do nc -z 127.0.0.1 "$port" 2>/dev/null && break; sleep 0.1; done

# Three people who keep the room talking while the windows are taken.
python3 - "$port" >"$tmp/chat.out" 2>&1 <<'EOF' &
import socket, sys, time
port = int(sys.argv[1])
def user(nick):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\nJOIN #lobby\r\n".encode())
    return s
people = {n: user(n) for n in ("minji", "bob", "carol")}
time.sleep(0.5)
people["minji"].sendall("TOPIC #lobby :Exams on \x02Friday\x02 · bring a pencil\r\n".encode())
lines = [
    ("minji", "Good morning! Who is coming to the lab today?"),
    ("bob", "me, after the 10:00 lecture"),
    ("carol", "\x01ACTION waves\x01"),
    ("minji", "The notes are at https://example.org/networks/week-12/sockets-and-select.html"),
    ("bob", "carol: did the select() example work for you?"),
    ("carol", "yes — it needed a \x02non-blocking\x02 socket, then fine"),
    ("minji", "안녕하세요! 오늘 실습은 3시에 시작해요."),
]
for nick, text in lines:
    people[nick].sendall(f"PRIVMSG #lobby :{text}\r\n".encode())
    time.sleep(0.2)
while True:
    for s in people.values():
        s.setblocking(False)
        try:
            data = s.recv(65536)
            for line in data.split(b"\r\n"):
                if line.startswith(b"PING"):
                    s.sendall(b"PONG" + line[4:] + b"\r\n")
        except BlockingIOError:
            pass
    time.sleep(0.5)
EOF
pids+=($!)
sleep 2

for width in 360 800 1280; do
  for style in light dark; do
    case "$width-$style" in ${3:-*}) ;; *) continue ;; esac
    config="$tmp/config-$width-$style"
    mkdir -p "$config/glib-2.0/settings"
    cat >"$config/glib-2.0/settings/keyfile" <<EOF
[chat/suda/Suda]
window-width=$width
window-height=720
style='$style'
keep-transcripts=false
EOF
    # A display number nobody else uses (tests run their own Xvfb).
    Xvfb -displayfd 3 -screen 0 "${width}x720x24" -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
    xvfb=$!
    for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
    display=$(cat "$tmp/display")
    DISPLAY=":$display" GSK_RENDERER=cairo GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$config" \
      GSETTINGS_SCHEMA_DIR="$build/data" SUDA_LOCALEDIR="$build/po" NO_AT_BRIDGE=1 \
      dbus-run-session -- "$build/src/client/suda" "irc://127.0.0.1:$port/#lobby" --nick alice \
      >"$tmp/client.out" 2>&1 &
    client=$!
    # The room's replayed history, laid out and painted.
    sleep 6
    DISPLAY=":$display" import -window root "$out/client-$width-$style.png"
    kill "$client" 2>/dev/null || true
    wait "$client" 2>/dev/null || true
    kill "$xvfb"
    wait "$xvfb" 2>/dev/null || true
    echo "client-$width-$style.png"
  done
done
