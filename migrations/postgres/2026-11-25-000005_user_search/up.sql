-- Substring search over usernames: a pg_trgm index serves `LIKE '%q%'` (the
-- SQLite twin of this migration is an FTS5 trigram table).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_username_trgm ON users USING gin (username_lower gin_trgm_ops);
