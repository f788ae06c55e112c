#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""WeeChat (weechat-headless, driven through its FIFO) and Debian's
python3-irc in one Suda room: messages, /me, topic, nick changes and a kick
each way, read off WeeChat's own logs.  WeeChat asks for IRCv3 caps
(server-time, message-tags, multi-prefix, userhost-in-names, ...): each is
granted.  Usage: test-server-interop-weechat.py (SUDA_SERVERD names the
daemon).  TAP output; every wait has a deadline, and the whole run stops at
90 s."""

import os
import shutil
import sys
import tempfile

from suda_interop import Python, Tap, WeeChat, require_tools, start_daemon, stop_daemon

ROOM = "#lobby"
SERVER = "irc.server.suda"
CHANNEL = "irc.suda." + ROOM

tap = Tap(step_s=10, deadline_s=90)


def caps(wc, what):
    """The caps WeeChat said it was WHAT ("requesting", "enabled")."""
    for line in wc.log_text(SERVER).splitlines():
        if "client capability, %s: " % what in line:
            return set(line.split("%s: " % what, 1)[1].split())
    return set()


def chat(py, wc, pump):
    """The steps, in order; a step that fails ends the run."""
    return tap.run_steps([
        ("WeeChat's asked-for caps (server-time among them) are all granted",
         lambda: None,
         lambda: caps(wc, "requesting") and caps(wc, "requesting") == caps(wc, "enabled")
         and "server-time" in caps(wc, "enabled")),
        ("python3-irc registers and joins first (room operator)",
         lambda: py.conn.join(ROOM), lambda: py.saw("join", "pyuser")),
        ("WeeChat joins; python3-irc sees it, and WeeChat opens the room's buffer",
         lambda: wc.send(SERVER, "/join " + ROOM),
         lambda: py.saw("join", "wcuser") and wc.saw(CHANNEL, "wcuser (")),
        ("WeeChat's message reaches python3-irc",
         lambda: wc.send(CHANNEL, "hello from weechat"),
         lambda: py.saw("pubmsg", "wcuser", ROOM, "hello from weechat")),
        ("python3-irc's message shows in WeeChat",
         lambda: py.conn.privmsg(ROOM, "hello from python"),
         lambda: wc.saw(CHANNEL, "pyuser\thello from python")),
        ("WeeChat's /me is an action to python3-irc",
         lambda: wc.send(CHANNEL, "/me waves"),
         lambda: py.saw("action", "wcuser", ROOM, "waves")),
        ("python3-irc's action shows in WeeChat",
         lambda: py.conn.action(ROOM, "nods"),
         lambda: wc.saw(CHANNEL, "pyuser nods")),
        ("python3-irc's topic shows in WeeChat",
         lambda: py.conn.topic(ROOM, "today: sockets"),
         lambda: wc.saw(CHANNEL, "today: sockets")),
        ("a private message from WeeChat reaches python3-irc",
         lambda: wc.send(SERVER, "/msg pyuser psst"),
         lambda: py.saw("privmsg", "wcuser", "pyuser", "psst")),
        ("WeeChat's nick change is seen by python3-irc",
         lambda: wc.send(SERVER, "/nick wc2"),
         lambda: py.saw("nick", "wcuser", "wc2")),
        ("python3-irc's nick change shows in WeeChat",
         lambda: py.conn.nick("py2"),
         lambda: wc.saw(CHANNEL, "pyuser is now known as py2")),
        ("a kick of WeeChat shows in WeeChat with its reason",
         lambda: py.conn.kick(ROOM, "wc2", "class is over"),
         lambda: wc.saw(CHANNEL, "py2 has kicked wc2 (class is over)")),
    ], pump)


def main():
    require_tools("weechat-headless")
    tmp = tempfile.mkdtemp(prefix="suda-interop-weechat-")
    daemon, port = start_daemon(tmp)
    wc = None
    try:
        py = Python(port, "pyuser")
        tap.wait("python3-irc registers", lambda: py.saw("welcome"), py.pump)
        wc = WeeChat(os.path.join(tmp, "weechat"), port, "wcuser")
        tap.wait("WeeChat registers", lambda: wc.ready() and wc.saw(SERVER, "Welcome to the Suda IRC Network"),
                 py.pump)
        chat(py, wc, py.pump)
        if not tap.all_ok():
            wc.show(SERVER)
            wc.show(CHANNEL)
    finally:
        if wc:
            wc.close()
        stop_daemon(daemon)
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
