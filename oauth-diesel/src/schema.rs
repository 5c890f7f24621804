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
        client_secret_sealed -> Nullable<Text>,
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
        authentication -> Nullable<Text>,
        grant_issued_at -> Nullable<BigInt>,
        refresh_token_rotated_at -> Nullable<BigInt>,
        dpop_jkt -> Nullable<Text>,
        audience -> Nullable<Text>,
        refresh_token_audience -> Nullable<Text>,
        actor -> Nullable<Text>,
    }
}

diesel::table! {
    /// Grants: what a user consented to for a client; one row per user and
    /// client.
    oauth2_grant (id) {
        id -> Integer,
        user_id -> Integer,
        client_id -> Text,
        scope -> Text,
        claims -> Text,
        granted_at -> BigInt,
        updated_at -> BigInt,
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
        authentication -> Nullable<Text>,
        dpop_jkt -> Nullable<Text>,
        audience -> Nullable<Text>,
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
    /// Wrong client secrets presented, by client and client address (the
    /// limits on online guessing, `ClientSecretLimit::max_failures` and
    /// `ClientSecretLimit::max_failures_per_address`).
    oauth2_client_auth_failure (id) {
        id -> Integer,
        client_id -> Text,
        failed_at -> BigInt,
        client_address -> Nullable<Text>,
    }
}

diesel::table! {
    /// Wrong user codes entered, by user and client address (RFC 8628
    /// §5.1 brute-force limits).
    oauth2_user_code_failure (id) {
        id -> Integer,
        user_id -> Text,
        failed_at -> BigInt,
        client_address -> Nullable<Text>,
    }
}

diesel::table! {
    /// Wrong passwords at the password grant, by username digest and
    /// client address (RFC 6749 §4.3.2 brute-force limits).
    oauth2_password_failure (id) {
        id -> Integer,
        username_digest -> Text,
        failed_at -> BigInt,
        client_address -> Nullable<Text>,
    }
}

diesel::table! {
    /// OpenID Connect signing keys (`oauth_core::jose::KeyRing`), shared by
    /// every instance on the database; `private_key` sealed at rest.
    oauth2_signing_key (id) {
        id -> Integer,
        kid -> Text,
        alg -> Text,
        private_key -> Text,
        created_at -> BigInt,
        signs_from -> BigInt,
        signs_until -> Nullable<BigInt>,
        published_until -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// OAuth 1.0a clients. The secret is in clear: it is the HMAC-SHA1 key.
    oauth1_client (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        client_id -> Text,
        client_secret -> Text,
        client_name -> Nullable<Text>,
        redirect_uris -> Text,
        default_realms -> Text,
        rsa_public_key -> Nullable<Text>,
    }
}

diesel::table! {
    /// OAuth 1.0a temporary credentials (RFC 5849 §2.1), until exchanged.
    oauth1_temporary_credential (id) {
        id -> Integer,
        client_id -> Text,
        user_id -> Nullable<Integer>,
        oauth_token -> Text,
        oauth_token_secret -> Text,
        oauth_callback -> Text,
        oauth_verifier_digest -> Nullable<Text>,
        realms -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    /// OAuth 1.0a token credentials (RFC 5849 §2.3).
    oauth1_token_credential (id) {
        id -> Integer,
        client_id -> Text,
        user_id -> Integer,
        oauth_token -> Text,
        oauth_token_secret -> Text,
        realms -> Text,
        issued_at -> BigInt,
    }
}

diesel::table! {
    /// OAuth 1.0a nonces seen (RFC 5849 §3.3), until their timestamp leaves
    /// the window.
    oauth1_nonce (id) {
        id -> Integer,
        client_id -> Text,
        timestamp -> BigInt,
        nonce -> Text,
        oauth_token -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    /// JWT IDs accepted once (RFC 7523 §3 item 7: client assertions), by
    /// the digest of their purpose, issuer and `jti`, until they expire.
    oauth2_used_jti (id) {
        id -> Integer,
        jti_key -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    /// Pushed authorization requests (RFC 9126), by the digest of their
    /// `request_uri`, until used or expired.
    oauth2_pushed_request (id) {
        id -> Integer,
        request_uri_digest -> Text,
        client_id -> Text,
        params -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    /// Registration access tokens (RFC 7592), by digest, and their clients.
    oauth2_registration_token (id) {
        id -> Integer,
        token_digest -> Text,
        client_id -> Text,
    }
}
