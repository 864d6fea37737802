-- API keys: rpc_key_create, rpc_rotate_key, rpc_key_revoke, expiry, and the key file that
-- follows the committed secret of key "default". Secrets, times and fingerprints vary from
-- run to run: only their properties are printed.
\set SHOW_CONTEXT never

-- The launcher creates key "default" and its key file soon after CREATE EXTENSION. The key
-- row is visible a moment before the commit callback renames the file, so wait for both.
DO $$
BEGIN
	FOR i IN 1 .. 600 LOOP
		EXIT WHEN EXISTS (
			SELECT FROM pgwatch_rpc.keys AS k
			WHERE k.name = 'default'
			  AND k.secret_hash = sha256(convert_to(
			          rtrim(pg_read_file(pgwatch_rpc._key_file_path(), 0, 1024, true), E'\n'), 'UTF8')));
		PERFORM pg_sleep(0.1);
	END LOOP;
END
$$;
SELECT name, status, fingerprint ~ '^[0-9a-f]{16}$' AS fingerprint_ok FROM rpc_keys ORDER BY name;
SELECT pgwatch_rpc._key_file_path() = current_setting('data_directory') || '/pgwatch_rpc/default.key'
	AS default_key_file_path;

-- Secrets are kept in a temporary table so the checks can refer to them without printing them.
CREATE TEMP TABLE secrets (name text PRIMARY KEY, secret text NOT NULL);

-- ---------------------------------------------------------------------------------------
-- Create
-- ---------------------------------------------------------------------------------------
INSERT INTO secrets VALUES ('k1', rpc_key_create('k1'));
SELECT length(secret) AS secret_length, secret ~ '^[A-Za-z0-9_-]{43}$' AS base64url FROM secrets;
-- Stored: SHA-256 of the secret and its fingerprint, nothing else derived from it.
SELECT k.secret_hash = sha256(convert_to(s.secret, 'UTF8')) AS hash_is_sha256,
       k.fingerprint = pgwatch_rpc._fingerprint(s.secret) AS fingerprint_ok,
       k.previous_hash IS NULL AS no_previous, k.expires_at IS NULL AS never_expires,
       k.sources IS NULL AS any_source
FROM pgwatch_rpc.keys AS k JOIN secrets AS s USING (name);
SELECT name, status, rotated_at, expires_at, revoked_at, last_used_at, sources, rotation_grace_until
FROM rpc_keys WHERE name = 'k1';

INSERT INTO secrets VALUES ('k2', rpc_key_create('k2', expires_in => '1 day', sources => ARRAY['prod-*', 'db1']));
SELECT name, status, expires_at - created_at AS lifetime, sources FROM rpc_keys WHERE name = 'k2';
-- Every secret is new.
SELECT count(DISTINCT secret) AS distinct_secrets, count(DISTINCT k.fingerprint) AS distinct_fingerprints
FROM secrets JOIN pgwatch_rpc.keys AS k USING (name);

-- A name is taken once.
SELECT rpc_key_create('k1');

-- Bad arguments: clear errors, nothing created.
SELECT rpc_key_create('');
SELECT rpc_key_create('bad name');
SELECT rpc_key_create('quote''s');
SELECT rpc_key_create(repeat('x', 64));
SELECT rpc_key_create(NULL);
SELECT rpc_key_create('k3', expires_in => '-1 day');
SELECT rpc_key_create('k3', expires_in => '0');
SELECT rpc_key_create('k3', sources => '{}');
SELECT rpc_key_create('k3', sources => ARRAY['']);
SELECT rpc_key_create('k3', sources => ARRAY['db1', NULL]);
SELECT rpc_key_create('k3', sources => '{{a},{b}}');
SELECT count(*) AS k3_rows FROM pgwatch_rpc.keys WHERE name = 'k3';
-- 63 characters is the longest name.
SELECT length(rpc_key_create(repeat('x', 63))) AS secret_length;
SELECT rpc_key_revoke(repeat('x', 63));

-- ---------------------------------------------------------------------------------------
-- Rotate
-- ---------------------------------------------------------------------------------------
CREATE TEMP TABLE before_rotation AS SELECT name, secret_hash, fingerprint FROM pgwatch_rpc.keys;

