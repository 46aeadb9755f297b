# A streaming hot standby answers every check as its primary does, RLS shows
# the same rows there, and a standby session that has cached an answer sees
# a change at its next statement once the standby has replayed it: a revoke,
# a role losing a scope, an API key revoked, a new grant.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

# Waits until the standby has replayed everything the primary wrote.
sub wait_for_replay
{
	my ($primary, $standby) = @_;
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
}

my $primary = start_node('primary', allows_streaming => 1);
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# The model reaches the standby by streaming, not in the base backup.
my $fixture = populate($primary);
wait_for_replay($primary, $standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't',
	'the standby is in recovery');

my $matrix = check_matrix($primary);
like($matrix, qr/ t$/m, 'the matrix holds some yes answers');
like($matrix, qr/ f$/m, 'and some no answers');
is(check_matrix($standby), $matrix,
	'every principal gets the same answer to every check on the standby');

my $documents = visible_rows($primary, 'documents');
is($documents, join("\n", 'olive 1,2', 'carol 1,2', 'dave 1', 'vera 1,2', 'frank 1,2',
		'erin 1,2', 'oscar 3', 'pat 3', 'quinn -', 'gina -'),
	'the policy shows each principal the rows of the model on the primary');
is(visible_rows($standby, 'documents'), $documents,
	'and the same rows on the standby');

# One standby session for all that follows, so its cache stays warm.
my $session = $standby->background_psql('postgres');
$session->query_safe('SET ROLE app');

sub change_on_primary
{
	my ($sql) = @_;
	my $before = cache_stat($session, 'invalidations');
	$primary->safe_psql('postgres', $sql);
	wait_for_replay($primary, $standby);
	return $before;
}

# (a) A revoke.
$session->query_safe("SELECT rbac.set_principal('carol', false)");
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 't',
	'carol may read acme, answered from the standby session\'s cache');
is($session->query_safe('SELECT count(*) FROM documents'), '2',
	'and sees the two documents of acme');
my $invalidations = change_on_primary("SELECT rbac.revoke('carol', 'member', 'acme')");
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 'f',
	'after the revoke is replayed, the same session answers no');
is($session->query_safe('SELECT count(*) FROM documents'), '0',
	'and sees no document');
cmp_ok(cache_stat($session, 'invalidations'), '>', $invalidations,
	'because the replayed commit invalidated its cache');

# (b) A custom role losing a scope.
$session->query_safe("SELECT rbac.set_principal('erin', false)");
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 't',
	'erin may read acme through doc_reader, from the cache');
change_on_primary(q{SELECT rbac.alter_role('doc_reader', belongs_to_workspace => 'acme',
	remove_scopes => '{documents.read}')});
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 'f',
	'after doc_reader loses documents.read on the primary, the session answers no');

# (c) An API key revoked.  Authenticating reads the key and writes nothing,
# so it works on a read-only standby.
is($session->query_safe("SELECT authenticate_outcome('$fixture->{frank_key}', false)"),
	'frank', 'an API key authenticates on the standby');
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 't',
	'the key may read acme, from the cache');
change_on_primary("SELECT rbac.revoke_api_key($fixture->{frank_key_id})");
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 'f',
	'after the key is revoked on the primary, the session holding it answers no');
like($session->query_safe("SELECT authenticate_outcome('$fixture->{frank_key}', false)"),
	qr/^refused: invalid API key: revoked$/, 'and the key no longer authenticates');

# (d) A new grant.
$session->query_safe("SELECT rbac.set_principal('gina', false)");
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 'f',
	'gina may not read acme, from the cache');
change_on_primary("SELECT rbac.grant('gina', 'viewer', 'acme')");
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 't',
	'after a grant to gina is replayed, the session answers yes');
is($session->query_safe('SELECT count(*) FROM documents'), '2',
	'and sees the documents of acme');

$session->quit;
is(check_matrix($standby), check_matrix($primary),
	'after the changes, the standby still answers every check as the primary');

$standby->stop;
$primary->stop;
done_testing();
