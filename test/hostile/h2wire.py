"""Shared plumbing of the hostile HTTP/2 scripts (GRPC.md §13, §16): command line, a
connection to 127.0.0.1 or ::1 only (TLS with ALPN h2 against a CA file, or h2c), a
non-blocking send/receive pump with deadlines so no script can hang or grow without bound,
an account of everything the server sent (GOAWAY, RST_STREAM, statuses, bytes), and the
one JSON line each script prints.

The scripts attack; they do not judge. They exit 0 once the attack was delivered, whatever
the server did (closing the connection is a fine answer), and non-zero only on their own
errors (bad arguments, cannot connect). Run them with Debian's /usr/bin/python3 (python3-h2).
"""

import argparse
import ipaddress
import json
import select
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events
from hpack import Decoder, Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame,
                              PingFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
MAX_OUTBOX = 1 << 20  # bytes queued before the pump must drain: bounds our own memory

ERROR_NAMES = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR",
               4: "SETTINGS_TIMEOUT", 5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR",
               7: "REFUSED_STREAM", 8: "CANCEL", 9: "COMPRESSION_ERROR", 10: "CONNECT_ERROR",
               11: "ENHANCE_YOUR_CALM", 12: "INADEQUATE_SECURITY", 13: "HTTP_1_1_REQUIRED"}


class ScriptError(Exception):
    """The script's own failure (exit 1), as opposed to anything the server did."""


def parse_args(description, add_options=None, default_seconds=5.0):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 or ::1 (nothing else)")
    parser.add_argument("--port", type=int, required=True)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--ca", help="CA file: TLS with ALPN h2, server name --server-name")
    mode.add_argument("--plaintext", action="store_true", help="h2c with prior knowledge")
    parser.add_argument("--server-name", default="localhost")
    parser.add_argument("--user", default="default", help="gRPC metadata username")
    parser.add_argument("--password", default="hostile", help="gRPC metadata password")
    parser.add_argument("--seconds", type=float, default=default_seconds,
                        help="upper bound on the attack's duration")
    if add_options:
        add_options(parser)
    args = parser.parse_args()
    try:
        address = ipaddress.ip_address(args.host)
    except ValueError:
        parser.error("--host must be 127.0.0.1 or ::1")
    if not address.is_loopback or str(address) not in ("127.0.0.1", "::1"):
        parser.error("--host must be 127.0.0.1 or ::1: these scripts attack only this machine")
    if not 0 < args.seconds <= 120:
        parser.error("--seconds must be in (0, 120]")
    return args


def open_socket(args, timeout=10.0):
    """Connects (and completes TLS with ALPN h2 unless --plaintext); returns (sock, alpn)."""
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        raw = socket.create_connection((args.host, args.port), timeout=timeout)
    except OSError as e:
        raise ScriptError(f"cannot connect to {args.host}:{args.port}: {e}") from e
    assert raw.family == family
    if args.plaintext:
        return raw, None
    context = ssl.create_default_context(cafile=args.ca)
    context.set_alpn_protocols(["h2"])
    try:
        sock = context.wrap_socket(raw, server_hostname=args.server_name)
    except (OSError, ssl.SSLError) as e:
        raw.close()
        raise ScriptError(f"TLS handshake with {args.host}:{args.port} failed: {e}") from e
    return sock, sock.selected_alpn_protocol()


def grpc_request_headers(args, path="/Receiver/UpdateMeasurements", extra=()):
    scheme = "http" if args.plaintext else "https"
    authority = f"{args.server_name}:{args.port}"
    return [(":method", "POST"), (":scheme", scheme), (":path", path), (":authority", authority),
            ("content-type", "application/grpc"), ("te", "trailers"),
            ("user-agent", "pgwatch-rpc-hostile/1"), ("username", args.user),
            ("password", args.password)] + list(extra)


