-- Secrets every node sharing this database uses, e.g. the key that signs socket ids.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
