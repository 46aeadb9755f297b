# Principals behind a connection pool.
#
# PgBouncer in transaction pooling mode hands one server connection to one
# client's transaction after another, so whatever a request leaves in the
# session, the next request, maybe another user's, inherits.  A request must
# never run as an earlier request's principal.  This test starts a real
# PgBouncer in front of the node, with one server connection per login role,
# and alternates the transactions of two clients, A and B, on it:
#
#   a. keys: A authenticates with an API key; B's next request has no principal;
#   b. tokens: the same with a JWT;
#   c. claims: with rbac.trust_request_jwt on for the login role (as behind
#      PostgREST), each request runs as the sub of its own request.jwt.claims,
#      and a request without claims as nobody;
#   d. the attack: a session-level principal (is_local => false) is refused to
#      login roles outside rbac_authenticator, and refused or ignored for a
#      member where request claims are trusted, so B's next request runs as
#      its own claims say, or as nobody;
#   e. a narrowing ends with its request.
#
# And, on direct connections, f: a principal set in the transaction wins
# over a session-level one, trusted request claims win over a session-level
# one, and a session-level principal from a token ends at the token's exp.
#
# Every request reports pg_backend_pid(), and each scenario asserts that both
# clients' requests ran on one server connection.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use Digest::SHA qw(hmac_sha256);
use IPC::Run;
use JSON::PP;
use MIME::Base64 qw(encode_base64url);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

# Debian installs pgbouncer in /usr/sbin, which a user's PATH may lack.
my ($pgbouncer) = grep { -x } map { "$_/pgbouncer" } split(/:/, $ENV{PATH} // ''), '/usr/sbin';
if (!defined $pgbouncer)
{
	# make test installs it (tools/install-deps test): there it must run.
	plan skip_all => 'pgbouncer is not installed (Debian package pgbouncer)'
	  unless $ENV{RBAC_TEST_DEPS_INSTALLED};
	plan tests => 1;
	fail('pgbouncer is installed, as tools/install-deps test should have done');
	exit;
}

my $secret = 'pool-test-secret-0123456789abcdef';
my $node = start_node('pooled');
my $fixture = populate($node);
my $frank_key = $fixture->{frank_key};
$node->append_conf('postgresql.conf', "rbac.jwt_secret = '$secret'");
$node->reload;

# The login roles the pool serves, each with one server connection:
#   web            an application's login role, outside rbac_authenticator;
#   authenticator  PostgREST's, outside rbac_authenticator, trusting claims;
#   gateway        a member of rbac_authenticator that trusts claims too.
$node->safe_psql('postgres', q{
	CREATE ROLE web LOGIN;
	CREATE ROLE authenticator LOGIN;
	ALTER ROLE authenticator SET rbac.trust_request_jwt = on;
	CREATE ROLE gateway LOGIN;
	GRANT rbac_authenticator TO gateway;
	ALTER ROLE gateway SET rbac.trust_request_jwt = on;
	GRANT SELECT ON documents TO web, authenticator, gateway;
});

# An HS256 token signed with the node's secret, valid for an hour unless
# the claims say otherwise.
sub token
{
	my (%claims) = @_;
	$claims{exp} //= time() + 3600;
	my $signed = join '.', map { encode_base64url($_) }
	  '{"alg":"HS256","typ":"JWT"}', JSON::PP->new->canonical->encode(\%claims);
	return "$signed." . encode_base64url(hmac_sha256($signed, $secret));
}

# What PostgREST does at the start of each request.
sub claims
{
	my ($json) = @_;
	return "SELECT set_config('request.jwt.claims', '$json', true);";
}

my $olive_token = token(sub => 'olive');
my $carol_token = token(sub => 'carol');
my $carol_claims = claims('{"sub":"carol","role":"web_user"}');
my $olive_claims = claims('{"sub":"olive","role":"web_user"}');

# ---------------------------------------------------------------------------
# PgBouncer and its clients
# ---------------------------------------------------------------------------

# PgBouncer on a free loopback port in transaction pooling mode, one server
# connection per login role, trusting its clients (the test's own).
sub start_pgbouncer
{
	my @users = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir('pgbouncer');
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my $server = sprintf 'host=%s port=%d dbname=postgres', $node->host, $node->port;

	PostgreSQL::Test::Utils::append_to_file("$dir/users.txt",
		join '', map { qq{"$_" ""\n} } @users);
	PostgreSQL::Test::Utils::append_to_file("$dir/pgbouncer.ini", qq{
[databases]
postgres = $server

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = 1
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 10
logfile = $PostgreSQL::Test::Utils::log_path/pgbouncer.log
pidfile = $dir/pgbouncer.pid
});
	my $run = IPC::Run::start([ $pgbouncer, '-q', "$dir/pgbouncer.ini" ],
		'<', \undef, '>', "$dir/stdout", '2>', "$dir/stderr");

	# Ready once a query goes through it to the node.
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	my $psql = [ $node->installed_command('psql'), '-XAtq', '-c', 'SELECT 1', '-d',
		"host=127.0.0.1 port=$port dbname=postgres user=$users[0]" ];
	until (IPC::Run::run($psql, '>', \my $out, '2>', \my $err))
	{
		BAIL_OUT("pgbouncer did not start: $err") if time() > $deadline || !$run->pumpable;
		select(undef, undef, undef, 0.1);
	}
	return { run => $run, port => $port };
}

my $bouncer = start_pgbouncer(qw(web authenticator gateway));
END { $bouncer->{run}->kill_kill if $bouncer }

# A client: one psql process, kept open, that sends one request at a time.
sub connect_client
{
	my ($name, $connstr) = @_;
	my $client = { name => $name, in => '', out => '', err => '', marks => 0,
		timer => IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default) };

	$client->{run} = IPC::Run::start(
		[ $node->installed_command('psql'), '-XAtq', '-v', 'VERBOSITY=sqlstate', '-d', $connstr ],
		'<', \$client->{in}, '>', \$client->{out}, '2>', \$client->{err}, $client->{timer});
	send_input($client, '');
	return $client;
}

