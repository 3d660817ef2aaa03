#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A local HTTP peer for the webhook and Pub/Sub sink tests (loopback only).

Every request is appended to LOG as one JSON line: {"path", "headers", "body"} (webhook), or
for Pub/Sub publishes {"path", "auth", "data": [decoded message data, ...]}.

  sink_server.py --port-file F --log L [--status-file S] [--pubsub-key PUB.pem]
                 [--token-lifetime N] [--emulator] [--faults F] [--hang SECONDS] [--seed N]
                 [--refuse-file R]

--status-file S   while S exists, every request is answered with the status code it holds
--faults F        while F exists, it holds "RATE [KIND,...]" (e.g. "0.3" or "0.05 500,reset"):
                  that share of the requests (webhook POSTs and publishes; not /token) meets
                  one of the faults, chosen at random (default: all of them):
                    500, 503   answered so (503 with "Retry-After: 1"), nothing taken
                    hang       no answer for --hang seconds (longer than the client's
                               timeout), then the connection is closed; nothing taken
                    reset      the connection is reset (RST) without an answer; nothing taken
                    late       taken (logged as accepted) but answered 200 only after --hang
                               seconds, when the client has given up: a real source of
                               duplicates
                  each is logged as {"path", "fault": KIND}
--refuse-file R   while R exists, a request carrying the text it holds (the webhook body, or
                  any message of a publish) is refused for good: 400, logged as
                  {"path", "refused": 400, "poison": true}
--pubsub-key K    act as the OAuth2 token endpoint (POST /token) and the Pub/Sub API: the
                  assertion's RS256 signature is verified with public key K, its claims are
                  checked, and publishes need a token issued here that has not expired
--emulator        act as the Pub/Sub emulator: publishes need no token (and get none)
"""
import argparse
import base64
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
TOKENS = {}  # token -> expiry (time.time())
COUNTER = [0]
RNG = random.Random(1)
FAULT_KINDS = ["500", "503", "hang", "reset", "late"]


def log(entry):
    with LOCK:
        with open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def verify_jwt(jwt, token_url):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    head, claims, sig = jwt.split(".")
    with open(ARGS.pubsub_key, "rb") as f:
        pub = serialization.load_pem_public_key(f.read())
    pub.verify(b64url_decode(sig), (head + "." + claims).encode(), padding.PKCS1v15(),
               hashes.SHA256())  # raises InvalidSignature
    h = json.loads(b64url_decode(head))
    c = json.loads(b64url_decode(claims))
    assert h["alg"] == "RS256" and h["typ"] == "JWT", h
    assert c["aud"] == token_url, (c["aud"], token_url)
    assert c["scope"] == "https://www.googleapis.com/auth/pubsub", c
    assert c["exp"] - c["iat"] == 3600, c
    assert abs(c["iat"] - time.time()) < 60, c
    return h, c


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed ACK

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b"", ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if ARGS.status_file and os.path.exists(ARGS.status_file):
            with open(ARGS.status_file) as f:
                status = int(f.read().strip() or "503")
            log({"path": self.path, "refused": status})
            return self.reply(status, b'{"error": "down for a while"}')
        if self.path == "/token" and ARGS.pubsub_key:
            return self.token(body)
        pubsub = self.path.endswith(":publish") and (ARGS.pubsub_key or ARGS.emulator)
        if self.poisoned(body, pubsub):
            log({"path": self.path, "refused": 400, "poison": True})
            return self.reply(400, b'{"error": {"code": 400, "message": "implausible value"}}')
        fault = self.pick_fault()
        if fault and fault != "late":
            return self.inject(fault)
        if pubsub:
            return self.publish(body, fault)
        log({"path": self.path, "headers": dict(self.headers.items()),
             "body": body.decode("utf-8", "replace")})
        if fault:
            return self.late()
        self.reply(200, b"ok", "text/plain")

    def poisoned(self, body, pubsub):
        if not ARGS.refuse_file:
            return False
        try:
            with open(ARGS.refuse_file) as f:
                marker = f.read().strip()
        except OSError:
            return False
        if not marker:
            return False
        if not pubsub:
            return marker in body.decode("utf-8", "replace")
        msgs = json.loads(body)["messages"]
        return any(marker in base64.b64decode(m["data"]).decode() for m in msgs)

    def pick_fault(self):
        if not ARGS.faults:
            return None
        try:
            with open(ARGS.faults) as f:
                words = f.read().split()
        except OSError:
            return None
        if not words:
            return None
        kinds = words[1].split(",") if len(words) > 1 else FAULT_KINDS
        with LOCK:
            if RNG.random() >= float(words[0]):
                return None
            return RNG.choice(kinds)

    def inject(self, fault):
        log({"path": self.path, "fault": fault})
        if fault in ("500", "503"):
            self.send_response(int(fault))
            if fault == "503":
                self.send_header("Retry-After", "1")
            body = b'{"error": "injected fault"}'
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if fault == "hang":
            time.sleep(ARGS.hang)
        else:  # reset: RST instead of an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def late(self):
        log({"path": self.path, "fault": "late"})
        time.sleep(ARGS.hang)
        self.close_connection = True
        try:
            self.reply(200, b"ok", "text/plain")
        except OSError:
            pass

    def token(self, body):
        form = urllib.parse.parse_qs(body.decode())
        url = "http://127.0.0.1:%d/token" % self.server.server_address[1]
        try:
            assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"], form
            h, c = verify_jwt(form["assertion"][0], url)
        except Exception as e:  # noqa: BLE001 - any failure is a refused grant
            log({"path": "/token", "error": repr(e)})
            return self.reply(400, json.dumps({"error": "invalid_grant",
                                               "error_description": "bad assertion"}).encode())
        with LOCK:
            COUNTER[0] += 1
            tok = "tok-%d" % COUNTER[0]
            TOKENS[tok] = time.time() + ARGS.token_lifetime
        log({"path": "/token", "kid": h.get("kid"), "iss": c["iss"], "token": tok})
        self.reply(200, json.dumps({"access_token": tok, "expires_in": ARGS.token_lifetime,
                                    "token_type": "Bearer"}).encode())

    def publish(self, body, fault=None):
        auth = self.headers.get("Authorization")
        if ARGS.pubsub_key:
            tok = auth[len("Bearer "):] if auth and auth.startswith("Bearer ") else None
            with LOCK:
                ok = tok in TOKENS and TOKENS[tok] > time.time()
            if not ok:
                log({"path": self.path, "unauthorized": auth is not None})
                return self.reply(401, b'{"error": {"code": 401}}')
        msgs = json.loads(body)["messages"]
        data = [base64.b64decode(m["data"]).decode() for m in msgs]
        rids = [m.get("attributes", {}).get("mdc_record_id") for m in msgs]
        log({"path": self.path, "auth": auth, "ctype": self.headers.get("Content-Type"),
             "data": data, "ids": rids})
        with LOCK:
            first = COUNTER[0]
            COUNTER[0] += len(data)
        ids = [str(first + i) for i in range(len(data))]
        if fault:
            return self.late()
        self.reply(200, json.dumps({"messageIds": ids}).encode())


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--status-file")
    p.add_argument("--pubsub-key")
    p.add_argument("--token-lifetime", type=int, default=3600)
    p.add_argument("--emulator", action="store_true")
    p.add_argument("--faults")
    p.add_argument("--hang", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--refuse-file")
    ARGS = p.parse_args()
    RNG.seed(ARGS.seed)
    ThreadingHTTPServer.daemon_threads = True  # a hanging answer never delays the exit
    ThreadingHTTPServer.allow_reuse_address = True  # restarted on the same port at once
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
