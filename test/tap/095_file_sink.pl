# The file sink end to end (issue #4). Measurements sent through the TLS listener land in
# rotated JSON Lines files, every row of the spool exactly once (by its row id, computed here
# from the spool alone), although the delivery child is killed with SIGKILL several times while
# the load comes in. A second sink, writing CSV into a directory it may not create yet, backs
# off with the reason in rpc_stat_sinks and catches up, exactly once too, once allowed.
use strict;
use warnings FATAL => 'all';

use Digest::SHA qw(sha256_hex);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($hub, $port) = start_hub('filesink');
my $base = PostgreSQL::Test::Utils::tempdir();

sub hub_sql { return $hub->safe_psql('postgres', $_[0]); }

# expected_rows: row id => "dbname metric" for every measurement row of the spool after seq
# $after (a sink delivers what arrives after rpc_sink_add). The row id
# is SHA-256 of listener_id, seq, row index, dbname, metric and the row's epoch_ns, joined by
# NUL (src/core/json/row_id.hpp); epoch_ns arrives as a double holding an integer.
sub expected_rows {
	my ($after) = @_;
	my %rows;
	for my $line (split /\n/, hub_sql(qq{
		SELECT s.listener_id, s.seq, r.i - 1, s.dbname, s.metric, (r.f->>'epoch_ns')::float8::int8
		FROM pgwatch_rpc.spool AS s,
		     jsonb_array_elements(rpc_decode(s.payload)->'Data') WITH ORDINALITY AS r(f, i)
		WHERE s.kind = 'measurement' AND s.seq > $after}))
	{
		my @f = split /\|/, $line;
		$rows{ sha256_hex(join("\0", @f)) } = "$f[3] $f[4]";
	}
	return %rows;
}

# stored_rows: [row id, "dbname metric"] of every line of the sink's files, and the file names.
sub stored_rows {
	my ($dir, $format) = @_;
	my (@rows, @files);
	opendir(my $dh, $dir) or die "cannot open $dir: $!";
	for my $name (sort grep { !/^\./ } readdir $dh) {
		push @files, $name;
		my @lines = split /\n/, slurp_file("$dir/$name");
		if ($format eq 'csv') {
			is(shift @lines, 'time,epoch_ns,dbname,metric,tags,data,row_id', "$name starts with the CSV header");
			# send's values hold no newline, so a record is a line; the row id is never quoted.
			push @rows, map { [ (split /,/)[-1], join(' ', (split /,/)[ 2, 3 ]) ] } @lines;
		} else {
			push @rows, map { my $d = decode_json($_); [ $d->{row_id}, "$d->{dbname} $d->{metric}" ] } @lines;
		}
	}
	closedir $dh;
	return (\@rows, \@files);
}

sub exactly_once {
	my ($sink, $after, $dir, $format, $what) = @_;
	my %expected = expected_rows($after);
	my ($rows, $files) = stored_rows($dir, $format);
	my (%seen, $unexpected, $duplicated);
	for my $row (@$rows) {
		$unexpected++ unless defined $expected{ $row->[0] } && $expected{ $row->[0] } eq $row->[1];
		$duplicated++ if $seen{ $row->[0] }++;
	}
	my $missing = grep { !$seen{$_} } keys %expected;
	ok(keys %expected > 100, "$sink, $what: the spool holds " . scalar(keys %expected) . ' rows');
	is(scalar @$rows, scalar keys %expected, "$sink, $what: the files hold as many rows");
	is($missing, 0, "$sink, $what: no row missing");
	is($duplicated // 0, 0, "$sink, $what: no row twice");
	is($unexpected // 0, 0, "$sink, $what: no row unknown or with another source or metric");
	return $files;
}

sub max_seq { return hub_sql('SELECT coalesce(max(seq), 0) FROM pgwatch_rpc.spool'); }

# --- a JSON Lines sink, its delivery child killed again and again under load -----------------
my $jsonl_dir = "$base/jsonl";
my $files_from = max_seq();
hub_sql(qq{SELECT rpc_sink_add('file', 'files', '{"path": "$jsonl_dir", "rotate_size": "1MB",
	"max_batch_rows": 300, "flush_interval_ms": 50, "backoff_max_ms": 1000}')});
ok(wait_until(sub { my $s = sink_stat($hub, 'files'); $s && $s->{pid} && $s->{state} eq 'running' }, 30),
	'the launcher started the file sink\'s delivery child');

# Each kill has a load of its own, so the child is always killed with rows to write, however
# slow the machine: one long load could end before the fourth kill.
my $kills = 0;
for my $round (1 .. 4) {
	my $out = '';
	my $before = sink_stat($hub, 'files');
	my $load = IPC::Run::start([ sender_command($hub, $port, '--count', '225', '--interval-ms', '10',
		'--sources', '3', '--seed', 950 + $round) ], '>', \$out, '2>&1', IPC::Run::timeout(180));
	last unless wait_until(sub {
		my $s = sink_stat($hub, 'files');
		return $s->{pid} && kill(0, $s->{pid}) && $s->{delivered_envelopes} > 0
		  && ($s->{pid} != $before->{pid} || $s->{delivered_envelopes} > $before->{delivered_envelopes});
	}, 30);
	my $pid = sink_stat($hub, 'files')->{pid};
	kill 'KILL', $pid;
	$kills++;
	ok(wait_until(sub { my $s = sink_stat($hub, 'files'); $s->{pid} && $s->{pid} != $pid && kill(0, $s->{pid}) }, 30),
		"kill -9 #$kills: the launcher started a new delivery child");
	$load->finish;
	is($load->result(0), 0, "load #$round: every call was answered OK") or diag($out);
}
is($kills, 4, 'the delivery child was killed 4 times while it wrote');
ok(sink_drained($hub, 'files'), 'the file sink delivered the whole spool');
my $files = exactly_once('files', $files_from, $jsonl_dir, 'jsonl', 'after 4 kill -9');
ok(@$files >= 2, 'the files were rotated at 1MB: ' . join(', ', @$files));
like($files->[0], qr/^files-\d{8}T\d{6}Z(-\d+)?\.jsonl$/, 'file names follow {sink}-%Y%m%dT%H%M%SZ.{ext}');
ok(-s "$jsonl_dir/.files.state", 'the sink keeps its state log next to the files');

# --- a CSV sink that cannot create its directory yet -------------------------------------------
my $locked = "$base/locked";
mkdir $locked or die;
chmod 0555, $locked;
my $csv_from = max_seq();
hub_sql(qq{SELECT rpc_sink_add('file', 'csv', '{"path": "$locked/csv", "format": "csv",
	"flush_interval_ms": 50, "backoff_max_ms": 1000}')});
send_measurements($hub, $port, '--count', '60', '--sources', '2', '--seed', '96');
my $blocked;
ok(wait_until(sub { $blocked = sink_stat($hub, 'csv'); $blocked && $blocked->{state} eq 'backing_off' }, 30),
	'a sink that cannot create its directory backs off');
like($blocked->{last_error} // '', qr{file sink: cannot create directory \Q$locked/csv\E: Permission denied},
	'last_error names the directory and the reason');
chmod 0755, $locked;
ok(sink_drained($hub, 'csv'), 'once the directory may be created the sink catches up');
exactly_once('csv', $csv_from, "$locked/csv", 'csv', 'after backing off');
ok(sink_drained($hub, 'files'), 'the JSON Lines sink has the new measurements too');
exactly_once('files', $files_from, $jsonl_dir, 'jsonl', 'at the end');

$hub->stop;
done_testing();
