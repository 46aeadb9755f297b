-- ===================================================================
-- stress: one workspace, one probe principal whose viewer grant a writer
-- toggles, and the table that says which way it stands.  probe_state is
-- changed in the same transaction as the grant, so any snapshot that sees
-- one sees the other: a check that disagrees with it is stale.
-- ===================================================================
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE EXTENSION rbac;
SELECT rbac.create_workspace('ws_1', 'Stress', 'owner_1') \g /dev/null

CREATE TABLE probe_state (id int PRIMARY KEY, version int NOT NULL, held bool NOT NULL);
INSERT INTO probe_state VALUES (1, 0, false);

CREATE TABLE stale_answer (
	seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	via text NOT NULL,
	version int NOT NULL,
	held bool NOT NULL,
	has_scope bool
);

-- The readers run as an application role that may name the principal.
CREATE ROLE stress_app LOGIN PASSWORD :'app_password';
GRANT rbac_authenticator TO stress_app;
GRANT SELECT ON probe_state TO stress_app;
GRANT INSERT ON stale_answer TO stress_app;
ALTER ROLE stress_app SET rbac.trust_request_jwt = on;
