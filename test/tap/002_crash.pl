# A crash in the middle of a stream of administration loses nothing whose
# COMMIT returned and leaves nothing half done: after recovery the grants,
# roles and keys are those of the changes that committed, each with exactly
# one audit row, in order, and has_scope answers from the recovered grants.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;
use IPC::Run;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

my $STREAM_LENGTH = 20000;    # far more than can run before the crash
my $CRASH_AFTER = 300;        # acknowledged changes before the crash

my $node = start_node('crash');
$node->safe_psql('postgres', "SELECT rbac.create_workspace('w1', 'W1', owner => 'olive')");
my $audit_before = $node->safe_psql('postgres', 'SELECT max(id) FROM rbac.audit_log');

# Change i of the stream, one transaction acting as olive, the Owner of w1.
# In each block of five changes, the principal p<n> (n the block's first i)
# becomes a member, gets a resource role on project pr_p<n>, then loses
# membership (even blocks) or also becomes a viewer (odd blocks); then come
# a custom role and an API key.
sub change
{
	my ($i) = @_;
	my $p = 'p' . (5 * int(($i - 1) / 5) + 1);
	my $even = int(($i - 1) / 5) % 2 == 0;
	my @changes = (
		{ sql => "rbac.create_api_key('w1', label => 'k$i')",
		  audit => "api_key.create olive - k$i", key => 1 },
		{ sql => "rbac.grant('$p', 'member', 'w1')",
		  audit => "grant $p member -", grant => "$p member" },
		{ sql => "rbac.grant('$p', 'membership_viewer', 'w1', 'project', 'pr_$p')",
		  audit => "grant $p membership_viewer pr_$p",
		  grant => "$p membership_viewer project pr_$p" },
		$even
		? { sql => "rbac.revoke('$p', 'member', 'w1')",
			audit => "revoke $p member -", revoke => "$p member" }
		: { sql => "rbac.grant('$p', 'viewer', 'w1')",
			audit => "grant $p viewer -", grant => "$p viewer" },
		{ sql => "rbac.create_role('cr$i', 'Crash role $i', 'workspace', '{documents.read}', "
			  . "belongs_to_workspace => 'w1')",
		  audit => "role.create - cr$i -", role => "cr$i" });
	return { %{ $changes[ $i % 5 ] }, principal => $p };
}

# The state the first $n changes make: grants, custom roles, key labels,
# audit rows (in order), and who may read w1 and their project.
sub model
{
	my ($n) = @_;
	my (%grants, @roles, @keys, @audit, %principals);

	foreach my $i (1 .. $n)
	{
		my $c = change($i);
		$grants{ $c->{grant} } = 1 if $c->{grant};
		delete $grants{ $c->{revoke} } if $c->{revoke};
		push @roles, $c->{role} if $c->{role};
		push @keys, "k$i" if $c->{key};
		push @audit, $c->{audit};
		$principals{ $c->{principal} } = 1 unless $c->{key} || $c->{role};
	}
	my @principals = sort keys %principals;
	my @checks = map {
		my $workspace = ($grants{"$_ member"} || $grants{"$_ viewer"}) ? 't' : 'f';
		my $project = ($workspace eq 't' || $grants{"$_ membership_viewer project pr_$_"}) ? 't' : 'f';
		"$_ $workspace $project"
	} @principals;
	return {
		principals => \@principals,
		grants => join("\n", sort keys %grants),
		roles => join("\n", sort @roles),
		keys => join("\n", sort @keys),
		audit => join("\n", @audit),
		checks => join("\n", @checks) };
}

# A query's lines, sorted as the model sorts them.
sub sorted_lines
{
	my ($sql) = @_;
	return join("\n", sort split /\n/, $node->safe_psql('postgres', $sql));
}

