"""A real HTTP server that demands credentials and forwards to a real SPARQL endpoint.

    python tests/auth_proxy.py PORT UPSTREAM_URL

Oxigraph has no authentication, so the endpoint tests put this in front of it. It accepts
HTTP Basic with $AUTH_PROXY_USER / $AUTH_PROXY_PASSWORD, or ``Bearer $AUTH_PROXY_TOKEN``,
answers 401 otherwise, and forwards everything else unchanged (method, path, body,
Content-Type, Accept). It prints ``ready`` once it listens on 127.0.0.1:PORT.
"""

from __future__ import annotations

import base64
import os
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


def accepted() -> set[str]:
    user, password = os.environ["AUTH_PROXY_USER"], os.environ["AUTH_PROXY_PASSWORD"]
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {f"Basic {basic}", f"Bearer {os.environ['AUTH_PROXY_TOKEN']}"}


class Proxy(BaseHTTPRequestHandler):
    upstream = ""
    credentials: ClassVar[frozenset[str]] = frozenset()

    def log_message(self, *args) -> None:  # quiet
        pass

    def forward(self) -> None:
        if self.headers.get("Authorization") not in self.credentials:
            body = b"authentication required\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="SPARQL"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k in ("Content-Type", "Accept")}
        request = urllib.request.Request(
            self.upstream + self.path, data=data, headers=headers, method=self.command
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
                media_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
            media_type = err.headers.get("Content-Type", "")
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = forward
    do_POST = forward
    do_PUT = forward  # the Graph Store Protocol, for policygraph load
    do_HEAD = forward


def main() -> None:
    port, upstream = int(sys.argv[1]), sys.argv[2].rstrip("/")
    Proxy.upstream = upstream
    Proxy.credentials = frozenset(accepted())
    server = ThreadingHTTPServer(("127.0.0.1", port), Proxy)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
