# The commit window, replayed step by step under gdb.
#
# A committing writer becomes visible to new snapshots before it sends its
# invalidations, so rbac's writers send an early copy of their signals and
# hold a lock while they commit, and a reader that took in a signal keeps
# what it read only if no transaction it cannot see yet may be behind it
# (src/cache.c).  This test stops both backends at the moments that matter:
#
#   1. the writer has sent its early signals and is about to leave the proc
#      array (a breakpoint on ProcArrayEndTransaction);
#   2. the reader, whose snapshot does not see the revoke, has taken in the
#      signal, read the grant, and is about to count the committing writers
#      (a breakpoint on GetLockConflicts);
#   3. the writer goes on until it has left the proc array but has not yet
#      sent its invalidations (a breakpoint on AtEOXact_Inval);
#   4. the reader finishes, and then asks again in a new transaction, whose
#      snapshot sees the revoke while no invalidation has come in.
#
# The answer in step 4 must be "no".  When the reader looked for the writer
# in the proc array before counting the lock holders, it saw it running in
# step 2 and then not holding the lock in step 4 (a writer that has left the
# proc array is no longer counted), kept the old read and answered "yes".
#
# Needs gdb and permission to attach to the server's processes: without
# them the test fails, so that a run that cannot replay the race never
# passes for one that did.  On a machine that forbids ptrace, set
# RBAC_TEST_NO_PTRACE=1 to skip it instead (tools/run-tests names every
# skipped file, and fails a skip when CI is set).

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

# Why the race cannot be replayed here: fail, or skip where ptrace is
# known to be forbidden.
sub cannot_replay
{
	my ($why, $detail) = @_;

	plan skip_all => "$why (RBAC_TEST_NO_PTRACE is set)" if $ENV{RBAC_TEST_NO_PTRACE};
	fail("gdb can stop the server's backends: $why");
	diag($detail) if defined $detail;
	diag('On a machine that forbids ptrace, set RBAC_TEST_NO_PTRACE=1 to skip this test.');
	done_testing();
	exit;
}

cannot_replay('gdb is not installed')
  unless system('gdb --version >/dev/null 2>&1') == 0;

my $node = start_node('window');
$node->safe_psql('postgres', q{
	SELECT rbac.create_workspace('ws_1', 'One', 'owner_1');
	SELECT rbac.grant('probe', 'viewer', 'ws_1');
});

my $reader = $node->background_psql('postgres');
my $writer = $node->background_psql('postgres');
my $reader_pid = $reader->query_safe('SELECT pg_backend_pid()');
my $writer_pid = $writer->query_safe('SELECT pg_backend_pid()');

# A debugger attached to one backend, driven through its standard input.
my @debuggers;

# Wait until gdb has carried out what was sent before this mark (for
# "continue": until the backend stops again); return what it printed.
sub wait_gdb
{
	my ($gdb, $what) = @_;
	my $mark = 'rbac-gdb-' . ++$gdb->{marks};

	$gdb->{out} = '';
	$gdb->{in} .= "echo $mark\\n\n";
	pump_until($gdb->{run}, $gdb->{timer}, \$gdb->{out}, qr/\b$mark$/m)
	  or BAIL_OUT("gdb did not finish $what: $gdb->{out}");
	return $gdb->{out};
}

sub gdb
{
	my ($gdb, $command) = @_;

	$gdb->{in} .= "$command\n";
	return wait_gdb($gdb, "\"$command\"");
}

sub attach
{
	my ($pid) = @_;
	my $gdb = {
		in => '', out => '', marks => 0,
		timer => IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default) };

	# No symbol server: there is no network, and none is needed for the
	# exported functions the breakpoints name.
	$gdb->{run} = IPC::Run::start(
		[ 'env', '-u', 'DEBUGINFOD_URLS', 'gdb', '-q', '-nx', '-p', $pid ],
		'<', \$gdb->{in}, '>&', \$gdb->{out}, $gdb->{timer});
	push @debuggers, $gdb;
	$gdb->{attached} = wait_gdb($gdb, 'attaching');
	gdb($gdb, 'set pagination off');
	gdb($gdb, 'set confirm off');
	return $gdb;
}

