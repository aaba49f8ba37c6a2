-- Accounts, sign-in codes and sessions. Column types exist in SQLite and PostgreSQL alike.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    username_lower TEXT NOT NULL UNIQUE,
    displayname TEXT NOT NULL,
    bio TEXT,
    image TEXT,
    badges TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    username_changed_at BIGINT,
    displayname_changed_at BIGINT,
    bio_changed_at BIGINT
);

CREATE TABLE login_codes (
    email TEXT PRIMARY KEY NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    window_start BIGINT NOT NULL,
    sent_in_window INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
