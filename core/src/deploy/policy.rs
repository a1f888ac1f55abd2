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

/// Every key the policy may hold, in the order the options page shows them.
pub const KEYS: [&str; 10] = [
    "allowed_origins",
    "bundle_url",
    "update_interval_minutes",
    "trusted_keys",
    "environment",
    "user",
    "features",
    "support",
    "analytics",
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
        "analytics" => "an object: endpoint, auth and key strings, batch_size from 1 to 1000",
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
    pub problems: Vec<Problem>,
}

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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserPolicy {
    pub id: Option<String>,
    pub roles: Option<Vec<String>>,
    pub region: Option<String>,
    pub locale: Option<String>,
    /// Read from the host page where not given.
    pub from_page: Option<FromPage>,
    /// The browser profile's email as the id where not given
    /// (`chrome.identity.getProfileUserInfo`).
    pub from_profile: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FromPage {
    pub id: Option<PageField>,
    pub roles: Option<PageField>,
    pub region: Option<PageField>,
    pub locale: Option<PageField>,
}

impl FromPage {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.roles.is_none() && self.region.is_none() && self.locale.is_none()
    }
}

/// `CSS selector@attribute`: the attribute of the first matching element;
/// without `@attribute`, its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PageField {
    pub selector: String,
    pub attribute: Option<String>,
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

/// Reserved for the analytics issue: read and checked, not yet used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Analytics {
    pub endpoint: String,
    /// Sent as the `Authorization` header; never shown unmasked.
    pub auth: Option<String>,
    pub batch_size: u32,
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
            problems: Vec::new(),
        }
    }
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn bad(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.to_string(),
            message: message.into(),
        });
    }

    fn wrong_type(&mut self, key: &str, want: &str, got: &Json) {
        self.bad(key, format!("must be {want}, not {}", got.kind()));
    }

    fn string(&mut self, key: &str, v: &Json) -> Option<String> {
        match v {
            Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Json::String(_) => {
                self.bad(key, "is empty");
                None
            }
            other => {
                self.wrong_type(key, "a string", other);
                None
            }
        }
    }

    fn strings(&mut self, key: &str, v: &Json) -> Option<Vec<String>> {
        let Json::Array(items) = v else {
            self.wrong_type(key, "an array of strings", v);
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.string(&format!("{key}[{i}]"), item) {
                out.push(s);
            }
        }
        Some(out)
    }

    fn boolean(&mut self, key: &str, v: &Json) -> Option<bool> {
        match v {
            Json::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other);
                None
            }
        }
    }

    fn object<'a>(
        &mut self,
        key: &str,
        v: &'a Json,
        known: &[&str],
    ) -> Option<&'a std::collections::BTreeMap<String, Json>> {
        let Json::Object(m) = v else {
            self.wrong_type(key, "an object", v);
            return None;
        };
        for k in m.keys() {
            if !known.contains(&k.as_str()) {
                self.bad(
                    &format!("{key}.{k}"),
                    format!("is not a key Waymark knows (known: {})", known.join(", ")),
                );
            }
        }
        Some(m)
    }
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
            p.analytics = analytics(&mut c, v);
        }

        p.problems = c.problems;
        p
    }

    /// The policy as the options page shows it: secrets masked.
    pub fn masked(&self) -> Json {
        let mut out = vec![
            (
                "allowed_origins",
                Json::Array(self.allowed_origins.iter().map(Json::str).collect()),
            ),
            (
                "bundle_url",
                match &self.bundle {
                    BundleSource::BuiltIn => Json::Null,
                    BundleSource::Remote { url } => Json::str(mask_url(url)),
                    BundleSource::Invalid => Json::str("(invalid)"),
                },
            ),
            (
                "update_interval_minutes",
                Json::Number(self.update_interval_minutes as f64),
            ),
            (
                "trusted_keys",
                match &self.trusted_keys {
                    None => Json::Null,
                    Some(k) => Json::Array(k.iter().map(|k| Json::str(key_id(k))).collect()),
                },
            ),
            ("environment", Json::str(self.environment.as_str())),
        ];
        let u = &self.user;
        let mut user = Vec::new();
        if let Some(id) = &u.id {
            user.push(("id", Json::str(id)));
        }
        if let Some(r) = &u.roles {
            user.push(("roles", Json::Array(r.iter().map(Json::str).collect())));
        }
        if let Some(r) = &u.region {
            user.push(("region", Json::str(r)));
        }
        if let Some(l) = &u.locale {
            user.push(("locale", Json::str(l)));
        }
        if let Some(fp) = &u.from_page {
            let f = |x: &Option<PageField>| match x {
                Some(p) => Json::str(p.to_string()),
                None => Json::Null,
            };
            user.push((
                "from_page",
                Json::object([
                    ("id", f(&fp.id)),
                    ("roles", f(&fp.roles)),
                    ("region", f(&fp.region)),
                    ("locale", f(&fp.locale)),
                ]),
            ));
        }
        if u.from_profile {
            user.push(("from_profile", Json::Bool(true)));
        }
        out.push(("user", Json::object(user)));
        out.push((
            "features",
            Json::object([
                ("search", Json::Bool(self.features.search)),
                ("recorder", Json::Bool(self.features.recorder)),
                ("auto_start", Json::Bool(self.features.auto_start)),
            ]),
        ));
        out.push((
            "support",
            match &self.support {
                Some(s) => Json::object([("name", Json::str(&s.name)), ("url", Json::str(&s.url))]),
                None => Json::Null,
            },
        ));
        out.push((
            "analytics",
            match &self.analytics {
                Some(a) => Json::object([
                    ("endpoint", Json::str(mask_url(&a.endpoint))),
                    (
                        "auth",
                        match &a.auth {
                            Some(s) => Json::str(mask_secret(s)),
                            None => Json::Null,
                        },
                    ),
                    ("batch_size", Json::Number(a.batch_size as f64)),
                ]),
                None => Json::Null,
            },
        ));
        Json::object(out)
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

/// Which keys verify a bundle, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyChoice {
    Policy(Vec<String>),
    Demo(String),
    /// No key applies (a download with no `trusted_keys` in policy).
    None,
}

