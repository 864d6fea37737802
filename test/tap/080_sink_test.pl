# rpc_sink_test end to end (DESIGN.md §5): the launcher starts `pgwatch-rpc test-sink`, which
# sends one test measurement through the sink, local or remote, enabled or not, and the
# caller gets the outcome; a test moves no cursor. sql/sink_test.sql covers the errors.
use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use PgwatchRpcTest;

my ($hub) = start_hub('hub', no_wait => 1);
my $archive = PostgreSQL::Test::Cluster->new('archive');
$archive->init;
$archive->start;
my $archive_conninfo = sprintf('host=%s port=%d dbname=postgres', $archive->host, $archive->port);

# Disabled sinks: no delivery child runs, only the test child sends.
$hub->safe_psql('postgres', qq{
	SELECT rpc_sink_add('postgres', enabled => false);
	SELECT rpc_sink_add('postgres', 'archive', '{"conninfo": "$archive_conninfo"}', enabled => false);
});
my $cursors_before = $hub->safe_psql('postgres',
	'SELECT coalesce(string_agg(sink || listener_id || seq, \',\' ORDER BY sink), \'\') FROM pgwatch_rpc.sink_cursors');

my $local = $hub->safe_psql('postgres', q{SELECT ok, outcome FROM rpc_sink_test('postgres', timeout => '60 s')});
is($local, 't|delivered 1 row of metric pgwatch_rpc_sink_test from source pgwatch_rpc',
	'the local postgres sink delivers the test measurement');
is( $hub->safe_psql('postgres',
		q{SELECT dbname, tag_data->>'sink', data->>'ok' FROM public.pgwatch_rpc_sink_test}),
	'pgwatch_rpc|postgres|1',
	'the test row is in pgwatch\'s schema of the hub database, tagged with the sink');

my $remote = $hub->safe_psql('postgres', q{SELECT ok, outcome FROM rpc_sink_test('archive', timeout => '60 s')});
like($remote, qr/^t\|delivered 1 row/, 'the remote postgres sink delivers the test measurement');
is( $archive->safe_psql('postgres', q{SELECT count(*), min(tag_data->>'sink') FROM public.pgwatch_rpc_sink_test}),
	'1|archive', 'the test row is in the remote database');

is( $hub->safe_psql('postgres',
		'SELECT coalesce(string_agg(sink || listener_id || seq, \',\' ORDER BY sink), \'\') FROM pgwatch_rpc.sink_cursors'),
	$cursors_before, 'a test moves no cursor');
is($hub->safe_psql('postgres', 'SELECT count(*) FROM pgwatch_rpc.sink_tests'), '0', 'outcomes do not pile up');

$archive->stop;
my $down = $hub->safe_psql('postgres', q{SELECT ok, outcome FROM rpc_sink_test('archive', timeout => '60 s')});
like($down, qr/^f\|delivery failed: postgres sink: connecting: cannot connect: .*/,
	'a test of an unreachable target fails and says why');

ok($hub->log_contains(qr/pgwatch-rpc test-sink archive: .*test of sink "archive": delivery failed/),
	'the failed test is in the server log');

$hub->stop;
done_testing();
