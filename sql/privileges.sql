-- Who may do what: a role outside pgwatch_rpc_admin cannot create, rotate, revoke or read
-- keys; pgwatch_rpc_monitor reads the views only; nothing exposes a secret or its hash; every
-- internal object is closed to PUBLIC. Errors say which role to grant.
\set SHOW_CONTEXT never

CREATE ROLE regress_plain;
CREATE ROLE regress_monitor IN ROLE pgwatch_rpc_monitor;
CREATE ROLE regress_admin IN ROLE pgwatch_rpc_admin;
CREATE ROLE regress_noinherit NOINHERIT IN ROLE pgwatch_rpc_admin;
SELECT length(rpc_key_create('regress_key')) AS secret_length;

-- ---------------------------------------------------------------------------------------
-- A plain role
-- ---------------------------------------------------------------------------------------
SET ROLE regress_plain;
SELECT rpc_key_create('plain_key');
SELECT rpc_rotate_key('regress_key');
SELECT rpc_key_revoke('regress_key');
SELECT rpc_tls_certificate();
SELECT rpc_decode('\x', 'define');
SELECT * FROM rpc_keys;
SELECT * FROM rpc_stat_listener;
SELECT * FROM rpc_sources;
SELECT * FROM rpc_metric_definitions;
SELECT * FROM pgwatch_rpc.keys;
SELECT pgwatch_rpc.key_create('plain_key', NULL, NULL);
SELECT pgwatch_rpc._new_secret();
RESET ROLE;

-- The role checked is the one the caller acts as: a superuser session that SET ROLE to a
-- plain role is refused, and so is a SECURITY DEFINER function owned by a plain role.
CREATE FUNCTION regress_plain_creates_key() RETURNS text
	LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$ SELECT rpc_key_create('via_definer') $$;
ALTER FUNCTION regress_plain_creates_key() OWNER TO regress_plain;
SELECT regress_plain_creates_key();
DROP FUNCTION regress_plain_creates_key();

-- ---------------------------------------------------------------------------------------
-- A member of pgwatch_rpc_monitor: views yes, keys and secrets no
-- ---------------------------------------------------------------------------------------
SET ROLE regress_monitor;
SELECT name, status FROM rpc_keys WHERE name = 'regress_key';
SELECT count(*) >= 0 AS can_read FROM rpc_stat_listener;
SELECT count(*) >= 0 AS can_read FROM rpc_sources;
SELECT count(*) >= 0 AS can_read FROM rpc_metric_definitions;
SELECT rpc_decode('\x', 'define') AS decoded;
SELECT rpc_key_create('monitor_key');
SELECT rpc_rotate_key('regress_key');
SELECT rpc_key_revoke('regress_key');
SELECT * FROM pgwatch_rpc.keys;
SELECT name FROM pgwatch_rpc.keys;
SELECT pgwatch_rpc.key_create('monitor_key', NULL, NULL);
SELECT pgwatch_rpc._new_secret();
SELECT pgwatch_rpc._key_file_path();
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- A member of pgwatch_rpc_admin: manages keys through the API, still cannot read hashes
-- ---------------------------------------------------------------------------------------
SET ROLE regress_admin;
SELECT length(rpc_key_create('admin_key', sources => ARRAY['db*'])) AS secret_length;
SELECT length(rpc_rotate_key('admin_key', grace => '1 minute')) AS secret_length;
SELECT rpc_key_revoke('admin_key');
SELECT name, status, sources FROM rpc_keys WHERE name = 'admin_key';
SELECT count(*) >= 0 AS can_read FROM rpc_stat_listener;
SELECT * FROM pgwatch_rpc.keys;
SELECT pgwatch_rpc._new_secret();
SELECT pgwatch_rpc._fingerprint('x');
SELECT pgwatch_rpc._stage_key_file('not-a-secret');
SELECT pgwatch_rpc._key_file_path();
SELECT pgwatch_rpc.listener_register('admin');
SELECT pgwatch_rpc.spool_size();
INSERT INTO pgwatch_rpc.spool (listener_id, seq, key_name, kind, dbname, metric, nrows, payload)
VALUES (1, 1, 'x', 'measurement', 'db', 'm', 0, '\x');
RESET ROLE;

-- A NOINHERIT member has the privileges of pgwatch_rpc_admin only after SET ROLE.
SET ROLE regress_noinherit;
SELECT rpc_key_create('noinherit_key');
SET ROLE pgwatch_rpc_admin;
SELECT length(rpc_key_create('noinherit_key')) AS secret_length;
RESET ROLE;

