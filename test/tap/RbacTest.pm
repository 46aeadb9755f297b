# Shared setup for the Perl TAP tests: a node with the extension, a small
# model behind an RLS-protected table, and the questions the tests ask of a
# node (a matrix of checks, the rows each principal sees, a table's rows, the
# sequences), each answered as text so two nodes compare with is().

package RbacTest;

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(start_node create_application populate create_api_key api_key_id
  check_matrix visible_rows table_rows rbac_tables sequence_states
  cached_answer cache_stat populate_everything model_answers check_source
  dump_node restore_dump check_restored next_ids);

# Who the matrix asks about, what and where.
our @PRINCIPALS = qw(olive carol dave vera frank erin oscar pat quinn gina);
our @SCOPES = qw(documents.read documents.edit members.manage tenant.delete
  api_keys.create audit.read);
our @WORKSPACES = qw(acme globex_ops);
our @PROJECTS = qw(roadmap payroll);
our @ORG_SCOPES = qw(org.read org.members.manage org.delete);

# What the dump and restore tests ask about, beyond the defaults: the
# principals, scopes and resources populate_everything() adds.
our %DUMP_MATRIX = (
	principals => [ @PRINCIPALS, qw(ursula walt xena) ],
	scopes => [ @SCOPES, qw(ledger.view ledger.purge) ],
	resources => [ [ 'project', 'roadmap' ], [ 'project', 'payroll' ], [ 'dataset', 'sales' ] ]);
our $TIMESTAMPS = [ 'created_at', 'updated_at' ];

# A started node whose database postgres has the extension.
sub start_node
{
	my ($name, %init) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);

	$node->init(%init);
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION rbac');
	return $node;
}

# The application: the login role app, which may set the principal; a
# table documents, readable where has_scope says so; and a function that
# reports how authenticating with an API key ends, so that a session can
# try a key and carry on ('principal', or 'refused: <message>').
sub create_application
{
	my ($node) = @_;

	$node->safe_psql('postgres', q{
		CREATE ROLE app LOGIN;
		GRANT rbac_authenticator TO app;
		CREATE TABLE documents (id int PRIMARY KEY, workspace_id text, project_id text, title text);
		ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
		CREATE POLICY read_documents ON documents FOR SELECT
			USING (rbac.has_scope('documents.read', workspace_id, 'project', project_id));
		GRANT SELECT ON documents TO app;
		INSERT INTO documents VALUES
			(1, 'acme', 'roadmap', 'Q3 roadmap'),
			(2, 'acme', 'payroll', 'Salary bands'),
			(3, 'globex_ops', 'infra', 'Runbook');
		CREATE FUNCTION authenticate_outcome(key text, is_local boolean DEFAULT true)
			RETURNS text LANGUAGE plpgsql AS $$
		BEGIN
			RETURN rbac.authenticate_api_key(key, is_local);
		EXCEPTION WHEN invalid_authorization_specification THEN
			RETURN 'refused: ' || SQLERRM;
		END $$;
	});
}

# The application, and the model most tests share, made by the platform
# operator:
#   acme (single Owner olive): carol member, vera viewer, frank member,
#     erin through the custom role doc_reader {documents.read},
#     dave membership_viewer on project roadmap;
#   organization globex (Owner oscar) with workspace globex_ops:
#     pat admin of every workspace of globex, quinn org_member;
#   an API key of frank in acme.
# Returns { frank_key => the key, frank_key_id => its id }.
sub populate
{
	my ($node) = @_;

	create_application($node);
	$node->safe_psql('postgres', q{
		SELECT rbac.create_organization('globex', 'Globex', owner => 'oscar');
		SELECT rbac.create_workspace('acme', 'Acme', owner => 'olive');
		SELECT rbac.create_workspace('globex_ops', 'Globex Ops', owner => 'oscar',
		                             organization => 'globex');
		SELECT rbac.grant('carol', 'member', 'acme');
		SELECT rbac.add_member('acme', 'vera', 'viewer');
		SELECT rbac.add_member('acme', 'frank');
		SELECT rbac.grant('dave', 'membership_viewer', 'acme', 'project', 'roadmap');
		SELECT rbac.create_role('doc_reader', 'Document Reader', 'workspace',
		                        '{documents.read}', belongs_to_workspace => 'acme');
		SELECT rbac.grant('erin', 'doc_reader', 'acme');
		SELECT rbac.grant_org_role('globex', 'pat', 'admin');
		SELECT rbac.grant_org_role('globex', 'quinn', 'org_member');
	});
	my $key = create_api_key($node, 'frank', q{'acme', label => 'frank-ci'});
	return { frank_key => $key, frank_key_id => api_key_id($node, $key) };
}

