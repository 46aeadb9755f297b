-- Access review in psql (003: reviewing access is a reading exercise).
-- rbac.role_catalog is the Roles page: every role with where it can be
-- assigned and its scope and member counts, built-ins first.  members_of,
-- who_has and explain read who holds what and need members.read (explain of
-- one's own reach needs nothing); role_diff and role_graph read only roles,
-- which anyone may.  role_graph draws seed 003's boxes in boxes from the
-- data, as Mermaid.  Refusals are 42501 naming the missing scope, with a hint.
BEGIN;
SELECT plan(93);
SET LOCAL client_min_messages = error;

CREATE ROLE rbac_gov_plain NOLOGIN IN ROLE rbac_user;
CREATE ROLE rbac_gov_admin NOLOGIN IN ROLE rbac_admin;

-- The SQLSTATE, detail and hint of the error a statement raises, or state
-- 'no error'; whatever the statement changed is undone either way.
CREATE FUNCTION pg_temp.err(stmt text, OUT state text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		BEGIN
			EXECUTE stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL,
			                        hint = PG_EXCEPTION_HINT;
			RETURN;
		END;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'undo';
	EXCEPTION WHEN SQLSTATE 'P0099' THEN
		state := 'no error';
	END;
END $$;

-- ===================================================================
-- Setup, as the platform operator
-- ===================================================================

SELECT FROM rbac.create_organization('globex', 'Globex');
SELECT FROM rbac.create_workspace('acme', 'Acme', 'olive', 'globex');
SELECT FROM rbac.create_workspace('g2', 'Globex Two', 'gwen', 'globex');
SELECT FROM rbac.create_workspace('solo', 'Solo', 'sam');
DO $$
BEGIN
	PERFORM rbac.add_member('acme', m.p, m.r)
	FROM (VALUES ('alice', 'admin'), ('frank', 'member'), ('vera', 'viewer'), ('bill', 'billing_manager'),
	             ('rita', 'viewer')) AS m(p, r);
END $$;
SELECT FROM rbac.grant_role('acme', 'frank', 'lead');
SELECT FROM rbac.grant_resource_role('acme', 'project', 'p1', 'rita', 'membership_planner');
SELECT FROM rbac.grant_resource_role('acme', 'project', 'p2', 'pia', 'membership_viewer');
SELECT FROM rbac.grant_org_role('globex', 'gus', 'viewer');
SELECT FROM rbac.grant_org_role('globex', 'oren', 'org_admin');
SELECT FROM rbac.create_role('doc_editor', 'Document Editor', 'workspace',
	'{documents.read,documents.comment,documents.edit}', belongs_to_workspace => 'acme');
SELECT FROM rbac.grant_role('acme', 'frank', 'doc_editor');
SELECT FROM rbac.create_role('reviewer', 'Reviewer', 'workspace', '{documents.read,documents.comment}',
	belongs_to_organization => 'globex');
SELECT FROM rbac.create_scope('epics.archive', 'planning', 'Archive epics', 'plan');
SELECT FROM rbac.retire_scope('epics.archive');

-- ===================================================================
-- rbac.role_catalog: the Roles page of 003
-- ===================================================================

SELECT columns_are('rbac', 'role_catalog',
	ARRAY['key', 'name', 'kind', 'builtin', 'assignable', 'scope_count', 'member_count', 'updated_at'],
	'role_catalog has key, name, kind, builtin, assignable, scope and member counts, updated at');
SELECT isnt(obj_description('rbac.role_catalog'::regclass, 'pg_class'), NULL, 'role_catalog has a COMMENT');
SELECT is((SELECT array_agg(key) FROM rbac.role_catalog),
	(SELECT array_agg(key ORDER BY builtin DESC, id) FROM rbac.roles),
	'it lists every role, built-ins first');
SELECT is((SELECT array_agg(key) FROM (SELECT key FROM rbac.role_catalog LIMIT 11) AS x),
	ARRAY['owner', 'admin', 'member', 'viewer', 'lead', 'planner', 'workspace_operator', 'billing_manager',
	      'membership_viewer', 'membership_contributor', 'membership_planner'],
	'003 the eleven built-in roles come first: eight workspace roles, then three resource roles');
SELECT is_empty($$
	SELECT c.key FROM rbac.role_catalog AS c JOIN rbac.roles AS r ON r.key = c.key
	  AND r.workspace_id IS NOT DISTINCT FROM (CASE WHEN c.assignable LIKE 'workspace %' THEN split_part(c.assignable, ' ', 2) END)
	WHERE c.scope_count <> rbac.cardinality(r.scopes)
$$, 'each role''s scope count is the number of its scopes');
SELECT is((SELECT o.scope_count - a.scope_count FROM rbac.role_catalog AS o, rbac.role_catalog AS a
           WHERE o.key = 'owner' AND a.key = 'admin'), 1,
	'003 Owner is Admin plus one scope');
SELECT is(c.member_count, v.expected, format('the member count of %s', c.key))
FROM rbac.role_catalog AS c
JOIN (VALUES ('owner', 3::bigint), ('admin', 1::bigint), ('member', 1::bigint), ('viewer', 3::bigint),
             ('lead', 1::bigint), ('membership_planner', 1::bigint), ('membership_viewer', 1::bigint),
             ('planner', 0::bigint), ('doc_editor', 1::bigint), ('reviewer', 0::bigint)) AS v(key, expected)
  ON v.key = c.key
ORDER BY c.key;
SELECT is(c.assignable, v.expected, format('%s is assignable %s', c.key, v.expected))
FROM rbac.role_catalog AS c
JOIN (VALUES ('owner', 'everywhere, on workspaces or organizations'),
             ('membership_viewer', 'everywhere, on single resources'),
             ('org_admin', 'everywhere, on organizations'),
             ('doc_editor', 'workspace acme, on workspaces or organizations'),
             ('reviewer', 'organization globex, on workspaces or organizations')) AS v(key, expected)
  ON v.key = c.key
ORDER BY c.key;
SELECT is((SELECT builtin::text || ' ' || kind FROM rbac.role_catalog WHERE key = 'doc_editor'), 'false workspace',
	'a custom role shows as not built-in, with its kind');
SELECT is_empty($$ SELECT key FROM rbac.role_catalog WHERE updated_at IS NULL $$, 'every role shows when it was updated');
SET LOCAL ROLE rbac_gov_admin;
SELECT lives_ok($$ SELECT * FROM rbac.role_catalog $$, 'rbac_admin reads the role catalog');
RESET ROLE;

-- ===================================================================
-- members_of(workspace)
-- ===================================================================

SELECT FROM rbac.set_principal('vera');
SELECT results_eq($$ SELECT principal, roles, resource_roles, organization_roles FROM rbac.members_of('acme') $$,
	$$ VALUES ('alice', '{admin}'::text[], '{}'::text[], '{}'::text[]),
	          ('bill', '{billing_manager}', '{}', '{}'),
	          ('frank', '{doc_editor,lead,member}', '{}', '{}'),
	          ('gus', '{}', '{}', '{viewer}'),
	          ('olive', '{owner}', '{}', '{}'),
	          ('pia', '{}', '{"membership_viewer on project p2"}', '{}'),
	          ('rita', '{viewer}', '{"membership_planner on project p1"}', '{}'),
	          ('vera', '{viewer}', '{}', '{}') $$,
	'members_of lists everyone with a grant that applies, with workspace, resource and organization roles; a Viewer may read it');
SELECT is((SELECT scope_count FROM rbac.members_of('acme') WHERE principal = 'olive'),
	(SELECT rbac.cardinality(scopes) FROM rbac.roles WHERE key = 'owner'), 'with each member''s reach as a scope count');
SELECT is_empty($$ SELECT principal FROM rbac.members_of('acme') WHERE principal = 'oren' $$,
	'an organization role alone (no workspace role) does not list someone as a member');

-- ===================================================================
-- who_has(scope, workspace)
-- ===================================================================

SELECT results_eq($$ SELECT principal, through_role, granted_on FROM rbac.who_has('documents.edit', 'acme') $$,
	$$ VALUES ('alice', 'admin', 'workspace acme'), ('frank', 'doc_editor', 'workspace acme'),
	          ('olive', 'owner', 'workspace acme'), ('rita', 'membership_planner', 'project p1') $$,
	'who_has names each holder and the grant that gives it, resource grants included');
SELECT results_eq($$ SELECT principal, through_role, granted_on FROM rbac.who_has('tenant.delete', 'acme') $$,
	$$ VALUES ('olive', 'owner', 'workspace acme') $$,
	'only the Owner holds tenant.delete');
SELECT results_eq($$ SELECT principal, through_role FROM rbac.who_has('documents.read', 'acme') WHERE principal = 'gus' $$,
	$$ VALUES ('gus', 'viewer') $$, 'a global role counts in each workspace of the organization');
SELECT is_empty($$ SELECT * FROM rbac.who_has('epics.archive', 'acme') $$, 'nobody holds a retired scope');
SELECT is((pg_temp.err($$ SELECT * FROM rbac.who_has('nope.read', 'acme') $$)).state, '22023', 'an unknown scope is an error');

-- ===================================================================
-- explain(principal, scope, workspace [, resource_type, resource_id])
-- ===================================================================

SELECT results_eq($$ SELECT gives, through_role, granted_on, note FROM rbac.explain('olive', 'tenant.delete', 'acme') $$,
	$$ VALUES (true, 'owner', 'workspace acme', 'this role carries the scope') $$,
	'explain names the role that gives a scope');
SELECT results_eq($$ SELECT gives, through_role, note FROM rbac.explain('frank', 'documents.edit', 'acme') $$,
	$$ VALUES (true, 'doc_editor', 'this role carries the scope'),
	          (false, 'lead', 'this role does not carry the scope'),
	          (false, 'member', 'this role does not carry the scope') $$,
	'and lists each applicable grant, the ones that give it first');
SELECT results_eq($$ SELECT gives, through_role, granted_on, note FROM rbac.explain('alice', 'tenant.delete', 'acme') $$,
	$$ VALUES (false, 'admin', 'workspace acme', 'this role does not carry the scope'),
	          (false, NULL, NULL, 'nothing gives "alice" tenant.delete here') $$,
	'or says that nothing gives it');
SELECT results_eq($$ SELECT gives, through_role, note FROM rbac.explain('nobody', 'documents.read', 'acme') $$,
	$$ VALUES (false, NULL::text, 'nothing gives "nobody" documents.read here') $$,
	'for someone with no grant, nothing gives it');
SELECT results_eq($$ SELECT gives, through_role, granted_on FROM rbac.explain('rita', 'projects.create', 'acme', 'project', 'p1') $$,
	$$ VALUES (true, 'membership_planner', 'project p1'), (false, 'viewer', 'workspace acme') $$,
	'on a resource, the resource grant gives it');
SELECT results_eq($$ SELECT gives, through_role FROM rbac.explain('rita', 'projects.create', 'acme', 'project', 'p3') $$,
	$$ VALUES (false, 'viewer'), (false, NULL) $$,
	'and on another resource nothing does (003: a resource grant reaches only its resource)');
SELECT results_eq($$ SELECT gives, through_role, granted_on FROM rbac.explain('gus', 'documents.read', 'acme') $$,
	$$ VALUES (true, 'viewer', 'organization globex') $$,
	'a global role is explained as granted on the organization (001)');
SELECT results_eq($$ SELECT gives, note FROM rbac.explain('olive', 'epics.archive', 'acme') $$,
	$$ VALUES (false, 'the scope is retired'), (false, 'nothing gives "olive" epics.archive here') $$,
	'a retired scope is given by nothing');
SELECT is((pg_temp.err($$ SELECT * FROM rbac.explain('olive', 'nope.read', 'acme') $$)).state, '22023',
	'an unknown scope is an error');
SELECT ok((SELECT bool_or(gives) FROM rbac.explain('frank', 'documents.edit', 'acme'))
          = rbac.principal_has_scope('frank', 'documents.edit', 'acme')
          AND (SELECT bool_or(gives) FROM rbac.explain('alice', 'tenant.delete', 'acme'))
              = rbac.principal_has_scope('alice', 'tenant.delete', 'acme'),
	'explain agrees with the check');

-- ===================================================================
-- role_diff(a, b [, workspace])
-- ===================================================================

SELECT results_eq($$ SELECT scope, only_in FROM rbac.role_diff('owner', 'admin') $$,
	$$ VALUES ('tenant.delete', 'owner') $$, '003 Owner is Admin plus tenant.delete');
SELECT results_eq($$ SELECT scope, only_in FROM rbac.role_diff('admin', 'owner') $$,
	$$ VALUES ('tenant.delete', 'owner') $$, 'whichever order the roles are given in');
SELECT results_eq($$ SELECT scope FROM rbac.role_diff('lead', 'member') WHERE only_in = 'lead' $$,
	$$ SELECT name FROM rbac.scopes WHERE level = 'oversee' AND NOT retired ORDER BY name $$,
	'003 Lead is Member plus seeing and cancelling teammates'' runs (the oversee scopes)');
SELECT is_empty($$ SELECT * FROM rbac.role_diff('lead', 'member') WHERE only_in = 'member' $$,
	'and Member has nothing Lead lacks');
SELECT is_empty($$ SELECT * FROM rbac.role_diff('billing_manager', 'admin') WHERE only_in = 'billing_manager' $$,
	'Billing Manager holds nothing Admin does not');
SELECT ok(NOT EXISTS (SELECT 1 FROM rbac.role_diff('billing_manager', 'member') WHERE only_in = 'member' AND scope = 'audit.read')
          AND EXISTS (SELECT 1 FROM rbac.role_diff('billing_manager', 'member') WHERE only_in = 'billing_manager' AND scope = 'audit.read')
          AND EXISTS (SELECT 1 FROM rbac.role_diff('billing_manager', 'member') WHERE only_in = 'member' AND scope = 'documents.read'),
	'003 Billing Manager stands alone: audit but no work');
SELECT results_eq($$ SELECT scope, only_in FROM rbac.role_diff('doc_editor', 'viewer', 'acme') WHERE only_in = 'doc_editor' $$,
	$$ VALUES ('documents.comment', 'doc_editor'), ('documents.edit', 'doc_editor') $$,
	'a custom role is looked up at the workspace given');
SELECT is((pg_temp.err($$ SELECT * FROM rbac.role_diff('doc_editor', 'viewer', 'solo') $$)).state, '42704',
	'a workspace''s role is not found at another workspace');
SELECT is((pg_temp.err($$ SELECT * FROM rbac.role_diff('nonesuch', 'viewer') $$)).state, '42704', 'an unknown role is an error');

-- ===================================================================
-- role_graph([workspace]): Mermaid boxes in boxes (003)
-- ===================================================================

SELECT is(split_part(rbac.role_graph(), E'\n', 1), 'graph TD', 'role_graph returns a Mermaid flowchart');
SELECT is_empty($$
	SELECT line FROM unnest(string_to_array(rbac.role_graph(), E'\n')) WITH ORDINALITY AS l(line, n)
	WHERE n > 1 AND line !~ '^    [a-z_0-9]+\["[^"]+ \([0-9]+ scopes\)"\]$' AND line !~ '^    [a-z_0-9]+ --> [a-z_0-9]+$'
$$, 'every other line is a node or an edge');
SELECT ok(rbac.role_graph() LIKE '%' || format('    owner["Owner (%s scopes)"]', rbac.cardinality(scopes)) || '%',
	'each node shows the role''s name and scope count')
FROM rbac.roles WHERE key = 'owner';
SELECT ok(position(E'\n    ' || edge || E'\n' IN rbac.role_graph() || E'\n') > 0, format('003 the edge %s is drawn', edge))
FROM unnest(ARRAY['owner --> admin', 'admin --> lead', 'lead --> member', 'member --> viewer', 'planner --> viewer',
                  'workspace_operator --> member', 'admin --> billing_manager', 'admin --> planner',
                  'admin --> workspace_operator', 'membership_planner --> membership_contributor',
                  'membership_contributor --> membership_viewer', 'org_owner --> org_admin', 'org_admin --> org_member']) AS edge;
SELECT ok(position(E'\n    ' || edge || E'\n' IN rbac.role_graph() || E'\n') = 0, format('and %s is not', edge))
FROM unnest(ARRAY['viewer --> member', 'member --> lead', 'admin --> owner', 'admin --> member', 'owner --> member',
                  'billing_manager --> member', 'member --> billing_manager', 'member --> membership_viewer',
                  'viewer --> membership_viewer', 'org_member --> viewer']) AS edge;
SELECT ok(rbac.role_graph('acme') LIKE E'%\n    planner --> doc_editor%'
          AND rbac.role_graph('acme') LIKE '%doc_editor["Document Editor (3 scopes)"]%',
	'with a workspace, its custom roles join the graph where their scopes fit');
SELECT ok(rbac.role_graph('acme') LIKE '%reviewer["Reviewer (2 scopes)"]%', 'and so do its organization''s roles');
SELECT ok(rbac.role_graph() NOT LIKE '%doc_editor%' AND rbac.role_graph('solo') NOT LIKE '%doc_editor%'
          AND rbac.role_graph('solo') NOT LIKE '%reviewer%',
	'but not in the database-wide graph or another workspace''s');

-- ===================================================================
-- Who may review: members.read, and the refusals
-- ===================================================================

SELECT FROM rbac.set_principal('bill');
SELECT is(row(e.state, e.detail, e.hint)::text,
          row('42501', format('Principal "bill" lacks the scope members.read in workspace "acme".'),
              'Ask someone who holds members.read in that workspace.')::text,
          v.description)
FROM (VALUES
	($$ SELECT * FROM rbac.members_of('acme') $$, 'a Billing Manager (no members.read) cannot list members: 42501 with detail and hint'),
	($$ SELECT * FROM rbac.who_has('documents.read', 'acme') $$, 'nor ask who has a scope'),
	($$ SELECT * FROM rbac.explain('frank', 'documents.read', 'acme') $$, 'nor explain someone else''s reach')
) AS v(sql, description), LATERAL pg_temp.err(v.sql) AS e;
SELECT results_eq($$ SELECT gives, through_role FROM rbac.explain('bill', 'audit.read', 'acme') $$,
	$$ VALUES (true, 'billing_manager') $$, 'but anyone may explain their own reach');
SELECT lives_ok($$ SELECT * FROM rbac.role_diff('owner', 'admin') $$, 'and anyone may diff roles, which are public');
SELECT lives_ok($$ SELECT rbac.role_graph('acme') $$, 'or draw the graph');
SELECT FROM rbac.set_principal('vera');
SELECT is((pg_temp.err($$ SELECT * FROM rbac.members_of('g2') $$)).detail,
	'Principal "vera" lacks the scope members.read in workspace "g2".', 'members.read is needed in the workspace asked about');
SELECT is((pg_temp.err($$ SELECT * FROM rbac.members_of('nowhere') $$)).detail,
	'Principal "vera" lacks the scope members.read in workspace "nowhere".',
	'an unknown workspace is refused as another''s is: a principal learns not even that it does not exist');
SELECT FROM rbac.set_principal('gus');
SELECT lives_ok($$ SELECT * FROM rbac.members_of('g2') $$, 'a global Viewer may review every workspace of the organization');
SELECT FROM rbac.set_principal(NULL);
SELECT lives_ok($$ SELECT * FROM rbac.members_of('acme') $$, 'the operator may review any workspace');
SELECT FROM rbac.set_principal('frank');
SET LOCAL ROLE rbac_gov_plain;
SELECT lives_ok($$ SELECT * FROM rbac.who_has('tenant.delete', 'acme') $$, 'a plain rbac_user acting for a member may review');
SELECT lives_ok($$ SELECT rbac.role_graph() $$, 'and draw the graph');
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);

-- Every table, view and function of the extension has a COMMENT.
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc AS p
	WHERE p.pronamespace = 'rbac'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
	UNION ALL
	SELECT c.oid::regclass::text FROM pg_class AS c
	WHERE c.relnamespace = 'rbac'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
	  AND obj_description(c.oid, 'pg_class') IS NULL
$$, 'every rbac table, view and function has a COMMENT');

SELECT * FROM finish();
ROLLBACK;
