#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""irssi logs into a Suda account with SASL PLAIN, set up as irssi's own
users do (a chatnet with sasl_mechanism, sasl_username, sasl_password).
python3-irc registers the account first with REGISTER, then sees irssi
logged in on the account's own nick (WHOIS 330).
Usage: test-server-accounts-irssi.py (SUDA_SERVERD names the daemon).  TAP
output; every wait has a deadline."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import irc.client

NICK = "irssikim"
PASSWORD = "irssi-secret-1"
STEP_S = 30

results = []


def tap(ok, what):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), what), flush=True)


def wait(what, condition, pump, seconds=STEP_S):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pump()
        if condition():
            tap(True, what)
            return True
        time.sleep(0.02)
    tap(False, what)
    return False


class Python:
    """A python3-irc client; every event it hears is kept, raw ones too."""

    def __init__(self, port, nick):
        self.reactor = irc.client.IRC()
        self.conn = self.reactor.server()
        self.events = []
        self.reactor.add_global_handler("all_events", self.on_event, -10)
        self.conn.connect("127.0.0.1", port, nick, username=nick, ircname="python3-irc")

    def on_event(self, conn, event):
        self.events.append((event.type, [event.target] + list(event.arguments)))

    def pump(self):
        self.reactor.process_once(0.02)

    def saw(self, kind, *args):
        return any(k == kind and all(a in got for a in args) for (k, got) in self.events)


def write_irssi_config(home, port):
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "config"), "w") as config:
        config.write("""servers = (
  { address = "127.0.0.1"; chatnet = "suda"; port = "%d"; use_tls = "no"; autoconnect = "yes"; }
);
chatnets = {
  suda = {
    type = "IRC";
    sasl_mechanism = "PLAIN";
    sasl_username = "%s";
    sasl_password = "%s";
  };
};
settings = {
  core = { real_name = "irssi user"; user_name = "%s"; nick = "%s"; };
};
""" % (port, NICK, PASSWORD, NICK, NICK))


def start_daemon(tmp):
    serverd = os.environ.get("SUDA_SERVERD")
    if not serverd:
        print("Bail out! SUDA_SERVERD is not set", flush=True)
        sys.exit(1)
    config = os.path.join(tmp, "suda.conf")
    with open(config, "w") as out:
        # A short grace: irssi keeps its nick only because it logged in.
        out.write("[accounts]\nfile=%s\nnick-grace=1\n" % os.path.join(tmp, "accounts.sqlite"))
    daemon = subprocess.Popen([serverd, "--config", config, "--listen", "127.0.0.1", "--port", "0",
                               "--log", os.path.join(tmp, "server.jsonl")],
                              stdout=subprocess.PIPE, text=True)
    line = daemon.stdout.readline()
    if not line.startswith("listening on 127.0.0.1:"):
        print("Bail out! the daemon said %r" % line, flush=True)
        daemon.kill()
        sys.exit(1)
    return daemon, int(line.rsplit(":", 1)[1])


def main():
    for tool in ("irssi", "tmux"):
        if shutil.which(tool) is None:
            print("Bail out! %s is not installed (tools/install-deps.sh installs it)" % tool, flush=True)
            return 1
    tmp = tempfile.mkdtemp(prefix="suda-accounts-irssi-")
    daemon, port = start_daemon(tmp)
    socket_name = "suda-accounts-%d" % os.getpid()
    try:
        maker = Python(port, NICK)
        wait("python3-irc registers", lambda: maker.saw("welcome"), maker.pump)
        maker.conn.send_raw("REGISTER * * " + PASSWORD)
        if not wait("REGISTER makes the account", lambda: maker.saw("register", "SUCCESS"), maker.pump):
            return 1
        maker.conn.quit("done")
        wait("the maker leaves", lambda: not maker.conn.is_connected(), maker.pump)

        home = os.path.join(tmp, "irssi")
        write_irssi_config(home, port)
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm")
        subprocess.run(["tmux", "-L", socket_name, "-f", "/dev/null", "new-session", "-d",
                        "-x", "200", "-y", "50", "irssi --home=%s" % home], check=True, env=env)

        watcher = Python(port, "watcher")
        wait("the watcher registers", lambda: watcher.saw("welcome"), watcher.pump)

        def logged_in():
            watcher.conn.whois([NICK])
            deadline = time.monotonic() + 1
            while time.monotonic() < deadline and not watcher.saw("endofwhois"):
                watcher.pump()
            watcher.events = [e for e in watcher.events if e[0] != "endofwhois"]
            return watcher.saw("330", NICK, NICK)

        wait("irssi logs in with SASL PLAIN (WHOIS 330 names the account)", logged_in, watcher.pump)
        if not all(results):
            pane = subprocess.run(["tmux", "-L", socket_name, "capture-pane", "-p", "-t", "0"],
                                  capture_output=True, text=True).stdout
            print("# irssi showed:\n" + "\n".join("# " + l for l in pane.splitlines()[-30:]))
    finally:
        subprocess.run(["tmux", "-L", socket_name, "kill-server"], capture_output=True)
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
