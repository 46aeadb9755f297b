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
  cached_answer cache_stat);

# Who the matrix asks about, what and where.
our @PRINCIPALS = qw(olive carol dave vera frank erin oscar pat quinn gina);
our @SCOPES = qw(documents.read documents.edit members.manage tenant.delete
  api_keys.create audit.read);
our @WORKSPACES = qw(acme globex_ops);
our @PROJECTS = qw(roadmap payroll);
our @ORG_SCOPES = qw(org.read org.members.manage org.delete);

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

1;
