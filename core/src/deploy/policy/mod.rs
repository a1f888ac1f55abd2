//! Admin policy (SPEC §6): what `chrome.storage.managed` (or Firefox's
//! `policies.json`) holds, checked key by key into the [`Policy`] the
//! extension obeys, with a [`Problem`] for every value it could not use.
//!
//! Chromium already drops values that break `extension/managed_schema.json`;
//! Firefox checks nothing. So every key is checked again here, and a bad
//! value never loosens anything: a bad `trusted_keys` trusts nothing, bad
//! `allowed_origins` entries allow nothing, a bad `bundle_url` downloads
//! nothing.
//!
//! This module owns the key names and their meaning. It must not read the
//! browser: the glue passes the raw object in.

use serde::Serialize;

use super::json::Json;
use super::origins::{self, LOOPBACK};
use crate::bundle;
use crate::content::Env;

mod check;
mod mask;
mod user;

use check::*;
pub use check::{check_bundle_url, is_loopback};
pub use mask::*;
pub use user::*;

/// Every key the policy may hold, in the order the options page shows them.
pub const KEYS: [&str; 11] = [
    "allowed_origins",
    "bundle_url",
    "update_interval_minutes",
    "trusted_keys",
    "environment",
    "user",
    "features",
    "support",
    "analytics",
    "deep_link",
    "_keys",
];

/// What each key must hold (`extension/managed_schema.json`), for messages
/// about values Chromium dropped.
pub fn expected(key: &str) -> &'static str {
    match key {
        "allowed_origins" => "an array of origin strings",
        "bundle_url" => "a URL string",
        "update_interval_minutes" => "a whole number from 5 to 1440",
        "trusted_keys" => "an array of base64 key strings",
        "environment" => "\"production\" or \"staging\"",
        "user" => "an object: id, roles (array), region, locale strings; from_page (object of strings); from_profile (true/false)",
        "features" => "an object of true/false values: search, recorder, auto_start",
        "support" => "an object: name and url strings",
        "analytics" => "an object: endpoint, auth and key strings, batch_size from 1 to 1000, identify and incognito true or false",
        "deep_link" => "a parameter name (letters, digits, - and _), or \"\" for none",
        "_keys" => "an array of key names",
        _ => "a value this version does not know",
    }
}

pub const DEFAULT_INTERVAL_MINUTES: u32 = 60;

pub const MIN_INTERVAL_MINUTES: u32 = 5;

/// A day: longer would leave a fleet on old content for too long.
pub const MAX_INTERVAL_MINUTES: u32 = 1440;

/// A value in policy that could not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Problem {
    /// The key path (`user.from_page.id`).
    pub key: String,
    pub message: String,
}

/// The policy the extension obeys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Policy {
    /// Some admin policy is set (any key). Without one: the demo default.
    pub managed: bool,
    /// Origin patterns Waymark may act on (loopback when unset).
    pub allowed_origins: Vec<String>,
    /// Where the bundle comes from.
    pub bundle: BundleSource,
    pub update_interval_minutes: u32,
    /// `None`: policy names no keys (the demo key trusts the built-in
    /// bundle). `Some(empty)`: keys were named but none is usable: trust
    /// nothing.
    pub trusted_keys: Option<Vec<String>>,
    pub environment: Env,
    pub user: UserPolicy,
    pub features: Features,
    pub support: Option<Support>,
    pub analytics: Option<Analytics>,
    /// `analytics.incognito`: whether anything is recorded in incognito
    /// windows. Off unless the admin turns it on (with or without an
    /// endpoint: records are queued locally either way).
    pub record_incognito: bool,
    /// The URL parameter that links into guidance (`#waymark=create-deal`);
    /// `None`: links are off.
    pub deep_link: Option<String>,
    pub problems: Vec<Problem>,
}

