-- One change: flip the probe's viewer grant and record it, in one transaction.
BEGIN;
UPDATE probe_state SET version = version + 1, held = NOT held WHERE id = 1 RETURNING held::int AS held \gset
\if :held
SELECT rbac.grant('probe', 'viewer', 'ws_1');
\else
SELECT rbac.revoke('probe', 'viewer', 'ws_1');
\endif
COMMIT;
