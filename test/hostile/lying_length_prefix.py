#!/usr/bin/python3
"""lying_length_prefix: a well-formed UpdateMeasurements request whose gRPC length prefix
says 4 GiB - 1 while only --send bytes follow; the stream stays open. A server that
allocates from the prefix dies here; the right answer is RESOURCE_EXHAUSTED at once.

  lying_length_prefix.py --port N (--ca FILE | --plaintext) [--user U --password P]
                         [--send 1024] [--seconds 5]
"""
import time

from h2wire import RequestConnection, grpc_request_headers, main, parse_args


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--send", type=int, default=1024))
    conn = RequestConnection(args)
    deadline = time.monotonic() + args.seconds
    stream_id = conn.h2.get_next_available_stream_id()
    conn.h2.send_headers(stream_id, grpc_request_headers(args))
    conn._flush_h2()
    body = b"\x00" + (2 ** 32 - 1).to_bytes(4, "big") + b"\x0a" * args.send
    conn.send_data(stream_id, body, deadline)
    conn.wait_for_end(stream_id, deadline)
    conn.report("lying_length_prefix", prefix_length=2 ** 32 - 1, body_bytes=args.send)
    conn.close()


if __name__ == "__main__":
    main(run)