sub disconnect
{
	my ($client) = @_;
	$client->{in} .= "\\q\n";
	$client->{run}->finish;
}

sub pooled_client
{
	my ($name, $user) = @_;
	return connect_client($name, "host=127.0.0.1 port=$bouncer->{port} dbname=postgres user=$user");
}

# Send psql input and wait until it has all run; returns its output and
# the SQLSTATEs of its errors, in order, separated by spaces.
sub send_input
{
	my ($client, $input) = @_;
	my $mark = 'rbac-request-' . ++$client->{marks};

	$client->{out} = '';
	$client->{err} = '';
	$client->{in} .= "$input\n\\echo $mark\n\\warn $mark\n";
	$client->{timer}->start($PostgreSQL::Test::Utils::timeout_default);
	pump_until($client->{run}, $client->{timer}, \$client->{out}, qr/^$mark$/m)
	  && pump_until($client->{run}, $client->{timer}, \$client->{err}, qr/^$mark$/m)
	  or BAIL_OUT("$client->{name} got no answer to: $input");
	(my $out = $client->{out}) =~ s/^$mark\n//m;
	return ($out, join(' ', $client->{err} =~ /ERROR:\s+([0-9A-Z]{5})/g));
}

# Who the request runs as, and what that principal may do in acme.
my $default_view = q{format('%s read=%s manage=%s narrowed=%s rows=%s',
	coalesce(rbac.current_principal(), 'nobody'),
	rbac.has_scope('documents.read', 'acme'), rbac.has_scope('members.manage', 'acme'),
	coalesce(rbac.current_narrowing()::text, 'no'),
	coalesce((SELECT string_agg(id::text, ',' ORDER BY id) FROM documents), '-'))};

