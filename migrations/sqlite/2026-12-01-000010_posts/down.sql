DROP TABLE post_comments;
DROP TABLE post_likes;
DROP TABLE posts;
