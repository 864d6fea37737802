#!/usr/bin/python3
"""gzip_bomb: an UpdateMeasurements request with grpc-encoding gzip whose one message is
the gzip of --inflated bytes of zeros (1 GiB by default: about 1 MB on the wire), compressed
here in 1 MiB steps so this script never holds the inflated size. The right answer is
RESOURCE_EXHAUSTED without inflating past the message limit.

  gzip_bomb.py --port N (--ca FILE | --plaintext) [--user U --password P]
               [--inflated 1073741824] [--seconds 20]
"""
import time
import zlib

from h2wire import RequestConnection, grpc_frame, grpc_request_headers, main, parse_args

CHUNK = 1 << 20


def gzip_of_zeros(size):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    zeros = bytes(CHUNK)
    out = bytearray()
    for offset in range(0, size, CHUNK):
        out += compressor.compress(zeros[:min(CHUNK, size - offset)])
    out += compressor.flush()
    return bytes(out)


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--inflated", type=int, default=1 << 30),
                      default_seconds=20.0)
    bomb = gzip_of_zeros(args.inflated)
    conn = RequestConnection(args)
    deadline = time.monotonic() + args.seconds
    stream_id = conn.h2.get_next_available_stream_id()
    conn.h2.send_headers(stream_id, grpc_request_headers(
        args, extra=[("grpc-encoding", "gzip"), ("grpc-accept-encoding", "identity,gzip")]))
    conn._flush_h2()
    delivered = conn.send_data(stream_id, grpc_frame(bomb, compressed=True), deadline, end_stream=True)
    conn.wait_for_end(stream_id, deadline)
    conn.report("gzip_bomb", inflated_bytes=args.inflated, compressed_bytes=len(bomb),
                body_delivered=delivered)
    conn.close()


if __name__ == "__main__":
    main(run)
