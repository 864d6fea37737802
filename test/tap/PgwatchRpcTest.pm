# Shared helpers for the TAP tests: a PostgreSQL cluster with the hub running, and the
# real gRPC clients (grpc++, grpc-js, grpc-go) that talk to it.
package PgwatchRpcTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

our @EXPORT = qw(start_hub wait_for_listener default_secret hub_ca run_client
  client_path wait_until sender_command send_measurements sink_stat sink_drained);

my $build = $ENV{PGWATCH_RPC_BUILD}
  or die "PGWATCH_RPC_BUILD must name the CMake build directory (scripts/test.sh sets it)";

# client_path returns the path of one of the interop clients: cpp, go or node.
sub client_path {
	my ($which) = @_;
	return "$build/test/interop/cpp/interop_client" if $which eq 'cpp';
	return "$build/interop-go/interop_client_go" if $which eq 'go';
	return "node $ENV{TESTDIR}/test/interop/node/client.js" if $which eq 'node';
	die "unknown client $which";
}

# start_hub creates and starts a cluster with pgwatch_rpc preloaded and the extension
# created, waits for the listener, and returns ($node, $grpc_port).
sub start_hub {
	my ($name, %opts) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	my $grpc_port = PostgreSQL::Test::Cluster::get_free_port();
	my $extra = $opts{conf} // '';
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pgwatch_rpc'
pgwatch_rpc.port = $grpc_port
pgwatch_rpc.listen_addresses = 'localhost'
log_min_messages = info
$extra
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION pgwatch_rpc');
	wait_for_listener($node, $grpc_port) unless $opts{no_wait};
	return ($node, $grpc_port);
}

# wait_until polls $check (a code ref) every 100 ms until it returns true or $seconds pass.
sub wait_until {
	my ($check, $seconds) = @_;
	$seconds //= 30;
	for (1 .. $seconds * 10) {
		return 1 if $check->();
		usleep(100_000);
	}
	return 0;
}

# wait_for_listener waits until the key file, the certificate and the TCP port exist.
sub wait_for_listener {
	my ($node, $port) = @_;
	my $ok = wait_until(
		sub {
			return 0 unless -s $node->data_dir . '/pgwatch_rpc/default.key';
			return 0 unless -s $node->data_dir . '/pgwatch_rpc/server.crt';
			return port_open($port);
		},
		60);
	die "listener did not come up on port $port; server log:\n"
	  . slurp_file($node->logfile)
	  unless $ok;
}

sub port_open {
	my ($port) = @_;
	require IO::Socket::INET;
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 1);
	return 0 unless $sock;
	close $sock;
	return 1;
}

sub default_secret {
	my ($node) = @_;
	my $secret = slurp_file($node->data_dir . '/pgwatch_rpc/default.key');
	$secret =~ s/\s+$//;
	return $secret;
}

sub hub_ca { my ($node) = @_; return $node->data_dir . '/pgwatch_rpc/server.crt'; }

# run_client runs an interop client with the given arguments and returns the decoded JSON
# lines it printed (one per call), dying with its output if it fails.
sub run_client {
	my ($which, @args) = @_;
	my @cmd = (split(/ /, client_path($which)), @args);
	my ($stdout, $stderr);
	IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr, IPC::Run::timeout(180))
	  or die "client @cmd failed: $stderr\n$stdout";
	my @results;
	for my $line (split /\n/, $stdout) {
		next unless $line =~ /^\{/;
		push @results, decode_json($line);
	}
	return @results;
}

# sender_command returns the command line of `pgwatch-rpc send` sending to the hub's
# listener the way pgwatch does (its --sink URI: TLS with the hub's certificate as CA, key
# default), followed by @args (--count, --sources, --metrics …; see pgwatch-rpc send --help).
sub sender_command {
	my ($node, $port, @args) = @_;
	my $uri = sprintf('grpc://default:%s@localhost:%d/?sslrootca=%s',
		default_secret($node), $port, hub_ca($node));
	return ("$build/pgwatch-rpc", 'send', '--sink', $uri, @args);
}

# send_measurements runs `pgwatch-rpc send` to the end and returns what it printed; it dies
# unless every call was answered OK.
sub send_measurements {
	my ($node, $port, @args) = @_;
	my @cmd = sender_command($node, $port, @args);
	my ($stdout, $stderr);
	IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr, IPC::Run::timeout(180))
	  or die "pgwatch-rpc send @args failed: $stderr\n$stdout";
	return $stdout;
}

# sink_stat returns the sink's row of rpc_stat_sinks as a hash (undef when there is none).
sub sink_stat {
	my ($node, $sink) = @_;
	my $json = $node->safe_psql('postgres', "SELECT row_to_json(s) FROM rpc_stat_sinks AS s WHERE name = '$sink'");
	return $json eq '' ? undef : decode_json($json);
}

# sink_drained waits up to $seconds (60) until the sink runs with no backlog; it prints the
# sink's statistics when it gives up.
sub sink_drained {
	my ($node, $sink, $seconds) = @_;
	my $ok = wait_until(sub {
		my $s = sink_stat($node, $sink);
		return $s && $s->{state} eq 'running' && $s->{backlog_envelopes} == 0;
	}, $seconds // 60);
	diag('rpc_stat_sinks: ' . encode_json(sink_stat($node, $sink) // {})) unless $ok;
	return $ok;
}

1;