/// The deep-link parameter without policy.
pub const DEFAULT_DEEP_LINK: &str = "waymark";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BundleSource {
    /// The bundle packed in the extension.
    BuiltIn,
    /// Downloaded from `bundle_url`.
    Remote { url: String },
    /// `bundle_url` was set but unusable: nothing is downloaded, and the
    /// built-in bundle is not used in its place.
    Invalid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Features {
    pub search: bool,
    pub recorder: bool,
    pub auto_start: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Support {
    pub name: String,
    /// `https:` or `mailto:`.
    pub url: String,
}

/// Where statements go (`analytics`): docs/analytics.md.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Analytics {
    /// The LRS's xAPI endpoint; statements are POSTed to
    /// `endpoint` + `statements`.
    pub endpoint: String,
    /// Sent as the `Authorization` header; never shown unmasked.
    pub auth: Option<String>,
    pub batch_size: u32,
    /// Pseudonymises user ids (HMAC-SHA-256); never shown unmasked. Without
    /// it each browser uses a random key of its own.
    pub key: Option<String>,
    /// Send user ids as they are (the admin opts in).
    pub identify: bool,
}

impl Default for Policy {
    /// No policy at all: the demo default (built-in bundle, loopback).
    fn default() -> Policy {
        Policy {
            managed: false,
            allowed_origins: LOOPBACK.iter().map(|s| s.to_string()).collect(),
            bundle: BundleSource::BuiltIn,
            update_interval_minutes: DEFAULT_INTERVAL_MINUTES,
            trusted_keys: None,
            environment: Env::Production,
            user: UserPolicy::default(),
            features: Features {
                search: true,
                // On without policy, so the demo shows it; an admin turns it on.
                recorder: true,
                auto_start: true,
            },
            support: None,
            analytics: None,
            record_incognito: false,
            deep_link: Some(DEFAULT_DEEP_LINK.to_string()),
            problems: Vec::new(),
        }
    }
}

/// Which keys verify a bundle, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyChoice {
    Policy(Vec<String>),
    Demo(String),
    /// No key applies (a download with no `trusted_keys` in policy).
    None,
}

impl Policy {
    /// Checks the raw policy object. `Json::Null` or an empty object is "no
    /// policy" (the demo default).
    pub fn from_json(raw: &Json) -> Policy {
        let empty = std::collections::BTreeMap::new();
        let map = match raw {
            Json::Object(m) => m,
            Json::Null => &empty,
            other => {
                return Policy {
                    managed: true,
                    trusted_keys: Some(Vec::new()),
                    allowed_origins: Vec::new(),
                    problems: vec![Problem {
                        key: "(policy)".into(),
                        message: format!("must be an object, not {}", other.kind()),
                    }],
                    ..Policy::default()
                };
            }
        };
        let mut p = Policy::default();
        if map.is_empty() {
            return p;
        }
        p.managed = true;
        // With a policy, the recorder is an admin's choice.
        p.features.recorder = false;
        let mut c = Checker {
            problems: Vec::new(),
        };
        // `_keys` lists what the admin set: a listed key that did not arrive
        // was dropped by Chromium for not matching the schema (it says
        // nothing else: https://source.chromium.org/chromium/chromium/src/+/main:components/policy/core/common/schema_map.cc
        // FilterBundle). A dropped security key then fails closed.
        if let Some(listed) = map.get("_keys").and_then(|v| c.strings("_keys", v)) {
            for k in listed {
                if map.contains_key(&k) {
                    continue;
                }
                if !KEYS.contains(&k.as_str()) {
                    c.bad(
                        "_keys",
                        format!("lists `{k}`, which is not a Waymark policy key"),
                    );
                    continue;
                }
                c.bad(
                    &k,
                    format!(
                        "was set but did not arrive: Chromium dropped it for not matching the schema (it must be {})",
                        expected(&k)
                    ),
                );
                match k.as_str() {
                    "trusted_keys" => p.trusted_keys = Some(Vec::new()),
                    "allowed_origins" => p.allowed_origins.clear(),
                    "bundle_url" => p.bundle = BundleSource::Invalid,
                    _ => {}
                }
            }
        }
        for k in map.keys() {
            if !KEYS.contains(&k.as_str()) {
                c.bad(
                    k,
                    format!(
                        "is not a Waymark policy key (known: {})",
                        KEYS[..KEYS.len() - 1].join(", ")
                    ),
                );
            }
        }

        if let Some(v) = map.get("allowed_origins") {
            // Set but unusable allows nothing, never the loopback default.
            p.allowed_origins.clear();
            for (i, o) in c
                .strings("allowed_origins", v)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                match origins::check_policy_origin(o) {
                    Ok(()) => p.allowed_origins.push(o.clone()),
                    Err(e) => c.bad(&format!("allowed_origins[{i}]"), format!("`{o}`: {e}")),
                }
            }
        }

