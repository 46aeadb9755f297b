-- ===================================================================
-- coldstart benchmark: memory under 100,000 distinct pairs
--
-- One fresh session per setting of rbac.cache_entries.  The session sets
-- the bound (or leaves the default), checks one pair so that the cache and
-- its catalog exist, and records the rbac memory contexts ("before").
-- Then, for each of the 1,000 crowd principals in turn, it sets the
-- principal and counts, with has_scope(), which of that principal's 100
-- workspaces it may read: 100,000 distinct (principal, workspace) pairs,
-- every one a new cache entry.  After each principal it commits and
-- samples rbac.cache_stats(), the "rbac cache" context with its children
-- (pg_backend_memory_contexts), and all of the backend's contexts.  At
-- the end it records the contexts again ("after").  Every count is
-- checked against the baseline's answers.
--
-- psql variables: label, entries (a number, or "default" to leave the
-- setting alone).
-- ===================================================================

\set ON_ERROR_STOP on
SET client_min_messages = warning;

SELECT :'entries' <> 'default' AS set_entries \gset
\if :set_entries
SET rbac.cache_entries = :'entries';
\endif

CREATE TABLE IF NOT EXISTS mem_sample (
	label text NOT NULL,
	batch int NOT NULL,
	result bigint NOT NULL,
	expect bigint NOT NULL,
	us float8 NOT NULL,			-- time for the batch's 100 checks
	cpu_us float8,				-- this backend's CPU time for them
	entries bigint NOT NULL,
	hits bigint NOT NULL,
	misses bigint NOT NULL,
	evictions bigint NOT NULL,
	memory_bytes bigint NOT NULL,	-- rbac.cache_stats()
	rbac_bytes bigint NOT NULL,		-- "rbac cache" and its children
	backend_bytes bigint NOT NULL,	-- every context of the backend
	max_entries int NOT NULL
);

CREATE TABLE IF NOT EXISTS mem_context (
	label text NOT NULL,
	phase text NOT NULL,
	ord int NOT NULL,
	name text,
	parent text,
	level int,
	total_bytes bigint,
	used_bytes bigint,
	free_bytes bigint
);

CREATE OR REPLACE FUNCTION rbac_context_bytes() RETURNS bigint
LANGUAGE sql AS $$
	SELECT coalesce(sum(total_bytes), 0)::bigint FROM pg_backend_memory_contexts
	WHERE name = 'rbac cache' OR parent = 'rbac cache'
$$;

CREATE OR REPLACE FUNCTION snapshot_contexts(label text, phase text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO mem_context
	SELECT label, phase, row_number() OVER (ORDER BY level, name, total_bytes DESC),
		name, parent, level, total_bytes, used_bytes, free_bytes
	FROM pg_backend_memory_contexts
	WHERE name LIKE 'rbac%';
	INSERT INTO mem_context
	SELECT label, phase, 1000, 'all contexts of the backend', NULL, NULL,
		sum(total_bytes), sum(used_bytes), sum(free_bytes)
	FROM pg_backend_memory_contexts;
$$;

CREATE OR REPLACE PROCEDURE bench_memory(label text)
LANGUAGE plpgsql AS $$
DECLARE
	c bigint;
	e bigint;
	t0 timestamptz;
	c0 float8;
	us float8;
	cpu float8;
	st record;
BEGIN
	FOR b IN 1..1000 LOOP
		PERFORM rbac.set_principal('p_' || lpad(b::text, 4, '0'), false);
		e := (SELECT count(*) FROM pair WHERE batch = b AND expect);
		c0 := backend_cpu_us();
		t0 := clock_timestamp();
		SELECT count(*) INTO c FROM pair WHERE batch = b AND rbac.has_scope('documents.read', workspace_id);
		us := extract(epoch FROM clock_timestamp() - t0) * 1e6;
		cpu := backend_cpu_us() - c0;
		st := rbac.cache_stats();
		INSERT INTO mem_sample VALUES (label, b, c, e, us, cpu, st.entries, st.hits, st.misses,
			st.evictions, st.memory_bytes, rbac_context_bytes(),
			(SELECT sum(total_bytes) FROM pg_backend_memory_contexts), st.max_entries);
		COMMIT;
	END LOOP;
END
$$;

SELECT rbac.set_principal('solo', false) \g /dev/null
SELECT rbac.has_scope('documents.read', 'ws_00001') \g /dev/null
SELECT snapshot_contexts(:'label', 'before') \g /dev/null
INSERT INTO mem_sample
SELECT :'label', 0, 1, 1, 0, 0, s.entries, s.hits, s.misses, s.evictions, s.memory_bytes,
	rbac_context_bytes(), (SELECT sum(total_bytes) FROM pg_backend_memory_contexts), s.max_entries
FROM rbac.cache_stats() AS s;

CALL bench_memory(:'label');

SELECT snapshot_contexts(:'label', 'after') \g /dev/null
