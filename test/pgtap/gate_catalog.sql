-- One gate, read from the catalog.  Every function in schema rbac that is
-- SECURITY DEFINER or writes (volatile), and that the application's
-- database role may execute, must have a rule stated here; a function
-- added later without one fails the first test until someone states it.
--
-- Rules:
--   bounded   the call needs scopes that a bounded context lacks.  It is
--             tried, as a non-superuser application role, from four
--             contexts of pat, who owns everything here, each bounded to
--             {documents.read}: a narrowing, request claims with scopes
--             (PostgREST), a signed token with scopes, and an API key
--             restricted to it.  Each must be refused with 42501 and
--             change nothing, sequences included.  The same call by pat
--             unbounded succeeds, so the bound is what refused it.
--   operator  only the platform operator may: refused for pat, bounded or
--             not, and done by a member of rbac_admin with no principal.
--   open      needs no scope, for the reason given.
-- Functions the application role may not execute are internal: the
-- catalog test below shows they are not executable.
BEGIN;
SELECT plan(182);
SET LOCAL client_min_messages = error;
\ir lib/helpers.sql

CREATE ROLE gate_app NOLOGIN IN ROLE rbac_user;
CREATE ROLE gate_admin NOLOGIN IN ROLE rbac_admin;
SET LOCAL rbac.self_service = on;

DO $$
BEGIN
	PERFORM rbac.create_organization('g_org', 'Gate', 'pat');
	PERFORM rbac.create_organization('g_empty', 'Empty', 'pat');
	PERFORM rbac.grant_org_role('g_org', 'oz', 'org_member');
	PERFORM rbac.create_workspace('g_a', 'A', 'pat', 'g_org');
	PERFORM rbac.create_workspace('g_b', 'B', 'pat', 'g_org');
	PERFORM rbac.create_workspace('g_del', 'Doomed', 'pat', 'g_org');
	PERFORM rbac.create_workspace('g_shared', 'Shared', 'pat', NULL, 'shared');
	PERFORM rbac.grant('sam', 'owner', 'g_shared');
	PERFORM rbac.add_member('g_a', 'mia');
	PERFORM rbac.add_member('g_a', 'max', 'viewer');
	PERFORM rbac.add_member('g_b', 'bo');
	PERFORM rbac.grant_resource_role('g_a', 'project', 'p1', 'max', 'membership_viewer');
	PERFORM rbac.create_role('g_editor', 'Gate Editor', 'workspace', '{documents.read,documents.edit}',
	                         belongs_to_workspace => 'g_a');
	PERFORM rbac.create_scope('gate.old', 'gate', 'Gate old', 'read');
	PERFORM rbac.create_role('g_spare', 'Gate Spare', 'workspace', '{documents.read}',
	                         belongs_to_workspace => 'g_a');
END $$;

-- pat's keys: one restricted to documents.read, one unrestricted, one to revoke, one in g_b.
CREATE TEMP TABLE gate_keys (name text PRIMARY KEY, key text, id bigint);
SELECT FROM rbac.set_principal('pat');
INSERT INTO gate_keys (name, key) VALUES
	('restricted', rbac.create_api_key('g_a', '{documents.read}', 'restricted')),
	('full', rbac.create_api_key('g_a', NULL, 'full')),
	('spare', rbac.create_api_key('g_a', NULL, 'spare')),
	('in_b', rbac.create_api_key('g_b', NULL, 'in b'));
SELECT FROM rbac.set_principal(NULL);
UPDATE gate_keys AS g SET id = k.id FROM rbac.api_keys AS k WHERE k.prefix = substr(g.key, 6, 12);
GRANT SELECT ON gate_keys TO gate_app;
SELECT value AS secret FROM public.jwt_keys WHERE name = 'secret' \gset

