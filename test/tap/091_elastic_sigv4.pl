# The elastic sink's aws_sigv4 end to end: a hub whose PostgreSQL server was started with
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its environment signs its bulk requests with
# them (the launcher passes these variables on to the delivery child), and
# test/fakes/fake_elasticsearch.py, checking SigV4 as Amazon OpenSearch does (SINKS.md §4.1),
# accepts them. A sink with a wrong secret is refused; rpc_stat_sinks says why, and neither it
# nor the server log shows a secret.
use strict;
use warnings FATAL => 'all';

use HTTP::Tiny;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my $key_id = 'AKIAIOSFODNN7EXAMPLE';
my $secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
my $wrong = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONGKEYXX';

# The server's environment: pg_ctl, hence the postmaster, inherits this process's.
$ENV{AWS_ACCESS_KEY_ID} = $key_id;
$ENV{AWS_SECRET_ACCESS_KEY} = $secret;
delete $ENV{AWS_SESSION_TOKEN};
my ($hub, $port) = start_hub('sigv4');
sub hub_sql { return $hub->safe_psql('postgres', $_[0]); }

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $fake_out = '';
my $fake = IPC::Run::start(
	[ '/usr/bin/python3', "$ENV{TESTDIR}/test/fakes/fake_elasticsearch.py", '--port', '0',
	  '--sigv4-secret', $secret, '--sigv4-key-id', $key_id, '--sigv4-region', 'eu-west-1',
	  '--sigv4-service', 'es' ],
	'>', \$fake_out, '2>', "$tmp/fake.log", IPC::Run::timeout(600));
$fake->pump until $fake_out =~ /^(\d+)\n/;
my $es_port = $1;
my $http = HTTP::Tiny->new(timeout => 30);

sub fake_get {
	my ($path) = @_;
	my $r = $http->get("http://127.0.0.1:$es_port$path");
	die "GET $path: $r->{status} $r->{content}" unless $r->{success};
	return decode_json($r->{content});
}

# --- configuration errors name the key --------------------------------------------------------
my ($rc, $out, $err) = $hub->psql('postgres',
	q{SELECT rpc_sink_add('elastic', 'bad', '{"hosts": ["http://es:9200"], "aws_sigv4": {"service": "s3"}}')});
like($err, qr/aws_sigv4\.region: is required/, 'aws_sigv4 without a region is refused');
like($err, qr/aws_sigv4\.service: must be "es" .* or "aoss"/, 'and a service other than es or aoss');

# --- credentials from the server's environment ------------------------------------------------
my $engine = '"backoff_base_ms": 200, "backoff_max_ms": 1000, "flush_interval_ms": 200';
my $hosts = qq{"hosts": ["http://127.0.0.1:$es_port"], "proxy": ""};
hub_sql(qq{SELECT rpc_sink_add('elastic', 'aws', '{$hosts, "aws_sigv4": {"region": "eu-west-1"}, $engine}')});
send_measurements($hub, $port, '--count', '20', '--sources', '2', '--seed', '91');
ok(sink_drained($hub, 'aws', 120), 'signed with the credentials of the server environment, all delivered');
my $stored = fake_get('/_fake/docs')->{count};
ok($stored > 0, "the fake, which checks every signature, stored $stored documents");
# rpc_stat_sinks' counters are written once a second: wait for the last batch's.
ok(wait_until(sub { (sink_stat($hub, 'aws')->{delivered_rows} // 0) == $stored }, 30),
	'as many as the sink counts delivered');
my @requests = @{ fake_get('/_fake/requests')->{requests} };
my @signed = grep {
	($_->{headers}{Authorization} // '') =~
	  m{^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/\d{8}/eu-west-1/es/aws4_request, SignedHeaders=\S*content-encoding;\S*x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$}
} @requests;
is(scalar @signed, scalar @requests, scalar(@requests) . ' bulk requests, all signed, gzip encoding included');

# --- a wrong secret ---------------------------------------------------------------------------
hub_sql(qq{SELECT rpc_sink_add('elastic', 'wrong', '{$hosts, "aws_sigv4": {"region": "eu-west-1"}, $engine}',
	'{"aws_access_key_id": "$key_id", "aws_secret_access_key": "$wrong"}')});
unlike(hub_sql(q{SELECT secrets FROM rpc_sinks WHERE name = 'wrong'}), qr/wJalr/, 'rpc_sinks hides the secret');
send_measurements($hub, $port, '--count', '2', '--sources', '1', '--seed', '92');
ok(wait_until(sub { (sink_stat($hub, 'wrong')->{last_error} // '') =~ /HTTP 403/ }, 60),
	'the wrong secret is refused with 403');
my $error = sink_stat($hub, 'wrong')->{last_error};
like($error, qr/signature we calculated does not match.*secrets\.aws_secret_access_key/s,
	"last_error says what to check: $error");
unlike($error, qr/\Q$wrong\E/, 'without the secret');
# The log, without this script's own statements (log_statement = all shows rpc_sink_add's
# arguments; continuation lines start with a tab and belong to the entry above them).
my ($ours, $from_script) = ('', 0);
for my $line (split /\n/, slurp_file($hub->logfile)) {
	$from_script = ($line =~ /\b091_elastic_sigv4\.pl\b/) if $line !~ /^\t/;
	$ours .= "$line\n" unless $from_script;
}
like($ours, qr/pgwatch-rpc deliver wrong/, 'the delivery children log into the server log');
unlike($ours, qr/\Q$wrong\E|\Q$secret\E/, 'the server log holds no secret');

$fake->signal('KILL');
eval { $fake->finish };
$hub->stop;
done_testing();
