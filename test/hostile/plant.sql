-- What an attacker with CREATE on schema public plants before rbac is
-- installed: a twin in public of every built-in function, aggregate and
-- operator that the extension's SQL calls (and more), each of which, when
-- called, raises a WARNING naming itself, records itself in
-- public.hostile_calls if it can, and then does what the built-in does, so
-- that a call changes no result and shows only in the record.  Views named
-- like the extension's tables record any read.
--
-- Runs as the attacker.  Twins of the same signature win over pg_catalog
-- whenever public comes first in search_path; twins taking text where the
-- built-in takes "any" win wherever public is visible at all.  Everything
-- here is qualified, so that planting calls none of what it plants.

SET search_path = pg_catalog;

CREATE TABLE public.hostile_calls (what text NOT NULL, by_role name NOT NULL);
GRANT INSERT, SELECT ON public.hostile_calls TO PUBLIC;

CREATE FUNCTION public.hostile_called(what text) RETURNS boolean
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$
BEGIN
	RAISE WARNING 'hostile object called: %', what;
	BEGIN
		INSERT INTO public.hostile_calls VALUES (what, current_user);
	EXCEPTION WHEN OTHERS THEN
		NULL;  -- a read-only or parallel context: the warning still shows
	END;
	RETURN true;
END;
$$;

-- A twin of every pg_catalog function of these names that PL/pgSQL can
-- take: the same arguments and result, delegating to the built-in.
DO $plant$
DECLARE
	f record;
	planted integer := 0;
BEGIN
	FOR f IN
		SELECT p.proname, p.oid::regprocedure::text AS signature,
		       pg_catalog.pg_get_function_arguments(p.oid) AS args,
		       pg_catalog.pg_get_function_result(p.oid) AS result,
		       p.proretset, p.pronargs,
		       (SELECT pg_catalog.string_agg('$' || i, ', ' ORDER BY i)
		        FROM pg_catalog.generate_series(1, p.pronargs) AS i) AS call_args,
		       p.provariadic <> 0 AS variadic
		FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f'
		  AND p.proname IN (
			'lower', 'upper', 'initcap', 'replace', 'length', 'char_length', 'octet_length',
			'now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp',
			'to_jsonb', 'to_json', 'jsonb_build_array', 'jsonb_set', 'jsonb_strip_nulls',
			'jsonb_typeof', 'row_to_json', 'array_to_json',
			'set_config', 'current_setting', 'current_schema', 'current_schemas',
			'unnest', 'generate_series', 'cardinality', 'array_length', 'array_upper',
			'array_lower', 'array_position', 'array_positions', 'array_append', 'array_cat',
			'array_remove', 'array_to_string', 'string_to_array', 'array_fill',
			'md5', 'sha256', 'encode', 'decode', 'quote_ident', 'quote_literal', 'quote_nullable',
			'btrim', 'ltrim', 'rtrim', 'substr', 'split_part', 'strpos', 'left', 'right',
			'regexp_replace', 'regexp_match', 'regexp_matches', 'textlike', 'texteq', 'textne',
			'nextval', 'currval', 'setval', 'lastval',
			'pg_has_role', 'has_function_privilege', 'has_table_privilege',
			'has_schema_privilege', 'pg_get_userbyid', 'aclexplode', 'obj_description',
			'pg_extension_config_dump', 'txid_current', 'pg_current_xact_id',
			'pg_advisory_xact_lock', 'pg_notify', 'random', 'gen_random_uuid',
			'int8eq', 'int4eq', 'booleq', 'nameeq', 'oideq', 'jsonb_exists')
		ORDER BY p.oid
	LOOP
		BEGIN
			EXECUTE format($f$
				CREATE FUNCTION public.%1$I(%2$s) RETURNS %3$s
					LANGUAGE plpgsql SET search_path = pg_catalog
				AS $body$
				BEGIN
					PERFORM public.hostile_called(%4$L);
					%5$s
				END;
				$body$
				$f$,
				f.proname, f.args, f.result, 'public.' || f.signature,
				CASE WHEN f.result = 'void' THEN
					format('PERFORM pg_catalog.%I(%s%s); RETURN;', f.proname,
					       CASE WHEN f.variadic THEN 'VARIADIC ' ELSE '' END, coalesce(f.call_args, ''))
				WHEN f.proretset THEN
					format('RETURN QUERY SELECT * FROM pg_catalog.%I(%s);', f.proname, coalesce(f.call_args, ''))
				ELSE
					format('RETURN pg_catalog.%I(%s);', f.proname, coalesce(f.call_args, '')) END);
			planted := planted + 1;
		EXCEPTION WHEN OTHERS THEN
			NULL;  -- a signature PL/pgSQL cannot take ("any", internal, ...)
		END;
	END LOOP;
	RAISE NOTICE 'planted % function twins', planted;
