# Interop with real gRPC client stacks over TLS with the hub's CA file: grpc++ (C++),
# @grpc/grpc-js (Node) and a grpc-go client that connects exactly as pgwatch's gRPC sink
# does. Also: ALPN h2 is negotiated; TLS 1.0/1.1 and plaintext are refused.
use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($node, $port) = start_hub('interop');
my $secret = default_secret($node);
my $ca = hub_ca($node);

sub spool_rows {
	return $node->safe_psql('postgres', 'SELECT count(*) FROM pgwatch_rpc.spool');
}

# --- grpc++ -------------------------------------------------------------------------------
my $before = spool_rows();
my @r = run_client('cpp', '--target', "localhost:$port", '--ca', $ca, '--user', 'default',
	'--password', $secret, '--scenario', 'measurements', '--count', '5');
is(join(',', map { $_->{code} } @r), '0,0,0,0,0', 'grpc++ over TLS: OK');
is(spool_rows(), $before + 5, 'grpc++ calls are in the spool');

@r = run_client('cpp', '--target', "localhost:$port", '--ca', $ca, '--user', 'default',
	'--password', $secret, '--scenario', 'gzip', '--count', '2');
is(join(',', map { $_->{code} } @r), '0,0', 'grpc++ with gzip-compressed requests: OK');

# --- @grpc/grpc-js ----------------------------------------------------------------------
$before = spool_rows();
@r = run_client('node', '--target', "localhost:$port", '--ca', $ca, '--user', 'default',
	'--password', $secret, '--scenario', 'measurements', '--count', '5');
is(join(',', map { $_->{code} } @r), '0,0,0,0,0', 'grpc-js over TLS: OK');
is(spool_rows(), $before + 5, 'grpc-js calls are in the spool');
@r = run_client('node', '--target', "localhost:$port", '--ca', $ca, '--user', 'default',
	'--password', 'wrong', '--scenario', 'measurements', '--count', '1');
is($r[0]{code}, 16, 'grpc-js with a wrong secret: UNAUTHENTICATED');

# --- grpc-go, behaving as pgwatch's gRPC sink -------------------------------------------
$before = spool_rows();
@r = run_client('go', '--sink', "grpc://default:$secret\@localhost:$port/?sslrootca=$ca",
	'--count', '5');
my @ping = grep { $_->{method} eq 'SyncMetric' && ($_->{op} // '') eq 'InvalidOp' } @r;
is(scalar(@ping), 1, 'the pgwatch-like client pinged with SyncMetric(InvalidOp)');
is($ping[0]{code}, 0, 'the ping is answered OK');
my @writes = grep { $_->{method} eq 'UpdateMeasurements' } @r;
is(join(',', map { $_->{code} } @writes), '0,0,0,0,0', 'grpc-go UpdateMeasurements: OK');
ok(!grep({ $_->{code} != 0 } @r), 'every grpc-go call (sync, define too) answered OK');
ok(spool_rows() >= $before + 5, 'grpc-go calls are in the spool');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pgwatch_rpc.spool
	WHERE kind = 'measurement' AND (rpc_decode(payload)->'Data'->0->>'epoch_ns')::numeric > 1.6e18}) > 0,
	1, 'epoch_ns arrives as a number, as Go maps converted by structpb send it');

# --- TLS properties, checked with openssl s_client ------------------------------------
sub s_client {
	my @args = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'openssl', 's_client', '-connect', "127.0.0.1:$port", '-CAfile', $ca,
		'-servername', 'localhost', @args ], '<', \"", '>', \$out, '2>', \$err,
		IPC::Run::timeout(20));
	return $out . $err;
}
like(s_client('-alpn', 'h2'), qr/ALPN protocol: h2/, 'ALPN h2 is negotiated');
like(s_client('-alpn', 'http/1.1'), qr/alert|no application protocol|handshake failure/i,
	'a client that does not offer h2 is refused');
# SECLEVEL=0 lets our client offer the old versions, so the refusal is the server's.
for my $version ('-tls1', '-tls1_1') {
	like(s_client($version, '-cipher', 'DEFAULT:@SECLEVEL=0'), qr/alert protocol version/,
		"the server refuses $version");
}

@r = eval { run_client('cpp', '--target', "localhost:$port", '--plaintext', '--user', 'default',
	'--password', $secret, '--scenario', 'measurements', '--count', '1') };
isnt($r[0]{code} // 14, 0, 'a plaintext client is refused by the TLS listener');

$node->stop;
done_testing();
