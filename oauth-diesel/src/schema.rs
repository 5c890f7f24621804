//! The standard tables, as the bundled migrations create them.

diesel::table! {
    /// Registered clients.
    oauth2_client (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        client_id -> Text,
        client_secret -> Nullable<Text>,
        client_id_issued_at -> BigInt,
        client_secret_expires_at -> BigInt,
        client_metadata -> Text,
    }
}

diesel::table! {
    /// Issued tokens (digests only).
    oauth2_token (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        client_id -> Text,
        token_type -> Text,
        access_token -> Text,
        refresh_token -> Nullable<Text>,
        scope -> Text,
        refresh_token_scope -> Text,
        issued_at -> BigInt,
        expires_in -> BigInt,
        access_token_revoked_at -> Nullable<BigInt>,
        refresh_token_revoked_at -> Nullable<BigInt>,
        grant_id -> Text,
    }
}

diesel::table! {
    /// Authorization codes not yet redeemed (digests only).
    oauth2_code (id) {
        id -> Integer,
        user_id -> Integer,
        code -> Text,
        client_id -> Text,
        redirect_uri -> Nullable<Text>,
        response_type -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        auth_time -> BigInt,
        code_challenge -> Nullable<Text>,
        code_challenge_method -> Nullable<Text>,
    }
}

diesel::table! {
    /// Device authorizations (RFC 8628), digests only.
    oauth2_device_code (id) {
        id -> Integer,
        device_code -> Text,
        user_code -> Nullable<Text>,
        client_id -> Text,
        user_id -> Nullable<Integer>,
        scope -> Text,
        status -> Text,
        issued_at -> BigInt,
        expires_at -> BigInt,
        polling_interval -> BigInt,
        last_polled_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Wrong user codes entered, per user (RFC 8628 §5.1 brute-force limit).
    oauth2_user_code_failure (id) {
        id -> Integer,
        user_id -> Text,
        failed_at -> BigInt,
    }
}
