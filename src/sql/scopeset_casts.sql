-- ===================================================================
-- scopeset: casts and aggregates
-- ===================================================================

CREATE FUNCTION rbac.scopeset(text[]) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'scopeset_from_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset(jsonb) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME', 'scopeset_from_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_to_array(rbac.scopeset) RETURNS text[]
	AS 'MODULE_PATHNAME', 'scopeset_to_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION rbac.scopeset(text[]) IS
	'builds a scopeset from an array of scope names; NULL elements are an error';
COMMENT ON FUNCTION rbac.scopeset(jsonb) IS
	'builds a scopeset from a JSON array of names or an OAuth scope string of space-separated names';
COMMENT ON FUNCTION rbac.scopeset_to_array(rbac.scopeset) IS
	'the elements of a scopeset as a text array, in canonical order';

CREATE CAST (text[] AS rbac.scopeset) WITH FUNCTION rbac.scopeset(text[]) AS ASSIGNMENT;
CREATE CAST (rbac.scopeset AS text[]) WITH FUNCTION rbac.scopeset_to_array(rbac.scopeset);
CREATE CAST (jsonb AS rbac.scopeset) WITH FUNCTION rbac.scopeset(jsonb);

COMMENT ON CAST (text[] AS rbac.scopeset) IS 'an array of scope names as a canonical set';
COMMENT ON CAST (rbac.scopeset AS text[]) IS 'the canonical elements as an array';
COMMENT ON CAST (jsonb AS rbac.scopeset) IS 'a scopes array or OAuth scope string from a token';

CREATE AGGREGATE rbac.union_agg(rbac.scopeset) (
	SFUNC = rbac.scopeset_union,
	STYPE = rbac.scopeset,
	COMBINEFUNC = rbac.scopeset_union,
	PARALLEL = SAFE
);
CREATE AGGREGATE rbac.intersect_agg(rbac.scopeset) (
	SFUNC = rbac.scopeset_intersect,
	STYPE = rbac.scopeset,
	COMBINEFUNC = rbac.scopeset_intersect,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE rbac.union_agg(rbac.scopeset) IS
	'union of the non-null inputs; NULL when there are none';
COMMENT ON AGGREGATE rbac.intersect_agg(rbac.scopeset) IS
	'intersection of the non-null inputs; NULL when there are none';
