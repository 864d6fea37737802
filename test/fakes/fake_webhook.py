#!/usr/bin/python3
"""A webhook receiver for the webhook sink's tests (SINKS.md §14.1: "a capture server we
write"), written from the sink's contract, not from the sink's code.

It accepts POST or PUT bodies that are a JSON array of row documents (application/json) or
NDJSON (application/x-ndjson), gzip-encoded or not, and keeps every document it accepts. Like a
receiver following the IETF Idempotency-Key draft, a request whose key it has already accepted
is answered 200 again without storing anything twice.

Test controls (not part of any webhook):
  GET  /_fake/rows      the accepted documents, a JSON array, in arrival order
  GET  /_fake/requests  every request received: method, path, headers, body length
  POST /_fake/mode      {"down": bool, "refuse_metric": "name" or null}: while down every
                        request gets 503 with a body echoing the request headers (a careless
                        target that repeats credentials back); a refused metric makes any
                        body holding a row of it answer 422

Options: --port N (0: any free port; the port is printed on stdout once listening). Loopback
only; standard library only.
"""
import argparse
import json
import sys
import threading

from fake_http import JsonHandler, serve

lock = threading.Lock()
state = {"down": False, "refuse_metric": None, "rows": [], "keys": set(), "requests": []}


def parse_documents(body, content_type):
    if content_type.startswith("application/x-ndjson"):
        lines = body.decode("utf-8").split("\n")
        if lines[-1] != "":
            raise ValueError("NDJSON must end with a newline")
        return [json.loads(line) for line in lines[:-1]]
    documents = json.loads(body)
    if not isinstance(documents, list):
        raise ValueError("the body must be a JSON array")
    return documents


class Handler(JsonHandler):
    def do_GET(self):
        with lock:
            if self.path == "/_fake/rows":
                return self.reply(200, state["rows"])
            if self.path == "/_fake/requests":
                return self.reply(200, state["requests"])
        self.reply(404, {"error": "no such path"})

    def do_POST(self):
        if self.path == "/_fake/mode":
            mode = json.loads(self.read_body())
            with lock:
                for key in ("down", "refuse_metric"):
                    if key in mode:
                        state[key] = mode[key]
            return self.reply(200, {"ok": True})
        self.receive()

    def do_PUT(self):
        self.receive()

    def receive(self):
        body = self.read_body()
        with lock:
            state["requests"].append({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers.items()), "body_bytes": len(body)})
            if state["down"]:
                echo = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
                return self.reply(503, f"unavailable; you sent {echo}")
            key = self.headers.get("Idempotency-Key")
            if key is not None and key in state["keys"]:
                return self.reply(200, {"accepted": 0, "replayed": True})
            try:
                documents = parse_documents(body, self.headers.get("Content-Type", ""))
            except ValueError as error:
                return self.reply(400, {"error": str(error)})
            refused = state["refuse_metric"]
            if refused is not None and any(d.get("metric") == refused for d in documents):
                return self.reply(422, {"error": f"metric {refused} is not accepted here"})
            state["rows"].extend(documents)
            if key is not None:
                state["keys"].add(key)
            self.reply(200, {"accepted": len(documents)})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    serve("fake_webhook", args.port, Handler)


if __name__ == "__main__":
    sys.exit(main())
