//! Diesel table definitions, in step with `migrations/sqlite` and `migrations/postgres`.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        username -> Text,
        username_lower -> Text,
        displayname -> Text,
        bio -> Nullable<Text>,
        image -> Nullable<Text>,
        badges -> Text,
        created_at -> BigInt,
        username_changed_at -> Nullable<BigInt>,
        displayname_changed_at -> Nullable<BigInt>,
        bio_changed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    login_codes (email) {
        email -> Text,
        code_hash -> Text,
        expires_at -> BigInt,
        wrong_tries -> Integer,
        window_start -> BigInt,
        sent_in_window -> Integer,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    chat_groups (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        image -> Nullable<Text>,
        link -> Text,
        created_at -> BigInt,
        renamed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
        joined_at -> BigInt,
    }
}

diesel::table! {
    messages (n) {
        n -> BigInt,
        id -> Text,
        room -> Text,
        user_id -> Text,
        created_at -> BigInt,
        kind -> Text,
        text -> Text,
        reply -> Nullable<Text>,
        edited -> Nullable<BigInt>,
        source -> Nullable<Text>,
        duration -> Nullable<Double>,
    }
}

diesel::table! {
    room_reads (room, user_id) {
        room -> Text,
        user_id -> Text,
        last_read -> BigInt,
    }
}

diesel::table! {
    direct_rooms (room) {
        room -> Text,
        user_a -> Text,
        user_b -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(group_members -> chat_groups (group_id));
diesel::joinable!(group_members -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    login_codes,
    sessions,
    chat_groups,
    group_members,
    friend_requests,
    messages,
    room_reads,
    direct_rooms
);

diesel::table! {
    friend_requests (from_id, to_id) {
        from_id -> Text,
        to_id -> Text,
        accepted -> Integer,
        created_at -> BigInt,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        user_id -> Text,
        created_at -> BigInt,
        img -> Text,
        text -> Nullable<Text>,
    }
}

diesel::table! {
    post_likes (post_id, user_id) {
        post_id -> BigInt,
        user_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    post_comments (id) {
        id -> BigInt,
        post_id -> BigInt,
        user_id -> Text,
        text -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    server_keys (name) {
        name -> Text,
        value -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    push_subscriptions (user_id, endpoint) {
        user_id -> Text,
        endpoint -> Text,
        p256dh -> Text,
        auth -> Text,
        expiration_time -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    calls (id) {
        id -> Text,
        caller_id -> Text,
        callee_id -> Text,
        video -> Integer,
        started_at -> BigInt,
        answered_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
        duration -> Nullable<Double>,
    }
}

// Hardening (issue 11): secrets shared by every node using this database.
diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Text,
    }
}
