# The launcher background worker on its own (DESIGN.md §3.2), with a shell script standing in
# for `pgwatch-rpc listen`: it waits for the extension, prepares keys, certificate and settings,
# starts the child cleanly, relays its lines into the server log, forwards reloads, restarts it
# after a crash without restarting PostgreSQL, backs off, and stops it gracefully.
use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $dir = PostgreSQL::Test::Utils::tempdir;
my $mode_file = "$dir/mode";
my $pid_file = "$dir/child.pid";
my $stand_in = "$dir/stand-in.sh";

# The stand-in logs like the real child ("LEVEL: message" on stderr), answers SIGHUP and
# SIGTERM with a line, and runs at most ten minutes. Mode "ignoreterm" makes it ignore SIGTERM.
open(my $fh, '>', $stand_in) or die "could not write $stand_in: $!";
print $fh <<"EOF";
#!/bin/sh
echo "LOG: stand-in started: \$*" >&2
echo "WARNING: stand-in warning" >&2
echo "ERROR: stand-in error" >&2
echo "DEBUG: stand-in debug" >&2
echo "not a record"
printf 'LOG: long line ' >&2; head -c 10000 /dev/zero | tr '\\0' a >&2; echo >&2
[ -n "\$PGPASSWORD" ] && echo "LOG: stand-in has a password for \$PGAPPNAME" >&2
trap 'echo "LOG: stand-in reloads" >&2' HUP
trap 'echo "LOG: stand-in stops" >&2; exit 0' TERM
case "\$(cat $mode_file 2>/dev/null)" in
hba) echo 'WARNING: database connection failed: FATAL: no pg_hba.conf entry for host "[local]", user "pgwatch_rpc_listener", database "postgres", no encryption' >&2 ;;
ignoreterm) trap 'echo "LOG: stand-in ignores SIGTERM" >&2' TERM; echo "LOG: stand-in will ignore SIGTERM" >&2 ;;
esac
# The pid file appears only once the traps are in place: a stop right after it is seen.
echo \$\$ > $pid_file.tmp && mv $pid_file.tmp $pid_file
i=0
while [ \$i -lt 6000 ]; do sleep 0.1; i=\$((i + 1)); done
EOF
close $fh;
chmod 0755, $stand_in;

my $node = PostgreSQL::Test::Cluster->new('launcher');
$node->init;
my $grpc_port = PostgreSQL::Test::Cluster::get_free_port();
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pgwatch_rpc'
pgwatch_rpc.binary = '$stand_in'
pgwatch_rpc.port = $grpc_port
});
$node->start;

sub slurp_log { return slurp_file($node->logfile); }

# child_pid waits until the stand-in with a pid other than $old has written its pid file.
sub child_pid {
	my ($old) = @_;
	$old //= 0;
	for (1 .. 600) {
		if (-s $pid_file) {
			my $pid = slurp_file($pid_file);
			chomp $pid;
			return $pid if $pid ne $old && kill(0, $pid);
		}
		usleep(100_000);
	}
	die "no stand-in child other than $old started; server log:\n" . slurp_log();
}

sub gone {
	my ($pid) = @_;
	for (1 .. 200) {
		return 1 unless kill(0, $pid);
		usleep(100_000);
	}
	return 0;
}

sub write_mode {
	my ($mode) = @_;
	open(my $out, '>', $mode_file) or die "could not write $mode_file: $!";
	print $out "$mode\n";
	close $out;
}

sub launcher_pid {
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pgwatch_rpc launcher'");
}

# 1. Nothing starts before CREATE EXTENSION.
$node->wait_for_log(qr/pgwatch_rpc launcher is waiting for CREATE EXTENSION pgwatch_rpc in database "postgres"/);
sleep 1;
ok(!-e $pid_file, 'no child before the extension exists');

# 2. CREATE EXTENSION: key, certificate, settings, child; its lines relayed at their levels.
my $offset = -s $node->logfile;
$node->safe_psql('postgres', 'CREATE EXTENSION pgwatch_rpc');
my $child = child_pid();
$offset = $node->wait_for_log(qr/stand-in has a password for pgwatch-rpc listen/, $offset);
my $log = slurp_log();
like($log, qr/LOG:  pgwatch_rpc created key "default"/, 'default key created');
like($log,
	qr/LOG:  pgwatch-rpc listen: stand-in started: listen --config \S+listener\.conf --dsn host='[^']+' port=\d+ dbname='postgres' user=pgwatch_rpc_listener --parent-pid \d+/,
	'child started with its arguments, LOG relayed as LOG');
like($log, qr/WARNING:  pgwatch-rpc listen: stand-in warning/, 'WARNING relayed as WARNING');
like($log, qr/WARNING:  pgwatch-rpc listen: error: stand-in error/, 'ERROR relayed as a WARNING');
like($log, qr/LOG:  pgwatch-rpc listen: not a record/, 'other output relayed as LOG');
like($log, qr/LOG:  pgwatch-rpc listen: long line a{8177}\n[^\n]*DETAIL:  The line was longer than 8192 bytes and was truncated\./,
	'long line truncated at 8 KB');
unlike($log, qr/a{8178}/, 'nothing past 8 KB relayed');
unlike($log, qr/stand-in debug/, 'DEBUG not logged at the default log_min_messages');
unlike($log, qr/ERROR:  pgwatch-rpc listen/, 'nothing relayed at ERROR');
is($node->safe_psql('postgres',
		"SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = 'pgwatch_rpc_listener'"),
	't', 'listener role has a SCRAM verifier');

