//! The policy as the options page and copied diagnostics show it: secrets
//! and query strings masked, keys shown by id.

use super::*;

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

impl Policy {
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
            "deep_link",
            self.deep_link.as_deref().map_or(Json::Null, Json::str),
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
                    (
                        "key",
                        match &a.key {
                            Some(s) => Json::str(mask_secret(s)),
                            None => Json::Null,
                        },
                    ),
                    ("identify", Json::Bool(a.identify)),
                    ("incognito", Json::Bool(self.record_incognito)),
                ]),
                None if self.record_incognito => Json::object([("incognito", Json::Bool(true))]),
                None => Json::Null,
            },
        ));
        Json::object(out)
    }
}
