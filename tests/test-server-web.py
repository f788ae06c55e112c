#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The web side of suda-serverd (issue 20), from outside: GET / serves the
page with its security headers, anything else is 404, a foreign Origin is
refused before the WebSocket upgrade, and sessions over WebSocket (both
IRCv3 subprotocols) chat in one room with a TCP IRC client and a plain-text
session.  Runs the daemon named by $SUDA_SERVERD; TAP output."""

import asyncio
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import websockets
import websockets.exceptions

DEADLINE_S = 20
ALLOWED_ORIGIN = "http://allowed.example:8080"

results = []


def tap(name, func, *args):
    started = time.monotonic()
    try:
        func(*args)
        results.append(("ok", name, ""))
    except Exception as e:  # a failed check or anything it raised
        results.append(("not ok", name, "%s: %s" % (type(e).__name__, e)))
    print("# %s: %.1f s" % (name, time.monotonic() - started), flush=True)


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


class Daemon:
    """suda-serverd on 127.0.0.1 with the page on a free port."""

    def __init__(self, folder, limits="exempt-loopback=true\n"):
        self.log = os.path.join(folder, "server.jsonl")
        self.config = config = os.path.join(folder, "suda.conf")
        self.limits = limits
        self.write_config(ALLOWED_ORIGIN)
        self.process = subprocess.Popen([os.environ["SUDA_SERVERD"], "--config", config],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.read_ports()

    def write_config(self, origins):
        with open(self.config, "w") as f:
            f.write("[server]\nlisten=127.0.0.1\nport=0\nmotd=Welcome to the web test\n"
                    "[log]\nfile=%s\n[limits]\n%s"
                    "[web]\nport=auto\nlisten=127.0.0.1\norigins=%s\n"
                    % (self.log, self.limits, origins))

    def read_ports(self):
        self.irc_port = self.web_port = None
        deadline = time.monotonic() + DEADLINE_S
        while (self.irc_port is None or self.web_port is None) and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if m := re.match(r"listening on [\d.]+:(\d+)", line):
                self.irc_port = int(m.group(1))
            if m := re.match(r"web page at http://127\.0\.0\.1:(\d+)/", line):
                self.web_port = int(m.group(1))
        if self.irc_port is None or self.web_port is None:
            self.stop()
            raise RuntimeError("suda-serverd did not say where it listens")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def get(self, path, method="GET", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=DEADLINE_S)
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response, body


# The page ---------------------------------------------------------------------

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def check_security_headers(daemon, response):
    for name, value in SECURITY_HEADERS.items():
        expect(response.getheader(name) == value, "%s: %r" % (name, response.getheader(name)))
    policy = response.getheader("Content-Security-Policy") or ""
    for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                 "object-src 'none'", "ws://127.0.0.1:%d" % daemon.web_port):
        expect(part in policy, "CSP has %s: %r" % (part, policy))
    expect("unsafe-inline" not in policy and "unsafe-eval" not in policy, "CSP: %r" % policy)


def test_page(daemon):
    response, body = daemon.get("/")
    expect(response.status == 200, "GET / is %d" % response.status)
    expect(response.getheader("Content-Type") == "text/html; charset=utf-8",
           response.getheader("Content-Type"))
    check_security_headers(daemon, response)
    expect("no-cache" in (response.getheader("Cache-Control") or ""), "Cache-Control")
    html = body.decode()
    expect('<script src="app.js"' in html, "the page loads app.js")
    expect(not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script")
    expect(not re.search(r"(src|href)=\"(https?:)?//", html), "no external request")
    total = len(body)
    for path, kind in (("/app.js", "text/javascript"), ("/style.css", "text/css"),
                       ("/catalog.js", "text/javascript"), ("/icon.svg", "image/svg+xml")):
        response, body = daemon.get(path)
        expect(response.status == 200, "GET %s is %d" % (path, response.status))
        expect((response.getheader("Content-Type") or "").startswith(kind), path)
        check_security_headers(daemon, response)
        total += len(body)
    expect(total <= 100 * 1024, "the page is %d bytes" % total)
    print("# the page: %d bytes in all" % total)


def test_catalogue(daemon):
    response, body = daemon.get("/catalog.js")
    text = body.decode()
    expect(text.count("window.SUDA_CATALOGS = ") == 1, text[:200])
    catalogs = json.loads(text.split("window.SUDA_CATALOGS = ", 1)[1].rstrip().rstrip(";"))
    expect(catalogs["ko"].get("Join") == "입장", "ko: Join → %r" % catalogs["ko"].get("Join"))
    # every string of the page has its translation
    response, app = daemon.get("/app.js")
    wanted = set(json.loads(m) for m in re.findall(r'\b_\(("(?:[^"\\]|\\.)*")\)', app.decode()))
    missing = wanted - set(catalogs["ko"])
    expect(not missing, "untranslated: %r" % sorted(missing))


def test_not_found(daemon):
    for path in ("/nothing", "/ws/more", "/app.js/", "/index.htm"):
        response, _ = daemon.get(path)
        expect(response.status in (404, 400), "GET %s is %d" % (path, response.status))
    response, _ = daemon.get("/nothing")
    expect(response.status == 404, "GET /nothing is %d" % response.status)
    check_security_headers(daemon, response)
    response, _ = daemon.get("/", method="POST")
    expect(response.status == 405 and response.getheader("Allow") == "GET, HEAD",
           "POST / is %d" % response.status)


def test_etag(daemon):
    response, _ = daemon.get("/app.js")
    etag = response.getheader("ETag")
    expect(etag, "app.js has an ETag")
    response, body = daemon.get("/app.js", headers={"If-None-Match": etag})
    expect(response.status == 304 and body == b"", "a second load is %d" % response.status)


def test_config(daemon):
    response, body = daemon.get("/config.json")
    expect(response.status == 200 and response.getheader("Cache-Control") == "no-store",
           "config.json: %d" % response.status)
    expect(json.loads(body) == {"room": "#lobby", "name": "Suda"}, body)


# WebSocket ---------------------------------------------------------------------

def ws_url(daemon):
    return "ws://127.0.0.1:%d/ws" % daemon.web_port


async def refused(daemon, origin):
    try:
        async with websockets.connect(ws_url(daemon), subprotocols=["text.ircv3.net"],
                                      origin=origin, open_timeout=DEADLINE_S):
            return None
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code


def test_foreign_origin(daemon):
    for origin in ("http://evil.example", "http://127.0.0.1:%d.evil.example" % daemon.web_port,
                   "https://127.0.0.1:%d" % daemon.web_port, "null"):
        status = asyncio.run(refused(daemon, origin))
        expect(status == 403, "Origin %s: %r" % (origin, status))


class WebPeer:
    """An IRC client over WebSocket, one line per message."""

    def __init__(self, ws):
        self.ws = ws

    @classmethod
    async def open(cls, daemon, protocol, origin=None):
        ws = await websockets.connect(ws_url(daemon), subprotocols=[protocol], origin=origin,
                                      open_timeout=DEADLINE_S)
        expect(ws.subprotocol == protocol, "%s: the server chose %r" % (protocol, ws.subprotocol))
        return cls(ws)

    async def send(self, line):
        if self.ws.subprotocol == "binary.ircv3.net":
            await self.ws.send(line.encode())
        else:
            await self.ws.send(line)

    async def wait_for(self, pattern):
        """The first line matching PATTERN; every message must be one line."""
        while True:
            message = await asyncio.wait_for(self.ws.recv(), DEADLINE_S)
            if self.ws.subprotocol == "binary.ircv3.net":
                expect(isinstance(message, bytes), "binary.ircv3.net sends binary messages")
                message = message.decode()
            else:
                expect(isinstance(message, str), "text.ircv3.net sends text messages")
            expect("\r" not in message and "\n" not in message, "one line: %r" % message)
            if re.search(pattern, message):
                return message

    async def close(self):
        await self.ws.close()


class TcpPeer:
    """An IRC client, or a plain-text (nc-style) session, on the IRC port."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, daemon):
        reader, writer = await asyncio.open_connection("127.0.0.1", daemon.irc_port)
        return cls(reader, writer)

    async def send(self, line):
        self.writer.write((line + "\r\n").encode())
        await self.writer.drain()

    async def wait_for(self, pattern):
        while True:
            line = await asyncio.wait_for(self.reader.readline(), DEADLINE_S)
            expect(line, "the server closed the connection waiting for %r" % pattern)
            line = line.decode().rstrip("\r\n")
            if re.search(pattern, line):
                return line

    async def close(self):
        self.writer.close()


