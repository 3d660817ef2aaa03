#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP proxy that makes a share of the requests fail (loopback only), for the fault tests of
sinks that do not speak HTTP (PostgreSQL, MQTT): what sink_server.py's --faults does to HTTP
requests, done to whatever a client writes.

  fault_proxy.py --listen-port-file F --upstream PORT --faults FILE [--grace N] [--hang S]
                 [--seed N] [--log L]

Each chunk the client writes, after the first --grace chunks of its connection (the protocol's
start-up: connecting is not what is being tested), meets a fault with the probability FILE
holds ("RATE [KIND,...]", read for every chunk; no file: none):
  reset   both connections are reset (RST); the chunk never reaches the server
  hang    nothing more is forwarded either way for --hang seconds, then both are closed
  late    the chunk reaches the server, but what the server answers is held back for --hang
          seconds and then both are closed: the server did the work, the client never heard
          (a commit whose acknowledgement was lost: a real source of duplicates)
Every fault is logged to L as one JSON line {"fault": KIND, "conn": N}.
"""
import argparse
import asyncio
import json
import os
import random
import socket
import struct
import sys

ARGS = None
RNG = random.Random(1)
KINDS = ["reset", "hang", "late"]
CONNS = [0]


def log(entry):
    if ARGS.log:
        with open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")


def pick_fault():
    try:
        with open(ARGS.faults) as f:
            words = f.read().split()
    except OSError:
        return None
    if not words or RNG.random() >= float(words[0]):
        return None
    return RNG.choice(words[1].split(",") if len(words) > 1 else KINDS)


def rst(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort() if hasattr(writer.transport, "abort") else writer.close()


class Link:
    """One client connection and its upstream connection."""

    def __init__(self, creader, cwriter, sreader, swriter, n):
        self.cr, self.cw, self.sr, self.sw, self.n = creader, cwriter, sreader, swriter, n
        self.hold = False  # late: the server's answers are dropped
        self.dead = False

    def close(self, reset=False):
        if self.dead:
            return
        self.dead = True
        for w in (self.cw, self.sw):
            try:
                rst(w) if reset else w.close()
            except OSError:
                pass

    async def client_to_server(self):
        chunks = 0
        while not self.dead:
            data = await self.cr.read(65536)
            if not data:
                break
            chunks += 1
            fault = pick_fault() if chunks > ARGS.grace else None
            if fault:
                log({"fault": fault, "conn": self.n})
            if fault == "reset":
                self.close(reset=True)
                return
            if fault == "hang":
                self.hold = True
                await asyncio.sleep(ARGS.hang)
                self.close()
                return
            self.sw.write(data)
            await self.sw.drain()
            if fault == "late":
                self.hold = True
                await asyncio.sleep(ARGS.hang)
                self.close()
                return
        self.close()

    async def server_to_client(self):
        while not self.dead:
            data = await self.sr.read(65536)
            if not data:
                break
            if self.hold:
                continue
            self.cw.write(data)
            await self.cw.drain()
        if not self.hold:
            self.close()


async def handle(creader, cwriter):
    CONNS[0] += 1
    try:
        sreader, swriter = await asyncio.open_connection("127.0.0.1", ARGS.upstream)
    except OSError:
        rst(cwriter)
        return
    for w in (cwriter, swriter):
        sock = w.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    link = Link(creader, cwriter, sreader, swriter, CONNS[0])
    try:
        await asyncio.gather(link.client_to_server(), link.server_to_client())
    except (ConnectionError, OSError):
        link.close()


async def serve():
    srv = await asyncio.start_server(handle, "127.0.0.1", ARGS.port)
    port = srv.sockets[0].getsockname()[1]
    tmp = ARGS.listen_port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, ARGS.listen_port_file)
    async with srv:
        await srv.serve_forever()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--listen-port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--upstream", type=int, required=True)
    p.add_argument("--faults", required=True)
    p.add_argument("--grace", type=int, default=0)
    p.add_argument("--hang", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log")
    ARGS = p.parse_args()
    RNG.seed(ARGS.seed)
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
