# Logical replication of the model to a subscriber that has the extension,
# by the recipe in the README.  The publisher publishes the rows users make
# (built-in rows are the extension's on both sides, and the extension sets
# the replica identity the row filter needs); the subscriber holds the same
# rows and answers every check alike; and the extension's row triggers for
# replicas, which the apply worker fires, tell cached sessions of applied
# changes and re-derive the built-in roles when the catalog grows.
# Sequences are not replicated: a subscriber that is to take writes sets
# them from the rows first.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

my @PUBLISHED = qw(scopes resource_types roles organizations workspaces grants api_keys audit_log);
my @WITH_BUILTIN = qw(scopes resource_types roles);

# The recipe: one publication on the publisher, one subscription.
my $RECIPE_PUBLICATION = q{
	CREATE PUBLICATION rbac FOR TABLE
		rbac.scopes WHERE (NOT builtin), rbac.resource_types WHERE (NOT builtin),
		rbac.roles WHERE (NOT builtin), rbac.organizations, rbac.workspaces,
		rbac.grants, rbac.api_keys, rbac.audit_log;
};
# To take writes, stop subscribing and set the sequences past the rows.
my $RECIPE_TAKE_WRITES = q{
	ALTER SUBSCRIPTION rbac DISABLE;
	SELECT setval('rbac.roles_id_seq', greatest(1000, (SELECT max(id) FROM rbac.roles)));
	SELECT setval('rbac.grants_id_seq', (SELECT max(id) FROM rbac.grants));
	SELECT setval('rbac.api_keys_id_seq', (SELECT max(id) FROM rbac.api_keys));
	SELECT setval('rbac.audit_log_id_seq', (SELECT max(id) FROM rbac.audit_log));
};

my $publisher = start_node('publisher', allows_streaming => 'logical');
my $fixture = populate($publisher);
$publisher->safe_psql('postgres',
	q{SELECT rbac.create_scope('ledger.view', 'ledger', 'View the ledger', 'read')});

# The row filter on builtin needs the column in the replica identity, which
# the extension sets: custom roles can still change under the publication.
$publisher->safe_psql('postgres', $RECIPE_PUBLICATION);
my ($rc, $out, $err) = $publisher->psql('postgres',
	q{SELECT rbac.alter_role('doc_reader', belongs_to_workspace => 'acme', name => 'Doc Reader')});
is($err, '', 'under the filtered publication, the publisher still alters a custom role');

my $subscriber = start_node('subscriber');
create_application($subscriber);
$subscriber->safe_psql('postgres', "CREATE SUBSCRIPTION rbac CONNECTION '" . $publisher->connstr
	  . " dbname=postgres' PUBLICATION rbac;");
$subscriber->wait_for_subscription_sync($publisher, 'rbac');

sub same_rows
{
	my ($when) = @_;
	foreach my $table (@PUBLISHED)
	{
		my %user = (where => (grep { $_ eq $table } @WITH_BUILTIN) ? 'NOT builtin' : 'true');
		is(table_rows($subscriber, $table, %user), table_rows($publisher, $table, %user),
			"$when: the subscriber holds the rows of rbac.$table");
	}
	my %builtin = (where => 'builtin', without => [ 'created_at', 'updated_at' ]);
	is(table_rows($subscriber, 'roles', %builtin), table_rows($publisher, 'roles', %builtin),
		"$when: its built-in roles carry the same scopes, the application's included");
	is(check_matrix($subscriber), check_matrix($publisher),
		"$when: every principal gets the same answer to every check");
}
same_rows('after the initial sync');
like(table_rows($subscriber, 'roles', where => q{key = 'viewer'}), qr/ledger\.view/,
	'the subscriber re-derived the built-in roles from the application scope it received');
is(visible_rows($subscriber, 'documents'), visible_rows($publisher, 'documents'),
	'the policy shows each principal the same rows on both');

# One session on the subscriber, which keeps its cache throughout.
my $session = $subscriber->background_psql('postgres');

sub change_on_publisher
{
	my ($sql) = @_;
	$publisher->safe_psql('postgres', $sql);
	$publisher->wait_for_catchup('rbac');
}

# The extension's row triggers for replicas tell the session at each
# applied commit.
$session->query_safe("SELECT rbac.set_principal('vera', false)");
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 't',
	'vera may read acme, from the cache');
change_on_publisher("SELECT rbac.revoke('vera', 'viewer', 'acme')");
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 'f',
	'with the replica row triggers, a revoke applied on the subscriber reaches the cached session');

$session->query_safe("SELECT rbac.set_principal('erin', false)");
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 't',
	'erin may read acme through doc_reader, from the cache');
change_on_publisher(q{SELECT rbac.alter_role('doc_reader', belongs_to_workspace => 'acme',
	remove_scopes => '{documents.read}')});
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 'f',
	'a custom role losing a scope reaches it');

is($session->query_safe("SELECT authenticate_outcome('$fixture->{frank_key}', false)"), 'frank',
	'an API key made on the publisher authenticates on the subscriber');
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 't',
	'and may read acme, from the cache');
change_on_publisher("SELECT rbac.revoke_api_key($fixture->{frank_key_id})");
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 'f',
	'its revocation reaches the session holding it');

$session->query_safe("SELECT rbac.set_principal('gina', false)");
is(cached_answer($session, "rbac.has_scope('documents.read', 'acme')"), 'f',
	'gina may not read acme, from the cache');
change_on_publisher("SELECT rbac.grant('gina', 'viewer', 'acme')");
is($session->query_safe("SELECT rbac.has_scope('documents.read', 'acme')"), 't',
	'a new grant reaches it');
is(cached_answer($session, "rbac.has_scope('ledger.view', 'acme')"), 't',
	'gina may view the ledger through the re-derived viewer role, from the cache');
change_on_publisher(q{SELECT rbac.retire_scope('ledger.view');
	SELECT rbac.create_scope('ledger.export', 'ledger', 'Export the ledger', 'read')});
is($session->query_safe("SELECT rbac.has_scope('ledger.view', 'acme')"), 'f',
	'a scope retired on the publisher reaches it');
is($session->query_safe("SELECT rbac.has_scope('ledger.export', 'acme')"), 't',
	'and a scope created there is known to it, and held through the viewer role');
$session->quit;

change_on_publisher(q{
	SELECT rbac.create_workspace('scratch', 'Scratch', owner => 'olive');
	SELECT rbac.create_role('scratch_role', 'Scratch Role', 'workspace', '{documents.read}',
	                        belongs_to_workspace => 'scratch');
	SELECT rbac.delete_workspace('scratch');
});
same_rows('after the changes');

# Sequences are not replicated.  To take writes, a subscriber stops
# subscribing and sets each sequence past the rows it holds.
isnt(sequence_states($subscriber), sequence_states($publisher),
	'the subscriber\'s sequences have not followed the publisher\'s');
$subscriber->safe_psql('postgres', $RECIPE_TAKE_WRITES);
my $last_grant = $subscriber->safe_psql('postgres', 'SELECT max(id) FROM rbac.grants');
cmp_ok($subscriber->safe_psql('postgres', q{
		SELECT rbac.create_role('after', 'After', 'workspace', '{documents.read}',
		                        belongs_to_workspace => 'acme');
		SELECT rbac.grant('yuri', 'after', 'acme');
	}) =~ s/.*\n//r, '>', $last_grant,
	'then administration on the subscriber gets fresh ids');
like(create_api_key($subscriber, 'olive', q{'acme'}), qr/^rbac_/, 'and so do keys');

$subscriber->stop;
$publisher->stop;
done_testing();