async def register(peer, nick):
    await peer.send("NICK " + nick)
    await peer.send("USER %s 0 * :%s" % (nick, nick))
    await peer.wait_for(r" 001 %s " % nick)
    await peer.send("JOIN #lobby")
    await peer.wait_for(r" 366 %s #lobby " % nick)


async def chat():
    daemon = chat.daemon
    alice = await WebPeer.open(daemon, "text.ircv3.net")
    bob = await WebPeer.open(daemon, "binary.ircv3.net")
    carol = await TcpPeer.open(daemon)
    dave = await TcpPeer.open(daemon)
    await register(alice, "alice")
    await register(bob, "bob")
    await register(carol, "carol")
    await dave.send("dave")  # a plain-text session: its first line is its name
    await carol.wait_for(r"^:dave!\S+ JOIN #lobby")

    texts = {"alice": "안녕, 웹에서 (text)", "bob": "binary hello ✓",
             "carol": "TCP says hi", "dave": "plain text here"}
    peers = {"alice": alice, "bob": bob, "carol": carol, "dave": dave}
    for sender, text in texts.items():
        if sender == "dave":
            await dave.send(text)
        else:
            await peers[sender].send("PRIVMSG #lobby :" + text)
        for name, peer in peers.items():
            if name == sender:
                continue
            if name == "dave":
                await peer.wait_for(r"\] %s: %s$" % (sender, re.escape(text)))
            else:
                await peer.wait_for(r"^(@\S+ )?:%s!\S+ PRIVMSG #lobby :%s$" % (sender, re.escape(text)))
    # A private message between the two web sessions, and the counts see them.
    await alice.send("PRIVMSG bob :psst")
    await bob.wait_for(r"^:alice!\S+ PRIVMSG bob :psst$")
    await carol.send("LUSERS")
    await carol.wait_for(r" 251 carol :There are 4 users")  # the service user is not counted
    for peer in peers.values():
        await peer.close()


