#!/usr/bin/python3
"""te_x_big_headers: a request with `te: x` (HTTP/2 allows only `te: trailers`) followed by
--header-bytes of extra header fields, then a valid empty-bodied message. The server must
refuse the stream (RST_STREAM or an error status) and keep the connection serving.

  te_x_big_headers.py --port N (--ca FILE | --plaintext) [--user U --password P]
                      [--header-bytes 8192] [--seconds 5]
"""
import time

from h2wire import RequestConnection, grpc_frame, grpc_request_headers, main, parse_args


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--header-bytes", type=int, default=8192))
    conn = RequestConnection(args)
    deadline = time.monotonic() + args.seconds
    headers = [(k, v) for k, v in grpc_request_headers(args) if k != "te"] + [("te", "x")]
    pad = 0
    while pad * 256 < args.header_bytes:
        headers.append((f"x-pad-{pad}", "p" * 240))
        pad += 1
    stream_id = conn.h2.get_next_available_stream_id()
    conn.h2.send_headers(stream_id, headers)
    conn._flush_h2()
    conn.send_data(stream_id, grpc_frame(b""), deadline, end_stream=True)
    conn.wait_for_end(stream_id, deadline)
    conn.report("te_x_big_headers", extra_header_fields=pad, extra_header_bytes=pad * 256)
    conn.close()


if __name__ == "__main__":
    main(run)