/// Checks `bundle_url`: https, or http to a loopback host (demos, tests).
pub fn check_bundle_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err("it is not an absolute URL (https://…)".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err("it has no host".into());
    }
    if authority.contains('@') {
        return Err("it has a user name or password in it; use `analytics.auth`-style headers on the server side instead".into());
    }
    let host = origins::split_authority(authority).0;
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(format!(
            "plain http is only for loopback (127.0.0.1, localhost); serve `{host}` over https"
        )),
        other => Err(format!("the scheme `{other}` is not https")),
    }
}

pub fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

/// A short, stable id for a public key: its first 8 base64 characters.
pub fn key_id(key: &str) -> String {
    key.chars().take(8).collect()
}

/// The URL without query or credentials (a token in a query string stays
/// off the options page and out of copied diagnostics).
pub fn mask_url(url: &str) -> String {
    match url.find(['?', '#']) {
        Some(i) => format!("{}?…", &url[..i]),
        None => url.to_string(),
    }
}

pub fn mask_secret(s: &str) -> String {
    let scheme = s.split_once(' ').map(|(a, _)| a).filter(|a| a.len() < 12);
    match scheme {
        Some(a) => format!("{a} ••••••• ({} characters)", s.len()),
        None => format!("••••••• ({} characters)", s.len()),
    }
}

impl std::fmt::Display for PageField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.attribute {
            Some(a) => write!(f, "{}@{a}", self.selector),
            None => f.write_str(&self.selector),
        }
    }
}

impl PageField {
    /// `selector@attribute`; the last `@` followed by an attribute name
    /// splits them (an `@` inside a quoted attribute value does not).
    pub fn parse(text: &str) -> Result<PageField, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty; write `CSS selector@attribute`".into());
        }
        if text.len() > 500 {
            return Err("is longer than 500 characters".into());
        }
        let (selector, attribute) = match text.rfind('@') {
            Some(i)
                if is_attribute_name(text[i + 1..].trim())
                    && !text[i + 1..].contains([']', '"', '\'']) =>
            {
                (text[..i].trim(), Some(text[i + 1..].trim().to_string()))
            }
            _ => (text, None),
        };
        if selector.is_empty() {
            return Err(format!("`{text}` has no CSS selector before the `@`"));
        }
        Ok(PageField {
            selector: selector.to_string(),
            attribute,
        })
    }
}

fn is_attribute_name(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
}

