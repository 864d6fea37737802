-- The views over what the listeners record: rpc_stat_listener (listener_status.stats),
-- rpc_sources and rpc_metric_definitions (kept by the spool trigger from SyncMetric and
-- DefineMetrics rows), the listener support functions, and rpc_tls_certificate().
\set SHOW_CONTEXT never

-- ---------------------------------------------------------------------------------------
-- Listener registration, as the listener child does it (role pgwatch_rpc_listener)
-- ---------------------------------------------------------------------------------------
SET ROLE pgwatch_rpc_listener;
CREATE TEMP TABLE registration AS SELECT * FROM pgwatch_rpc.listener_register('regress');
SELECT listener_id > 0 AS has_id, last_seq FROM registration;
SELECT pgwatch_rpc.listener_register('bad name');
SELECT pgwatch_rpc.listener_register(NULL);
RESET ROLE;

-- Another session cannot register the same name while this one holds it.
CREATE EXTENSION dblink;
SELECT dblink_connect('other', 'dbname=' || current_database());
SELECT * FROM dblink('other', 'SET ROLE pgwatch_rpc_listener; SELECT pg_backend_pid()') AS t(pid int) \gset other_
SET client_min_messages = warning; -- dblink relays the remote error as a NOTICE with a pid
SELECT * FROM dblink('other', $$SELECT * FROM pgwatch_rpc.listener_register('regress')$$, false) AS t(id int, seq bigint);
RESET client_min_messages;
SELECT dblink_error_message('other') ~ 'listener "regress" is already running \(pid \d+ holds its lock\)' AS refused;
-- The other way round: the other session registers its own name; we are told its pid.
SELECT * FROM dblink('other', $$SELECT listener_id > 0 FROM pgwatch_rpc.listener_register('regress_other')$$) AS t(ok bool);
SET regress.other_pid = :'other_pid';
SET ROLE pgwatch_rpc_listener;
DO $$
BEGIN
	PERFORM pgwatch_rpc.listener_register('regress_other');
EXCEPTION WHEN lock_not_available THEN
	RAISE NOTICE 'refused: %, pid is the other session: %',
		regexp_replace(SQLERRM, 'pid \d+', 'pid N'),
		SQLERRM LIKE '%pid ' || current_setting('regress.other_pid') || ' %';
END
$$;
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- SyncMetric and DefineMetrics rows, inserted through the partitioned parent by the
-- listener role, keep rpc_sources and rpc_metric_definitions up to date.
-- ---------------------------------------------------------------------------------------
SELECT listener_id AS lid FROM registration \gset
SET ROLE pgwatch_rpc_listener;
INSERT INTO pgwatch_rpc.spool (listener_id, seq, key_name, kind, dbname, metric, nrows, payload) VALUES
	(:lid, 1, 'default', 'sync', '', '', 0, '\x'),                                                          -- ping
	(:lid, 2, 'default', 'sync', 'prod-db1', 'db_stats', 0, '\x0a0870726f642d646231120864625f73746174731801'), -- AddOp
	(:lid, 3, 'default', 'sync', 'prod-db1', '', 0, '\x0a0870726f642d6462311801'),                      -- AddOp source
	(:lid, 4, 'default', 'sync', 'prod-db2', 'wal', 0, '\x0a0870726f642d646232120377616c1801'),         -- AddOp
	(:lid, 5, 'default', 'sync', 'prod-db2', 'locks', 0, '\x0a0870726f642d64623212056c6f636b731801'),   -- AddOp
	(:lid, 6, 'default', 'sync', 'prod-db1', 'db_stats', 0, '\x0a0870726f642d646231120864625f73746174731801'), -- again
	(:lid, 7, 'default', 'measurement', 'prod-db1', 'db_stats', 0, '\x0a0870726f642d646231120864625f7374617473'),
	(:lid, 8, 'default', 'define', '', '', 0, '\x0a3b0a076d65747269637312302a2e0a2c0a0864625f737461747312202a1e0a1c0a0473716c7312142a120a100a023131120a1a0873656c6563742031');
RESET ROLE;
SELECT dbname, metric, added_at IS NOT NULL AS has_time FROM rpc_sources ORDER BY 1, 2;
SELECT received_at IS NOT NULL AS has_time, definitions FROM rpc_metric_definitions;

