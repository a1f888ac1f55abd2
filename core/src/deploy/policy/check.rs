//! Checking values key by key (the [`Checker`] collects a [`Problem`] per
//! value it cannot use), and the rules for URLs and the smaller objects.

use super::*;

pub(super) struct Checker {
    pub(super) problems: Vec<Problem>,
}

impl Checker {
    pub(super) fn bad(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.to_string(),
            message: message.into(),
        });
    }

    pub(super) fn wrong_type(&mut self, key: &str, want: &str, got: &Json) {
        self.bad(key, format!("must be {want}, not {}", got.kind()));
    }

    pub(super) fn string(&mut self, key: &str, v: &Json) -> Option<String> {
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

    pub(super) fn strings(&mut self, key: &str, v: &Json) -> Option<Vec<String>> {
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

    pub(super) fn boolean(&mut self, key: &str, v: &Json) -> Option<bool> {
        match v {
            Json::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other);
                None
            }
        }
    }

    pub(super) fn object<'a>(
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

pub(super) fn support(c: &mut Checker, v: &Json) -> Option<Support> {
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

pub(super) fn analytics(c: &mut Checker, v: &Json) -> Option<Analytics> {
    let m = c.object(
        "analytics",
        v,
        &[
            "endpoint",
            "auth",
            "batch_size",
            "key",
            "identify",
            "incognito",
        ],
    )?;
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
    let key = m.get("key").and_then(|x| c.string("analytics.key", x));
    let identify = m
        .get("identify")
        .and_then(|x| c.boolean("analytics.identify", x))
        .unwrap_or(false);
    Some(Analytics {
        endpoint,
        auth,
        batch_size,
        key,
        identify,
    })
}
