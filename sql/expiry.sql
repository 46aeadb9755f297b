-- Expiry is against the clock.  A key authenticated for the session
-- stops inside one CALL that loops and commits, as soon as it expires:
-- a procedure's statement start time never moves, and is not the time.
SELECT rbac.create_workspace('exp_ws', 'Expiry', 'ella');
BEGIN;
SELECT rbac.set_principal('ella');
SELECT rbac.create_api_key('exp_ws', NULL, 'brief', clock_timestamp() + interval '2 seconds') AS key \gset
COMMIT;
CREATE TABLE expiry_seen (i int PRIMARY KEY, holds boolean NOT NULL);
CREATE PROCEDURE expiry_loop() LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..40 LOOP
		INSERT INTO expiry_seen VALUES (i, rbac.has_scope('documents.read', 'exp_ws'));
		COMMIT;
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$;
SELECT rbac.authenticate_api_key(:'key', false);
CALL expiry_loop();
SELECT bool_or(holds) AS held_at_first, bool_or(NOT holds) AS then_not,
       bool_and(NOT holds OR i < (SELECT min(i) FROM expiry_seen WHERE NOT holds)) AS never_again
FROM expiry_seen;
SELECT rbac.current_principal() AS acting_for;
SELECT rbac.set_principal(NULL, false);
DROP PROCEDURE expiry_loop();
DROP TABLE expiry_seen;