-- Enter a context as the superuser, become the application role, and run
-- the call.  Everything is undone by pg_temp.sqlstate_of() around it.
CREATE FUNCTION pg_temp.as_context(context text, call text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	bounds text := '{documents.read}';
BEGIN
	CASE context
	WHEN 'person' THEN
		PERFORM rbac.set_principal('pat');
	WHEN 'operator' THEN
		PERFORM rbac.set_principal(NULL);
	WHEN 'narrowing' THEN
		PERFORM rbac.set_principal('pat');
		PERFORM set_config('rbac.narrowing', bounds, true);
	WHEN 'claims' THEN
		PERFORM rbac.set_principal(NULL);
		PERFORM set_config('rbac.trust_request_jwt', 'on', true);
		PERFORM set_config('request.jwt.claims', '{"sub":"pat","scopes":["documents.read"]}', true);
	WHEN 'token' THEN
		PERFORM set_config('rbac.jwt_secret', (SELECT value FROM public.jwt_keys WHERE name = 'secret'), true);
		PERFORM rbac.authenticate_jwt(pg_temp.hs256(
			format('{"sub":"pat","scopes":["documents.read"],"exp":%s}',
			       extract(epoch FROM now() + interval '1 hour')::bigint),
			(SELECT value FROM public.jwt_keys WHERE name = 'secret')));
	WHEN 'key' THEN
		PERFORM rbac.authenticate_api_key((SELECT key FROM gate_keys WHERE name = 'restricted'));
	WHEN 'full_key' THEN
		PERFORM rbac.authenticate_api_key((SELECT key FROM gate_keys WHERE name = 'full'));
	END CASE;
	PERFORM set_config('role', CASE context WHEN 'operator' THEN 'gate_admin' ELSE 'gate_app' END, true);
	EXECUTE call;
END $$;

CREATE FUNCTION pg_temp.attempt(context text, call text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.sqlstate_of(format('SELECT pg_temp.as_context(%L, %L)', context, call));
$$;

CREATE TEMP TABLE rules (fn text PRIMARY KEY, kind text NOT NULL, call text, reason text);
INSERT INTO rules (fn, kind, call) VALUES
	('rbac.create_organization(text,text,text)', 'bounded', $$SELECT rbac.create_organization('g_new_org', 'New')$$),
	('rbac.delete_organization(text)', 'bounded', $$SELECT rbac.delete_organization('g_empty')$$),
	('rbac.create_workspace(text,text,text,text,text)', 'bounded',
		$$SELECT rbac.create_workspace('g_new', 'New', organization => 'g_org')$$),
	('rbac.delete_workspace(text)', 'bounded', $$SELECT rbac.delete_workspace('g_del')$$),
	('rbac."grant"(text,text,text,text,text)', 'bounded', $$SELECT rbac.grant('mia', 'viewer', 'g_a')$$),
	('rbac.revoke(text,text,text,text,text)', 'bounded', $$SELECT rbac.revoke('max', 'viewer', 'g_a')$$),
	('rbac.add_member(text,text,text)', 'bounded', $$SELECT rbac.add_member('g_a', 'nu')$$),
	('rbac.set_role(text,text,text)', 'bounded', $$SELECT rbac.set_role('g_a', 'mia', 'viewer')$$),
	('rbac.grant_role(text,text,text)', 'bounded', $$SELECT rbac.grant_role('g_a', 'mia', 'lead')$$),
	('rbac.revoke_role(text,text,text)', 'bounded', $$SELECT rbac.revoke_role('g_a', 'max', 'viewer')$$),
	('rbac.grant_resource_role(text,text,text,text,text)', 'bounded',
		$$SELECT rbac.grant_resource_role('g_a', 'project', 'p2', 'mia', 'membership_viewer')$$),
	('rbac.revoke_resource_role(text,text,text,text,text)', 'bounded',
		$$SELECT rbac.revoke_resource_role('g_a', 'project', 'p1', 'max', 'membership_viewer')$$),
	('rbac.remove_member(text,text)', 'bounded', $$SELECT rbac.remove_member('g_a', 'max')$$),
	('rbac.leave_workspace(text)', 'bounded', $$SELECT rbac.leave_workspace('g_shared')$$),
	('rbac.grant_org_role(text,text,text)', 'bounded', $$SELECT rbac.grant_org_role('g_org', 'mia', 'org_member')$$),
	('rbac.revoke_org_role(text,text,text)', 'bounded', $$SELECT rbac.revoke_org_role('g_org', 'oz', 'org_member')$$),
	('rbac.transfer_ownership(text,text,text)', 'bounded', $$SELECT rbac.transfer_ownership('g_a', 'mia')$$),
	('rbac.create_role(text,text,text,rbac.scopeset,text,text,text,boolean)', 'bounded',
		$$SELECT rbac.create_role('g_new_role', 'Gate New', 'workspace', '{documents.read}', belongs_to_workspace => 'g_a')$$),
	('rbac.alter_role(text,text,text,text,text,rbac.scopeset,rbac.scopeset,rbac.scopeset,boolean)', 'bounded',
		$$SELECT rbac.alter_role('g_editor', 'g_a', add_scopes => '{documents.comment}')$$),
	('rbac.drop_role(text,text,text,text)', 'bounded', $$SELECT rbac.drop_role('g_spare', belongs_to_workspace => 'g_a')$$),
	('rbac.clone_role(text,text,text,text,text,text,boolean)', 'bounded',
		$$SELECT rbac.clone_role('viewer', 'g_clone', 'Gate Clone', belongs_to_workspace => 'g_a')$$),
	('rbac.members_of(text)', 'bounded', $$SELECT * FROM rbac.members_of('g_a')$$),
	('rbac.who_has(text,text)', 'bounded', $$SELECT * FROM rbac.who_has('tenant.delete', 'g_a')$$),
	('rbac.explain(text,text,text,text,text)', 'bounded', $$SELECT * FROM rbac.explain('mia', 'tenant.delete', 'g_a')$$),
	('rbac.audit_events(text,timestamp with time zone,timestamp with time zone)', 'bounded',
		$$SELECT * FROM rbac.audit_events('g_a')$$),
	('rbac.audit_export(text,timestamp with time zone,timestamp with time zone)', 'bounded',
		$$SELECT * FROM rbac.audit_export('g_a')$$),
	('rbac.create_api_key(text,rbac.scopeset,text,timestamp with time zone)', 'bounded',
		$$SELECT rbac.create_api_key('g_a')$$),
	('rbac.revoke_api_key(bigint)', 'bounded', $$SELECT rbac.revoke_api_key((SELECT id FROM gate_keys WHERE name = 'spare'))$$),
	('rbac.api_keys_of(text)', 'bounded', $$SELECT * FROM rbac.api_keys_of('g_a')$$),
	('rbac.register_resource_type(text,text)', 'operator', $$SELECT rbac.register_resource_type('gate_thing')$$),
	('rbac.create_scope(text,text,text,text,text,boolean,boolean)', 'operator',
		$$SELECT rbac.create_scope('gate.thing', 'gate', 'Gate thing', 'read')$$),
	('rbac.retire_scope(text)', 'operator', $$SELECT rbac.retire_scope('gate.old')$$);
INSERT INTO rules (fn, kind, reason) VALUES
	('rbac.role_diff(text,text,text)', 'open', 'reads roles, which PUBLIC may read'),
	('rbac.role_graph(text)', 'open', 'reads roles, which PUBLIC may read'),
	('rbac.authenticate_jwt(text,boolean)', 'open', 'establishes a context from a verified token; session-level only for rbac_authenticator'),
	('rbac.authenticate_api_key(text,boolean)', 'open', 'establishes a context from a valid key; session-level only for rbac_authenticator'),
	('rbac.narrow(rbac.scopeset)', 'open', 'only ever narrows the current context'),
	('rbac.cache_stats()', 'open', 'this backend''s own cache statistics');

CREATE TEMP TABLE catalog_functions AS
SELECT p.oid::regprocedure::text AS fn, has_function_privilege('gate_app', p.oid, 'EXECUTE') AS executable
FROM pg_catalog.pg_proc AS p
WHERE p.pronamespace = 'rbac'::regnamespace AND (p.prosecdef OR p.provolatile = 'v')
  AND p.prorettype <> 'trigger'::regtype;

SELECT is(array_agg(c.fn ORDER BY c.fn), NULL,
	'every SECURITY DEFINER or writing function the application role may execute has a stated rule')
FROM catalog_functions AS c WHERE c.executable AND NOT EXISTS (SELECT FROM rules AS r WHERE r.fn = c.fn);
SELECT is(array_agg(r.fn ORDER BY r.fn), NULL, 'and every rule names such a function')
FROM rules AS r WHERE NOT EXISTS (SELECT FROM catalog_functions AS c WHERE c.fn = r.fn AND c.executable);
SELECT cmp_ok(count(*), '>=', 5::bigint,
	'the internal ones (audit, ownership locks, key minting and more) are executable by no application role')
FROM catalog_functions WHERE NOT executable;

-- The bounded contexts, each refused.
SELECT pg_temp.model_fingerprint() AS before \gset
SELECT is(pg_temp.attempt(c.context, r.call), '42501',
	format('%s: refused from %s bounded to {documents.read}', r.fn, c.label))
FROM rules AS r
CROSS JOIN (VALUES ('narrowing', 'a narrowing'), ('claims', 'request claims'),
                   ('token', 'a signed token'), ('key', 'an API key')) AS c(context, label)
WHERE r.kind IN ('bounded', 'operator')
ORDER BY r.fn, c.context;
SELECT is(pg_temp.model_fingerprint(), :'before', 'the refused calls changed nothing, sequences included');

-- pat unbounded may, so the bound refused them; the operator-only ones only the operator.
SELECT is(pg_temp.attempt('person', r.call), CASE r.kind WHEN 'bounded' THEN 'no error' ELSE '42501' END,
	format('%s: %s', r.fn, CASE r.kind WHEN 'bounded' THEN 'pat, unbounded, may'
	                             ELSE 'refused for pat, bounded or not' END))
FROM rules AS r WHERE r.kind IN ('bounded', 'operator') ORDER BY r.fn;
SELECT is(pg_temp.attempt('operator', r.call), 'no error', format('%s: the operator may', r.fn))
FROM rules AS r WHERE r.kind = 'operator' ORDER BY r.fn;

-- An unrestricted key of g_a reaches nothing outside g_a, though pat owns it all.
SELECT is(pg_temp.attempt('full_key', x.call), '42501', format('a full key of g_a: %s', x.what))
FROM (VALUES
	($$SELECT rbac.transfer_ownership('g_b', 'bo')$$, 'cannot transfer the ownership of g_b'),
	($$SELECT rbac.revoke_api_key((SELECT id FROM gate_keys WHERE name = 'in_b'))$$, 'cannot revoke a key of g_b'),
	($$SELECT * FROM rbac.api_keys_of('g_b')$$, 'cannot list the keys of g_b'),
	($$SELECT rbac.leave_workspace('g_b')$$, 'cannot leave g_b'),
	($$SELECT rbac.create_workspace('g_key_ws', 'Key', organization => 'g_org')$$, 'cannot create a workspace'),
	($$SELECT rbac.create_organization('g_key_org', 'Key')$$, 'cannot create an organization'),
	($$SELECT rbac.grant_org_role('g_org', 'mia', 'org_member')$$, 'cannot act on the organization'),
	($$SELECT rbac.delete_workspace('g_b')$$, 'cannot delete g_b')
) AS x(call, what);
SELECT is(pg_temp.attempt('full_key', x.call), 'no error', format('control, a full key of g_a: %s', x.what))
FROM (VALUES
	($$SELECT rbac.add_member('g_a', 'nu')$$, 'invites into g_a'),
	($$SELECT rbac.transfer_ownership('g_a', 'mia')$$, 'transfers the ownership of g_a, all of pat''s reach there')
) AS x(call, what);

-- What needs no scope still works from a bounded context.
SELECT is(pg_temp.attempt('narrowing', x.call), 'no error', format('%s from a narrowing', x.what))
FROM (VALUES ($$SELECT rbac.role_graph('g_a')$$, 'role_graph'),
             ($$SELECT * FROM rbac.role_diff('admin', 'owner')$$, 'role_diff'),
             ($$SELECT rbac.cache_stats()$$, 'cache_stats')) AS x(call, what);

-- The audit log names the bound a change was made through, not only the person.
SELECT FROM rbac.authenticate_api_key((SELECT key FROM gate_keys WHERE name = 'full'));
SELECT FROM rbac.add_member('g_a', 'kay');
SELECT FROM rbac.set_principal(NULL);
SELECT is((SELECT context ->> 'credential' || ' ' || (context ->> 'api_key') FROM rbac.audit_log
           WHERE action = 'member.add' AND target_principal = 'kay'),
	'api_key ' || (SELECT id FROM gate_keys WHERE name = 'full'),
	'an audit row written through an API key names the key');
SELECT FROM rbac.set_principal('pat');
SELECT FROM rbac.add_member('g_a', 'lee');
SELECT FROM rbac.set_principal(NULL);
SELECT is((SELECT context FROM rbac.audit_log WHERE action = 'member.add' AND target_principal = 'lee'),
	'{"source": "transaction", "credential": "plain", "narrowing": null}'::jsonb,
	'and one written by a plain principal says so');

SELECT * FROM finish();
ROLLBACK;