# A new API key of a principal, made as that principal; $args are
# rbac.create_api_key's arguments in SQL, such as "'acme', label => 'ci'".
sub create_api_key
{
	my ($node, $principal, $args) = @_;
	my $out = $node->safe_psql('postgres', qq{
		BEGIN;
		SELECT FROM rbac.set_principal('$principal');
		SELECT rbac.create_api_key($args);
		COMMIT;
	});
	return (split /\n/, $out)[-1];
}

# The id rbac.api_keys holds for a key.
sub api_key_id
{
	my ($node, $key) = @_;
	return $node->safe_psql('postgres',
		"SELECT id FROM rbac.api_keys WHERE prefix = substr('$key', 6, 12)");
}

# Every principal's answer to every check of the matrix, one line each:
# "principal scope node answer", in the workspaces, on the resources of acme
# and in the organization globex.  Options: principals, scopes and resources
# ([type, id] pairs in acme) to ask about instead of the defaults.
sub check_matrix
{
	my ($node, %opt) = @_;
	my $scopes = array_literal(@{ $opt{scopes} // \@SCOPES });
	my $workspaces = array_literal(@WORKSPACES);
	my $resources = 'VALUES ' . join(', ', map { "('$_->[0]', '$_->[1]')" }
		  @{ $opt{resources} // [ map { [ 'project', $_ ] } @PROJECTS ] });
	my $org_scopes = array_literal(@ORG_SCOPES);
	my $sql = '';

	foreach my $p (@{ $opt{principals} // \@PRINCIPALS })
	{
		$sql .= qq{
			SELECT FROM rbac.set_principal('$p', false);
			SELECT concat_ws(' ', '$p', s, w, rbac.has_scope(s, w))
			FROM unnest($scopes) AS s, unnest($workspaces) AS w ORDER BY s, w;
			SELECT concat_ws(' ', '$p', s, 'acme/' || t || '/' || r, rbac.has_scope(s, 'acme', t, r))
			FROM unnest($scopes) AS s, ($resources) AS res(t, r) ORDER BY s, t, r;
			SELECT concat_ws(' ', '$p', s, 'globex', rbac.has_org_scope(s, 'globex'))
			FROM unnest($org_scopes) AS s ORDER BY s;
		};
	}
	return $node->safe_psql('postgres', $sql);
}

sub array_literal
{
	return 'ARRAY[' . join(', ', map { "'$_'" } @_) . ']';
}

# The rows of an application table each principal sees as the role app:
# "principal ids".  Option: principals.
sub visible_rows
{
	my ($node, $table, %opt) = @_;
	my $sql = 'SET ROLE app;';

	foreach my $p (@{ $opt{principals} // \@PRINCIPALS })
	{
		$sql .= qq{
			SELECT FROM rbac.set_principal('$p', false);
			SELECT '$p ' || coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM $table;
		};
	}
	return $node->safe_psql('postgres', $sql);
}

# The tables of schema rbac, and whether each has a builtin column.
sub rbac_tables
{
	my ($node) = @_;
	my $out = $node->safe_psql('postgres', q{
		SELECT c.relname || ' ' || EXISTS (SELECT 1 FROM pg_attribute AS a
		                                   WHERE a.attrelid = c.oid AND a.attname = 'builtin')
		FROM pg_class AS c
		WHERE c.relnamespace = 'rbac'::regnamespace AND c.relkind = 'r'
		ORDER BY 1;
	});
	return map { my ($t, $b) = split / /; [ $t, $b eq 'true' ] } split /\n/, $out;
}

# A table's rows, as jsonb text, sorted: equal text means the same rows, no
# more and no fewer.  Options: where (a condition), without (columns to
# leave out), dbname.
sub table_rows
{
	my ($node, $table, %opt) = @_;
	my $where = $opt{where} // 'true';
	my $drop = array_literal(@{ $opt{without} // [] }) . '::text[]';

	return $node->safe_psql($opt{dbname} // 'postgres', qq{
		SELECT r FROM (SELECT (to_jsonb(t) - $drop)::text AS r FROM rbac.$table AS t
		               WHERE $where) AS rows
		ORDER BY r COLLATE "C";
	});
}

# Each sequence of schema rbac: "name last_value".
sub sequence_states
{
	my ($node) = @_;
	return $node->safe_psql('postgres', q{
		SELECT sequencename || ' ' || coalesce(last_value::text, 'unused')
		FROM pg_sequences WHERE schemaname = 'rbac' ORDER BY 1;
	});
}

# One of rbac.cache_stats() of a session.
sub cache_stat
{
	my ($session, $column) = @_;
	return $session->query_safe("SELECT $column FROM rbac.cache_stats()");
}

# A session's answer to a check, asked twice, the second time from its
# cache; 'not cached' if the second answer was not a cache hit.
sub cached_answer
{
	my ($session, $check) = @_;
	$session->query_safe("SELECT $check");
	my $hits = cache_stat($session, 'hits');
	my $answer = $session->query_safe("SELECT $check");
	return cache_stat($session, 'hits') > $hits ? $answer : 'not cached';
}

# The shared model and more of everything it holds, for dump and restore:
# catalog scopes (one retired), a resource type, custom roles of every kind
# at every node, grants on every node, keys restricted, expiring and
# revoked, a deleted workspace whose audit history stays, and a second
# table behind the application's scope.  Returns the keys.
sub populate_everything
{
	my ($node) = @_;
	my $fixture = populate($node);

	$node->safe_psql('postgres', q{
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
		create_api_key($node, 'carol', q{'acme', restriction => '{documents.read}', label => 'carol-ro'}),
		create_api_key($node, 'carol', q{'acme', label => 'carol-year', expires_at => now() + interval '1 year'}));
	my $revoked = create_api_key($node, 'carol', q{'acme', label => 'carol-old'});
	$node->safe_psql('postgres', 'SELECT rbac.revoke_api_key(' . api_key_id($node, $revoked) . ')');
	return [ @keys, $revoked ];
}

# How each key authenticates, and what it may then do in acme.
sub key_answers
{
	my ($node, $keys) = @_;
	return $node->safe_psql('postgres', join('', map { qq{
		BEGIN;
		SELECT authenticate_outcome('$_');
		SELECT rbac.has_scope('documents.read', 'acme') || ' ' || rbac.has_scope('api_keys.create', 'acme');
		COMMIT;
	} } @$keys));
}

# What a dump and restore must carry, as [what, answer] pairs: each rbac
# table row for row (built-in rows without their install times), the
# sequences, every check, the rows each principal sees, and how each key
# authenticates.  Built-in rows come from CREATE EXTENSION, so their install
# times differ, and a built-in role's scopes follow the catalog.
sub model_answers
{
	my ($node, $keys) = @_;
	my @answers;

	foreach my $t (rbac_tables($node))
	{
		my ($table, $has_builtin) = @$t;

		push @answers, [ "rbac.$table, row for row",
			table_rows($node, $table, where => $has_builtin ? 'NOT builtin' : 'true') ];
		push @answers, [ "the built-in rows of rbac.$table",
			table_rows($node, $table, where => 'builtin', without => $TIMESTAMPS) ]
		  if $has_builtin;
	}
	push @answers, [ 'every sequence', sequence_states($node) ];
	push @answers, [ 'every check', check_matrix($node, %DUMP_MATRIX) ];
	push @answers, [ "the rows each principal sees of $_",
		visible_rows($node, $_, principals => $DUMP_MATRIX{principals}) ]
	  foreach qw(documents ledgers);
	push @answers, [ 'how each key authenticates', key_answers($node, $keys) ];
	return @answers;
}

# Controls on the source's answers: there is something to lose.
sub check_source
{
	my ($node, @answers) = @_;
	my %answer = map { $_->[0] => $_->[1] } @answers;

	foreach my $what (grep { /row for row$/ && !/cache_signal/ } keys %answer)
	{
		isnt($answer{$what}, '', "the source has $what");
	}
	unlike($answer{'every sequence'}, qr/unused/, 'every sequence of the source has been used');
	like($answer{'every check'}, qr/^walt ledger\.view globex_ops t$/m,
		'the checks include answers through a database-wide custom role');
	like($node->safe_psql('postgres', q{SELECT scopes FROM rbac.roles WHERE key = 'viewer' AND builtin}),
		qr/ledger\.view/, 'a built-in role carries the application scope of its level');
	is($answer{'how each key authenticates'},
		join("\n", 'frank', 'true true', 'carol', 'true false', 'carol', 'true true',
			'refused: invalid API key: revoked', 'false false'),
		'in the source, the keys authenticate, within their restriction, and the revoked one does not');
}

# The source in the custom format, and its roles, into $dir.
sub dump_node
{
	my ($node, $dir) = @_;

	$node->command_ok([ 'pg_dump', '-Fc', '-f', "$dir/dump", '-d', $node->connstr('postgres') ],
		'pg_dump in the custom format');
	$node->command_ok([ 'pg_dumpall', '--roles-only', '-f', "$dir/roles.sql", '-d', $node->connstr('postgres') ],
		'pg_dumpall --roles-only');
}

# A fresh cluster with the roles (whose CREATE ROLE of the bootstrap
# superuser fails harmlessly) and the dump in $dir restored into its
# database postgres, and a fresh install in its database fresh.
sub restore_dump
{
	my ($name, $dir) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);

	$node->init;
	$node->start;
	$node->psql('postgres', PostgreSQL::Test::Utils::slurp_file("$dir/roles.sql"), on_error_stop => 0);
	$node->command_ok([ 'pg_restore', '-d', $node->connstr('postgres'), "$dir/dump" ],
		'pg_restore into a fresh cluster, without an error');
	$node->safe_psql('postgres', 'CREATE DATABASE fresh');
	$node->safe_psql('fresh', 'CREATE EXTENSION rbac');
	return $node;
}

# The restored node gives the source's answers, and its built-in rows are
# those a fresh install ships.
sub check_restored
{
	my ($node, $answers, $keys, $source) = @_;
	my %restored = map { $_->[0] => $_->[1] } model_answers($node, $keys);

	foreach my $answer (@$answers)
	{
		my ($what, $expected) = @$answer;
		is($restored{$what}, $expected, "$what, as in $source");
	}
	foreach my $t (grep { $_->[1] } rbac_tables($node))
	{
		my %builtin = (where => 'builtin', without => [ @$TIMESTAMPS, 'scopes' ]);
		is(table_rows($node, $t->[0], %builtin), table_rows($node, $t->[0], %builtin, dbname => 'fresh'),
			"the built-in rows of rbac.$t->[0] are those a fresh install ships");
	}
	is(table_rows($node, 'levels'), table_rows($node, 'levels', dbname => 'fresh'),
		'rbac.levels is as a fresh install ships it');
}

# One more change of each kind; the new ids, which continue the sequences.
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

1;