        if let Some(v) = map.get("bundle_url") {
            p.bundle = match c.string("bundle_url", v) {
                Some(url) => match check_bundle_url(&url) {
                    Ok(()) => BundleSource::Remote { url },
                    Err(e) => {
                        c.bad("bundle_url", format!("`{url}`: {e}"));
                        BundleSource::Invalid
                    }
                },
                None => BundleSource::Invalid,
            };
        }

        if let Some(v) = map.get("update_interval_minutes") {
            match v {
                Json::Number(n) if n.fract() == 0.0 && *n >= MIN_INTERVAL_MINUTES as f64 => {
                    p.update_interval_minutes = n.min(MAX_INTERVAL_MINUTES as f64) as u32;
                    if *n > MAX_INTERVAL_MINUTES as f64 {
                        c.bad(
                            "update_interval_minutes",
                            format!("{n} is more than a day; checking every {MAX_INTERVAL_MINUTES} minutes"),
                        );
                    }
                }
                Json::Number(n) => c.bad(
                    "update_interval_minutes",
                    format!(
                        "must be a whole number of minutes, at least {MIN_INTERVAL_MINUTES} (not {n}); using {DEFAULT_INTERVAL_MINUTES}"
                    ),
                ),
                other => c.wrong_type("update_interval_minutes", "a whole number of minutes", other),
            }
        }

        if let Some(v) = map.get("trusted_keys") {
            let mut keys = Vec::new();
            for (i, k) in c
                .strings("trusted_keys", v)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                match bundle::decode_key(k) {
                    Ok(_) => keys.push(k.clone()),
                    Err(e) => c.bad(&format!("trusted_keys[{i}]"), format!("`{k}`: {e}")),
                }
            }
            if keys.is_empty() {
                c.bad(
                    "trusted_keys",
                    "names no usable key, so no bundle is trusted; add the public key `waymark keygen` printed",
                );
            }
            p.trusted_keys = Some(keys);
        }

        if let Some(v) = map.get("environment") {
            match c.string("environment", v).as_deref().map(Env::parse) {
                Some(Some(env)) => p.environment = env,
                Some(None) => c.bad(
                    "environment",
                    format!("must be \"production\" or \"staging\", not {v}; using production"),
                ),
                None => {}
            }
        }

        if let Some(v) = map.get("user") {
            p.user = user(&mut c, v);
        }

        if let Some(v) = map.get("features") {
            if let Some(m) = c.object("features", v, &["search", "recorder", "auto_start"]) {
                let mut flag = |name: &str, slot: &mut bool| {
                    if let Some(b) = m
                        .get(name)
                        .and_then(|x| c.boolean(&format!("features.{name}"), x))
                    {
                        *slot = b;
                    }
                };
                flag("search", &mut p.features.search);
                flag("recorder", &mut p.features.recorder);
                flag("auto_start", &mut p.features.auto_start);
            }
        }

        if let Some(v) = map.get("support") {
            p.support = support(&mut c, v);
        }

        if let Some(v) = map.get("analytics") {
            if let Some(b) = v.get("incognito") {
                p.record_incognito = c.boolean("analytics.incognito", b).unwrap_or(false);
            }
            p.analytics = analytics(&mut c, v);
        }

        if let Some(v) = map.get("deep_link") {
            match v {
                Json::String(s) if s.is_empty() => p.deep_link = None,
                Json::String(s)
                    if s.len() <= 32
                        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
                {
                    p.deep_link = Some(s.clone())
                }
                Json::String(s) => c.bad(
                    "deep_link",
                    format!(
                        "`{s}` is not a parameter name (up to 32 letters, digits, - and _); using {DEFAULT_DEEP_LINK}"
                    ),
                ),
                other => c.wrong_type("deep_link", "a parameter name string", other),
            }
        }

        p.problems = c.problems;
        p
    }

    /// The keys that verify bundles from `source`: policy keys when named;
    /// otherwise the demo key, and only for the bytes packed in the extension.
    pub fn keys_for(&self, built_in: bool, demo_key: Option<&str>) -> KeyChoice {
        match (&self.trusted_keys, built_in, demo_key) {
            (Some(k), _, _) => KeyChoice::Policy(k.clone()),
            (None, true, Some(demo)) => KeyChoice::Demo(demo.to_string()),
            (None, _, _) => KeyChoice::None,
        }
    }
}

#[cfg(test)]
mod tests;
