-- One row per call (API.md section 9). `id` is the callKey and also the id of
-- the call's message in the callers' one-to-one chat. A call that is still
-- live has no `ended_at`; the server ends such leftovers when it starts.
CREATE TABLE calls (
    id TEXT PRIMARY KEY NOT NULL,
    caller_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    callee_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    video INTEGER NOT NULL,
    started_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    duration DOUBLE PRECISION
);
CREATE INDEX calls_live ON calls(ended_at);
