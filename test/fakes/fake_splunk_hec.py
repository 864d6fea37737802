#!/usr/bin/python3
"""A FAKE Splunk HTTP Event Collector for the splunk sink's tests, written from SINKS.md §3
(Splunk is proprietary: no server in Debian or npm). Not Splunk: it implements only what the
HEC contract says a client sees.

  POST /services/collector[/event[/1.0]]  "Authorization: Splunk <token>" (401 code 2 without,
        401 code 3 malformed, 403 code 4 wrong); body = concatenated JSON objects (gzip bodies
        too). Events before the first bad one are stored; the bad one gives 400 code 6
        "Invalid data format" (not JSON), 12 (no "event") or 13 (blank "event") with
        "invalid-event-number"; an empty body 400 code 5. With --ack: a channel is required
        (X-Splunk-Request-Channel or ?channel=; 400 code 10 without, 11 if not a GUID) and the
        answer carries an ackId counted per channel.
  POST /services/collector/ack?channel=G  {"acks":[ids]} -> {"acks":{"id":bool}}; an id reads
        true from the --ack-after-polls-th poll that asks for it; without --ack: 400 code 14.

Test controls (not Splunk):
  POST /_fake/inject  {"status": 503, "code": 9, "text": "Server is busy", "retry_after": "1"}
                      fail the next event request; {"invalid_event": k} answer the next one
                      with 400 code 6 at event k; {"stick_ack": true} the next one's ackId never
                      turns true; optional "times": N (default 1)
  POST /_fake/mode    {"down": true} answer every request 503 code 9 until {"down": false};
                      {"refuse_metric": "m"} an event whose event.metric is m is invalid
                      (400 code 6 at its number) until {"refuse_metric": null}
  GET  /_fake/events  {"count": N, "events": [{"channel", "ack_id", "event": {...}}]}
  GET  /_fake/requests  every event and ack request: path, query, headers, body (inflated)
  POST /_fake/reset   forget events, requests, injections and acknowledgements

Options: --port N (0: any free port; the port is printed on stdout), --token T (required),
--ack, --ack-after-polls N (default 1), --data FILE (events are appended there before the
answer and loaded at start, so a killed fake restarted on the same port keeps them; ack ids
do not survive, as on an indexer restart). Loopback only; standard library only.
"""
import argparse
import json
import re
import threading
from urllib.parse import parse_qs, urlsplit

from fake_http import JsonHandler, JsonLines, serve

LOCK = threading.Lock()
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
EVENT_PATHS = ("/services/collector", "/services/collector/event", "/services/collector/event/1.0")
ARGS = None
DATA = JsonLines(None)  # --data: the stored events, reloaded at start


def fresh_state():
    # acks: channel -> {ack_id: polls so far (None: stuck)}; next_ack: channel -> next id
    return {"events": [], "requests": [], "rules": [], "acks": {}, "next_ack": {}}


STATE = fresh_state()
MODE = {"down": False, "refuse_metric": None}


def refused(event):
    body = event.get("event")
    return MODE["refuse_metric"] is not None and isinstance(body, dict) and body.get("metric") == MODE["refuse_metric"]


def split_events(text):
    """Concatenated JSON objects -> (events, index of the first bad one or None, code)."""
    decoder = json.JSONDecoder()
    events = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            return events, None, 0
        try:
            event, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return events, len(events), 6
        if not isinstance(event, dict):
            return events, len(events), 6
        if "event" not in event:
            return events, len(events), 12
        if event["event"] in ("", {}, None):
            return events, len(events), 13
        if refused(event):
            return events, len(events), 6
        events.append(event)


TEXTS = {2: "Token is required", 3: "Invalid authorization", 4: "Invalid token", 5: "No data",
         6: "Invalid data format", 10: "Data channel is missing", 11: "Invalid data channel",
         12: "Event field is required", 13: "Event field cannot be blank", 14: "ACK is disabled"}


