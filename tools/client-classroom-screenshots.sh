#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's "In a classroom" screenshot of the AI in a room: a class in
# #lobby of a fresh suda-serverd asks "!summary", the teacher (the room's
# first member, so its operator) runs "!quiz", two students answer, and the
# tally comes in; the client shows it, light and dark, into
# client-classroom-{light,dark}.png.  The AI is a small local stand-in
# that answers as an OpenAI-compatible API would (no key, no network).
#   tools/client-classroom-screenshots.sh [BUILD] [OUT]
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

free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The stand-in API: a quiz request gets a question as JSON, anything else
# the summary.
api=$(free_port)
python3 - "$api" >"$tmp/api.out" 2>&1 <<'PY' &
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
QUIZ = {"question": "Which call makes a TCP server socket wait for connections?",
        "choices": ["connect()", "listen()", "send()", "close()"], "answer": "B"}
SUMMARY = ("The class planned today's lab: it starts at 3 pm in room 204. "
           "Bob's select() example needed a non-blocking socket; Carol shared her notes.")
class Api(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        asked = json.dumps(body["messages"]).lower()
        text = json.dumps(QUIZ) if "multiple-choice" in asked or "quiz" in asked else SUMMARY
        reply = json.dumps({"choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": text}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), Api).serve_forever()
PY
pids+=($!)

for style in light dark; do
  port=$(free_port)
  cat >"$tmp/server.conf" <<CONF
[server]
[ai]
base-url=http://127.0.0.1:$api/v1
model=classroom-model
CONF
  "$build/src/serverd/suda-serverd" --config "$tmp/server.conf" --port "$port" \
    --log "$tmp/server-$style.jsonl" >"$tmp/serverd.out" 2>&1 &
  server=$!
  for _ in $(seq 100); do nc -z 127.0.0.1 "$port" 2>/dev/null && break; sleep 0.1; done

  # The teacher joins first and so runs the room; the class talks, asks
  # for a summary, and answers the quiz privately.
  python3 - "$port" >"$tmp/chat.out" 2>&1 <<'PY' &
import socket, sys, threading, time
port = int(sys.argv[1])
def user(nick):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\nJOIN #lobby\r\n".encode())
    def pong():
        buf = b""
        while True:
            data = s.recv(65536)
            if not data:
                return
            buf += data
            *lines, buf = buf.split(b"\r\n")
            for line in lines:
                if line.startswith(b"PING"):
                    s.sendall(b"PONG" + line[4:] + b"\r\n")
    threading.Thread(target=pong, daemon=True).start()
    return s
kim = user("kim")
time.sleep(0.3)
people = {"kim": kim, "bob": user("bob"), "carol": user("carol")}
def say(nick, text, wait=0.4):
    people[nick].sendall(f"PRIVMSG #lobby :{text}\r\n".encode())
    time.sleep(wait)
time.sleep(4)
say("kim", "Good afternoon! Lab at 3 pm today, room 204.")
say("bob", "my select() example only worked with a non-blocking socket")
say("carol", "same here — my notes are in the shared folder")
say("bob", "!summary 20", 2)
say("kim", "!quiz server sockets 12", 2)
people["bob"].sendall(b"PRIVMSG suda :answer B\r\n")
people["carol"].sendall(b"PRIVMSG suda :answer A\r\n")
time.sleep(60)
PY
  chat=$!
  config="$tmp/config-$style"
  mkdir -p "$config/glib-2.0/settings"
  cat >"$config/glib-2.0/settings/keyfile" <<KEYS
[chat/suda/Suda]
window-width=1100
window-height=720
style='$style'
keep-transcripts=false
KEYS
  Xvfb -displayfd 3 -screen 0 1100x720x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
  xvfb=$!
  for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
  display=$(cat "$tmp/display")
  : >"$tmp/display"
  DISPLAY=":$display" GSK_RENDERER=cairo GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$config" \
    GSETTINGS_SCHEMA_DIR="$build/data" SUDA_LOCALEDIR="$build/po" NO_AT_BRIDGE=1 \
    dbus-run-session -- "$build/src/client/suda" "irc://127.0.0.1:$port/#lobby" --nick alice \
    >"$tmp/client.out" 2>&1 &
  client=$!
  # the talk, the summary, the quiz and its tally after 12 s
  sleep 26
  DISPLAY=":$display" import -window root "$out/client-classroom-$style.png"
  for pid in "$client" "$chat" "$server" "$xvfb"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "client-classroom-$style.png"
done
