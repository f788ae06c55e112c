#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two clients of Debian's python3-irc (an IRC implementation independent of
Suda's) register with suda-serverd and chat: a room message, a private
message, a CTCP ACTION, a topic, a nick change and a quit, each checked on
the receiving side.  Usage: test-server-interop.py HOST PORT.  Prints one
"ok: ..." line per step reached and exits 0 when all were, 1 otherwise; it
never runs for longer than its deadline."""

import sys
import time

import irc.client

CHANNEL = "#interop"
ROOM_TEXT = "안녕하세요, bob! (room)"
PRIVATE_TEXT = "비밀 이야기 (private)"
ACTION_TEXT = "waves 👋"
TOPIC_TEXT = "Interop: python3-irc meets Suda"
DEADLINE_S = 20

steps = []
failures = []


def ok(step):
    if step not in steps:
        steps.append(step)
        print("ok:", step, flush=True)


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAILED:", what, flush=True)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    reactor = irc.client.IRC()
    alice = reactor.server()
    bob = reactor.server()
    joined = set()
    done = []

    registered = set()

    def on_welcome(conn, event):
        ok("%s registered" % conn.get_nickname())
        registered.add(conn.get_nickname())
        # Alice first, so that she is the room's operator.
        if conn is alice:
            conn.join(CHANNEL)
        elif "alice" in joined:
            conn.join(CHANNEL)

    def on_featurelist(conn, event):
        # 005 ISUPPORT, parsed by the library.
        features = conn.features
        if getattr(features, "casemapping", None) == "rfc1459" and \
                getattr(features, "nicklen", None) == 30 and \
                getattr(features, "prefix", {}).get("@") == "o":
            ok("%s read ISUPPORT" % conn.get_nickname())

    def on_namreply(conn, event):
        names = event.arguments[-1].split()
        if conn is alice:
            check("@alice" in names, "alice, first in %s, is its operator: %r" % (CHANNEL, names))
            ok("alice is channel operator")

    def on_join(conn, event):
        who = irc.client.NickMask(event.source).nick
        if who == conn.get_nickname():
            joined.add(who)
            if conn is alice and "bob" in registered:
                bob.join(CHANNEL)
        if conn is alice and who == "bob":
            ok("alice saw bob join")
            conn.privmsg(CHANNEL, ROOM_TEXT)

    def on_pubmsg(conn, event):
        who = irc.client.NickMask(event.source).nick
        if conn is bob and who == "alice":
            check(event.target == CHANNEL, "room message target %r" % event.target)
            check(event.arguments[0] == ROOM_TEXT, "room text %r" % event.arguments[0])
            ok("bob got alice's room message")
            conn.privmsg("ALICE", PRIVATE_TEXT)

    def on_privmsg(conn, event):
        who = irc.client.NickMask(event.source).nick
        if conn is alice and who == "bob":
            check(event.arguments[0] == PRIVATE_TEXT, "private text %r" % event.arguments[0])
            ok("alice got bob's private message")
            conn.action(CHANNEL, ACTION_TEXT)

    def on_action(conn, event):
        who = irc.client.NickMask(event.source).nick
        if conn is bob and who == "alice":
            check(event.arguments[0] == ACTION_TEXT, "action text %r" % event.arguments[0])
            ok("bob got alice's CTCP ACTION")
            alice.topic(CHANNEL, TOPIC_TEXT)

    def on_topic(conn, event):
        if conn is bob:
            check(event.arguments[0] == TOPIC_TEXT, "topic %r" % event.arguments[0])
            ok("bob saw the new topic")
            bob.nick("robert")

    def on_nick(conn, event):
        if conn is alice and event.target == "robert":
            check(irc.client.NickMask(event.source).nick == "bob", "nick change source %r" % event.source)
            ok("alice saw bob become robert")
            bob.quit("interop done")

    def on_quit(conn, event):
        if conn is alice and irc.client.NickMask(event.source).nick == "robert":
            check(event.arguments[0].endswith("interop done"), "quit reason %r" % event.arguments)
            ok("alice saw robert quit")
            alice.quit("bye")
            done.append(True)

    def on_error_numeric(conn, event):
        failures.append("%s got %s %r" % (conn.get_nickname(), event.type, event.arguments))

    for name, handler in [("welcome", on_welcome), ("featurelist", on_featurelist),
                          ("namreply", on_namreply), ("join", on_join),
                          ("pubmsg", on_pubmsg), ("privmsg", on_privmsg),
                          ("action", on_action), ("topic", on_topic),
                          ("nick", on_nick), ("quit", on_quit),
                          ("nicknameinuse", on_error_numeric),
                          ("erroneusnickname", on_error_numeric),
                          ("cannotsendtochan", on_error_numeric),
                          ("chanoprivsneeded", on_error_numeric)]:
        reactor.add_global_handler(name, handler)

    alice.connect(host, port, "alice", username="alice", ircname="Alice (python3-irc)")
    bob.connect(host, port, "bob", username="bob", ircname="Bob (python3-irc)")

    deadline = time.monotonic() + DEADLINE_S
    while not done and not failures and time.monotonic() < deadline:
        reactor.process_once(0.05)

    expected = 12
    print("steps: %d of %d; failures: %d" % (len(steps), expected, len(failures)), flush=True)
    for failure in failures:
        print("failure:", failure, flush=True)
    return 0 if done and not failures and len(steps) == expected else 1


if __name__ == "__main__":
    sys.exit(main())
