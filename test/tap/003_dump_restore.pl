# pg_dump and pg_restore into a fresh cluster carry the whole model: every
# rbac table row for row (the audit log included), built-in rows as a fresh
# install ships them, sequences where they were, so new ids continue without
# collision; RLS answers as before, and API keys still authenticate.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

my @PRINCIPALS = (@RbacTest::PRINCIPALS, qw(ursula walt xena));
my @SCOPES = (@RbacTest::SCOPES, qw(ledger.view ledger.purge));
my @RESOURCES = ([ 'project', 'roadmap' ], [ 'project', 'payroll' ], [ 'dataset', 'sales' ]);
my $TIMESTAMPS = [ 'created_at', 'updated_at' ];

my $source = start_node('source');
my $fixture = populate($source);

# More of everything the model holds: catalog scopes (one retired), a
# resource type, custom roles of every kind at every node, grants on every
# node, keys restricted, expiring and revoked, a deleted workspace whose
# audit history stays, and a second table behind the application's scope.
$source->safe_psql('postgres', q{
	SELECT rbac.create_scope('ledger.view', 'ledger', 'View the ledger', 'read');
	SELECT rbac.create_scope('ledger.purge', 'ledger', 'Purge the ledger', 'plan', destructive => true);
	SELECT rbac.retire_scope('ledger.purge');
	SELECT rbac.register_resource_type('dataset', 'a data set');
	SELECT rbac.grant('dave', 'membership_viewer', 'acme', 'dataset', 'sales');
	SELECT rbac.create_role('org_auditor', 'Org Auditor', 'organization', '{org.read}',
	                        belongs_to_organization => 'globex');
	SELECT rbac.grant_org_role('globex', 'ursula', 'org_auditor');
	SELECT rbac.create_role('global_reader', 'Global Reader', 'workspace',
	                        '{documents.read,ledger.view}');
	SELECT rbac.grant('walt', 'global_reader', 'globex_ops');
	SELECT rbac.create_role('dataset_reader', 'Dataset Reader', 'resource', '{documents.read}',
	                        belongs_to_workspace => 'acme');
	SELECT rbac.grant('xena', 'dataset_reader', 'acme', 'dataset', 'sales');
	SELECT rbac.create_workspace('scratch', 'Scratch', owner => 'olive');
	SELECT rbac.grant('carol', 'member', 'scratch');
	SELECT rbac.delete_workspace('scratch');

	CREATE TABLE ledgers (id int PRIMARY KEY, workspace_id text, amount numeric);
	ALTER TABLE ledgers ENABLE ROW LEVEL SECURITY;
	CREATE POLICY read_ledgers ON ledgers FOR SELECT
		USING (rbac.has_scope('ledger.view', workspace_id));
	GRANT SELECT ON ledgers TO app;
	INSERT INTO ledgers VALUES (1, 'acme', 10), (2, 'globex_ops', 20);
});
my @keys = ($fixture->{frank_key},
	create_api_key($source, 'carol', q{'acme', restriction => '{documents.read}', label => 'carol-ro'}),
	create_api_key($source, 'carol', q{'acme', label => 'carol-year', expires_at => now() + interval '1 year'}));
my $revoked = create_api_key($source, 'carol', q{'acme', label => 'carol-old'});
$source->safe_psql('postgres', 'SELECT rbac.revoke_api_key(' . api_key_id($source, $revoked) . ')');
push @keys, $revoked;

# Dump; restore into a fresh cluster that has the roles (pg_dumpall
# --roles-only, whose CREATE ROLE of the bootstrap superuser fails harmlessly).
my $dir = PostgreSQL::Test::Utils::tempdir;
$source->command_ok([ 'pg_dump', '-Fc', '-f', "$dir/dump", '-d', $source->connstr('postgres') ],
	'pg_dump in the custom format');
$source->command_ok([ 'pg_dumpall', '--roles-only', '-f', "$dir/roles.sql", '-d', $source->connstr('postgres') ],
	'pg_dumpall --roles-only');
my $restored = PostgreSQL::Test::Cluster->new('restored');
$restored->init;
$restored->start;
$restored->psql('postgres', PostgreSQL::Test::Utils::slurp_file("$dir/roles.sql"), on_error_stop => 0);
$restored->command_ok([ 'pg_restore', '-d', $restored->connstr('postgres'), "$dir/dump" ],
	'pg_restore into the fresh cluster, without an error');
