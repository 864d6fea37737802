# Crashes and outages: a killed listener is restarted without restarting PostgreSQL; a
# killed postmaster loses no acknowledged call; a database the listener cannot reach gives
# UNAVAILABLE and the listener recovers by itself.
use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($node, $port) = start_hub('crash');
my $ca = hub_ca($node);
my @tls = ('--target', "localhost:$port", '--ca', $ca);
my @auth = ('--user', 'default', '--password', default_secret($node));

sub listener_pid {
	return $node->safe_psql('postgres', 'SELECT pid FROM rpc_stat_listener');
}

# --- kill -9 of the listener child ----------------------------------------------------------
ok(wait_until(sub { listener_pid() ne '' }, 10), 'the listener reports its pid');
my $pid = listener_pid();
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
my $session = $node->background_psql('postgres');
$session->query_safe('CREATE TEMP TABLE survivor AS SELECT 42 AS answer');

kill 'KILL', $pid;
ok(wait_until(sub {
	my @r = eval { run_client('cpp', @tls, @auth, '--scenario', 'measurements', '--count', '1') };
	return @r && $r[0]{code} == 0;
}, 30), 'calls succeed again after kill -9 of the listener');
ok(wait_until(sub { my $p = listener_pid(); $p ne '' && $p ne $pid }, 10),
	'a new listener process took over');
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $started,
	'the postmaster was not restarted');
is($session->query_safe('SELECT answer FROM survivor'), '42', 'an open session survived');
$session->quit;
like(slurp_file($node->logfile), qr/pgwatch-rpc listen.*(signal 9|Killed)/,
	'the server log says how the listener ended');

my $launcher = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pgwatch_rpc launcher'");
like(slurp_file("/proc/$launcher/status"), qr/^Threads:\s+1$/m, 'the launcher runs one thread');

# --- kill -9 of the postmaster under load: every acknowledged call is in the spool --------
my $dump = PostgreSQL::Test::Utils::tempdir() . '/load.hex';
my ($out, $err) = ('', '');
my $client = IPC::Run::start(
	[ split(/ /, client_path('cpp')), @tls, @auth, '--scenario', 'measurements',
	  '--count', '3000', '--seed', '11', '--dump', $dump ],
	'>', \$out, '2>', \$err, IPC::Run::timeout(300));
ok(wait_until(sub { $client->pump_nb; my $acked = () = $out =~ /"code":0/g; $acked >= 50 }, 30),
	'the load is running');
my $old_pid = $node->{_pid};
$node->kill9;
$client->finish;
my @results = map { JSON::PP::decode_json($_) } grep { /^\{/ } split /\n/, $out;
my @sent = grep { length } split /\n/, slurp_file($dump);
my @acked = map { $sent[$_] } grep { $results[$_]{code} == 0 } 0 .. $#results;
ok(scalar(@acked) >= 50, scalar(@acked) . ' calls were acknowledged before the crash');

# Orphaned backends exit once they notice the postmaster is gone; then it can start again.
ok(wait_until(sub { !kill(0, $old_pid) }, 30), 'the killed postmaster is gone');
ok(wait_until(sub { $node->start(fail_ok => 1) }, 60), 'the cluster restarts');
my %stored = map { $_ => 1 } split /\n/, $node->safe_psql('postgres',
	"SELECT encode(payload, 'hex') FROM pgwatch_rpc.spool WHERE kind = 'measurement'");
my @missing = grep { !$stored{$_} } @acked;
is(scalar(@missing), 0, 'every acknowledged envelope is in the spool after the crash');

# --- the database refuses the listener: UNAVAILABLE, then recovery without a restart ------
wait_for_listener($node, $port);
ok(wait_until(sub { listener_pid() ne '' }, 10), 'the listener is back after the restart');
$pid = listener_pid();
$node->safe_psql('postgres', q{
	ALTER ROLE pgwatch_rpc_listener NOLOGIN;
	SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'pgwatch_rpc_listener'});
ok(wait_until(sub {
	my @r = run_client('cpp', @tls, @auth, '--scenario', 'measurements', '--count', '1');
	return $r[0]{code} == 14;
}, 15), 'calls fail fast with UNAVAILABLE while the database is unreachable');
$node->safe_psql('postgres', 'ALTER ROLE pgwatch_rpc_listener LOGIN');
ok(wait_until(sub {
	my @r = run_client('cpp', @tls, @auth, '--scenario', 'measurements', '--count', '1');
	return $r[0]{code} == 0;
}, 60), 'calls succeed again once the database is back');
is(listener_pid(), $pid, 'the listener recovered without being restarted');

$node->stop;
done_testing();
