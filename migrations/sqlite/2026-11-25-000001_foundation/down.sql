DROP TABLE sessions;
DROP TABLE login_codes;
DROP TABLE users;