$restored->safe_psql('postgres', 'CREATE DATABASE fresh');
$restored->safe_psql('fresh', 'CREATE EXTENSION rbac');

# Row for row, table by table.  Built-in rows come from CREATE EXTENSION,
# so their install times differ, and a built-in role's scopes follow the
# catalog, which the restored custom scopes extend.
foreach my $t (rbac_tables($source))
{
	my ($table, $has_builtin) = @$t;
	my %user = (where => $has_builtin ? 'NOT builtin' : 'true');
	my $rows = table_rows($source, $table, %user);

	isnt($rows, '', "the source has rows in rbac.$table") unless $table eq 'cache_signal';
	is(table_rows($restored, $table, %user), $rows, "rbac.$table is restored row for row");
	next unless $has_builtin;
	my %builtin = (where => 'builtin', without => $TIMESTAMPS);
	is(table_rows($restored, $table, %builtin), table_rows($source, $table, %builtin),
		"the built-in rows of rbac.$table are those of the source");
	$builtin{without} = [ @$TIMESTAMPS, 'scopes' ];
	is(table_rows($restored, $table, %builtin), table_rows($restored, $table, %builtin, dbname => 'fresh'),
		"and those a fresh install ships");
}
is(table_rows($restored, 'levels'), table_rows($restored, 'levels', dbname => 'fresh'),
	'rbac.levels is as a fresh install ships it');
like($source->safe_psql('postgres',
		q{SELECT scopes FROM rbac.roles WHERE key = 'viewer' AND builtin}),
	qr/ledger\.view/, 'a built-in role carries the application scope of its level');

my $sequences = sequence_states($source);
unlike($sequences, qr/unused/, 'every sequence of the source has been used');
is(sequence_states($restored), $sequences, 'every sequence is restored where it was');

# One more change of each kind gets the same new ids on both sides.
sub next_ids
{
	my ($node) = @_;
	my $key = create_api_key($node, 'carol', q{'acme', label => 'next'});
	return $node->safe_psql('postgres', q{
		SELECT rbac.grant('yuri', 'viewer', 'acme');
		SELECT rbac.create_role('next_role', 'Next Role', 'workspace', '{documents.read}',
		                        belongs_to_workspace => 'acme');
		SELECT max(id) FROM rbac.audit_log;
	}) . "\n" . api_key_id($node, $key);
}
my $max_grant = $restored->safe_psql('postgres', 'SELECT max(id) FROM rbac.grants');
my $ids = next_ids($source);
is(next_ids($restored), $ids, 'new grants, roles, audit rows and keys get the ids they would have in the source');
cmp_ok((split /\n/, $ids)[0], '>', $max_grant, 'past every restored id');

my %matrix = (principals => \@PRINCIPALS, scopes => \@SCOPES, resources => \@RESOURCES);
my $matrix = check_matrix($source, %matrix);
like($matrix, qr/^walt ledger\.view globex_ops t$/m,
	'the matrix includes answers through a database-wide custom role');
is(check_matrix($restored, %matrix), $matrix, 'every check answers as in the source');
foreach my $table (qw(documents ledgers))
{
	my $rows = visible_rows($source, $table, principals => \@PRINCIPALS);
	is(visible_rows($restored, $table, principals => \@PRINCIPALS), $rows,
		"each principal sees the same rows of $table");
}

# How each key authenticates, and what it may then do in acme.
sub key_answers
{
	my ($node) = @_;
	return $node->safe_psql('postgres', join('', map { qq{
		BEGIN;
		SELECT authenticate_outcome('$_');
		SELECT rbac.has_scope('documents.read', 'acme') || ' ' || rbac.has_scope('api_keys.create', 'acme');
		COMMIT;
	} } @keys));
}
my $answers = key_answers($source);
is($answers, join("\n", 'frank', 'true true', 'carol', 'true false', 'carol', 'true true',
		'refused: invalid API key: revoked', 'false false'),
	'in the source, the keys authenticate, within their restriction, and the revoked one does not');
is(key_answers($restored), $answers, 'and the same after restore');

$restored->stop;
$source->stop;
done_testing();
