//! API keys: made with the CLI, shown once, stored as a SHA-256 hash, checked in constant time.
//!
//! A key reads `ogp_<prefix>_<secret>`: the 12-hex-digit prefix finds the row, the hash of
//! the whole key proves it. The secret carries 256 random bits, so a fast hash is enough (no
//! password stretching needed).

use super::Role;
use crate::schema::api_keys;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A key as listed (never the key itself).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What checking a key needs of its row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
struct KeyCheck {
    id: i64,
    name: String,
    role: String,
    key_hash: Vec<u8>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

fn hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(bytes)
}

/// Splits `ogp_<prefix>_<secret>`; `None` when it is not shaped like a key.
fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("ogp_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let hex = prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && secret.len() == 43).then_some(prefix)
}

/// Makes a key; returns its row and the key, which is not stored and cannot be shown again.
pub async fn create(
    conn: &mut AsyncPgConnection,
    name: &str,
    role: Role,
) -> Result<(ApiKey, String), Box<dyn std::error::Error + Send + Sync>> {
    let prefix: String = random_bytes::<6>()?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let secret = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
    let key = format!("ogp_{prefix}_{secret}");
    let row = diesel::insert_into(api_keys::table)
        .values((
            api_keys::name.eq(name),
            api_keys::role.eq(role.as_str()),
            api_keys::prefix.eq(&prefix),
            api_keys::key_hash.eq(hash(&key)),
        ))
        .returning(ApiKey::as_returning())
        .get_result(conn)
        .await?;
    Ok((row, key))
}

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<ApiKey>> {
    api_keys::table
        .order(api_keys::id)
        .select(ApiKey::as_select())
        .load(conn)
        .await
}

/// Revokes key `id`; `false` when there is no such key.
pub async fn revoke(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    let changed = diesel::update(api_keys::table.find(id))
        .set(api_keys::revoked_at.eq(Some(Utc::now())))
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

/// The name and role of a valid, unrevoked key; `None` for anything else.
pub async fn verify(
    conn: &mut AsyncPgConnection,
    key: &str,
) -> QueryResult<Option<(String, Role)>> {
    let Some(prefix) = prefix_of(key) else {
        return Ok(None);
    };
    let found: Option<KeyCheck> = api_keys::table
        .filter(api_keys::prefix.eq(prefix))
        .select(KeyCheck::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(KeyCheck {
        id,
        name,
        role,
        key_hash,
        revoked_at,
        last_used_at,
    }) = found
    else {
        return Ok(None);
    };
    let matches: bool = hash(key).ct_eq(&key_hash).into();
    if !matches || revoked_at.is_some() {
        return Ok(None);
    }
    // Keep `last_used_at` to the minute: one write per key and minute, not per request.
    let stale = last_used_at.is_none_or(|t| Utc::now() - t > chrono::TimeDelta::minutes(1));
    if stale {
        diesel::update(api_keys::table.find(id))
            .set(api_keys::last_used_at.eq(Some(Utc::now())))
            .execute(conn)
            .await?;
    }
    Ok(Role::parse(&role).map(|role| (name, role)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_keys_have_a_prefix() {
        let key = format!("ogp_0123456789ab_{}", "A".repeat(43));
        assert_eq!(prefix_of(&key), Some("0123456789ab"));
        assert_eq!(prefix_of("ogp_0123456789ab_short"), None);
        assert_eq!(
            prefix_of(&format!("ogp_0123456789zz_{}", "A".repeat(43))),
            None
        );
        assert_eq!(prefix_of("Bearer x"), None);
    }

    #[test]
    fn hashes_are_sha256() {
        assert_eq!(hash("abc").len(), 32);
        assert_ne!(hash("abc"), hash("abd"));
    }
}
