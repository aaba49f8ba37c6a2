DROP TABLE group_members;
DROP TABLE chat_groups;
