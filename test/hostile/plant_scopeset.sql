-- What the attacker plants once rbac exists: a twin in public of every
-- operator and function of schema rbac that PL/pgSQL can take, and of its
-- aggregates, each recording any call (see plant.sql) and then doing what
-- the original does.  rbac's own SQL and C name every one of them with its
-- schema, so none of these is ever called.  Runs as the attacker.

SET search_path = pg_catalog;  -- and tables qualified: the session may have look-alikes in pg_temp

DO $plant$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT p.proname, p.oid::regprocedure::text AS signature,
		       pg_get_function_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS result,
		       p.proretset,
		       (SELECT string_agg('$' || i, ', ' ORDER BY i) FROM generate_series(1, p.pronargs) AS i)
		           AS call_args
		FROM pg_catalog.pg_proc AS p
		WHERE p.pronamespace = 'rbac'::regnamespace AND p.prokind = 'f' AND p.proargmodes IS NULL
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
				$f$, f.proname, f.args, f.result, 'public twin of ' || f.signature,
				CASE WHEN f.result = 'void' THEN format('PERFORM rbac.%I(%s); RETURN;', f.proname, coalesce(f.call_args, ''))
				     WHEN f.proretset THEN format('RETURN QUERY SELECT * FROM rbac.%I(%s);', f.proname, coalesce(f.call_args, ''))
				     ELSE format('RETURN rbac.%I(%s);', f.proname, coalesce(f.call_args, '')) END);
		EXCEPTION WHEN OTHERS THEN
			NULL;  -- internal, cstring, trigger: not callable from SQL anyway
		END;
	END LOOP;
END;
$plant$;

DO $plant$
DECLARE
	op record;
BEGIN
	FOR op IN
		SELECT o.oid, o.oprname, o.oprleft::regtype::text AS l, o.oprright::regtype::text AS r,
		       o.oprresult::regtype::text AS result
		FROM pg_catalog.pg_operator AS o
		WHERE o.oprnamespace = 'rbac'::regnamespace AND o.oprkind = 'b'
		ORDER BY o.oid
	LOOP
		EXECUTE format($f$
			CREATE FUNCTION public.hostile_operator_%1$s(%2$s, %3$s) RETURNS %4$s
				LANGUAGE plpgsql SET search_path = pg_catalog
			AS $body$
			BEGIN
				PERFORM public.hostile_called(%5$L);
				RETURN $1 OPERATOR(rbac.%6$s) $2;
			END;
			$body$;
			CREATE OPERATOR public.%6$s (LEFTARG = %2$s, RIGHTARG = %3$s,
				FUNCTION = public.hostile_operator_%1$s)
			$f$, op.oid, op.l, op.r, op.result,
			format('public.%s(%s, %s)', op.oprname, op.l, op.r), op.oprname);
	END LOOP;
END;
$plant$;

CREATE FUNCTION public.hostile_union_step(rbac.scopeset, rbac.scopeset) RETURNS rbac.scopeset
	LANGUAGE plpgsql SET search_path = pg_catalog
AS $$
BEGIN
	PERFORM public.hostile_called('public.union_agg/intersect_agg(rbac.scopeset)');
	RETURN coalesce($1 OPERATOR(rbac.|) $2, $2);
END;
$$;
CREATE AGGREGATE public.union_agg(rbac.scopeset) (SFUNC = public.hostile_union_step, STYPE = rbac.scopeset);
CREATE AGGREGATE public.intersect_agg(rbac.scopeset) (SFUNC = public.hostile_union_step, STYPE = rbac.scopeset);
