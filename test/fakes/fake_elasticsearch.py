#!/usr/bin/python3
"""A FAKE Elasticsearch for the elastic sink's tests, written from SINKS.md §2 (no
Elasticsearch or OpenSearch server is packaged for Debian). Not Elasticsearch: it implements
only what the Bulk API contract says a client sees.

  POST /_bulk, POST /<index>/_bulk  NDJSON (gzip bodies too); `create` stores by _index+_id
                                    (409 version_conflict_engine_exception if the id exists),
                                    `index` stores or replaces; a field first seen as a number
                                    refuses a non-numeric string later (400
                                    mapper_parsing_exception), as a dynamic mapping does; a body
                                    not ending in "\\n" is refused as a whole (400)
  GET /                             cluster info
  every answer                      carries X-Elastic-Product: Elasticsearch

Test controls (not Elasticsearch):
  POST /_fake/inject   {"items": {"1": 429, "2": 400}}  fail items of the next bulk request
                       {"request": 429, "retry_after": "2"}  fail the next request as a whole
                       {"request": 413}; optional "times": N (default 1)
  POST /_fake/mode     {"down": true} answer every bulk request 503 until {"down": false};
                       {"refuse_metric": "m"} refuse documents whose "metric" is m (400
                       mapper_parsing_exception) until {"refuse_metric": null}
  GET  /_fake/docs     {"count": N, "docs": [{"_index", "_id", "_source"}]}
  GET  /_fake/requests every bulk request: method, path, headers, body (inflated)
  POST /_fake/reset    forget documents, requests and injections

Options: --port N (0: any free port; the port is printed on stdout), --data FILE (documents
are appended there before the answer and loaded at start, so a killed fake restarted on the
same port keeps them), --authorization VALUE (required Authorization header),
--max-content-length BYTES (413 above it, as http.max_content_length). Loopback only;
standard library only.

AWS SigV4, as Amazon OpenSearch Service checks it (SINKS.md §4.1, written from the AWS
documentation): with --sigv4-secret SECRET (plus --sigv4-key-id, --sigv4-region,
--sigv4-service es|aoss, optional --sigv4-session-token) every bulk request must carry a valid
Authorization: AWS4-HMAC-SHA256 over the bytes received (still compressed), signing host and
x-amz-date, X-Amz-Date within 5 minutes, the session token signed if one is set, and for aoss
x-amz-content-sha256; otherwise 403 with AWS's message (and the canonical request this fake
expected). The request log then also holds raw_body_base64.
"""
import argparse
import base64
import calendar
import hashlib
import hmac
import json
import re
import threading
import time
from urllib.parse import quote, unquote_to_bytes, urlsplit

from fake_http import JsonHandler, JsonLines, serve

LOCK = threading.Lock()
STATE = {"docs": {}, "order": [], "requests": [], "rules": [], "mapping": {}}
MODE = {"down": False, "refuse_metric": None}
ARGS = None
DATA = JsonLines(None)  # --data: the accepted documents, reloaded at start


def error_body(status, kind, reason):
    return {"error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
            "status": status}


def numeric_paths(prefix, value, out):
    """Collects path -> 'number'/'other' for the leaves of a source document."""
    if isinstance(value, dict):
        for k, v in value.items():
            numeric_paths(prefix + k + ".", v, out)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        out[prefix[:-1]] = "number"
    elif isinstance(value, str):
        out[prefix[:-1]] = "string"


def mapping_error(index, source):
    """A dynamic mapping's refusal: a string that is not a number in a field mapped as number."""
    mapping = STATE["mapping"].setdefault(index, {})
    leaves = {}
    numeric_paths("", source, leaves)
    for path, kind in leaves.items():
        if mapping.get(path) == "number" and kind == "string":
            value = source
            for part in path.split("."):
                value = value[part]
            try:
                float(value)
            except ValueError:
                return "failed to parse field [%s] of type [long] in document. Preview of field's value: '%s'" % (
                    path, value)
    for path, kind in leaves.items():
        mapping.setdefault(path, kind)
    return None


def load():
    for doc in DATA.load():
        key = (doc["_index"], doc["_id"])
        if key not in STATE["docs"]:
            STATE["order"].append(key)
        STATE["docs"][key] = doc["_source"]


