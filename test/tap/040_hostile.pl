# Hostile HTTP/2 (GRPC.md §13, §16): while each attack runs, another client's calls keep
# succeeding; afterwards the same listener process is still serving with bounded memory.
use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($node, $port) = start_hub('hostile');
my $secret = default_secret($node);
my $ca = hub_ca($node);
my $scripts = "$ENV{TESTDIR}/test/hostile";

my $pid = '';
wait_until(sub { $pid = $node->safe_psql('postgres', 'SELECT pid FROM rpc_stat_listener'); $pid ne '' }, 10);
ok($pid, "the listener runs as PID $pid");

sub rss_kb {
	my ($status) = slurp_file("/proc/$pid/status") =~ /^VmRSS:\s+(\d+)/m;
	return $status;
}

# Each attack and, where the listener answers a call, the status it must answer with. The
# two that must get past authentication run first: the floods below fail authentication
# from 127.0.0.1 often enough to have that address throttled for a minute.
my @attacks = (
	[ 'lying_length_prefix.py', 8, "--password=$secret", '--seconds', '5' ],
	[ 'gzip_bomb.py', 8, "--password=$secret", '--seconds', '10' ],
	[ 'rapid_reset.py', undef, '--streams', '20000', '--seconds', '5' ],
	[ 'continuation_flood.py', undef, '--seconds', '5' ],
	[ 'ping_flood.py', undef, '--seconds', '5' ],
	[ 'settings_flood.py', undef, '--seconds', '5' ],
	[ 'slowloris.py', undef, '--seconds', '8' ],
	[ 'te_x_big_headers.py', undef, '--seconds', '5' ],
);

for my $attack (@attacks) {
	my ($script, $expected_status, @args) = @$attack;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ '/usr/bin/python3', "$scripts/$script", '--port', $port, '--ca', $ca, @args ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120));
	my @r = run_client('cpp', '--target', "localhost:$port", '--ca', $ca, '--user', 'default',
		'--password', $secret, '--scenario', 'measurements', '--count', '20');
	my $finished = eval { $h->finish; 1 };
	ok($finished && $h->result == 0, "$script ran to its end") or diag("$out\n$err");
	note("$script: $out");
	if (defined $expected_status) {
		my ($report) = map { JSON::PP::decode_json($_) } grep { /^\{/ } split /\n/, $out;
		is($report->{responses}[0]{'grpc-status'}, $expected_status,
			"$script is refused with status $expected_status: $report->{responses}[0]{'grpc-message'}");
	}
	is(join(',', map { $_->{code} } @r), join(',', (0) x 20),
		"other clients' calls succeed during $script");
	ok(kill(0, $pid), "the listener survived $script");
}

is($node->safe_psql('postgres', 'SELECT pid FROM rpc_stat_listener'), $pid,
	'still the same listener process after every attack');
my $rss = rss_kb();
cmp_ok($rss, '<', 256 * 1024, "the listener's memory stays bounded (${rss} kB resident)");
my @r = run_client('cpp', '--target', "localhost:$port", '--ca', $ca, '--user', 'default',
	'--password', $secret, '--scenario', 'measurements', '--count', '3');
is(join(',', map { $_->{code} } @r), '0,0,0', 'the listener still serves');

$node->stop;
done_testing();
