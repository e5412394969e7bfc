-- A read-only role for Grafana on the riglog central database. Run it once as the role the
-- collectors forward as (it owns the tables), in that database:
--   psql "postgres://riglog@db.school.example/riglog" -f reader-role.sql
-- then give the role a password with psql's \password riglog_grafana (never in a file).
-- Partitions made later (a new month) are read through their parent table, which this grants.
CREATE ROLE riglog_grafana LOGIN;
GRANT USAGE ON SCHEMA public TO riglog_grafana;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO riglog_grafana;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO riglog_grafana;