def bulk(path_index, body, rule):
    """Applies a bulk body; returns (status, response)."""
    if not body.endswith(b"\n"):
        return 400, error_body(400, "illegal_argument_exception",
                               "The bulk request must be terminated by a newline [\\n]")
    lines = body.split(b"\n")[:-1]
    items = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == b"":
            i += 1
            continue
        try:
            action_line = json.loads(lines[i])
            (op, meta), = action_line.items()
        except (ValueError, AttributeError):
            return 400, error_body(400, "illegal_argument_exception",
                                   "Malformed action/metadata line [%d], expected START_OBJECT" % (i + 1))
        if op not in ("create", "index") or i + 1 >= len(lines):
            return 400, error_body(400, "illegal_argument_exception",
                                   "Malformed action/metadata line [%d]" % (i + 1))
        index = meta.get("_index", path_index)
        doc_id = meta.get("_id")
        item = {"_index": index, "_id": doc_id}
        injected = rule.get("items", {}).get(str(len(items)))
        try:
            source = json.loads(lines[i + 1])
        except ValueError:
            source = None
        i += 2
        if injected:
            kinds = {429: "es_rejected_execution_exception", 400: "mapper_parsing_exception"}
            kind = kinds.get(injected, "exception")
            item.update({"status": injected, "error": {"type": kind, "reason": "injected by the fake"}})
        elif isinstance(source, dict) and MODE["refuse_metric"] is not None and \
                source.get("metric") == MODE["refuse_metric"]:
            item.update({"status": 400, "error": {"type": "mapper_parsing_exception",
                                                  "reason": "metric refused by the fake"}})
        elif not isinstance(source, dict):
            item.update({"status": 400, "error": {"type": "document_parsing_exception",
                                                  "reason": "failed to parse: not a JSON object"}})
        elif index is None or doc_id is None:
            item.update({"status": 400, "error": {"type": "action_request_validation_exception",
                                                  "reason": "this fake needs an _index and an _id"}})
        elif op == "create" and (index, doc_id) in STATE["docs"]:
            item.update({"status": 409, "error": {
                "type": "version_conflict_engine_exception",
                "reason": "[%s]: version conflict, document already exists (current version [1])" % doc_id,
                "index": index}})
        else:
            problem = mapping_error(index, source)
            if problem:
                item.update({"status": 400, "error": {"type": "mapper_parsing_exception", "reason": problem}})
            else:
                existed = (index, doc_id) in STATE["docs"]
                if not existed:
                    STATE["order"].append((index, doc_id))
                STATE["docs"][(index, doc_id)] = source
                DATA.append({"_index": index, "_id": doc_id, "_source": source})
                item.update({"status": 200 if existed else 201, "result": "updated" if existed else "created",
                             "_version": 1, "_seq_no": len(STATE["order"]) - 1, "_primary_term": 1})
        items.append({op: item})
    return 200, {"took": 1, "errors": any(next(iter(x.values()))["status"] >= 300 for x in items),
                 "items": items}


def sigv4_canonical_uri(path, service):
    """Every service but S3 normalises the path and URI-encodes it once more."""
    if service == "s3":
        return path
    segments = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    normalized = "/" + "/".join(segments) + ("/" if segments and path.endswith("/") else "")
    return quote(normalized, safe="/~")


def sigv4_canonical_query(query):
    params = []
    for part in query.split("&"):
        if part == "":
            continue
        name, _, value = part.partition("=")
        params.append((quote(unquote_to_bytes(name), safe="~"), quote(unquote_to_bytes(value), safe="~")))
    return "&".join("%s=%s" % p for p in sorted(params))


