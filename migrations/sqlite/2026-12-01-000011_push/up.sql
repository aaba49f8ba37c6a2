-- Web Push (API.md section 10): the server's VAPID key pair, and the push
-- subscriptions of users (one per user and endpoint).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE push_subscriptions (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    expiration_time BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, endpoint)
);
CREATE INDEX push_subscriptions_endpoint ON push_subscriptions(endpoint);
