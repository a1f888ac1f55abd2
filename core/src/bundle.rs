//! The bundle format, both directions. Nothing else in Waymark reads or writes
//! bundle bytes (SPEC §4).
//!
//! ```text
//! offset  size  field
//! 0       8     magic  b"WAYMARK\0"
//! 8       2     format version, u16 LE (FORMAT_VERSION)
//! 10      2     flags, u16 LE (0; reserved)
//! 12      4     body length N, u32 LE
//! 16      N     body: sections, each { kind u16 LE, reserved u16, len u32 LE, bytes }
//! 16+N    72    trailer: { alg u8, reserved [u8; 7], seal [u8; 64] }
//! ```
//!
//! The trailer seals everything before it. `alg = 0` is an unsigned bundle
//! whose seal starts with an FNV-1a 64 checksum (it catches truncation and
//! corruption, not tampering; tools only); `alg = 1` is Ed25519: the reserved
//! bytes hold the first 7 bytes of the signer's public key, the seal the
//! signature over everything before the trailer. The extension reads only
//! signed bundles ([`read_trusted`]).
//!
//! Section kinds: 1 = content (`content::Library`, postcard), 2 = search index
//! (`search`'s own format, built from the content), 3 = manifest
//! ([`Manifest`], postcard: bundle version, created, expires, scope, and the
//! version of every piece of content). Unknown kinds are skipped so that
//! newer builders can add sections older readers ignore; an unknown *format
//! version* is refused.
//!
//! The manifest is under the signature like everything else, so whoever can
//! serve bundle files but does not hold the key cannot extend an expiry,
//! widen a scope or replay an older bundle ([`check_manifest`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::content::{Date, Env, Library, Status};

pub const MAGIC: &[u8; 8] = b"WAYMARK\0";
/// 3: governance metadata, branches, checks, translations; the manifest.
/// 4: the library's media hosts (enforced at render, not only at build).
/// 5: onboarding checklists, smart tips and beacons, article triggers,
/// `related`, boxes to tick in articles (job aids).
pub const FORMAT_VERSION: u16 = 5;
const HEADER_LEN: usize = 16;
const SECTION_HEADER_LEN: usize = 8;
pub const TRAILER_LEN: usize = 72;

const SECTION_CONTENT: u16 = 1;
const SECTION_SEARCH: u16 = 2;
const SECTION_MANIFEST: u16 = 3;
const ALG_CHECKSUM: u8 = 0;
const ALG_ED25519: u8 = 1;

struct Signed {
    hint: [u8; 7],
    signature: [u8; 64],
    message_len: usize,
}

/// Why a bundle was refused. Messages say what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    NotABundle,
    UnsupportedVersion {
        found: u16,
    },
    Truncated {
        expected: usize,
        found: usize,
    },
    Corrupt(String),
    Encode(String),
    Unsigned,
    UntrustedSignature {
        hint: String,
    },
    /// The manifest's expiry date has passed.
    Expired {
        expires: Date,
    },
    /// Older than the bundle already in use: a replayed or stale file.
    Rollback {
        found: u64,
        in_use: u64,
    },
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::NotABundle => write!(
                f,
                "not a Waymark bundle (the file does not start with the WAYMARK magic bytes); build one with `waymark build`"
            ),
            BundleError::UnsupportedVersion { found } => write!(
                f,
                "bundle format version {found} is not supported (this reader knows version {FORMAT_VERSION}); rebuild the bundle with a matching `waymark build` or update the extension"
            ),
            BundleError::Truncated { expected, found } => write!(
                f,
                "bundle is truncated: expected {expected} bytes, found {found}; download or copy it again"
            ),
            BundleError::Corrupt(why) => {
                write!(f, "bundle is corrupt ({why}); rebuild it with `waymark build`")
            }
            BundleError::Encode(why) => write!(f, "could not encode the bundle: {why}"),
            BundleError::Unsigned => write!(
                f,
                "bundle is not signed; sign it with `waymark sign --key KEY` (only signed bundles are trusted)"
            ),
            BundleError::Expired { expires } => write!(
                f,
                "bundle expired on {expires}; build and publish a new one with `waymark build` (its manifest sets the expiry)"
            ),
            BundleError::Rollback { found, in_use } => write!(
                f,
                "bundle version {found} is older than version {in_use} already in use (rollback refused); publish a bundle built after it"
            ),
            BundleError::UntrustedSignature { hint } => write!(
                f,
                "bundle signature does not verify against any trusted key (signed by a key starting {hint}); sign it with a key in policy `trusted_keys`, or add its public key there"
            ),
        }
    }
}

