-- ===================================================================
-- scopeset: btree, hash and GIN operator classes
-- ===================================================================

CREATE OPERATOR CLASS rbac.scopeset_ops
	DEFAULT FOR TYPE rbac.scopeset USING btree AS
	OPERATOR 1 rbac.< ,
	OPERATOR 2 rbac.<= ,
	OPERATOR 3 rbac.= ,
	OPERATOR 4 rbac.>= ,
	OPERATOR 5 rbac.> ,
	FUNCTION 1 rbac.scopeset_cmp(rbac.scopeset, rbac.scopeset);

CREATE OPERATOR CLASS rbac.scopeset_ops
	DEFAULT FOR TYPE rbac.scopeset USING hash AS
	OPERATOR 1 rbac.= ,
	FUNCTION 1 rbac.hash_scopeset(rbac.scopeset),
	FUNCTION 2 rbac.hash_scopeset_extended(rbac.scopeset, bigint);

CREATE FUNCTION rbac.gin_scopeset_compare_keys(text, text) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.gin_extract_scopeset(rbac.scopeset, internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.gin_extract_scopeset_query(rbac.scopeset, internal, int2, internal, internal, internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.gin_compare_partial_scopeset(text, text, int2, internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.gin_consistent_scopeset(internal, int2, rbac.scopeset, int4, internal, internal, internal, internal) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.gin_triconsistent_scopeset(internal, int2, rbac.scopeset, int4, internal, internal, internal) RETURNS "char"
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION rbac.gin_scopeset_compare_keys(text, text) IS 'GIN support: bytewise order of scope keys';
COMMENT ON FUNCTION rbac.gin_extract_scopeset(rbac.scopeset, internal, internal) IS 'GIN support: one key per scope';
COMMENT ON FUNCTION rbac.gin_extract_scopeset_query(rbac.scopeset, internal, int2, internal, internal, internal, internal) IS
	'GIN support: the exact and prefix keys that find related patterns';
COMMENT ON FUNCTION rbac.gin_compare_partial_scopeset(text, text, int2, internal) IS
	'GIN support: applies the wildcard-aware relation to each key of a prefix range';
COMMENT ON FUNCTION rbac.gin_consistent_scopeset(internal, int2, rbac.scopeset, int4, internal, internal, internal, internal) IS
	'GIN support: combines key matches, rechecking only <@ and =';
COMMENT ON FUNCTION rbac.gin_triconsistent_scopeset(internal, int2, rbac.scopeset, int4, internal, internal, internal) IS
	'GIN support: ternary form of the consistent function';

CREATE OPERATOR CLASS rbac.scopeset_gin_ops
	DEFAULT FOR TYPE rbac.scopeset USING gin AS
	OPERATOR 3 rbac.&& (rbac.scopeset, rbac.scopeset),
	OPERATOR 6 rbac.= (rbac.scopeset, rbac.scopeset),
	OPERATOR 7 rbac.@> (rbac.scopeset, rbac.scopeset),
	OPERATOR 8 rbac.<@ (rbac.scopeset, rbac.scopeset),
	OPERATOR 9 rbac.? (rbac.scopeset, text),
	OPERATOR 10 rbac.?| (rbac.scopeset, text[]),
	OPERATOR 11 rbac.?& (rbac.scopeset, text[]),
	FUNCTION 1 rbac.gin_scopeset_compare_keys(text, text),
	FUNCTION 2 rbac.gin_extract_scopeset(rbac.scopeset, internal, internal),
	FUNCTION 3 rbac.gin_extract_scopeset_query(rbac.scopeset, internal, int2, internal, internal, internal, internal),
	FUNCTION 4 rbac.gin_consistent_scopeset(internal, int2, rbac.scopeset, int4, internal, internal, internal, internal),
	FUNCTION 5 rbac.gin_compare_partial_scopeset(text, text, int2, internal),
	FUNCTION 6 rbac.gin_triconsistent_scopeset(internal, int2, rbac.scopeset, int4, internal, internal, internal),
	STORAGE text;

COMMENT ON OPERATOR CLASS rbac.scopeset_ops USING btree IS 'total order of scopesets';
COMMENT ON OPERATOR CLASS rbac.scopeset_ops USING hash IS 'hashing of scopesets';
COMMENT ON OPERATOR CLASS rbac.scopeset_gin_ops USING gin IS
	'wildcard-aware GIN index for @>, <@, &&, ?, ?|, ?& and =';
