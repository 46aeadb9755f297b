-- rbac 0.2 -> 0.3.  test/upgrade/run proves that updating gives the schema
-- and built-in rows of a fresh install of 0.3.

\echo Use "ALTER EXTENSION rbac UPDATE TO '0.3'" to load this file. \quit