class Account:
    """What the server sent, parsed frame by frame (with its own HPACK decoder)."""

    def __init__(self):
        self.decoder = Decoder()
        self.buffer = bytearray()
        self.header_block = None  # (stream id, bytes) while a CONTINUATION sequence runs
        self.frames = {}
        self.goaway = None
        self.rst_streams = {}
        self.headers = []  # decoded response header blocks (bounded)
        self.data_bytes = 0
        self.ping_acks = 0
        self.settings_acks = 0
        self.replies = bytearray()  # ACKs we owe the server

    def feed(self, data):
        self.buffer += data
        while len(self.buffer) >= 9:
            frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
            if len(self.buffer) < 9 + length:
                return
            frame.parse_body(memoryview(self.buffer[9:9 + length]))
            del self.buffer[:9 + length]
            self._frame(frame)

    def _frame(self, frame):
        name = type(frame).__name__.replace("Frame", "")
        self.frames[name] = self.frames.get(name, 0) + 1
        if isinstance(frame, GoAwayFrame):
            self.goaway = {"code": ERROR_NAMES.get(frame.error_code, frame.error_code),
                           "last_stream_id": frame.last_stream_id,
                           "debug": frame.additional_data.decode("utf-8", "replace")[:200]}
        elif isinstance(frame, RstStreamFrame):
            code = ERROR_NAMES.get(frame.error_code, str(frame.error_code))
            self.rst_streams[code] = self.rst_streams.get(code, 0) + 1
        elif isinstance(frame, SettingsFrame):
            if "ACK" in frame.flags:
                self.settings_acks += 1
            else:
                self.replies += SettingsFrame(0, flags=["ACK"]).serialize()
        elif isinstance(frame, PingFrame):
            if "ACK" in frame.flags:
                self.ping_acks += 1
            else:
                self.replies += PingFrame(0, opaque_data=frame.opaque_data, flags=["ACK"]).serialize()
        elif isinstance(frame, DataFrame):
            self.data_bytes += len(frame.data)
        elif isinstance(frame, (HeadersFrame, ContinuationFrame)):
            block = self.header_block[1] if self.header_block else b""
            block += frame.data
            if "END_HEADERS" in frame.flags:
                self.header_block = None
                try:
                    fields = {k: v for k, v in self.decoder.decode(block)}
                except Exception as e:  # the server's HPACK is what is under test here
                    fields = {"hpack-error": str(e)}
                if len(self.headers) < 20:
                    self.headers.append({"stream": frame.stream_id, **fields})
            else:
                self.header_block = (frame.stream_id, block)

    def summary(self):
        return {"goaway": self.goaway, "rst_streams": self.rst_streams,
                "responses": self.headers, "data_bytes": self.data_bytes,
                "frames": self.frames}


class Connection:
    """A non-blocking pump: queue bytes, then drive send and receive until a deadline."""

    def __init__(self, args, send_preface=True):
        self.sock, self.alpn = open_socket(args)
        self.sock.setblocking(False)
        self.account = Account()
        self.outbox = bytearray()
        self.bytes_in = 0
        self.bytes_out = 0
        self.closed_by_server = None  # how the server ended the connection, if it did
        self.listeners = []  # callables fed every received chunk (an h2 state machine)
        self.started = time.monotonic()
        if send_preface:
            self.queue(PREFACE + SettingsFrame(0).serialize())

    @property
    def alive(self):
        return self.closed_by_server is None

    def queue(self, data):
        self.outbox += data

    def pump(self, deadline, until_empty=False):
        """Sends and receives until the deadline, or until the outbox is empty if asked."""
        while self.alive and time.monotonic() < deadline:
            if until_empty and not self.outbox and not self.account.replies:
                return
            self._step(deadline)

    def send(self, data, deadline):
        """Queues data and pumps until most of it left; False once the deadline or the
        connection is gone (the attack then stops)."""
        self.queue(data)
        while self.alive and len(self.outbox) > MAX_OUTBOX // 2:
            if time.monotonic() >= deadline:
                return False
            self._step(deadline)
        return self.alive and time.monotonic() < deadline

    def _step(self, deadline):
        if self.account.replies:
            self.outbox[0:0] = self.account.replies
            self.account.replies = bytearray()
        pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0
        timeout = 0 if pending else max(0.0, min(0.05, deadline - time.monotonic()))
        readable, writable, _ = select.select([self.sock], [self.sock] if self.outbox else [], [],
                                              timeout)
        if readable or pending:
            self._read()
        if writable and self.alive:
            self._write()

    def _read(self):
        for _ in range(64):  # bounded per step, so a chatty server cannot starve our sending
            try:
                data = self.sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                return
            except (OSError, ssl.SSLError) as e:
                self.closed_by_server = f"receive error: {e}"
                return
            if not data:
                self.closed_by_server = "EOF"
                return
            self.bytes_in += len(data)
            self.account.feed(data)
            for listener in self.listeners:
                listener(data)

    def _write(self):
        try:
            n = self.sock.send(self.outbox[:65536])
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return
        except (OSError, ssl.SSLError) as e:
            self.closed_by_server = f"send error: {e}"
            return
        del self.outbox[:n]
        self.bytes_out += n

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def report(self, attack, **sent):
        result = {"attack": attack, "alpn": self.alpn, "sent": sent,
                  "bytes_sent": self.bytes_out, "bytes_received": self.bytes_in,
                  "closed_by_server": self.closed_by_server,
                  "seconds": round(time.monotonic() - self.started, 3)}
        result.update(self.account.summary())
        print(json.dumps(result, sort_keys=True), flush=True)


