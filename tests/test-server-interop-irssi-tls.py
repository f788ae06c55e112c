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
import sys
import tempfile

from suda_interop import Irssi, Python, Tap, free_port, require_tools, start_daemon, stop_daemon

ROOM = "#lobby"

tap = Tap(step_s=10, deadline_s=90)


def start_tls_daemon(tmp, tls_port):
    """The daemon, its clear-text port and the fingerprint it printed."""
    daemon, port = start_daemon(tmp, "[server]\nstate-dir=%s\n[tls]\nport=%d\n"
                                % (os.path.join(tmp, "state"), tls_port), read_stderr=True)
    tls = daemon.stdout.readline()
    said = daemon.stderr.readline()
    if tls.strip() != "TLS listening on 127.0.0.1:%d" % tls_port or "fingerprint: " not in said:
        print("Bail out! the daemon said %r %r" % (tls, said), flush=True)
        daemon.kill()
        sys.exit(1)
    return daemon, port, said.rsplit("fingerprint: ", 1)[1].strip()


def logged_tls_connect(tmp):
    with open(os.path.join(tmp, "server.jsonl")) as log:
        return any(e.get("event") == "connect" and e.get("tls") == "true"
                   for e in map(json.loads, log))


def main():
    require_tools("irssi", "tmux")
    tmp = tempfile.mkdtemp(prefix="suda-interop-tls-")
    tls_port = free_port()
    daemon, port, fingerprint = start_tls_daemon(tmp, tls_port)
    wrong = ":".join(["00"] * 32)
    irssi = None
    try:
        py = Python(port, "pyclear")
        irssi = Irssi(os.path.join(tmp, "irssi"), "-n irssitls")
        tap.wait("python3-irc registers on the clear port", lambda: py.saw("welcome"), py.pump)
        # Keys typed before irssi draws its first screen may be lost.
        tap.wait("irssi starts", lambda: "(status)" in irssi.pane(), py.pump)
        py.conn.join(ROOM)
        tap.run_steps([
            ("irssi refuses a server whose certificate is not the pinned one",
             lambda: irssi.send("/connect -tls -tls_pinned_cert %s 127.0.0.1 %d" % (wrong, tls_port)),
             lambda: "pinned" in irssi.pane().lower() and not irssi.saw("Welcome to the Suda IRC Network")),
            ("irssi registers over TLS, pinning the printed fingerprint",
             lambda: (irssi.send("/disconnect"),
                      irssi.send("/connect -tls -tls_pinned_cert %s 127.0.0.1 %d" % (fingerprint, tls_port))),
             lambda: irssi.saw("Welcome to the Suda IRC Network")),
            ("the server logged a TLS connect", lambda: None, lambda: logged_tls_connect(tmp)),
            ("irssi joins; python3-irc on the clear port sees it",
             lambda: (irssi.log_to_files(), irssi.send("/join " + ROOM)),
             lambda: py.saw("join", "irssitls")),
            ("irssi's message reaches python3-irc",
             lambda: irssi.send("hello over TLS"),
             lambda: py.saw("pubmsg", "irssitls", ROOM, "hello over TLS")),
            ("python3-irc's message reaches irssi",
             lambda: py.conn.privmsg(ROOM, "hello in clear"),
             lambda: irssi.saw("pyclear> hello in clear")),
            ("WHOIS tells python3-irc that irssi is on a secure connection",
             lambda: py.conn.whois(["irssitls"]),
             lambda: py.saw("671") or any(args and "secure connection" in " ".join(args)
                                          for (k, n, t, args) in py.events)),
        ], py.pump)
        if not tap.all_ok() or os.environ.get("SUDA_TEST_VERBOSE"):
            irssi.show()
    finally:
        if irssi:
            irssi.close()
        stop_daemon(daemon)
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
