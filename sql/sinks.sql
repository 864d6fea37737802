-- The sink API (DESIGN.md §5): rpc_sink_add/alter/drop/enable/disable validate with the sink
-- kind's own validator and say what is wrong; rpc_sinks never shows a secret; every change
-- bumps the generation (the launcher restarts the delivery child); rpc_stat_sinks reports
-- state and backlog; only pgwatch_rpc_admin manages sinks, pgwatch_rpc_monitor reads views.
\set SHOW_CONTEXT never

-- ---------------------------------------------------------------------------------------
-- Adding
-- ---------------------------------------------------------------------------------------
SELECT rpc_sink_add('postgres');
SELECT rpc_sink_add('postgres', 'archive',
                    '{"conninfo": "postgresql://archiver:conninfo-secret@db.example:5432/metrics",
                      "retention": "30 days", "include_metrics": ["db_stats", "table_*"]}',
                    '{"password": "s3cr3t-never-shown"}');
SELECT rpc_sink_add('postgres', name => 'spare', enabled => false);
SELECT name, kind, enabled, config, secrets, created_at = updated_at AS unchanged FROM rpc_sinks ORDER BY name;
SELECT name, generation FROM pgwatch_rpc.sinks ORDER BY name;

-- Duplicate names
SELECT rpc_sink_add('postgres');
SELECT rpc_sink_add('postgres', 'archive');

-- ---------------------------------------------------------------------------------------
-- Bad configurations are refused, naming the key and the reason
-- ---------------------------------------------------------------------------------------
SELECT rpc_sink_add('elasticsearch');
SELECT rpc_sink_add('postgres', 'typo', '{"conninf": "host=x"}');
SELECT rpc_sink_add('postgres', 'wrong_type', '{"create_schema": "yes", "max_batch_rows": "many"}');
SELECT rpc_sink_add('postgres', 'not_object', '["conninfo"]');
SELECT rpc_sink_add('postgres', 'bad_secret', '{}', '{"token": "x"}');
SELECT rpc_sink_add('postgres', 'bad_schema', '{"schema_type": "oracle"}');
SELECT rpc_sink_add('postgres', 'Bad Name');
SELECT rpc_sink_add(NULL);
SELECT rpc_sink_add('postgres', 'null_config', NULL);
SELECT count(*) AS sinks_after_errors FROM pgwatch_rpc.sinks;

-- ---------------------------------------------------------------------------------------
-- Altering, enabling, disabling: each change bumps the generation
-- ---------------------------------------------------------------------------------------
SELECT rpc_sink_alter('archive', config => '{"conninfo": "host=other.example dbname=metrics", "retention": "7 days"}');
SELECT name, generation FROM pgwatch_rpc.sinks WHERE name = 'archive';
SELECT config, secrets FROM rpc_sinks WHERE name = 'archive';
SELECT secrets->>'password' AS kept_secret FROM pgwatch_rpc.sinks WHERE name = 'archive';
SELECT rpc_sink_alter('archive', secrets => '{"password": "rotated-secret"}');
SELECT generation, secrets->>'password' AS new_secret, config->>'retention' AS kept_retention
FROM pgwatch_rpc.sinks WHERE name = 'archive';
SELECT updated_at > created_at AS updated FROM rpc_sinks WHERE name = 'archive';
SELECT rpc_sink_alter('archive', config => '{"retention": "forever"}');
SELECT rpc_sink_alter('missing', config => '{}');
SELECT generation FROM pgwatch_rpc.sinks WHERE name = 'archive';

SELECT rpc_sink_disable('postgres');
SELECT rpc_sink_disable('postgres');
SELECT rpc_sink_enable('spare');
SELECT rpc_sink_enable('missing');
SELECT name, enabled, generation FROM pgwatch_rpc.sinks ORDER BY name;

-- ---------------------------------------------------------------------------------------
-- rpc_stat_sinks: state and backlog
-- ---------------------------------------------------------------------------------------
SELECT name, state, pid, delivered_envelopes, delivered_rows, retries, dead_letters,
       backlog_envelopes, backlog_rows, backlog_bytes, lag_seconds, last_error
FROM rpc_stat_sinks ORDER BY name;

