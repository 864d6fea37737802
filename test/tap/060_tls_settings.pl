# TLS settings applied by a reload, with real processes: a user certificate replaces the
# self-signed one, ssl_ca_file requires client certificates, tls = off serves plaintext (and
# says so in the log), a broken certificate path is reported while the listener keeps serving
# with the certificate it had, and a restart that meets it is retried with growing delays
# until a reload fixes it.
use strict;
use warnings FATAL => 'all';

use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgwatchRpcTest;

my ($node, $port) = start_hub('tls_settings');
my $secret = default_secret($node);
my @auth = ('--user', 'default', '--password', $secret);
my $dir = PostgreSQL::Test::Utils::tempdir();

# --- certificates made with the openssl tool, as an operator would ------------------------
sub openssl {
	my @cmd = ('openssl', @_);
	my ($out, $err);
	IPC::Run::run(\@cmd, '>', \$out, '2>', \$err) or die "@cmd failed: $err";
}

# make_ca: a self-signed CA certificate and its key, "$dir/$name.crt" and "$dir/$name.key".
sub make_ca {
	my ($name) = @_;
	openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
		'-nodes', '-days', '2', '-subj', "/CN=$name", '-keyout', "$dir/$name.key",
		'-out', "$dir/$name.crt", '-addext', 'basicConstraints=critical,CA:TRUE',
		'-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

# make_leaf: a certificate signed by CA $ca, with the extensions in @ext (SAN, usage).
sub make_leaf {
	my ($name, $ca, @ext) = @_;
	openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
		'-nodes', '-subj', "/CN=$name", '-keyout', "$dir/$name.key", '-out', "$dir/$name.csr");
	open(my $fh, '>', "$dir/$name.ext") or die "could not write $dir/$name.ext: $!";
	print $fh join("\n", @ext), "\n";
	close $fh;
	openssl('x509', '-req', '-in', "$dir/$name.csr", '-CA', "$dir/$ca.crt", '-CAkey',
		"$dir/$ca.key", '-CAcreateserial', '-days', '2', '-extfile', "$dir/$name.ext",
		'-out', "$dir/$name.crt");
}

make_ca('server-ca');
make_leaf('server', 'server-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
	'extendedKeyUsage=serverAuth');
make_ca('client-ca');
make_leaf('client', 'client-ca', 'extendedKeyUsage=clientAuth');
make_ca('stranger-ca');
make_leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth');

