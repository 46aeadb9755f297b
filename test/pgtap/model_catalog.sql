-- The shipped scope catalog and its levels, and the rules that keep the
-- catalog and the built-in roles fixed: an application scope lands at once
-- in the built-in roles of its level, a retired scope is held by no role and
-- checks of it are false, a name is never reused, scopes are never deleted,
-- and no one (the superuser owning the tables included) can change a
-- built-in role except by re-deriving its scopes from its levels.
BEGIN;
SELECT plan(103);
SET LOCAL search_path = rbac, public;
SET LOCAL client_min_messages = warning;

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

-- The keys of the roles whose materialised scopes hold s.
CREATE FUNCTION pg_temp.roles_holding(s text) RETURNS text[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(key ORDER BY key), '{}') FROM rbac.roles WHERE scopes ? s
$$;

SELECT ok((SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
	'this file runs as a superuser, the owner of the rbac tables');

-- ===================================================================
-- The shipped catalog
-- ===================================================================

SELECT cmp_ok((SELECT count(*)::int FROM rbac.scopes WHERE builtin AND NOT retired), '>=', 100,
	'the shipped catalog has on the order of a hundred scopes');

-- Seed 003 and issue 3 name these areas; each has scopes, named area.verb.
SELECT is_empty($$
	SELECT a FROM unnest(ARRAY[
		'tenant', 'members', 'roles',
		'initiatives', 'plans', 'goals', 'bugs', 'test_cases', 'documents', 'sprints',
		'teams', 'projects', 'portfolios', 'flows',
		'chat', 'runs', 'sessions', 'tasks', 'sandboxes', 'pr',
		'repositories', 'providers', 'mcp_servers', 'sdk_configs', 'integrations',
		'sandbox_profiles', 'hosts', 'agent_instructions', 'commands', 'platform_docs',
		'onboarding', 'secrets',
		'plan', 'entitlements', 'audit', 'ai_spend', 'api_keys', 'reports']) AS a
	WHERE NOT EXISTS (SELECT 1 FROM rbac.scopes AS s
	                  WHERE s.builtin AND split_part(s.name, '.', 1) = a)
$$, 'every area named in seed 003 has scopes in the shipped catalog');

-- Each planning record can be read, commented on, edited, created and deleted.
SELECT is_empty($$
	SELECT r || '.' || v
	FROM unnest(ARRAY['initiatives', 'plans', 'goals', 'bugs', 'test_cases', 'documents',
	                  'sprints', 'teams', 'projects', 'portfolios', 'flows']) AS r,
	     unnest(ARRAY['read', 'comment', 'edit', 'create', 'delete']) AS v
	WHERE NOT EXISTS (SELECT 1 FROM rbac.scopes AS s WHERE s.name = r || '.' || v)
$$, 'every planning record has read, comment, edit, create and delete scopes');

SELECT is_empty($$
	SELECT n FROM unnest(ARRAY['tenant.delete', 'pr.merge', 'secrets.rotate', 'secrets.delete',
	                           'members.remove', 'documents.delete', 'projects.delete']) AS t(n)
	WHERE NOT EXISTS (SELECT 1 FROM rbac.scopes AS s WHERE s.name = t.n AND s.destructive)
$$, 'tenant.delete, pr.merge, secret rotation and deletions are flagged destructive');

SELECT is_empty($$ SELECT name FROM rbac.scopes WHERE name ~ '[.:](delete|remove)$' AND NOT destructive $$,
	'every deletion and removal in the catalog is flagged destructive');

SELECT is_empty($$ SELECT name FROM rbac.scopes WHERE destructive AND name ~ '[.:](read|open|comment)$' $$,
	'no reading, opening or commenting scope is flagged destructive');

SELECT is((SELECT count(*)::int FROM rbac.scopes WHERE operator_only), 1,
	'the catalog has exactly one operator-only scope');

SELECT is_empty($$
	SELECT r.key, s.name FROM rbac.roles AS r JOIN rbac.scopes AS s ON s.operator_only AND r.scopes ? s.name
$$, 'no role holds the operator-only scope');

SELECT is_empty($$
	SELECT name FROM rbac.scopes WHERE builtin AND resource_grantable
	  AND split_part(name, '.', 1) NOT IN ('initiatives', 'plans', 'goals', 'bugs', 'test_cases',
	        'documents', 'sprints', 'teams', 'projects', 'portfolios', 'flows')
$$, 'in the shipped catalog, only planning-record scopes can be granted on a single resource');

-- ===================================================================
-- Levels: each built-in role is its levels, materialised
-- ===================================================================

-- Owner carries every workspace level and Admin all but the one that
-- deletes the workspace (issue 3, "Levels").
SELECT set_eq($$ SELECT unnest(levels) FROM rbac.roles WHERE key = 'owner' $$,
	$$ SELECT name FROM rbac.levels WHERE node_kind = 'workspace' $$,
	'Owner carries every workspace level');
SELECT set_eq($$ SELECT unnest(levels) FROM rbac.roles WHERE key = 'admin' $$,
	$$ SELECT name FROM rbac.levels WHERE node_kind = 'workspace'
	   EXCEPT SELECT level FROM rbac.scopes WHERE name = 'tenant.delete' $$,
	'Admin carries every workspace level except the one of tenant.delete');
SELECT is((SELECT array_agg(name ORDER BY name) FROM rbac.scopes
           WHERE level = (SELECT level FROM rbac.scopes WHERE name = 'tenant.delete')),
	ARRAY['tenant.delete'], 'the delete level holds tenant.delete alone');
SELECT set_eq($$ SELECT unnest(levels) FROM rbac.roles WHERE key = 'org_owner' $$,
	$$ SELECT name FROM rbac.levels WHERE node_kind = 'organization' $$,
	'Organization Owner carries every organization level');

-- Member = read + work, Viewer = read, Lead = Member + oversee, Workspace
-- Operator = Member + tooling, Billing Manager = billing only.
SELECT is((SELECT levels FROM rbac.roles WHERE key = v.key), v.levels,
	format('%s carries the levels %s', v.key, v.levels))
FROM (VALUES
	('viewer', ARRAY['read']),
	('member', ARRAY['read', 'work']),
	('lead', ARRAY['read', 'work', 'oversee']),
	('workspace_operator', ARRAY['read', 'work', 'tooling']),
	('billing_manager', ARRAY['billing'])
) AS v(key, levels);
SELECT ok((SELECT levels @> ARRAY['read', 'plan'] AND NOT levels && ARRAY['work', 'oversee', 'tooling', 'billing', 'manage', 'delete']
           FROM rbac.roles WHERE key = 'planner'),
	'Planner carries read and plan, and none of work, oversee, tooling, billing, manage, delete');

-- Every built-in role's scopes column is exactly the catalog scopes of its
-- levels: never operator-only or retired, and for resource roles only the
-- resource-grantable ones.
SELECT is(r.scopes,
	(SELECT rbac.scopeset(coalesce(array_agg(s.name), '{}')) FROM rbac.scopes AS s
	 WHERE s.level = ANY (r.levels) AND NOT s.operator_only AND NOT s.retired
	   AND (r.kind <> 'resource' OR s.resource_grantable)),
	format('built-in role %s holds exactly the catalog scopes of its levels', r.key))
FROM rbac.roles AS r WHERE r.builtin ORDER BY r.id;

SELECT is((SELECT count(*)::int FROM rbac.roles WHERE builtin), 14,
	'there are 14 built-in roles: the eleven of seed 003 and three organization roles');

-- ===================================================================
-- Application scopes: create_scope lands in the built-ins of its level
-- ===================================================================

DO $$
BEGIN
	PERFORM rbac.create_organization('acme', 'Acme');
	PERFORM rbac.create_workspace('w1', 'Workspace 1', 'olive', 'acme');
	PERFORM rbac.grant('alice', 'member', 'w1');
	PERFORM rbac.grant('vera', 'viewer', 'w1');
	PERFORM rbac.grant('bill', 'billing_manager', 'w1');
	PERFORM rbac.grant('mo', 'membership_viewer', 'w1', 'project', 'p1');
	PERFORM rbac.grant('opal', 'workspace_operator', 'w1');
END $$;

-- A custom role, for the positive controls and the retired-scope check.
INSERT INTO rbac.roles (key, name, kind, scopes, workspace_id)
VALUES ('widget_reader', 'Widget reader', 'workspace', '{}', 'w1');

SELECT is(rbac.create_scope('widgets.read', 'widgets', 'View widgets', 'read',
	resource_grantable => true), 'widgets.read', 'create_scope returns the new name');
DO $$
BEGIN
	PERFORM rbac.create_scope('widgets.list', 'widgets', 'List widgets', 'read');
	PERFORM rbac.create_scope('widgets.purge', 'widgets', 'Purge widgets', 'delete', destructive => true);
	PERFORM rbac.create_scope('widgets.spend', 'widgets', 'View widget spend', 'billing');
	PERFORM rbac.create_scope('widgets.configure', 'widgets', 'Configure widgets', 'tooling');
END $$;

SELECT ok((SELECT NOT builtin AND NOT retired AND resource_grantable AND NOT destructive AND NOT operator_only
           FROM rbac.scopes WHERE name = 'widgets.read'),
	'an application scope is stored as not built-in, with the flags it was given');
SELECT ok((SELECT destructive FROM rbac.scopes WHERE name = 'widgets.purge'),
	'create_scope records the destructive flag');

SELECT is(pg_temp.roles_holding(v.scope), v.roles,
	format('a new %s scope lands in exactly %s', v.level, v.roles))
FROM (VALUES
	('widgets.read', 'read-level, resource-grantable', ARRAY['admin', 'lead', 'member', 'membership_contributor', 'membership_planner',
	                               'membership_viewer', 'owner', 'planner', 'viewer', 'workspace_operator']),
	('widgets.list', 'read-level',
	                          ARRAY['admin', 'lead', 'member', 'owner', 'planner', 'viewer', 'workspace_operator']),
	('widgets.purge', 'delete-level', ARRAY['owner']),
	('widgets.spend', 'billing-level', ARRAY['admin', 'billing_manager', 'owner']),
	('widgets.configure', 'tooling-level', ARRAY['admin', 'owner', 'workspace_operator'])
) AS v(scope, level, roles);

-- The next statement's checks see the new scope through the roles.
SELECT is(pg_temp.holds(v.p, v.s, 'w1', v.rt, v.rid), v.expected,
	format('after create_scope, %s %s %s%s', v.p, CASE WHEN v.expected THEN 'holds' ELSE 'lacks' END, v.s,
	       coalesce(' on ' || v.rt || ' ' || v.rid, ' in the workspace')))
FROM (VALUES
	('alice', 'widgets.read', NULL, NULL, true),
	('vera', 'widgets.read', NULL, NULL, true),
	('bill', 'widgets.read', NULL, NULL, false),
	('mo', 'widgets.read', 'project', 'p1', true),
	('mo', 'widgets.read', 'project', 'p2', false),
	('mo', 'widgets.list', 'project', 'p1', false),
	('olive', 'widgets.purge', NULL, NULL, true),
	('alice', 'widgets.purge', NULL, NULL, false),
	('bill', 'widgets.spend', NULL, NULL, true),
	('opal', 'widgets.configure', NULL, NULL, true),
	('alice', 'widgets.configure', NULL, NULL, false)
) AS v(p, s, rt, rid, expected);

-- Bad requests.
SELECT throws_ok($$ SELECT rbac.create_scope('widgets.*', 'widgets', 'Any widget', 'read') $$,
	'22023', NULL, 'create_scope refuses a wildcard name');
SELECT throws_ok($$ SELECT rbac.create_scope('widgets read', 'widgets', 'Bad', 'read') $$,
	'22023', NULL, 'create_scope refuses a name outside the grammar');
SELECT throws_ok($$ SELECT rbac.create_scope('widgets.poke', 'widgets', 'Poke', 'no_such_level') $$,
	'22023', NULL, 'create_scope refuses an unknown level');
SELECT throws_ok($$ SELECT rbac.create_scope('widgets.read', 'widgets', 'Again', 'read') $$,
	'42710', NULL, 'create_scope refuses a name that exists');
SELECT throws_ok($$ SELECT rbac.create_scope('documents.read', 'planning', 'Again', 'read') $$,
	'42710', NULL, 'create_scope refuses the name of a built-in scope');

-- ===================================================================
-- Retiring: no role carries it, checks are false, the name stays taken
-- ===================================================================

UPDATE rbac.roles SET scopes = '{widgets.read}' WHERE key = 'widget_reader';
DO $$ BEGIN PERFORM rbac.grant('rita', 'widget_reader', 'w1'); END $$;
SELECT ok(pg_temp.holds('rita', 'widgets.read', 'w1'), 'a custom role holding widgets.read gives it');

SELECT is(rbac.retire_scope('widgets.read'), 'widgets.read', 'retire_scope returns the name');
SELECT ok((SELECT retired AND retired_at IS NOT NULL FROM rbac.scopes WHERE name = 'widgets.read'),
	'the retired scope stays in the catalog, marked retired');
SELECT is_empty($$ SELECT key FROM rbac.roles WHERE builtin AND scopes ? 'widgets.read' $$,
	'no built-in role carries a retired scope');
SELECT is(pg_temp.holds(v.p, 'widgets.read', 'w1', v.rt, v.rid), false,
	format('after retire_scope, %s lacks widgets.read%s', v.p, coalesce(' on ' || v.rt || ' ' || v.rid, '')))
FROM (VALUES ('olive', NULL, NULL), ('alice', NULL, NULL), ('mo', 'project', 'p1'), ('rita', NULL, NULL))
	AS v(p, rt, rid);
SELECT is(rbac.principal_has_scope('olive', 'widgets.read', 'w1'), false,
	'principal_has_scope of a retired scope is false');
SELECT ok(pg_temp.holds('olive', 'widgets.list', 'w1'), 'retiring one scope leaves its neighbours alone');

SELECT throws_ok($$ SELECT rbac.create_scope('widgets.read', 'widgets', 'View widgets', 'read') $$,
	'42710', NULL, 'a retired name is never reused');
SELECT throws_ok($$ SELECT rbac.retire_scope('documents.read') $$,
	'42501', NULL, 'a built-in scope cannot be retired');
SELECT throws_ok($$ SELECT rbac.retire_scope('widgets.nothing') $$,
	'22023', NULL, 'retiring an unknown scope fails');

-- ===================================================================
-- Scopes are never deleted, and their identity never changes
-- ===================================================================

SELECT throws_ok($$ DELETE FROM rbac.scopes WHERE name = 'widgets.read' $$,
	'42501', NULL, 'a retired application scope cannot be deleted');
SELECT throws_ok($$ DELETE FROM rbac.scopes WHERE name = 'widgets.list' $$,
	'42501', NULL, 'an application scope cannot be deleted');
SELECT throws_ok($$ DELETE FROM rbac.scopes WHERE name = 'documents.read' $$,
	'42501', NULL, 'a built-in scope cannot be deleted');
SELECT throws_ok($$ TRUNCATE rbac.scopes $$,
	'42501', NULL, 'the catalog cannot be truncated');
SELECT throws_ok($$ UPDATE rbac.scopes SET retired = false, retired_at = NULL WHERE name = 'widgets.read' $$,
	'42501', NULL, 'a retired scope cannot be brought back');
SELECT throws_ok($$ UPDATE rbac.scopes SET name = 'widgets.view' WHERE name = 'widgets.list' $$,
	'42501', NULL, 'an application scope cannot be renamed');
SELECT throws_ok($$ UPDATE rbac.scopes SET level = 'manage' WHERE name = 'widgets.purge' $$,
	'42501', NULL, 'an application scope cannot move to another level');
SELECT throws_ok($$ UPDATE rbac.scopes SET label = 'Read documents' WHERE name = 'documents.read' $$,
	'42501', NULL, 'a built-in scope cannot be changed at all');
SELECT throws_ok($$ UPDATE rbac.scopes SET operator_only = true WHERE name = 'widgets.list' $$,
	'42501', NULL, 'an application scope cannot be made operator-only');
SELECT throws_ok($$ INSERT INTO rbac.scopes (name, area, label, level, operator_only)
                    VALUES ('widgets.god', 'widgets', 'God mode', 'read', true) $$,
	'42501', NULL, 'no one adds an operator-only scope');
SELECT throws_ok($$ INSERT INTO rbac.scopes (name, area, label, level, builtin)
                    VALUES ('widgets.core', 'widgets', 'Core', 'read', true) $$,
	'42501', NULL, 'no one adds a built-in scope');
SELECT throws_ok($$ INSERT INTO rbac.scopes (name, area, label, level) VALUES ('widgets.*', 'widgets', 'Any', 'read') $$,
	'23514', NULL, 'the catalog holds no wildcard names');
SELECT lives_ok($$ UPDATE rbac.scopes SET label = 'List the widgets' WHERE name = 'widgets.list' $$,
	'the label of an application scope can be edited');

-- ===================================================================
-- Built-in roles cannot be changed by anyone, except re-derived
-- ===================================================================

-- Deferred checks on grants fire now, so TRUNCATE meets no pending event.
SET CONSTRAINTS ALL IMMEDIATE;

SELECT throws_ok(v.sql, '42501', NULL, v.description)
FROM (VALUES
	($$ UPDATE rbac.roles SET name = 'Boss' WHERE key = 'owner' $$,
		'a built-in role cannot be renamed'),
	($$ UPDATE rbac.roles SET description = 'anything' WHERE key = 'viewer' $$,
		'a built-in role''s description cannot be changed'),
	($$ UPDATE rbac.roles SET scopes = scopes + 'entitlements.override' WHERE key = 'admin' $$,
		'a scope cannot be added to a built-in role'),
	($$ UPDATE rbac.roles SET scopes = scopes - 'documents.read'::text WHERE key = 'member' $$,
		'a scope cannot be removed from a built-in role'),
	($$ UPDATE rbac.roles SET scopes = '{}' WHERE builtin $$,
		'the built-in roles cannot be emptied'),
	($$ UPDATE rbac.roles SET levels = levels || 'delete'::text WHERE key = 'admin' $$,
		'a built-in role''s levels cannot be changed'),
	($$ UPDATE rbac.roles SET kind = 'resource' WHERE key = 'viewer' $$,
		'a built-in role''s kind cannot be changed'),
	($$ UPDATE rbac.roles SET builtin = false, levels = NULL WHERE key = 'viewer' $$,
		'a built-in role cannot be turned into a custom one'),
	($$ UPDATE rbac.roles SET updated_at = '2000-01-01' WHERE key = 'owner' $$,
		'a built-in role''s history cannot be rewritten'),
	($$ DELETE FROM rbac.roles WHERE key = 'viewer' $$,
		'a built-in role cannot be deleted'),
	($$ DELETE FROM rbac.roles WHERE builtin $$,
		'the built-in roles cannot be deleted together'),
	($$ TRUNCATE rbac.roles CASCADE $$,
		'the roles table cannot be truncated, with CASCADE'),
	($$ TRUNCATE rbac.roles, rbac.grants $$,
		'the roles table cannot be truncated together with the grants'),
	($$ INSERT INTO rbac.roles (key, name, kind, builtin, levels, scopes)
	    VALUES ('superowner', 'Super owner', 'workspace', true, '{read}', '{documents.read}') $$,
		'no one adds a built-in role')
) AS v(sql, description);

SELECT lives_ok($$ UPDATE rbac.roles SET scopes = rbac.level_scopes(levels, kind) WHERE builtin $$,
	're-deriving the built-in roles from their levels is allowed');
SELECT is_empty($$
	SELECT key FROM rbac.roles AS r WHERE builtin
	  AND r.scopes <> (SELECT rbac.scopeset(coalesce(array_agg(s.name), '{}')) FROM rbac.scopes AS s
	                   WHERE s.level = ANY (r.levels) AND NOT s.operator_only AND NOT s.retired
	                     AND (r.kind <> 'resource' OR s.resource_grantable))
$$, 're-deriving leaves every built-in role at the scopes of its levels');

-- Custom roles are not frozen: the protection is for built-ins.
SELECT lives_ok($$ UPDATE rbac.roles SET name = 'Widget viewer', scopes = '{widgets.list}' WHERE key = 'widget_reader' $$,
	'a custom role can be edited');
SELECT lives_ok($$ DELETE FROM rbac.grants WHERE principal = 'rita';
                   DELETE FROM rbac.roles WHERE key = 'widget_reader' $$,
	'a custom role can be deleted');

SELECT * FROM finish();
ROLLBACK;
