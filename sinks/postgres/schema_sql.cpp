// pgwatch's storage schema (SINKS.md §1.1): written from the spec's description of
// pgwatch's admin_schema, admin_functions and ensure_partition_postgres files, not copied.
// Only the postgres schema type exists here (TimescaleDB is not packaged for Debian 12).
#include "sinks/postgres/schema_sql.hpp"

namespace pgwatch_rpc::sinks {

const char *const kBootstrapSql = R"SQL(
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE SCHEMA IF NOT EXISTS admin;
CREATE SCHEMA IF NOT EXISTS subpartitions;

-- One row: the storage layout of the metric tables.
DO $$
BEGIN
	EXECUTE format($t$CREATE TABLE admin.storage_schema_type (
		schema_type text NOT NULL DEFAULT %L,
		initialized_on timestamptz NOT NULL DEFAULT now(),
		CHECK (schema_type IN ('postgres', 'timescale')))$t$,
		CASE WHEN EXISTS (SELECT FROM pg_extension WHERE extname = 'timescaledb')
		     THEN 'timescale' ELSE 'postgres' END);
END
$$;
CREATE UNIQUE INDEX max_one_row ON admin.storage_schema_type ((1));
-- This sink always lays tables out the postgres way, whatever extensions the target has.
INSERT INTO admin.storage_schema_type (schema_type) VALUES ('postgres');

-- The listing Grafana's $dbname drop-downs read.
CREATE TABLE admin.all_distinct_dbname_metrics (
	dbname text NOT NULL,
	metric text NOT NULL,
	created_on timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (dbname, metric)
);

CREATE TABLE admin.config (
	key text PRIMARY KEY,
	value text NOT NULL,
	created_on timestamptz DEFAULT now(),
	last_modified_on timestamptz
);
INSERT INTO admin.config (key, value) VALUES
	('timescale_chunk_interval', '2 days'),
	('timescale_compress_interval', '1 day');

CREATE FUNCTION admin.config_set_last_modified() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.last_modified_on := now();
	RETURN NEW;
END
$$;
CREATE TRIGGER config_set_last_modified BEFORE UPDATE ON admin.config
	FOR EACH ROW EXECUTE FUNCTION admin.config_set_last_modified();

-- The shape of every metric table. CHECK (false) refuses rows in the template itself; the
-- metric tables are made with LIKE … INCLUDING INDEXES, which does not copy it.
CREATE TABLE admin.metrics_template (
	time timestamptz NOT NULL DEFAULT now(),
	dbname text NOT NULL,
	data jsonb NOT NULL,
	tag_data jsonb,
	CHECK (false)
);
CREATE INDEX ON admin.metrics_template (dbname, time);

-- pgwatch compares these rows with its own migration list; all 5 must be present.
CREATE TABLE admin.migration (
	id bigint PRIMARY KEY,
	version text NOT NULL
);
INSERT INTO admin.migration (id, version) VALUES
	(0, '01110 Apply postgres sink schema migrations'),
	(1, '01180 Apply admin functions migrations for v5'),
	(2, '01409 Switch to time-only partitioning'),
	(3, '01474 Change drop_all_metric_tables to procedure'),
	(4, '01529 Fix ensure_partition_metric_time partitioning strategy');

-- Metric tables are the public tables with a time column and pgwatch's comment.
CREATE FUNCTION admin.get_top_level_metric_tables(OUT table_name text) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
	SELECT format('%I.%I', n.nspname, c.relname)
	FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'public'
	  AND c.relkind IN ('r', 'p')
	  AND obj_description(c.oid, 'pg_class') = 'pgwatch-generated-metric-lvl'
	  AND EXISTS (SELECT FROM pg_attribute a
	              WHERE a.attrelid = c.oid AND a.attname = 'time' AND a.attnum > 0 AND NOT a.attisdropped)
	ORDER BY 1
$$;

-- Time partitions of one metric table with their bounds (read back from the partition
-- bound expression, which prints in the session's own time zone and date style).
CREATE FUNCTION admin.metric_time_partitions(metric text)
RETURNS TABLE (part_name text, lower_bound timestamptz, upper_bound timestamptz)
LANGUAGE sql STABLE AS $$
	SELECT c.relname::text, m[1]::timestamptz, m[2]::timestamptz
	FROM pg_inherits i
	JOIN pg_class c ON c.oid = i.inhrelid
	CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
	                                $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) AS m
	WHERE i.inhparent = to_regclass(format('public.%I', metric_time_partitions.metric))
	  AND m IS NOT NULL
$$;

-- The empty partitioned parent table of a metric, so dashboards do not fail on it.
-- Returns true if it was created now.
CREATE FUNCTION admin.ensure_dummy_metrics_table(metric text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	IF to_regclass(format('public.%I', metric)) IS NOT NULL THEN
		RETURN false;
	END IF;
	PERFORM pg_advisory_xact_lock(('x' || substr(md5(metric), 1, 16))::bit(64)::bigint);
	IF to_regclass(format('public.%I', metric)) IS NOT NULL THEN
		RETURN false;
	END IF;
	EXECUTE format('CREATE TABLE public.%I (LIKE admin.metrics_template INCLUDING INDEXES) PARTITION BY RANGE (time)',
	               metric);
	EXECUTE format('COMMENT ON TABLE public.%I IS %L', metric, 'pgwatch-generated-metric-lvl');
	RETURN true;
END
$$;

-- The partition of `metric` holding metric_timestamp, created with the next
-- partitions_to_precreate ones if missing. Periods of a day or more (weeks: from Monday)
-- make subpartitions."<metric>_YYYYMMDD", shorter ones "<metric>_YYYYMMDD_HH24"; bounds
-- are aligned in UTC. A new partition never overlaps an existing one: the first is clipped
-- to the gap around the timestamp, the following ones stop at the first existing partition.
CREATE FUNCTION admin.ensure_partition_metric_time(
	metric text, metric_timestamp timestamptz, partition_period interval DEFAULT '1 day',
	partitions_to_precreate int DEFAULT 3,
	OUT part_available_from timestamptz, OUT part_available_to timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	l_start timestamptz;
	l_from timestamptz;
	l_to timestamptz;
	l_name text;
	l_utc timestamp := metric_timestamp AT TIME ZONE 'UTC';
BEGIN
	IF partition_period < interval '1 hour' THEN
		RAISE EXCEPTION 'partition_period must be at least 1 hour, not %', partition_period;
	END IF;
	PERFORM pg_advisory_xact_lock(('x' || substr(md5(metric), 1, 16))::bit(64)::bigint);
	PERFORM admin.ensure_dummy_metrics_table(metric);

	SELECT p.lower_bound, p.upper_bound INTO part_available_from, part_available_to
	FROM admin.metric_time_partitions(metric) p
	WHERE metric_timestamp >= p.lower_bound AND metric_timestamp < p.upper_bound;
	IF FOUND THEN
		RETURN;
	END IF;

	IF partition_period >= interval '7 days' AND extract(epoch FROM partition_period)::bigint % 604800 = 0 THEN
		l_start := date_trunc('week', l_utc) AT TIME ZONE 'UTC';
	ELSIF partition_period >= interval '1 day' THEN
		l_start := date_trunc('day', l_utc) AT TIME ZONE 'UTC';
	ELSE
		l_start := date_trunc('hour', l_utc) AT TIME ZONE 'UTC';
	END IF;

	FOR i IN 0..partitions_to_precreate LOOP
		l_from := l_start + partition_period * i;
		l_to := l_from + partition_period;
		IF i = 0 THEN
			l_from := greatest(l_from, (SELECT max(p.upper_bound) FROM admin.metric_time_partitions(metric) p
			                            WHERE p.upper_bound <= metric_timestamp));
			l_to := least(l_to, (SELECT min(p.lower_bound) FROM admin.metric_time_partitions(metric) p
			                     WHERE p.lower_bound > metric_timestamp));
		ELSIF EXISTS (SELECT FROM admin.metric_time_partitions(metric) p
		              WHERE p.lower_bound < l_to AND p.upper_bound > l_from) THEN
			EXIT;
		END IF;
		l_name := metric || '_' || to_char(l_from AT TIME ZONE 'UTC',
		                                   CASE WHEN partition_period >= interval '1 day' THEN 'YYYYMMDD'
		                                        ELSE 'YYYYMMDD_HH24' END);
		IF to_regclass(format('subpartitions.%I', l_name)) IS NOT NULL THEN
			-- only after a change of partition_period: keep the name unique
			l_name := l_name || '_' || to_char(l_from AT TIME ZONE 'UTC', 'HH24MISS');
		END IF;
		EXECUTE format('CREATE TABLE subpartitions.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
		               l_name, metric, l_from, l_to);
		EXECUTE format('COMMENT ON TABLE subpartitions.%I IS %L', l_name, 'pgwatch-generated-metric-time-lvl');
		IF i = 0 THEN
			part_available_from := l_from;
			part_available_to := l_to;
		END IF;
	END LOOP;
END
$$;

-- Time partitions whose upper bound is older than now() - older_than.
CREATE FUNCTION admin.get_old_time_partitions(older_than interval, schema_type text DEFAULT '')
RETURNS SETOF text LANGUAGE sql STABLE AS $$
	SELECT format('%I.%I', n.nspname, c.relname)
	FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
	                                $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) AS m
	WHERE n.nspname = 'subpartitions'
	  AND c.relispartition
	  AND obj_description(c.oid, 'pg_class') = 'pgwatch-generated-metric-time-lvl'
	  AND m IS NOT NULL
	  AND m[2]::timestamptz < now() - older_than
	ORDER BY 1
$$;

-- Detaches and drops the old time partitions; returns how many.
CREATE FUNCTION admin.drop_old_time_partitions(older_than interval, schema_type text DEFAULT '')
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	l_part text;
	l_parent regclass;
	l_count int := 0;
BEGIN
	IF schema_type NOT IN ('', 'postgres') THEN
		RAISE EXCEPTION 'drop_old_time_partitions supports the postgres schema type only, not %', schema_type;
	END IF;
	FOR l_part IN SELECT * FROM admin.get_old_time_partitions(older_than, schema_type) LOOP
		SELECT i.inhparent::regclass INTO l_parent FROM pg_inherits i WHERE i.inhrelid = l_part::regclass;
		EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', l_parent, l_part);
		EXECUTE format('DROP TABLE %s', l_part);
		l_count := l_count + 1;
	END LOOP;
	RETURN l_count;
END
$$;

-- Brings admin.all_distinct_dbname_metrics in line with the metric tables: the distinct
-- dbnames of each table (a recursive "loose index scan" over the (dbname, time) index),
-- and no rows for dropped tables. Skipped when another session is already at it.
CREATE FUNCTION admin.maintain_unique_sources() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	l_table text;
	l_metric text;
	l_dbnames text[];
BEGIN
	IF NOT pg_try_advisory_xact_lock(1571543679778230000) THEN
		RETURN;
	END IF;
	FOR l_table IN SELECT table_name FROM admin.get_top_level_metric_tables() LOOP
		l_metric := (parse_ident(l_table))[2];
		EXECUTE format($q$
			WITH RECURSIVE t(dbname) AS (
				(SELECT dbname FROM %1$s ORDER BY dbname LIMIT 1)
				UNION ALL
				SELECT (SELECT s.dbname FROM %1$s s WHERE s.dbname > t.dbname ORDER BY s.dbname LIMIT 1)
				FROM t WHERE t.dbname IS NOT NULL
			)
			SELECT coalesce(array_agg(dbname), '{}') FROM t WHERE dbname IS NOT NULL$q$, l_table)
		INTO l_dbnames;
		DELETE FROM admin.all_distinct_dbname_metrics
		WHERE metric = l_metric AND dbname <> ALL (l_dbnames);
		INSERT INTO admin.all_distinct_dbname_metrics (dbname, metric)
		SELECT d, l_metric FROM unnest(l_dbnames) AS d
		ON CONFLICT DO NOTHING;
	END LOOP;
	DELETE FROM admin.all_distinct_dbname_metrics
	WHERE metric NOT IN (SELECT (parse_ident(table_name))[2] FROM admin.get_top_level_metric_tables());
END
$$;

CREATE FUNCTION admin.truncate_all_metric_tables() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	l_table text;
BEGIN
	FOR l_table IN SELECT table_name FROM admin.get_top_level_metric_tables() LOOP
		EXECUTE 'TRUNCATE ' || l_table;
	END LOOP;
	TRUNCATE admin.all_distinct_dbname_metrics;
END
$$;

CREATE PROCEDURE admin.drop_all_metric_tables()
LANGUAGE plpgsql AS $$
DECLARE
	l_table text;
BEGIN
	FOR l_table IN SELECT table_name FROM admin.get_top_level_metric_tables() LOOP
		EXECUTE 'DROP TABLE ' || l_table;
	END LOOP;
	TRUNCATE admin.all_distinct_dbname_metrics;
END
$$;
)SQL";

const char *const kRemoteCursorSql = R"SQL(
CREATE TABLE IF NOT EXISTS admin.rpc_sink_cursors (
	sink text NOT NULL,
	listener_id int NOT NULL,
	seq bigint NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (sink, listener_id)
);
)SQL";

} // namespace pgwatch_rpc::sinks
