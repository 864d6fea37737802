// AWS's own SigV4 signer (@smithy/signature-v4 with @aws-crypto/sha256-js, what the AWS SDK for
// JavaScript v3 signs with): the oracle of test/unit/sigv4_test.cpp and of the elastic sink's
// aws_sigv4 test, which compare its Authorization header with ours (SINKS.md §4.1).
// Usage: node sigv4_sign.js FILE, FILE holding a JSON list of requests:
//   {"method": "POST", "url": "https://host/path?query" (as sent: percent-encoded),
//    "headers": [["Name", "value"], …] (repeated names are joined with ","; Host is taken from
//    the URL when absent), "body_base64": "…" (absent: no body),
//    "access_key_id", "secret_access_key", "session_token" (optional), "region", "service",
//    "time": Unix seconds, "uri_escape_path": false for S3 (default true),
//    "content_sha256_header": true to add and sign x-amz-content-sha256 (default false)}
// Prints a JSON list, one {"authorization": …, "headers": {lower-case name: value}} per request.
'use strict';

const fs = require('fs');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

// splitUrl cuts an absolute URL by hand: the WHATWG URL class would re-encode the path.
function splitUrl(url) {
  const match = /^(https?):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(url);
  if (!match) throw new Error(`not an absolute http(s) URL: ${url}`);
  const [, scheme, authority, path, query] = match;
  const host = authority.replace(/^.*@/, '').replace(scheme === 'https' ? /:443$/ : /:80$/, '');
  return { scheme, host, path: path || '/', query: query || '' };
}

// parseQuery: the decoded parameters, repeated names as arrays ("+" stays "+").
function parseQuery(query) {
  const params = {};
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decodeURIComponent(equals < 0 ? part : part.slice(0, equals));
    const value = equals < 0 ? '' : decodeURIComponent(part.slice(equals + 1));
    if (!(name in params)) params[name] = value;
    else params[name] = [].concat(params[name], value);
  }
  return params;
}

async function sign(input) {
  const url = splitUrl(input.url);
  const headers = {};
  for (const [name, value] of input.headers || []) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) || name;
    headers[key] = key in headers ? `${headers[key]},${value}` : value;
  }
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) headers.host = url.host;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: input.access_key_id,
      secretAccessKey: input.secret_access_key,
      sessionToken: input.session_token || undefined,
    },
    region: input.region,
    service: input.service,
    sha256: Sha256,
    uriEscapePath: input.uri_escape_path !== false,
    applyChecksum: input.content_sha256_header === true,
  });
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: `${url.scheme}:`,
      hostname: url.host,
      path: url.path,
      query: parseQuery(url.query),
      headers,
      body: input.body_base64 === undefined ? undefined : Buffer.from(input.body_base64, 'base64'),
    },
    { signingDate: new Date(input.time * 1000) });
  const out = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name.toLowerCase()] = value;
  return { authorization: out.authorization, headers: out };
}

async function main() {
  const requests = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const results = [];
  for (const request of requests) results.push(await sign(request));
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
