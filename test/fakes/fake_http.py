"""What every fake target server of test/fakes/ shares: a request handler that answers JSON and
reads (gzip) bodies, an append-only JSON Lines file that lets a killed fake restarted on the
same port keep what it accepted, and the serving loop that prints the port. Each fake keeps only
its target's own contract. Loopback only; standard library only.
"""
import gzip
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, JSON answers, quiet (the tests read the fakes' controls)."""

    protocol_version = "HTTP/1.1"
    content_type = "application/json"
    reply_headers = ()  # headers the target sends on every answer

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in self.reply_headers:
            self.send_header(name, value)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        """The body inflated; the bytes received stay in self.raw_body (a signature covers them)."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.raw_body = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        return body


class JsonLines:
    """An append-only file of JSON values (none when path is None)."""

    def __init__(self, path):
        self.path = path

    def append(self, value):
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(value) + "\n")

    def clear(self):
        if self.path and os.path.exists(self.path):
            os.remove(self.path)

    def load(self):
        if not self.path or not os.path.exists(self.path):
            return []
        values = []
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                try:
                    values.append(json.loads(line))
                except ValueError:
                    continue  # a line cut by a kill
        return values


def serve(name, port, handler):
    """Listens on 127.0.0.1:port (0: any free port), prints the port on stdout, serves forever."""
    server = None
    for _ in range(50):  # a port just freed by a killed fake may linger a moment
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), handler)
            break
        except OSError:
            time.sleep(0.1)
    if server is None:
        sys.exit("%s: cannot listen on port %d" % (name, port))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