my $files = $node->data_dir . '/pgwatch_rpc';
is(sprintf('%04o', (stat $files)[2] & 07777), '0700', 'pgwatch_rpc directory is 0700');
for my $file ('default.key', 'server.crt', 'server.key', 'listener.conf') {
	ok(-s "$files/$file", "$file exists");
	is(sprintf('%04o', (stat "$files/$file")[2] & 07777), '0600', "$file is 0600");
}
like(slurp_file("$files/listener.conf"), qr/^port = $grpc_port$/m, 'settings file has the port');
like(slurp_file("$files/server.crt"), qr/BEGIN CERTIFICATE/, 'self-signed certificate written');

# 3. The launcher is single-threaded; the child is its child, in its own session, with only
# stdin, stdout and stderr open (plus the shell's descriptor of its own script).
my $launcher = launcher_pid();
like(slurp_file("/proc/$launcher/status"), qr/^Threads:\s+1$/m, 'launcher has one thread');
my $status = slurp_file("/proc/$child/status");
like($status, qr/^PPid:\s+$launcher$/m, 'child of the launcher');
like($status, qr/^SigBlk:\s+0+$/m, 'child has no blocked signals');
my $sid = (split ' ', slurp_file("/proc/$child/stat"))[5];
is($sid, $child, 'child leads its own session');
my @extra;
opendir(my $fds, "/proc/$child/fd") or die "opendir: $!";
for my $fd (grep { /^\d+$/ } readdir $fds) {
	next if $fd <= 2;
	my $target = readlink("/proc/$child/fd/$fd") // '';
	push @extra, "$fd -> $target" unless $target eq $stand_in;
}
closedir $fds;
is_deeply(\@extra, [], 'child inherited no other descriptors');
is(readlink("/proc/$child/fd/0"), '/dev/null', 'stdin is /dev/null');

# 4. A reload reaches the child as SIGHUP.
$node->reload;
$offset = $node->wait_for_log(qr/pgwatch-rpc listen: stand-in reloads/, $offset);
pass('SIGHUP forwarded');

# 5. kill -9 of the child: restarted by the launcher, the postmaster untouched.
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
kill 'KILL', $child;
my $restarted = child_pid($child);
$offset = $node->wait_for_log(qr/pgwatch-rpc listen \(PID $child\) was terminated by signal 9: Killed; restarting it in \d+ s/,
	$offset);
isnt($restarted, $child, 'child restarted after kill -9');
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $started, 'postmaster not restarted');
is(launcher_pid(), $launcher, 'launcher not restarted');
$child = $restarted;

# 5b. A refused login gets a hint naming the pg_hba.conf line to add, once per child.
write_mode('hba');
kill 'KILL', $child;
$offset = $node->wait_for_log(
	qr/HINT:  Put this line in pg_hba.conf above any other line that matches it, then reload: local postgres pgwatch_rpc_listener scram-sha-256/,
	$offset);
$child = child_pid($child);
write_mode('');
kill 'KILL', $child;
$child = child_pid($child);

# 6. A new port needs a new child.
my $new_port = PostgreSQL::Test::Cluster::get_free_port();
$node->append_conf('postgresql.conf', "pgwatch_rpc.port = $new_port\n");
$node->reload;
$offset = $node->wait_for_log(qr/restarting pgwatch-rpc listen to apply new settings/, $offset);
$restarted = child_pid($child);
ok(gone($child), 'old child stopped');
like(slurp_file("$files/listener.conf"), qr/^port = $new_port$/m, 'settings file has the new port');
$child = $restarted;

# 7. A binary that cannot be executed is reported; correcting it and reloading recovers.
$node->append_conf('postgresql.conf', "pgwatch_rpc.binary = '$dir/missing'\n");
$node->reload;
$offset = $node->wait_for_log(qr/could not start pgwatch-rpc listen: could not execute "\Q$dir\E\/missing": No such file/,
	$offset);
ok(gone($child), 'child stopped when the binary changed');
$node->append_conf('postgresql.conf', "pgwatch_rpc.binary = '$stand_in'\n");
$node->reload;
$child = child_pid($child);
pass('child started again after the binary was corrected');

# 8. DROP EXTENSION stops the child; CREATE EXTENSION brings it back.
$node->safe_psql('postgres', 'DROP EXTENSION pgwatch_rpc');
$node->wait_for_log(qr/pgwatch-rpc listen: stand-in stops/, $offset);
ok(gone($child), 'child stopped after DROP EXTENSION');
$offset = $node->wait_for_log(qr/waiting for CREATE EXTENSION pgwatch_rpc/, $offset);
$node->safe_psql('postgres', 'CREATE EXTENSION pgwatch_rpc');
$child = child_pid($child);
pass('child started after CREATE EXTENSION');

# 9. Graceful stop: the child gets SIGTERM and exits before the server does.
$offset = -s $node->logfile;
$node->stop('fast');
like(slurp_file($node->logfile, $offset), qr/pgwatch-rpc listen: stand-in stops/, 'child stopped gracefully');
ok(gone($child), 'no child after shutdown');

# 10. A child that ignores SIGTERM is killed after the grace period.
$node->start;
$child = child_pid($child);
write_mode('ignoreterm');
$offset = -s $node->logfile;
kill 'KILL', $child;
$child = child_pid($child);
$offset = $node->wait_for_log(qr/stand-in will ignore SIGTERM/, $offset);
$node->stop('fast');
my $tail = slurp_file($node->logfile, $offset);
like($tail, qr/stand-in ignores SIGTERM/, 'child got SIGTERM');
like($tail, qr/pgwatch-rpc listen \(PID $child\) did not stop in time; killing it/, 'then SIGKILL');
ok(gone($child), 'no child after shutdown');

done_testing();
