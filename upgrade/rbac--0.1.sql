-- rbac: scoped role-based access control next to the data.
-- This script is assembled at build time from src/sql/*.sql; edit the parts.

\echo Use "CREATE EXTENSION rbac" to load this file. \quit
-- ===================================================================
-- scopeset: the datatype and its text and binary I/O
-- ===================================================================

CREATE TYPE rbac.scopeset;

CREATE FUNCTION rbac.scopeset_in(cstring) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_out(rbac.scopeset) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_recv(internal) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_send(rbac.scopeset) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE rbac.scopeset (
	INPUT = rbac.scopeset_in,
	OUTPUT = rbac.scopeset_out,
	RECEIVE = rbac.scopeset_recv,
	SEND = rbac.scopeset_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);

COMMENT ON TYPE rbac.scopeset IS
	'a set of scopes and scope patterns, such as {members.manage,agents:*:run}, stored in canonical form';
COMMENT ON FUNCTION rbac.scopeset_in(cstring) IS
	'parses the text form {scope,...}; accepts whitespace, duplicates, any order and covered elements';
COMMENT ON FUNCTION rbac.scopeset_out(rbac.scopeset) IS
	'writes the canonical text form: sorted bytewise, no covered element, no spaces';
COMMENT ON FUNCTION rbac.scopeset_recv(internal) IS
	'reads the binary form, refusing any value that is not canonical';
COMMENT ON FUNCTION rbac.scopeset_send(rbac.scopeset) IS
	'writes the binary form: a version byte, a count, then each scope with its length';

CREATE FUNCTION rbac.cardinality(rbac.scopeset) RETURNS integer
	AS 'MODULE_PATHNAME', 'scopeset_cardinality' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rbac.cardinality(rbac.scopeset) IS
	'number of elements in the canonical form (a wildcard counts once)';

CREATE FUNCTION rbac.scopes(rbac.scopeset) RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'scopeset_scopes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	ROWS 20;
COMMENT ON FUNCTION rbac.scopes(rbac.scopeset) IS
	'the elements of a scopeset, one row each, in canonical order';
-- ===================================================================
-- scopeset: set algebra and comparison operators
-- ===================================================================

CREATE FUNCTION rbac.scopeset_union(rbac.scopeset, rbac.scopeset) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_intersect(rbac.scopeset, rbac.scopeset) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_minus(rbac.scopeset, rbac.scopeset) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_add(rbac.scopeset, text) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_remove(rbac.scopeset, text) RETURNS rbac.scopeset
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_contains(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_contained(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_overlaps(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_has(rbac.scopeset, text) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_has_any(rbac.scopeset, text[]) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_has_all(rbac.scopeset, text[]) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION rbac.scopeset_union(rbac.scopeset, rbac.scopeset) IS
	'union: every name either set matches (operator |)';
COMMENT ON FUNCTION rbac.scopeset_intersect(rbac.scopeset, rbac.scopeset) IS
	'intersection: every name both sets match, as the segment-wise meet of their patterns (operator &)';
COMMENT ON FUNCTION rbac.scopeset_minus(rbac.scopeset, rbac.scopeset) IS
	'difference: removes each element of the left set that the right set covers; a wildcard covered only in part stays (operator -)';
COMMENT ON FUNCTION rbac.scopeset_add(rbac.scopeset, text) IS
	'adds one scope (operator +)';
COMMENT ON FUNCTION rbac.scopeset_remove(rbac.scopeset, text) IS
	'removes each element that the given scope covers (operator -)';
COMMENT ON FUNCTION rbac.scopeset_contains(rbac.scopeset, rbac.scopeset) IS
	'does the left set match every name the right set matches? (operator @>)';
COMMENT ON FUNCTION rbac.scopeset_contained(rbac.scopeset, rbac.scopeset) IS
	'does the right set match every name the left set matches? (operator <@)';
COMMENT ON FUNCTION rbac.scopeset_overlaps(rbac.scopeset, rbac.scopeset) IS
	'is some name matched by both sets? (operator &&)';
COMMENT ON FUNCTION rbac.scopeset_has(rbac.scopeset, text) IS
	'does the set cover this scope? (operator ?)';
COMMENT ON FUNCTION rbac.scopeset_has_any(rbac.scopeset, text[]) IS
	'does the set cover any of these scopes? (operator ?|)';
COMMENT ON FUNCTION rbac.scopeset_has_all(rbac.scopeset, text[]) IS
	'does the set cover all of these scopes? (operator ?&)';

CREATE OPERATOR rbac.| (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_union, COMMUTATOR = OPERATOR(rbac.|)
);
CREATE OPERATOR rbac.& (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_intersect, COMMUTATOR = OPERATOR(rbac.&)
);
CREATE OPERATOR rbac.- (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_minus
);
CREATE OPERATOR rbac.+ (
	LEFTARG = rbac.scopeset, RIGHTARG = text,
	FUNCTION = rbac.scopeset_add
);
CREATE OPERATOR rbac.- (
	LEFTARG = rbac.scopeset, RIGHTARG = text,
	FUNCTION = rbac.scopeset_remove
);
CREATE OPERATOR rbac.@> (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_contains, COMMUTATOR = OPERATOR(rbac.<@),
	RESTRICT = matchingsel, JOIN = matchingjoinsel
);
CREATE OPERATOR rbac.<@ (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_contained, COMMUTATOR = OPERATOR(rbac.@>),
	RESTRICT = matchingsel, JOIN = matchingjoinsel
);
CREATE OPERATOR rbac.&& (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_overlaps, COMMUTATOR = OPERATOR(rbac.&&),
	RESTRICT = matchingsel, JOIN = matchingjoinsel
);
CREATE OPERATOR rbac.? (
	LEFTARG = rbac.scopeset, RIGHTARG = text,
	FUNCTION = rbac.scopeset_has,
	RESTRICT = matchingsel, JOIN = matchingjoinsel
);
CREATE OPERATOR rbac.?| (
	LEFTARG = rbac.scopeset, RIGHTARG = text[],
	FUNCTION = rbac.scopeset_has_any,
	RESTRICT = matchingsel, JOIN = matchingjoinsel
);
CREATE OPERATOR rbac.?& (
	LEFTARG = rbac.scopeset, RIGHTARG = text[],
	FUNCTION = rbac.scopeset_has_all,
	RESTRICT = matchingsel, JOIN = matchingjoinsel
);

COMMENT ON OPERATOR rbac.| (rbac.scopeset, rbac.scopeset) IS 'union';
COMMENT ON OPERATOR rbac.& (rbac.scopeset, rbac.scopeset) IS 'intersection';
COMMENT ON OPERATOR rbac.- (rbac.scopeset, rbac.scopeset) IS 'difference: removes covered elements';
COMMENT ON OPERATOR rbac.+ (rbac.scopeset, text) IS 'adds one scope';
COMMENT ON OPERATOR rbac.- (rbac.scopeset, text) IS 'removes the elements one scope covers';
COMMENT ON OPERATOR rbac.@> (rbac.scopeset, rbac.scopeset) IS 'contains';
COMMENT ON OPERATOR rbac.<@ (rbac.scopeset, rbac.scopeset) IS 'is contained by';
COMMENT ON OPERATOR rbac.&& (rbac.scopeset, rbac.scopeset) IS 'overlaps: some name is matched by both';
COMMENT ON OPERATOR rbac.? (rbac.scopeset, text) IS 'covers this scope';
COMMENT ON OPERATOR rbac.?| (rbac.scopeset, text[]) IS 'covers any of these scopes';
COMMENT ON OPERATOR rbac.?& (rbac.scopeset, text[]) IS 'covers all of these scopes';

-- Comparison: = is byte equality of canonical values; the order compares
-- the sorted names one by one.
CREATE FUNCTION rbac.scopeset_cmp(rbac.scopeset, rbac.scopeset) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.scopeset_eq(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION rbac.scopeset_ne(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION rbac.scopeset_lt(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION rbac.scopeset_le(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION rbac.scopeset_gt(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION rbac.scopeset_ge(rbac.scopeset, rbac.scopeset) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION rbac.hash_scopeset(rbac.scopeset) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rbac.hash_scopeset_extended(rbac.scopeset, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION rbac.scopeset_cmp(rbac.scopeset, rbac.scopeset) IS 'btree comparison: -1, 0 or 1';
COMMENT ON FUNCTION rbac.scopeset_eq(rbac.scopeset, rbac.scopeset) IS 'implementation of = operator';
COMMENT ON FUNCTION rbac.scopeset_ne(rbac.scopeset, rbac.scopeset) IS 'implementation of <> operator';
COMMENT ON FUNCTION rbac.scopeset_lt(rbac.scopeset, rbac.scopeset) IS 'implementation of < operator';
COMMENT ON FUNCTION rbac.scopeset_le(rbac.scopeset, rbac.scopeset) IS 'implementation of <= operator';
COMMENT ON FUNCTION rbac.scopeset_gt(rbac.scopeset, rbac.scopeset) IS 'implementation of > operator';
COMMENT ON FUNCTION rbac.scopeset_ge(rbac.scopeset, rbac.scopeset) IS 'implementation of >= operator';
COMMENT ON FUNCTION rbac.hash_scopeset(rbac.scopeset) IS 'hash of the canonical value';
COMMENT ON FUNCTION rbac.hash_scopeset_extended(rbac.scopeset, bigint) IS
	'seeded 64-bit hash; with seed 0 its low 32 bits equal hash_scopeset';

CREATE OPERATOR rbac.= (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_eq,
	COMMUTATOR = OPERATOR(rbac.=), NEGATOR = OPERATOR(rbac.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR rbac.<> (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_ne,
	COMMUTATOR = OPERATOR(rbac.<>), NEGATOR = OPERATOR(rbac.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR rbac.< (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_lt,
	COMMUTATOR = OPERATOR(rbac.>), NEGATOR = OPERATOR(rbac.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR rbac.<= (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_le,
	COMMUTATOR = OPERATOR(rbac.>=), NEGATOR = OPERATOR(rbac.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR rbac.> (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_gt,
	COMMUTATOR = OPERATOR(rbac.<), NEGATOR = OPERATOR(rbac.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR rbac.>= (
	LEFTARG = rbac.scopeset, RIGHTARG = rbac.scopeset,
	FUNCTION = rbac.scopeset_ge,
	COMMUTATOR = OPERATOR(rbac.<=), NEGATOR = OPERATOR(rbac.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

COMMENT ON OPERATOR rbac.= (rbac.scopeset, rbac.scopeset) IS 'equal: the sets match the same names';
COMMENT ON OPERATOR rbac.<> (rbac.scopeset, rbac.scopeset) IS 'not equal';
COMMENT ON OPERATOR rbac.< (rbac.scopeset, rbac.scopeset) IS 'less than, in the total order';
COMMENT ON OPERATOR rbac.<= (rbac.scopeset, rbac.scopeset) IS 'less than or equal, in the total order';
COMMENT ON OPERATOR rbac.> (rbac.scopeset, rbac.scopeset) IS 'greater than, in the total order';
COMMENT ON OPERATOR rbac.>= (rbac.scopeset, rbac.scopeset) IS 'greater than or equal, in the total order';
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
