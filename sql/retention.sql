-- Spool retention (issue #3): past daily partitions go once every enabled sink has delivered
-- them and pgwatch_rpc.spool_retention has passed; a disabled sink holds nothing; above
-- pgwatch_rpc.spool_max_size the oldest go whoever has not delivered them, and each sink's
-- loss is counted (rpc_stat_sinks) and logged; today's, future and default partitions stay.
-- Everything runs in one transaction that is rolled back: the launcher applies retention
-- every minute and must not see these partitions.
\set SHOW_CONTEXT never
-- The warnings' details name the dated partition; the messages say what a user must know.
\set VERBOSITY terse

SHOW pgwatch_rpc.spool_retention;

BEGIN;
-- Partitions are shown as days before today (UTC); negative: the days ahead.
CREATE TEMP VIEW spool_days AS
SELECT CASE WHEN c.relname = 'spool_default' THEN 'default'
            ELSE ((now() AT TIME ZONE 'UTC')::date - to_date(substr(c.relname, 7), 'YYYYMMDD'))::text END AS day
FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = 'pgwatch_rpc.spool'::regclass
ORDER BY c.relname = 'spool_default' DESC, c.relname;
CREATE TEMP VIEW losses AS
SELECT name, enabled, lost_envelopes, lost_rows, last_loss_at IS NOT NULL AS has_last_loss_at
FROM rpc_stat_sinks WHERE name LIKE 'ret_%' ORDER BY name;

-- Today's and the next three days' partitions, as the launcher keeps them, and four past days.
SELECT pgwatch_rpc.spool_ensure_partitions(3) >= 0 AS ensured;
DO $$
BEGIN
	FOR days_ago IN 2 .. 5 LOOP
		EXECUTE format('CREATE TABLE pgwatch_rpc.%I PARTITION OF pgwatch_rpc.spool FOR VALUES FROM (%L) TO (%L)',
		               'spool_' || to_char((now() AT TIME ZONE 'UTC')::date - days_ago, 'YYYYMMDD'),
		               ((now() AT TIME ZONE 'UTC')::date - days_ago)::timestamp AT TIME ZONE 'UTC',
		               ((now() AT TIME ZONE 'UTC')::date - days_ago + 1)::timestamp AT TIME ZONE 'UTC');
	END LOOP;
END
$$;
SELECT day FROM spool_days;

-- Sinks added before the listener wrote anything start at its first row.
INSERT INTO pgwatch_rpc.listeners (name) VALUES ('regress_retention');
SELECT rpc_sink_add('postgres', 'ret_fast'), rpc_sink_add('postgres', 'ret_slow'),
       rpc_sink_add('postgres', 'ret_off', enabled => false);

-- One listener's rows, seq growing with time: 20 days ago (no partition: the default one
-- holds them), then three envelopes a day 5, 4, 3 and 2 days ago, two today. Each
-- measurement has 2 rows; 4 days ago the third envelope is a DefineMetrics (1 row, not a
-- measurement row).
INSERT INTO pgwatch_rpc.spool (listener_id, seq, received_at, key_name, kind, dbname, metric, nrows, payload)
SELECT l.id, v.seq, now() - v.hours * interval '1 hour', 'default', v.kind, 'db1', 'wal', v.nrows, '\x0102'
FROM pgwatch_rpc.listeners AS l,
     (VALUES (1, 480, 'measurement', 2), (2, 480, 'measurement', 2),
             (3, 120, 'measurement', 2), (4, 120, 'measurement', 2), (5, 120, 'measurement', 2),
             (6, 96, 'measurement', 2), (7, 96, 'measurement', 2), (8, 96, 'define', 1),
             (9, 72, 'measurement', 2), (10, 72, 'measurement', 2), (11, 72, 'measurement', 2),
             (12, 48, 'measurement', 2), (13, 48, 'measurement', 2), (14, 48, 'measurement', 2),
             (15, 0, 'measurement', 2), (16, 0, 'measurement', 2)) AS v(seq, hours, kind, nrows)
WHERE l.name = 'regress_retention';
-- Rows of 5, 4, 3 and 2 days ago and today are in their day's partition, the oldest in the
-- default partition.
SELECT count(*) FILTER (WHERE s.tableoid = 'pgwatch_rpc.spool_default'::regclass) AS in_default,
       count(*) FILTER (WHERE s.tableoid::regclass::text = 'pgwatch_rpc.spool_' || to_char(received_at AT TIME ZONE 'UTC', 'YYYYMMDD')) AS in_their_day
FROM pgwatch_rpc.spool AS s JOIN pgwatch_rpc.listeners AS l ON l.id = s.listener_id AND l.name = 'regress_retention';

