DROP TABLE direct_rooms;
DROP TABLE room_reads;
DROP TABLE messages;