END;
$plant$;

-- Functions whose built-in takes VARIADIC "any", which PL/pgSQL cannot:
-- text versions of 1 to 6 arguments, and of VARIADIC text[], match text
-- arguments better than "any" does.  (coalesce, greatest, least and nullif
-- are syntax, never function calls; their twins prove it.)
DO $plant$
DECLARE
	f record;
	n integer;
	args text;
	call text;
BEGIN
	FOR f IN
		SELECT * FROM (VALUES ('format', 'text'), ('concat', 'text'), ('concat_ws', 'text'),
		                      ('jsonb_build_object', 'jsonb'), ('json_build_object', 'json'),
		                      ('jsonb_build_array', 'jsonb'), ('coalesce', 'text'),
		                      ('greatest', 'text'), ('least', 'text'), ('nullif', 'text'))
		         AS v(name, result)
	LOOP
		FOR n IN 1..6 LOOP
			args := (SELECT string_agg('text', ', ') FROM generate_series(1, n) AS g(i));
			call := (SELECT string_agg('$' || i, ', ') FROM generate_series(1, n) AS g(i));
			CONTINUE WHEN f.name = 'nullif' AND n <> 2;
			EXECUTE format($f$
				CREATE FUNCTION public.%1$I(%2$s) RETURNS %3$s
					LANGUAGE plpgsql SET search_path = pg_catalog
				AS $body$
				BEGIN
					PERFORM public.hostile_called(%4$L);
					RETURN %5$s;
				END;
				$body$
				$f$, f.name, args, f.result, format('public.%s(%s)', f.name, args),
				CASE WHEN f.name IN ('coalesce', 'greatest', 'least', 'nullif')
				     THEN format('%s(%s)', f.name, call)
				     ELSE format('pg_catalog.%s(%s)', f.name, call) END);
		END LOOP;
		CONTINUE WHEN f.name IN ('coalesce', 'greatest', 'least', 'nullif');
		EXECUTE format($f$
			CREATE FUNCTION public.%1$I(VARIADIC text[]) RETURNS %2$s
				LANGUAGE plpgsql SET search_path = pg_catalog
			AS $body$
			BEGIN
				PERFORM public.hostile_called(%3$L);
				RETURN %4$s;
			END;
			$body$
			$f$, f.name, f.result, format('public.%s(VARIADIC text[])', f.name),
			CASE f.name WHEN 'format' THEN 'pg_catalog.format($1[1], VARIADIC $1[2:])'
			            ELSE format('pg_catalog.%s(VARIADIC $1)', f.name) END);
	END LOOP;
END;
$plant$;