def test_chat(daemon):
    chat.daemon = daemon
    asyncio.run(chat())
    with open(daemon.log) as f:
        entries = [json.loads(line) for line in f]
    via = [e for e in entries if e["event"] == "connect" and e.get("via") == "websocket"]
    expect(len(via) >= 2 and all(e["address"] == "127.0.0.1" for e in via),
           "websocket connects logged with their address: %r" % via)
    said = [e["text"] for e in entries if e["event"] == "message"]
    expect("안녕, 웹에서 (text)" in said and "binary hello ✓" in said, "messages logged: %r" % said)


async def overlong(daemon):
    """As on TCP: a line past max-line gets 417 and the session goes on; one
    past what any line with tags may be closes the session with ERROR."""
    peer = await WebPeer.open(daemon, "text.ircv3.net")
    await register(peer, "longwinded")
    await peer.send("PRIVMSG #lobby :" + "x" * 600)
    await peer.wait_for(r" 417 longwinded ")
    await peer.send("PING :still-here")
    await peer.wait_for(r"PONG .*still-here")
    await peer.send("PRIVMSG #lobby :" + "x" * 10000)
    await peer.wait_for(r"^ERROR :Closing link: 127\.0\.0\.1 \(Line too long\)")
    try:
        await asyncio.wait_for(peer.ws.recv(), DEADLINE_S)
        raise AssertionError("still open after a line over the limit")
    except websockets.exceptions.ConnectionClosed:
        pass


