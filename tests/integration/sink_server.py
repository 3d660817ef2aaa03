#!/usr/bin/env python3
"""A local HTTP peer for the webhook and Pub/Sub sink tests (loopback only).

Every request is appended to LOG as one JSON line: {"path", "headers", "body"} (webhook), or
for Pub/Sub publishes {"path", "auth", "data": [decoded message data, ...]}.

  sink_server.py --port-file F --log L [--status-file S] [--pubsub-key PUB.pem]
                 [--token-lifetime N] [--emulator]

--status-file S   while S exists, every request is answered with the status code it holds
--pubsub-key K    act as the OAuth2 token endpoint (POST /token) and the Pub/Sub API: the
                  assertion's RS256 signature is verified with public key K, its claims are
                  checked, and publishes need a token issued here that has not expired
--emulator        act as the Pub/Sub emulator: publishes need no token (and get none)
"""
import argparse
import base64
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
TOKENS = {}  # token -> expiry (time.time())
COUNTER = [0]


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
        if self.path.endswith(":publish") and (ARGS.pubsub_key or ARGS.emulator):
            return self.publish(body)
        log({"path": self.path, "headers": dict(self.headers.items()),
             "body": body.decode("utf-8", "replace")})
        self.reply(200, b"ok", "text/plain")

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

    def publish(self, body):
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
        log({"path": self.path, "auth": auth, "ctype": self.headers.get("Content-Type"),
             "data": data})
        with LOCK:
            first = COUNTER[0]
            COUNTER[0] += len(data)
        ids = [str(first + i) for i in range(len(data))]
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
    ARGS = p.parse_args()
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
