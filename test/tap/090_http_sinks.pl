# The elastic and splunk sinks end to end (issue #4): measurements sent through the TLS
# listener reach a fake Elasticsearch and a fake Splunk HEC (test/fakes/, written from
# SINKS.md §2 and §3: no such server is packaged for Debian) through rpc_sink_add, including an
# outage of both fakes under load: killed with SIGKILL, measurements keep coming, restarted on
# the same ports. Afterwards the fake Elasticsearch holds every spool row exactly once, and the
# fake HEC every row at least once (acknowledgements lost with the killed fake make the sink
# resend: Splunk has no idempotent write), identified by the row id the spool alone determines
# (src/core/json/row_id.hpp, recomputed here in SQL).
use strict;
use warnings FATAL => 'all';

use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($hub, $port) = start_hub('httpsinks');
sub hub_sql { return $hub->safe_psql('postgres', $_[0]); }

my $token = '6d0a5a0e-33c4-4cc1-9f7e-2b6c0b7e2d11';
my $tmp = PostgreSQL::Test::Utils::tempdir;

# start_fake runs a fake from test/fakes on $port (0: any) with its documents in $data, and
# returns (harness, port).
sub start_fake {
	my ($script, $fake_port, $data, @args) = @_;
	my $out = '';
	my $h = IPC::Run::start(
		[ '/usr/bin/python3', "$ENV{TESTDIR}/test/fakes/$script", '--port', $fake_port, '--data', $data, @args ],
		'>', \$out, '2>', "$tmp/$script.log", IPC::Run::timeout(600));
	$h->pump until $out =~ /^(\d+)\n/;
	return ($h, $1);
}

sub kill_fake {
	my ($h) = @_;
	$h->signal('KILL');
	eval { $h->finish };
}

my $es_data = "$tmp/es.jsonl";
my $hec_data = "$tmp/hec.jsonl";
my ($es, $es_port) = start_fake('fake_elasticsearch.py', 0, $es_data);
my ($hec, $hec_port) = start_fake('fake_splunk_hec.py', 0, $hec_data, '--token', $token, '--ack',
	'--ack-after-polls', '2');
my $http = HTTP::Tiny->new(timeout => 30);

sub fake_get {
	my ($fake_port, $path) = @_;
	my $r = $http->get("http://127.0.0.1:$fake_port$path");
	die "GET $path: $r->{status} $r->{content}" unless $r->{success};
	return decode_json($r->{content});
}

# --- configuration errors are reported by rpc_sink_add, naming the key --------------------------
my ($rc, $out, $err) = $hub->psql('postgres',
	q{SELECT rpc_sink_add('elastic', 'bad', '{"hosts": ["es1:9200"], "api_key": "x"}')});