SELECT name, status FROM rpc_keys WHERE name IN ('regress_key', 'admin_key', 'noinherit_key', 'plain_key', 'monitor_key', 'via_definer')
ORDER BY name;

-- ---------------------------------------------------------------------------------------
-- Nothing exposes a secret or a hash
-- ---------------------------------------------------------------------------------------
CREATE TEMP VIEW extension_objects AS
SELECT d.classid, d.objid FROM pg_depend AS d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgwatch_rpc');

-- The extension's views and their columns.
SELECT c.table_schema = current_schema() AS in_extension_schema, c.table_name,
       string_agg(c.column_name, ', ' ORDER BY c.ordinal_position) AS columns
FROM information_schema.columns AS c
JOIN pg_class AS r ON r.relname = c.table_name AND r.relnamespace = c.table_schema::regnamespace
JOIN extension_objects AS e ON e.classid = 'pg_class'::regclass AND e.objid = r.oid
WHERE r.relkind = 'v'
GROUP BY 1, 2 ORDER BY 2;
-- No view column is or carries a secret or a hash.
SELECT c.table_name, c.column_name
FROM information_schema.columns AS c
JOIN pg_class AS r ON r.relname = c.table_name AND r.relnamespace = c.table_schema::regnamespace
JOIN extension_objects AS e ON e.classid = 'pg_class'::regclass AND e.objid = r.oid
WHERE r.relkind = 'v' AND (c.column_name ~ 'secret|hash' OR c.data_type = 'bytea');
-- What the monitor and admin roles may read directly: the views, nothing in pgwatch_rpc.
SELECT r.relnamespace::regnamespace AS schema, r.relname,
       has_table_privilege('pgwatch_rpc_monitor', r.oid, 'SELECT') AS monitor_reads,
       has_table_privilege('pgwatch_rpc_admin', r.oid, 'SELECT') AS admin_reads,
       has_table_privilege('pgwatch_rpc_listener', r.oid, 'SELECT') AS listener_reads_some
FROM pg_class AS r JOIN extension_objects AS e ON e.classid = 'pg_class'::regclass AND e.objid = r.oid
WHERE r.relkind IN ('r', 'p', 'v')
ORDER BY 1, 2;
-- The listener reads key hashes (to authenticate) but nothing else of the keys.
SELECT string_agg(attname, ', ' ORDER BY attnum) AS listener_key_columns
FROM pg_attribute
WHERE attrelid = 'pgwatch_rpc.keys'::regclass AND attnum > 0
  AND has_column_privilege('pgwatch_rpc_listener', attrelid, attnum, 'SELECT');

-- ---------------------------------------------------------------------------------------
-- Nothing of the extension is open to PUBLIC except the API's entry points
-- ---------------------------------------------------------------------------------------
SELECT r.oid::regclass AS relation, a.privilege_type
FROM pg_class AS r JOIN extension_objects AS e ON e.classid = 'pg_class'::regclass AND e.objid = r.oid,
     aclexplode(coalesce(r.relacl, acldefault('r', r.relowner))) AS a
WHERE a.grantee = 0;
SELECT p.oid::regprocedure AS function
FROM pg_proc AS p JOIN extension_objects AS e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid,
     aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'
ORDER BY p.oid::regprocedure::text;
-- Every SECURITY DEFINER function pins its search_path; only schema pgwatch_rpc has them.
SELECT p.oid::regprocedure AS definer_function, p.proconfig
FROM pg_proc AS p JOIN extension_objects AS e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
WHERE p.prosecdef
ORDER BY p.oid::regprocedure::text;
-- The API's SECURITY INVOKER functions pin it too.
SELECT p.oid::regprocedure AS unpinned_function
FROM pg_proc AS p JOIN extension_objects AS e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
WHERE p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql')) AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false);
-- Every function and view says what it does.
SELECT pg_describe_object(e.classid, e.objid, 0) AS undocumented
FROM extension_objects AS e
WHERE e.classid IN ('pg_proc'::regclass, 'pg_class'::regclass)
  AND (e.classid <> 'pg_class'::regclass OR (SELECT relkind FROM pg_class WHERE oid = e.objid) = 'v')
  AND obj_description(e.objid, e.classid::regclass::name) IS NULL;

-- Clean up.
DROP ROLE regress_plain, regress_monitor, regress_admin, regress_noinherit;
