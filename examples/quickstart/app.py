#!/usr/bin/env python3
"""The quickstart web service. Run from inside a release folder; it serves that release.

GET /health answers 200 when the release's release.json says healthy, else 500.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RELEASE = os.path.basename(os.getcwd())
with open("release.json") as f:
    CONFIG = json.load(f)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            healthy = CONFIG.get("healthy", False)
            status, body = (200, f"ok {RELEASE}\n") if healthy else (500, f"broken {RELEASE}: {CONFIG.get('bug', '?')}\n")
        else:
            status, body = 200, f"hello from {RELEASE}\n"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 18080
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
