#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A hostile HTTP peer for the secrets test (loopback only): it answers every request with an
error whose body repeats the request — line, headers and body (the token endpoint: the body
first) — as careless receivers do.

  echo_server.py --port-file F --token TOKEN

POST /token        200 {"access_token": TOKEN, ...} (an OAuth2 token endpoint that works)
POST /refuse...    400 and the echo (a refusal: the record becomes a dead letter)
anything else      500 and the echo (the token endpoint at /token-echo too)
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def echo(self, status, body):
        head = "%s %s\n%s" % (self.command, self.path, str(self.headers))
        text = body.decode("utf-8", "replace")
        # a token endpoint quotes the form it got first; others their request line and headers
        text = text + "\n" + head if self.path.startswith("/token") else head + "\n" + text
        self.reply(status, ("request refused: " + text).encode())

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/token":
            return self.reply(200, json.dumps({"access_token": ARGS.token, "expires_in": 3600,
                                               "token_type": "Bearer"}).encode(),
                              "application/json")
        self.echo(400 if self.path.startswith("/refuse") else 500, body)

    do_PUT = do_POST

    def do_GET(self):
        self.echo(500, b"")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--token", required=True)
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