SET ROLE pgwatch_rpc_listener;
INSERT INTO pgwatch_rpc.spool (listener_id, seq, key_name, kind, dbname, metric, nrows, payload) VALUES
	(:lid, 9, 'default', 'sync', 'prod-db1', 'db_stats', 0, '\x0a0870726f642d646231120864625f73746174731802'), -- DeleteOp pair
	(:lid, 10, 'default', 'sync', 'prod-db2', '', 0, '\x0a0870726f642d6462321802'),                    -- DeleteOp source
	(:lid, 11, 'default', 'define', '', '', 0, '\x0a360a076d657472696373122b2a290a270a0377616c12202a1e0a1c0a0473716c7312142a120a100a023131120a1a0873656c6563742032');
-- An older DefineMetrics from the same listener (a lower seq) does not replace a newer one.
INSERT INTO pgwatch_rpc.spool (listener_id, seq, key_name, kind, dbname, metric, nrows, payload) VALUES
	(:lid, 10, 'default', 'define', '', '', 0, '\x0a180a076d657472696373120d2a0b0a090a036f6c6412022a00');
RESET ROLE;
SELECT dbname, metric FROM rpc_sources ORDER BY 1, 2;
SELECT definitions FROM rpc_metric_definitions;

-- A SyncMetric payload that does not decode (the listener validates before writing, so this
-- is a bug) is stored but not recorded, with a warning: it never fails the listener's batch.
SET ROLE pgwatch_rpc_listener;
SET client_min_messages = error; -- the warning names the listener id, which varies
INSERT INTO pgwatch_rpc.spool (listener_id, seq, key_name, kind, dbname, metric, nrows, payload)
VALUES (:lid, 12, 'default', 'sync', 'x', 'y', 0, '\xff');
RESET client_min_messages;
RESET ROLE;
SELECT count(*) AS stored FROM pgwatch_rpc.spool WHERE listener_id = :lid AND seq = 12;
SELECT count(*) AS recorded FROM rpc_sources WHERE dbname = 'x';
DELETE FROM pgwatch_rpc.spool WHERE listener_id = :lid AND seq = 12;

-- A row written before its day's partition exists lands in the default partition; creating
-- that partition later moves the row into it instead of failing.
SET ROLE pgwatch_rpc_listener;
INSERT INTO pgwatch_rpc.spool (listener_id, seq, received_at, key_name, kind, dbname, metric, nrows, payload)
VALUES (:lid, 12, now() + interval '6 days', 'default', 'measurement', 'prod-db1', 'db_stats', 0,
        '\x0a0870726f642d646231120864625f7374617473');
RESET ROLE;
SELECT tableoid::regclass AS partition FROM pgwatch_rpc.spool WHERE listener_id = :lid AND seq = 12;
SELECT pgwatch_rpc.spool_ensure_partitions(6) >= 1 AS created;
SELECT tableoid::regclass::text = 'pgwatch_rpc.spool_' || to_char((now() AT TIME ZONE 'UTC')::date + 6, 'YYYYMMDD')
	AS moved_to_its_day, count(*) OVER () AS copies
FROM pgwatch_rpc.spool WHERE listener_id = :lid AND seq = 12;
SELECT count(*) AS rows_left_in_default FROM pgwatch_rpc.spool_default WHERE listener_id = :lid;
-- The moved partition has the spool's index and bookkeeping trigger like the others.
SELECT count(*) AS indexes FROM pg_index
WHERE indrelid = ('pgwatch_rpc.spool_' || to_char((now() AT TIME ZONE 'UTC')::date + 6, 'YYYYMMDD'))::regclass;
SELECT count(*) AS triggers FROM pg_trigger
WHERE tgrelid = ('pgwatch_rpc.spool_' || to_char((now() AT TIME ZONE 'UTC')::date + 6, 'YYYYMMDD'))::regclass;
SELECT pgwatch_rpc.spool_ensure_partitions(-1);

