#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The server's own WebSocket framing (RFC 6455) from a raw socket: a
fragmented message is one line, pings get their pongs, a close gets a
close, protocol errors close with their codes (1002, 1007, 1009), the Host
header must name the server (DNS rebinding), and a browser that stops
reading is dropped with "SendQ exceeded" while the others chat on.  Runs
the daemon named by $SUDA_SERVERD; TAP output."""

import base64
import importlib.util
import json
import os
import re
import socket
import struct
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("server_web", os.path.join(HERE, "test-server-web.py"))
server_web = importlib.util.module_from_spec(spec)
spec.loader.exec_module(server_web)

Daemon = server_web.Daemon
expect, DEADLINE_S = server_web.expect, server_web.DEADLINE_S

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


def frame(opcode, payload, fin=True, mask=True, declared=None):
    """One frame; DECLARED overrides the length the header gives."""
    length = len(payload) if declared is None else declared
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    if length < 126:
        head += bytes([bit | length])
    elif length < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class RawSocket:
    """A WebSocket client written out by hand, to send what libraries won't."""

    def __init__(self, port, protocol="text.ircv3.net", host=None, origin=None, rcvbuf=None):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(DEADLINE_S)
        self.sock.connect(("127.0.0.1", port))
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        request = ("GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: %s\r\n" % (host or "127.0.0.1:%d" % port, key, protocol))
        if origin:
            request += "Origin: %s\r\n" % origin
        self.sock.sendall((request + "\r\n").encode())
        while b"\r\n\r\n" not in self.buffer:
            self.fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ", 2)[1])
        self.binary = protocol == "binary.ircv3.net"

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self.buffer += data

    def need(self, n):
        while len(self.buffer) < n:
            self.fill()

    def read_frame(self):
        """(fin, opcode, payload) of the next frame; server frames are unmasked."""
        self.need(2)
        expect(not self.buffer[1] & 0x80, "a server frame is not masked")
        length, offset = self.buffer[1] & 0x7F, 2
        if length == 126:
            self.need(4)
            length, offset = struct.unpack("!H", self.buffer[2:4])[0], 4
        elif length == 127:
            self.need(10)
            length, offset = struct.unpack("!Q", self.buffer[2:10])[0], 10
        self.need(offset + length)
        fin, opcode = bool(self.buffer[0] & 0x80), self.buffer[0] & 0x0F
        payload, self.buffer = self.buffer[offset:offset + length], self.buffer[offset + length:]
        return fin, opcode, payload

    def send(self, data):
        self.sock.sendall(data)

    def send_line(self, line):
        self.send(frame(OP_BINARY if self.binary else OP_TEXT, line.encode()))

    def wait_for(self, pattern):
        while True:
            fin, opcode, payload = self.read_frame()
            expect(fin, "a message in one frame")
            if opcode in (OP_TEXT, OP_BINARY):
                expect(opcode == (OP_BINARY if self.binary else OP_TEXT), "opcode %d" % opcode)
                line = payload.decode()
                expect("\r" not in line and "\n" not in line, "one line: %r" % line)
                if re.search(pattern, line):
                    return line
            expect(opcode != OP_CLOSE, "closed (%r) waiting for %r" % (payload, pattern))

    def wait_for_close(self):
        """The close code the server sends, then the end of the stream."""
        while True:
            fin, opcode, payload = self.read_frame()
            if opcode == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                try:
                    while self.sock.recv(65536):
                        pass
                except ConnectionResetError:
                    pass
                return code

    def close(self):
        self.sock.close()


def registered(daemon, nick, protocol="text.ircv3.net", **kwargs):
    peer = RawSocket(daemon.web_port, protocol, **kwargs)
    expect(peer.status == 101, "the upgrade is %d" % peer.status)
    peer.send_line("NICK " + nick)
    peer.send_line("USER %s 0 * :%s" % (nick, nick))
    peer.wait_for(r" 001 %s " % nick)
    return peer


def quit_reasons(daemon, nick):
    with open(daemon.log) as f:
        entries = [json.loads(line) for line in f]
    return [e.get("text") for e in entries if e["event"] == "quit" and e.get("nick") == nick]


# Framing ---------------------------------------------------------------------

def test_fragmented(daemon):
    """Three continuation frames after the first, a ping between them."""
    peer = RawSocket(daemon.web_port)
    expect(peer.status == 101, "the upgrade is %d" % peer.status)
    peer.send(frame(OP_TEXT, b"NI", fin=False))
    peer.send(frame(OP_CONT, b"CK fr", fin=False))
    peer.send(frame(OP_PING, b"between"))
    fin, opcode, payload = peer.read_frame()
    expect((fin, opcode, payload) == (True, OP_PONG, b"between"), "pong: %r" % ((fin, opcode, payload),))
    peer.send(frame(OP_CONT, b"agme", fin=False))
    peer.send(frame(OP_CONT, b"nts"))
    peer.send_line("USER fragments 0 * :in pieces")
    peer.wait_for(r" 001 fragments ")
    peer.close()


def test_ping(daemon):
    peer = registered(daemon, "pinger")
    peer.send(frame(OP_PING, "핑 payload".encode()))
    while True:
        fin, opcode, payload = peer.read_frame()
        if opcode == OP_PONG:
            break
    expect(payload == "핑 payload".encode(), "the pong's payload: %r" % payload)
    peer.close()


def test_close(daemon):
    peer = registered(daemon, "closer")
    peer.send(frame(OP_CLOSE, struct.pack("!H", 1000) + b"bye"))
    expect(peer.wait_for_close() == 1000, "the close is answered with 1000")
    peer.close()


