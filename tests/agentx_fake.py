#!/usr/bin/env python3
"""agentx_fake.py: a scripted AgentX master (RFC 2741) for
tests/integration/check_snmp_fake.c.  Usage: agentx_fake.py MODE SOCKET LOG

Listens on the unix SOCKET, answers the subagent's Open and Register, then
does what MODE says, writing one line per event to LOG (flushed at once):

  range   a GetNext and a GetBulk (max-repetitions 3) from the module's
          root with a null end OID ("no upper bound"); logs each varbind
          "getnext|bulk type=T oid=O", then "done"; answers pings after
  ping    leaves the first ping of the first session unanswered, answers
          the others ("ping ignored N", "ping answered N")
  noping  answers no ping at all
  close   sends Close (byManager) right after each Open and hangs up
  huge    sends a header claiming a 2147483392-byte payload
  odd     sends a header claiming a 6-byte payload (not a multiple of 4)

Every mode logs "open N" for each session (N from 1) and "eof N" when the
subagent hangs up; after an eof it accepts the next session.  Runs until
killed.
"""
import os
import select
import socket
import struct
import sys
import time

OPEN, CLOSE, REGISTER, GETNEXT, GETBULK, PING, RESPONSE = 1, 2, 3, 6, 7, 13, 18
NBO = 0x10
ROOT = [1, 3, 6, 1, 4, 1, 32473]
LOG = None


def say(line):
    LOG.write(line + "\n")
    LOG.flush()


class Eof(Exception):
    pass


def enc_oid(sub, include=0):
    return struct.pack(">BBBB", len(sub), 0, include, 0) + b"".join(
        struct.pack(">I", x) for x in sub
    )


def dec_oid(b, off, e):
    n, prefix, _, _ = struct.unpack_from("BBBB", b, off)
    sub = list(struct.unpack_from(e + "%dI" % n, b, off + 4))
    if prefix:
        sub = [1, 3, 6, 1, prefix] + sub
    return sub, off + 4 + 4 * n


def dec_varbinds(payload, e):
    """(type, dotted name) of each varbind of a Response payload."""
    out, off = [], 8
    while off < len(payload):
        vtype, _ = struct.unpack_from(e + "HH", payload, off)
        name, off = dec_oid(payload, off + 4, e)
        if vtype in (2, 65, 66, 67):
            off += 4
        elif vtype == 70:
            off += 8
        elif vtype in (4, 64, 68):
            (n,) = struct.unpack_from(e + "I", payload, off)
            off += 4 + (n + 3) // 4 * 4
        elif vtype == 6:
            _, off = dec_oid(payload, off, e)
        out.append((vtype, ".".join(map(str, name))))
    return out


class Session:
    def __init__(self, sock, n):
        self.sock, self.n, self.buf = sock, n, b""
        self.sessid, self.next_pkt = 100 + n, 1

    def send(self, ptype, trans, pkt, payload):
        head = struct.pack(">BBBB", 1, ptype, NBO, 0)
        head += struct.pack(">IIII", self.sessid, trans, pkt, len(payload))
        self.sock.sendall(head + payload)

    def respond(self, h):
        self.send(RESPONSE, h["trans"], h["pkt"], struct.pack(">IHH", 0, 0, 0))

    def recv(self, timeout):
        """(header, payload), or None after timeout seconds; Eof on hang-up."""
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 20:
                _, ptype, flags, _ = struct.unpack_from("BBBB", self.buf, 0)
                e = ">" if flags & NBO else "<"
                _, trans, pkt, n = struct.unpack_from(e + "IIII", self.buf, 4)
                if len(self.buf) >= 20 + n:
                    payload = self.buf[20 : 20 + n]
                    self.buf = self.buf[20 + n :]
                    return dict(type=ptype, e=e, trans=trans, pkt=pkt), payload
            left = end - time.monotonic()
            if left <= 0:
                return None
            if select.select([self.sock], [], [], left)[0]:
                data = self.sock.recv(65536)
                if not data:
                    raise Eof()
                self.buf += data

    def expect(self, ptype):
        got = self.recv(10)
        if got is None or got[0]["type"] != ptype:
            raise Eof()
        self.respond(got[0])

    def ask(self, ptype, payload, answer_ping):
        """Send a request, return the varbinds of its Response."""
        pkt = self.next_pkt
        self.next_pkt += 1
        self.send(ptype, 1, pkt, payload)
        while True:
            got = self.recv(10)
            if got is None:
                return []
            h, p = got
            if h["type"] == PING:
                answer_ping(h)
            elif h["type"] == RESPONSE and h["pkt"] == pkt:
                return dec_varbinds(p, h["e"])


def serve(mode, s):
    pings = [0]

    def answer_ping(h):
        pings[0] += 1
        if mode == "noping" or (mode == "ping" and s.n == 1 and pings[0] == 1):
            say("ping ignored %d" % pings[0])
        else:
            s.respond(h)
            say("ping answered %d" % pings[0])

    s.expect(OPEN)
    s.expect(REGISTER)
    say("open %d" % s.n)
    if mode == "close":
        s.send(CLOSE, 0, 1, struct.pack(">BBBB", 6, 0, 0, 0))
        return
    if mode == "range" and s.n == 1:
        whole = enc_oid(ROOT) + enc_oid([])
        for vtype, name in s.ask(GETNEXT, whole, answer_ping):
            say("getnext type=%d oid=%s" % (vtype, name))
        for vtype, name in s.ask(GETBULK, struct.pack(">HH", 0, 3) + whole, answer_ping):
            say("bulk type=%d oid=%s" % (vtype, name))
        say("done")
    if mode in ("huge", "odd") and s.n == 1:
        n = 0x7FFFFF00 if mode == "huge" else 6
        s.sock.sendall(struct.pack("<BBBBIIII", 1, GETNEXT, 0, 0, s.sessid, 1, 1, n))
        s.sock.sendall(b"\0" * 8)
        while True:  # the framing is gone: only wait for the hang-up
            if not s.sock.recv(65536):
                raise Eof()
    while True:
        got = s.recv(3600)
        if got is not None and got[0]["type"] == PING:
            answer_ping(got[0])


def main():
    global LOG
    mode, path, log = sys.argv[1:4]
    LOG = open(log, "a")
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(path)
    lsock.listen(8)
    n = 0
    while True:
        conn, _ = lsock.accept()
        n += 1
        try:
            serve(mode, Session(conn, n))
        except (Eof, OSError):
            pass
        say("eof %d" % n)
        conn.close()


if __name__ == "__main__":
    main()
