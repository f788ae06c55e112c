# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests that chat with real IRC clients share: TAP output with
deadlines, suda-serverd started on a free port, irssi in a detached tmux
session read off its pane and logs, and a python3-irc client that keeps
every event it hears."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import irc.client


class Tap:
    """TAP lines as the steps end; every wait ends by STEP_S, and all of
    them by DEADLINE_S (None: no overall bound)."""

    def __init__(self, step_s=10, deadline_s=None):
        self.step_s = step_s
        self.deadline = time.monotonic() + deadline_s if deadline_s else None
        self.results = []

    def __call__(self, ok, what):
        self.results.append(ok)
        print("%s %d - %s" % ("ok" if ok else "not ok", len(self.results), what), flush=True)

    def wait(self, what, condition, pump, seconds=None):
        deadline = time.monotonic() + (seconds or self.step_s)
        if self.deadline is not None:
            deadline = min(deadline, self.deadline)
        while time.monotonic() < deadline:
            pump()
            if condition():
                self(True, what)
                return True
            time.sleep(0.02)
        self(False, what)
        return False

    def run_steps(self, steps, pump):
        """(what, act, condition) in order; a step that fails ends them."""
        for what, act, condition in steps:
            act()
            if not self.wait(what, condition, pump):
                return False
        return True

    def finish(self):
        print("1..%d" % len(self.results), flush=True)
        return 0 if self.results and all(self.results) else 1

    def all_ok(self):
        return all(self.results)


def require_tools(*tools):
    for tool in tools:
        if shutil.which(tool) is None:
            print("Bail out! %s is not installed (tools/install-deps.sh installs it)" % tool, flush=True)
            sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daemon(tmp, config=None, read_stderr=False):
    """suda-serverd on 127.0.0.1 and a free port, CONFIG (text) as its
    configuration; returns the process and its clear-text port.  Its
    stdout (and with READ_STDERR its stderr) stays open for the caller to
    read further lines."""
    serverd = os.environ.get("SUDA_SERVERD")
    if not serverd:
        print("Bail out! SUDA_SERVERD is not set", flush=True)
        sys.exit(1)
    args = [serverd, "--listen", "127.0.0.1", "--port", "0", "--log", os.path.join(tmp, "server.jsonl")]
    if config is not None:
        path = os.path.join(tmp, "suda.conf")
        with open(path, "w") as f:
            f.write(config)
        args += ["--config", path]
    daemon = subprocess.Popen(args, stdout=subprocess.PIPE, text=True,
                              stderr=subprocess.PIPE if read_stderr else None)
    line = daemon.stdout.readline()
    if not line.startswith("listening on 127.0.0.1:"):
        print("Bail out! the daemon said %r" % line, flush=True)
        daemon.kill()
        sys.exit(1)
    return daemon, int(line.rsplit(":", 1)[1])


def stop_daemon(daemon):
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(timeout=10)
    except subprocess.TimeoutExpired:
        daemon.kill()


class Irssi:
    """irssi in a detached tmux session; what it shows is read off the pane
    and, as a channel window closes when irssi is kicked, off its logs."""

    def __init__(self, home, args="", size=(250, 80)):
        self.socket_name = "suda-irssi-%d" % os.getpid()
        self.logs = os.path.join(home, "logs")
        # irssi is no code under test: the suite's G_DEBUG and MALLOC_PERTURB_
        # would make its own slips (on a refused pin) abort it.
        env = {k: v for k, v in os.environ.items() if k not in ("G_DEBUG", "MALLOC_PERTURB_")}
        env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm")
        subprocess.run(["tmux", "-L", self.socket_name, "-f", "/dev/null", "new-session", "-d",
                        "-x", str(size[0]), "-y", str(size[1]), "irssi --home=%s %s" % (home, args)],
                       check=True, env=env)

    def send(self, text):
        subprocess.run(["tmux", "-L", self.socket_name, "send-keys", "-t", "0", "-l", text], check=True)
        subprocess.run(["tmux", "-L", self.socket_name, "send-keys", "-t", "0", "Enter"], check=True)

    def log_to_files(self):
        self.send("/set autolog_path %s/$0.log" % self.logs)
        self.send("/set autolog on")

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

    def show(self, lines=40):
        print("# irssi showed:\n" + "\n".join("# " + l for l in self.pane().splitlines()[-lines:]))

    def close(self):
        subprocess.run(["tmux", "-L", self.socket_name, "kill-server"], capture_output=True)


class Python:
    """A python3-irc client; every event it hears is kept."""

    def __init__(self, port, nick):
        self.reactor = irc.client.IRC()
        self.conn = self.reactor.server()
        self.events = []
        self.reactor.add_global_handler("all_events", self.on_event, -10)
        self.conn.connect("127.0.0.1", port, nick, username=nick, ircname="python3-irc")

    def on_event(self, conn, event):
        nick = irc.client.NickMask(event.source).nick if event.source else ""
        self.events.append((event.type, nick, event.target, list(event.arguments)))

    def pump(self):
        self.reactor.process_once(0.02)

    def saw(self, kind, nick=None, target=None, text=None):
        """An event of KIND from NICK to TARGET whose first argument is TEXT
        (None: any)."""
        return any(k == kind and (nick is None or n == nick) and (target is None or t == target)
                   and (text is None or (args and args[0] == text))
                   for (k, n, t, args) in self.events)

    def saw_words(self, kind, *words):
        """An event of KIND whose target and arguments hold every one of WORDS."""
        return any(k == kind and all(w in [t] + args for w in words)
                   for (k, n, t, args) in self.events)


class WeeChat:
    """weechat-headless with its own home: commands go in through its FIFO,
    and what it shows is read off its logger's files, one per buffer."""

    def __init__(self, home, port, nick):
        self.home = home
        self.logs = os.path.join(home, "logs")
        commands = ";".join([
            "/set logger.file.flush_delay 0",
            "/server add suda 127.0.0.1/%d" % port,
            "/set irc.server.suda.tls off",
            "/set irc.server.suda.nicks %s" % nick,
            "/connect suda",
        ])
        self.process = subprocess.Popen(["weechat-headless", "--dir", home, "--run-command", commands],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.fifo = os.path.join(home, "weechat_fifo_%d" % self.process.pid)

    def ready(self):
        return os.path.exists(self.fifo)

    def send(self, buffer, text):
        """TEXT typed in BUFFER ("irc.server.suda", "irc.suda.#lobby"):
        a message, or a command when it starts with /."""
        with open(self.fifo, "w") as fifo:
            fifo.write("%s *%s\n" % (buffer, text))

    def log_text(self, buffer):
        try:
            with open(os.path.join(self.logs, buffer + ".weechatlog"), errors="replace") as log:
                return log.read()
        except FileNotFoundError:
            return ""

    def saw(self, buffer, text):
        return text in self.log_text(buffer)

    def show(self, buffer, lines=30):
        print("# WeeChat's %s showed:\n" % buffer
              + "\n".join("# " + l for l in self.log_text(buffer).splitlines()[-lines:]))

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
