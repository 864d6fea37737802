-- rpc_sink_test (DESIGN.md §5): one test measurement through a sink, sent by a child process
-- the launcher starts, with the outcome returned to the caller. Here the targets are
-- unreachable or misconfigured on purpose; test/tap/080_sink_test.pl sends real ones.
\set SHOW_CONTEXT never

-- The launcher connects to this database, which pg_regress created after the server started:
-- wait (up to a minute) until it runs. A test queued before it has set the extension up
-- waits in the queue.
DO $$
BEGIN
	FOR i IN 1 .. 600 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'pgwatch_rpc launcher');
		PERFORM pg_sleep(0.1);
	END LOOP;
END
$$;

SELECT rpc_sink_add('postgres', 'unreachable',
                    '{"conninfo": "host=127.0.0.1 port=1 dbname=metrics connect_timeout=2"}', enabled => false);
-- A disabled sink can be tested before it is enabled; the failure says why.
SELECT ok, outcome, duration_ms >= 0 AS timed FROM rpc_sink_test('unreachable');
-- The outcome is consumed: nothing accumulates.
SELECT count(*) FROM pgwatch_rpc.sink_tests;

-- A configuration that went bad behind the API's back is reported, not sent.
SELECT rpc_sink_add('postgres', 'broken', enabled => false);
UPDATE pgwatch_rpc.sinks SET config = '{"conninf": "host=x"}' WHERE name = 'broken';
SELECT ok, outcome FROM rpc_sink_test('broken');

-- Errors
SELECT * FROM rpc_sink_test('missing');
SELECT * FROM rpc_sink_test('Bad Name');
SELECT * FROM rpc_sink_test('unreachable', timeout => '0');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM rpc_sink_test('unreachable');
ROLLBACK;

-- Privileges: testing is for pgwatch_rpc_admin.
CREATE ROLE sink_test_monitor IN ROLE pgwatch_rpc_monitor;
SET ROLE sink_test_monitor;
SELECT * FROM rpc_sink_test('unreachable');
SELECT * FROM pgwatch_rpc.sink_test('unreachable', '1 s');
RESET ROLE;
DROP ROLE sink_test_monitor;

SELECT rpc_sink_drop('unreachable');
SELECT rpc_sink_drop('broken');