impl std::error::Error for BundleError {}

/// What a bundle holds once read.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    pub library: Library,
    /// The search index section, opened by `search::SearchIndex` (kept apart
    /// so a search problem disables search only, not guidance).
    pub search: Vec<u8>,
    pub manifest: Manifest,
    /// The first 7 bytes of the signer's public key, if signed.
    pub signer: Option<[u8; 7]>,
}

/// What a bundle says about itself, under its signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Monotonic: the extension refuses a bundle older than the one it uses.
    pub bundle_version: u64,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds; the bundle is refused after this.
    pub expires: i64,
    pub env: Env,
    /// Origin patterns the bundle may act on (`urlmatch::in_scope`).
    pub scope: Vec<String>,
    pub items: Vec<ManifestItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestItem {
    /// `walkthrough` or `article`.
    pub kind: String,
    pub id: String,
    pub version: String,
    pub status: Status,
}

impl Manifest {
    /// A manifest listing everything in `library`.
    pub fn describe(
        library: &Library,
        bundle_version: u64,
        created: i64,
        expires: i64,
        env: Env,
        scope: Vec<String>,
    ) -> Manifest {
        Manifest {
            bundle_version,
            created,
            expires,
            env,
            scope,
            items: library
                .items()
                .into_iter()
                .map(|i| ManifestItem {
                    kind: i.kind.to_string(),
                    id: i.id.to_string(),
                    version: i.version.to_string(),
                    status: i.meta.status,
                })
                .collect(),
        }
    }

    pub fn expiry_date(&self) -> Date {
        Date::from_unix(self.expires)
    }

    /// Does the bundle cover the page at `url`?
    pub fn covers(&self, url: &str) -> bool {
        crate::urlmatch::in_scope(&self.scope, url)
    }
}

/// Checks a verified bundle's manifest before use: not expired at `now`
/// (unix seconds), and not older than the bundle version `in_use`, if any.
pub fn check_manifest(m: &Manifest, now: i64, in_use: Option<u64>) -> Result<(), BundleError> {
    if now >= m.expires {
        return Err(BundleError::Expired {
            expires: Date::from_unix(m.expires),
        });
    }
    match in_use {
        Some(v) if m.bundle_version < v => Err(BundleError::Rollback {
            found: m.bundle_version,
            in_use: v,
        }),
        _ => Ok(()),
    }
}

/// Serialises a library with a manifest that never expires and covers every
/// origin: for tests and tools. Bundles for employees come from
/// [`write_with`] (via `waymark build`).
pub fn write(library: &Library) -> Result<Vec<u8>, BundleError> {
    let m = Manifest::describe(library, 0, 0, i64::MAX, Env::Staging, vec!["*".into()]);
    write_with(library, &m)
}