# The same, as the node holds it.
sub recovered
{
	my %state;

	$state{grants} = sorted_lines(q{
		SELECT concat_ws(' ', g.principal, r.key, g.resource_type, g.resource_id)
		FROM rbac.grants AS g JOIN rbac.roles AS r ON r.id = g.role_id
		WHERE g.workspace_id = 'w1' AND g.principal <> 'olive'});
	$state{roles} = sorted_lines(q{SELECT key FROM rbac.roles WHERE workspace_id = 'w1'});
	$state{keys} = sorted_lines(q{SELECT label FROM rbac.api_keys WHERE workspace_id = 'w1'});
	$state{audit} = $node->safe_psql('postgres', qq{
		SELECT concat_ws(' ', action, coalesce(target_principal, '-'), coalesce(role_key, '-'),
		                 coalesce(after->>'resource_id', before->>'resource_id', after->>'label', '-'))
		FROM rbac.audit_log WHERE id > $audit_before ORDER BY id});
	return \%state;
}

# Whether each principal may read w1 and their project, as has_scope says.
sub checks
{
	my ($principals) = @_;
	return $node->safe_psql('postgres', join('', map { qq{
		SELECT FROM rbac.set_principal('$_', false);
		SELECT concat_ws(' ', '$_', rbac.has_scope('documents.read', 'w1'),
		                 rbac.has_scope('documents.read', 'w1', 'project', 'pr_$_'));
	} } @$principals));
}

my $dir = PostgreSQL::Test::Utils::tempdir;

# The lines psql has printed for acknowledged changes.
sub acked_lines
{
	my $out = -e "$dir/acks" ? PostgreSQL::Test::Utils::slurp_file("$dir/acks") : '';
	my @lines = grep { /^ack / } split /\n/, $out;
	return wantarray ? @lines : scalar @lines;
}

# Run the stream in psql, one statement and one line of output per change,
# printed only once its COMMIT has returned; crash once enough are out (or
# stop waiting if psql failed).
PostgreSQL::Test::Utils::append_to_file("$dir/stream.sql",
	"SELECT FROM rbac.set_principal('olive', false);\n"
	  . join('', map { "SELECT 'ack $_ ' || (" . change($_)->{sql} . ")::text;\n" }
		  1 .. $STREAM_LENGTH));
my $stream = IPC::Run::start(
	[ 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
	  '-f', "$dir/stream.sql" ],
	'>', "$dir/acks", '2>', "$dir/errors");
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
usleep(100_000) until time > $deadline || acked_lines() >= $CRASH_AFTER || -s "$dir/errors";
$node->stop('immediate');
$stream->finish;

my @acks = acked_lines();
my %keys = map { /^ack (\d+) (rbac_\S+)$/ ? ($1 => $2) : () } @acks;
my $acked = @acks;
cmp_ok($acked, '>=', $CRASH_AFTER, "$acked changes committed before the crash");
cmp_ok($acked, '<', $STREAM_LENGTH, 'and the crash cut the stream short');
is(join(' ', map { /^ack (\d+)/ } @acks), join(' ', 1 .. $acked),
	'the committed changes are the first ones, in order');

$node->start;

# Recovery holds the acknowledged changes, and perhaps the one in flight
# whose COMMIT had not returned: one or the other, wholly, everywhere.
my $state = recovered();
my $n = $state->{audit} eq model($acked + 1)->{audit} ? $acked + 1 : $acked;
my $model = model($n);
note "the change in flight at the crash " . ($n > $acked ? 'committed' : 'did not commit');
is($state->{audit}, $model->{audit},
	'the audit log holds one row per committed change, in order, and none for the rest');
is($state->{grants}, $model->{grants}, 'the grants are those the committed changes made');
is($state->{roles}, $model->{roles}, 'so are the custom roles');
is($state->{keys}, $model->{keys}, 'and the API keys');
is(checks($model->{principals}), $model->{checks}, 'has_scope answers from the recovered grants');

my $keys = join(', ', map { "'$keys{$_}'" } sort { $a <=> $b } keys %keys);
my ($rc, $principals) = $node->psql('postgres',
	"SELECT string_agg(rbac.authenticate_api_key(k), ' ') FROM unnest(ARRAY[$keys]) AS k");
is($principals, join(' ', ('olive') x keys %keys),
	'every API key returned before the crash authenticates after it');

my $last_grant = $node->safe_psql('postgres', 'SELECT max(id) FROM rbac.grants');
cmp_ok($node->safe_psql('postgres', "SELECT rbac.grant('after', 'viewer', 'w1')"), '>', $last_grant,
	'administration goes on after recovery, with fresh ids');

$node->stop;
done_testing();