def test_overlong(daemon):
    asyncio.run(overlong(daemon))


async def allowed(daemon):
    for origin in (ALLOWED_ORIGIN, "http://127.0.0.1:%d" % daemon.web_port, None):
        peer = await WebPeer.open(daemon, "text.ircv3.net", origin=origin)
        await peer.send("PING :origin")
        await peer.wait_for(r"PONG .*origin")
        await peer.close()


def test_allowed_origins(daemon):
    asyncio.run(allowed(daemon))


def test_rehash_origins(daemon):
    """[web] origins= applies at SIGHUP, as REHASH does, nobody dropped."""
    other = "https://school.example.org"
    expect(asyncio.run(refused(daemon, other)) == 403, "refused before")
    daemon.write_config(ALLOWED_ORIGIN + " " + other)
    daemon.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + DEADLINE_S
    while asyncio.run(refused(daemon, other)) is not None:
        expect(time.monotonic() < deadline, "%s still refused after SIGHUP" % other)
        time.sleep(0.1)


async def per_address(daemon):
    first = await WebPeer.open(daemon, "text.ircv3.net")
    second = await WebPeer.open(daemon, "binary.ircv3.net")
    await first.send("PING :one")
    await first.wait_for("PONG")
    await second.send("PING :two")
    await second.wait_for("PONG")
    tcp = await TcpPeer.open(daemon)
    await tcp.wait_for(r"^ERROR :Too many connections from your address")
    third = await WebPeer.open(daemon, "text.ircv3.net")
    await third.wait_for(r"^ERROR :Too many connections from your address")
    for peer in (first, second, third, tcp):
        await peer.close()


def test_per_address():
    """[limits] max-per-address counts WebSocket sessions with TCP ones."""
    with tempfile.TemporaryDirectory() as folder:
        daemon = Daemon(folder, limits="max-per-address=2\n")
        try:
            asyncio.run(per_address(daemon))
        finally:
            daemon.stop()


def run(with_daemon, alone):
    """WITH_DAEMON's (name, test) pairs against one daemon, then ALONE's,
    which start their own; TAP out; the exit status."""
    with tempfile.TemporaryDirectory() as folder:
        daemon = Daemon(folder)
        try:
            for name, func in with_daemon:
                tap(name, func, daemon)
        finally:
            daemon.stop()
    for name, func in alone:
        tap(name, func)
    print("1..%d" % len(results))
    for i, (status, name, why) in enumerate(results, 1):
        print("%s %d %s" % (status, i, name))
        if why:
            print("# " + why)
    return 0 if all(r[0] == "ok" for r in results) else 1


def main():
    return run([
        ("/web/page/served-with-security-headers", test_page),
        ("/web/page/catalogue-from-po", test_catalogue),
        ("/web/page/anything-else-is-404", test_not_found),
        ("/web/page/etag-revalidates", test_etag),
        ("/web/page/config", test_config),
        ("/web/socket/foreign-origin-refused", test_foreign_origin),
        ("/web/socket/own-and-listed-origins-allowed", test_allowed_origins),
        ("/web/socket/both-subprotocols-chat-with-tcp-and-plain", test_chat),
        ("/web/socket/overlong-line-refused-as-on-tcp", test_overlong),
        ("/web/socket/origins-apply-at-rehash", test_rehash_origins),
    ], [("/web/socket/per-address-limit-counts-both", test_per_address)])


if __name__ == "__main__":
    sys.exit(main())