/// Serialises a library, a search index built from it, and its manifest
/// into bundle bytes (unsigned: see [`sign`]).
pub fn write_with(library: &Library, manifest: &Manifest) -> Result<Vec<u8>, BundleError> {
    let content = postcard::to_allocvec(library).map_err(|e| BundleError::Encode(e.to_string()))?;
    let manifest =
        postcard::to_allocvec(manifest).map_err(|e| BundleError::Encode(e.to_string()))?;
    let search = library
        .search_index()
        .map_err(|e| BundleError::Encode(e.to_string()))?;
    let mut body = Vec::with_capacity(content.len() + search.len() + 2 * SECTION_HEADER_LEN);
    push_section(&mut body, SECTION_CONTENT, &content)?;
    push_section(&mut body, SECTION_SEARCH, &search)?;
    push_section(&mut body, SECTION_MANIFEST, &manifest)?;

    let body_len = u32::try_from(body.len())
        .map_err(|_| BundleError::Encode("content is larger than 4 GiB".into()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + TRAILER_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&body);

    let sum = fnv1a64(&out);
    out.push(ALG_CHECKSUM);
    out.extend_from_slice(&[0; 7]);
    let mut seal = [0u8; 64];
    seal[..8].copy_from_slice(&sum.to_le_bytes());
    out.extend_from_slice(&seal);
    Ok(out)
}

fn push_section(body: &mut Vec<u8>, kind: u16, bytes: &[u8]) -> Result<(), BundleError> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| BundleError::Encode("section is larger than 4 GiB".into()))?;
    body.extend_from_slice(&kind.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(bytes);
    Ok(())
}

/// Checks the frame of bundle bytes (magic, version, lengths, trailer; the
/// checksum of an unsigned bundle) without decoding any section. Returns
/// the sealed part (header + body) and the signature, if any.
fn frame(bytes: &[u8]) -> Result<(&[u8], Option<Signed>), BundleError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    if bytes.len() < HEADER_LEN {
        return Err(BundleError::Truncated {
            expected: HEADER_LEN + TRAILER_LEN,
            found: bytes.len(),
        });
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != FORMAT_VERSION {
        return Err(BundleError::UnsupportedVersion { found: version });
    }
    let body_len = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
    let expected = HEADER_LEN + body_len + TRAILER_LEN;
    if bytes.len() < expected {
        return Err(BundleError::Truncated {
            expected,
            found: bytes.len(),
        });
    }
    if bytes.len() > expected {
        return Err(BundleError::Corrupt(format!(
            "{} unexpected bytes after the trailer",
            bytes.len() - expected
        )));
    }
    let sealed = &bytes[..HEADER_LEN + body_len];
    let trailer = &bytes[HEADER_LEN + body_len..];
    let signer = match trailer[0] {
        ALG_CHECKSUM => {
            let mut sum = [0u8; 8];
            sum.copy_from_slice(&trailer[8..16]);
            if u64::from_le_bytes(sum) != fnv1a64(sealed) {
                return Err(BundleError::Corrupt("checksum mismatch".into()));
            }
            // Unused trailer bytes must be zero, so no byte of a bundle is
            // free to change unnoticed.
            if trailer[1..8].iter().chain(&trailer[16..]).any(|&b| b != 0) {
                return Err(BundleError::Corrupt(
                    "reserved trailer bytes are not zero".into(),
                ));
            }
            None
        }
        ALG_ED25519 => {
            let mut hint = [0u8; 7];
            hint.copy_from_slice(&trailer[1..8]);
            let mut sig = [0u8; 64];
            sig.copy_from_slice(&trailer[8..72]);
            Some(Signed {
                hint,
                signature: sig,
                message_len: sealed.len(),
            })
        }
        alg => {
            return Err(BundleError::Corrupt(format!(
                "unknown seal algorithm {alg}"
            )));
        }
    };
    Ok((sealed, signer))
}