class Handler(JsonHandler):
    content_type = "application/json; charset=UTF-8"

    def fail(self, status, code, extra=None):
        body = {"text": TEXTS.get(code, "error"), "code": code}
        body.update(extra or {})
        self.reply(status, body)

    def do_GET(self):
        path = urlsplit(self.path).path
        with LOCK:
            if path == "/_fake/events":
                return self.reply(200, {"count": len(STATE["events"]), "events": STATE["events"]})
            if path == "/_fake/requests":
                return self.reply(200, {"requests": STATE["requests"]})
        self.reply(404, {"text": "The requested URL was not found on this server.", "code": 404})

    def authorized(self):
        auth = self.headers.get("Authorization")
        if not auth:
            self.fail(401, 2)
            return False
        scheme, _, token = auth.partition(" ")
        if scheme not in ("Splunk", "Bearer") or not token:
            self.fail(401, 3)
            return False
        if token != ARGS.token:
            self.fail(403, 4)
            return False
        return True

    def channel(self, url):
        return self.headers.get("X-Splunk-Request-Channel") or parse_qs(url.query).get("channel", [None])[0]

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.read_body()
        with LOCK:
            if url.path == "/_fake/inject":
                rule = json.loads(body or b"{}")
                STATE["rules"].extend([rule] * int(rule.get("times", 1)))
                return self.reply(200, {"ok": True})
            if url.path == "/_fake/mode":
                MODE.update(json.loads(body or b"{}"))
                return self.reply(200, {"ok": True})
            if url.path == "/_fake/reset":
                STATE.clear()
                STATE.update(fresh_state())
                DATA.clear()
                return self.reply(200, {"ok": True})
            if url.path not in EVENT_PATHS and url.path != "/services/collector/ack":
                return self.reply(404, {"text": "The requested URL was not found on this server.", "code": 404})
            STATE["requests"].append({"path": url.path, "query": url.query, "headers": dict(self.headers.items()),
                                      "body": body.decode("utf-8", "replace")})
            if MODE["down"]:
                return self.reply(503, {"text": "Server is busy", "code": 9})
            if not self.authorized():
                return None
            channel = self.channel(url)
            if url.path == "/services/collector/ack":
                return self.ack(channel, body)
            if ARGS.ack and not channel:
                return self.fail(400, 10)
            if channel and not GUID.match(channel):
                return self.fail(400, 11)
            rule = STATE["rules"].pop(0) if STATE["rules"] else {}
            if "status" in rule:
                headers = [("Retry-After", str(rule["retry_after"]))] if "retry_after" in rule else []
                return self.reply(int(rule["status"]), {"text": rule.get("text", "injected by the fake"),
                                                        "code": int(rule.get("code", 8))}, headers)
            text = body.decode("utf-8", "replace")
            if text.strip() == "":
                return self.fail(400, 5)
            events, bad, code = split_events(text)
            if "invalid_event" in rule and (bad is None or rule["invalid_event"] < bad):
                bad, code = rule["invalid_event"], 6
                events = events[:bad]
            ack_id = None
            if ARGS.ack and bad is None:
                ack_id = STATE["next_ack"].get(channel, 0)
                STATE["next_ack"][channel] = ack_id + 1
                STATE["acks"].setdefault(channel, {})[ack_id] = None if rule.get("stick_ack") else 0
            for event in events:
                entry = {"channel": channel, "ack_id": ack_id, "event": event}
                STATE["events"].append(entry)
                DATA.append(entry)
            if bad is not None:
                return self.fail(400, code, {"invalid-event-number": bad})
            answer = {"text": "Success", "code": 0}
            if ack_id is not None:
                answer["ackId"] = ack_id
            return self.reply(200, answer)

    def ack(self, channel, body):
        if not ARGS.ack:
            return self.fail(400, 14)
        if not channel:
            return self.fail(400, 10)
        try:
            ids = json.loads(body)["acks"]
        except (ValueError, KeyError, TypeError):
            return self.fail(400, 6)
        known = STATE["acks"].get(channel, {})
        answer = {}
        for ack_id in ids:
            polls = known.get(ack_id)
            if polls is not None:
                polls += 1
                known[ack_id] = polls
            answer[str(ack_id)] = polls is not None and polls >= ARGS.ack_after_polls
        return self.reply(200, {"acks": answer})


def main():
    global ARGS
    parser = argparse.ArgumentParser(description="fake Splunk HTTP Event Collector for tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", required=True)
    parser.add_argument("--ack", action="store_true")
    parser.add_argument("--ack-after-polls", type=int, default=1)
    parser.add_argument("--data")
    ARGS = parser.parse_args()
    DATA.path = ARGS.data
    STATE["events"].extend(DATA.load())
    serve("fake_splunk_hec", ARGS.port, Handler)


if __name__ == "__main__":
    main()
