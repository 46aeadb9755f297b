-- Effective reach: the union of a workspace role and a resource role; a
-- resource grant that reaches only its own resource; kinds that never
-- cross; workspace roles granted on an organization, which apply in each of
-- its workspaces; organization roles; effective_scopes() and
-- principal_has_scope() and who may call them; and the checks' answers with
-- no principal, unknown or NULL scopes, NULL ids and typed ids.
BEGIN;
SELECT plan(149);
SET LOCAL search_path = rbac, public;

-- Checks as a principal: set it, ask has_scope in a new statement, and
-- clear it again, so that administration acts as the operator.
CREATE FUNCTION pg_temp.holds(p text, s text, w text, rt text DEFAULT NULL, rid text DEFAULT NULL)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	answer boolean;
BEGIN
	PERFORM rbac.set_principal(p);
	IF rt IS NULL AND rid IS NULL THEN
		answer := rbac.has_scope(s, w);
	ELSE
		answer := rbac.has_scope(s, w, rt, rid);
	END IF;
	PERFORM rbac.set_principal(NULL);
	RETURN answer;
END $$;

CREATE FUNCTION pg_temp.holds_org(p text, s text, o text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	answer boolean;
BEGIN
	PERFORM rbac.set_principal(p);
	answer := rbac.has_org_scope(s, o);
	PERFORM rbac.set_principal(NULL);
	RETURN answer;
END $$;


CREATE FUNCTION pg_temp.role_scopes(k text) RETURNS rbac.scopeset LANGUAGE sql AS $$
	SELECT scopes FROM rbac.roles WHERE key = k AND builtin
$$;

-- Organizations acme (workspaces a1, a2) and globex (g1); workspace solo
-- in none.  Workspaces '7' and '8' have bigint-like ids, and two have uuid
-- ids, for the typed overloads.
DO $$
BEGIN
	PERFORM rbac.create_organization('acme', 'Acme');
	PERFORM rbac.create_organization('globex', 'Globex');
	PERFORM rbac.create_workspace('a1', 'Acme one', 'owner_a1', 'acme');
	PERFORM rbac.create_workspace('a2', 'Acme two', 'owner_a2', 'acme');
	PERFORM rbac.create_workspace('g1', 'Globex one', 'owner_g1', 'globex');
	PERFORM rbac.create_workspace('solo', 'Solo', 'owner_solo');
	PERFORM rbac.create_workspace('7', 'Seven', 'owner_7');
	PERFORM rbac.create_workspace('8', 'Eight', 'owner_8');
	PERFORM rbac.create_workspace('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'Uuid one', 'owner_u1');
	PERFORM rbac.create_workspace('b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22', 'Uuid two', 'owner_u2');

	-- alice: Member of a1, and Membership Planner on project p1 there.
	PERFORM rbac.grant('alice', 'member', 'a1');
	PERFORM rbac.grant('alice', 'membership_planner', 'a1', 'project', 'p1');
	-- bob: only Membership Viewer on project p1 of a1.
	PERFORM rbac.grant('bob', 'membership_viewer', 'a1', 'project', 'p1');
	-- dave: Viewer granted on organization acme.
	PERFORM rbac.grant_org_role('acme', 'dave', 'viewer');
	-- olga: Organization Admin of acme.
	PERFORM rbac.grant_org_role('acme', 'olga', 'org_admin');
	-- tina: resource grants under bigint-like and uuid ids, and whole
	-- workspaces '8' and the second uuid one.
	PERFORM rbac.grant('tina', 'membership_viewer', '7', 'project', '11');
	PERFORM rbac.grant('tina', 'membership_viewer', '7', 'project', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380c33');
	PERFORM rbac.grant('tina', 'membership_viewer', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'project', '11');
	PERFORM rbac.grant('tina', 'membership_viewer', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'project',
	                   'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380c33');
	PERFORM rbac.grant('tina', 'viewer', '8');
	PERFORM rbac.grant('tina', 'viewer', 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22');
END $$;

-- ===================================================================
-- Union of a workspace role and a resource role; no spill
-- ===================================================================

SELECT is(pg_temp.holds(v.p, v.s, v.w, v.rt, v.rid), v.expected,
	format('%s %s %s %s', v.p, CASE WHEN v.expected THEN 'holds' ELSE 'lacks' END, v.s, v.place))
FROM (VALUES
	-- alice: the floor of Member everywhere in a1, plus planning on p1.
	('alice', 'documents.read', 'a1', NULL, NULL, true, 'in a1 (Member)'),
	('alice', 'runs.start', 'a1', 'project', 'p1', true, 'on a1 project p1 (the workspace role reaches its resources)'),
	('alice', 'documents.create', 'a1', 'project', 'p1', true, 'on a1 project p1 (the resource role)'),
	('alice', 'projects.settings', 'a1', 'project', 'p1', true, 'on a1 project p1 (the resource role)'),
	('alice', 'documents.create', 'a1', NULL, NULL, false, 'in a1 as a whole'),
	('alice', 'documents.create', 'a1', 'project', 'p2', false, 'on sibling project p2'),
	('alice', 'documents.create', 'a1', 'team', 'p1', false, 'on team p1, another resource type'),
	('alice', 'documents.create', 'a2', 'project', 'p1', false, 'on project p1 of another workspace'),
	('alice', 'documents.read', 'a2', NULL, NULL, false, 'in a2, where she has no grant'),
	-- bob: a resource grant and nothing else.
	('bob', 'documents.read', 'a1', 'project', 'p1', true, 'on a1 project p1'),
	('bob', 'projects.read', 'a1', 'project', 'p1', true, 'on a1 project p1'),
	('bob', 'documents.edit', 'a1', 'project', 'p1', false, 'on a1 project p1 (Membership Viewer reads only)'),
	('bob', 'documents.read', 'a1', NULL, NULL, false, 'in a1 as a whole'),
	('bob', 'documents.read', 'a1', 'project', 'p2', false, 'on sibling project p2'),
	('bob', 'documents.read', 'a1', 'team', 'p1', false, 'on team p1'),
	('bob', 'documents.read', 'a1', 'portfolio', 'p1', false, 'on portfolio p1'),
	('bob', 'documents.read', 'a2', 'project', 'p1', false, 'on project p1 of another workspace'),
	('bob', 'tenant.read', 'a1', 'project', 'p1', false, 'on a1 project p1 (not a resource scope)')
) AS v(p, s, w, rt, rid, expected, place);

SELECT is(rbac.effective_scopes('alice', 'a1'), pg_temp.role_scopes('member'),
	'effective_scopes of alice in a1 is Member');
SELECT is(rbac.effective_scopes('alice', 'a1', 'project', 'p1'),
	pg_temp.role_scopes('member') | pg_temp.role_scopes('membership_planner'),
	'effective_scopes of alice on project p1 is the union of Member and Membership Planner');
SELECT is(rbac.effective_scopes('alice', 'a1', 'project', 'p2'), pg_temp.role_scopes('member'),
	'effective_scopes of alice on project p2 is Member alone');
SELECT is(rbac.effective_scopes('bob', 'a1'), '{}'::rbac.scopeset,
	'effective_scopes of bob in a1 as a whole is empty');
SELECT is(rbac.effective_scopes('bob', 'a1', 'project', 'p1'), pg_temp.role_scopes('membership_viewer'),
	'effective_scopes of bob on project p1 is Membership Viewer');
SELECT is(rbac.effective_scopes('bob', 'a2', 'project', 'p1'), '{}'::rbac.scopeset,
	'effective_scopes of bob on project p1 of a2 is empty');

SELECT is(rbac.principal_has_scope('bob', 'documents.read', 'a1', 'project', 'p1'), true,
	'principal_has_scope: bob reads project p1');
SELECT is(rbac.principal_has_scope('bob', 'documents.read', 'a1'), false,
	'principal_has_scope: bob does not read a1 as a whole');
SELECT is(rbac.principal_has_scope('bob', 'documents.read', 'a1', 'project', NULL), false,
	'principal_has_scope: half a resource is no resource');
SELECT is(rbac.principal_has_scope('alice', 'documents.create', 'a1', 'project', 'p1'), true,
	'principal_has_scope: alice creates documents on project p1');
SELECT is(rbac.principal_has_scope('alice', 'documents.create', 'a1', 'project', 'p2'), false,
	'principal_has_scope: alice does not create documents on project p2');

-- principal_has_scope(p, ...) is the question has_scope(...) answers when
-- p is the principal, whatever is NULL.
SELECT is_empty($$
	SELECT p, s, w, rt, rid, pg_temp.holds(p, s, w, rt, rid) AS has_scope
	FROM unnest(ARRAY['alice', 'bob', 'dave', 'zed']) AS p,
		unnest(ARRAY['documents.read', 'documents.create', 'runs.start']) AS s,
		unnest(ARRAY['a1', 'a2', 'g1']) AS w,
		(VALUES (NULL, NULL), ('project', 'p1'), ('project', 'p2'), ('team', 'p1'),
		        ('project', NULL), (NULL, 'p1')) AS r(rt, rid)
	WHERE pg_temp.holds(p, s, w, rt, rid)
	      IS DISTINCT FROM coalesce(rbac.principal_has_scope(p, s, w, rt, rid), false)
$$, 'principal_has_scope agrees with has_scope acting as that principal, NULL resources included');

-- Grants and revokes are seen by the next statement.
DO $$ BEGIN PERFORM rbac.revoke('bob', 'membership_viewer', 'a1', 'project', 'p1'); END $$;
SELECT is(pg_temp.holds('bob', 'documents.read', 'a1', 'project', 'p1'), false,
	'after revoke, bob no longer reads project p1');
DO $$ BEGIN PERFORM rbac.grant('bob', 'membership_viewer', 'a1', 'project', 'p2'); END $$;
SELECT is(pg_temp.holds('bob', 'documents.read', 'a1', 'project', 'p2'), true,
	'after a new grant, bob reads project p2');
SELECT is(pg_temp.holds('bob', 'documents.read', 'a1', 'project', 'p1'), false,
	'and still not project p1');

-- A rolled-back change is never seen, even by a call site that saw it.
CREATE FUNCTION pg_temp.after_rollback(change text, p text, s text, w text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	before boolean := pg_temp.holds(p, s, w);
BEGIN
	BEGIN
		EXECUTE change;
		IF pg_temp.holds(p, s, w) = before THEN
			RETURN 'the change was not seen before the rollback';
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'roll back';
	EXCEPTION WHEN raise_exception THEN
		NULL;
	END;
	RETURN CASE WHEN pg_temp.holds(p, s, w) = before THEN 'as before' ELSE 'the rolled-back change is still seen' END;
END $$;

SELECT is(pg_temp.after_rollback($$ SELECT rbac.grant('zoe', 'member', 'a1') $$, 'zoe', 'documents.read', 'a1'),
	'as before', 'a grant rolled back with its subtransaction is not seen');
SELECT is(pg_temp.after_rollback($$ SELECT rbac.revoke('alice', 'member', 'a1') $$, 'alice', 'documents.read', 'a1'),
	'as before', 'a revoke rolled back with its subtransaction is not seen');
SELECT is(pg_temp.after_rollback($$ SELECT rbac.grant_org_role('acme', 'zoe', 'viewer') $$, 'zoe', 'documents.read', 'a2'),
	'as before', 'an organization-wide grant rolled back with its subtransaction is not seen');
SELECT is(pg_temp.after_rollback($$ SELECT 1 $$, 'owner_a1', 'tenant.read', 'a1'),
	'the change was not seen before the rollback', 'control: after_rollback notices a change that changes nothing');

SAVEPOINT before_zoe;
DO $$ BEGIN PERFORM rbac.grant('zoe', 'owner', 'a1'); END $$;
SELECT FROM pg_temp.holds('zoe', 'tenant.delete', 'a1');
ROLLBACK TO SAVEPOINT before_zoe;
RELEASE SAVEPOINT before_zoe;
SELECT is(pg_temp.holds('zoe', 'tenant.delete', 'a1'), false,
	'a grant undone by ROLLBACK TO SAVEPOINT is not seen');

SAVEPOINT before_scope;
DO $$ BEGIN PERFORM rbac.create_scope('widgets.read', 'widgets', 'View widgets', 'read'); END $$;
SELECT FROM pg_temp.holds('owner_a1', 'widgets.read', 'a1');
ROLLBACK TO SAVEPOINT before_scope;
RELEASE SAVEPOINT before_scope;
SELECT throws_ok($$ SELECT pg_temp.holds('owner_a1', 'widgets.read', 'a1') $$, '22023', NULL,
	'a scope whose creation was rolled back is unknown again');

-- ===================================================================
-- Kinds never cross
-- ===================================================================

SELECT throws_ok(v.sql, '42809', NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.grant('x', 'member', 'a1', 'project', 'p1') $$,
		'a workspace role cannot be granted on a resource'),
	($$ SELECT rbac.grant('x', 'owner', 'a1', 'team', 't1') $$,
		'Owner cannot be granted on a resource'),
	($$ SELECT rbac.grant('x', 'membership_viewer', 'a1') $$,
		'a resource role cannot be granted on a workspace'),
	($$ SELECT rbac.grant_org_role('acme', 'x', 'membership_planner') $$,
		'a resource role cannot be granted on an organization'),
	($$ SELECT rbac.grant('x', 'org_admin', 'a1') $$,
		'an organization role cannot be granted on a workspace'),
	($$ SELECT rbac.grant('x', 'org_member', 'a1', 'project', 'p1') $$,
		'an organization role cannot be granted on a resource')
) AS v(sql, description);

SELECT throws_like($$ SELECT rbac.grant('x', 'member', 'a1', 'project', 'p1') $$,
	'%"member"%workspace role%',
	'the error names the role and its kind');

SELECT is((SELECT count(*)::int FROM rbac.grants WHERE principal = 'x'), 0,
	'the refused grants left nothing behind');

-- The table refuses the same on direct inserts, as the check constraint.
SELECT throws_ok(v.sql, '23514', NULL, v.description)
FROM (VALUES
	($$ INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id, resource_type, resource_id)
	    SELECT 'x', id, kind, 'a1', 'project', 'p1' FROM rbac.roles WHERE key = 'member' $$,
		'a direct insert of a workspace role on a resource is refused'),
	($$ INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	    SELECT 'x', id, kind, 'a1' FROM rbac.roles WHERE key = 'membership_viewer' $$,
		'a direct insert of a resource role on a workspace is refused'),
	($$ INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id)
	    SELECT 'x', id, kind, 'acme' FROM rbac.roles WHERE key = 'membership_viewer' $$,
		'a direct insert of a resource role on an organization is refused'),
	($$ INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id)
	    SELECT 'x', id, kind, 'a1' FROM rbac.roles WHERE key = 'org_member' $$,
		'a direct insert of an organization role on a workspace is refused'),
	($$ INSERT INTO rbac.grants (principal, role_id, role_kind, organization_id, workspace_id)
	    SELECT 'x', id, kind, 'acme', 'a1' FROM rbac.roles WHERE key = 'member' $$,
		'a direct insert of a grant on two nodes is refused')
) AS v(sql, description);

SELECT throws_ok($$
	INSERT INTO rbac.grants (principal, role_id, role_kind, workspace_id, resource_type, resource_id)
	SELECT 'x', id, 'resource', 'a1', 'project', 'p1' FROM rbac.roles WHERE key = 'member'
$$, '23503', NULL, 'a direct insert cannot lie about the kind of its role');

-- ===================================================================
-- Workspace roles granted on an organization; organization roles
-- ===================================================================

SELECT is(pg_temp.holds(v.p, v.s, v.w, v.rt, v.rid), v.expected,
	format('%s %s %s %s', v.p, CASE WHEN v.expected THEN 'holds' ELSE 'lacks' END, v.s, v.place))
FROM (VALUES
	('dave', 'documents.read', 'a1', NULL, NULL, true, 'in a1 (Viewer on acme)'),
	('dave', 'documents.read', 'a2', NULL, NULL, true, 'in a2 (Viewer on acme)'),
	('dave', 'documents.read', 'a1', 'project', 'p9', true, 'on any project of a1'),
	('dave', 'runs.start', 'a1', NULL, NULL, false, 'in a1 (Viewer does not run the agent)'),
	('dave', 'documents.read', 'g1', NULL, NULL, false, 'in g1, of another organization'),
	('dave', 'documents.read', 'solo', NULL, NULL, false, 'in solo, of no organization'),
	('dave', 'documents.read', 'acme', NULL, NULL, false, 'in a workspace named like the organization'),
	('olga', 'documents.read', 'a1', NULL, NULL, false, 'in a1 (an organization role gives no workspace scope)'),
	('olga', 'members.manage', 'a1', NULL, NULL, false, 'in a1 (an organization role gives no workspace scope)')
) AS v(p, s, w, rt, rid, expected, place);

SELECT is(rbac.effective_scopes('dave', 'a2'), pg_temp.role_scopes('viewer'),
	'effective_scopes of dave in a2 is Viewer, through the organization');
SELECT is(rbac.effective_scopes('dave', 'g1'), '{}'::rbac.scopeset,
	'effective_scopes of dave in g1 is empty');

DO $$ BEGIN PERFORM rbac.create_workspace('a3', 'Acme three', 'owner_a3', 'acme'); END $$;
SELECT is(pg_temp.holds('dave', 'documents.read', 'a3'), true,
	'a workspace created in the organization after the grant is covered at once');
DO $$ BEGIN PERFORM rbac.grant('dave', 'member', 'a1'); END $$;
SELECT is(pg_temp.holds('dave', 'runs.start', 'a1'), true,
	'a workspace grant adds to an organization-wide one (a1)');
SELECT is(pg_temp.holds('dave', 'runs.start', 'a2'), false,
	'but only in its own workspace (a2)');
DO $$ BEGIN PERFORM rbac.revoke_org_role('acme', 'dave', 'viewer'); END $$;
SELECT is(pg_temp.holds('dave', 'documents.read', 'a2'), false,
	'after revoke_org, dave reads nothing in a2');
SELECT is(pg_temp.holds('dave', 'documents.read', 'a1'), true,
	'and still reads a1 through his own Member grant');

SELECT is(pg_temp.holds_org(v.p, v.s, v.o), v.expected,
	format('%s %s %s on %s', v.p, CASE WHEN v.expected THEN 'holds' ELSE 'lacks' END, v.s, v.o))
FROM (VALUES
	('olga', 'org.read', 'acme', true),
	('olga', 'org.members.manage', 'acme', true),
	('olga', 'org.workspaces.create', 'acme', true),
	('olga', 'org.delete', 'acme', false),
	('olga', 'org.read', 'globex', false),
	('olga', 'documents.read', 'acme', false),
	('dave', 'org.read', 'acme', false),
	('owner_a1', 'org.read', 'acme', false),
	('nobody', 'org.read', 'acme', false)
) AS v(p, s, o, expected);

DO $$ BEGIN PERFORM rbac.grant_org_role('acme', 'olga', 'org_owner'); END $$;
SELECT is(pg_temp.holds_org('olga', 'org.delete', 'acme'), true,
	'an organization role granted in the transaction is seen by the next statement');

-- ===================================================================
-- One call site asked about different scopes
-- ===================================================================

-- PL/pgSQL keeps one expression state for a statement and passes its
-- variables as parameters, so one call site sees a new scope at each call
-- and must answer for that scope, never for the first it saw.
CREATE FUNCTION pg_temp.may(s text, w text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RETURN rbac.has_scope(s, w);
END $$;
SELECT FROM rbac.set_principal('alice');
SELECT is(array_agg(pg_temp.may(t.s, 'a1') ORDER BY t.n), ARRAY[true, false, true, false, false],
	'a PL/pgSQL call site answers for each scope it is given, not for the first')
FROM unnest(ARRAY['documents.read', 'tenant.delete', 'runs.start', 'members.manage', 'tenant.delete'])
	WITH ORDINALITY AS t(s, n);
SELECT is(array_agg(rbac.has_scope(t.s, 'a1') ORDER BY t.n), ARRAY[false, true, false, true],
	'so does a call site whose scope comes from a column')
FROM unnest(ARRAY['tenant.delete', 'documents.read', 'members.manage', 'runs.start']) WITH ORDINALITY AS t(s, n);
SELECT FROM rbac.set_principal(NULL);

-- ===================================================================
-- Who may ask about another principal
-- ===================================================================

CREATE ROLE rbac_test_plain NOLOGIN;
CREATE ROLE rbac_test_admin NOLOGIN IN ROLE rbac_admin;

SELECT FROM rbac.set_principal(NULL);
SET LOCAL ROLE rbac_test_admin;
SELECT is(rbac.effective_scopes('alice', 'a1'), pg_temp.role_scopes('member'),
	'a member of rbac_admin may read anyone''s effective scopes');
SELECT is(rbac.principal_has_scope('alice', 'runs.start', 'a1'), true,
	'a member of rbac_admin may ask principal_has_scope for anyone');
RESET ROLE;

SELECT FROM rbac.set_principal('alice');
SET LOCAL ROLE rbac_test_plain;
SELECT is(rbac.effective_scopes('alice', 'a1'), pg_temp.role_scopes('member'),
	'an ordinary role acting as alice may read alice''s effective scopes');
SELECT is(rbac.principal_has_scope('alice', 'runs.start', 'a1'), true,
	'an ordinary role acting as alice may ask principal_has_scope for alice');
SELECT throws_ok($$ SELECT rbac.effective_scopes('bob', 'a1') $$, '42501', NULL,
	'an ordinary role acting as alice may not read bob''s effective scopes');
SELECT throws_ok($$ SELECT rbac.principal_has_scope('bob', 'documents.read', 'a1', 'project', 'p2') $$, '42501', NULL,
	'an ordinary role acting as alice may not ask principal_has_scope for bob');
RESET ROLE;
SELECT FROM rbac.set_principal(NULL);
SET LOCAL ROLE rbac_test_plain;
SELECT throws_ok($$ SELECT rbac.effective_scopes('alice', 'a1') $$, '42501', NULL,
	'an ordinary role with no principal may not read effective scopes');
SELECT throws_ok($$ SELECT rbac.principal_has_scope('alice', 'documents.read', 'a1') $$, '42501', NULL,
	'an ordinary role with no principal may not ask principal_has_scope');
RESET ROLE;

-- ===================================================================
-- Fail closed: no principal, an empty one, an unknown one
-- ===================================================================

SELECT FROM rbac.set_principal(NULL);
SELECT is(rbac.current_principal(), NULL, 'set_principal(NULL) leaves no principal');
SELECT is_empty($$
	SELECT s.name, w.id FROM rbac.scopes AS s, rbac.workspaces AS w
	WHERE NOT s.retired AND (rbac.has_scope(s.name, w.id) OR rbac.has_scope(s.name, w.id, 'project', 'p1'))
$$, 'with no principal, has_scope is false for every scope in every workspace, even for a superuser');
SELECT is_empty($$
	SELECT s.name, o.id FROM rbac.scopes AS s, rbac.organizations AS o
	WHERE NOT s.retired AND rbac.has_org_scope(s.name, o.id)
$$, 'with no principal, has_org_scope is false for every scope in every organization');
SELECT is(rbac.has_scope('documents.read', 8::bigint), false, 'with no principal, the bigint overload is false');
SELECT is(rbac.has_scope('documents.read', 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22'::uuid), false,
	'with no principal, the uuid overload is false');

SELECT FROM rbac.set_principal('');
SELECT is(rbac.current_principal(), NULL, 'set_principal('''') leaves no principal');
SELECT is(rbac.has_scope('tenant.read', 'a1'), false, 'with an empty principal, has_scope is false');

SELECT FROM rbac.set_principal('owner_a1');
SELECT is(rbac.has_scope('tenant.delete', 'a1'), true, 'control: the owner of a1 holds tenant.delete there');
SELECT FROM rbac.set_principal(NULL);
SELECT is(rbac.has_scope('tenant.delete', 'a1'), false, 'and with the principal cleared, no longer');

SELECT FROM rbac.set_principal('zed');
SELECT is_empty($$
	SELECT s.name, w.id FROM rbac.scopes AS s, rbac.workspaces AS w
	WHERE NOT s.retired AND (rbac.has_scope(s.name, w.id) OR rbac.has_scope(s.name, w.id, 'project', 'p1'))
$$, 'an unknown principal holds nothing anywhere');
SELECT is(rbac.effective_scopes('zed', 'a1'), '{}'::rbac.scopeset, 'an unknown principal''s reach is empty');

-- ===================================================================
-- Unknown, NULL and wildcard scopes
-- ===================================================================

SELECT FROM rbac.set_principal('alice');
SELECT throws_ok($$ SELECT rbac.has_scope('documents.raed', 'a1') $$, '22023',
	'unknown scope "documents.raed"', 'an unknown scope is an error naming it');
SELECT throws_ok(v.sql, '22023', NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.has_scope('documents.raed', NULL::text) $$,
		'an unknown scope is an error with a NULL workspace'),
	($$ SELECT rbac.has_scope('documents.raed', 'nowhere') $$,
		'an unknown scope is an error in an unknown workspace'),
	($$ SELECT rbac.has_scope('documents.raed', 'a1', 'project', NULL) $$,
		'an unknown scope is an error with a NULL resource'),
	($$ SELECT rbac.has_scope('documents.raed', 7::bigint, 'project', 11::bigint) $$,
		'an unknown scope is an error for bigint ids'),
	($$ SELECT rbac.has_scope('documents.raed', NULL::uuid) $$,
		'an unknown scope is an error for a NULL uuid'),
	($$ SELECT count(*) FROM (VALUES (NULL::text), ('a1'), ('nowhere')) AS v(w)
	    WHERE rbac.has_scope('documents.raed', v.w) $$,
		'an unknown scope is an error over rows, whatever they hold'),
	($$ SELECT count(*) FROM (VALUES (NULL::text)) AS v(w) WHERE rbac.has_scope('documents.raed', v.w) $$,
		'an unknown scope is an error even when every row''s workspace is NULL'),
	($$ SELECT rbac.has_org_scope('org.raed', 'acme') $$,
		'has_org_scope: an unknown scope is an error'),
	($$ SELECT rbac.has_org_scope('org.raed', NULL) $$,
		'has_org_scope: an unknown scope is an error with a NULL organization'),
	($$ SELECT rbac.principal_has_scope('alice', 'documents.raed', 'a1') $$,
		'principal_has_scope: an unknown scope is an error'),
	($$ SELECT rbac.principal_has_scope('alice', 'documents.raed', NULL) $$,
		'principal_has_scope: an unknown scope is an error with a NULL workspace'),
	($$ SELECT rbac.has_scope('documents.*', 'a1') $$,
		'has_scope: a wildcard is an error'),
	($$ SELECT rbac.has_scope('*.read', 'a1', 'project', 'p1') $$,
		'has_scope: a leading wildcard is an error'),
	($$ SELECT rbac.has_org_scope('org.*', 'acme') $$,
		'has_org_scope: a wildcard is an error'),
	($$ SELECT rbac.principal_has_scope('alice', 'documents.*', 'a1') $$,
		'principal_has_scope: a wildcard is an error')
) AS v(sql, description);

SELECT FROM rbac.set_principal(NULL);
SELECT throws_ok($$ SELECT rbac.has_scope('documents.raed', 'a1') $$, '22023', NULL,
	'an unknown scope is an error with no principal too: a typo never reads as "no"');
SELECT FROM rbac.set_principal('alice');

SELECT throws_ok(v.sql, '22004', NULL, v.description)
FROM (VALUES
	($$ SELECT rbac.has_scope(NULL, 'a1') $$, 'has_scope: a NULL scope is an error'),
	($$ SELECT rbac.has_scope(NULL, 'a1', 'project', 'p1') $$, 'has_scope on a resource: a NULL scope is an error'),
	($$ SELECT rbac.has_scope(NULL, 7::bigint) $$, 'has_scope with a bigint id: a NULL scope is an error'),
	($$ SELECT rbac.has_org_scope(NULL, 'acme') $$, 'has_org_scope: a NULL scope is an error'),
	($$ SELECT rbac.principal_has_scope('alice', NULL, 'a1') $$, 'principal_has_scope: a NULL scope is an error')
) AS v(sql, description);

-- ===================================================================
-- NULL ids are "no", never an error
-- ===================================================================

SELECT is(v.answer, v.expected, v.description)
FROM (VALUES
	(rbac.has_scope('documents.read', NULL::text), false, 'a NULL workspace is false'),
	(rbac.has_scope('documents.read', NULL::uuid), false, 'a NULL uuid workspace is false'),
	(rbac.has_scope('documents.read', NULL::bigint), false, 'a NULL bigint workspace is false'),
	(rbac.has_scope('documents.read', NULL::text, 'project', 'p1'), false, 'a NULL workspace with a resource is false'),
	(rbac.has_scope('documents.create', 'a1', 'project', NULL), false,
		'a NULL resource id does not reach alice''s resource grant'),
	(rbac.has_scope('documents.create', 'a1', NULL, 'p1'), false,
		'a NULL resource type does not reach alice''s resource grant'),
	(rbac.has_scope('documents.read', 'a1', 'project', NULL), true,
		'a NULL resource keeps what alice holds workspace-wide'),
	(rbac.has_org_scope('org.read', NULL), false, 'a NULL organization is false')
) AS v(answer, expected, description);

-- ===================================================================
-- Typed ids: every overload of has_scope
-- ===================================================================

SELECT FROM rbac.set_principal('tina');
SELECT is(v.answer, v.expected, v.description)
FROM (VALUES
	(rbac.has_scope('documents.read', 8::bigint), true, '(text, bigint): Viewer of workspace 8'),
	(rbac.has_scope('documents.read', 7::bigint), false, '(text, bigint): only resource grants in workspace 7'),
	(rbac.has_scope('documents.read', 9::bigint), false, '(text, bigint): no workspace 9'),
	(rbac.has_scope('documents.read', 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22'::uuid), true,
		'(text, uuid): Viewer of the second uuid workspace'),
	(rbac.has_scope('documents.read', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid), false,
		'(text, uuid): only resource grants in the first'),
	(rbac.has_scope('documents.read', '7', 'project', '11'), true, '(text, text, text, text)'),
	(rbac.has_scope('documents.read', 7::bigint, 'project', 11::bigint), true, '(text, bigint, text, bigint)'),
	(rbac.has_scope('documents.read', 7::bigint, 'project', 12::bigint), false, '(text, bigint, text, bigint): sibling 12'),
	(rbac.has_scope('documents.read', 7::bigint, 'project', '11'), true, '(text, bigint, text, text)'),
	(rbac.has_scope('documents.read', 7::bigint, 'project', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380c33'::uuid), true,
		'(text, bigint, text, uuid)'),
	(rbac.has_scope('documents.read', 7::bigint, 'project', 'd3eebc99-9c0b-4ef8-bb6d-6bb9bd380d44'::uuid), false,
		'(text, bigint, text, uuid): a sibling uuid'),
	(rbac.has_scope('documents.read', '7', 'project', 11::bigint), true, '(text, text, text, bigint)'),
	(rbac.has_scope('documents.read', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'project', 11::bigint), true,
		'(text, uuid, text, bigint)'),
	(rbac.has_scope('documents.read', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'project', 12::bigint), false,
		'(text, uuid, text, bigint): sibling 12'),
	(rbac.has_scope('documents.read', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'project',
		'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380c33'::uuid), true, '(text, uuid, text, uuid)'),
	(rbac.has_scope('documents.read', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'project',
		'd3eebc99-9c0b-4ef8-bb6d-6bb9bd380d44'::uuid), false, '(text, uuid, text, uuid): a sibling uuid'),
	(rbac.has_scope('documents.read', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'project', '11'), true,
		'(text, uuid, text, text)'),
	(rbac.has_scope('documents.read', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'project',
		'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380c33'::uuid), true, '(text, text, text, uuid)'),
	(rbac.has_scope('documents.read', 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22'::uuid, 'project', 12::bigint), true,
		'(text, uuid, text, bigint): any resource of a workspace held whole')
) AS v(answer, expected, description);

SELECT * FROM finish();
ROLLBACK;