/// Decodes the sections of a sealed body (after [`frame`], and for the
/// extension after the signature checked: nothing an untrusted party wrote
/// is decoded).
fn decode(sealed: &[u8], signer: Option<[u8; 7]>) -> Result<Bundle, BundleError> {
    let mut library = None;
    let mut manifest = None;
    let mut search = Vec::new();
    let mut rest = &sealed[HEADER_LEN..];
    while !rest.is_empty() {
        if rest.len() < SECTION_HEADER_LEN {
            return Err(BundleError::Corrupt("section header cut short".into()));
        }
        let kind = u16::from_le_bytes([rest[0], rest[1]]);
        let len = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let data = rest
            .get(SECTION_HEADER_LEN..SECTION_HEADER_LEN + len)
            .ok_or_else(|| BundleError::Corrupt(format!("section {kind} runs past the body")))?;
        if kind == SECTION_CONTENT {
            library = Some(
                postcard::from_bytes::<Library>(data)
                    .map_err(|e| BundleError::Corrupt(format!("content section: {e}")))?,
            );
        } else if kind == SECTION_SEARCH {
            search = data.to_vec();
        } else if kind == SECTION_MANIFEST {
            manifest = Some(
                postcard::from_bytes::<Manifest>(data)
                    .map_err(|e| BundleError::Corrupt(format!("manifest section: {e}")))?,
            );
        }
        rest = &rest[SECTION_HEADER_LEN + len..];
    }
    let library = library.ok_or_else(|| BundleError::Corrupt("no content section".into()))?;
    let manifest = manifest.ok_or_else(|| BundleError::Corrupt("no manifest section".into()))?;
    Ok(Bundle {
        library,
        search,
        manifest,
        signer,
    })
}

/// Reads bundle bytes, checking structure and (for unsigned bundles) the
/// checksum, but NOT who signed it: for tools that inspect. The extension
/// uses [`read_trusted`].
pub fn read_unverified(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let (sealed, signed) = frame(bytes)?;
    decode(sealed, signed.map(|s| s.hint))
}

/// Reads bundle bytes that must carry an Ed25519 signature by one of
/// `trusted` (32-byte public keys). Anything else is refused: unsigned,
/// signed by another key, or altered after signing. The signature is
/// checked before any section is decoded, so a decoder bug is reachable
/// only by a trusted signer's bytes.
pub fn read_trusted(bytes: &[u8], trusted: &[[u8; 32]]) -> Result<Bundle, BundleError> {
    let (sealed, signer) = frame(bytes)?;
    let Some(signed) = signer else {
        return Err(BundleError::Unsigned);
    };
    let sig = ed25519_dalek::Signature::from_bytes(&signed.signature);
    let message = &bytes[..signed.message_len];
    // The hint must name the key too, so no byte of a signed bundle is free
    // to change unnoticed.
    let ok = trusted.iter().filter(|k| k[..7] == signed.hint).any(|k| {
        ed25519_dalek::VerifyingKey::from_bytes(k)
            .is_ok_and(|vk| vk.verify_strict(message, &sig).is_ok())
    });
    if ok {
        decode(sealed, Some(signed.hint))
    } else {
        Err(BundleError::UntrustedSignature {
            hint: encode_key(&signed.hint),
        })
    }
}

/// Re-seals bundle bytes with an Ed25519 signature by `secret` (32 bytes).
pub fn sign(bytes: &[u8], secret: &[u8; 32]) -> Result<Vec<u8>, BundleError> {
    read_unverified(bytes)?;
    let key = ed25519_dalek::SigningKey::from_bytes(secret);
    let body_end = bytes.len() - TRAILER_LEN;
    let mut out = bytes[..body_end].to_vec();
    let signature = ed25519_dalek::Signer::sign(&key, &out);
    out.push(ALG_ED25519);
    out.extend_from_slice(&key.verifying_key().to_bytes()[..7]);
    out.extend_from_slice(&signature.to_bytes());
    Ok(out)
}

/// The public key that verifies what `secret` signs.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(secret)
        .verifying_key()
        .to_bytes()
}

