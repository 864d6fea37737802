#!/usr/bin/env node
// An @grpc/grpc-js client of pgwatch's Receiver service for the TAP tests (GRPC.md §16).
// Same command line idea as the grpc++ interop_client; prints one JSON line per call
// ({"method", "code", "message", "logmsg"} plus scenario details) and exits 0 whatever the
// server answered. Exits 2 on a usage error.
//
//   node client.js --target HOST:PORT (--ca FILE [--server-name NAME] | --plaintext)
//       (--user U --password P | --no-metadata) --scenario NAME [--count N] [--rows N]
//       [--dbname X] [--metric Y] [--seed S] [--bytes N] [--depth N] [--deadline-ms MS]
//       [--dump FILE]
//   scenarios: measurements, sync, define, names, oversized, gzip, deadline, deep
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO = path.join(__dirname, '..', '..', '..', 'proto', 'pgwatch.proto');
const SCENARIOS = ['measurements', 'sync', 'define', 'names', 'oversized', 'gzip', 'deadline', 'deep'];

function usage(problem) {
	process.stderr.write(`client.js: ${problem}\n` +
		'usage: node client.js --target HOST:PORT (--ca FILE | --plaintext) ' +
		'(--user U --password P | --no-metadata) --scenario NAME [--count N] [--rows N] ' +
		'[--dbname X] [--metric Y] [--seed S] [--bytes N] [--depth N] [--deadline-ms MS] [--dump FILE]\n' +
		`scenarios: ${SCENARIOS.join(', ')}\n`);
	process.exit(2);
}

function parseArgs(argv) {
	const o = {
		count: 1, rows: 3, dbname: 'interop_db', metric: 'interop_metric', seed: 1,
		epochNs: 1.7e18, bytes: 0, depth: 0, deadlineMs: 0, metadata: true,
	};
	const numeric = { '--count': 'count', '--rows': 'rows', '--seed': 'seed', '--bytes': 'bytes',
		'--depth': 'depth', '--deadline-ms': 'deadlineMs', '--epoch-ns': 'epochNs' };
	const text = { '--target': 'target', '--ca': 'ca', '--server-name': 'serverName', '--user': 'user',
		'--password': 'password', '--scenario': 'scenario', '--dbname': 'dbname', '--metric': 'metric',
		'--dump': 'dump' };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		if (flag === '--plaintext') { o.plaintext = true; continue; }
		if (flag === '--no-metadata') { o.metadata = false; continue; }
		if (i + 1 >= argv.length) usage(`${flag} needs a value`);
		const value = argv[++i];
		if (numeric[flag]) {
			if (!/^[0-9]+$/.test(value)) usage(`${flag} needs a non-negative integer, not '${value}'`);
			o[numeric[flag]] = Number(value);
		} else if (text[flag]) {
			o[text[flag]] = value;
		} else {
			usage(`unknown flag ${flag}`);
		}
	}
	if (!o.target) usage('--target is required');
	if (!o.plaintext === !o.ca) usage('give exactly one of --ca FILE and --plaintext');
	if (o.metadata && (o.user === undefined || o.password === undefined))
		usage('give --user and --password (either may be empty), or --no-metadata');
	if (!SCENARIOS.includes(o.scenario)) usage(`unknown scenario '${o.scenario}'`);
	if (o.scenario === 'oversized' && !o.bytes) usage('scenario oversized needs --bytes');
	if (o.scenario === 'deep' && !o.depth) usage('scenario deep needs --depth');
	if (o.scenario === 'deadline' && !o.deadlineMs) o.deadlineMs = 1;
	return o;
}

// toValue converts a JS value to google.protobuf.Value the way Go's structpb.NewValue
// converts pgwatch's map values: numbers become doubles, nested maps Structs. The field
// names are camelCase even with keepCase: protobufjs ships struct.proto pre-parsed with
// JSON names, and silently drops snake_case keys (the Value would arrive empty).
function toValue(v) {
	if (v === null) return { nullValue: 'NULL_VALUE' };
	if (typeof v === 'number') return { numberValue: v };
	if (typeof v === 'string') return { stringValue: v };
	if (typeof v === 'boolean') return { boolValue: v };
	if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
	return { structValue: toStruct(v) };
}

function toStruct(obj) {
	const fields = {};
	for (const [k, v] of Object.entries(obj)) fields[k] = toValue(v);
	return { fields };
}

// A small deterministic generator (mulberry32), so --seed reproduces the rows.
function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6D2B79F5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0);
	};
}

function envelope(o, dbname, metric, rows) {
	return { DBName: dbname, MetricName: metric, CustomTags: { env: 'interop', client: 'grpc-js' },
		Data: rows.map(toStruct) };
}

function measurementRows(o, index, count) {
	const next = rng(o.seed * 1000003 + index);
	const rows = [];
	for (let r = 0; r < count; r++) {
		rows.push({
			epoch_ns: o.epochNs + index * 1e9 + r * 1e3,
			tag_datname: o.dbname,
			tag_application_name: `app_${next() % 8}`,
			numbackends: next() % 500,
			blks_hit_ratio: (next() % 10000) / 100,
			state: next() & 1 ? 'active' : 'idle in transaction',
			query: 'SELECT \'ünïcødé ✓\', $1 FROM "Quoted"\tWHERE x <> 1;\n',
			in_recovery: (next() & 1) === 1,
			backup_label: null,
		});
	}
	return rows;
}

