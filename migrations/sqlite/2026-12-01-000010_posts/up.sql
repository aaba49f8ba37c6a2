-- The public feed: posts of one image and an optional text, their likes (a set
-- per post) and comments. Ids are server-wide increasing numbers, so a post id
-- also marks a place in the feed (paging with `before` keeps working when the
-- post it names was deleted).
CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    img TEXT NOT NULL,
    text TEXT
);
CREATE INDEX posts_by_user ON posts(user_id);

CREATE TABLE post_likes (
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_likes_by_user ON post_likes(user_id);

CREATE TABLE post_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX post_comments_by_post ON post_comments(post_id, id);
CREATE INDEX post_comments_by_user ON post_comments(user_id);