# --- clients -------------------------------------------------------------------------------
# call returns the status codes of $count measurement calls made with the connection flags
# @how, or "exit N: stderr" when the client printed no result at all.
sub call {
	my (@how) = @_;
	my @cmd = (client_path('cpp'), '--target', "localhost:$port", @how, @auth,
		'--scenario', 'measurements', '--count', '1', '--deadline-ms', '10000');
	my ($out, $err) = ('', '');
	IPC::Run::run(\@cmd, '>', \$out, '2>', \$err, IPC::Run::timeout(60));
	my @codes = map { decode_json($_)->{code} } grep { /^\{/ } split /\n/, $out;
	return join(',', @codes) if @codes;
	return 'exit ' . ($? >> 8) . ": $err";
}

# eventually waits until a call made with @how answers $want; it returns the last answer.
sub eventually {
	my ($want, @how) = @_;
	my $got;
	wait_until(sub { $got = call(@how); return $got =~ $want; }, 30);
	return $got;
}

sub reconfigure {
	my ($conf) = @_;
	$node->append_conf('postgresql.conf', $conf);
	$node->reload;
}

sub log_since {
	my ($offset) = @_;
	return slurp_file($node->logfile, $offset);
}

my $self_signed = hub_ca($node);
my @self = ('--ca', $self_signed);
my @user = ('--ca', "$dir/server-ca.crt");
my @with_cert = (@user, '--cert', "$dir/client.crt", '--key', "$dir/client.key");
my @stranger = (@user, '--cert', "$dir/stranger.crt", '--key', "$dir/stranger.key");

is(call(@self), '0', 'the self-signed certificate serves at first');
isnt(call(@user), '0', 'a client trusting only the user CA is refused before the reload');

# --- 1. a user certificate, applied by a reload ---------------------------------------------
my $offset = -s $node->logfile;
reconfigure(qq{
pgwatch_rpc.ssl_cert_file = '$dir/server.crt'
pgwatch_rpc.ssl_key_file = '$dir/server.key'
});
is(eventually(qr/^0$/, @user), '0', 'after the reload a client trusting only the user CA succeeds');
isnt(call(@self), '0', 'a client trusting only the self-signed certificate is now refused');
is($node->safe_psql('postgres', 'SELECT rpc_tls_certificate()') . "\n",
	slurp_file("$dir/server.crt"), 'rpc_tls_certificate() returns the user certificate');
like(log_since($offset), qr/ssl_cert_file/, 'the log says the certificate setting changed');

# --- 2. ssl_ca_file: client certificates required --------------------------------------------
reconfigure("pgwatch_rpc.ssl_ca_file = '$dir/client-ca.crt'\n");
my $refused = eventually(qr/^(?!0$)/, @user);
isnt($refused, '0', "a client without a certificate is refused: $refused");
is(call(@with_cert), '0', 'a client with a certificate signed by ssl_ca_file succeeds');
isnt(call(@stranger), '0', 'a client with a certificate of another CA is refused');

reconfigure("pgwatch_rpc.ssl_ca_file = ''\n");
is(eventually(qr/^0$/, @user), '0', 'emptying ssl_ca_file: clients without a certificate work again');

# --- 3. tls = off, then on again ------------------------------------------------------------------
$offset = -s $node->logfile;
reconfigure("pgwatch_rpc.tls = off\n");
is(eventually(qr/^0$/, '--plaintext'), '0', 'tls = off: a plaintext client succeeds');
isnt(call(@user), '0', 'tls = off: a TLS client is refused');
ok(wait_until(sub { log_since($offset) =~ /TLS is off.*clear text/ }, 10),
	'the server log warns that secrets travel in clear text');

reconfigure("pgwatch_rpc.tls = on\n");
is(eventually(qr/^0$/, @user), '0', 'tls = on again: the user certificate serves TLS');
isnt(call('--plaintext'), '0', 'tls = on again: plaintext is refused');

# --- 4. a certificate path that does not exist ---------------------------------------------------
$offset = -s $node->logfile;
my $missing = "$dir/no-such.crt";
reconfigure("pgwatch_rpc.ssl_cert_file = '$missing'\n");
# The server's own "parameter changed" line names the path too: wait for the listener's.
ok(wait_until(sub { log_since($offset) =~ /could not load .*\Q$missing\E/ }, 10),
	'the server log names the certificate file the listener could not load');
like(log_since($offset), qr/\Q$missing\E": No such file or directory/, 'and says why');
like(log_since($offset), qr/keeping the previous settings/,
	'and says the listener keeps its previous settings');
is(call(@user), '0', 'the listener keeps serving with the previous certificate');
is(call(@user), '0', 'new connections still get the previous certificate');
unlike(log_since($offset), qr/restarting/, 'the listener was not restarted');

my ($out, $err) = ('', '');
$node->psql('postgres', 'SELECT rpc_tls_certificate()', stdout => \$out, stderr => \$err);
like($err, qr/\Q$missing\E/, 'rpc_tls_certificate() fails naming the configured file');

# --- 5. a restart that meets the bad path: told why, retried with growing delays -----------
$offset = -s $node->logfile;
reconfigure("pgwatch_rpc.tls = off\n");
is(eventually(qr/^0$/, '--plaintext'), '0', 'tls = off needs no certificate: plaintext serves');
reconfigure("pgwatch_rpc.tls = on\n");
ok(wait_until(sub { log_since($offset) =~ /restarting it in 8 s/ }, 30),
	'a listener that cannot start is retried after 1, 2, 4, 8 s');
my $failures = log_since($offset);
like($failures, qr/could not load certificate file "\Q$missing\E": No such file or directory/,
	'each failed start says which file and why');
like($failures, qr/HINT:  .*correct it and reload/, 'and hints at the cure');
my @attempts = $failures =~ /exited with exit code 2; restarting it in/g;
ok(@attempts <= 5, 'no tight restart loop: ' . scalar(@attempts) . ' attempts in about 7 s');
isnt(call(@user), '0', 'nothing serves while the certificate is missing');

# A reload starts the listener at once rather than after the 8 s backoff.
reconfigure("pgwatch_rpc.ssl_cert_file = '$dir/server.crt'\n");
my $got;
ok(wait_until(sub { ($got = call(@user)) eq '0' }, 6),
	"fixing the path and reloading: served again within 6 s ($got)");

$node->stop;
done_testing();
