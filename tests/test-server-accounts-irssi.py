#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""irssi logs into a Suda account with SASL PLAIN over TLS, set up as irssi's own
users do (a chatnet with sasl_mechanism, sasl_username, sasl_password).
python3-irc registers the account first with REGISTER, then sees irssi
logged in on the account's own nick over TLS (WHOIS 330, 671).
Usage: test-server-accounts-irssi.py (SUDA_SERVERD names the daemon).  TAP
output; every wait has a deadline."""

import os
import shutil
import sys
import tempfile
import time

from suda_interop import Irssi, Python, Tap, free_port, require_tools, start_daemon, stop_daemon

NICK = "irssikim"
PASSWORD = "irssi-secret-1"

tap = Tap(step_s=30)


def write_irssi_config(home, port):
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "config"), "w") as config:
        config.write("""servers = (
  { address = "127.0.0.1"; chatnet = "suda"; port = "%d"; use_tls = "yes"; tls_verify = "no";
    autoconnect = "yes"; }
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


def main():
    require_tools("irssi", "tmux")
    tmp = tempfile.mkdtemp(prefix="suda-accounts-irssi-")
    tls_port = free_port()
    daemon, port = start_daemon(tmp, "[accounts]\nfile=%s\nnick-grace=1\n[tls]\nport=%d\n"
                                % (os.path.join(tmp, "accounts.sqlite"), tls_port))
    irssi = None
    try:
        maker = Python(port, NICK)
        tap.wait("python3-irc registers", lambda: maker.saw("welcome"), maker.pump)
        maker.conn.send_raw("REGISTER * * " + PASSWORD)
        if not tap.wait("REGISTER makes the account", lambda: maker.saw_words("register", "SUCCESS"),
                        maker.pump):
            return tap.finish()
        maker.conn.quit("done")
        tap.wait("the maker leaves", lambda: not maker.conn.is_connected(), maker.pump)

        # irssi over TLS (the daemon's self-signed certificate, unverified).
        home = os.path.join(tmp, "irssi")
        write_irssi_config(home, tls_port)
        irssi = Irssi(home, size=(200, 50))

        watcher = Python(port, "watcher")
        tap.wait("the watcher registers", lambda: watcher.saw("welcome"), watcher.pump)

        def logged_in():
            watcher.conn.whois([NICK])
            deadline = time.monotonic() + 1
            while time.monotonic() < deadline and not watcher.saw("endofwhois"):
                watcher.pump()
            watcher.events = [e for e in watcher.events if e[0] != "endofwhois"]
            return watcher.saw_words("330", NICK, NICK)

        tap.wait("irssi logs in with SASL PLAIN (WHOIS 330 names the account)", logged_in, watcher.pump)
        tap(watcher.saw_words("671", NICK), "irssi is on TLS (WHOIS 671)")
        if not tap.all_ok():
            irssi.show(30)
    finally:
        if irssi:
            irssi.close()
        stop_daemon(daemon)
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
