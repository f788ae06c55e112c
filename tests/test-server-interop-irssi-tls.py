#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""irssi over TLS: suda-serverd makes its self-signed certificate and prints
its fingerprint; irssi (in tmux) connects with /connect -tls, pinning that
fingerprint, and chats in one room with a python3-irc client on the
clear-text port.  A wrong pin is refused, so irssi did check what the
server showed.  Usage: test-server-interop-irssi-tls.py (SUDA_SERVERD
names the daemon).  TAP output; every wait has a deadline."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import irc.client

ROOM = "#lobby"
STEP_S = 10
DEADLINE_S = 90

results = []
started = time.monotonic()


def tap(ok, what):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), what), flush=True)


def wait(what, condition, pump):
    deadline = min(time.monotonic() + STEP_S, started + DEADLINE_S)
    while time.monotonic() < deadline:
        pump()
        if condition():
            tap(True, what)
            return True
        time.sleep(0.02)
    tap(False, what)
    return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Irssi:
    """irssi in a detached tmux session, read off its pane and its logs."""

    def __init__(self, home):
        self.socket_name = "suda-interop-tls-%d" % os.getpid()
        self.logs = os.path.join(home, "logs")
        command = "irssi --home=%s -n irssitls" % home
        # irssi is no code under test: the suite's G_DEBUG and MALLOC_PERTURB_
        # would make its own slips (on a refused pin) abort it.
        env = {k: v for k, v in os.environ.items() if k not in ("G_DEBUG", "MALLOC_PERTURB_")}
        env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm")
        subprocess.run(["tmux", "-L", self.socket_name, "-f", "/dev/null", "new-session", "-d",
                        "-x", "250", "-y", "80", command], check=True, env=env)

    def send(self, text):
        subprocess.run(["tmux", "-L", self.socket_name, "send-keys", "-t", "0", "-l", text], check=True)
        subprocess.run(["tmux", "-L", self.socket_name, "send-keys", "-t", "0", "Enter"], check=True)

    def pane(self):
        done = subprocess.run(["tmux", "-L", self.socket_name, "capture-pane", "-p", "-J",
                               "-S", "-3000", "-t", "0"], capture_output=True, text=True)
        return done.stdout

    def log_text(self):
        text = ""
        if os.path.isdir(self.logs):
            for name in os.listdir(self.logs):
                with open(os.path.join(self.logs, name), errors="replace") as log:
                    text += log.read()
        return text

    def saw(self, text):
        return text in self.pane() or text in self.log_text()

    def close(self):
        subprocess.run(["tmux", "-L", self.socket_name, "kill-server"], capture_output=True)


class Python:
    """A python3-irc client on the clear-text port."""

    def __init__(self, port):
        self.reactor = irc.client.IRC()
        self.conn = self.reactor.server()
        self.events = []
        self.reactor.add_global_handler("all_events", self.on_event, -10)
        self.conn.connect("127.0.0.1", port, "pyclear", username="pyclear", ircname="python3-irc")

    def on_event(self, conn, event):
        nick = irc.client.NickMask(event.source).nick if event.source else ""
        self.events.append((event.type, nick, event.target, list(event.arguments)))

    def saw(self, kind, nick=None, target=None, text=None):
        for (k, n, t, args) in self.events:
            if k == kind and (nick is None or n == nick) and (target is None or t == target) and \
                    (text is None or (args and args[0] == text)):
                return True
        return False


def start_daemon(tmp, tls_port):
    serverd = os.environ.get("SUDA_SERVERD")
    if not serverd:
        print("Bail out! SUDA_SERVERD is not set", flush=True)
        sys.exit(1)
    config = os.path.join(tmp, "suda.conf")
    with open(config, "w") as f:
        f.write("[server]\nstate-dir=%s\n[tls]\nport=%d\n" % (os.path.join(tmp, "state"), tls_port))
    daemon = subprocess.Popen([serverd, "--config", config, "--listen", "127.0.0.1", "--port", "0",
                               "--log", os.path.join(tmp, "server.jsonl")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    clear = daemon.stdout.readline()
    tls = daemon.stdout.readline()
    said = daemon.stderr.readline()
    if not clear.startswith("listening on 127.0.0.1:") or \
            tls.strip() != "TLS listening on 127.0.0.1:%d" % tls_port or "fingerprint: " not in said:
        print("Bail out! the daemon said %r %r %r" % (clear, tls, said), flush=True)
        daemon.kill()
        sys.exit(1)
    return daemon, int(clear.rsplit(":", 1)[1]), said.rsplit("fingerprint: ", 1)[1].strip()


def logged_tls_connect(tmp):
    with open(os.path.join(tmp, "server.jsonl")) as log:
        return any(e.get("event") == "connect" and e.get("tls") == "true"
                   for e in map(json.loads, log))


def main():
    for tool in ("irssi", "tmux"):
        if shutil.which(tool) is None:
            print("Bail out! %s is not installed (tools/install-deps.sh installs it)" % tool, flush=True)
            return 1
    tmp = tempfile.mkdtemp(prefix="suda-interop-tls-")
    tls_port = free_port()
    daemon, port, fingerprint = start_daemon(tmp, tls_port)
    wrong = ":".join(["00"] * 32)
    irssi = None
    try:
        py = Python(port)
        irssi = Irssi(os.path.join(tmp, "irssi"))

        def pump():
            py.reactor.process_once(0.02)

        wait("python3-irc registers on the clear port", lambda: py.saw("welcome"), pump)
        # Keys typed before irssi draws its first screen may be lost.
        wait("irssi starts", lambda: "(status)" in irssi.pane(), pump)
        py.conn.join(ROOM)
        steps = [
            ("irssi refuses a server whose certificate is not the pinned one",
             lambda: irssi.send("/connect -tls -tls_pinned_cert %s 127.0.0.1 %d" % (wrong, tls_port)),
             lambda: "pinned" in irssi.pane().lower() and not irssi.saw("Welcome to the Suda IRC Network")),
            ("irssi registers over TLS, pinning the printed fingerprint",
             lambda: (irssi.send("/disconnect"),
                      irssi.send("/connect -tls -tls_pinned_cert %s 127.0.0.1 %d" % (fingerprint, tls_port))),
             lambda: irssi.saw("Welcome to the Suda IRC Network")),
            ("the server logged a TLS connect", lambda: None, lambda: logged_tls_connect(tmp)),
            ("irssi joins; python3-irc on the clear port sees it",
             lambda: (irssi.send("/set autolog_path %s/$0.log" % irssi.logs), irssi.send("/set autolog on"),
                      irssi.send("/join " + ROOM)),
             lambda: py.saw("join", "irssitls")),
            ("irssi's message reaches python3-irc",
             lambda: irssi.send("hello over TLS"),
             lambda: py.saw("pubmsg", "irssitls", ROOM, "hello over TLS")),
            ("python3-irc's message reaches irssi",
             lambda: py.conn.privmsg(ROOM, "hello in clear"),
             lambda: irssi.saw("pyclear> hello in clear")),
            ("WHOIS tells python3-irc that irssi is on a secure connection",
             lambda: py.conn.whois(["irssitls"]),
             lambda: any(k == "671" or (args and "secure connection" in " ".join(args))
                         for (k, n, t, args) in py.events)),
        ]
        for what, act, condition in steps:
            act()
            if not wait(what, condition, pump):
                break
        if not all(results) or os.environ.get("SUDA_TEST_VERBOSE"):
            print("# irssi showed:\n" + "\n".join("# " + l for l in irssi.pane().splitlines()[-40:]))
    finally:
        if irssi:
            irssi.close()
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results), flush=True)
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