-- Without grace: the old secret is invalid at once.
UPDATE secrets SET secret = rpc_rotate_key('k1') WHERE name = 'k1';
SELECT k.secret_hash = sha256(convert_to(s.secret, 'UTF8')) AS new_hash,
       k.secret_hash <> b.secret_hash AS hash_changed, k.fingerprint <> b.fingerprint AS fingerprint_changed,
       k.previous_hash IS NULL AS no_previous, k.previous_valid_until IS NULL AS no_grace,
       k.rotated_at IS NOT NULL AS rotated
FROM pgwatch_rpc.keys AS k JOIN secrets AS s USING (name) JOIN before_rotation AS b USING (name)
WHERE name = 'k1';
SELECT name, status, rotation_grace_until FROM rpc_keys WHERE name = 'k1';

-- With grace: the previous hash stays valid until now() + grace.
TRUNCATE before_rotation;
INSERT INTO before_rotation SELECT name, secret_hash, fingerprint FROM pgwatch_rpc.keys;
UPDATE secrets SET secret = rpc_rotate_key('k1', grace => '5 minutes') WHERE name = 'k1';
SELECT k.secret_hash = sha256(convert_to(s.secret, 'UTF8')) AS new_hash,
       k.previous_hash = b.secret_hash AS previous_is_old_hash,
       k.previous_valid_until = k.rotated_at + interval '5 minutes' AS valid_for_grace
FROM pgwatch_rpc.keys AS k JOIN secrets AS s USING (name) JOIN before_rotation AS b USING (name)
WHERE name = 'k1';
SELECT name, status, rotation_grace_until = rotated_at + interval '5 minutes' AS in_grace FROM rpc_keys WHERE name = 'k1';
-- A grace period that has passed is not shown as one.
UPDATE pgwatch_rpc.keys SET previous_valid_until = now() - interval '1 second' WHERE name = 'k1';
SELECT name, rotation_grace_until FROM rpc_keys WHERE name = 'k1';

-- Another rotation without grace ends the grace period of the one before.
UPDATE secrets SET secret = rpc_rotate_key('k1', '0') WHERE name = 'k1';
SELECT previous_hash IS NULL AS no_previous, previous_valid_until IS NULL AS no_grace
FROM pgwatch_rpc.keys WHERE name = 'k1';

SELECT rpc_rotate_key('nosuchkey');
SELECT rpc_rotate_key('k1', grace => '-1 minute');
SELECT rpc_rotate_key('k1', grace => NULL);
SELECT rpc_rotate_key(NULL);
SELECT rpc_rotate_key('bad name');
-- None of those changed k1.
SELECT k.secret_hash = sha256(convert_to(s.secret, 'UTF8')) AS unchanged
FROM pgwatch_rpc.keys AS k JOIN secrets AS s USING (name) WHERE name = 'k1';

-- ---------------------------------------------------------------------------------------
-- Revoke
-- ---------------------------------------------------------------------------------------
UPDATE secrets SET secret = rpc_rotate_key('k2', grace => '1 hour') WHERE name = 'k2';
SELECT rpc_key_revoke('k2');
SELECT name, status, revoked_at IS NOT NULL AS revoked, rotation_grace_until FROM rpc_keys WHERE name = 'k2';
-- Revoking also ends a grace period: no hash of this key is accepted any more.
SELECT previous_hash IS NULL AS no_previous FROM pgwatch_rpc.keys WHERE name = 'k2';
SELECT rpc_key_revoke('k2');
SELECT rpc_rotate_key('k2');
SELECT rpc_key_create('k2');
SELECT rpc_key_revoke('nosuchkey');
SELECT rpc_key_revoke(NULL);
SELECT rpc_key_revoke('');