fn user(c: &mut Checker, v: &Json) -> UserPolicy {
    let mut u = UserPolicy::default();
    let Some(m) = c.object(
        "user",
        v,
        &[
            "id",
            "roles",
            "region",
            "locale",
            "from_page",
            "from_profile",
        ],
    ) else {
        return u;
    };
    if let Some(x) = m.get("id") {
        u.id = c.string("user.id", x);
    }
    if let Some(x) = m.get("roles") {
        u.roles = c.strings("user.roles", x);
    }
    if let Some(x) = m.get("region") {
        u.region = c.string("user.region", x);
    }
    if let Some(x) = m.get("locale") {
        u.locale = c.string("user.locale", x);
    }
    if let Some(x) = m.get("from_page") {
        if let Some(fp) = c.object("user.from_page", x, &["id", "roles", "region", "locale"]) {
            let mut field = |name: &str| {
                let key = format!("user.from_page.{name}");
                let text = c.string(&key, fp.get(name)?)?;
                PageField::parse(&text).map_err(|e| c.bad(&key, e)).ok()
            };
            let page = FromPage {
                id: field("id"),
                roles: field("roles"),
                region: field("region"),
                locale: field("locale"),
            };
            if !page.is_empty() {
                u.from_page = Some(page);
            }
        }
    }
    if let Some(x) = m.get("from_profile") {
        u.from_profile = c.boolean("user.from_profile", x).unwrap_or(false);
    }
    u
}

fn support(c: &mut Checker, v: &Json) -> Option<Support> {
    let m = c.object("support", v, &["name", "url"])?;
    let name = match m.get("name") {
        Some(x) => c.string("support.name", x)?,
        None => {
            c.bad(
                "support.name",
                "is missing: name who helps (\"IT service desk\")",
            );
            return None;
        }
    };
    let url = match m.get("url") {
        Some(x) => c.string("support.url", x)?,
        None => {
            c.bad("support.url", "is missing: give an https: or mailto: link");
            return None;
        }
    };
    let ok = url
        .strip_prefix("https://")
        .is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        || url.strip_prefix("mailto:").is_some_and(|r| r.contains('@'));
    if !ok {
        c.bad(
            "support.url",
            format!("`{url}` is not an https: or mailto: link"),
        );
        return None;
    }
    Some(Support {
        name: name.chars().take(80).collect(),
        url,
    })
}