like($err, qr/hosts\[0\]: must start with http:\/\/ or https:\/\//, 'a bad host is refused, naming the key');
like($err, qr/api_key: is a credential.*secrets\.api_key/, 'a credential in config is refused');
($rc, $out, $err) = $hub->psql('postgres',
	q{SELECT rpc_sink_add('splunk', 'bad', '{"endpoint": "https://splunk:8088", "ack_timeout": 60}')});
like($err, qr/ack_timeout: must be a duration with its unit/, 'a duration without unit is refused');
like($err, qr/secrets\.token: is required/, 'the HEC token is required');

# --- the sinks ---------------------------------------------------------------------------------------
my $engine = '"backoff_base_ms": 200, "backoff_max_ms": 1000, "flush_interval_ms": 200';
hub_sql(qq{SELECT rpc_sink_add('elastic', 'es',
	'{"hosts": ["http://127.0.0.1:$es_port"], "proxy": "", "bulk_max_size": 200, $engine}')});
hub_sql(qq{SELECT rpc_sink_add('splunk', 'hec',
	'{"endpoint": "http://127.0.0.1:$hec_port", "proxy": "", "use_ack": true, "ack_poll_interval": "50ms",
	  "ack_timeout": "5s", "index": "pgwatch", $engine}', '{"token": "$token"}')});
is(hub_sql(q{SELECT secrets FROM rpc_sinks WHERE name = 'hec'}), '{"token": "********"}',
	'rpc_sinks shows the token redacted');

# The oracle: the row id of every measurement row of the spool (SHA-256 of listener_id, seq,
# row index, dbname, metric and the row time in ns, NUL-separated; the row time is the row's
# epoch_ns, else the envelope's, else the receive time).
hub_sql(q{
CREATE SCHEMA tap;
CREATE FUNCTION tap.expected_ids() RETURNS TABLE (id text)
LANGUAGE sql STABLE AS $$
	WITH e AS MATERIALIZED (
		SELECT s.listener_id, s.seq, s.received_at, rpc_decode(s.payload) AS p
		FROM pgwatch_rpc.spool AS s WHERE s.kind = 'measurement')
	SELECT encode(sha256(
		convert_to(e.listener_id::text, 'UTF8') || '\x00'::bytea ||
		convert_to(e.seq::text, 'UTF8') || '\x00'::bytea ||
		convert_to((r.n - 1)::text, 'UTF8') || '\x00'::bytea ||
		convert_to(e.p->>'DBName', 'UTF8') || '\x00'::bytea ||
		convert_to(e.p->>'MetricName', 'UTF8') || '\x00'::bytea ||
		convert_to(coalesce((r.fields->>'epoch_ns')::float8::int8, (e.p->'Data'->0->>'epoch_ns')::float8::int8,
		                    (extract(epoch FROM e.received_at) * 1000000)::int8 * 1000)::text, 'UTF8')), 'hex')
	FROM e CROSS JOIN LATERAL jsonb_array_elements(e.p->'Data') WITH ORDINALITY AS r(fields, n)
$$;
CREATE TABLE tap.got (sink text, id text);
});

# compare: the ids a fake holds against the spool's, each exactly once. HEC has no idempotent
# write: with $at_least_once, events sent again after a lost acknowledgement may repeat (users
# `dedup id`); then every row must be there, and the repeats are only counted.
sub compare {
	my ($sink, $ids, $what, $at_least_once) = @_;
	hub_sql("DELETE FROM tap.got WHERE sink = '$sink'");
	hub_sql("COPY tap.got FROM STDIN;\n" . join('', map { "$sink\t$_\n" } @$ids) . "\\.\n") if @$ids;
	my ($expected, $got, $distinct, $missing, $unexpected) = split /\|/, hub_sql(qq{
		SELECT (SELECT count(*) FROM tap.expected_ids()),
		       (SELECT count(*) FROM tap.got WHERE sink = '$sink'),
		       (SELECT count(DISTINCT id) FROM tap.got WHERE sink = '$sink'),
		       (SELECT count(*) FROM (SELECT id FROM tap.expected_ids() EXCEPT SELECT id FROM tap.got WHERE sink = '$sink') AS m),
		       (SELECT count(*) FROM (SELECT id FROM tap.got WHERE sink = '$sink' EXCEPT SELECT id FROM tap.expected_ids()) AS u)});
	ok($expected > 0, "$sink, $what: the spool holds $expected rows");
	is($missing, 0, "$sink, $what: every spool row is there");
	is($unexpected, 0, "$sink, $what: nothing else is there");
	if ($at_least_once) {
		diag("$sink, $what: $got events for $distinct rows");
	} else {
		is($got, $distinct, "$sink, $what: no row twice ($got documents)");
	}
}

sub es_ids {
	return [ map { $_->{_id} } @{ fake_get($es_port, '/_fake/docs')->{docs} } ];
}

sub hec_ids {
	return [ map { $_->{event}{event}{id} } @{ fake_get($hec_port, '/_fake/events')->{events} } ];
}

# --- a first load ------------------------------------------------------------------------------------
send_measurements($hub, $port, '--count', '60', '--sources', '2', '--seed', '90');
ok(sink_drained($hub, 'es', 120), 'the elastic sink delivered everything');
ok(sink_drained($hub, 'hec', 120), 'the splunk sink delivered everything');
compare('es', es_ids(), 'first load');
compare('hec', hec_ids(), 'first load');

my $doc = fake_get($es_port, '/_fake/docs')->{docs}[0];
like($doc->{_index}, qr/^pgwatch-[a-z0-9_]+-\d{4}\.\d{2}\.\d{2}$/, "documents go to daily indices ($doc->{_index})");
ok(defined $doc->{_source}{'@timestamp'} && defined $doc->{_source}{data} && defined $doc->{_source}{tags},
	'a document has @timestamp, tags and data');
my $event = fake_get($hec_port, '/_fake/events')->{events}[0];
is($event->{event}{index}, 'pgwatch', 'HEC events carry the configured index');
ok(defined $event->{ack_id}, 'the HEC requests were acknowledged requests');
my ($rows) = hub_sql("SELECT sum(nrows) FROM pgwatch_rpc.spool WHERE kind = 'measurement'");
ok(wait_until(sub { sink_stat($hub, 'es')->{delivered_rows} == $rows && sink_stat($hub, 'hec')->{delivered_rows} == $rows }, 10),
	"rpc_stat_sinks counts $rows rows delivered by each sink");

# --- both targets go down under load, and come back on the same ports ----------------------------------
my $load_out = '';
my $load = IPC::Run::start([ sender_command($hub, $port, '--count', '300', '--interval-ms', '15', '--sources', '3',
			'--metrics', 'db_stats,wal,backends,table_stats', '--seed', '91') ],
	'>', \$load_out, '2>&1', IPC::Run::timeout(300));
my $before = sink_stat($hub, 'es')->{delivered_envelopes};
ok(wait_until(sub { sink_stat($hub, 'es')->{delivered_envelopes} > $before }, 30), 'the fakes receive the load');
kill_fake($es);
kill_fake($hec);
# Sends of our own while the targets are down keep the test from depending on how far the
# load got: on a slow machine it may end, and the sinks catch up, before the checks below.
send_measurements($hub, $port, '--count', '5', '--sources', '1', '--seed', '93');
my $down;
ok(wait_until(sub {
	$down = sink_stat($hub, 'es');
	my $h = sink_stat($hub, 'hec');
	return $down->{state} eq 'backing_off' && $down->{backlog_envelopes} > 0 && $h->{state} eq 'backing_off';
}, 30), 'while the fakes are down both sinks back off with a backlog');
like($down->{last_error} // '', qr/elastic sink: .*127\.0\.0\.1:$es_port/, "last_error says why: $down->{last_error}");
like(sink_stat($hub, 'hec')->{last_error} // '', qr/splunk sink: /, 'and for the splunk sink');
my $backlog = sink_stat($hub, 'es')->{backlog_envelopes};
send_measurements($hub, $port, '--count', '5', '--sources', '1', '--seed', '95');
ok(wait_until(sub { sink_stat($hub, 'es')->{backlog_envelopes} > $backlog }, 15), 'the backlog grows while they are down');
($es) = start_fake('fake_elasticsearch.py', $es_port, $es_data);
($hec) = start_fake('fake_splunk_hec.py', $hec_port, $hec_data, '--token', $token, '--ack', '--ack-after-polls', '2');
$load->finish;
is($load->result(0), 0, 'every call of the load was answered OK') or diag($load_out);
ok(sink_drained($hub, 'es', 120), 'the elastic backlog drained after the restart');
ok(sink_drained($hub, 'hec', 120), 'the splunk backlog drained after the restart');
compare('es', es_ids(), 'after an outage under load');
compare('hec', hec_ids(), 'after an outage under load', 1);
is(hub_sql("SELECT count(*) FROM pgwatch_rpc.dead_letters"), '0', 'nothing was dead-lettered');

# --- a stop while the splunk sink waits for acknowledgements that never come ------------------------
# ack_timeout stays at its default, 5 minutes. The sink waits through the delivery process's
# signal-aware waiter, so rpc_sink_disable ends the wait and the process at once, rather than
# the launcher killing it after its grace period; the batch stays after the cursor, and the
# next process sends it again.
my ($mute, $mute_port) = start_fake('fake_splunk_hec.py', 0, "$tmp/mute.jsonl", '--token', $token, '--ack');
sub mute_post {
	my ($path, $body) = @_;
	my $r = $http->post("http://127.0.0.1:$mute_port$path", { content => encode_json($body) });
	die "POST $path: $r->{status} $r->{content}" unless $r->{success};
}
mute_post('/_fake/inject', { stick_ack => JSON::PP::true, times => 1000 });
hub_sql(qq{SELECT rpc_sink_add('splunk', 'mute',
	'{"endpoint": "http://127.0.0.1:$mute_port", "proxy": "", "use_ack": true, "ack_poll_interval": "50ms",
	  $engine}', '{"token": "$token"}')});
my $cursor_sql = q{SELECT string_agg(listener_id || ':' || seq, ',' ORDER BY listener_id)
	FROM pgwatch_rpc.sink_cursors WHERE sink = 'mute'};
my $mute_cursor = hub_sql($cursor_sql);
send_measurements($hub, $port, '--count', '5', '--sources', '1', '--seed', '92');
ok(wait_until(sub { grep { $_->{path} eq '/services/collector/ack' } @{ fake_get($mute_port, '/_fake/requests')->{requests} } },
		60), 'the splunk sink sent to a collector that never acknowledges, and polls');
my $log_offset = -s $hub->logfile;
hub_sql(q{SELECT rpc_sink_disable('mute')});
$hub->wait_for_log(qr/pgwatch-rpc deliver mute \(PID \d+\) (?:exited|was terminated)/, $log_offset);
my $stop_log = slurp_file($hub->logfile, $log_offset);
like($stop_log, qr/sink "mute": splunk sink: stopping while waiting for the indexer acknowledgement/,
	'rpc_sink_disable ended the wait for acknowledgements');
like($stop_log, qr/pgwatch-rpc deliver mute \(PID \d+\) exited with exit code 0/, 'the delivery process stopped by itself');
unlike($stop_log, qr/did not stop in time/, 'and was not killed after the grace period');
is(hub_sql($cursor_sql), $mute_cursor, 'its cursor did not move');
mute_post('/_fake/reset', {});
hub_sql(q{SELECT rpc_sink_enable('mute')});
ok(sink_drained($hub, 'mute', 60), 'enabled again, with a collector that acknowledges, the sink delivers');
ok(scalar @{ fake_get($mute_port, '/_fake/events')->{events} } > 0, 'sending the batch again');
isnt(hub_sql($cursor_sql), $mute_cursor, 'and its cursor moves');
kill_fake($mute);

# --- a stop while a webhook request waits for an answer that never comes ---------------------------
# The target accepts the connection and reads nothing: with timeout_ms at 10 minutes the request
# would hold the stop until the launcher kills the process; the HTTP client asks the process's
# stop check while it waits, so rpc_sink_disable abandons the request and the process ends.
my $silent = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5, Proto => 'tcp')
  or die "listen: $!";
my $silent_port = $silent->sockport;
hub_sql(qq{SELECT rpc_sink_add('webhook', 'silent',
	'{"url": "http://127.0.0.1:$silent_port/hook", "proxy": "", "timeout_ms": 600000, $engine}')});
$cursor_sql =~ s/'mute'/'silent'/;
my $silent_cursor = hub_sql($cursor_sql);
send_measurements($hub, $port, '--count', '5', '--sources', '1', '--seed', '94');
my $held;
ok(wait_until(sub { $held = $silent->accept if IO::Select->new($silent)->can_read(0.2); defined $held }, 60),
	'the webhook sink connected to a target that never answers');
$log_offset = -s $hub->logfile;
hub_sql(q{SELECT rpc_sink_disable('silent')});
$hub->wait_for_log(qr/pgwatch-rpc deliver silent \(PID \d+\) (?:exited|was terminated)/, $log_offset);
$stop_log = slurp_file($hub->logfile, $log_offset);
like($stop_log, qr/sink "silent": webhook: request to http:\/\/127\.0\.0\.1:$silent_port\/hook abandoned: the delivery process is stopping/,
	'rpc_sink_disable abandoned the request in flight');
like($stop_log, qr/pgwatch-rpc deliver silent \(PID \d+\) exited with exit code 0/, 'the delivery process stopped by itself');
unlike($stop_log, qr/did not stop in time/, 'and was not killed after the grace period');
unlike($stop_log, qr/sink "silent": delivery failed/, 'the stop was not counted as a failed attempt');
is(hub_sql($cursor_sql), $silent_cursor, 'its cursor did not move');
close $held;
close $silent;

kill_fake($es);
kill_fake($hec);
$hub->stop;
done_testing();
