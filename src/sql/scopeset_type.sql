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