def refused_with(daemon, nick, data):
    peer = registered(daemon, nick)
    peer.send(data)
    code = peer.wait_for_close()
    peer.close()
    return code


def test_unmasked(daemon):
    code = refused_with(daemon, "unmasked", frame(OP_TEXT, b"PING :x", mask=False))
    expect(code == 1002, "an unmasked frame: %r" % code)
    expect(quit_reasons(daemon, "unmasked") == ["WebSocket: unmasked frame"],
           "logged: %r" % quit_reasons(daemon, "unmasked"))


def test_bad_utf8(daemon):
    code = refused_with(daemon, "badutf", frame(OP_TEXT, b"PRIVMSG #lobby :\xff\xfe"))
    expect(code == 1007, "invalid UTF-8 in a text message: %r" % code)


def test_long_control(daemon):
    code = refused_with(daemon, "longping", frame(OP_PING, b"p" * 126))
    expect(code == 1002, "a 126-byte ping: %r" % code)


def test_huge_length(daemon):
    """Refused on the header alone: no payload follows."""
    code = refused_with(daemon, "huge", frame(OP_BINARY, b"", declared=1 << 40))
    expect(code == 1009, "a frame of 2^40 bytes: %r" % code)


# Host ------------------------------------------------------------------------

def test_host(daemon):
    port = daemon.web_port
    peer = RawSocket(port, host="evil.example:%d" % port, origin="http://evil.example:%d" % port)
    expect(peer.status in (403, 421), "a foreign Host: %d" % peer.status)
    peer.close()
    response, _ = daemon.get("/", headers={"Host": "evil.example"})
    expect(response.status in (403, 421), "GET / for a foreign Host: %d" % response.status)
    for host in ("127.0.0.1:%d" % port, "localhost:%d" % port, "[::1]:%d" % port,
                 "allowed.example:8080", socket.gethostname()):
        peer = RawSocket(port, host=host)
        expect(peer.status == 101, "Host %s: %d" % (host, peer.status))
        peer.close()


# SendQ -----------------------------------------------------------------------

class Reader(threading.Thread):
    """An IRC client on the IRC port that reads all the time."""

    def __init__(self, daemon, nick):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", daemon.irc_port), timeout=DEADLINE_S)
        self.lines = self.sock.makefile("rb")
        self.nick, self.seen = nick, []
        self.send("NICK %s\r\nUSER %s 0 * :%s\r\nJOIN #lobby" % (nick, nick, nick))
        self.joined, self.events = threading.Event(), {}

    def send(self, text):
        self.sock.sendall((text + "\r\n").encode())

    def watch(self, pattern):
        self.events[pattern] = threading.Event()
        return self.events[pattern]

    def run(self):
        for line in self.lines:
            line = line.decode(errors="replace").rstrip("\r\n")
            if re.search(r" 366 %s #lobby " % self.nick, line):
                self.joined.set()
            for pattern, event in list(self.events.items()):
                if re.search(pattern, line):
                    event.set()


def flood_past(daemon, protocol):
    """A browser that stops reading while others talk is dropped with
    "SendQ exceeded"; the others go on."""
    nick = "stalled" + protocol[0]
    stalled = registered(daemon, nick, protocol, rcvbuf=4096)
    stalled.send_line("JOIN #lobby")
    stalled.wait_for(r" 366 %s #lobby " % nick)
    talker, listener = Reader(daemon, "talker" + protocol[0]), Reader(daemon, "listener" + protocol[0])
    dropped = listener.watch(r"^:%s!\S+ QUIT :SendQ exceeded" % nick)
    after = listener.watch(r"PRIVMSG #lobby :after the drop$")
    for reader in (talker, listener):
        reader.start()
        expect(reader.joined.wait(DEADLINE_S), "%s joined" % reader.nick)
    text = "flood " * 60
    deadline = time.monotonic() + DEADLINE_S
    sent = 0
    while not dropped.is_set():
        expect(time.monotonic() < deadline, "still there after %d messages" % sent)
        talker.send("\r\n".join("PRIVMSG #lobby :%d %s" % (sent + i, text) for i in range(20)))
        sent += 20
    talker.send("PRIVMSG #lobby :after the drop")
    expect(after.wait(DEADLINE_S), "the others chat on")
    print("# %s: dropped after %d messages of %d bytes" % (protocol, sent, len(text)))
    expect("SendQ exceeded" in quit_reasons(daemon, nick), "logged: %r" % quit_reasons(daemon, nick))
    for peer in (stalled, talker.sock, listener.sock):
        peer.close()


def test_sendq():
    with tempfile.TemporaryDirectory() as folder:
        daemon = Daemon(folder, limits="exempt-loopback=true\nflood-control=false\nsendq=32768\n")
        try:
            for protocol in ("text.ircv3.net", "binary.ircv3.net"):
                flood_past(daemon, protocol)
        finally:
            daemon.stop()


def main():
    return server_web.run([
        ("/web/frames/fragmented-message-is-one-line", test_fragmented),
        ("/web/frames/ping-gets-pong-with-its-payload", test_ping),
        ("/web/frames/close-gets-close", test_close),
        ("/web/frames/unmasked-frame-closes-1002", test_unmasked),
        ("/web/frames/invalid-utf8-text-closes-1007", test_bad_utf8),
        ("/web/frames/long-control-frame-closes-1002", test_long_control),
        ("/web/frames/huge-length-closes-1009", test_huge_length),
        ("/web/host/foreign-host-refused", test_host),
    ], [("/web/sendq/non-reader-dropped-others-chat", test_sendq)])


if __name__ == "__main__":
    sys.exit(main())
