//! Whether a bundle may be used, under a policy: every check a browser runs
//! before bundle bytes replace anything (and `waymark verify --policy` runs
//! the same ones for an admin).
//!
//! ```text
//!  bytes ─▶ signature by a key that applies to where the bytes came from
//!        ─▶ not expired · created not in the future · version not ahead of its own creation
//!        ─▶ not older than the version in use (rollback)
//!        ─▶ built for policy `environment`
//!        ─▶ a download's scope covers every allowed origin
//!        ─▶ Admitted { bundle, origins it runs on }
//! ```
//!
//! The demo key (shipped in the extension, its secret in the repository)
//! verifies only the bytes packed in the extension, and only while policy
//! names no keys: a stored or downloaded bundle signed with it is refused.

use std::fmt;

use super::origins;
use super::policy::{KeyChoice, Policy};
use crate::bundle::{self, Bundle, BundleError};
use crate::content::Env;

/// Where the bytes came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Packed in the extension.
    BuiltIn,
    /// Just fetched from `bundle_url`.
    Downloaded,
    /// The last good bundle, from the extension's own storage.
    Stored,
}

impl Source {
    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "built_in" => Some(Source::BuiltIn),
            "downloaded" => Some(Source::Downloaded),
            "stored" => Some(Source::Stored),
            _ => None,
        }
    }
}

/// A bundle's version may be at most this far ahead of its own creation
/// time (versions are build times in seconds, or smaller counters).
pub const VERSION_AHEAD_SECS: i64 = 86_400;
/// Clock skew allowed between the build machine and the browser.
pub const CREATED_AHEAD_SECS: i64 = 86_400;