/// Keys travel as standard base64 (policy files, key files, the CLI).
pub fn encode_key(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes a base64 key of exactly 32 bytes, saying what is wrong otherwise.
pub fn decode_key(text: &str) -> Result<[u8; 32], KeyError> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(33);
    let (mut buf, mut bits) = (0u32, 0);
    for &c in text.trim().as_bytes().iter().filter(|&&c| c != b'=') {
        buf = (buf << 6) | val(c).ok_or(KeyError::NotBase64(c as char))?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out.try_into()
        .map_err(|v: Vec<u8>| KeyError::Length(v.len()))
}

/// What is wrong with a base64 public or secret key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    NotBase64(char),
    Length(usize),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::NotBase64(c) => write!(f, "`{c}` is not a base64 character"),
            KeyError::Length(n) => write!(f, "a key is 32 bytes, this is {n}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// FNV-1a, 64 bit: tiny, dependency-free, good enough to catch accidents.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::*;
    use crate::richtext::{Block, Inline, RichText};
    use proptest::prelude::*;

    fn sample() -> Library {
        Library {
            walkthroughs: vec![Walkthrough {
                id: "create-deal".into(),
                title: "Create a deal".into(),
                moment: Moment::Apply,
                applies_to: vec!["/crm/deals*".into()],
                tags: vec![],
                synonyms: vec![],
                version: "abc".into(),
                steps: vec![Step {
                    id: "open".into(),
                    title: "Open the form".into(),
                    body: RichText(vec![Block::Paragraph(vec![Inline::Text("Click".into())])]),
                    target: vec![
                        Target::Css("[data-testid=new-deal]".into()),
                        Target::Aria {
                            name: "New deal".into(),
                            role: Some("button".into()),
                        },
                    ],
                    advance: Advance::Click,
                    placement: Placement::Auto,
                    optional: false,
                    branch: Branch::Next,
                    url: None,
                    timeout_ms: DEFAULT_TIMEOUT_MS,
                }],
                meta: Meta {
                    owner: "crm-team".into(),
                    status: Status::Approved,
                    review_by: Date::parse("2027-01-31"),
                    ..Meta::default()
                },
                trigger: Trigger::Manual,
                check: None,
                translations: Default::default(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn round_trips() {
        let bytes = write(&sample()).unwrap();
        assert_eq!(&bytes[..8], MAGIC);
        let b = read_unverified(&bytes).unwrap();
        assert_eq!(b.library, sample());
        let idx = crate::search::SearchIndex::open(&b.search[..]).unwrap();
        assert_eq!(idx.len(), 1);
    }

    #[test]
    fn refuses_wrong_magic_version_and_truncation() {
        let bytes = write(&sample()).unwrap();
        assert_eq!(
            read_unverified(b"PK\x03\x04 zip file"),
            Err(BundleError::NotABundle)
        );
        let mut v9 = bytes.clone();
        v9[8] = 9;
        assert_eq!(
            read_unverified(&v9),
            Err(BundleError::UnsupportedVersion { found: 9 })
        );
        for cut in [9, 15, 16, bytes.len() / 2, bytes.len() - 1] {
            match read_unverified(&bytes[..cut]) {
                Err(BundleError::Truncated { .. }) => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(matches!(
            read_unverified(&extra),
            Err(BundleError::Corrupt(_))
        ));
    }

    #[test]
    fn manifest_expiry_and_rollback() {
        let lib = sample();
        let m = Manifest::describe(
            &lib,
            7,
            1_000,
            2_000,
            Env::Production,
            vec!["https://crm.acme.example".into()],
        );
        let bytes = sign(&write_with(&lib, &m).unwrap(), &SECRET).unwrap();
        let b = read_trusted(&bytes, &[public_key(&SECRET)]).unwrap();
        assert_eq!(b.manifest, m);
        assert_eq!(b.manifest.items[0].id, "create-deal");
        assert_eq!(b.manifest.items[0].version, "abc");
        assert_eq!(check_manifest(&m, 1_500, None), Ok(()));
        assert_eq!(check_manifest(&m, 1_500, Some(7)), Ok(()));
        assert_eq!(
            check_manifest(&m, 1_500, Some(8)),
            Err(BundleError::Rollback {
                found: 7,
                in_use: 8
            })
        );
        let e = check_manifest(&m, 2_000, None).unwrap_err();
        assert!(matches!(e, BundleError::Expired { .. }));
        assert!(e.to_string().contains("expired on 1970-01-01"), "{e}");
        assert!(m.covers("https://crm.acme.example/deals"));
        assert!(!m.covers("https://evil.example/"));
    }

    #[test]
    fn error_messages_say_how_to_fix() {
        let msg = BundleError::UnsupportedVersion { found: 9 }.to_string();
        assert!(
            msg.contains("version 9") && msg.contains("waymark build"),
            "{msg}"
        );
    }

    const SECRET: [u8; 32] = [7; 32];

    #[test]
    fn signed_bundles_verify_only_against_their_key() {
        let signed = sign(&write(&sample()).unwrap(), &SECRET).unwrap();
        let key = public_key(&SECRET);
        let b = read_trusted(&signed, &[[1; 32], key]).unwrap();
        assert_eq!(b.library, sample());
        assert_eq!(b.signer.map(|h| h.to_vec()), Some(key[..7].to_vec()));
        let other = public_key(&[9; 32]);
        assert!(matches!(
            read_trusted(&signed, &[other]),
            Err(BundleError::UntrustedSignature { .. })
        ));
        assert_eq!(
            read_trusted(&write(&sample()).unwrap(), &[key]),
            Err(BundleError::Unsigned)
        );
        assert!(BundleError::Unsigned.to_string().contains("waymark sign"));
        // Re-signing replaces the seal.
        let again = sign(&signed, &[9; 32]).unwrap();
        assert!(read_trusted(&again, &[other]).is_ok());
        assert!(read_trusted(&again, &[key]).is_err());
    }

    #[test]
    fn the_signature_is_checked_before_anything_is_decoded() {
        // A bundle whose content section is garbage, signed by key 7.
        let bytes = write(&sample()).unwrap();
        let mut body = bytes[..bytes.len() - TRAILER_LEN].to_vec();
        let data = HEADER_LEN + SECTION_HEADER_LEN;
        body[data..data + 16].fill(0xFF);
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let sig = ed25519_dalek::Signer::sign(&key, &body);
        body.push(ALG_ED25519);
        body.extend_from_slice(&key.verifying_key().to_bytes()[..7]);
        body.extend_from_slice(&sig.to_bytes());
        // Under another key it is refused for its signature: the garbage
        // never reached the decoder.
        assert!(matches!(
            read_trusted(&body, &[public_key(&[9; 32])]),
            Err(BundleError::UntrustedSignature { .. })
        ));
        // Under its own key it verifies, then the decoder refuses it.
        assert!(matches!(
            read_trusted(&body, &[public_key(&[7; 32])]),
            Err(BundleError::Corrupt(_))
        ));
    }

    #[test]
    fn keys_round_trip_as_base64() {
        let key = public_key(&SECRET);
        let text = encode_key(&key);
        assert_eq!(text.len(), 44);
        assert_eq!(decode_key(&text), Ok(key));
        assert!(decode_key("not a key!").is_err());
        let short = decode_key(&encode_key(&[1, 2, 3])).unwrap_err();
        assert_eq!(short, KeyError::Length(3));
        assert!(short.to_string().contains("32 bytes"));
    }

    proptest! {
        /// Flipping any single bit of a signed bundle makes it untrusted.
        #[test]
        fn any_flipped_byte_breaks_the_signature(at in 0usize..4000, bit in 0u8..8) {
            let signed = sign(&write(&sample()).unwrap(), &SECRET).unwrap();
            let at = at % signed.len();
            let mut bad = signed.clone();
            bad[at] ^= 1 << bit;
            prop_assert!(read_trusted(&bad, &[public_key(&SECRET)]).is_err(), "flip at {} accepted", at);
        }

        /// Any single flipped byte is caught: by the magic, version or length
        /// checks, or by the checksum.
        #[test]
        fn any_flipped_byte_is_refused(at in 0usize..400, bit in 0u8..8) {
            let bytes = write(&sample()).unwrap();
            let at = at % bytes.len();
            let mut bad = bytes.clone();
            bad[at] ^= 1 << bit;
            prop_assert!(read_unverified(&bad).is_err(), "flip at {} accepted", at);
        }

        /// Garbage never panics the reader.
        #[test]
        fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = read_unverified(&data);
            let mut with_magic = MAGIC.to_vec();
            with_magic.extend_from_slice(&data);
            let _ = read_unverified(&with_magic);
        }
    }
}
