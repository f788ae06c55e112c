#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Three kinds of client in one Suda room, each written with no knowledge of
Suda: irssi in a tmux session, Debian's python3-irc, and a plain-text
session as nc opens it.  Each sees the others' messages, /me actions, nick
changes and kicks.  Usage: test-server-interop-irssi.py (SUDA_SERVERD names
the daemon).  TAP output; every wait has a deadline, and the whole run
stops at 90 s."""

import os
import shutil
import socket
import sys
import tempfile

from suda_interop import Irssi, Python, Tap, require_tools, start_daemon, stop_daemon

ROOM = "#lobby"      # a plain-text session talks in the default room

tap = Tap(step_s=10, deadline_s=90)


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


def chat(py, irssi, plain, pump):
    """The steps, in order; a step that fails ends the run."""
    tap.run_steps([
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
    ], pump)


def main():
    require_tools("irssi", "tmux")
    tmp = tempfile.mkdtemp(prefix="suda-interop-")
    daemon, port = start_daemon(tmp)
    irssi = None
    try:
        py = Python(port, "pyuser")
        tap.wait("python3-irc registers", lambda: py.saw("welcome"), py.pump)
        plain = Plain(port)
        irssi = Irssi(os.path.join(tmp, "irssi"), "-n irssiuser -c 127.0.0.1 -p %d" % port)

        def pump():
            py.pump()
            plain.pump()

        tap.wait("irssi registers", lambda: irssi.saw("Welcome to the Suda IRC Network"), pump)
        chat(py, irssi, plain, pump)
        if not tap.all_ok():
            irssi.show()
            print("# the plain session read:\n" + "\n".join("# " + l for l in plain.lines[-20:]))
    finally:
        if irssi:
            irssi.close()
        stop_daemon(daemon)
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