-- Aggregates: count, array_agg, string_agg, jsonb_agg, min, max, bool_and.
CREATE FUNCTION public.hostile_count_step(bigint) RETURNS bigint
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$ BEGIN PERFORM public.hostile_called('public.count(*)'); RETURN $1 + 1; END; $$;
CREATE AGGREGATE public.count(*) (SFUNC = public.hostile_count_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION public.hostile_count_any_step(bigint, anyelement) RETURNS bigint
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$ BEGIN PERFORM public.hostile_called('public.count(anyelement)'); RETURN $1 + 1; END; $$;
CREATE AGGREGATE public.count(anyelement) (SFUNC = public.hostile_count_any_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION public.hostile_array_step(anycompatiblearray, anycompatible) RETURNS anycompatiblearray
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$ BEGIN PERFORM public.hostile_called('public.array_agg(anycompatible)'); RETURN $1 || $2; END; $$;
CREATE AGGREGATE public.array_agg(anycompatible) (SFUNC = public.hostile_array_step, STYPE = anycompatiblearray);
CREATE FUNCTION public.hostile_text_step(text, text, text) RETURNS text
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$ BEGIN PERFORM public.hostile_called('public.string_agg(text, text)'); RETURN coalesce($1 || $3, '') || $2; END; $$;
CREATE AGGREGATE public.string_agg(text, text) (SFUNC = public.hostile_text_step, STYPE = text);
CREATE FUNCTION public.hostile_jsonb_step(jsonb, anyelement) RETURNS jsonb
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$ BEGIN PERFORM public.hostile_called('public.jsonb_agg(anyelement)'); RETURN coalesce($1, '[]') || to_jsonb($2); END; $$;
CREATE AGGREGATE public.jsonb_agg(anyelement) (SFUNC = public.hostile_jsonb_step, STYPE = jsonb);
CREATE FUNCTION public.hostile_max_step(text, text) RETURNS text
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$ BEGIN PERFORM public.hostile_called('public.max/min(text)'); RETURN greatest($1, $2); END; $$;
CREATE AGGREGATE public.max(text) (SFUNC = public.hostile_max_step, STYPE = text);
CREATE AGGREGATE public.min(text) (SFUNC = public.hostile_max_step, STYPE = text);
CREATE FUNCTION public.hostile_bool_step(boolean, boolean) RETURNS boolean
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$ BEGIN PERFORM public.hostile_called('public.bool_and(boolean)'); RETURN $1 AND $2; END; $$;
CREATE AGGREGATE public.bool_and(boolean) (SFUNC = public.hostile_bool_step, STYPE = boolean);

-- A twin of every pg_catalog binary operator of these names on these types.
DO $plant$
DECLARE
	op record;
	planted integer := 0;
BEGIN
	FOR op IN
		SELECT o.oid, o.oprname, o.oprleft::regtype::text AS l, o.oprright::regtype::text AS r,
		       o.oprresult::regtype::text AS result
		FROM pg_catalog.pg_operator AS o
		WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprkind = 'b'
		  AND o.oprname IN ('=', '<>', '<', '<=', '>', '>=', '||', '~', '!~', '~~', '!~~', '~~*',
		                    '@>', '<@', '&&', '?', '?|', '?&', '->', '->>', '#>', '#>>', '-', '+')
		  AND o.oprleft::regtype::text IN ('text', 'bigint', 'integer', 'smallint', 'boolean', 'name',
		      'oid', '"char"', 'jsonb', 'bytea', 'timestamp with time zone', 'text[]', 'anyarray',
		      'anycompatiblearray', 'anyelement', 'anycompatible', 'anynonarray', 'regrole',
		      'regnamespace', 'uuid', 'interval')
		ORDER BY o.oid
	LOOP
		BEGIN
			EXECUTE format($f$
				CREATE FUNCTION public.hostile_operator_%1$s(%2$s, %3$s) RETURNS %4$s
					LANGUAGE plpgsql SET search_path = pg_catalog
				AS $body$
				BEGIN
					PERFORM public.hostile_called(%5$L);
					RETURN $1 OPERATOR(pg_catalog.%6$s) $2;
				END;
				$body$;
				CREATE OPERATOR public.%6$s (LEFTARG = %2$s, RIGHTARG = %3$s,
					FUNCTION = public.hostile_operator_%1$s)
				$f$, op.oid, op.l, op.r, op.result,
				format('public.%s(%s, %s)', op.oprname, op.l, op.r), op.oprname);
			planted := planted + 1;
		EXCEPTION WHEN OTHERS THEN
			NULL;
		END;
	END LOOP;
	RAISE NOTICE 'planted % operator twins', planted;
END;
$plant$;

-- The extension's own names, in case something calls them unqualified.
DO $plant$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['levels', 'scopes', 'roles', 'grants', 'workspaces', 'organizations',
	                         'resource_types', 'audit_log', 'api_keys', 'cache_signal', 'role_catalog']
	LOOP
		EXECUTE format('CREATE VIEW public.%I AS SELECT 1 AS id WHERE public.hostile_called(%L)',
		               t, 'public.' || t);
		EXECUTE format('GRANT SELECT ON public.%I TO PUBLIC', t);
	END LOOP;
END;
$plant$;
CREATE FUNCTION public.has_scope(text, text) RETURNS boolean LANGUAGE sql
	AS $$ SELECT public.hostile_called('public.has_scope(text, text)') $$;
CREATE FUNCTION public.current_principal() RETURNS text LANGUAGE sql
	AS $$ SELECT public.hostile_called('public.current_principal()')::text $$;
CREATE FUNCTION public.actor() RETURNS text LANGUAGE sql
	AS $$ SELECT public.hostile_called('public.actor()')::text $$;
