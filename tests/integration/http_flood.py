#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""http_flood.py — a bounded abusive HTTP client for tests and benchmarks of mdc's HTTP server.

    http_flood.py MODE HOST PORT --source ADDR --connections N --seconds S

MODE idle: opens N connections and sends nothing. MODE slowloris: opens N connections, sends
the start of a request and then one header byte every second, never finishing the headers.
Connections the server closes are opened again (at most N open at once, at most 20 new ones a
second per closed one... bounded by N per second in all), so the pressure lasts. Every
connection comes from the source address ADDR (e.g. 127.0.0.2, so that a well-behaved client
on 127.0.0.1 is another address). Loopback only. Stops by itself after S seconds.

Writes "open N" to stdout once a second (the connections it holds) and, at the end,
"closed_by_server N" (how many the server closed), then exits 0.
"""
import argparse
import selectors
import socket
import sys
import time


def loopback(addr):
    return addr.startswith("127.") or addr == "::1"


def connect(host, port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((source, 0))
    try:
        s.connect((host, port))
    except BlockingIOError:
        pass
    except OSError:
        s.close()
        return None
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["idle", "slowloris"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--source", default="127.0.0.2")
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=30)
    a = ap.parse_args()
    if not loopback(a.host) or not loopback(a.source):
        sys.exit("http_flood: loopback addresses only")
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> bytes sent
    closed = 0
    end = time.monotonic() + a.seconds
    next_report = next_trickle = time.monotonic()
    budget = a.connections  # new connections allowed this second

    def top_up():
        nonlocal budget
        while len(conns) < a.connections and budget > 0:
            budget -= 1
            s = connect(a.host, a.port, a.source)
            if s is None:
                return
            conns[s] = 0
            sel.register(s, selectors.EVENT_READ)

    def drop(s):
        sel.unregister(s)
        s.close()
        del conns[s]

    top_up()
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:  # the server closed it (or answered and closed)
                drop(s)
                closed += 1
        now = time.monotonic()
        if now >= next_trickle:
            next_trickle = now + 1
            budget = a.connections
            if a.mode == "slowloris":
                for s in list(conns):
                    chunk = b"GET / HTTP/1.1\r\nHost: x\r\n" if conns[s] == 0 else b"X"
                    try:
                        s.send(chunk)
                        conns[s] += len(chunk)
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        drop(s)
                        closed += 1
        top_up()
        if now >= next_report:
            next_report = now + 1
            print("open", len(conns), flush=True)
    for s in list(conns):
        drop(s)
    print("closed_by_server", closed, flush=True)


if __name__ == "__main__":
    main()
