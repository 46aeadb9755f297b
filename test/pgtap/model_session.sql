-- rbac.set_principal's is_local: with true (the default) the principal
-- lasts until the end of the transaction, committed or not; with false it
-- lasts for the session, unless its transaction rolls back.  Seeing that
-- takes transaction boundaries, so unlike the other files this one runs its
-- statements in their own transactions.  It changes nothing in the
-- database: it only sets the principal of its own session, as a superuser.
SELECT plan(14);

SELECT is(rbac.current_principal(), NULL, 'a new session has no principal');

BEGIN;
SELECT is(rbac.set_principal('alice'), 'alice', 'set_principal returns the principal it set');
SELECT is(rbac.current_principal(), 'alice', 'within its transaction, the principal is alice');
COMMIT;
SELECT is(rbac.current_principal(), NULL, 'is_local defaults to true: the principal ends with a committed transaction');

SELECT FROM rbac.set_principal('alice', is_local => true);
SELECT is(rbac.current_principal(), NULL, 'is_local => true in a statement of its own lasts only that statement''s transaction');

SELECT FROM rbac.set_principal('bob', is_local => false);
SELECT is(rbac.current_principal(), 'bob', 'is_local => false lasts beyond its transaction');
SELECT is(rbac.current_principal(), 'bob', 'and beyond the next');

BEGIN;
SELECT FROM rbac.set_principal('carol', is_local => true);
SELECT is(rbac.current_principal(), 'carol', 'a transaction principal overrides the session one');
COMMIT;
SELECT is(rbac.current_principal(), 'bob', 'and the session principal returns after the transaction');

BEGIN;
SELECT FROM rbac.set_principal('dave', is_local => false);
ROLLBACK;
SELECT is(rbac.current_principal(), 'bob', 'a session principal set in a rolled-back transaction is undone');

BEGIN;
SELECT FROM rbac.set_principal(NULL, is_local => true);
SELECT is(rbac.current_principal(), NULL, 'a transaction may clear the principal for itself');
COMMIT;
SELECT is(rbac.current_principal(), 'bob', 'and the session principal returns after it');

SELECT FROM rbac.set_principal(NULL, is_local => false);
SELECT is(rbac.current_principal(), NULL, 'set_principal(NULL, false) clears the session principal');
SELECT is(current_setting('rbac.principal'), '', 'and the setting is empty');

SELECT * FROM finish();
