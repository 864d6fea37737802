// The official @elastic/elasticsearch client's bulk request for pgwatch rows: the reference of
// SINKS.md §2.8 check 6 (test/unit/elastic_sink_test.cpp compares it with the elastic sink's).
// The operations are built here from the envelopes alone, following SINKS.md §0.1 and §2.5
// (and the row id of src/core/json/row_id.hpp), so that both the mapping and the NDJSON
// framing are checked. Usage: node es_bulk.js URL FILE, FILE holding
// [{"listener_id": 1, "seq": 100, "envelope": <MeasurementEnvelope as protobuf JSON>}, …].
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const { Client } = require('@elastic/elasticsearch');

const [url, input] = process.argv.slice(2);
const records = JSON.parse(fs.readFileSync(input, 'utf8'));

// RFC 3339 UTC with nanoseconds, from a BigInt of nanoseconds.
function timestamp(ns) {
  const seconds = new Date(Number(ns / 1000000000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${(ns % 1000000000n).toString().padStart(9, '0')}Z`;
}

// A tag value as pgwatch's Go %v prints it (integral numbers without a decimal point).
function tagText(value) {
  return typeof value === 'string' ? value : String(value);
}

function indexPart(name) {
  return name.toLowerCase().replace(/[^a-z0-9._-]/g, '_');
}

const operations = [];
for (const { listener_id: listener, seq, envelope } of records) {
  const rows = envelope.Data || [];
  rows.forEach((row, index) => {
    const ns = BigInt(typeof row.epoch_ns === 'number' ? row.epoch_ns : rows[0].epoch_ns);
    const tags = { ...(envelope.CustomTags || {}) };
    const data = {};
    for (const [key, value] of Object.entries(row)) {
      if (key === 'epoch_ns') continue;
      if (key.startsWith('tag_')) tags[key.slice(4)] = tagText(value);
      else data[key] = value;
    }
    const id = crypto.createHash('sha256')
      .update([listener, seq, index, envelope.DBName, envelope.MetricName, ns].join('\0'))
      .digest('hex');
    const day = new Date(Number(ns / 1000000n)).toISOString().slice(0, 10).replace(/-/g, '.');
    operations.push({ create: { _index: `pgwatch-${indexPart(envelope.MetricName)}-${day}`, _id: id } });
    operations.push({ '@timestamp': timestamp(ns), dbname: envelope.DBName, metric: envelope.MetricName, tags, data });
  });
}

new Client({ node: url }).bulk({ operations }).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  });
