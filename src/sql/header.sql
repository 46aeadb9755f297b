-- rbac: scoped role-based access control next to the data.
-- This script is assembled at build time from src/sql/*.sql; edit the parts.

\echo Use "CREATE EXTENSION rbac" to load this file. \quit
