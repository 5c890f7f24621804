//! Signing keys kept in storage, so that every instance on one database
//! signs with the same keys, and rotated so that no relying party ever
//! meets a signature by a key it could not have fetched:
//!
//! 1. a new key is published in the JWK Set at once, and signs only from
//!    `signs_from`, [`KeyRing::publish_ahead`] later (relying parties
//!    cache JWK Sets; the first key of an empty storage signs at once, as
//!    nobody can have cached anything);
//! 2. when it starts signing, the key before it stops
//!    (`signs_until`) and stays published for as long as anything it
//!    signed can still be presented ([`KeyRing::signed_lifetime`]);
//! 3. after that it is removed.
//!
//! Private keys are stored sealed with AES-256-GCM under a key from the
//! configuration ([`KeySealer`]); without one they are stored in clear,
//! and [`KeySealer::is_sealing`] is false so the launch can say so.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::JwkSet;
use rand::RngCore;

use super::{Algorithm, JoseError, SigningKey, algorithm_name};
use crate::error::StorageError;
use crate::storage::StorageResult;

/// A signing key as storage keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSigningKey {
    /// The RFC 7638 thumbprint, the JWK's `kid`.
    pub kid: String,
    /// `RS256`, `ES256` or `EdDSA`.
    pub alg: String,
    /// The private key, sealed by [`KeySealer::seal`]: a secret even so.
    pub private_key: String,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it starts signing.
    pub signs_from: i64,
    /// When it stopped signing, once a newer key took over.
    pub signs_until: Option<i64>,
    /// When it leaves the JWK Set, once retired.
    pub published_until: Option<i64>,
}

impl std::fmt::Debug for StoredSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("created_at", &self.created_at)
            .field("signs_from", &self.signs_from)
            .field("signs_until", &self.signs_until)
            .field("published_until", &self.published_until)
            .finish_non_exhaustive()
    }
}

/// The persistence of signing keys.
#[async_trait]
pub trait SigningKeyStorage: Send + Sync + 'static {
    /// Every key not yet removed.
    async fn signing_keys(&self) -> StorageResult<Vec<StoredSigningKey>>;
    /// Adds a key.
    async fn save_signing_key(&self, key: StoredSigningKey) -> StorageResult<()>;
    /// Retires every key but `except` that has no `signs_until` yet.
    async fn retire_signing_keys(
        &self,
        except: &str,
        signs_until: i64,
        published_until: i64,
    ) -> StorageResult<u64>;
    /// Removes the keys whose `published_until` is at or before `now`.
    async fn delete_unpublished_signing_keys(&self, now: i64) -> StorageResult<u64>;
}

/// Seals private keys for storage with AES-256-GCM, a fresh 96-bit nonce
/// each (`v1:` + base64 of nonce and ciphertext), or keeps them in clear
/// (`clear:` + base64) when no key is configured.
#[derive(Clone)]
pub struct KeySealer {
    cipher: Option<Aes256Gcm>,
}

impl std::fmt::Debug for KeySealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySealer")
            .field("sealing", &self.is_sealing())
            .finish()
    }
}

impl KeySealer {
    /// Sealing under a 32-byte key given as base64 (standard or URL-safe).
    pub fn new(key_base64: &str) -> Result<KeySealer, JoseError> {
        let key = STANDARD
            .decode(key_base64.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(key_base64.trim()))
            .map_err(|_| JoseError::Key("the key encryption key is not base64".into()))?;
        let cipher = Aes256Gcm::new_from_slice(&key)
            .map_err(|_| JoseError::Key("the key encryption key must be 32 bytes".into()))?;
        Ok(KeySealer {
            cipher: Some(cipher),
        })
    }

    /// No sealing: private keys are stored in clear.
    pub fn clear() -> KeySealer {
        KeySealer { cipher: None }
    }

    /// Whether keys are sealed.
    pub fn is_sealing(&self) -> bool {
        self.cipher.is_some()
    }

    /// The stored form of a private key.
    pub fn seal(&self, der: &[u8]) -> Result<String, JoseError> {
        let Some(cipher) = &self.cipher else {
            return Ok(format!("clear:{}", STANDARD.encode(der)));
        };
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), der)
            .map_err(|_| JoseError::Key("the private key could not be sealed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1:{}", STANDARD.encode(out)))
    }

    /// The private key from its stored form. A sealed key needs this
    /// sealer's key; a clear one opens without.
    pub fn open(&self, stored: &str) -> Result<Vec<u8>, JoseError> {
        let refused = || JoseError::Key("the stored private key cannot be opened".into());
        if let Some(clear) = stored.strip_prefix("clear:") {
            return STANDARD.decode(clear).map_err(|_| refused());
        }
        let sealed = stored
            .strip_prefix("v1:")
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or_else(refused)?;
        let cipher = self.cipher.as_ref().ok_or_else(|| {
            JoseError::Key("the stored private keys are sealed: configure their key".into())
        })?;
        let (nonce, ciphertext) = sealed.split_at(12);
        cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| refused())
    }
}

