# `pgwatch-rpc sink-run` (issue #4): one sink run outside PostgreSQL on sample measurements,
# as a developer runs it. No cluster: the binary alone, a scratch directory for the file sink,
# test/fakes/fake_webhook.py as a webhook receiver, and a port nobody listens on.
use strict;
use warnings FATAL => 'all';

use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;

my $build = $ENV{PGWATCH_RPC_BUILD}
  or die "PGWATCH_RPC_BUILD must name the CMake build directory (scripts/test.sh sets it)";
my $dir = PostgreSQL::Test::Utils::tempdir();

sub write_json {
	my ($name, $value) = @_;
	my $path = "$dir/$name";
	open(my $fh, '>', $path) or die "cannot write $path: $!";
	print $fh encode_json($value);
	close $fh;
	return $path;
}

# sink_run returns (exit code, stdout, stderr).
sub sink_run {
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ "$build/pgwatch-rpc", 'sink-run', @_ ], '>', \$stdout, '2>', \$stderr,
		IPC::Run::timeout(120));
	return ($? >> 8, $stdout, $stderr);
}

# --- the file sink: everything delivered, every row in the files -----------------------------
my $config = write_json('file.json',
	{ path => "$dir/files", format => 'jsonl', max_batch_rows => 250, flush_interval_ms => 50 });
my ($rc, $out, $err) = sink_run('--kind', 'file', '--config', $config, '--envelopes', '25', '--sources', '4');
is($rc, 0, 'sink-run with the file sink exits with 0') or diag("$out\n$err");
like($out, qr/^sink "file" \(kind file\): 25 envelopes from 4 sources/m, 'it says what it runs');
like($out, qr/^batch 1: \d+ envelopes, \d+ rows: delivered in [\d.]+ ms$/m, 'it prints each batch\'s outcome');
my ($rows) = $out =~ /^delivered 25 of 25 envelopes \((\d+) rows\); 0 rejected; 0 failed attempts$/m;
ok($rows, 'and the totals');
my @lines = map { split /\n/, slurp_file($_) } glob("$dir/files/file-*.jsonl");
is(scalar @lines, $rows, "the files hold the $rows rows");
my %sources = map { decode_json($_)->{dbname} => 1 } @lines;
is(join(',', sort keys %sources), 'prod-db-1,prod-db-2,prod-db-3,prod-db-4', 'from the 4 sources');

# --- configuration and usage errors ----------------------------------------------------------
($rc, $out, $err) = sink_run('--kind', 'file', '--config', write_json('bad.json', { path => 'relative', colour => 1 }));
is($rc, 2, 'a bad configuration exits with 2');
like($err, qr/colour: unknown key/, 'naming the unknown key');
like($err, qr/path: must be the absolute path/, 'and the bad value');
($rc, $out, $err) = sink_run('--kind', 'postgres', '--config', write_json('pg.json', {}));
is($rc, 2, 'the postgres sink without a conninfo is refused');
like($err, qr/sink-run runs without a hub: add "conninfo"/, 'saying it needs a conninfo here');
($rc, $out, $err) = sink_run('--kind', 'nosuch', '--config', $config);
like($err, qr/unknown sink kind "nosuch"; known kinds: .*file/, 'an unknown kind lists the known ones');
($rc, $out, $err) = sink_run('--config', $config);
is($rc, 2, 'no --kind is a usage error');
like($err, qr/--kind and --config are required/, 'saying what is missing');
($rc, $out, $err) = sink_run('--help');
is($rc, 0, '--help exits with 0');
like($out, qr/usage: pgwatch-rpc sink-run --kind KIND --config FILE/, 'and prints the usage');

# --- a webhook nobody listens to: retries, then gives up ----------------------------------------
my $closed = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1);
my $dead_port = $closed->sockport;
close $closed;
($rc, $out, $err) = sink_run('--kind', 'webhook', '--config',
	write_json('dead.json', { url => "http://127.0.0.1:$dead_port/", proxy => '', backoff_base_ms => 10,
		backoff_max_ms => 20 }), '--envelopes', '3', '--retries', '2');
is($rc, 1, 'an unreachable webhook exits with 1');
is(scalar(() = $out =~ /^batch 1(?:, attempt [23])?: 3 envelopes, \d+ rows: retry after [\d.]+ ms: .*127\.0\.0\.1/mg), 3,
	'after the first attempt and 2 retries, each with the reason');
like($out, qr/^delivered 0 of 3 envelopes .* 3 failed attempts; gave up with 3 envelopes left$/m,
	'then it gives up and says what is left');

# --- a webhook that refuses one metric: the rest delivered, the refused ones listed --------------
my ($fake_out, $fake_in) = ('', '');
my $fake = IPC::Run::start([ '/usr/bin/python3', "$ENV{TESTDIR}/test/fakes/fake_webhook.py", '--port', '0' ],
	\$fake_in, '>', \$fake_out, IPC::Run::timeout(120));
$fake->pump until $fake_out =~ /^(\d+)\n/;
my $url = "http://127.0.0.1:$1";
HTTP::Tiny->new->post("$url/_fake/mode", { content => encode_json({ refuse_metric => 'wal' }) })->{success}
  or die 'the fake webhook did not take its mode';
($rc, $out, $err) = sink_run('--kind', 'webhook', '--config',
	write_json('hook.json', { url => "$url/ingest", format => 'ndjson', proxy => '', flush_interval_ms => 50 }),
	'--envelopes', '24', '--sources', '3');
is($rc, 1, 'a webhook that refuses records exits with 1');
is(scalar(() = $out =~ /^  rejected: envelope \d+ \(wal from prod-db-\d\): the webhook refused the record: HTTP 422 /mg),
	3, 'each refused envelope is listed with the answer (3 sources x 1 wal envelope)');
like($out, qr/^delivered 21 of 24 envelopes \(\d+ rows\); 3 rejected; 0 failed attempts$/m,
	'every other envelope was delivered');
my $stored = decode_json(HTTP::Tiny->new->get("$url/_fake/rows")->{content});
ok(@$stored > 0 && !grep({ $_->{metric} eq 'wal' } @$stored), 'the receiver holds the other metrics only');
$fake->kill_kill;

done_testing();
