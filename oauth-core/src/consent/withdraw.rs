//! Listing and withdrawing grants: a user revoking one client's access
//! (the site's "connected apps" page), an operator revoking every grant of
//! a client, a site deleting a user.

use crate::consent::GrantStorage;
use crate::events;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::StorageResult;

/// What a withdrawal changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Withdrawn {
    /// Grants forgotten.
    pub grants: u64,
    /// Credentials revoked (access and refresh tokens, each counting one),
    /// or deleted rows of tokens for [`GrantStorage::forget_user`].
    pub tokens: u64,
    /// Authorization codes deleted before they were redeemed.
    pub codes: u64,
    /// Device codes approved but not yet redeemed by their device, now
    /// denied: the device's next poll gets `access_denied`.
    pub device_codes: u64,
}

impl<S: GrantStorage> AuthorizationServer<S> {
    /// The grants of `user_id`, most recently granted first.
    pub async fn grants_of(&self, user_id: &str) -> StorageResult<Vec<S::Grant>> {
        self.storage.grants_of(user_id).await
    }

    /// Withdraws the grant of `user_id` to `client_id`: every token of that
    /// user and client is revoked (introspection then reports them
    /// inactive, resources refuse them, their refresh tokens are refused),
    /// their codes are deleted, and the grant is forgotten, so the next
    /// authorization asks for consent again.
    pub async fn revoke_grant_of(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StorageResult<Withdrawn> {
        let withdrawn = self
            .storage
            .revoke_user_grant(user_id, client_id, self.now())
            .await?;
        events::grant_withdrawn(client_id, Some(user_id), &withdrawn);
        Ok(withdrawn)
    }

    /// Withdraws every grant to `client_id` and revokes all its tokens,
    /// including those it holds for itself (client credentials): for an
    /// operator disabling a client.
    pub async fn revoke_client_grants(&self, client_id: &str) -> StorageResult<Withdrawn> {
        let withdrawn = self
            .storage
            .revoke_client_grants(client_id, self.now())
            .await?;
        events::grant_withdrawn(client_id, None, &withdrawn);
        Ok(withdrawn)
    }

    /// Deletes every grant, token and authorization code of `user_id`.
    /// Call it when the site deletes the user (before or after deleting its
    /// row; either way no token of the user works afterwards).
    pub async fn forget_user(&self, user_id: &str) -> StorageResult<Withdrawn> {
        self.storage.forget_user(user_id).await
    }

    /// The time before which a grant may be deleted by housekeeping
    /// ([`GrantStorage::delete_grants_before`]): it is no longer
    /// remembered, and no token issued under it can still be alive (every
    /// token family started at an authorization, which updated its grant,
    /// and ends at the absolute refresh lifetime). `None` when either is
    /// unlimited: such grants are kept.
    pub fn grant_expiry(&self) -> Option<i64> {
        let remember = self.config.consent.remember_for?;
        let tokens = self.config.lifetimes.refresh_token_absolute?;
        let access = self
            .config
            .lifetimes
            .access_token_by_grant
            .values()
            .copied()
            .chain([self.config.lifetimes.access_token])
            .max()
            .unwrap_or(0);
        Some(self.now().saturating_sub(remember.max(tokens).max(access)))
    }
}
