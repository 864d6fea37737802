# Ingest end to end: the listener comes up with TLS and the default key; what a client
# sends with the key is in the spool byte for byte; bad credentials and bad input are
# refused with the right status and nothing is written; the listener keeps serving.
use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($node, $port) = start_hub('ingest', conf => "pgwatch_rpc.max_message_size = '16MB'");
my $secret = default_secret($node);
my $ca = hub_ca($node);
my @tls = ('--target', "localhost:$port", '--ca', $ca);
my @auth = ('--user', 'default', '--password', $secret);

sub spool_count {
	return $node->safe_psql('postgres', 'SELECT count(*) FROM pgwatch_rpc.spool');
}

sub codes { return join(',', map { $_->{code} } @_); }

# --- the hub as a user finds it ---------------------------------------------------------
like($secret, qr/^[A-Za-z0-9_-]{43}$/, 'the key file holds a 256-bit secret');
is(sprintf('%o', (stat($node->data_dir . '/pgwatch_rpc/default.key'))[2] & 07777),
	'600', 'the key file is readable only by the server user');
is($node->safe_psql('postgres', "SELECT status FROM rpc_keys WHERE name = 'default'"),
	'active', 'key default exists');
is($node->safe_psql('postgres', 'SELECT rpc_tls_certificate()') . "\n",
	slurp_file($ca), 'rpc_tls_certificate() prints the certificate the listener uses');

# --- a client with the key: OK, and the spool holds exactly what was sent ----------------
my $dump = PostgreSQL::Test::Utils::tempdir() . '/sent.hex';
my @results = run_client('cpp', @tls, @auth, '--scenario', 'measurements',
	'--count', '25', '--seed', '7', '--dump', $dump);
is(codes(@results), join(',', (0) x 25), '25 UpdateMeasurements calls answered OK');
my @sent = grep { length } split /\n/, slurp_file($dump);
is(scalar(@sent), 25, 'the client recorded what it sent');
my @stored = split /\n/, $node->safe_psql('postgres',
	"SELECT encode(payload, 'hex') FROM pgwatch_rpc.spool WHERE kind = 'measurement' ORDER BY seq");
is_deeply(\@stored, \@sent, 'the spool holds the sent envelopes byte for byte, in order');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pgwatch_rpc.spool
	WHERE rpc_decode(payload)->>'DBName' IS DISTINCT FROM dbname
	   OR rpc_decode(payload)->>'MetricName' IS DISTINCT FROM metric
	   OR jsonb_array_length(rpc_decode(payload)->'Data') <> nrows
	   OR key_name <> 'default'}),
	'0', 'dbname, metric, nrows and key_name columns agree with the decoded payload');

@results = run_client('cpp', @tls, @auth, '--scenario', 'sync');
ok(!grep({ $_->{code} != 0 } @results), 'SyncMetric calls answered OK: ' . codes(@results));
ok($node->safe_psql('postgres', 'SELECT count(*) FROM rpc_sources') > 0,
	'SyncMetric AddOp recorded the source');
@results = run_client('cpp', @tls, @auth, '--scenario', 'define');
is(codes(@results), '0', 'DefineMetrics answered OK');
is($node->safe_psql('postgres', 'SELECT count(*) FROM rpc_metric_definitions'),
	'1', 'the latest DefineMetrics is kept');

# A table_stats envelope of a big database is several MB: the default limit takes it.
@results = run_client('cpp', @tls, @auth, '--scenario', 'oversized', '--bytes', 8 * 1024 * 1024);
is(codes(@results), '0', 'an 8 MB envelope is accepted');

# --- authentication: UNAUTHENTICATED (16) and nothing written ----------------------------
my $before = spool_count();
@results = run_client('cpp', @tls, '--user', 'default', '--password', 'wrong',
	'--scenario', 'measurements', '--count', '2');
