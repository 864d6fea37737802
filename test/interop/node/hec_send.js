// The official splunk-logging library's HEC requests for pgwatch rows: the format reference of
// SINKS.md §3.7 (test/unit/splunk_reference_test.cpp compares them with the splunk sink's).
// The events are built here from the envelopes alone, following SINKS.md §0.1 and §3.1 with
// the sink's defaults (host = dbname, source "pgwatch", sourcetype "pgwatch:<metric>") and the
// row id of src/core/json/row_id.hpp; the library sends them one request per event, its
// default. It cannot send indexed "fields" (its metadata is time, host, source, sourcetype and
// index only). Usage: node hec_send.js URL TOKEN INDEX FILE, FILE holding
// [{"listener_id": 1, "seq": 100, "envelope": <MeasurementEnvelope as protobuf JSON>}, …].
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const SplunkLogger = require('splunk-logging').Logger;

const [url, token, index, input] = process.argv.slice(2);
const records = JSON.parse(fs.readFileSync(input, 'utf8'));
const reserved = new Set(['metric', 'dbname', 'id']);

const payloads = [];
for (const { listener_id: listener, seq, envelope } of records) {
  const rows = envelope.Data || [];
  rows.forEach((row, index_in_envelope) => {
    const ns = BigInt(typeof row.epoch_ns === 'number' ? row.epoch_ns : rows[0].epoch_ns);
    const event = { metric: envelope.MetricName, dbname: envelope.DBName };
    for (const [key, value] of Object.entries(row)) {
      if (key === 'epoch_ns' || key.startsWith('tag_')) continue;
      event[reserved.has(key) ? `field_${key}` : key] = value;
    }
    event.id = crypto.createHash('sha256')
      .update([listener, seq, index_in_envelope, envelope.DBName, envelope.MetricName, ns].join('\0'))
      .digest('hex');
    // time in milliseconds: the library writes it as seconds with three decimals.
    const metadata = { time: Number(ns / 1000000n), host: envelope.DBName, source: 'pgwatch',
      sourcetype: `pgwatch:${envelope.MetricName}`, index };
    payloads.push({ message: event, metadata });
  });
}

const logger = new SplunkLogger({ token, url });
logger.eventFormatter = (message) => message; // the event itself, not {message, severity}
logger.error = (err) => {
  console.error(`splunk-logging: ${err.message || err}`);
  process.exit(1);
};

// One event at a time, in order (the library reports failures through logger.error).
function sendFrom(i) {
  if (i < payloads.length) logger.send(payloads[i], () => sendFrom(i + 1));
}
sendFrom(0);