-- ---------------------------------------------------------------------------------------
-- Expiry
-- ---------------------------------------------------------------------------------------
INSERT INTO secrets VALUES ('short', rpc_key_create('short', expires_in => '1 second'));
SELECT expires_at - created_at AS lifetime FROM rpc_keys WHERE name = 'short';
SELECT pg_sleep(1.2);
SELECT name, status FROM rpc_keys WHERE name = 'short';
INSERT INTO secrets VALUES ('long', rpc_key_create('long', expires_in => '1 hour'));
SELECT name, status FROM rpc_keys WHERE name = 'long';
UPDATE pgwatch_rpc.keys SET expires_at = now() WHERE name = 'long';
SELECT name, status FROM rpc_keys WHERE name = 'long';
-- Revoked wins over expired.
SELECT rpc_key_revoke('long');
SELECT name, status FROM rpc_keys WHERE name = 'long';

-- ---------------------------------------------------------------------------------------
-- The key file holds the committed secret of key "default" (with a newline).
-- ---------------------------------------------------------------------------------------
CREATE TEMP VIEW key_file AS
SELECT pg_read_file(pgwatch_rpc._key_file_path(), 0, 1024, true) AS contents,
       (pg_stat_file(pgwatch_rpc._key_file_path() || '.new', true)).size IS NOT NULL AS staged;
CREATE TEMP VIEW default_key_matches_file AS
SELECT k.secret_hash = sha256(convert_to(rtrim(f.contents, E'\n'), 'UTF8')) AS file_matches_key,
       f.staged
FROM pgwatch_rpc.keys AS k, key_file AS f WHERE k.name = 'default';

-- Rotating "default" rewrites the file at commit.
INSERT INTO secrets VALUES ('default', rpc_rotate_key());
SELECT f.contents = s.secret || E'\n' AS file_is_new_secret, f.staged
FROM key_file AS f, secrets AS s WHERE s.name = 'default';
SELECT * FROM default_key_matches_file;

-- Rolled back: the file keeps the committed secret, and the staged copy is removed.
BEGIN;
SELECT length(rpc_rotate_key('default')) AS secret_length;
SELECT staged FROM key_file;
ROLLBACK;
SELECT f.contents = s.secret || E'\n' AS file_unchanged, f.staged
FROM key_file AS f, secrets AS s WHERE s.name = 'default';

-- A rotation in a savepoint that is rolled back does not reach the file; the one before it does.
BEGIN;
UPDATE secrets SET secret = rpc_rotate_key() WHERE name = 'default';
SAVEPOINT inner_rotation;
SELECT length(rpc_rotate_key()) AS secret_length;
ROLLBACK TO SAVEPOINT inner_rotation;
COMMIT;
SELECT f.contents = s.secret || E'\n' AS file_is_outer_secret, f.staged
FROM key_file AS f, secrets AS s WHERE s.name = 'default';
SELECT * FROM default_key_matches_file;

-- A rotation in a released savepoint reaches the file.
BEGIN;
SAVEPOINT inner_rotation;
UPDATE secrets SET secret = rpc_rotate_key() WHERE name = 'default';
RELEASE SAVEPOINT inner_rotation;
COMMIT;
SELECT f.contents = s.secret || E'\n' AS file_is_inner_secret, f.staged
FROM key_file AS f, secrets AS s WHERE s.name = 'default';

-- An error caught in PL/pgSQL rolls the rotation back, file included.
DO $$
BEGIN
	PERFORM rpc_rotate_key();
	RAISE EXCEPTION 'changed my mind';
EXCEPTION WHEN raise_exception THEN
	RAISE NOTICE 'rotation rolled back';
END
$$;
SELECT * FROM default_key_matches_file;

-- Several rotations in one transaction: the last one wins.
BEGIN;
SELECT length(rpc_rotate_key()) AS secret_length;
UPDATE secrets SET secret = rpc_rotate_key() WHERE name = 'default';
COMMIT;
SELECT f.contents = s.secret || E'\n' AS file_is_last_secret, f.staged
FROM key_file AS f, secrets AS s WHERE s.name = 'default';

-- A prepared transaction could commit where nothing installs the file: refused.
BEGIN;
SELECT length(rpc_rotate_key()) AS secret_length;
PREPARE TRANSACTION 'rotate_default';
SELECT * FROM default_key_matches_file;

-- Rotating another key leaves the file alone.
SELECT length(rpc_rotate_key('k1')) AS secret_length;
SELECT * FROM default_key_matches_file;
