//! Grants: what a user has consented to for a client (the scopes, the
//! OpenID Connect claims asked for by name, when), kept so that the user
//! can see and withdraw it, and so that the consent page need not ask the
//! same question twice.
//!
//! One grant per user and client, the way GitHub's "Authorized OAuth Apps"
//! and Doorkeeper's authorized applications show them. Its tokens are every
//! token of that user and client (whatever token family, or `grant_id`,
//! each belongs to): withdrawing the grant revokes them all, and deletes
//! the authorization codes not yet redeemed, so nothing issued under it
//! survives.
//!
//! - [`GrantStorage`] persists grants;
//!   [`MemoryStorage`](crate::memory::MemoryStorage) and the Diesel
//!   storage implement it (`#[derive(OAuth2Grant)]`).
//! - [`AuthorizationServer::with_grants`](crate::AuthorizationServer::with_grants) records a grant each time a user
//!   grants a request at the authorization endpoint.
//! - [`AuthorizationServer::remembered_consent`](crate::AuthorizationServer::remembered_consent) says whether a request is
//!   covered by what the user already granted ([`RememberedConsent`]).
//! - [`AuthorizationServer::grants_of`](crate::AuthorizationServer::grants_of),
//!   [`revoke_grant_of`](crate::AuthorizationServer::revoke_grant_of),
//!   [`revoke_client_grants`](crate::AuthorizationServer::revoke_client_grants) and
//!   [`forget_user`](crate::AuthorizationServer::forget_user) list and withdraw.

mod remembered;
mod withdraw;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::scope::Scope;
use crate::storage::{OAuth2Storage, StorageResult};

pub use remembered::{RecordGrants, RememberedConsent};
pub use withdraw::Withdrawn;

/// A user's consent to a client, as storage keeps it.
pub trait OAuth2Grant: Send + Sync {
    /// The client granted.
    fn client_id(&self) -> &str;
    /// The user who granted it.
    fn user_id(&self) -> String;
    /// Every scope granted so far.
    fn scope(&self) -> Scope;
    /// The OpenID Connect claims granted by name (the `claims` request
    /// parameter, OpenID Connect Core §5.5), beyond those the scopes stand
    /// for. Empty for a model without them.
    fn claims(&self) -> Scope {
        Scope::empty()
    }
    /// When the user first granted the client (Unix seconds).
    fn granted_at(&self) -> i64;
    /// When the user last granted it: the consent is remembered from then
    /// ([`ConsentSettings::remember_for`](crate::config::ConsentSettings::remember_for)).
    fn updated_at(&self) -> i64;
}

/// A consent the engine asks storage to record: merged into the user's
/// grant to the client (scopes and claims added to those already granted),
/// or a new grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGrant {
    /// The client.
    pub client_id: String,
    /// The user.
    pub user_id: String,
    /// The scopes just granted, space-delimited.
    pub scope: String,
    /// The claims just granted by name, space-delimited.
    pub claims: String,
    /// When (Unix seconds).
    pub at: i64,
}

impl NewGrant {
    /// This consent merged into `existing` (the user's grant to the same
    /// client), as storage writes it: the union of both scopes and claims,
    /// the first grant's time, and this one's as the last.
    pub fn merged_into<G: OAuth2Grant + ?Sized>(&self, existing: &G) -> GrantRecord {
        GrantRecord {
            client_id: self.client_id.clone(),
            user_id: self.user_id.clone(),
            scope: existing
                .scope()
                .union(&Scope::from_stored(&self.scope))
                .to_string(),
            claims: existing
                .claims()
                .union(&Scope::from_stored(&self.claims))
                .to_string(),
            granted_at: existing.granted_at(),
            updated_at: self.at,
        }
    }

    /// This consent as a first grant.
    pub fn first(&self) -> GrantRecord {
        GrantRecord {
            client_id: self.client_id.clone(),
            user_id: self.user_id.clone(),
            scope: Scope::from_stored(&self.scope).to_string(),
            claims: Scope::from_stored(&self.claims).to_string(),
            granted_at: self.at,
            updated_at: self.at,
        }
    }
}

/// A grant with every field, as a storage writes it and as
/// [`MemoryStorage`](crate::memory::MemoryStorage) keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRecord {
    /// The client.
    pub client_id: String,
    /// The user.
    pub user_id: String,
    /// Every scope granted, space-delimited.
    pub scope: String,
    /// Every claim granted by name, space-delimited.
    pub claims: String,
    /// First granted (Unix seconds).
    pub granted_at: i64,
    /// Last granted (Unix seconds).
    pub updated_at: i64,
}

impl OAuth2Grant for GrantRecord {
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn user_id(&self) -> String {
        self.user_id.clone()
    }
    fn scope(&self) -> Scope {
        Scope::from_stored(&self.scope)
    }
    fn claims(&self) -> Scope {
        Scope::from_stored(&self.claims)
    }
    fn granted_at(&self) -> i64 {
        self.granted_at
    }
    fn updated_at(&self) -> i64 {
        self.updated_at
    }
}

/// Persistence of grants. Every method is one atomic call; the ones that
/// withdraw revoke the tokens (access and refresh, with their grace
/// retries) and delete the codes in the same transaction as the grant, so
/// a token issued under it cannot outlive it.
#[async_trait]
pub trait GrantStorage: OAuth2Storage {
    /// The grant model.
    type Grant: OAuth2Grant;

    /// The grant of `user_id` to `client_id`, if any.
    async fn find_grant(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StorageResult<Option<Self::Grant>>;

    /// Records a consent: merged into the user's grant to the client
    /// ([`NewGrant::merged_into`]), or a new grant. Two concurrent calls
    /// for one user and client leave one grant.
    async fn save_grant(&self, grant: NewGrant) -> StorageResult<()>;

    /// The grants of `user_id`, most recently granted first.
    async fn grants_of(&self, user_id: &str) -> StorageResult<Vec<Self::Grant>>;

    /// Withdraws the grant of `user_id` to `client_id`: revokes every token
    /// of that user and client at `now`, deletes their authorization codes,
    /// denies their approved device codes not yet redeemed (where the
    /// storage keeps device codes), and forgets the grant. Nothing of other users or clients changes.
    async fn revoke_user_grant(
        &self,
        user_id: &str,
        client_id: &str,
        now: i64,
    ) -> StorageResult<Withdrawn>;

    /// Withdraws every grant to `client_id` (an operator disabling a
    /// client): revokes every token of the client, user or not, deletes its
    /// authorization codes, and forgets its grants.
    async fn revoke_client_grants(&self, client_id: &str, now: i64) -> StorageResult<Withdrawn>;

    /// Deletes everything stored for `user_id`, for a site deleting the
    /// user: its grants, tokens and authorization codes. (Rows of tables
    /// with a foreign key to the site's users table and `ON DELETE
    /// CASCADE` go with the user's row anyway; this covers the standard
    /// tables, which cannot know the site's users table.)
    async fn forget_user(&self, user_id: &str) -> StorageResult<Withdrawn>;

    /// Deletes the grants last granted before `before`, for periodic
    /// housekeeping; how many. Tokens are not touched: see
    /// [`AuthorizationServer::grant_expiry`](crate::AuthorizationServer::grant_expiry) for a cutoff no live token
    /// can predate.
    async fn delete_grants_before(&self, before: i64) -> StorageResult<usize>;
}
