-- Substring search over usernames: an FTS5 trigram index kept in step with
-- `users` by triggers (on PostgreSQL the same role falls to a pg_trgm index).
CREATE VIRTUAL TABLE user_search USING fts5(
    username_lower,
    content = 'users',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);
INSERT INTO user_search(rowid, username_lower) SELECT rowid, username_lower FROM users;

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_search(rowid, username_lower) VALUES (new.rowid, new.username_lower);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO user_search(user_search, rowid, username_lower) VALUES ('delete', old.rowid, old.username_lower);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF username_lower ON users BEGIN
    INSERT INTO user_search(user_search, rowid, username_lower) VALUES ('delete', old.rowid, old.username_lower);
    INSERT INTO user_search(rowid, username_lower) VALUES (new.rowid, new.username_lower);
END;
