//! Who ([`Actor`]: a pseudonym unless the admin opts into names), which
//! statement ([`statement_id`]: a name-based UUID) and when ([`timestamp`]:
//! ISO 8601 in UTC, from the glue's clock).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::content::Date;

/// The `account.homePage` of every actor Waymark sends: the system the
/// account name belongs to.
pub const HOME_PAGE: &str = "https://waymark.dev/xapi/accounts";

/// The person a statement is about, as the LRS will see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// `account.name`: 64 hex digits of HMAC-SHA-256(key, user id) by
    /// default; the user id itself when policy opts into names.
    pub name: String,
    /// Shown as the agent's `name` (only when names are sent).
    pub display: Option<String>,
}

impl Actor {
    /// A pseudonym for `user` under `key`: the same person gets the same
    /// name for as long as the key stays, and the LRS cannot turn it back
    /// into the user id without the key.
    pub fn pseudonym(key: &[u8], user: &str) -> Actor {
        // An HMAC takes a key of any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
            return Actor::named(user);
        };
        mac.update(user.as_bytes());
        Actor {
            name: hex(&mac.finalize().into_bytes()),
            display: None,
        }
    }

    /// The user id as is (policy `analytics.identify = true`).
    pub fn named(user: &str) -> Actor {
        Actor {
            name: user.to_string(),
            display: Some(user.to_string()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A UUID (version 8, RFC 9562: "custom", here the first 16 bytes of a
/// SHA-256) naming `parts` in their order. Equal parts, equal id: a
/// statement made twice from the same record at the same time by the same
/// actor has the same id, and an LRS stores it once.
pub fn statement_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 / 9562 variant
    let x = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// `ms` since the Unix epoch as `2026-12-03T17:04:05.123Z`.
pub fn timestamp(ms: u64) -> String {
    let days = ms / 86_400_000;
    let rest = ms % 86_400_000;
    let (h, m, s, milli) = (
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    );
    let date = i32::try_from(days).map(Date).unwrap_or(Date(0));
    format!("{date}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_not_the_id() {
        let a = Actor::pseudonym(b"fleet key", "ana@example.com");
        assert_eq!(a, Actor::pseudonym(b"fleet key", "ana@example.com"));
        assert_ne!(a, Actor::pseudonym(b"other key", "ana@example.com"));
        assert_ne!(a, Actor::pseudonym(b"fleet key", "bo@example.com"));
        assert_eq!(a.name.len(), 64);
        assert!(!a.name.contains("ana"));
        assert_eq!(a.display, None);
        // RFC 4231 test case 2.
        assert_eq!(
            Actor::pseudonym(b"Jefe", "what do ya want for nothing?").name,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn statement_ids_are_uuids_determined_by_their_parts() {
        let id = statement_id(&["a", "bc"]);
        assert_eq!(id, statement_id(&["a", "bc"]));
        assert_ne!(id, statement_id(&["ab", "c"]));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "8");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn timestamps_are_iso_8601_utc_with_milliseconds() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_796_317_445_123), "2026-12-03T17:04:05.123Z");
        assert_eq!(timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
