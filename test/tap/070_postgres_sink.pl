# The postgres sink end to end (issue #3). Measurements sent through the TLS listener land in
# pgwatch's storage schema in the hub's own database (sink "postgres") and in a second
# PostgreSQL (sink "archive"), row for row as SINKS.md §1.2 derives them from the spool:
# through an outage of the target, rows the target refuses, kill -9 of delivery children in
# the middle of a batch, and sinks altered, disabled, enabled and dropped while running.
# rpc_stat_sinks tells what happens, and pgwatch's Grafana dashboard queries read what was sent.
use strict;
use warnings FATAL => 'all';

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($hub, $port) = start_hub('pgsink');
my $archive = PostgreSQL::Test::Cluster->new('archive');
$archive->init;
$archive->start;

sub hub_sql { return $hub->safe_psql('postgres', $_[0]); }

# The oracle: what SINKS.md §1.2 says the sink stores for the spool's measurement envelopes,
# derived from rpc_decode(payload) alone. Every row of an envelope gets the envelope's time
# (Data[0].epoch_ns floored to microseconds); data is the row without its tag_* keys (with
# epoch_ns, which arrives as a double, as that double's exact integer: sinks/postgres/README.md);
# tag_data is CustomTags plus the row's tag_* fields without the prefix (the row wins), as text
# (`pgwatch-rpc send` sends string tags only, so Go's %v of other types is not needed here).
hub_sql(q{
CREATE SCHEMA tap;
CREATE FUNCTION tap.expected(after bigint)
RETURNS TABLE (seq bigint, metric text, "time" timestamptz, dbname text, data jsonb, tag_data jsonb)
LANGUAGE sql STABLE AS $$
	-- MATERIALIZED: each payload is decoded once, not once per use per row.
	WITH e AS MATERIALIZED (
		SELECT s.seq, rpc_decode(s.payload) AS p FROM pgwatch_rpc.spool AS s
		WHERE s.kind = 'measurement' AND s.seq > after)
	SELECT e.seq, e.p->>'MetricName',
	       timestamptz 'epoch' + (t.us / 1000000) * interval '1 second'
	                           + (t.us % 1000000) * interval '1 microsecond',
	       e.p->>'DBName',
	       (SELECT coalesce(jsonb_object_agg(f.key, CASE WHEN f.key = 'epoch_ns'
	                                                     THEN to_jsonb((f.value #>> '{}')::float8::int8)
	                                                     ELSE f.value END), '{}')
	        FROM jsonb_each(r.fields) AS f WHERE f.key NOT LIKE 'tag\_%'),
	       coalesce(e.p->'CustomTags', '{}') ||
	       (SELECT coalesce(jsonb_object_agg(substr(f.key, 5), f.value #>> '{}'), '{}')
	        FROM jsonb_each(r.fields) AS f WHERE f.key LIKE 'tag\_%')
	FROM e
	CROSS JOIN LATERAL (SELECT (e.p->'Data'->0->>'epoch_ns')::float8::int8 / 1000 AS us) AS t
	CROSS JOIN LATERAL jsonb_array_elements(e.p->'Data') AS r(fields)
$$;
-- tap.oracle keeps what tap.expected returned so far: each envelope is decoded once per test.
CREATE TABLE tap.oracle AS SELECT * FROM tap.expected(0) WITH NO DATA;
CREATE TABLE tap.archive_rows (metric text, "time" timestamptz, dbname text, data jsonb, tag_data jsonb);
});

# oracle_rows brings tap.oracle up to date with the spool and returns its name.
my $seq0;
sub oracle_rows {
	hub_sql("INSERT INTO tap.oracle
		SELECT * FROM tap.expected((SELECT coalesce(max(seq), $seq0) FROM tap.oracle))");
	return 'tap.oracle';
}

# tap.stored(): every row of every pgwatch metric table (a partitioned table in schema public
# commented 'pgwatch-generated-metric-lvl', as pgwatch finds them), on the hub and the archive.
my $stored_sql = q{
CREATE SCHEMA IF NOT EXISTS tap;
CREATE FUNCTION tap.stored()
RETURNS TABLE (metric text, "time" timestamptz, dbname text, data jsonb, tag_data jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
	         WHERE n.nspname = 'public' AND c.relkind = 'p'
	           AND obj_description(c.oid, 'pg_class') = 'pgwatch-generated-metric-lvl'
	LOOP
		RETURN QUERY EXECUTE format('SELECT %L::text, time, dbname, data, tag_data FROM public.%I',
		                            t.relname, t.relname);
	END LOOP;
END
$$;
};
hub_sql($stored_sql);
$archive->safe_psql('postgres', $stored_sql);

# compare_rows checks the rows a sink stored against the oracle restricted by $filter (on its
# seq and metric): equal counts and no difference either way (EXCEPT ALL, so a duplicate is
# a difference). The archive's rows are copied to the hub first.
sub compare_rows {
	my ($sink, $filter, $what) = @_;
	my $stored = 'tap.stored()';
	if ($sink eq 'archive') {
		my $copy = $archive->safe_psql('postgres', 'COPY (SELECT * FROM tap.stored()) TO STDOUT');
		hub_sql('TRUNCATE tap.archive_rows');
		hub_sql("COPY tap.archive_rows FROM STDIN;\n$copy\n\\.\n") if $copy ne '';
		$stored = 'tap.archive_rows';
	}
	my $oracle = oracle_rows();
	my ($expected, $got, $missing, $extra) = split /\|/, hub_sql(qq{
		WITH e AS (SELECT metric, time, dbname, data, tag_data FROM $oracle WHERE $filter),
		     s AS (SELECT metric, time, dbname, data, tag_data FROM $stored)
		SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM s),
		       (SELECT count(*) FROM (TABLE e EXCEPT ALL TABLE s) AS m),
		       (SELECT count(*) FROM (TABLE s EXCEPT ALL TABLE e) AS x)});
	ok($expected > 0, "$sink, $what: the spool holds $expected rows for it");
	is($got, $expected, "$sink, $what: as many rows stored as sent");
	is($missing, 0, "$sink, $what: no row missing or different");
	is($extra, 0, "$sink, $what: no row duplicated or unexpected");
}

# grafana_time: now() moved by $offset, as Grafana writes the bounds of $__timeFilter.
sub grafana_time {
	my ($offset) = @_;
	return hub_sql(qq{SELECT to_char(now() AT TIME ZONE 'UTC' $offset, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')});
}

sub max_seq { return hub_sql('SELECT coalesce(max(seq), 0) FROM pgwatch_rpc.spool'); }

# child_gone: the delivery child $pid of $sink has exited and left no connection to the hub.
sub child_gone {
	my ($sink, $pid) = @_;
	return !kill(0, $pid)
	  && hub_sql("SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'pgwatch-rpc deliver $sink'") == 0;
}

# new_child: the pid of $sink's delivery child when it is alive and not $old_pid, else 0.
sub new_child {
	my ($sink, $old_pid) = @_;
	my $s = sink_stat($hub, $sink);
	return $s && defined $s->{pid} && $s->{pid} != $old_pid && kill(0, $s->{pid}) ? $s->{pid} : 0;
}

# start_sending starts `pgwatch-rpc send` in the background, its output going to $out.
sub start_sending {
	my ($out, @args) = @_;
	return IPC::Run::start([ sender_command($hub, $port, @args) ], '>', $out, '2>&1',
		IPC::Run::timeout(180));
}

# --- the sinks: the hub's own database, and a remote PostgreSQL -----------------------------
$seq0 = max_seq();
my $os_user = getpwuid($<);
my $conninfo = sprintf('host=%s port=%d dbname=postgres user=%s', $archive->host, $archive->port, $os_user);
is(hub_sql("SELECT rpc_sink_add('postgres')"), 'postgres', 'rpc_sink_add(\'postgres\') adds the local sink');
is(hub_sql(qq{SELECT rpc_sink_add('postgres', 'archive',
	'{"conninfo": "$conninfo", "backoff_max_ms": 2000}')}), 'archive',
	'rpc_sink_add adds a sink into a remote PostgreSQL');
ok(wait_until(sub {
	my ($l, $a) = (sink_stat($hub, 'postgres'), sink_stat($hub, 'archive'));
	return $l->{pid} && $a->{pid} && $l->{state} eq 'running' && $a->{state} eq 'running';
}, 30), 'the launcher started a delivery child for each sink');

# --- every row sent arrives, in both targets -------------------------------------------------
my $first_sent_at = hub_sql('SELECT now()');
my $grafana_from = grafana_time('- interval \'1 minute\'');
send_measurements($hub, $port, '--count', '120', '--sources', '3', '--seed', '70');
ok(sink_drained($hub, 'postgres'), 'the local sink delivered everything');
ok(sink_drained($hub, 'archive'), 'the archive sink delivered everything');
compare_rows('postgres', 'true', 'first load');
compare_rows('archive', 'true', 'first load');

my $pairs = "SELECT DISTINCT dbname, metric FROM pgwatch_rpc.spool WHERE kind = 'measurement' ORDER BY 1, 2";
my $listed = 'SELECT dbname, metric FROM admin.all_distinct_dbname_metrics ORDER BY 1, 2';
my $sent_pairs = hub_sql($pairs);
is(hub_sql($listed), $sent_pairs,
	'SyncMetric AddOp listed every (source, metric) in admin.all_distinct_dbname_metrics');
is($archive->safe_psql('postgres', $listed), $sent_pairs, 'and in the archive');
is($archive->safe_psql('postgres', 'SELECT schema_type FROM admin.storage_schema_type'), 'postgres',
	'the archive got pgwatch\'s storage schema, type postgres');

# --- rpc_stat_sinks after the first load --------------------------------------------------------
my ($spool_envelopes, $spool_rows) = split /\|/, hub_sql("SELECT count(*),
	sum(nrows) FILTER (WHERE kind = 'measurement') FROM pgwatch_rpc.spool WHERE seq > $seq0");
for my $sink ('postgres', 'archive') {
	ok(wait_until(sub { sink_stat($hub, $sink)->{delivered_envelopes} == $spool_envelopes }, 10),
		"$sink: delivered_envelopes counts every spool record ($spool_envelopes)");
	my $s = sink_stat($hub, $sink);
	is($s->{delivered_rows}, $spool_rows, "$sink: delivered_rows = the measurement rows sent");
	is(join(',', @$s{qw(backlog_envelopes backlog_rows backlog_bytes retries dead_letters)}), '0,0,0,0,0',
		"$sink: no backlog, no retries, no dead letters");
	is($s->{lag_seconds}, 0, "$sink: no lag");
	ok(!defined $s->{last_error}, "$sink: no last error");
	is(hub_sql("SELECT last_success_at BETWEEN '$first_sent_at' AND now()
		FROM rpc_stat_sinks WHERE name = '$sink'"), 't', "$sink: last_success_at is after the load started");
}

# --- pgwatch's Grafana dashboards (grafana/postgres/v12 in pgwatch's repository) read it -------
# Grafana's macros are written out: $__timeFilter(time) as the range of this test, $__timeGroup
# (time, $agg_interval) with a 1 minute interval, $dbname as a source that was sent. pgwatch
# casts counters with ::int8; `pgwatch-rpc send` draws some of them as fractions, so those
# casts read ::numeric here. The panels run on both targets; their result is compared with
# the same panel over the oracle's rows (the metric table's name bound to them in a CTE), or
# with values read from the spool directly.
my $grafana_to = grafana_time('+ interval \'1 minute\'');
my $time_filter = "time BETWEEN '$grafana_from' AND '$grafana_to'";
my $time_group = 'floor(extract(epoch FROM time) / 60) * 60 AS time';
my %panels = (
	# 0-health-check.json (and most others), variable "dbname"
	'variable dbname' => q{SELECT DISTINCT dbname FROM admin.all_distinct_dbname_metrics ORDER BY 1},
	# 4-tables-overview.json, variable "dbname"
	'variable dbname (tables)' =>
	  q{SELECT DISTINCT dbname FROM admin.all_distinct_dbname_metrics WHERE metric = 'table_stats' ORDER BY 1},
	# 0-health-check.json, panel "DB size (last)"
	'DB size (last)' => qq{SELECT (data->>'size_b')::numeric FROM db_size
		WHERE $time_filter AND dbname = 'prod-db-1' ORDER BY time DESC LIMIT 1},
	# 0-health-check.json, panel "Max. table FREEZE age"
	'Max. table FREEZE age' => qq{SELECT max((data->>'tx_freeze_age')::numeric) FROM table_stats
		WHERE $time_filter and dbname = 'prod-db-2'},
	# 1-global-db-overview.json, panel "Database Size"
	'Database Size' => qq{select $time_group, dbname, avg((data->>'size_b')::numeric) as " "
		from db_size where dbname in ('prod-db-1', 'prod-db-2', 'prod-db-3') and $time_filter
		group by 1, 2 order by 1},
	# 5-table-details.json, panel "Table Size" ($table_full_name = table_full_name_3)
	'Table Size' => qq{SELECT $time_group,
		  avg((data->>'table_size_b')::numeric) as table_size,
		  avg((data->>'total_relation_size_b')::numeric) as total_relation_size,
		  avg((data->>'toast_size_b')::numeric) as toast_size
		FROM table_stats
		WHERE $time_filter AND dbname = 'prod-db-3'
		  AND tag_data @> jsonb_build_object('table_full_name', 'table_full_name_3')
		GROUP BY 1 ORDER BY 1},
	# 4-tables-overview.json, panel "Largest Tables by Total Size" ($top = 5)
	'Largest Tables by Total Size' => qq{select x.*,
		  (data->>'seconds_since_last_vacuum')::numeric as last_vacuum,
		  (data->>'seconds_since_last_analyze')::numeric as last_analyze
		from (
		  SELECT tag_data->>'table_full_name' as table_full_name,
		    max((data->>'total_relation_size_b')::numeric) as total_relation_size,
		    max((data->>'table_size_b')::numeric) as data_size
		  FROM table_stats WHERE $time_filter AND dbname = 'prod-db-1'
		  GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 5
		) x
		join lateral (select data from table_stats where dbname = 'prod-db-1'
		  and tag_data->>'table_full_name' = x.table_full_name and $time_filter
		  order by time desc limit 1) y on true},
);
sub panel_rows {
	my ($node, $sql, $tables) = @_;
	my $with = '';
	if ($tables) {
		my $oracle = oracle_rows();
		$with = 'WITH ' . join(', ',
			map { "$_ AS (SELECT time, dbname, data, tag_data FROM $oracle WHERE metric = '$_')" } @$tables) . ' ';
	}
	return $node->safe_psql('postgres', "${with}SELECT panel::text FROM ($sql) AS panel ORDER BY 1");
}
my $sources = "prod-db-1\nprod-db-2\nprod-db-3";
my $newest_db_size = hub_sql(q{
	SELECT string_agg((f->>'size_b')::numeric::text, ',')
	FROM (SELECT payload FROM pgwatch_rpc.spool WHERE kind = 'measurement' AND metric = 'db_size'
	      AND dbname = 'prod-db-1' ORDER BY seq DESC LIMIT 1) AS newest,
	     jsonb_array_elements(rpc_decode(newest.payload)->'Data') AS f});
my $max_freeze_age = hub_sql(q{
	SELECT max((f->>'tx_freeze_age')::numeric)
	FROM pgwatch_rpc.spool AS s, jsonb_array_elements(rpc_decode(s.payload)->'Data') AS f
	WHERE s.kind = 'measurement' AND s.metric = 'table_stats' AND s.dbname = 'prod-db-2'});
for my $node ($hub, $archive) {
	my $where = $node == $hub ? 'local' : 'archive';
	is(panel_rows($node, $panels{'variable dbname'}), "($sources)" =~ s/\n/)\n(/gr,
		"$where: Grafana's dbname variable lists the sources sent");
	is(panel_rows($node, $panels{'variable dbname (tables)'}), "($sources)" =~ s/\n/)\n(/gr,
		"$where: the tables overview's dbname variable too");
	my $size = panel_rows($node, $panels{'DB size (last)'});
	ok(grep({ "($_)" eq $size } split(/,/, $newest_db_size)),
		"$where: \"DB size (last)\" shows a size_b of the newest db_size envelope ($size)");
	is(panel_rows($node, $panels{'Max. table FREEZE age'}), "($max_freeze_age)",
		"$where: \"Max. table FREEZE age\" is the largest tx_freeze_age sent");
	for my $panel ('Database Size', 'Table Size', 'Largest Tables by Total Size') {
		my $table = $panel eq 'Database Size' ? 'db_size' : 'table_stats';
		my $shown = panel_rows($node, $panels{$panel});
		ok($shown ne '', "$where: \"$panel\" shows rows");
		is($shown, panel_rows($hub, $panels{$panel}, [$table]),
			"$where: \"$panel\" shows what the spool holds");
	}
	my %per_source = map { /,(prod-db-\d+),/ ? ($1 => 1) : () }
	  split /\n/, panel_rows($node, $panels{'Database Size'});
	is(join("\n", sort keys %per_source), $sources, "$where: \"Database Size\" has a series per source");
}

# --- the archive goes down under load, comes back, and the backlog drains ------------------------
my $load_out = '';
my $load = start_sending(\$load_out, '--count', '700', '--interval-ms', '8', '--sources', '3',
	'--metrics', 'db_stats,wal,backends,db_size', '--seed', '71');
my $archive_before = sink_stat($hub, 'archive')->{delivered_envelopes};
ok(wait_until(sub { sink_stat($hub, 'archive')->{delivered_envelopes} > $archive_before }, 20),
	'the archive receives the load');
my $stopped_at = hub_sql('SELECT now()');
$archive->stop('immediate');
send_measurements($hub, $port, '--count', '5', '--sources', '1', '--seed', '78'); # a backlog, however far the load got
my $down;
ok(wait_until(sub {
	$down = sink_stat($hub, 'archive');
	return $down->{state} eq 'backing_off' && $down->{retries} >= 2 && $down->{backlog_envelopes} > 0
	  && $down->{lag_seconds} > 0;
}, 30), 'while the archive is down rpc_stat_sinks shows it backing off, with retries, a backlog and a lag');
like($down->{last_error} // '', qr/postgres sink: .*(connect|terminat|closed|shut)/i,
	"last_error says why: $down->{last_error}");
is(hub_sql("SELECT last_error_at BETWEEN '$stopped_at' AND now() FROM rpc_stat_sinks WHERE name = 'archive'"),
	't', 'last_error_at is after the archive stopped');
my $backlog_down = sink_stat($hub, 'archive')->{backlog_envelopes};
my $local_during = sink_stat($hub, 'postgres')->{delivered_envelopes};
send_measurements($hub, $port, '--count', '5', '--sources', '1', '--seed', '79');
ok(wait_until(sub { sink_stat($hub, 'archive')->{backlog_envelopes} > $backlog_down }, 10),
	'the archive backlog grows while it is down');
ok(wait_until(sub { sink_stat($hub, 'postgres')->{delivered_envelopes} > $local_during }, 10),
	'the local sink keeps delivering meanwhile');
$archive->start;
$load->finish;
is($load->result(0), 0, 'every call of the load was answered OK') or diag($load_out);
ok(sink_drained($hub, 'archive'), 'the archive backlog drained after the restart');
ok(sink_drained($hub, 'postgres'), 'the local sink is done too');
compare_rows('archive', 'true', 'after an outage under load');
compare_rows('postgres', 'true', 'while the archive was down');

# --- rows the target refuses go to the dead letters; the rest is delivered -----------------------
$archive->safe_psql('postgres', q{
	CREATE FUNCTION public.refuse_prod_db_2() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF NEW.dbname = 'prod-db-2' THEN
			RAISE EXCEPTION 'tap: db_stats of prod-db-2 refused' USING ERRCODE = '22023';
		END IF;
		RETURN NEW;
	END $$;
	CREATE TRIGGER refuse BEFORE INSERT ON public.db_stats
		FOR EACH ROW EXECUTE FUNCTION public.refuse_prod_db_2();
});
my $before_refusal = max_seq();
send_measurements($hub, $port, '--count', '48', '--sources', '3', '--metrics', 'db_stats,wal',
	'--seed', '72');
ok(sink_drained($hub, 'archive'), 'the archive delivered the batch with refused rows');
my $refused = "SELECT seq FROM pgwatch_rpc.spool WHERE seq > $before_refusal AND kind = 'measurement'
	AND metric = 'db_stats' AND dbname = 'prod-db-2' ORDER BY seq";
my $refused_seqs = hub_sql($refused);
ok($refused_seqs ne '', 'some envelopes were db_stats of prod-db-2');
is(hub_sql("SELECT seq FROM pgwatch_rpc.dead_letters WHERE sink = 'archive' ORDER BY seq"), $refused_seqs,
	'exactly those envelopes are in pgwatch_rpc.dead_letters');
is(hub_sql("SELECT count(*) FROM pgwatch_rpc.dead_letters WHERE sink = 'archive'
	AND (error NOT LIKE '%22023%tap: db_stats of prod-db-2 refused%' OR kind <> 'measurement'
	     OR payload <> (SELECT payload FROM pgwatch_rpc.spool AS s WHERE s.seq = dead_letters.seq))"), '0',
	'each dead letter keeps the payload and the target\'s error with its SQLSTATE');
my @refused_list = split /\n/, $refused_seqs;
ok(wait_until(sub { sink_stat($hub, 'archive')->{dead_letters} == @refused_list }, 10),
	'rpc_stat_sinks.dead_letters counts them');
my $not_refused = "seq NOT IN (SELECT seq FROM pgwatch_rpc.dead_letters WHERE sink = 'archive')";
compare_rows('archive', $not_refused, 'around refused rows');
ok(sink_drained($hub, 'postgres'), 'the local sink delivered the same batch');
compare_rows('postgres', 'true', 'with no trigger');
$archive->safe_psql('postgres', 'DROP TRIGGER refuse ON public.db_stats');

# --- kill -9 of both delivery children in the middle of a batch ------------------------------------
# A SHARE lock on table_stats holds each child's COPY inside its open transaction (rows of
# other metrics already written) until the child is killed; the load keeps coming.
my $hub_lock = $hub->background_psql('postgres');
$hub_lock->query_safe('BEGIN; LOCK TABLE public.table_stats IN SHARE MODE');
my $archive_lock = $archive->background_psql('postgres');
$archive_lock->query_safe('BEGIN; LOCK TABLE public.table_stats IN SHARE MODE');
$load_out = '';
$load = start_sending(\$load_out, '--count', '120', '--sources', '3', '--rows-per-envelope', '30-90',
	'--metrics', 'db_stats,index_stats,table_stats', '--seed', '73');
my $mid_batch = q{SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgwatch-rpc deliver %s'
	AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL};
ok(wait_until(sub {
	$hub->safe_psql('postgres', sprintf($mid_batch, 'postgres')) == 1
	  && $archive->safe_psql('postgres', sprintf($mid_batch, 'archive')) == 1;
}, 30), 'both children are in the middle of a batch, with rows written and not committed');
my %killed = map { $_ => sink_stat($hub, $_)->{pid} } ('postgres', 'archive');
kill 'KILL', values %killed;
ok(wait_until(sub { !kill(0, $killed{postgres}) && !kill(0, $killed{archive}) }, 10),
	'kill -9 ended both delivery children');
$hub_lock->query_safe('COMMIT');
$hub_lock->quit;
$archive_lock->query_safe('COMMIT');
$archive_lock->quit;
ok(wait_until(sub { new_child('postgres', $killed{postgres}) && new_child('archive', $killed{archive}) }, 30),
	'the launcher restarted both children');
like(slurp_file($hub->logfile), qr/pgwatch-rpc deliver archive.*signal 9/,
	'the server log says how the child ended');
$load->finish;
is($load->result(0), 0, 'every call of the load was answered OK') or diag($load_out);
ok(sink_drained($hub, 'postgres'), 'the local sink caught up after the kill');
ok(sink_drained($hub, 'archive'), 'the archive caught up after the kill');
compare_rows('postgres', 'true', 'after kill -9 mid-batch');
compare_rows('archive', $not_refused, 'after kill -9 mid-batch');

# --- altered while running: include_metrics routes only db_* afterwards ----------------------------
my $old_pid = sink_stat($hub, 'postgres')->{pid};
my $altered_at = max_seq();
hub_sql(q{SELECT rpc_sink_alter('postgres', '{"include_metrics": ["db_*"]}')});
my $pid;
ok(wait_until(sub { $pid = new_child('postgres', $old_pid) }, 30), 'rpc_sink_alter restarted the child');
is(hub_sql("SELECT config FROM rpc_sinks WHERE name = 'postgres'"), '{"include_metrics": ["db_*"]}',
	'rpc_sinks shows the new configuration');
send_measurements($hub, $port, '--count', '48', '--sources', '2', '--seed', '74');
ok(sink_drained($hub, 'postgres'), 'the altered sink drained');
my $routed = "(seq <= $altered_at OR metric LIKE 'db\\_%')";
is(hub_sql("SELECT count(DISTINCT metric LIKE 'db\\_%') FROM pgwatch_rpc.spool
	WHERE seq > $altered_at AND kind = 'measurement'"), '2', 'both db_* and other metrics were sent');
compare_rows('postgres', $routed, 'routed to db_* after rpc_sink_alter');

# --- disabled: the child stops and the backlog grows; enabled: it drains ------------------------------
hub_sql("SELECT rpc_sink_disable('postgres')");
is(sink_stat($hub, 'postgres')->{state}, 'disabled', 'rpc_stat_sinks shows the sink disabled');
ok(wait_until(sub { child_gone('postgres', $pid) }, 15), 'its delivery child is gone');
my $stored_before = hub_sql('SELECT count(*) FROM tap.stored()');
send_measurements($hub, $port, '--count', '30', '--sources', '2', '--metrics', 'db_stats,db_size',
	'--seed', '75');
my ($backlog, $backlog_rows, $backlog_bytes) = split /\|/, hub_sql(q{
	SELECT count(*), coalesce(sum(nrows), 0), coalesce(sum(octet_length(payload)), 0)
	FROM pgwatch_rpc.spool AS s JOIN pgwatch_rpc.sink_cursors AS c
	  ON c.sink = 'postgres' AND c.listener_id = s.listener_id
	WHERE s.seq > c.seq});
ok($backlog >= 30, "the spool holds $backlog records after the disabled sink's cursor");
my $s = sink_stat($hub, 'postgres');
is(join(',', @$s{qw(backlog_envelopes backlog_rows backlog_bytes)}), "$backlog,$backlog_rows,$backlog_bytes",
	'rpc_stat_sinks shows that backlog in envelopes, rows and bytes');
ok($s->{lag_seconds} > 0 && $s->{lag_seconds} < 120, "and its lag ($s->{lag_seconds} s)");
sleep 2; # longer than a delivery cycle: a running child would have delivered by now
is(hub_sql('SELECT count(*) FROM tap.stored()'), $stored_before, 'nothing is delivered while disabled');
hub_sql("SELECT rpc_sink_enable('postgres')");
ok(sink_drained($hub, 'postgres'), 'once enabled the sink drains its backlog');
compare_rows('postgres', $routed, 'after disable and enable');

# --- dropped while running: the child stops, the cursors go ------------------------------------------
my $archive_pid = sink_stat($hub, 'archive')->{pid};
ok(sink_drained($hub, 'archive'), 'the archive is up to date before it is dropped');
my $dropped_at = max_seq();
hub_sql("SELECT rpc_sink_drop('archive')");
ok(wait_until(sub { child_gone('archive', $archive_pid) }, 15), 'rpc_sink_drop stopped the archive child');
is(hub_sql("SELECT count(*) FROM pgwatch_rpc.sink_cursors WHERE sink = 'archive'"), '0',
	'its cursors are gone');
ok(!defined sink_stat($hub, 'archive'), 'rpc_stat_sinks no longer lists it');
is(hub_sql("SELECT count(*) FROM pgwatch_rpc.dead_letters WHERE sink = 'archive'"), scalar(@refused_list),
	'its dead letters stay for inspection');
send_measurements($hub, $port, '--count', '12', '--sources', '1', '--metrics', 'db_stats', '--seed', '76');
ok(sink_drained($hub, 'postgres'), 'the local sink delivered the last load');
compare_rows('postgres', $routed, 'at the end');
is($archive->safe_psql('postgres',
	"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgwatch-rpc deliver archive'"), '0',
	'nothing connects to the archive any more');
compare_rows('archive', "seq <= $dropped_at AND $not_refused", 'nothing after the drop');

$hub->stop;
$archive->stop;
done_testing();