class RequestConnection(Connection):
    """A Connection with an h2 client state machine for well-formed request framing and
    flow control (the request-shaped attacks must not be refused for a framing slip)."""

    def __init__(self, args):
        super().__init__(args, send_preface=False)
        config = h2.config.H2Configuration(client_side=True, header_encoding=None,
                                           validate_outbound_headers=False,
                                           normalize_outbound_headers=False,
                                           validate_inbound_headers=False)
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.initiate_connection()
        self.events = []
        self.listeners.append(self._receive)
        self._flush_h2()

    def _receive(self, data):
        try:
            self.events.extend(self.h2.receive_data(data))
        except Exception as e:  # a protocol error the server made, not ours: record it
            self.events.append(f"h2 error: {e}")
        self._flush_h2()

    def _flush_h2(self):
        self.queue(self.h2.data_to_send())
        # Account answers SETTINGS and PING too; h2 already does: drop the duplicates.
        self.account.replies = bytearray()

    def send_data(self, stream_id, data, deadline, end_stream=False):
        """Sends data within the peer's flow-control windows; False if the deadline or the
        connection ended first (the server stopped reading, or reset the stream)."""
        view = memoryview(data)
        while self.alive and time.monotonic() < deadline:
            if stream_id in self.reset_streams():
                return False
            window = min(self.h2.local_flow_control_window(stream_id),
                         self.h2.max_outbound_frame_size, len(view))
            if window > 0 or (len(view) == 0 and end_stream):
                last = window == len(view)
                self.h2.send_data(stream_id, view[:window].tobytes(), end_stream=end_stream and last)
                self._flush_h2()
                view = view[window:]
                if last:
                    self.pump(deadline, until_empty=True)
                    return self.alive
            self.pump(min(deadline, time.monotonic() + 0.05), until_empty=window > 0)
        return False

    def reset_streams(self):
        return {e.stream_id for e in self.events if isinstance(e, h2.events.StreamReset)}

    def wait_for_end(self, stream_id, deadline):
        """Pumps until the stream ended (trailers, reset) or the connection closed."""
        while self.alive and time.monotonic() < deadline:
            for e in self.events:
                if isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)) and \
                        e.stream_id == stream_id:
                    return
                if isinstance(e, h2.events.ConnectionTerminated):
                    return
            self.pump(min(deadline, time.monotonic() + 0.05))


def grpc_frame(message, compressed=False):
    return bytes([1 if compressed else 0]) + len(message).to_bytes(4, "big") + message


def main(run):
    """Runs an attack; ScriptError and argument errors exit non-zero, nothing else."""
    try:
        run()
    except ScriptError as e:
        print(f"{sys.argv[0]}: {e}", file=sys.stderr)
        sys.exit(1)


__all__ = ["Connection", "RequestConnection", "ScriptError", "parse_args", "grpc_request_headers",
           "grpc_frame", "main", "open_socket", "Encoder", "HeadersFrame", "ContinuationFrame",
           "RstStreamFrame", "PingFrame", "SettingsFrame", "WindowUpdateFrame", "DataFrame"]