is(codes(@results), '16,16', 'wrong secret: UNAUTHENTICATED');
@results = run_client('cpp', @tls, '--no-metadata', '--scenario', 'measurements', '--count', '1');
is(codes(@results), '16', 'no username/password metadata: UNAUTHENTICATED');
like($results[0]{message}, qr/username/, 'the message says which metadata is expected');
@results = run_client('cpp', @tls, '--user', 'nosuchkey', '--password', $secret,
	'--scenario', 'measurements', '--count', '1');
is(codes(@results), '16', 'unknown key name: UNAUTHENTICATED');

my $tmp_secret = $node->safe_psql('postgres', "SELECT rpc_key_create('tmp')");
ok(wait_until(sub {
	my @r = run_client('cpp', @tls, '--user', 'tmp', '--password', $tmp_secret,
		'--scenario', 'measurements', '--count', '1');
	return $r[0]{code} == 0;
}, 5), 'a new key works within seconds');
$before = spool_count();
$node->safe_psql('postgres', "SELECT rpc_key_revoke('tmp')");
sleep 1;
@results = run_client('cpp', @tls, '--user', 'tmp', '--password', $tmp_secret,
	'--scenario', 'measurements', '--count', '1');
is(codes(@results), '16', 'a revoked key stops working within 1 s');

my $short = $node->safe_psql('postgres', "SELECT rpc_key_create('short', expires_in => '1 second')");
sleep 2;
@results = run_client('cpp', @tls, '--user', 'short', '--password', $short,
	'--scenario', 'measurements', '--count', '1');
is(codes(@results), '16', 'an expired key: UNAUTHENTICATED');
is(spool_count(), $before, 'no row written for refused calls');

# --- validation: the client learns what to fix; the listener keeps serving --------------
@results = run_client('cpp', @tls, @auth, '--scenario', 'oversized', '--bytes', 20 * 1024 * 1024);
is(codes(@results), '8', 'a message over pgwatch_rpc.max_message_size: RESOURCE_EXHAUSTED');
like($results[0]{message}, qr/larger than max/, 'the message names the limit');

@results = run_client('cpp', @tls, @auth, '--scenario', 'deep', '--depth', '200');
is(codes(@results), '3', 'a Struct nested too deep: INVALID_ARGUMENT');
like($results[0]{message}, qr/deep|depth/i, 'the message says the nesting is too deep');

@results = run_client('cpp', @tls, @auth, '--scenario', 'names');
ok(scalar(@results) >= 5, 'the hostile names scenario ran ' . scalar(@results) . ' calls');
for my $r (@results) {
	is($r->{code}, 3, "hostile name refused with INVALID_ARGUMENT: $r->{message}");
	like($r->{message}, qr/DBName|MetricName/, 'the message names the field');
}
is(spool_count(), $before, 'nothing written for invalid input');

@results = run_client('cpp', @tls, @auth, '--scenario', 'measurements', '--count', '3');
is(codes(@results), '0,0,0', 'the listener still serves after all of that');

# --- a spool over pgwatch_rpc.spool_max_size refuses new calls, then recovers -------------
$node->append_conf('postgresql.conf', "pgwatch_rpc.spool_max_size = '1MB'");
$node->reload;
my @full;
ok(wait_until(sub {
	@full = run_client('cpp', @tls, @auth, '--scenario', 'measurements', '--count', '1');
	return $full[0]{code} == 8;
}, 30), 'a spool over its cap: RESOURCE_EXHAUSTED');
like($full[0]{message}, qr/spool_max_size/, 'the message names the setting to raise');
$node->append_conf('postgresql.conf', "pgwatch_rpc.spool_max_size = '10GB'");
$node->reload;
ok(wait_until(sub {
	my @r = run_client('cpp', @tls, @auth, '--scenario', 'measurements', '--count', '1');
	return $r[0]{code} == 0;
}, 30), 'calls are accepted again once the cap is raised');

# --- what an operator sees -----------------------------------------------------------------
ok(wait_until(sub {
	$node->safe_psql('postgres', 'SELECT auth_failures > 0 AND calls_ok > 0 FROM rpc_stat_listener') eq 't';
}, 10), 'rpc_stat_listener counts calls and authentication failures');

$node->stop;
done_testing();