fn analytics(c: &mut Checker, v: &Json) -> Option<Analytics> {
    let m = c.object("analytics", v, &["endpoint", "auth", "batch_size", "key"])?;
    let endpoint = c.string("analytics.endpoint", m.get("endpoint")?)?;
    if let Err(e) = check_bundle_url(&endpoint) {
        c.bad(
            "analytics.endpoint",
            format!("`{}`: {e}", mask_url(&endpoint)),
        );
        return None;
    }
    let auth = m.get("auth").and_then(|x| c.string("analytics.auth", x));
    let batch_size = match m.get("batch_size") {
        None => 50,
        Some(Json::Number(n)) if n.fract() == 0.0 && (1.0..=1000.0).contains(n) => *n as u32,
        Some(other) => {
            c.bad(
                "analytics.batch_size",
                format!("must be a whole number from 1 to 1000, not {other}; using 50"),
            );
            50
        }
    };
    Some(Analytics {
        endpoint,
        auth,
        batch_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Policy {
        Policy::from_json(&serde_json::from_str::<Json>(text).unwrap())
    }

    #[test]
    fn no_policy_is_the_demo_default() {
        for raw in ["null", "{}"] {
            let p = parse(raw);
            assert!(!p.managed);
            assert_eq!(p.allowed_origins, LOOPBACK.map(String::from).to_vec());
            assert_eq!(p.bundle, BundleSource::BuiltIn);
            assert_eq!(p.trusted_keys, None);
            assert!(p.features.recorder && p.features.search && p.features.auto_start);
            assert!(p.problems.is_empty());
        }
    }

    #[test]
    fn a_full_policy() {
        let p = parse(
            r##"{
            "allowed_origins": ["https://crm.acme.example", "https://*.acme.example"],
            "bundle_url": "https://cdn.acme.example/waymark/content.wmb?token=s3cret",
            "update_interval_minutes": 30,
            "trusted_keys": ["8A5QbBvGDs8lbYCXEIcm23R22tlFsVBk+2yp1B9uoAM="],
            "environment": "staging",
            "user": { "from_page": { "id": "#me@data-user-id", "roles": "meta[name=roles]@content", "region": "#me" } },
            "features": { "search": false },
            "support": { "name": "IT service desk", "url": "mailto:it@acme.example" },
            "analytics": { "endpoint": "https://lrs.acme.example/xapi", "auth": "Basic dXNlcjpwYXNz", "batch_size": 20 }
        }"##,
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.allowed_origins.len(), 2);
        assert_eq!(p.update_interval_minutes, 30);
        assert_eq!(p.environment, Env::Staging);
        assert!(!p.features.search && !p.features.recorder && p.features.auto_start);
        let fp = p.user.from_page.as_ref().unwrap();
        assert_eq!(
            fp.id,
            Some(PageField {
                selector: "#me".into(),
                attribute: Some("data-user-id".into())
            })
        );
        assert_eq!(fp.region.as_ref().unwrap().attribute, None);
        let shown = p.masked().to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("dXNlcjpwYXNz"), "{shown}");
        assert!(shown.contains("Basic •••"), "{shown}");
        assert!(shown.contains("\"8A5QbBvG\""), "{shown}");
    }

    #[test]
    fn bad_values_never_loosen() {
        let p = parse(r#"{ "trusted_keys": "8A5QbBvGDs8lbYCXEIcm23R22tlFsVBk+2yp1B9uoAM=" }"#);
        assert_eq!(p.trusted_keys, Some(vec![]), "a wrong type trusts nothing");
        let p = parse(r#"{ "trusted_keys": [] }"#);
        assert_eq!(p.trusted_keys, Some(vec![]));
        assert!(p.problems[0].message.contains("no usable key"));
        let p = parse(r#"{ "allowed_origins": ["https://*", 7] }"#);
        assert!(p.allowed_origins.is_empty(), "bad entries allow nothing");
        assert_eq!(p.problems.len(), 2);
        let p = parse(r#"{ "bundle_url": "http://cdn.acme.example/c.wmb" }"#);
        assert_eq!(p.bundle, BundleSource::Invalid);
        assert!(p.problems[0].message.contains("only for loopback"));
        assert_eq!(
            parse(r#"{ "bundle_url": "http://127.0.0.1:9/c.wmb" }"#).bundle,
            BundleSource::Remote {
                url: "http://127.0.0.1:9/c.wmb".into()
            }
        );
        let p = parse(r#"[1]"#);
        assert!(p.managed && p.allowed_origins.is_empty() && p.trusted_keys == Some(vec![]));
    }

    #[test]
    fn every_problem_names_its_key() {
        let p = parse(
            r#"{
            "update_interval_minutes": 2,
            "environment": "prod",
            "user": { "id": 5, "from_page": { "id": "@data-id" }, "nickname": "x" },
            "features": { "search": "yes" },
            "support": { "name": "Desk", "url": "http://help.acme.example" },
            "analytics": { "endpoint": "https://lrs.example", "batch_size": 0 },
            "bundle_ur": "https://x.example/c.wmb"
        }"#,
        );
        let keys: Vec<&str> = p.problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "bundle_ur",
                "update_interval_minutes",
                "environment",
                "user.nickname",
                "user.id",
                "user.from_page.id",
                "features.search",
                "support.url",
                "analytics.batch_size",
            ]
        );
        assert_eq!(p.update_interval_minutes, DEFAULT_INTERVAL_MINUTES);
        assert_eq!(p.environment, Env::Production);
        assert!(p.features.search);
    }

    #[test]
    fn keys_chromium_dropped_are_named_and_fail_closed() {
        // Chromium dropped trusted_keys, allowed_origins and the interval.
        let p = parse(
            r#"{ "_keys": ["trusted_keys", "allowed_origins", "update_interval_minutes", "bundle_url"],
                 "bundle_url": "https://cdn.acme.example/c.wmb" }"#,
        );
        assert_eq!(p.trusted_keys, Some(vec![]));
        assert!(p.allowed_origins.is_empty());
        let msgs: Vec<String> = p
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.key, p.message))
            .collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[2].starts_with("update_interval_minutes: was set but did not arrive"),
            "{msgs:?}"
        );
        assert!(
            msgs[2].contains("a whole number from 5 to 1440"),
            "{msgs:?}"
        );
    }

    #[test]
    fn the_schema_declares_exactly_the_policy_keys() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../../extension/managed_schema.json")).unwrap();
        let declared: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut known = KEYS.to_vec();
        known.sort_unstable();
        let mut declared = declared;
        declared.sort_unstable();
        assert_eq!(declared, known);
    }

    #[test]
    fn page_fields() {
        let f = PageField::parse("meta[name=\"user@id\"]").unwrap();
        assert_eq!(
            f.attribute, None,
            "an @ inside a quoted value is part of the selector"
        );
        let f = PageField::parse("header .user [data-x] @ data-user-id").unwrap();
        assert_eq!(f.selector, "header .user [data-x]");
        assert!(PageField::parse("").is_err());
    }

    #[test]
    fn keys_for_each_source() {
        let none = Policy::default();
        assert_eq!(none.keys_for(true, Some("D")), KeyChoice::Demo("D".into()));
        assert_eq!(none.keys_for(false, Some("D")), KeyChoice::None);
        let named =
            parse(r#"{ "trusted_keys": ["8A5QbBvGDs8lbYCXEIcm23R22tlFsVBk+2yp1B9uoAM="] }"#);
        assert!(matches!(
            named.keys_for(true, Some("D")),
            KeyChoice::Policy(_)
        ));
    }
}