/// Why a bundle was refused under the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Bundle(BundleError),
    /// No key applies: a download while policy names no `trusted_keys`.
    NoTrustedKeys,
    /// Keys are named but none is usable.
    EmptyTrustedKeys,
    WrongEnvironment {
        found: Env,
        want: Env,
    },
    ScopeMisses {
        missing: Vec<String>,
        scope: Vec<String>,
    },
    VersionAhead {
        version: u64,
        created: i64,
    },
    CreatedInFuture {
        created: i64,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Bundle(e) => e.fmt(f),
            Refusal::NoTrustedKeys => f.write_str(
                "policy names no `trusted_keys`, so no downloaded bundle can be trusted (the built-in demo key only vouches for the bundle packed in the extension); add the public key from `waymark keygen` to policy `trusted_keys`",
            ),
            Refusal::EmptyTrustedKeys => f.write_str(
                "policy `trusted_keys` names no usable key, so no bundle is trusted; fix the keys in policy",
            ),
            Refusal::WrongEnvironment { found, want } => write!(
                f,
                "the bundle was built for {} but policy `environment` is {}; build it with `waymark build --env {}`",
                found.as_str(),
                want.as_str(),
                want.as_str()
            ),
            Refusal::ScopeMisses { missing, scope } => write!(
                f,
                "the bundle's scope ({}) does not cover {}, which policy `allowed_origins` names; add {} to `[bundle] scope` in waymark.toml and rebuild",
                if scope.is_empty() { "empty".to_string() } else { scope.join(", ") },
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            ),
            Refusal::VersionAhead { version, created } => write!(
                f,
                "bundle version {version} is far beyond its own creation time ({created}); a version that runs ahead of the build clock would block every later update, so it is refused; rebuild without `--bundle-version` (the build time is the version)"
            ),
            Refusal::CreatedInFuture { created } => write!(
                f,
                "the bundle says it was created at {} (unix {created}), more than a day from now; check the build machine's clock",
                crate::content::Date::from_unix(*created)
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl From<BundleError> for Refusal {
    fn from(e: BundleError) -> Refusal {
        Refusal::Bundle(e)
    }
}

/// A bundle that passed, and where it runs.
#[derive(Clone, Debug)]
pub struct Admitted {
    pub bundle: Bundle,
    /// `allowed_origins` ∩ the bundle's scope.
    pub origins: Vec<String>,
    /// `policy` when a policy key verified it, `demo` for the demo key.
    pub keys: &'static str,
}

/// Runs every check. `now` is unix seconds; `in_use` the highest bundle
/// version trusted so far; `demo_key` the built-in demo public key (base64).
pub fn admit(
    bytes: &[u8],
    source: Source,
    policy: &Policy,
    in_use: Option<u64>,
    now: i64,
    demo_key: Option<&str>,
) -> Result<Admitted, Refusal> {
    let (keys, label) = match policy.keys_for(source == Source::BuiltIn, demo_key) {
        KeyChoice::Policy(k) if k.is_empty() => return Err(Refusal::EmptyTrustedKeys),
        KeyChoice::Policy(k) => (k, "policy"),
        KeyChoice::Demo(k) => (vec![k], "demo"),
        KeyChoice::None => return Err(Refusal::NoTrustedKeys),
    };
    let keys: Vec<[u8; 32]> = keys
        .iter()
        .filter_map(|k| bundle::decode_key(k).ok())
        .collect();
    let b = bundle::read_trusted(bytes, &keys)?;
    let m = &b.manifest;
    bundle::check_manifest(m, now, in_use)?;
    if m.created > now.saturating_add(CREATED_AHEAD_SECS) {
        return Err(Refusal::CreatedInFuture { created: m.created });
    }
    let version = i64::try_from(m.bundle_version).unwrap_or(i64::MAX);
    if version > m.created.saturating_add(VERSION_AHEAD_SECS) {
        return Err(Refusal::VersionAhead {
            version: m.bundle_version,
            created: m.created,
        });
    }
    if m.env != policy.environment {
        return Err(Refusal::WrongEnvironment {
            found: m.env,
            want: policy.environment,
        });
    }
    // The built-in bundle runs where policy and its scope meet (maybe
    // nowhere); one the admin publishes must cover what policy allows.
    if source != Source::BuiltIn {
        let missing = origins::uncovered(&policy.allowed_origins, &m.scope);
        if !missing.is_empty() {
            return Err(Refusal::ScopeMisses {
                missing: missing.into_iter().map(String::from).collect(),
                scope: m.scope.clone(),
            });
        }
    }
    let origins = origins::intersect(&policy.allowed_origins, &m.scope);
    Ok(Admitted {
        bundle: b,
        origins,
        keys: label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Manifest;
    use crate::content::Library;
    use crate::deploy::json::Json;

    const NOW: i64 = 1_800_000_000;

    fn secret(n: u8) -> [u8; 32] {
        [n; 32]
    }

    fn public(n: u8) -> String {
        bundle::encode_key(&bundle::public_key(&secret(n)))
    }

    fn make(n: u8, f: impl FnOnce(&mut Manifest)) -> Vec<u8> {
        let lib = Library::default();
        let mut m = Manifest::describe(
            &lib,
            NOW as u64 - 10,
            NOW - 10,
            NOW + 86_400 * 30,
            Env::Production,
            vec!["https://*.acme.example".into(), "http://127.0.0.1:*".into()],
        );
        f(&mut m);
        bundle::sign(&bundle::write_with(&lib, &m).unwrap(), &secret(n)).unwrap()
    }

    fn policy(json: &str) -> Policy {
        Policy::from_json(&serde_json::from_str::<Json>(json).unwrap())
    }

    fn keyed() -> Policy {
        policy(&format!(
            r#"{{ "trusted_keys": ["{}"], "allowed_origins": ["https://crm.acme.example"] }}"#,
            public(1)
        ))
    }

    #[test]
    fn a_good_download_runs_on_the_allowed_origins() {
        let a = admit(
            &make(1, |_| {}),
            Source::Downloaded,
            &keyed(),
            None,
            NOW,
            None,
        )
        .unwrap();
        assert_eq!(a.origins, vec!["https://crm.acme.example".to_string()]);
        assert_eq!(a.keys, "policy");
    }

    #[test]
    fn the_demo_key_only_vouches_for_packed_bytes() {
        let demo = public(9);
        let bytes = make(9, |_| {});
        let none = Policy::default();
        let a = admit(&bytes, Source::BuiltIn, &none, None, NOW, Some(&demo)).unwrap();
        assert_eq!(a.keys, "demo");
        assert_eq!(a.origins, vec!["http://127.0.0.1:*".to_string()]);
        for src in [Source::Downloaded, Source::Stored] {
            assert_eq!(
                admit(&bytes, src, &none, None, NOW, Some(&demo)).unwrap_err(),
                Refusal::NoTrustedKeys
            );
        }
        // Once policy names keys, not even the packed bytes.
        assert!(matches!(
            admit(&bytes, Source::BuiltIn, &keyed(), None, NOW, Some(&demo)),
            Err(Refusal::Bundle(BundleError::UntrustedSignature { .. }))
        ));
        let empty = policy(r#"{ "trusted_keys": [] }"#);
        assert_eq!(
            admit(&bytes, Source::BuiltIn, &empty, None, NOW, Some(&demo)).unwrap_err(),
            Refusal::EmptyTrustedKeys
        );
    }

    #[test]
    fn each_refusal() {
        let p = keyed();
        let run = |bytes: Vec<u8>, in_use| admit(&bytes, Source::Downloaded, &p, in_use, NOW, None);
        assert!(matches!(
            run(make(1, |_| {}), Some(NOW as u64)),
            Err(Refusal::Bundle(BundleError::Rollback { .. }))
        ));
        assert!(matches!(
            run(make(1, |m| m.expires = NOW - 1), None),
            Err(Refusal::Bundle(BundleError::Expired { .. }))
        ));
        assert!(matches!(
            run(make(1, |m| m.env = Env::Staging), None),
            Err(Refusal::WrongEnvironment { .. })
        ));
        let e = run(
            make(1, |m| m.scope = vec!["https://hr.acme.example".into()]),
            None,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("does not cover https://crm.acme.example"),
            "{e}"
        );
        assert!(matches!(
            run(make(1, |m| m.bundle_version = (1 << 53) - 1), None),
            Err(Refusal::VersionAhead { .. })
        ));
        assert!(matches!(
            run(make(1, |m| m.created = NOW + 3 * 86_400), None),
            Err(Refusal::CreatedInFuture { .. })
        ));
        assert!(matches!(
            run(make(2, |_| {}), None),
            Err(Refusal::Bundle(BundleError::UntrustedSignature { .. }))
        ));
        let mut tampered = make(1, |_| {});
        tampered[40] ^= 1;
        assert!(run(tampered, None).is_err());
        // Small counters stay fine: version 3 built now.
        assert!(run(make(1, |m| m.bundle_version = 3), None).is_ok());
    }
}
