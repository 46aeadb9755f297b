-- rbac: upgrade script.  Assembled at build time from src/sql/*.sql.

\echo Use "ALTER EXTENSION rbac UPDATE" to load this file. \quit