# One request: a transaction that runs $setup, whose output it drops, and
# then $view.  Returns { pid => the server connection's pid, view => what
# $view said (undef after an error), errors => the SQLSTATEs }.
sub request
{
	my ($client, $setup, $view) = @_;
	my ($out, $errors) = send_input($client, join "\n", 'BEGIN;', 'SELECT pg_backend_pid();',
		'\o /dev/null', $setup // '', '\o', 'SELECT ' . ($view // $default_view) . ';', 'COMMIT;');
	my ($pid, $seen) = split /\n/, $out;

	note("$client->{name}: pid $pid, ", $seen // "errors $errors");
	push @{ $client->{pids} }, $pid;
	return { pid => $pid, view => $seen, errors => $errors };
}

# Clears whatever a request left in the session, so that an assertion that
# fails (on code that let it stay) does not fail the next ones too.
sub reset_session
{
	my ($client) = @_;
	send_input($client, 'RESET ALL;');
}

# Both clients' requests since the last call ran on one server connection.
sub on_one_connection
{
	my ($what, @clients) = @_;
	my @pids = map { $_->{pids} // [] } @clients;
	my %distinct = map { $_ => 1 } map { @$_ } @pids;

	ok(keys %distinct == 1 && !grep({ !@$_ } @pids),
		"$what: the requests of both clients ran on one server connection")
	  or diag('pids: ', join(' | ', map { join ',', @$_ } @pids));
	delete $_->{pids} for @clients;
}

my $nobody = 'nobody read=f manage=f narrowed=no rows=-';
my $frank = 'frank read=t manage=f narrowed=no rows=1,2';
my $olive = 'olive read=t manage=t narrowed=no rows=1,2';
my $carol = 'carol read=t manage=f narrowed=no rows=1,2';
my $olive_narrowed = 'olive read=t manage=f narrowed={documents.read} rows=1,2';

my %client = (
	web => [ pooled_client('web A', 'web'), pooled_client('web B', 'web') ],
	authenticator => [ pooled_client('authenticator A', 'authenticator'),
		pooled_client('authenticator B', 'authenticator') ],
	gateway => [ pooled_client('gateway A', 'gateway'), pooled_client('gateway B', 'gateway') ]);

# Alternate the requests of a login role's two clients: each step names
# the client, what its request does first, and whom it must then run as.
sub alternate
{
	my ($scenario, $role, @steps) = @_;
	my %by_name;
	@by_name{qw(A B)} = @{ $client{$role} };

	foreach my $step (@steps)
	{
		my ($name, $setup, $expected, $what) = @$step;
		is(request($by_name{$name}, $setup)->{view}, $expected, "$scenario: $what");
	}
	on_one_connection($scenario, @{ $client{$role} });
}

my $frank_key_auth = "SELECT rbac.authenticate_api_key('$frank_key');";
my $olive_token_auth = "SELECT rbac.authenticate_jwt('$olive_token');";
my $narrow = q{SELECT rbac.narrow('{documents.read}');};

# a. API keys.
alternate('a. keys', 'web',
	[ A => $frank_key_auth, $frank, 'A authenticates with frank\'s key and runs as frank' ],
	[ B => undef, $nobody, 'B\'s next request runs as nobody' ],
	[ A => $frank_key_auth, $frank, 'A authenticates again' ],
	[ A => undef, $nobody, 'A\'s next request without the key runs as nobody' ]);

# b. Tokens.
alternate('b. tokens', 'web',
	[ A => $olive_token_auth, $olive, 'A authenticates with olive\'s token and runs as olive' ],
	[ B => undef, $nobody, 'B\'s next request runs as nobody' ],
	[ B => "SELECT rbac.authenticate_jwt('$carol_token');", $carol,
		'B authenticates with carol\'s token and runs as carol' ],
	[ A => undef, $nobody, 'A\'s next request runs as nobody' ]);

# c. Request claims, trusted for PostgREST's login role.
is(request($client{authenticator}[0], undef, q{current_setting('rbac.trust_request_jwt')})->{view},
	'on', 'c. claims: ALTER ROLE authenticator SET rbac.trust_request_jwt reaches its sessions');
alternate('c. claims', 'authenticator',
	[ A => $olive_claims, $olive, 'A\'s request runs as olive' ],
	[ B => $carol_claims, $carol, 'B\'s request runs as carol' ],
	[ A => $olive_claims, $olive, 'A\'s next request as olive again' ],
	[ B => $carol_claims, $carol, 'B\'s next request as carol again' ],
	[ A => undef, $nobody, 'a request without claims runs as nobody' ],
	[ B => claims('{"role":"web_user"}'), $nobody, 'a request whose claims have no sub runs as nobody' ]);

# d. The attack: a session-level principal.
my @session_level = (
	[ 'frank\'s key', "SELECT rbac.authenticate_api_key('$frank_key', false);" ],
	[ 'olive\'s token', "SELECT rbac.authenticate_jwt('$olive_token', false);" ],
	[ 'a plain principal', "SELECT rbac.set_principal('frank', false);" ]);

# Outside rbac_authenticator, every way to set it is refused (42501) and
# sets nothing.  Where request claims are trusted, the refusal may instead
# say that requests define principals (a 55000-class error).  Each row: the
# login role, the refusals allowed, B's next request and whom it runs as.
my @outsiders = (
	[ 'web', qr/^42501\b/, undef, $nobody, 'nobody' ],
	[ 'authenticator', qr/^(42501|55...)\b/, $carol_claims, $carol, 'carol, as its claims say' ]);
foreach my $row (@outsiders)
{
	my ($role, $refusal, $next, $expected, $whom) = @$row;
	my ($ca, $cb) = @{ $client{$role} };

	foreach my $attempt (@session_level)
	{
		my ($what, $sql) = @$attempt;

		like(request($ca, $sql)->{errors}, $refusal,
			"d. $role: a session-level principal from $what is refused");
		is(request($cb, $next)->{view}, $expected, "d. $role: after it, B's next request runs as $whom");
		is(request($ca)->{view}, $nobody, "d. $role: and A's next request as nobody");
		reset_session($ca);
	}
	on_one_connection("d. $role", $ca, $cb);
}

# A member of rbac_authenticator behind PostgREST: requests define
# principals, so one set for the session is refused or ignored.
{
	my ($ca, $cb) = @{ $client{gateway} };

	foreach my $attempt (@session_level)
	{
		my ($what, $sql) = @$attempt;
		my $errors = request($ca, $sql)->{errors};

		note("gateway: a session-level principal from $what: ",
			$errors ? "refused ($errors)" : 'accepted');
		is(request($cb, $carol_claims)->{view}, $carol,
			"d. gateway: after a session-level principal from $what, B's request with carol's claims runs as carol");
		is(request($cb)->{view}, $nobody, "d. gateway: and B's next request without claims as nobody");
		is(request($ca)->{view}, $nobody, "d. gateway: and A's next request without claims as nobody");
		reset_session($ca);
	}
	on_one_connection('d. gateway', $ca, $cb);
}

# e. A narrowing ends with its request.
alternate('e. tokens', 'web',
	[ A => "$olive_token_auth $narrow", $olive_narrowed, 'A runs as olive narrowed to documents.read' ],
	[ B => $olive_token_auth, $olive,
		'B\'s next request as olive is not narrowed and reaches all olive may' ]);
alternate('e. claims', 'authenticator',
	[ A => "$olive_claims $narrow", $olive_narrowed, 'A runs as olive narrowed to documents.read' ],
	[ B => $olive_claims, $olive, 'B\'s next request as olive is not narrowed' ]);

# f. Precedence and expiry, on direct connections.
{
	# app: a member of rbac_authenticator that does not trust claims.
	my $app = connect_client('app', $node->connstr('postgres') . ' user=app');

	send_input($app, "SELECT rbac.set_principal('frank', false);");
	is(request($app, "SELECT rbac.set_principal('olive');")->{view}, $olive,
		'f. a principal set in the transaction wins over the session-level one');
	is(request($app)->{view}, $frank, 'f. and the session-level one is back after it');
	reset_session($app);

	# A superuser may turn trust on over a session-level principal; the
	# requests run as app, under the documents policy.
	my $admin = connect_client('superuser', $node->connstr('postgres'));
	send_input($admin, "SELECT rbac.set_principal('frank', false);");
	send_input($admin, 'SET rbac.trust_request_jwt = on; SET ROLE app;');
	is(request($admin)->{view}, $nobody,
		'f. with trust on, a session-level principal set before is ignored: no claims, nobody');
	is(request($admin, $carol_claims)->{view}, $carol,
		'f. with trust on, the request claims win over the session-level principal');
	send_input($admin, 'RESET ROLE; SET rbac.trust_request_jwt = off; SET ROLE app;');
	is(request($admin)->{view}, $frank, 'f. with trust off again, the session-level principal is back');
	disconnect($admin);

	my $exp = time() + 5;
	send_input($app, 'SELECT rbac.authenticate_jwt(\'' . token(sub => 'olive', exp => $exp) . '\', false);');
	is(request($app)->{view}, $olive, 'f. a session-level principal from a token holds until exp');
	sleep(1) while time() <= $exp + 1;
	is(request($app)->{view}, $nobody, 'f. and ends at the token\'s exp');
	disconnect($app);
}

disconnect($_) for map { @$_ } values %client;
$bouncer->{run}->kill_kill;
undef $bouncer;
$node->stop;
done_testing();