/// The rotation policy over a [`SigningKeyStorage`].
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// The algorithm of new keys, and the one that signs unless a client
    /// asks for another.
    pub alg: Algorithm,
    /// Further algorithms, each with keys of its own, for clients that
    /// register `id_token_signed_response_alg` (OpenID Connect
    /// Registration §2).
    pub additional: Vec<Algorithm>,
    /// How long a new key is published before it signs (3600: an hour,
    /// longer than relying parties usually cache a JWK Set).
    pub publish_ahead: i64,
    /// How long anything a key signed can still be presented: the longest
    /// ID token or JWT access token lifetime. A retired key stays published
    /// this long after it stops signing.
    pub signed_lifetime: i64,
    /// How old the signing key may get before [`KeyRing::rotate_if_due`]
    /// rotates (90 days); `None` never.
    pub rotate_after: Option<i64>,
    /// How private keys are stored.
    pub sealer: KeySealer,
    /// Keys already opened, shared by the ring's clones.
    pub opened: OpenedKeys,
    /// Keys from the configuration, used instead of storage when given:
    /// all published, the first of each algorithm signing, never rotated
    /// here.
    pub configured: Vec<SigningKey>,
}

/// The keys a [`KeyRing`] has opened, by `kid`: opening one (unsealing,
/// parsing, and for EC keys deriving the public point) costs as much as
/// signing with ES256, and a `kid` names one key for good (RFC 7638).
#[derive(Clone, Default)]
pub struct OpenedKeys(Arc<Mutex<HashMap<String, SigningKey>>>);

impl std::fmt::Debug for OpenedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.0.lock().map(|m| m.len()).unwrap_or_default();
        write!(f, "OpenedKeys({count} keys)")
    }
}

fn storage_error(e: JoseError) -> StorageError {
    StorageError::new(e.to_string())
}

impl KeyRing {
    /// A ring of `alg` keys, rotated every 90 days, each published an hour
    /// ahead and kept `signed_lifetime` after it stops signing.
    pub fn new(alg: Algorithm, signed_lifetime: i64, sealer: KeySealer) -> KeyRing {
        KeyRing {
            alg,
            additional: Vec::new(),
            publish_ahead: 3_600,
            signed_lifetime,
            rotate_after: Some(90 * 86_400),
            sealer,
            opened: OpenedKeys::default(),
            configured: Vec::new(),
        }
    }

    /// The algorithms it signs with: [`KeyRing::alg`] first.
    pub fn algorithms(&self) -> Vec<Algorithm> {
        let mut algs = vec![self.alg];
        for alg in &self.additional {
            if !algs.contains(alg) {
                algs.push(*alg);
            }
        }
        algs
    }

    /// The key that signs at `now` with [`KeyRing::alg`]
    /// ([`KeyRing::current_for`]).
    pub async fn current<S: SigningKeyStorage + ?Sized>(
        &self,
        storage: &S,
        now: i64,
    ) -> StorageResult<SigningKey> {
        self.current_for(storage, now, self.alg).await
    }

    /// The key that signs at `now` with `alg`: of those whose signing has
    /// begun and not ended, the one that began last. A storage without a
    /// key of `alg` gets its first, signing at once.
    pub async fn current_for<S: SigningKeyStorage + ?Sized>(
        &self,
        storage: &S,
        now: i64,
        alg: Algorithm,
    ) -> StorageResult<SigningKey> {
        if !self.configured.is_empty() {
            return self
                .configured
                .iter()
                .find(|k| k.alg() == alg)
                .cloned()
                .ok_or_else(|| {
                    StorageError::new(format!(
                        "no configured signing key is {}",
                        algorithm_name(alg)
                    ))
                });
        }
        let name = algorithm_name(alg);
        let keys: Vec<StoredSigningKey> = storage
            .signing_keys()
            .await?
            .into_iter()
            .filter(|k| k.alg == name)
            .collect();
        let signing = keys
            .iter()
            .filter(|k| k.signs_from <= now && k.signs_until.is_none_or(|until| now < until))
            .max_by(|a, b| (a.signs_from, &a.kid).cmp(&(b.signs_from, &b.kid)));
        if let Some(stored) = signing {
            return self.open(stored);
        }
        // None signs now: a key published ahead that has not begun (its
        // predecessor was removed by hand), or none at all. The first is
        // published already; otherwise a new key signs at once, as on an
        // empty storage, where nobody can have cached a JWK Set.
        match keys
            .iter()
            .filter(|k| k.signs_until.is_none())
            .min_by_key(|k| k.signs_from)
        {
            Some(stored) => self.open(stored),
            None => self.create(storage, alg, now, now).await,
        }
    }