-- Where each sink is: ret_fast has delivered everything, ret_slow up to 4 days ago (seq 8),
-- the disabled ret_off up to 5 days ago (seq 5).
UPDATE pgwatch_rpc.sink_cursors AS c
SET seq = CASE c.sink WHEN 'ret_fast' THEN 16 WHEN 'ret_slow' THEN 8 ELSE 5 END
FROM pgwatch_rpc.listeners AS l WHERE l.id = c.listener_id AND l.name = 'regress_retention';
SELECT c.sink, c.seq FROM pgwatch_rpc.sink_cursors AS c
JOIN pgwatch_rpc.listeners AS l ON l.id = c.listener_id AND l.name = 'regress_retention' ORDER BY c.sink;

-- ---------------------------------------------------------------------------------------
-- Retention of 3 days (72 hours), no size cap
-- ---------------------------------------------------------------------------------------
-- 5 days ago: delivered by every sink, dropped with no loss. 4 days ago: delivered by both
-- enabled sinks, dropped; the disabled ret_off loses what it had not delivered (3 envelopes,
-- 4 measurement rows). The default partition's rows of 20 days ago are deleted, and the
-- default partition stays. 3 and 2 days ago: too young.
SELECT CASE WHEN r.partition = 'pgwatch_rpc.spool_default' THEN 'default'
            ELSE ((now() AT TIME ZONE 'UTC')::date - to_date(right(r.partition, 8), 'YYYYMMDD'))::text END AS dropped,
       r.reason, r.bytes > 0 AS has_size
FROM pgwatch_rpc.spool_apply_retention('72 hours', 0) AS r;
SELECT day FROM spool_days;
SELECT count(*) AS default_rows_left FROM pgwatch_rpc.spool_default AS d
JOIN pgwatch_rpc.listeners AS l ON l.id = d.listener_id AND l.name = 'regress_retention';
SELECT * FROM losses;

-- ---------------------------------------------------------------------------------------
-- No retention: 3 and 2 days ago are old enough, but ret_slow has not delivered them
-- ---------------------------------------------------------------------------------------
SELECT * FROM pgwatch_rpc.spool_apply_retention('0', 0);
SELECT day FROM spool_days;

-- A disabled sink holds nothing: with ret_slow disabled, both go, and it loses them.
UPDATE pgwatch_rpc.sinks SET enabled = false WHERE name = 'ret_slow';
SAVEPOINT slow_disabled;
SELECT ((now() AT TIME ZONE 'UTC')::date - to_date(right(r.partition, 8), 'YYYYMMDD')) AS dropped, r.reason
FROM pgwatch_rpc.spool_apply_retention('0', 0) AS r;
SELECT day FROM spool_days;
SELECT * FROM losses;
ROLLBACK TO SAVEPOINT slow_disabled;
UPDATE pgwatch_rpc.sinks SET enabled = true WHERE name = 'ret_slow';

-- ---------------------------------------------------------------------------------------
-- Over spool_max_size: the oldest past partition goes although ret_slow (enabled) and
-- ret_off (disabled) have not delivered it; each loses its part, counted and logged.
-- ---------------------------------------------------------------------------------------
SELECT pgwatch_rpc.spool_size() - 1 AS max_size \gset
SELECT ((now() AT TIME ZONE 'UTC')::date - to_date(right(r.partition, 8), 'YYYYMMDD')) AS dropped, r.reason
FROM pgwatch_rpc.spool_apply_retention('100 days', :max_size) AS r;
SELECT day FROM spool_days;
SELECT * FROM losses;

-- However small the cap, today's, future and default partitions stay.
SELECT ((now() AT TIME ZONE 'UTC')::date - to_date(right(r.partition, 8), 'YYYYMMDD')) AS dropped, r.reason
FROM pgwatch_rpc.spool_apply_retention('100 days', 1) AS r;
SELECT day FROM spool_days;
SELECT * FROM losses;
SELECT count(*) AS rows_left FROM pgwatch_rpc.spool AS s
JOIN pgwatch_rpc.listeners AS l ON l.id = s.listener_id AND l.name = 'regress_retention';
-- Nothing more to do.
SELECT * FROM pgwatch_rpc.spool_apply_retention('0', 1);

-- ---------------------------------------------------------------------------------------
-- Bad arguments, and who may call it
-- ---------------------------------------------------------------------------------------
SAVEPOINT arguments;
SELECT * FROM pgwatch_rpc.spool_apply_retention('-1 hour', 0);
ROLLBACK TO SAVEPOINT arguments;
SELECT * FROM pgwatch_rpc.spool_apply_retention('1 day', NULL);
ROLLBACK TO SAVEPOINT arguments;
CREATE ROLE regress_retention_admin IN ROLE pgwatch_rpc_admin;
SET ROLE regress_retention_admin;
SELECT * FROM pgwatch_rpc.spool_apply_retention('1 day', 0);
ROLLBACK TO SAVEPOINT arguments;
SELECT has_function_privilege('pgwatch_rpc_monitor', 'pgwatch_rpc.spool_apply_retention(interval, bigint)', 'EXECUTE') AS monitor_may_call;
ROLLBACK;

SELECT count(*) AS sinks_left FROM pgwatch_rpc.sinks WHERE name LIKE 'ret_%';
