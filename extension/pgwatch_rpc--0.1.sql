-- pgwatch_rpc 0.1: catalog tables (schema pgwatch_rpc, closed to PUBLIC) and the SQL API
-- (in the extension's schema). DESIGN.md §4–§6.
\echo Use "CREATE EXTENSION pgwatch_rpc" to load this file. \quit

--------------------------------------------------------------------------------------------
-- Roles. Roles are cluster-wide: create them only if an earlier install did not.
--------------------------------------------------------------------------------------------
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgwatch_rpc_admin') THEN
		CREATE ROLE pgwatch_rpc_admin NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgwatch_rpc_monitor') THEN
		CREATE ROLE pgwatch_rpc_monitor NOLOGIN;
	END IF;
	-- The listener child logs in as this role with a password the launcher sets at each
	-- start; it may only read keys and append to the spool (least privilege, issue #2).
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgwatch_rpc_listener') THEN
		CREATE ROLE pgwatch_rpc_listener LOGIN NOINHERIT;
	END IF;
END
$roles$;

CREATE SCHEMA pgwatch_rpc;
REVOKE ALL ON SCHEMA pgwatch_rpc FROM PUBLIC;
GRANT USAGE ON SCHEMA pgwatch_rpc TO pgwatch_rpc_listener;

--------------------------------------------------------------------------------------------
-- Keys: only SHA-256 of each secret is stored.
--------------------------------------------------------------------------------------------
CREATE TABLE pgwatch_rpc.keys (
	name                 text PRIMARY KEY
	                     CHECK (name ~ '^[A-Za-z0-9_.-]{1,63}$'),
	secret_hash          bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
	fingerprint          text NOT NULL,
	created_at           timestamptz NOT NULL DEFAULT now(),
	rotated_at           timestamptz,
	expires_at           timestamptz,
	revoked_at           timestamptz,
	last_used_at         timestamptz,
	sources              text[],
	previous_hash        bytea CHECK (octet_length(previous_hash) = 32),
	previous_valid_until timestamptz
);
GRANT SELECT (name, secret_hash, expires_at, revoked_at, sources, previous_hash, previous_valid_until)
	ON pgwatch_rpc.keys TO pgwatch_rpc_listener;
GRANT UPDATE (last_used_at) ON pgwatch_rpc.keys TO pgwatch_rpc_listener;

--------------------------------------------------------------------------------------------
-- Listeners: each writer of the spool has an id and numbers its own rows (seq), so a
-- delivery cursor per (sink, listener) never skips a row even with several listeners.
--------------------------------------------------------------------------------------------
CREATE TABLE pgwatch_rpc.listeners (
	id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name          text NOT NULL UNIQUE,
	registered_at timestamptz NOT NULL DEFAULT now()
);

--------------------------------------------------------------------------------------------
-- The spool: every accepted message exactly as received, partitioned by day so retention
-- drops partitions. The default partition catches anything outside the pre-created range.
--------------------------------------------------------------------------------------------
CREATE TABLE pgwatch_rpc.spool (
	listener_id int NOT NULL,
	seq         bigint NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	key_name    text NOT NULL,
	kind        text NOT NULL CHECK (kind IN ('measurement', 'sync', 'define')),
	dbname      text NOT NULL,
	metric      text NOT NULL,
	nrows       int NOT NULL,
	payload     bytea NOT NULL
) PARTITION BY RANGE (received_at);
ALTER TABLE pgwatch_rpc.spool ALTER COLUMN payload SET COMPRESSION lz4;
CREATE INDEX ON pgwatch_rpc.spool (listener_id, seq);
CREATE TABLE pgwatch_rpc.spool_default PARTITION OF pgwatch_rpc.spool DEFAULT;
GRANT INSERT ON pgwatch_rpc.spool TO pgwatch_rpc_listener;

-- spool_ensure_partitions creates the daily partitions from today to days_ahead days ahead.
-- Rows that went to the default partition for one of those days (written before the day's
-- partition existed) move into the new partition: PostgreSQL refuses to create a partition
-- whose rows the default partition already holds, which would otherwise block it for good.
CREATE FUNCTION pgwatch_rpc.spool_ensure_partitions(days_ahead int DEFAULT 3)
RETURNS int LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	day date;
	name text;
	lower_bound timestamptz;
	upper_bound timestamptz;
	created int := 0;
BEGIN
	IF days_ahead IS NULL OR days_ahead < 0 OR days_ahead > 366 THEN
		RAISE EXCEPTION 'days_ahead must be between 0 and 366, not %', coalesce(days_ahead::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- One creator at a time: the launcher and listeners may call this concurrently.
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgwatch_rpc.spool_ensure_partitions'));
	FOR i IN 0 .. days_ahead LOOP
		day := (pg_catalog.now() AT TIME ZONE 'UTC')::date + i;
		name := 'spool_' || pg_catalog.to_char(day, 'YYYYMMDD');
		lower_bound := day::timestamp AT TIME ZONE 'UTC';
		upper_bound := (day + 1)::timestamp AT TIME ZONE 'UTC';
		CONTINUE WHEN pg_catalog.to_regclass('pgwatch_rpc.' || pg_catalog.quote_ident(name)) IS NOT NULL;
		-- Writers to the default partition wait until the move is committed.
		LOCK TABLE pgwatch_rpc.spool_default IN EXCLUSIVE MODE;
		IF EXISTS (SELECT FROM pgwatch_rpc.spool_default AS d
		           WHERE d.received_at >= lower_bound AND d.received_at < upper_bound) THEN
			EXECUTE pg_catalog.format('CREATE TABLE pgwatch_rpc.%I (LIKE pgwatch_rpc.spool INCLUDING ALL)', name);
			EXECUTE pg_catalog.format(
				'WITH moved AS (DELETE FROM pgwatch_rpc.spool_default
				                WHERE received_at >= %L AND received_at < %L RETURNING *)
				 INSERT INTO pgwatch_rpc.%I SELECT * FROM moved', lower_bound, upper_bound, name);
			EXECUTE pg_catalog.format('ALTER TABLE pgwatch_rpc.spool ATTACH PARTITION pgwatch_rpc.%I
			                           FOR VALUES FROM (%L) TO (%L)', name, lower_bound, upper_bound);
		ELSE
			EXECUTE pg_catalog.format('CREATE TABLE pgwatch_rpc.%I PARTITION OF pgwatch_rpc.spool
			                           FOR VALUES FROM (%L) TO (%L)', name, lower_bound, upper_bound);
		END IF;
		created := created + 1;
	END LOOP;
	RETURN created;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.spool_ensure_partitions(int) IS
	'creates the daily spool partitions from today to days_ahead days ahead; returns how many it created';
REVOKE ALL ON FUNCTION pgwatch_rpc.spool_ensure_partitions(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.spool_ensure_partitions(int) TO pgwatch_rpc_listener;

--------------------------------------------------------------------------------------------
-- What SyncMetric and DefineMetrics told us: maintained by a trigger on spool rows of
-- those kinds, in the same transaction as the spool write.
--------------------------------------------------------------------------------------------
CREATE TABLE pgwatch_rpc.sources (
	dbname     text NOT NULL,
	metric     text NOT NULL, -- '' = the source itself
	added_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (dbname, metric)
);

CREATE TABLE pgwatch_rpc.metric_definitions (
	singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	received_at timestamptz NOT NULL,
	listener_id int NOT NULL,
	seq         bigint NOT NULL,
	payload     bytea NOT NULL
);

--------------------------------------------------------------------------------------------
-- Listener status: each listener upserts its counters here about once a second.
--------------------------------------------------------------------------------------------
CREATE TABLE pgwatch_rpc.listener_status (
	listener_id int PRIMARY KEY REFERENCES pgwatch_rpc.listeners (id) ON DELETE CASCADE,
	pid         int NOT NULL,
	started_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	stats       jsonb NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON pgwatch_rpc.listener_status TO pgwatch_rpc_listener;

--------------------------------------------------------------------------------------------
-- Dumps: the keys are configuration (a restored hub keeps its clients' credentials);
-- everything else is data the hub learns again or re-creates.
--------------------------------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('pgwatch_rpc.keys', '');

-- The API roles reach the SECURITY DEFINER implementations below through this schema; the
-- tables in it stay closed (no table privilege is granted to them).
GRANT USAGE ON SCHEMA pgwatch_rpc TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

--------------------------------------------------------------------------------------------
-- C helpers (src/pg/sql_*.cpp, key_file.cpp, tls_files.cpp). Internal: superusers only,
-- reached by the API through SECURITY DEFINER functions owned by the extension's owner.
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc._new_secret() RETURNS text
	LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', '_new_secret';
COMMENT ON FUNCTION pgwatch_rpc._new_secret() IS
	'a new API key secret: 43 characters of base64url from 256 random bits';

CREATE FUNCTION pgwatch_rpc._fingerprint(secret text) RETURNS text
	LANGUAGE c IMMUTABLE STRICT AS 'MODULE_PATHNAME', '_fingerprint';
COMMENT ON FUNCTION pgwatch_rpc._fingerprint(text) IS
	'the fingerprint shown for a secret in rpc_keys: reveals neither the secret nor its hash';

CREATE FUNCTION pgwatch_rpc._stage_key_file(secret text) RETURNS void
	LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', '_stage_key_file';
COMMENT ON FUNCTION pgwatch_rpc._stage_key_file(text) IS
	'writes the secret to <pgwatch_rpc.key_file>.new now; renamed over the key file at commit, removed at rollback';

CREATE FUNCTION pgwatch_rpc._key_file_path() RETURNS text
	LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', '_key_file_path';
COMMENT ON FUNCTION pgwatch_rpc._key_file_path() IS
	'the absolute path of the key file (pgwatch_rpc.key_file resolved against the data directory)';

REVOKE ALL ON FUNCTION pgwatch_rpc._new_secret(), pgwatch_rpc._fingerprint(text),
	pgwatch_rpc._stage_key_file(text), pgwatch_rpc._key_file_path() FROM PUBLIC;

--------------------------------------------------------------------------------------------
-- Who may call what. The public API functions are SECURITY INVOKER: inside them current_user
-- is the role the caller acts as (after SET ROLE, or the owner of a SECURITY DEFINER function
-- that calls us), the same role PostgreSQL checks privileges against. Inside a SECURITY
-- DEFINER function current_user would be the extension's owner and session_user ignores
-- SET ROLE, so neither could be checked there. The API function checks that role has the
-- privileges of pgwatch_rpc_admin (USAGE: a NOINHERIT member must SET ROLE first, as for any
-- privilege) and says which GRANT is missing, then calls the SECURITY DEFINER implementation
-- in schema pgwatch_rpc, whose EXECUTE is granted to pgwatch_rpc_admin only.
--------------------------------------------------------------------------------------------

-- key_name_check raises a clear error unless name is a valid key name.
CREATE FUNCTION pgwatch_rpc.key_name_check(name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF key_name_check.name IS NULL THEN
		RAISE EXCEPTION 'key name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF key_name_check.name !~ '^[A-Za-z0-9_.-]{1,63}$' THEN
		RAISE EXCEPTION 'invalid key name "%"', key_name_check.name
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'A key name is 1 to 63 characters from A-Z, a-z, 0-9, "_", "." and "-"; pgwatch sends it as the user name of its grpc:// URI.';
	END IF;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.key_name_check(text) IS
	'raises an error unless the text is a valid API key name';
REVOKE ALL ON FUNCTION pgwatch_rpc.key_name_check(text) FROM PUBLIC;

--------------------------------------------------------------------------------------------
-- rpc_key_create
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc.key_create(name text, expires_in interval, sources text[])
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	secret text;
BEGIN
	PERFORM pgwatch_rpc.key_name_check(key_create.name);
	IF key_create.expires_in IS NOT NULL AND key_create.expires_in <= interval '0' THEN
		RAISE EXCEPTION 'expires_in must be positive, not %', key_create.expires_in
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass NULL (the default) for a key that never expires.';
	END IF;
	IF key_create.sources IS NOT NULL THEN
		IF pg_catalog.cardinality(key_create.sources) = 0 THEN
			RAISE EXCEPTION 'sources must not be an empty array'
				USING ERRCODE = 'invalid_parameter_value',
				      HINT = 'Pass NULL (the default) to allow every source, or a list of source name patterns.';
		END IF;
		IF pg_catalog.array_ndims(key_create.sources) <> 1 THEN
			RAISE EXCEPTION 'sources must be a one-dimensional array'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF EXISTS (SELECT FROM pg_catalog.unnest(key_create.sources) AS p
		           WHERE p IS NULL OR p = '' OR pg_catalog.octet_length(p) > 255) THEN
			RAISE EXCEPTION 'sources must not contain NULL, empty or longer than 255 bytes patterns'
				USING ERRCODE = 'invalid_parameter_value',
				      DETAIL = 'Each pattern is a shell glob matched against the DBName pgwatch sends, such as "prod-*".';
		END IF;
	END IF;

	secret := pgwatch_rpc._new_secret();
	BEGIN
		INSERT INTO pgwatch_rpc.keys (name, secret_hash, fingerprint, expires_at, sources)
		VALUES (key_create.name, pg_catalog.sha256(pg_catalog.convert_to(secret, 'UTF8')),
		        pgwatch_rpc._fingerprint(secret), pg_catalog.now() + key_create.expires_in,
		        key_create.sources);
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION 'API key "%" already exists', key_create.name
			USING ERRCODE = 'unique_violation',
			      HINT = pg_catalog.format('Use rpc_rotate_key(%L) to give it a new secret.', key_create.name);
	END;
	-- The key file holds the secret of key "default" (DESIGN.md §5): the launcher creates
	-- that key on first start with this function.
	IF key_create.name = 'default' THEN
		PERFORM pgwatch_rpc._stage_key_file(secret);
	END IF;
	PERFORM pg_catalog.pg_notify('pgwatch_rpc_keys', key_create.name);
	RETURN secret;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.key_create(text, interval, text[]) IS
	'implementation of rpc_key_create (runs as the extension owner)';
REVOKE ALL ON FUNCTION pgwatch_rpc.key_create(text, interval, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.key_create(text, interval, text[]) TO pgwatch_rpc_admin;

CREATE FUNCTION @extschema@.rpc_key_create(name text, expires_in interval DEFAULT NULL,
                                           sources text[] DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to create an API key'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	RETURN pgwatch_rpc.key_create(rpc_key_create.name, rpc_key_create.expires_in, rpc_key_create.sources);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_key_create(text, interval, text[]) IS
	'creates an API key and returns its secret, which is shown only this once';

--------------------------------------------------------------------------------------------
-- rpc_rotate_key
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc.key_rotate(name text, grace interval)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	secret text;
	current_key pgwatch_rpc.keys;
BEGIN
	PERFORM pgwatch_rpc.key_name_check(key_rotate.name);
	IF key_rotate.grace IS NULL OR key_rotate.grace < interval '0' THEN
		RAISE EXCEPTION 'grace must be zero or positive, not %', coalesce(key_rotate.grace::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'grace is how long the old secret stays valid; ''0'' invalidates it at once.';
	END IF;
	-- The row lock serializes rotations of one key, and with it the staging of the key file.
	SELECT * INTO current_key FROM pgwatch_rpc.keys AS k WHERE k.name = key_rotate.name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'API key "%" does not exist', key_rotate.name
			USING ERRCODE = 'no_data_found',
			      HINT = 'SELECT name FROM rpc_keys lists the keys; rpc_key_create() creates one.';
	END IF;
	IF current_key.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'API key "%" is revoked and cannot be rotated', key_rotate.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Create a new key with rpc_key_create().';
	END IF;

	secret := pgwatch_rpc._new_secret();
	UPDATE pgwatch_rpc.keys AS k
	SET secret_hash = pg_catalog.sha256(pg_catalog.convert_to(secret, 'UTF8')),
	    fingerprint = pgwatch_rpc._fingerprint(secret),
	    rotated_at = pg_catalog.now(),
	    previous_hash = CASE WHEN key_rotate.grace > interval '0' THEN current_key.secret_hash END,
	    previous_valid_until = CASE WHEN key_rotate.grace > interval '0'
	                                THEN pg_catalog.now() + key_rotate.grace END
	WHERE k.name = key_rotate.name;
	IF key_rotate.name = 'default' THEN
		PERFORM pgwatch_rpc._stage_key_file(secret);
	END IF;
	PERFORM pg_catalog.pg_notify('pgwatch_rpc_keys', key_rotate.name);
	RETURN secret;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.key_rotate(text, interval) IS
	'implementation of rpc_rotate_key (runs as the extension owner)';
REVOKE ALL ON FUNCTION pgwatch_rpc.key_rotate(text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.key_rotate(text, interval) TO pgwatch_rpc_admin;

CREATE FUNCTION @extschema@.rpc_rotate_key(name text DEFAULT 'default', grace interval DEFAULT '0')
RETURNS text LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to rotate an API key'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	RETURN pgwatch_rpc.key_rotate(rpc_rotate_key.name, rpc_rotate_key.grace);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_rotate_key(text, interval) IS
	'gives a key a new secret (returned once); the old one stays valid for grace; for key default the key file follows at commit';

--------------------------------------------------------------------------------------------
-- rpc_key_revoke
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc.key_revoke(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	was_revoked timestamptz;
BEGIN
	PERFORM pgwatch_rpc.key_name_check(key_revoke.name);
	SELECT k.revoked_at INTO was_revoked FROM pgwatch_rpc.keys AS k
	WHERE k.name = key_revoke.name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'API key "%" does not exist', key_revoke.name
			USING ERRCODE = 'no_data_found',
			      HINT = 'SELECT name FROM rpc_keys lists the keys.';
	END IF;
	IF was_revoked IS NOT NULL THEN
		RAISE NOTICE 'API key "%" was already revoked', key_revoke.name;
		RETURN;
	END IF;
	-- A revoked key accepts neither its secret nor one still in a rotation grace period.
	UPDATE pgwatch_rpc.keys AS k
	SET revoked_at = pg_catalog.now(), previous_hash = NULL, previous_valid_until = NULL
	WHERE k.name = key_revoke.name;
	PERFORM pg_catalog.pg_notify('pgwatch_rpc_keys', key_revoke.name);
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.key_revoke(text) IS
	'implementation of rpc_key_revoke (runs as the extension owner)';
REVOKE ALL ON FUNCTION pgwatch_rpc.key_revoke(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.key_revoke(text) TO pgwatch_rpc_admin;

CREATE FUNCTION @extschema@.rpc_key_revoke(name text)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to revoke an API key'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	PERFORM pgwatch_rpc.key_revoke(rpc_key_revoke.name);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_key_revoke(text) IS
	'revokes an API key: listeners refuse it from their next key reload (within a second)';

--------------------------------------------------------------------------------------------
-- rpc_keys: what a key is and its state, never its secret or a hash of it.
--------------------------------------------------------------------------------------------
CREATE VIEW @extschema@.rpc_keys AS
SELECT k.name, k.created_at, k.rotated_at, k.expires_at, k.revoked_at, k.last_used_at,
       k.sources, k.fingerprint,
       CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked'
            WHEN k.expires_at <= pg_catalog.now() THEN 'expired'
            ELSE 'active' END AS status,
       CASE WHEN k.previous_valid_until > pg_catalog.now() THEN k.previous_valid_until END
           AS rotation_grace_until
FROM pgwatch_rpc.keys AS k;
COMMENT ON VIEW @extschema@.rpc_keys IS
	'API keys: state, expiry, last use and fingerprint (never a secret or its hash)';
REVOKE ALL ON @extschema@.rpc_keys FROM PUBLIC;
GRANT SELECT ON @extschema@.rpc_keys TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

--------------------------------------------------------------------------------------------
-- rpc_decode and rpc_tls_certificate read nothing from the catalog: plain C functions,
-- SECURITY INVOKER like the API functions above.
--------------------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.rpc_decode(payload bytea, kind text DEFAULT 'measurement')
RETURNS jsonb LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rpc_decode';
COMMENT ON FUNCTION @extschema@.rpc_decode(bytea, text) IS
	'a spool payload (kind measurement, sync or define) as jsonb with pgwatch''s field names';
-- It only decodes the bytes it is given, so plain EXECUTE privilege is the whole check (and
-- it stays IMMUTABLE: no role test inside).
REVOKE ALL ON FUNCTION @extschema@.rpc_decode(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.rpc_decode(bytea, text) TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

CREATE FUNCTION @extschema@.rpc_tls_certificate()
RETURNS text LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'rpc_tls_certificate';
COMMENT ON FUNCTION @extschema@.rpc_tls_certificate() IS
	'the certificate chain (PEM) the listener presents: give it to pgwatch as sslrootca';

--------------------------------------------------------------------------------------------
-- rpc_stat_listener: each listener's counters (pgwatch_rpc.listener_status.stats).
--------------------------------------------------------------------------------------------
CREATE VIEW @extschema@.rpc_stat_listener AS
SELECT l.name AS listener, s.pid, s.started_at, s.updated_at,
       (s.stats->>'connections')::numeric::bigint AS connections,
       (s.stats->>'connections_total')::numeric::bigint AS connections_total,
       coalesce(s.stats->'calls', '{}'::jsonb) AS calls,
       c.ok AS calls_ok, c.failed AS calls_failed,
       (s.stats->>'rows')::numeric::bigint AS rows,
       (s.stats->>'bytes')::numeric::bigint AS bytes,
       (s.stats->>'auth_failures')::numeric::bigint AS auth_failures,
       (s.stats->>'batches')::numeric::bigint AS batches,
       (s.stats->'commit_latency_ms'->>'p50')::float8 AS commit_p50_ms,
       (s.stats->'commit_latency_ms'->>'p90')::float8 AS commit_p90_ms,
       (s.stats->'commit_latency_ms'->>'p99')::float8 AS commit_p99_ms,
       (s.stats->'commit_latency_ms'->>'max')::float8 AS commit_max_ms,
       s.stats->>'last_error' AS last_error,
       (s.stats->>'last_error_at')::timestamptz AS last_error_at
FROM pgwatch_rpc.listener_status AS s
JOIN pgwatch_rpc.listeners AS l ON l.id = s.listener_id
CROSS JOIN LATERAL (
	SELECT coalesce(sum(n.count) FILTER (WHERE n.code = 'OK'), 0)::bigint AS ok,
	       coalesce(sum(n.count) FILTER (WHERE n.code <> 'OK'), 0)::bigint AS failed
	FROM jsonb_each(CASE jsonb_typeof(s.stats->'calls') WHEN 'object' THEN s.stats->'calls'
	                     ELSE '{}'::jsonb END) AS m(method, codes),
	     LATERAL (SELECT e.key AS code, (e.value #>> '{}')::numeric::bigint AS count
	              FROM jsonb_each(CASE jsonb_typeof(m.codes) WHEN 'object' THEN m.codes
	                                   ELSE '{}'::jsonb END) AS e) AS n
) AS c;
COMMENT ON VIEW @extschema@.rpc_stat_listener IS
	'live counters of each listener: connections, calls by method and status, rows, bytes, auth failures, commit latency, last error';
REVOKE ALL ON @extschema@.rpc_stat_listener FROM PUBLIC;
GRANT SELECT ON @extschema@.rpc_stat_listener TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

--------------------------------------------------------------------------------------------
-- What SyncMetric and DefineMetrics told us, for people.
--------------------------------------------------------------------------------------------
CREATE VIEW @extschema@.rpc_sources AS
SELECT s.dbname, s.metric, s.added_at FROM pgwatch_rpc.sources AS s;
COMMENT ON VIEW @extschema@.rpc_sources IS
	'the sources and (source, metric) pairs pgwatch announced with SyncMetric (metric '''' = the source itself)';
REVOKE ALL ON @extschema@.rpc_sources FROM PUBLIC;
GRANT SELECT ON @extschema@.rpc_sources TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

CREATE VIEW @extschema@.rpc_metric_definitions AS
SELECT d.received_at, @extschema@.rpc_decode(d.payload, 'define') AS definitions
FROM pgwatch_rpc.metric_definitions AS d;
COMMENT ON VIEW @extschema@.rpc_metric_definitions IS
	'the metric definitions pgwatch sent last with DefineMetrics';
REVOKE ALL ON @extschema@.rpc_metric_definitions FROM PUBLIC;
GRANT SELECT ON @extschema@.rpc_metric_definitions TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

--------------------------------------------------------------------------------------------
-- Bookkeeping of SyncMetric and DefineMetrics spool rows, in the listener's transaction.
-- An AFTER row trigger on the partitioned parent is cloned to every partition, present and
-- future; the WHEN clause keeps measurements (nearly every row) from queueing any event.
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc.spool_bookkeeping() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	message jsonb;
	op text;
	db text;
	metric_name text;
BEGIN
	IF NEW.kind = 'sync' THEN
		-- The row is in the listener's group commit with other clients' envelopes: a payload
		-- that does not decode (the listener validated it, so this is a bug) costs its own
		-- bookkeeping only, never the batch.
		BEGIN
			message := @extschema@.rpc_decode(NEW.payload, 'sync');
		EXCEPTION WHEN data_corrupted THEN
			RAISE WARNING 'pgwatch_rpc: SyncMetric spool row (listener %, seq %) not recorded in pgwatch_rpc.sources: %',
				NEW.listener_id, NEW.seq, SQLERRM;
			RETURN NULL;
		END;
		op := coalesce(message->>'Operation', 'InvalidOp');
		db := coalesce(message->>'DBName', '');
		metric_name := coalesce(message->>'MetricName', '');
		IF db = '' THEN
			RETURN NULL; -- the connect "ping" (InvalidOp with empty names)
		END IF;
		IF op IN ('AddOp', '1') THEN
			INSERT INTO pgwatch_rpc.sources AS s (dbname, metric) VALUES (db, metric_name)
			ON CONFLICT (dbname, metric) DO NOTHING;
		ELSIF op IN ('DeleteOp', '2') THEN
			IF metric_name = '' THEN
				DELETE FROM pgwatch_rpc.sources AS s WHERE s.dbname = db;
			ELSE
				DELETE FROM pgwatch_rpc.sources AS s WHERE s.dbname = db AND s.metric = metric_name;
			END IF;
		END IF;
	ELSIF NEW.kind = 'define' THEN
		-- Keep the latest: by seq from the same listener, by arrival time across listeners.
		INSERT INTO pgwatch_rpc.metric_definitions AS d (received_at, listener_id, seq, payload)
		VALUES (NEW.received_at, NEW.listener_id, NEW.seq, NEW.payload)
		ON CONFLICT (singleton) DO UPDATE
		SET received_at = EXCLUDED.received_at, listener_id = EXCLUDED.listener_id,
		    seq = EXCLUDED.seq, payload = EXCLUDED.payload
		WHERE (d.listener_id = EXCLUDED.listener_id AND d.seq < EXCLUDED.seq)
		   OR (d.listener_id <> EXCLUDED.listener_id AND d.received_at <= EXCLUDED.received_at);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.spool_bookkeeping() IS
	'trigger: records SyncMetric (sources) and DefineMetrics (latest definitions) spool rows';
REVOKE ALL ON FUNCTION pgwatch_rpc.spool_bookkeeping() FROM PUBLIC;

CREATE TRIGGER spool_bookkeeping AFTER INSERT ON pgwatch_rpc.spool
	FOR EACH ROW WHEN (NEW.kind <> 'measurement') EXECUTE FUNCTION pgwatch_rpc.spool_bookkeeping();

--------------------------------------------------------------------------------------------
-- Listener support: called by the listener child, which logs in as pgwatch_rpc_listener.
--------------------------------------------------------------------------------------------

-- listener_register gives the named listener its id and the last seq it wrote, and holds a
-- session advisory lock so that two processes never write under the same id (their seq
-- numbers would collide). Lock key: (1885827703, listener id); 1885827703 is 'pgrw'.
CREATE FUNCTION pgwatch_rpc.listener_register(name text)
RETURNS TABLE (listener_id int, last_seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id int;
	holder int;
BEGIN
	IF listener_register.name IS NULL OR listener_register.name !~ '^[A-Za-z0-9_.:-]{1,63}$' THEN
		RAISE EXCEPTION 'invalid listener name "%"', listener_register.name
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'A listener name is 1 to 63 characters from A-Z, a-z, 0-9, "_", ".", ":" and "-".';
	END IF;
	INSERT INTO pgwatch_rpc.listeners AS l (name) VALUES (listener_register.name)
	ON CONFLICT ON CONSTRAINT listeners_name_key DO NOTHING;
	SELECT l.id INTO id FROM pgwatch_rpc.listeners AS l WHERE l.name = listener_register.name;
	IF NOT pg_catalog.pg_try_advisory_lock(1885827703, id) THEN
		SELECT lk.pid INTO holder FROM pg_catalog.pg_locks AS lk
		WHERE lk.locktype = 'advisory' AND lk.database = (SELECT oid FROM pg_catalog.pg_database
		                                                  WHERE datname = pg_catalog.current_database())
		  AND lk.classid = 1885827703::oid AND lk.objid = id::oid AND lk.objsubid = 2 AND lk.granted
		LIMIT 1;
		RAISE EXCEPTION 'listener "%" is already running (pid % holds its lock)',
			listener_register.name, coalesce(holder::text, 'unknown')
			USING ERRCODE = 'lock_not_available',
			      HINT = 'Stop the other listener, or give each listener its own name.';
	END IF;
	listener_id := id;
	SELECT coalesce(max(s.seq), 0) INTO last_seq FROM pgwatch_rpc.spool AS s WHERE s.listener_id = id;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.listener_register(text) IS
	'registers a listener by name: returns its id and last spool seq, and locks the id for this session';
REVOKE ALL ON FUNCTION pgwatch_rpc.listener_register(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.listener_register(text) TO pgwatch_rpc_listener;

CREATE FUNCTION pgwatch_rpc.spool_size() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(sum(pg_catalog.pg_total_relation_size(t.relid)), 0)::bigint
	FROM pg_catalog.pg_partition_tree('pgwatch_rpc.spool'::regclass) AS t
	WHERE t.isleaf
$$;
COMMENT ON FUNCTION pgwatch_rpc.spool_size() IS
	'bytes on disk of every spool partition, with indexes and TOAST (compared with pgwatch_rpc.spool_max_size)';
REVOKE ALL ON FUNCTION pgwatch_rpc.spool_size() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.spool_size() TO pgwatch_rpc_listener, pgwatch_rpc_monitor;

--------------------------------------------------------------------------------------------
-- Sinks (issue #3): configuration, one cursor per (sink, listener), dead letters, status.
-- The delivery children log in as pgwatch_rpc_delivery, with a password the launcher sets.
--------------------------------------------------------------------------------------------
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgwatch_rpc_delivery') THEN
		CREATE ROLE pgwatch_rpc_delivery LOGIN NOINHERIT;
	END IF;
END
$roles$;
GRANT USAGE ON SCHEMA pgwatch_rpc TO pgwatch_rpc_delivery;

CREATE TABLE pgwatch_rpc.sinks (
	name       text PRIMARY KEY CHECK (name ~ '^[a-z0-9_][a-z0-9_.-]{0,62}$'),
	kind       text NOT NULL,
	config     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
	secrets    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(secrets) = 'object'),
	enabled    boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	generation bigint NOT NULL DEFAULT 1 -- bumped by every change: the launcher restarts the child
);
GRANT SELECT ON pgwatch_rpc.sinks TO pgwatch_rpc_delivery;

-- A new sink starts at the current end of each listener's rows (it does not replay the
-- whole spool); a listener the sink has not seen yet starts at 0.
CREATE TABLE pgwatch_rpc.sink_cursors (
	sink        text NOT NULL REFERENCES pgwatch_rpc.sinks (name) ON DELETE CASCADE ON UPDATE CASCADE,
	listener_id int NOT NULL,
	seq         bigint NOT NULL,
	updated_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (sink, listener_id)
);
GRANT SELECT, INSERT, UPDATE ON pgwatch_rpc.sink_cursors TO pgwatch_rpc_delivery;

CREATE TABLE pgwatch_rpc.dead_letters (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sink        text NOT NULL,
	listener_id int NOT NULL,
	seq         bigint NOT NULL,
	failed_at   timestamptz NOT NULL DEFAULT now(),
	kind        text NOT NULL,
	dbname      text NOT NULL,
	metric      text NOT NULL,
	error       text NOT NULL,
	payload     bytea NOT NULL
);
CREATE INDEX ON pgwatch_rpc.dead_letters (sink, failed_at);
GRANT INSERT ON pgwatch_rpc.dead_letters TO pgwatch_rpc_delivery;

-- Each delivery child upserts its counters here about once a second.
CREATE TABLE pgwatch_rpc.sink_status (
	sink       text PRIMARY KEY REFERENCES pgwatch_rpc.sinks (name) ON DELETE CASCADE ON UPDATE CASCADE,
	pid        int NOT NULL,
	state      text NOT NULL, -- running | backing_off | failing_config
	started_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	stats      jsonb NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON pgwatch_rpc.sink_status TO pgwatch_rpc_delivery;
GRANT SELECT ON pgwatch_rpc.spool TO pgwatch_rpc_delivery;
-- A delivery child reads each listener's rows after its cursor, so it needs the listener ids.
GRANT SELECT ON pgwatch_rpc.listeners TO pgwatch_rpc_delivery;

--------------------------------------------------------------------------------------------
-- Sink API (DESIGN.md §5): rpc_sink_add/alter/drop/enable/disable, rpc_sinks, rpc_stat_sinks.
-- Same privilege pattern as the key functions: a SECURITY INVOKER wrapper checks the caller's
-- role (inline: the caller may have no USAGE on schema pgwatch_rpc), then calls the SECURITY
-- DEFINER implementation in schema pgwatch_rpc. Every change bumps generation, notifies
-- channel pgwatch_rpc_sinks and wakes the launcher at commit, which starts, restarts or
-- stops the sink's `pgwatch-rpc deliver` child.
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc._validate_sink(kind text, config jsonb, secrets jsonb) RETURNS text[]
	LANGUAGE c IMMUTABLE STRICT AS 'MODULE_PATHNAME', '_validate_sink';
COMMENT ON FUNCTION pgwatch_rpc._validate_sink(text, jsonb, jsonb) IS
	'the problems the sink kind''s validator finds in config and secrets ("key: reason"), empty if valid';

CREATE FUNCTION pgwatch_rpc._sink_secret_keys(kind text) RETURNS text[]
	LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', '_sink_secret_keys';
COMMENT ON FUNCTION pgwatch_rpc._sink_secret_keys(text) IS
	'the config keys a sink kind treats as secrets (shown redacted by rpc_sinks); empty for an unknown kind';

CREATE FUNCTION pgwatch_rpc._wake_launcher() RETURNS void
	LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', '_wake_launcher';
COMMENT ON FUNCTION pgwatch_rpc._wake_launcher() IS
	'makes the launcher reconcile its delivery children when the current transaction commits';

REVOKE ALL ON FUNCTION pgwatch_rpc._validate_sink(text, jsonb, jsonb), pgwatch_rpc._wake_launcher()
	FROM PUBLIC;
-- rpc_sinks calls it with the reader's privileges; it reveals only key names.
REVOKE ALL ON FUNCTION pgwatch_rpc._sink_secret_keys(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc._sink_secret_keys(text) TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

-- sink_name_check raises a clear error unless name is a valid sink name.
CREATE FUNCTION pgwatch_rpc.sink_name_check(name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF sink_name_check.name IS NULL THEN
		RAISE EXCEPTION 'sink name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF sink_name_check.name !~ '^[a-z0-9_][a-z0-9_.-]{0,62}$' THEN
		RAISE EXCEPTION 'invalid sink name "%"', sink_name_check.name
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'A sink name is 1 to 63 characters from a-z, 0-9, "_", "." and "-", and does not start with "." or "-".';
	END IF;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_name_check(text) IS
	'raises an error unless the text is a valid sink name';
REVOKE ALL ON FUNCTION pgwatch_rpc.sink_name_check(text) FROM PUBLIC;

-- sink_validate raises invalid_parameter_value with every problem of the configuration.
CREATE FUNCTION pgwatch_rpc.sink_validate(name text, kind text, config jsonb, secrets jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	problems text[];
BEGIN
	IF sink_validate.kind IS NULL THEN
		RAISE EXCEPTION 'sink kind must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF sink_validate.config IS NULL OR sink_validate.secrets IS NULL THEN
		RAISE EXCEPTION 'config and secrets of sink "%" must not be NULL', sink_validate.name
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass ''{}'' for no settings.';
	END IF;
	problems := pgwatch_rpc._validate_sink(sink_validate.kind, sink_validate.config, sink_validate.secrets);
	IF pg_catalog.cardinality(problems) = 0 THEN
		RETURN;
	END IF;
	-- The registry reports an unknown kind as its only problem, on key "kind".
	IF problems[1] LIKE 'kind: %' THEN
		RAISE EXCEPTION '%', pg_catalog.substr(problems[1], 7)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Each kind is documented in sinks/<kind>/README.md.';
	END IF;
	RAISE EXCEPTION 'invalid configuration for sink "%"', sink_validate.name
		USING ERRCODE = 'invalid_parameter_value',
		      DETAIL = pg_catalog.array_to_string(problems, E'\n'),
		      HINT = pg_catalog.format('The keys of kind %s are described in sinks/%s/README.md.',
		                               sink_validate.kind, sink_validate.kind);
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_validate(text, text, jsonb, jsonb) IS
	'raises an error listing every problem of a sink configuration';
REVOKE ALL ON FUNCTION pgwatch_rpc.sink_validate(text, text, jsonb, jsonb) FROM PUBLIC;

-- sink_changed tells the launcher (at commit) and running delivery children (NOTIFY).
CREATE FUNCTION pgwatch_rpc.sink_changed(name text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM pgwatch_rpc._wake_launcher();
	PERFORM pg_catalog.pg_notify('pgwatch_rpc_sinks', sink_changed.name);
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_changed(text) IS
	'wakes the launcher at commit and notifies channel pgwatch_rpc_sinks with the sink''s name';
REVOKE ALL ON FUNCTION pgwatch_rpc.sink_changed(text) FROM PUBLIC;

-- sink_not_found raises the error for a sink that does not exist.
CREATE FUNCTION pgwatch_rpc.sink_not_found(name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'sink "%" does not exist', sink_not_found.name
		USING ERRCODE = 'undefined_object',
		      HINT = 'SELECT name FROM rpc_sinks lists the sinks; rpc_sink_add() creates one.';
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_not_found(text) IS
	'raises the error for a sink that does not exist';
REVOKE ALL ON FUNCTION pgwatch_rpc.sink_not_found(text) FROM PUBLIC;

--------------------------------------------------------------------------------------------
-- rpc_sink_add
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc.sink_add(kind text, name text, config jsonb, secrets jsonb, enabled boolean)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	sink_name text := coalesce(sink_add.name, sink_add.kind);
BEGIN
	PERFORM pgwatch_rpc.sink_name_check(sink_name);
	PERFORM pgwatch_rpc.sink_validate(sink_name, sink_add.kind, sink_add.config, sink_add.secrets);
	IF sink_add.enabled IS NULL THEN
		RAISE EXCEPTION 'enabled must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	BEGIN
		INSERT INTO pgwatch_rpc.sinks (name, kind, config, secrets, enabled)
		VALUES (sink_name, sink_add.kind, sink_add.config, sink_add.secrets, sink_add.enabled);
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION 'sink "%" already exists', sink_name
			USING ERRCODE = 'duplicate_object',
			      HINT = pg_catalog.format('Choose another name with rpc_sink_add(%L, name => ...), or change it with rpc_sink_alter(%L, ...).',
			                               sink_add.kind, sink_name);
	END;
	-- A new sink starts at the current end of each listener's rows: it delivers what arrives
	-- from now on, not the whole spool.
	INSERT INTO pgwatch_rpc.sink_cursors (sink, listener_id, seq)
	SELECT sink_name, l.id,
	       coalesce((SELECT max(s.seq) FROM pgwatch_rpc.spool AS s WHERE s.listener_id = l.id), 0)
	FROM pgwatch_rpc.listeners AS l;
	PERFORM pgwatch_rpc.sink_changed(sink_name);
	RETURN sink_name;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_add(text, text, jsonb, jsonb, boolean) IS
	'implementation of rpc_sink_add (runs as the extension owner)';
REVOKE ALL ON FUNCTION pgwatch_rpc.sink_add(text, text, jsonb, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.sink_add(text, text, jsonb, jsonb, boolean) TO pgwatch_rpc_admin;

CREATE FUNCTION @extschema@.rpc_sink_add(kind text, name text DEFAULT NULL, config jsonb DEFAULT '{}',
                                         secrets jsonb DEFAULT '{}', enabled boolean DEFAULT true)
RETURNS text LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to add a sink'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	RETURN pgwatch_rpc.sink_add(rpc_sink_add.kind, rpc_sink_add.name, rpc_sink_add.config,
	                            rpc_sink_add.secrets, rpc_sink_add.enabled);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_sink_add(text, text, jsonb, jsonb, boolean) IS
	'adds a sink (name defaults to the kind) after validating its configuration; returns its name';

--------------------------------------------------------------------------------------------
-- rpc_sink_alter: NULL keeps the current config or secrets.
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc.sink_alter(name text, config jsonb, secrets jsonb)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	current_sink pgwatch_rpc.sinks;
BEGIN
	PERFORM pgwatch_rpc.sink_name_check(sink_alter.name);
	SELECT * INTO current_sink FROM pgwatch_rpc.sinks AS s WHERE s.name = sink_alter.name FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM pgwatch_rpc.sink_not_found(sink_alter.name);
	END IF;
	PERFORM pgwatch_rpc.sink_validate(sink_alter.name, current_sink.kind,
	                                  coalesce(sink_alter.config, current_sink.config),
	                                  coalesce(sink_alter.secrets, current_sink.secrets));
	UPDATE pgwatch_rpc.sinks AS s
	SET config = coalesce(sink_alter.config, s.config), secrets = coalesce(sink_alter.secrets, s.secrets),
	    generation = s.generation + 1, updated_at = pg_catalog.now()
	WHERE s.name = sink_alter.name;
	PERFORM pgwatch_rpc.sink_changed(sink_alter.name);
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_alter(text, jsonb, jsonb) IS
	'implementation of rpc_sink_alter (runs as the extension owner)';
REVOKE ALL ON FUNCTION pgwatch_rpc.sink_alter(text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.sink_alter(text, jsonb, jsonb) TO pgwatch_rpc_admin;

CREATE FUNCTION @extschema@.rpc_sink_alter(name text, config jsonb DEFAULT NULL, secrets jsonb DEFAULT NULL)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to alter a sink'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	PERFORM pgwatch_rpc.sink_alter(rpc_sink_alter.name, rpc_sink_alter.config, rpc_sink_alter.secrets);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_sink_alter(text, jsonb, jsonb) IS
	'replaces the config and/or the secrets of a sink (NULL keeps them); its delivery child restarts';

--------------------------------------------------------------------------------------------
-- rpc_sink_drop, rpc_sink_enable, rpc_sink_disable
--------------------------------------------------------------------------------------------
CREATE FUNCTION pgwatch_rpc.sink_drop(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM pgwatch_rpc.sink_name_check(sink_drop.name);
	-- Cursors and status go with it (ON DELETE CASCADE); dead letters stay for inspection.
	DELETE FROM pgwatch_rpc.sinks AS s WHERE s.name = sink_drop.name;
	IF NOT FOUND THEN
		PERFORM pgwatch_rpc.sink_not_found(sink_drop.name);
	END IF;
	PERFORM pgwatch_rpc.sink_changed(sink_drop.name);
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_drop(text) IS
	'implementation of rpc_sink_drop (runs as the extension owner)';

CREATE FUNCTION pgwatch_rpc.sink_set_enabled(name text, enabled boolean)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	was_enabled boolean;
BEGIN
	PERFORM pgwatch_rpc.sink_name_check(sink_set_enabled.name);
	SELECT s.enabled INTO was_enabled FROM pgwatch_rpc.sinks AS s
	WHERE s.name = sink_set_enabled.name FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM pgwatch_rpc.sink_not_found(sink_set_enabled.name);
	END IF;
	IF was_enabled = sink_set_enabled.enabled THEN
		RAISE NOTICE 'sink "%" is already %', sink_set_enabled.name,
			CASE WHEN sink_set_enabled.enabled THEN 'enabled' ELSE 'disabled' END;
		RETURN;
	END IF;
	UPDATE pgwatch_rpc.sinks AS s
	SET enabled = sink_set_enabled.enabled, generation = s.generation + 1, updated_at = pg_catalog.now()
	WHERE s.name = sink_set_enabled.name;
	PERFORM pgwatch_rpc.sink_changed(sink_set_enabled.name);
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_set_enabled(text, boolean) IS
	'implementation of rpc_sink_enable and rpc_sink_disable (runs as the extension owner)';

REVOKE ALL ON FUNCTION pgwatch_rpc.sink_drop(text), pgwatch_rpc.sink_set_enabled(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.sink_drop(text), pgwatch_rpc.sink_set_enabled(text, boolean)
	TO pgwatch_rpc_admin;

CREATE FUNCTION @extschema@.rpc_sink_drop(name text)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to drop a sink'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	PERFORM pgwatch_rpc.sink_drop(rpc_sink_drop.name);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_sink_drop(text) IS
	'drops a sink with its cursors and status (its dead letters stay); its delivery child stops';

CREATE FUNCTION @extschema@.rpc_sink_enable(name text)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to enable a sink'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	PERFORM pgwatch_rpc.sink_set_enabled(rpc_sink_enable.name, true);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_sink_enable(text) IS
	'enables a sink: its delivery child starts and continues from the sink''s cursor';

CREATE FUNCTION @extschema@.rpc_sink_disable(name text)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to disable a sink'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	PERFORM pgwatch_rpc.sink_set_enabled(rpc_sink_disable.name, false);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_sink_disable(text) IS
	'disables a sink: its delivery child stops; the cursor stays where it is';

--------------------------------------------------------------------------------------------
-- rpc_sinks: configuration with secrets redacted.
--------------------------------------------------------------------------------------------
CREATE VIEW @extschema@.rpc_sinks AS
SELECT s.name, s.kind, s.enabled,
       (SELECT coalesce(pg_catalog.jsonb_object_agg(e.key,
                            CASE WHEN e.key = ANY (pgwatch_rpc._sink_secret_keys(s.kind))
                                 THEN '"********"'::jsonb ELSE e.value END), '{}'::jsonb)
        FROM pg_catalog.jsonb_each(s.config) AS e) AS config,
       (SELECT coalesce(pg_catalog.jsonb_object_agg(e.key, '"********"'::jsonb), '{}'::jsonb)
        FROM pg_catalog.jsonb_each(s.secrets) AS e) AS secrets,
       s.created_at, s.updated_at
FROM pgwatch_rpc.sinks AS s;
COMMENT ON VIEW @extschema@.rpc_sinks IS
	'sinks and their configuration; secret values are shown as ********';
REVOKE ALL ON @extschema@.rpc_sinks FROM PUBLIC;
GRANT SELECT ON @extschema@.rpc_sinks TO pgwatch_rpc_admin, pgwatch_rpc_monitor;

--------------------------------------------------------------------------------------------
-- Spool retention (issue #3). The launcher calls spool_apply_retention about once a minute
-- with pgwatch_rpc.spool_retention and pgwatch_rpc.spool_max_size. A daily partition goes
-- when its day ended longer than the retention ago and every enabled sink has delivered it;
-- a disabled sink holds nothing. Above spool_max_size the oldest past partitions go whoever
-- has not delivered them. Either way, what a sink had not delivered is added to its losses
-- (rpc_stat_sinks) and logged. Today's and future partitions are never dropped.
--------------------------------------------------------------------------------------------
CREATE TABLE pgwatch_rpc.sink_losses (
	sink           text PRIMARY KEY REFERENCES pgwatch_rpc.sinks (name) ON DELETE CASCADE ON UPDATE CASCADE,
	lost_envelopes bigint NOT NULL,
	lost_rows      bigint NOT NULL, -- measurement rows (nrows) of those envelopes
	last_loss_at   timestamptz NOT NULL
);

-- spool_undelivered_exists: is there a row of relation received before `before` that an
-- enabled sink has not delivered? Rows after the sink's cursor are undelivered; a listener
-- the sink has no cursor for is undelivered from its first row (as in rpc_stat_sinks).
CREATE FUNCTION pgwatch_rpc.spool_undelivered_exists(relation regclass, before timestamptz)
RETURNS boolean LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	found_one boolean;
BEGIN
	-- One index probe per (enabled sink, listener) on (listener_id, seq): no partition scan.
	EXECUTE pg_catalog.format(
		'SELECT EXISTS (
		   SELECT FROM pgwatch_rpc.sinks AS s
		   CROSS JOIN pgwatch_rpc.listeners AS l
		   LEFT JOIN pgwatch_rpc.sink_cursors AS c ON c.sink = s.name AND c.listener_id = l.id
		   WHERE s.enabled
		     AND EXISTS (SELECT FROM %s AS sp WHERE sp.listener_id = l.id
		                 AND sp.seq > coalesce(c.seq, 0) AND sp.received_at < $1))',
		spool_undelivered_exists.relation)
	INTO found_one USING spool_undelivered_exists.before;
	RETURN found_one;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.spool_undelivered_exists(regclass, timestamptz) IS
	'whether an enabled sink has not delivered a row of the spool partition received before the given time';
REVOKE ALL ON FUNCTION pgwatch_rpc.spool_undelivered_exists(regclass, timestamptz) FROM PUBLIC;

-- spool_record_losses adds to each sink's losses the rows of relation received before
-- `before` that it has not delivered, enabled or not, and logs a warning per sink. It runs
-- before the rows go: a delivery child that advances its cursor in between makes the count
-- too high, never too low.
CREATE FUNCTION pgwatch_rpc.spool_record_losses(relation regclass, before timestamptz, reason text)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	loss record;
BEGIN
	FOR loss IN EXECUTE pg_catalog.format(
		'SELECT s.name, s.enabled, sum(u.envelopes)::bigint AS envelopes, sum(u.nrows)::bigint AS nrows
		 FROM pgwatch_rpc.sinks AS s
		 CROSS JOIN pgwatch_rpc.listeners AS l
		 LEFT JOIN pgwatch_rpc.sink_cursors AS c ON c.sink = s.name AND c.listener_id = l.id
		 CROSS JOIN LATERAL (
		   SELECT pg_catalog.count(*) AS envelopes,
		          coalesce(pg_catalog.sum(sp.nrows) FILTER (WHERE sp.kind = ''measurement''), 0) AS nrows
		   FROM %s AS sp
		   WHERE sp.listener_id = l.id AND sp.seq > coalesce(c.seq, 0) AND sp.received_at < $1) AS u
		 GROUP BY s.name, s.enabled
		 HAVING sum(u.envelopes) > 0
		 ORDER BY s.name', spool_record_losses.relation)
		USING spool_record_losses.before
	LOOP
		INSERT INTO pgwatch_rpc.sink_losses AS lo (sink, lost_envelopes, lost_rows, last_loss_at)
		VALUES (loss.name, loss.envelopes, loss.nrows, pg_catalog.now())
		ON CONFLICT (sink) DO UPDATE
		SET lost_envelopes = lo.lost_envelopes + EXCLUDED.lost_envelopes,
		    lost_rows = lo.lost_rows + EXCLUDED.lost_rows, last_loss_at = EXCLUDED.last_loss_at;
		RAISE WARNING 'pgwatch_rpc: sink "%" lost % envelopes (% measurement rows) it had not delivered: %',
			loss.name, loss.envelopes, loss.nrows,
			CASE spool_record_losses.reason
			     WHEN 'max_size' THEN 'the spool exceeded pgwatch_rpc.spool_max_size'
			     ELSE 'the sink is disabled and they were older than pgwatch_rpc.spool_retention' END
			USING DETAIL = pg_catalog.format('They were in %s, received before %s.',
			                                 spool_record_losses.relation, spool_record_losses.before),
			      HINT = CASE WHEN spool_record_losses.reason = 'max_size'
			                  THEN 'rpc_stat_sinks shows why the sink is behind; a larger pgwatch_rpc.spool_max_size gives it more time.'
			                  ELSE 'A disabled sink keeps its place in the spool for pgwatch_rpc.spool_retention; drop a sink that is no longer needed.' END;
	END LOOP;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.spool_record_losses(regclass, timestamptz, text) IS
	'adds the rows of a spool partition received before the given time that each sink has not delivered to its losses, with a warning per sink';
REVOKE ALL ON FUNCTION pgwatch_rpc.spool_record_losses(regclass, timestamptz, text) FROM PUBLIC;

-- spool_past_partitions: the daily partitions whose day ended by `until`, oldest first, with
-- their upper bound (read back from the partition bound; the default partition has none) and
-- their size on disk.
CREATE FUNCTION pgwatch_rpc.spool_past_partitions(until timestamptz)
RETURNS TABLE (relation regclass, upper_bound timestamptz, bytes bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT b.relation, b.upper_bound, pg_catalog.pg_total_relation_size(b.relation)
	FROM (SELECT c.oid::regclass AS relation,
	             pg_catalog.substring(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
	                                  'TO \(''([^'']+)''\)')::timestamptz AS upper_bound
	      FROM pg_catalog.pg_inherits AS i
	      JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
	      WHERE i.inhparent = 'pgwatch_rpc.spool'::regclass AND c.relkind = 'r') AS b
	WHERE b.upper_bound <= spool_past_partitions.until
	ORDER BY b.upper_bound
$$;
COMMENT ON FUNCTION pgwatch_rpc.spool_past_partitions(timestamptz) IS
	'the spool''s daily partitions whose day ended by the given time, oldest first, with their upper bound and size';
REVOKE ALL ON FUNCTION pgwatch_rpc.spool_past_partitions(timestamptz) FROM PUBLIC;

-- spool_apply_retention drops (1) the past daily partitions whose day ended before
-- now() - retention and that every enabled sink has delivered, and deletes such rows from
-- spool_default (rows land there for a day whose partition was missing); then (2) while the
-- spool is larger than max_size bytes (0: no cap), the oldest remaining past partitions.
-- Dropping a partition locks the whole spool (ACCESS EXCLUSIVE on the parent) until commit,
-- so everything slow happens first and the drops last; a lock not granted within
-- lock_timeout postpones the work to the next call rather than stall the listener's inserts,
-- which queue behind a waiting lock. No JIT: the sink and listener tables are too small to
-- be analyzed, the planner's guesses cross jit_above_cost, and compiling these queries took
-- a second where running them takes milliseconds.
CREATE FUNCTION pgwatch_rpc.spool_apply_retention(retention interval, max_size bigint)
RETURNS TABLE (partition text, reason text, bytes bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET lock_timeout = '1s' SET jit = off AS $$
DECLARE
	today timestamptz := (pg_catalog.now() AT TIME ZONE 'UTC')::date::timestamp AT TIME ZONE 'UTC';
	cutoff timestamptz;
	spool_bytes bigint;
	part record;
	victims regclass[] := '{}';
	victim_names text[] := '{}';
	victim_bounds timestamptz[] := '{}';
	victim_reasons text[] := '{}';
	victim_bytes bigint[] := '{}';
	default_rows bigint := 0;
BEGIN
	IF spool_apply_retention.retention IS NULL OR spool_apply_retention.retention < interval '0' THEN
		RAISE EXCEPTION 'retention must be zero or positive, not %',
			coalesce(spool_apply_retention.retention::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF spool_apply_retention.max_size IS NULL OR spool_apply_retention.max_size < 0 THEN
		RAISE EXCEPTION 'max_size must be zero (no cap) or a positive number of bytes, not %',
			coalesce(spool_apply_retention.max_size::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	BEGIN
		-- One run at a time (this lock mode conflicts with itself, not with inserts or reads): a
		-- second caller waits for the first, then finds less to do.
		LOCK TABLE ONLY pgwatch_rpc.spool IN SHARE UPDATE EXCLUSIVE MODE;
		cutoff := least(pg_catalog.now() - spool_apply_retention.retention, today);
		spool_bytes := pgwatch_rpc.spool_size();

		-- (1) Retention: only enabled sinks hold a partition.
		FOR part IN SELECT * FROM pgwatch_rpc.spool_past_partitions(cutoff) LOOP
			CONTINUE WHEN pgwatch_rpc.spool_undelivered_exists(part.relation, part.upper_bound);
			victims := victims || part.relation;
			victim_names := victim_names || part.relation::text;
			victim_bounds := victim_bounds || part.upper_bound;
			victim_reasons := victim_reasons || 'retention'::text;
			victim_bytes := victim_bytes || part.bytes;
			spool_bytes := spool_bytes - part.bytes;
		END LOOP;
		-- (2) Size: the oldest first, whoever has not delivered them.
		FOR part IN SELECT * FROM pgwatch_rpc.spool_past_partitions(today) LOOP
			EXIT WHEN spool_apply_retention.max_size = 0 OR spool_bytes <= spool_apply_retention.max_size;
			CONTINUE WHEN part.relation = ANY (victims);
			victims := victims || part.relation;
			victim_names := victim_names || part.relation::text;
			victim_bounds := victim_bounds || part.upper_bound;
			victim_reasons := victim_reasons || 'max_size'::text;
			victim_bytes := victim_bytes || part.bytes;
			spool_bytes := spool_bytes - part.bytes;
		END LOOP;

		FOR i IN 1 .. pg_catalog.cardinality(victims) LOOP
			PERFORM pgwatch_rpc.spool_record_losses(victims[i], victim_bounds[i], victim_reasons[i]);
		END LOOP;
		-- Past days' rows in the default partition go like a partition would, but by DELETE,
		-- which does not block inserts.
		IF NOT pgwatch_rpc.spool_undelivered_exists('pgwatch_rpc.spool_default', cutoff) THEN
			PERFORM pgwatch_rpc.spool_record_losses('pgwatch_rpc.spool_default', cutoff, 'retention');
			DELETE FROM pgwatch_rpc.spool_default AS d WHERE d.received_at < cutoff;
			GET DIAGNOSTICS default_rows = ROW_COUNT;
		END IF;
		-- Last, so that the spool stays locked only for the drops and the commit.
		FOR i IN 1 .. pg_catalog.cardinality(victims) LOOP
			EXECUTE pg_catalog.format('DROP TABLE %s', victims[i]);
		END LOOP;
	EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
		RAISE LOG 'pgwatch_rpc: spool retention postponed: %', SQLERRM
			USING DETAIL = 'Another session holds a lock on the spool; the next run tries again.';
		RETURN;
	END;

	FOR i IN 1 .. pg_catalog.cardinality(victims) LOOP
		RAISE LOG 'pgwatch_rpc: dropped spool partition % (%, % bytes)',
			victim_names[i], victim_reasons[i], victim_bytes[i];
		partition := victim_names[i];
		reason := victim_reasons[i];
		bytes := victim_bytes[i];
		RETURN NEXT;
	END LOOP;
	IF default_rows > 0 THEN
		RAISE LOG 'pgwatch_rpc: deleted % rows received before % from pgwatch_rpc.spool_default (retention)',
			default_rows, cutoff;
		-- No space is dropped: VACUUM makes it reusable.
		partition := 'pgwatch_rpc.spool_default';
		reason := 'retention';
		bytes := NULL;
		RETURN NEXT;
	END IF;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.spool_apply_retention(interval, bigint) IS
	'drops past spool partitions older than retention that every enabled sink has delivered, then the oldest while the spool exceeds max_size bytes; counts and logs what each sink loses; returns what it dropped (bytes NULL for rows deleted from spool_default)';
REVOKE ALL ON FUNCTION pgwatch_rpc.spool_apply_retention(interval, bigint) FROM PUBLIC;

--------------------------------------------------------------------------------------------
-- rpc_sink_test: one test measurement through a sink, now. The backend queues the request
-- in the launcher's shared memory; the launcher starts `pgwatch-rpc test-sink`, which sends
-- it (never the backend) and inserts the outcome into sink_tests, where the waiting
-- function finds it with a fresh snapshot (hence READ COMMITTED).
--------------------------------------------------------------------------------------------
CREATE TABLE pgwatch_rpc.sink_tests (
	id          bigint PRIMARY KEY,
	sink        text NOT NULL,
	finished_at timestamptz NOT NULL DEFAULT now(),
	ok          boolean NOT NULL,
	outcome     text NOT NULL,
	duration_ms float8 NOT NULL
);
GRANT INSERT ON pgwatch_rpc.sink_tests TO pgwatch_rpc_delivery;
CREATE SEQUENCE pgwatch_rpc.sink_test_ids;

CREATE FUNCTION pgwatch_rpc._request_sink_test(name text, request_id bigint) RETURNS void
	LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', '_request_sink_test';
COMMENT ON FUNCTION pgwatch_rpc._request_sink_test(text, bigint) IS
	'queues a sink test for the launcher at once (not at commit)';
REVOKE ALL ON FUNCTION pgwatch_rpc._request_sink_test(text, bigint) FROM PUBLIC;

CREATE FUNCTION pgwatch_rpc.sink_test(name text, timeout interval)
RETURNS TABLE (ok boolean, outcome text, duration_ms float8)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	request_id bigint;
	deadline   timestamptz;
	result     record;
BEGIN
	PERFORM pgwatch_rpc.sink_name_check(sink_test.name);
	IF NOT EXISTS (SELECT FROM pgwatch_rpc.sinks AS s WHERE s.name = sink_test.name) THEN
		PERFORM pgwatch_rpc.sink_not_found(sink_test.name);
	END IF;
	IF sink_test.timeout IS NULL OR sink_test.timeout <= interval '0' OR sink_test.timeout > interval '10 min' THEN
		RAISE EXCEPTION 'invalid timeout %', sink_test.timeout
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Give a timeout between 0 and 10 minutes, e.g. timeout => ''30 s''.';
	END IF;
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'rpc_sink_test needs the READ COMMITTED isolation level'
			USING ERRCODE = 'active_sql_transaction',
			      DETAIL = 'It waits for an outcome that another process commits, which a transaction snapshot never shows.',
			      HINT = 'Call it outside a REPEATABLE READ or SERIALIZABLE transaction.';
	END IF;
	request_id := pg_catalog.nextval('pgwatch_rpc.sink_test_ids');
	PERFORM pgwatch_rpc._request_sink_test(sink_test.name, request_id);
	deadline := pg_catalog.clock_timestamp() + sink_test.timeout;
	LOOP
		SELECT t.ok, t.outcome, t.duration_ms INTO result FROM pgwatch_rpc.sink_tests AS t WHERE t.id = request_id;
		IF FOUND THEN
			DELETE FROM pgwatch_rpc.sink_tests AS t WHERE t.id = request_id;
			RETURN QUERY SELECT result.ok, result.outcome, result.duration_ms;
			RETURN;
		END IF;
		IF pg_catalog.clock_timestamp() >= deadline THEN
			RAISE EXCEPTION 'no outcome of the test of sink "%" within %', sink_test.name, sink_test.timeout
				USING ERRCODE = 'query_canceled',
				      HINT = pg_catalog.format('The server log shows what pgwatch-rpc test-sink %s said; a longer timeout => may help.',
				                               sink_test.name);
		END IF;
		PERFORM pg_catalog.pg_sleep(0.05);
	END LOOP;
END
$$;
COMMENT ON FUNCTION pgwatch_rpc.sink_test(text, interval) IS
	'implementation of rpc_sink_test (runs as the extension owner)';
REVOKE ALL ON FUNCTION pgwatch_rpc.sink_test(text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgwatch_rpc.sink_test(text, interval) TO pgwatch_rpc_admin;

CREATE FUNCTION @extschema@.rpc_sink_test(name text, timeout interval DEFAULT '30 s')
RETURNS TABLE (ok boolean, outcome text, duration_ms float8)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT pg_catalog.pg_has_role(current_user, 'pgwatch_rpc_admin', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to test a sink'
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = pg_catalog.format('Role %I does not have the privileges of pgwatch_rpc_admin.', current_user),
			      HINT = pg_catalog.format('GRANT pgwatch_rpc_admin TO %I;', current_user);
	END IF;
	RETURN QUERY SELECT * FROM pgwatch_rpc.sink_test(rpc_sink_test.name, rpc_sink_test.timeout);
END
$$;
COMMENT ON FUNCTION @extschema@.rpc_sink_test(text, interval) IS
	'sends one test measurement (metric pgwatch_rpc_sink_test) through the sink now and returns the outcome';

--------------------------------------------------------------------------------------------
-- rpc_stat_sinks: each sink's state and counters (pgwatch_rpc.sink_status.stats, written by
-- its delivery child), what spool retention dropped before it delivered it
-- (pgwatch_rpc.sink_losses), and its backlog: the spool rows after its cursors.
--------------------------------------------------------------------------------------------
CREATE VIEW @extschema@.rpc_stat_sinks AS
SELECT s.name, s.kind, s.enabled,
       -- A delivery process reports about once a second, and between batches only: a minute
       -- of silence means it is gone or stuck in one very long delivery.
       CASE WHEN NOT s.enabled THEN 'disabled'
            WHEN st.state IS NULL THEN 'starting'
            WHEN st.state <> 'failing_config' AND st.updated_at < pg_catalog.now() - interval '1 minute' THEN 'stalled'
            ELSE st.state END AS state,
       st.pid,
       coalesce((st.stats->>'delivered_envelopes')::numeric::bigint, 0) AS delivered_envelopes,
       coalesce((st.stats->>'delivered_rows')::numeric::bigint, 0) AS delivered_rows,
       coalesce((st.stats->>'retries')::numeric::bigint, 0) AS retries,
       coalesce((st.stats->>'dead_letters')::numeric::bigint, 0) AS dead_letters,
       coalesce(lo.lost_envelopes, 0) AS lost_envelopes, coalesce(lo.lost_rows, 0) AS lost_rows,
       lo.last_loss_at,
       b.envelopes AS backlog_envelopes, b.nrows AS backlog_rows, b.bytes AS backlog_bytes,
       coalesce(extract(epoch FROM pg_catalog.now() - b.oldest), 0)::float8 AS lag_seconds,
       (st.stats->>'last_success_at')::timestamptz AS last_success_at,
       st.stats->>'last_error' AS last_error,
       (st.stats->>'last_error_at')::timestamptz AS last_error_at
FROM pgwatch_rpc.sinks AS s
LEFT JOIN pgwatch_rpc.sink_status AS st ON st.sink = s.name
LEFT JOIN pgwatch_rpc.sink_losses AS lo ON lo.sink = s.name
CROSS JOIN LATERAL (
	-- A listener the sink has no cursor for yet is delivered from its first row.
	SELECT pg_catalog.count(*) AS envelopes,
	       coalesce(pg_catalog.sum(sp.nrows), 0)::bigint AS nrows,
	       coalesce(pg_catalog.sum(pg_catalog.octet_length(sp.payload)), 0)::bigint AS bytes,
	       pg_catalog.min(sp.received_at) AS oldest
	FROM pgwatch_rpc.listeners AS l
	LEFT JOIN pgwatch_rpc.sink_cursors AS c ON c.sink = s.name AND c.listener_id = l.id
	JOIN pgwatch_rpc.spool AS sp ON sp.listener_id = l.id AND sp.seq > coalesce(c.seq, 0)
) AS b;
COMMENT ON VIEW @extschema@.rpc_stat_sinks IS
	'state, delivery counters, losses to spool retention, backlog (envelopes, rows, bytes), lag and last error of each sink';
REVOKE ALL ON @extschema@.rpc_stat_sinks FROM PUBLIC;
GRANT SELECT ON @extschema@.rpc_stat_sinks TO pgwatch_rpc_admin, pgwatch_rpc_monitor;