// sizedEnvelope builds a table_stats-like envelope of `bytes` serialized bytes: full rows
// while they fit, then one padding row whose string is corrected against the real size.
function sizedEnvelope(o, serialize) {
	const next = rng(o.seed);
	const rows = [];
	const row = (t) => {
		const r = { epoch_ns: o.epochNs, tag_schema: 'public', tag_table_name: `table_${t}` };
		for (const c of ['seq_scan', 'seq_tup_read', 'idx_scan', 'n_tup_ins', 'n_tup_upd', 'n_tup_del',
			'n_live_tup', 'n_dead_tup', 'vacuum_count', 'analyze_count', 'table_size_b', 'toast_size_b'])
			r[c] = next() % 100000000;
		return r;
	};
	const base = serialize(envelope(o, o.dbname, o.metric, [])).length;
	let size = base;
	for (let t = 0; ; t++) {
		const r = row(t);
		const framed = serialize(envelope(o, o.dbname, o.metric, [r])).length - base;
		if (size + framed + 200 > o.bytes) break;
		rows.push(r);
		size += framed;
	}
	const pad = { epoch_ns: o.epochNs, pad: '' };
	rows.push(pad);
	for (let attempt = 0; attempt < 8; attempt++) {
		const now = serialize(envelope(o, o.dbname, o.metric, rows)).length;
		if (now === o.bytes || (now > o.bytes && pad.pad === '')) break;
		pad.pad = now > o.bytes ? pad.pad.slice(0, Math.max(0, pad.pad.length - (now - o.bytes)))
			: pad.pad + 'p'.repeat(o.bytes - now);
	}
	return envelope(o, o.dbname, o.metric, rows);
}

function deepEnvelope(o) {
	const row = { epoch_ns: o.epochNs };
	let level = row;
	for (let d = 1; d < o.depth; d++) {
		level.nested = {};
		level = level.nested;
	}
	level.leaf = o.depth;
	return envelope(o, o.dbname, o.metric, [row]);
}

function metricDefinitions() {
	return toStruct({
		metrics: { db_stats: { sqls: { 11: 'select 1 as numbackends' }, gauges: ['numbackends'],
			is_instance_level: 0 } },
		presets: { basic: { description: 'interop preset', metrics: { db_stats: 60 } } },
	});
}

function hostileNames(o) {
	return [
		['empty_dbname', '', o.metric],
		['empty_metric', o.dbname, ''],
		['double_quote_dbname', 'db"quoted', o.metric],
		['single_quote_metric', o.dbname, "metric'quoted"],
		['nul_dbname', 'db\0nul', o.metric],
		['10kb_dbname', 'd'.repeat(10240), o.metric],
		['10kb_metric', o.dbname, 'm'.repeat(10240)],
		['sql_dbname', "x'); DROP TABLE pgwatch_rpc.spool; --", o.metric],
		['sql_metric', o.dbname, 'm"; DROP SCHEMA pgwatch_rpc CASCADE; --'],
		['newline_metric', o.dbname, 'metric\nname'],
	];
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String,
		defaults: true, oneofs: true });
	const Receiver = grpc.loadPackageDefinition(definition).Receiver;
	const methods = definition.Receiver;

	let credentials;
	if (o.plaintext) {
		credentials = grpc.credentials.createInsecure();
	} else {
		credentials = grpc.credentials.createSsl(fs.readFileSync(o.ca));
	}
	const channelOptions = {};
	if (o.serverName) channelOptions['grpc.ssl_target_name_override'] = o.serverName;
	// grpc-js's compression algorithm numbers: 0 identity, 1 deflate, 2 gzip.
	if (o.scenario === 'gzip') channelOptions['grpc.default_compression_algorithm'] = 2;
	const client = new Receiver(o.target, credentials, channelOptions);
	const dump = o.dump ? fs.openSync(o.dump, 'w') : null;

	const call = (method, request, extra) => new Promise((resolve) => {
		if (dump !== null)
			fs.writeSync(dump, methods[method].requestSerialize(request).toString('hex') + '\n');
		const metadata = new grpc.Metadata();
		if (o.metadata) {
			metadata.set('username', o.user);
			metadata.set('password', o.password);
		}
		const options = o.deadlineMs ? { deadline: new Date(Date.now() + o.deadlineMs) } : {};
		client[method](request, metadata, options, (err, reply) => {
			const line = { method, code: err ? err.code : 0, message: err ? err.details : '',
				logmsg: reply ? reply.logmsg : '', ...extra };
			process.stdout.write(JSON.stringify(line) + '\n');
			resolve();
		});
	});

	const serialize = (msg) => methods.UpdateMeasurements.requestSerialize(msg);
	switch (o.scenario) {
	case 'measurements':
	case 'gzip':
	case 'deadline':
		for (let i = 0; i < o.count; i++) {
			const env = envelope(o, o.dbname, o.metric, measurementRows(o, i, o.rows));
			await call('UpdateMeasurements', env, { rows: o.rows });
		}
		break;
	case 'sync':
		for (const [op, db, metric] of [['InvalidOp', '', ''], ['AddOp', o.dbname, ''],
			['AddOp', o.dbname, o.metric], ['DeleteOp', o.dbname, o.metric]])
			await call('SyncMetric', { DBName: db, MetricName: metric, Operation: op }, { op, dbname: db, metric });
		break;
	case 'define':
		await call('DefineMetrics', metricDefinitions(), {});
		break;
	case 'oversized': {
		const env = sizedEnvelope(o, serialize);
		await call('UpdateMeasurements', env, { bytes: serialize(env).length });
		break;
	}
	case 'deep':
		await call('UpdateMeasurements', deepEnvelope(o), { depth: o.depth });
		break;
	case 'names':
		for (const [name, db, metric] of hostileNames(o))
			await call('UpdateMeasurements', envelope(o, db, metric, measurementRows(o, 0, 1)), { case: name });
		break;
	}
	if (dump !== null) fs.closeSync(dump);
	client.close();
}

main().catch((err) => {
	process.stderr.write(`client.js: ${err.stack || err}\n`);
	process.exit(1);
});