-- A listener and its rows: a sink added now starts at the end; older sinks have a backlog.
INSERT INTO pgwatch_rpc.listeners (name) VALUES ('regress_sinks');
INSERT INTO pgwatch_rpc.spool (listener_id, seq, received_at, key_name, kind, dbname, metric, nrows, payload)
SELECT l.id, g, now() - interval '1 hour', 'default', 'measurement', 'db1', 'wal', 2, '\x0102'
FROM pgwatch_rpc.listeners AS l, generate_series(1, 3) AS g WHERE l.name = 'regress_sinks';
SELECT rpc_sink_add('postgres', 'late');
SELECT c.sink, c.seq FROM pgwatch_rpc.sink_cursors AS c
JOIN pgwatch_rpc.listeners AS l ON l.id = c.listener_id AND l.name = 'regress_sinks' ORDER BY c.sink;
INSERT INTO pgwatch_rpc.sink_cursors (sink, listener_id, seq)
SELECT 'postgres', l.id, 1 FROM pgwatch_rpc.listeners AS l WHERE l.name = 'regress_sinks';
INSERT INTO pgwatch_rpc.sink_status (sink, pid, state, started_at, updated_at, stats)
VALUES ('spare', 4242, 'backing_off', now(), now(),
        '{"delivered_envelopes": 5, "delivered_rows": 50, "retries": 3, "dead_letters": 1,
          "last_error": "connection refused", "last_error_at": "2030-01-01 00:00:00+00"}');
-- An enabled sink whose delivery process has not reported for a minute is "stalled".
INSERT INTO pgwatch_rpc.sink_status (sink, pid, state, started_at, updated_at, stats)
VALUES ('archive', 4343, 'running', now() - interval '5 minutes', now() - interval '2 minutes', '{}');
SELECT name, state, pid, delivered_envelopes, delivered_rows, retries, dead_letters,
       backlog_envelopes, backlog_rows, backlog_bytes, lag_seconds >= 3600 AS lagging, last_error,
       last_error_at
FROM rpc_stat_sinks ORDER BY name;
DELETE FROM pgwatch_rpc.spool AS s USING pgwatch_rpc.listeners AS l
WHERE s.listener_id = l.id AND l.name = 'regress_sinks';

-- ---------------------------------------------------------------------------------------
-- Dropping: cursors and status go with the sink
-- ---------------------------------------------------------------------------------------
SELECT rpc_sink_drop('late');
SELECT rpc_sink_drop('late');
SELECT count(*) AS late_cursors FROM pgwatch_rpc.sink_cursors WHERE sink = 'late';
SELECT name FROM rpc_sinks ORDER BY name;

-- ---------------------------------------------------------------------------------------
-- Changes wake the launcher at commit only, and a rolled back change leaves no trace
-- ---------------------------------------------------------------------------------------
BEGIN;
SELECT rpc_sink_add('postgres', 'rolled_back');
ROLLBACK;
SELECT count(*) AS rolled_back FROM pgwatch_rpc.sinks WHERE name = 'rolled_back';

-- ---------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------
CREATE ROLE regress_sink_plain;
CREATE ROLE regress_sink_monitor IN ROLE pgwatch_rpc_monitor;
CREATE ROLE regress_sink_admin IN ROLE pgwatch_rpc_admin;

SET ROLE regress_sink_plain;
SELECT rpc_sink_add('postgres', 'plain');
SELECT rpc_sink_alter('archive', '{}');
SELECT rpc_sink_drop('archive');
SELECT rpc_sink_enable('archive');
SELECT rpc_sink_disable('archive');
SELECT * FROM rpc_sinks;
SELECT * FROM rpc_stat_sinks;
SELECT * FROM pgwatch_rpc.sinks;
SELECT pgwatch_rpc.sink_add('postgres', 'plain', '{}', '{}', true);
RESET ROLE;

SET ROLE regress_sink_monitor;
SELECT name, secrets FROM rpc_sinks WHERE name = 'archive';
SELECT name, state FROM rpc_stat_sinks ORDER BY name;
SELECT rpc_sink_add('postgres', 'monitor');
SELECT rpc_sink_disable('archive');
SELECT secrets FROM pgwatch_rpc.sinks;
SELECT pgwatch_rpc._validate_sink('postgres', '{}', '{}');
RESET ROLE;

SET ROLE regress_sink_admin;
SELECT rpc_sink_add('postgres', 'by_admin', secrets => '{"password": "admin-secret"}');
SELECT rpc_sink_alter('by_admin', '{"create_schema": false}');
SELECT rpc_sink_disable('by_admin');
SELECT name, enabled, config, secrets FROM rpc_sinks WHERE name = 'by_admin';
SELECT secrets FROM pgwatch_rpc.sinks WHERE name = 'by_admin';
SELECT rpc_sink_drop('by_admin');
RESET ROLE;

-- No view shows a secret, whoever reads it.
SELECT count(*) AS leaks FROM rpc_sinks AS s
WHERE s::text LIKE '%s3cr3t%' OR s::text LIKE '%rotated-secret%' OR s::text LIKE '%conninfo-secret%';

DROP ROLE regress_sink_plain, regress_sink_monitor, regress_sink_admin;
SELECT rpc_sink_drop(name) FROM rpc_sinks ORDER BY name;