def sigv4_problem(method, target, headers, raw_body):
    """None if the request carries a valid SigV4 signature, else AWS's 403 message."""
    authorization = headers.get("Authorization", "")
    match = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                         r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", authorization)
    if not match:
        return "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
    key_id, date, region, service, signed, signature = match.groups()
    if key_id != ARGS.sigv4_key_id:
        return "The security token included in the request is invalid."
    if region != ARGS.sigv4_region or service != ARGS.sigv4_service:
        return "Credential should be scoped to a valid region and service: %s/%s, not %s/%s." % (
            ARGS.sigv4_region, ARGS.sigv4_service, region, service)
    amz_date = headers.get("X-Amz-Date", "")
    try:
        then = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return "X-Amz-Date is missing or malformed."
    if abs(time.time() - then) > 300 or amz_date[:8] != date:
        return "Signature expired: %s is now earlier or later than 5 minutes from %s." % (
            amz_date, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    names = signed.split(";")
    required = ["host", "x-amz-date"]
    if ARGS.sigv4_session_token:
        required.append("x-amz-security-token")
        if headers.get("X-Amz-Security-Token") != ARGS.sigv4_session_token:
            return "The security token included in the request is invalid."
    if ARGS.sigv4_service == "aoss":
        required.append("x-amz-content-sha256")
    for name in required:
        if name not in names:
            return "SignedHeaders must include %s." % name
    payload_hash = hashlib.sha256(raw_body).hexdigest()
    sent_hash = headers.get("x-amz-content-sha256")
    if sent_hash is not None and sent_hash != payload_hash:
        return "The provided 'x-amz-content-sha256' header does not match what was computed."
    url = urlsplit(target)
    canonical_headers = ""
    for name in names:
        values = headers.get_all(name) or []
        values = [re.sub(r"[ \t]+", " ", v.strip(" \t")) for v in values]
        canonical_headers += "%s:%s\n" % (name, ",".join(values))
    canonical = "\n".join([method, sigv4_canonical_uri(url.path or "/", service), sigv4_canonical_query(url.query),
                           canonical_headers, signed, payload_hash])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + ARGS.sigv4_secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return ("The request signature we calculated does not match the signature you provided. Check your AWS "
                "Secret Access Key and signing method. The Canonical String for this request should have been\n'"
                + canonical + "'")
    return None


class Handler(JsonHandler):
    reply_headers = (("X-Elastic-Product", "Elasticsearch"),)

    def do_GET(self):
        path = urlsplit(self.path).path
        with LOCK:
            if path == "/_fake/docs":
                docs = [{"_index": k[0], "_id": k[1], "_source": STATE["docs"][k]} for k in STATE["order"]]
                return self.reply(200, {"count": len(docs), "docs": docs})
            if path == "/_fake/requests":
                return self.reply(200, {"requests": STATE["requests"]})
        if path == "/":
            return self.reply(200, {"name": "fake", "cluster_name": "fake-elasticsearch",
                                    "version": {"number": "8.15.0", "build_flavor": "default"},
                                    "tagline": "You Know, for Search"})
        self.reply(404, error_body(404, "no_handler_found_exception", "no handler for " + path))

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.read_body()
        with LOCK:
            if url.path == "/_fake/inject":
                rule = json.loads(body or b"{}")
                STATE["rules"].extend([rule] * int(rule.get("times", 1)))
                return self.reply(200, {"acknowledged": True})
            if url.path == "/_fake/mode":
                MODE.update(json.loads(body or b"{}"))
                return self.reply(200, {"acknowledged": True})
            if url.path == "/_fake/reset":
                STATE.update({"docs": {}, "order": [], "requests": [], "rules": [], "mapping": {}})
                DATA.clear()
                return self.reply(200, {"acknowledged": True})
            parts = url.path.strip("/").split("/")
            if parts[-1] != "_bulk" or len(parts) > 2:
                return self.reply(404, error_body(404, "no_handler_found_exception", "no handler for " + url.path))
            record = {"method": "POST", "path": url.path, "query": url.query,
                      "headers": dict(self.headers.items()), "body": body.decode("utf-8", "replace")}
            if ARGS.sigv4_secret:
                record["raw_body_base64"] = base64.b64encode(self.raw_body).decode()
            STATE["requests"].append(record)
            if ARGS.authorization and self.headers.get("Authorization") != ARGS.authorization:
                return self.reply(401, error_body(401, "security_exception",
                                                  "unable to authenticate user for REST request [/_bulk]"),
                                  [("WWW-Authenticate", 'Basic realm="security"')])
            if ARGS.sigv4_secret:
                problem = sigv4_problem("POST", self.path, self.headers, self.raw_body)
                if problem:
                    return self.reply(403, {"message": problem})
            content_type = self.headers.get("Content-Type", "")
            if "json" not in content_type:
                return self.reply(406, {"error": "Content-Type header [%s] is not supported" % content_type,
                                        "status": 406})
            if MODE["down"]:
                return self.reply(503, error_body(503, "unavailable_shards_exception", "the fake is down"))
            rule = STATE["rules"].pop(0) if STATE["rules"] else {}
            if rule.get("request"):
                status = int(rule["request"])
                headers = [("Retry-After", str(rule["retry_after"]))] if "retry_after" in rule else []
                kind = {429: "es_rejected_execution_exception", 413: "content_too_long_exception"}.get(
                    status, "exception")
                return self.reply(status, error_body(status, kind, "injected by the fake"), headers)
            if ARGS.max_content_length and len(body) > ARGS.max_content_length:
                return self.reply(413, error_body(413, "content_too_long_exception",
                                                  "entity content is too long [%d] for the configured buffer "
                                                  "limit [%d]" % (len(body), ARGS.max_content_length)))
            status, response = bulk(parts[0] if len(parts) == 2 else None, body, rule)
            return self.reply(status, response)


def main():
    global ARGS
    parser = argparse.ArgumentParser(description="fake Elasticsearch Bulk API for tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data")
    parser.add_argument("--authorization")
    parser.add_argument("--max-content-length", type=int, default=0)
    parser.add_argument("--sigv4-secret")
    parser.add_argument("--sigv4-key-id", default="AKIDEXAMPLE")
    parser.add_argument("--sigv4-region", default="us-east-1")
    parser.add_argument("--sigv4-service", default="es", choices=["es", "aoss"])
    parser.add_argument("--sigv4-session-token")
    ARGS = parser.parse_args()
    DATA.path = ARGS.data
    load()
    serve("fake_elasticsearch", ARGS.port, Handler)


if __name__ == "__main__":
    main()