# Let the backends go whatever happens, so that the node can stop.
sub release_all
{
	for my $gdb (@debuggers)
	{
		$gdb->{in} .= "delete\ndetach\nquit\n";
		eval { $gdb->{run}->finish; 1 } or $gdb->{run}->kill_kill;
	}
	@debuggers = ();
}
END { release_all() }

# Containers and hardened kernels may forbid attaching to another process:
# gdb must attach to a backend, and detach, before the replay starts.
sub attach_problem
{
	my ($pid) = @_;
	my $out = '';

	IPC::Run::run(
		[ 'env', '-u', 'DEBUGINFOD_URLS', 'gdb', '-q', '-nx', '-batch', '-p', $pid, '-ex', 'detach' ],
		'<', \undef, '>&', \$out,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return $out =~ /\[Inferior \d+ \(process $pid\) detached\]/ ? undef : $out;
}
my $problem = attach_problem($writer_pid);
cannot_replay('gdb may not attach to the server here', $problem) if defined $problem;

# The reader caches the probe's grant.
$reader->query_safe("SELECT rbac.set_principal('probe', false)");
is($reader->query_safe("SELECT rbac.has_scope('documents.read', 'ws_1')"), 't',
	'the probe may read ws_1, and the reader has cached it');

# The writer revokes it and starts to commit; it stops just before it
# leaves the proc array, with its early signals sent.
$writer->query_safe('BEGIN');
$writer->query_safe("SELECT rbac.revoke('probe', 'viewer', 'ws_1')");
my $gdb_writer = attach($writer_pid);
like(gdb($gdb_writer, 'break ProcArrayEndTransaction'), qr/Breakpoint 1 at/,
	'gdb can stop the writer where it leaves the proc array');
like(gdb($gdb_writer, 'break AtEOXact_Inval'), qr/Breakpoint 2 at/,
	'and where it sends its invalidations');
$gdb_writer->{in} .= "continue\n";
$writer->query_until(qr/commit sent/, "\\echo commit sent\nCOMMIT;\n");
like(wait_gdb($gdb_writer, 'the commit'), qr/Breakpoint 1, .*ProcArrayEndTransaction/,
	'the writer stops while committing, still in the proc array');

# The reader asks, under a snapshot that does not see the revoke yet, and
# stops when it is about to count the committing writers.
my $gdb_reader = attach($reader_pid);
like(gdb($gdb_reader, 'break GetLockConflicts'), qr/Breakpoint 1 at/,
	'gdb can stop the reader where it counts the committing writers');
$gdb_reader->{in} .= "continue\n";
$reader->query_until(qr/check sent/,
	"\\echo check sent\nSELECT rbac.has_scope('documents.read', 'ws_1');\n");
like(wait_gdb($gdb_reader, 'the check'), qr/Breakpoint 1, .*GetLockConflicts/,
	'the reader took in the early signal and checks whether its read may be kept');

# The writer leaves the proc array, and stops before its invalidations.
like(gdb($gdb_writer, 'continue'), qr/Breakpoint 2, .*AtEOXact_Inval/,
	'the writer has left the proc array and not yet sent its invalidations');

# The reader finishes its check: its snapshot did not see the revoke.
gdb($gdb_reader, 'delete');
gdb($gdb_reader, 'detach');
is($reader->query_safe('SELECT 1'), "t\n1",
	'the check under the old snapshot answers yes, as that snapshot sees the grant');
my $invalidations = cache_stat($reader, 'invalidations');

# A new transaction sees the revoke; its answer must agree.
is( $reader->query_safe(q{
		SELECT format('%s %s', rbac.has_scope('documents.read', 'ws_1'),
			EXISTS (SELECT FROM rbac.grants WHERE principal = 'probe'))}),
	'f f',
	'the next transaction sees the revoke and answers no');
is(cache_stat($reader, 'invalidations'), $invalidations,
	'with no invalidation taken in since the early signal');

release_all();
$writer->query_safe('SELECT 1');
is($reader->query_safe("SELECT rbac.has_scope('documents.read', 'ws_1')"), 'f',
	'and still no once the writer has finished');

$reader->quit;
$writer->quit;
$node->stop;
done_testing();
