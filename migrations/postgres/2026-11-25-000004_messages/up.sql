-- Messages of every chat. `room` is `group:<group id>` or `user:<lower id>:<higher id>`;
-- `n` orders messages (and read marks) within the whole server.
CREATE TABLE messages (
    n BIGSERIAL PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    room TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    reply TEXT,
    edited BIGINT,
    source TEXT,
    duration DOUBLE PRECISION
);
CREATE INDEX messages_by_room ON messages(room, n);

-- How far each member has read each chat: every message with n <= last_read.
CREATE TABLE room_reads (
    room TEXT NOT NULL,
    user_id TEXT NOT NULL,
    last_read BIGINT NOT NULL,
    PRIMARY KEY (room, user_id)
);

-- One-to-one chats that exist (a message was sent, or a friendship accepted).
CREATE TABLE direct_rooms (
    room TEXT PRIMARY KEY NOT NULL,
    user_a TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_b TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX direct_rooms_a ON direct_rooms(user_a);
CREATE INDEX direct_rooms_b ON direct_rooms(user_b);
