-- Groups and their members.
CREATE TABLE chat_groups (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    image TEXT,
    link TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    renamed_at BIGINT
);
CREATE INDEX chat_groups_by_owner ON chat_groups(owner_id);
CREATE INDEX chat_groups_by_image ON chat_groups(image);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES chat_groups(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members(user_id);
