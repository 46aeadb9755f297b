-- A request for someone else first, so the probe's context is set afresh,
-- then the check, compared with probe_state under the same snapshot.  Half
-- the requests name the principal with rbac.set_principal(), half through
-- request.jwt.claims as PostgREST does.
\set claims random(0, 1)
BEGIN;
\if :claims
SELECT set_config('request.jwt.claims', '{"sub":"user_' || (:client_id)::text || '"}', true);
SELECT set_config('request.jwt.claims', '{"sub":"probe"}', true);
\else
SELECT rbac.set_principal('user_' || (:client_id)::text);
SELECT rbac.set_principal('probe');
\endif
INSERT INTO stale_answer (via, version, held, has_scope)
SELECT CASE WHEN :claims = 1 THEN 'claims' ELSE 'set_principal' END, version, held, hs
FROM (SELECT s.version, s.held, rbac.has_scope('documents.read', 'ws_1') AS hs
      FROM probe_state s WHERE s.id = 1 OFFSET 0) c
WHERE hs IS DISTINCT FROM held;
COMMIT;