-- The listener learns where it stopped, and the size of the spool.
SET ROLE pgwatch_rpc_listener;
SELECT last_seq FROM pgwatch_rpc.listener_register('regress');
SELECT pgwatch_rpc.spool_size() > 0 AS spool_has_size;
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- rpc_stat_listener
-- ---------------------------------------------------------------------------------------
SET ROLE pgwatch_rpc_listener;
INSERT INTO pgwatch_rpc.listener_status (listener_id, pid, started_at, updated_at, stats)
VALUES (:lid, 4242, '2024-01-01 00:00:00+00', '2024-01-01 00:01:00+00', $${
	"connections": 2, "connections_total": 7,
	"calls": {"UpdateMeasurements": {"OK": 100, "INVALID_ARGUMENT": 2, "UNAUTHENTICATED": 3},
	          "SyncMetric": {"OK": 5}, "DefineMetrics": {"OK": 1, "RESOURCE_EXHAUSTED": 1}},
	"rows": 1234, "bytes": 567890, "auth_failures": 3, "batches": 40,
	"commit_latency_ms": {"p50": 1.5, "p90": 2.25, "p99": 7, "max": 12.5},
	"loop_max_ms": 3,
	"last_error": "could not connect to the database", "last_error_at": "2024-01-01 00:00:30+00"}$$);
RESET ROLE;
SET timezone = 'UTC';
\x on
SELECT * FROM rpc_stat_listener WHERE listener = 'regress';
\x off
-- A listener that has not counted anything yet shows zeros and NULLs, not an error.
UPDATE pgwatch_rpc.listener_status SET stats = '{}' WHERE listener_id = :lid;
SELECT listener, connections, calls, calls_ok, calls_failed, commit_p50_ms, last_error
FROM rpc_stat_listener WHERE listener = 'regress';

-- ---------------------------------------------------------------------------------------
-- rpc_tls_certificate: the launcher creates the self-signed certificate at start.
-- ---------------------------------------------------------------------------------------
DO $$
BEGIN
	FOR i IN 1 .. 600 LOOP
		EXIT WHEN (pg_stat_file(current_setting('data_directory') || '/pgwatch_rpc/server.crt', true)).size > 0;
		PERFORM pg_sleep(0.1);
	END LOOP;
END
$$;
SELECT rpc_tls_certificate() ~ '^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----$' AS is_pem,
       rpc_tls_certificate() || E'\n' = pg_read_file(current_setting('data_directory') || '/pgwatch_rpc/server.crt')
           AS equals_file;

-- With pgwatch_rpc.ssl_cert_file set: that file's certificates, never a key it also holds.
SELECT rpc_tls_certificate() AS single_certificate \gset
SELECT lo_from_bytea(0, convert_to(
	:'single_certificate' || E'\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n'
	|| :'single_certificate' || E'\n', 'UTF8')) AS chain_lo \gset
SELECT lo_export(:chain_lo, current_setting('data_directory') || '/regress_chain.pem') AS exported;
SELECT lo_unlink(:chain_lo) AS unlinked;
SELECT dblink_disconnect('other');

-- A configuration reload reaches this backend only between statements: wait until a new
-- backend sees the setting, then reconnect.
CREATE FUNCTION regress_wait_for_cert_setting(expected text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1 .. 600 LOOP
		IF (SELECT v FROM dblink('dbname=' || current_database(), 'SHOW pgwatch_rpc.ssl_cert_file') AS t(v text))
		   = expected THEN
			RETURN true;
		END IF;
		PERFORM pg_sleep(0.1);
	END LOOP;
	RETURN false;
END
$$;
ALTER SYSTEM SET pgwatch_rpc.ssl_cert_file = 'regress_chain.pem';
SELECT pg_reload_conf();
SELECT regress_wait_for_cert_setting('regress_chain.pem') AS reloaded;
\c
\set SHOW_CONTEXT never
SELECT rpc_tls_certificate() = :'single_certificate' || E'\n' || :'single_certificate' AS chain_without_key;

ALTER SYSTEM SET pgwatch_rpc.ssl_cert_file = '/nonexistent/regress_missing.pem';
SELECT pg_reload_conf();
SELECT regress_wait_for_cert_setting('/nonexistent/regress_missing.pem') AS reloaded;
\c
\set SHOW_CONTEXT never
\set VERBOSITY terse
SELECT rpc_tls_certificate();
\set VERBOSITY default

ALTER SYSTEM RESET pgwatch_rpc.ssl_cert_file;
SELECT pg_reload_conf();

-- Clean up.
DROP FUNCTION regress_wait_for_cert_setting(text);
DROP EXTENSION dblink;
