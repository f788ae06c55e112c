#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Three kinds of client in one Suda room, each written with no knowledge of
Suda: irssi in a tmux session, Debian's python3-irc, and a plain-text
session as nc opens it.  Each sees the others' messages, /me actions, nick
changes and kicks.  Usage: test-server-interop-irssi.py (SUDA_SERVERD names
the daemon).  TAP output; every wait has a deadline, and the whole run
stops at DEADLINE_S."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import irc.client

ROOM = "#lobby"      # a plain-text session talks in the default room
STEP_S = 10
DEADLINE_S = 90

results = []
started = time.monotonic()


def tap(ok, what):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), what), flush=True)


class Plain:
    """A person on nc: lines in, lines out, nothing else."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setblocking(False)
        self.buffer = b""
        self.lines = []

    def send(self, text):
        self.sock.sendall(text.encode() + b"\n")

    def pump(self):
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            self.lines.append(line.decode(errors="replace").rstrip("\r"))

    def saw(self, text):
        return any(text in line for line in self.lines)


class Irssi:
    """irssi in a detached tmux session; what it shows is read off the pane."""

    def __init__(self, port, home):
        self.socket_name = "suda-interop-%d" % os.getpid()
        # A channel window closes when irssi is kicked: its log keeps the lines.
        self.logs = os.path.join(home, "logs")
        command = "irssi --home=%s -n irssiuser -c 127.0.0.1 -p %d" % (home, port)
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm")
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
    """A python3-irc client; every event it hears is kept."""

    def __init__(self, port):
        self.reactor = irc.client.IRC()
        self.conn = self.reactor.server()
        self.events = []
        self.reactor.add_global_handler("all_events", self.on_event, -10)
        self.conn.connect("127.0.0.1", port, "pyuser", username="pyuser", ircname="python3-irc")

    def on_event(self, conn, event):
        nick = irc.client.NickMask(event.source).nick if event.source else ""
        self.events.append((event.type, nick, event.target, list(event.arguments)))

    def saw(self, kind, nick=None, target=None, text=None):
        for (k, n, t, args) in self.events:
            if k == kind and (nick is None or n == nick) and (target is None or t == target) and \
                    (text is None or (args and args[0] == text)):
                return True
        return False


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


def start_daemon(tmp):
    serverd = os.environ.get("SUDA_SERVERD")
    if not serverd:
        print("Bail out! SUDA_SERVERD is not set", flush=True)
        sys.exit(1)
    daemon = subprocess.Popen([serverd, "--listen", "127.0.0.1", "--port", "0",
                               "--log", os.path.join(tmp, "server.jsonl")],
                              stdout=subprocess.PIPE, text=True)
    line = daemon.stdout.readline()
    if not line.startswith("listening on 127.0.0.1:"):
        print("Bail out! the daemon said %r" % line, flush=True)
        daemon.kill()
        sys.exit(1)
    return daemon, int(line.rsplit(":", 1)[1])


def chat(py, irssi, plain, pump):
    """The steps, in order; a step that fails ends the run."""
    steps = [
        ("python3-irc registers and joins first (room operator)",
         lambda: py.conn.join(ROOM), lambda: py.saw("join", "pyuser")),
        ("irssi logs what it shows",
         lambda: irssi.send("/set autolog_path %s/$0.log" % irssi.logs),
         lambda: irssi.saw("autolog_path")),
        ("irssi joins; python3-irc sees it",
         lambda: (irssi.send("/set autolog on"), irssi.send("/join " + ROOM)),
         lambda: py.saw("join", "irssiuser")),
        ("the plain session names itself and is in the room",
         lambda: plain.send("ncuser"), lambda: py.saw("join", "ncuser") and irssi.saw("ncuser")),
        ("irssi's message reaches python3-irc and the plain session",
         lambda: irssi.send("hello from irssi"),
         lambda: py.saw("pubmsg", "irssiuser", ROOM, "hello from irssi")
         and plain.saw("irssiuser: hello from irssi")),
        ("python3-irc's message reaches irssi and the plain session",
         lambda: py.conn.privmsg(ROOM, "hello from python"),
         lambda: irssi.saw("pyuser> hello from python") and plain.saw("pyuser: hello from python")),
        ("the plain session's message reaches irssi and python3-irc",
         lambda: plain.send("hello from nc"),
         lambda: irssi.saw("ncuser> hello from nc") and py.saw("pubmsg", "ncuser", ROOM, "hello from nc")),
        ("irssi's /me is an action to python3-irc and '* irssiuser waves' to the plain session",
         lambda: irssi.send("/me waves"),
         lambda: py.saw("action", "irssiuser", ROOM, "waves") and plain.saw("* irssiuser waves")),
        ("python3-irc's action shows in irssi and the plain session",
         lambda: py.conn.action(ROOM, "nods"),
         lambda: irssi.saw("* pyuser nods") and plain.saw("* pyuser nods")),
        ("the plain session's /me shows in irssi and is an action to python3-irc",
         lambda: plain.send("/me smiles"),
         lambda: irssi.saw("* ncuser smiles") and py.saw("action", "ncuser", ROOM, "smiles")),
        ("irssi's nick change is seen by the others",
         lambda: irssi.send("/nick irssi2"),
         lambda: py.saw("nick", "irssiuser", "irssi2") and plain.saw("irssiuser is now known as irssi2")),
        ("the plain session's nick change is seen by the others",
         lambda: plain.send("/nick nc2"),
         lambda: py.saw("nick", "ncuser", "nc2") and irssi.saw("ncuser is now known as nc2")),
        ("python3-irc's nick change is seen by the others",
         lambda: py.conn.nick("py2"),
         lambda: irssi.saw("pyuser is now known as py2") and plain.saw("pyuser is now known as py2")),
        ("a kick of the plain session is seen by all three",
         lambda: py.conn.kick(ROOM, "nc2", "plain out"),
         lambda: irssi.saw("nc2 was kicked from " + ROOM + " by py2 [plain out]")
         and plain.saw("* py2 kicked nc2 (plain out)") and py.saw("kick", "py2", ROOM)),
        ("the kicked plain session comes back with /join",
         lambda: plain.send("/join"), lambda: py.saw("join", "nc2")),
        ("a kick of irssi is seen by all three",
         lambda: py.conn.kick(ROOM, "irssi2", "irssi out"),
         lambda: (irssi.saw("You have been kicked from " + ROOM + " by py2 [irssi out]")
                  or irssi.saw("irssi2 was kicked from " + ROOM + " by py2 [irssi out]"))
         and plain.saw("* py2 kicked irssi2 (irssi out)")),
    ]
    for what, act, condition in steps:
        act()
        if not wait(what, condition, pump):
            return


def main():
    for tool in ("irssi", "tmux"):
        if shutil.which(tool) is None:
            print("Bail out! %s is not installed (tools/install-deps.sh installs it)" % tool, flush=True)
            return 1
    tmp = tempfile.mkdtemp(prefix="suda-interop-")
    daemon, port = start_daemon(tmp)
    irssi = None
    try:
        py = Python(port)
        wait("python3-irc registers", lambda: py.saw("welcome"), lambda: py.reactor.process_once(0.02))
        plain = Plain(port)
        irssi = Irssi(port, os.path.join(tmp, "irssi"))

        def pump():
            py.reactor.process_once(0.02)
            plain.pump()

        wait("irssi registers", lambda: irssi.saw("Welcome to the Suda IRC Network"), pump)
        chat(py, irssi, plain, pump)
        if not all(results):
            print("# irssi showed:\n" + "\n".join("# " + l for l in irssi.pane().splitlines()[-40:]))
            print("# the plain session read:\n" + "\n".join("# " + l for l in plain.lines[-20:]))
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
