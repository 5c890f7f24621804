-- Grants: what a user consented to for a client (every scope granted so
-- far, the OpenID Connect claims granted by name), first and last granted.
-- One row per user and client; its tokens are that user's tokens for that
-- client. Withdrawing it revokes them and deletes the row.
CREATE TABLE oauth2_grant (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    scope TEXT NOT NULL,
    claims TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth2_grant_user_client ON oauth2_grant (user_id, client_id);
CREATE INDEX oauth2_grant_client_id ON oauth2_grant (client_id);
CREATE INDEX oauth2_grant_updated_at ON oauth2_grant (updated_at);