    /// The JWK Set: every key not yet past its `published_until`, the ones
    /// that do not sign yet included. It is never empty: on an empty
    /// storage the first key is made (and signs at once), so a relying
    /// party that looks before anything was signed finds the key that will
    /// sign.
    pub async fn jwks<S: SigningKeyStorage + ?Sized>(
        &self,
        storage: &S,
        now: i64,
    ) -> StorageResult<JwkSet> {
        if !self.configured.is_empty() {
            return Ok(JwkSet {
                keys: self.configured.iter().map(SigningKey::public_jwk).collect(),
            });
        }
        let mut stored = storage.signing_keys().await?;
        // Every algorithm has a key in the set before it first signs.
        let mut made = false;
        for alg in self.algorithms() {
            if !stored.iter().any(|k| k.alg == algorithm_name(alg)) {
                self.create(storage, alg, now, now).await?;
                made = true;
            }
        }
        if made {
            stored = storage.signing_keys().await?;
        }
        let mut keys = Vec::new();
        for key in &stored {
            if key.published_until.is_none_or(|until| now < until) {
                keys.push(self.open(key)?.public_jwk());
            }
        }
        Ok(JwkSet { keys })
    }

    /// Makes a new key for each algorithm that signs from `now +
    /// publish_ahead`; every other key still signing stops then and stays
    /// published `signed_lifetime` longer; keys past their publication are
    /// removed. Returns the `kid` of the new key of [`KeyRing::alg`].
    pub async fn rotate<S: SigningKeyStorage + ?Sized>(
        &self,
        storage: &S,
        now: i64,
    ) -> StorageResult<String> {
        if !self.configured.is_empty() {
            return Err(StorageError::new(
                "the signing keys come from the configuration: rotate them there",
            ));
        }
        let signs_from = now.saturating_add(self.publish_ahead);
        // The keys signing now stop when the new ones begin (they sign
        // until then, so no instance is ever without a key), then the new
        // ones are made, one per algorithm.
        storage
            .retire_signing_keys(
                "",
                signs_from,
                signs_from.saturating_add(self.signed_lifetime),
            )
            .await?;
        let mut default_kid = String::new();
        for alg in self.algorithms() {
            let key = self.create(storage, alg, now, signs_from).await?;
            if alg == self.alg {
                default_kid = key.kid().to_owned();
            }
        }
        storage.delete_unpublished_signing_keys(now).await?;
        Ok(default_kid)
    }

    /// Rotates when the newest key is older than [`KeyRing::rotate_after`];
    /// removes keys past their publication either way. Returns the new
    /// `kid` if it rotated.
    pub async fn rotate_if_due<S: SigningKeyStorage + ?Sized>(
        &self,
        storage: &S,
        now: i64,
    ) -> StorageResult<Option<String>> {
        if !self.configured.is_empty() {
            return Ok(None);
        }
        storage.delete_unpublished_signing_keys(now).await?;
        let Some(after) = self.rotate_after else {
            return Ok(None);
        };
        let newest = storage
            .signing_keys()
            .await?
            .iter()
            .map(|k| k.created_at)
            .max();
        match newest {
            Some(created) if now < created.saturating_add(after) => Ok(None),
            _ => self.rotate(storage, now).await.map(Some),
        }
    }

    async fn create<S: SigningKeyStorage + ?Sized>(
        &self,
        storage: &S,
        alg: Algorithm,
        now: i64,
        signs_from: i64,
    ) -> StorageResult<SigningKey> {
        let key = SigningKey::generate(alg).map_err(storage_error)?;
        storage
            .save_signing_key(StoredSigningKey {
                kid: key.kid().to_owned(),
                alg: algorithm_name(alg).to_owned(),
                private_key: self.sealer.seal(key.private_der()).map_err(storage_error)?,
                created_at: now,
                signs_from,
                signs_until: None,
                published_until: None,
            })
            .await?;
        Ok(key)
    }

    fn open(&self, stored: &StoredSigningKey) -> StorageResult<SigningKey> {
        let mut opened = self.opened.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(key) = opened.get(&stored.kid) {
            return Ok(key.clone());
        }
        let key = self.open_stored(stored)?;
        // Keys leave storage as they are retired; so does the cache, when
        // it has grown past any set a ring really holds.
        if opened.len() >= 16 {
            opened.clear();
        }
        opened.insert(stored.kid.clone(), key.clone());
        Ok(key)
    }

    fn open_stored(&self, stored: &StoredSigningKey) -> StorageResult<SigningKey> {
        let alg = super::supported_algorithm(&stored.alg)
            .ok_or_else(|| StorageError::new(format!("unknown key algorithm {:?}", stored.alg)))?;
        let der = self
            .sealer
            .open(&stored.private_key)
            .map_err(storage_error)?;
        SigningKey::from_private_der(alg, &der).map_err(storage_error)
    }
}
