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
