//! Where Waymark may run: policy `allowed_origins` intersected with the
//! signed bundle's `scope`, and the Chromium match patterns that register the
//! agent for exactly those origins (`chrome.scripting.registerContentScripts`).
//!
//! An origin pattern is `scheme://host[:port]` (`urlmatch::check_origin_pattern`).
//! Policy patterns are further limited to what a Chromium match pattern can say
//! exactly, so the browser injects the agent where the engine would act and
//! nowhere else: the host is a name or `*.` followed by a name, the port is a
//! number or `*`, and no port means the scheme's default port.
//!
//! ```text
//!  allowed_origins ─┐                              ┌─▶ matches        https://*.acme.example/*
//!                   ├─ intersect (pattern ⊆ pattern)┤
//!  bundle scope ────┘                              └─▶ exclude_matches https://acme.example/*
//! ```
//!
//! Chromium's `*.acme.example` also matches `acme.example` itself, and a
//! match pattern without a port matches every port
//! (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns);
//! the apex is excluded here, and the engine checks the port on every page.

use serde::{Deserialize, Serialize};

use crate::urlmatch;

/// Origins the demo runs on when no policy names any: loopback, any port.
pub const LOOPBACK: [&str; 2] = ["http://127.0.0.1:*", "http://localhost:*"];

/// Checks one `allowed_origins` entry; the error says what is wrong with it.
pub fn check_policy_origin(pattern: &str) -> Result<(), String> {
    urlmatch::check_origin_pattern(pattern).map_err(|e| e.to_string())?;
    let (_, authority) = pattern.split_once("://").unwrap_or(("", pattern));
    let (host, port) = split_authority(authority);
    let name = host.strip_prefix("*.").unwrap_or(host);
    if name.is_empty() || name.contains('*') {
        return Err(
            "`*` may only stand for subdomains at the start of the host (`https://*.acme.example`)"
                .into(),
        );
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'[' | b']' | b':'))
    {
        return Err(format!(
            "the host `{name}` has characters a host name cannot have"
        ));
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "write the host in lower case (`{}`), as browsers do",
            name.to_ascii_lowercase()
        ));
    }
    match port {
        None | Some("*") => Ok(()),
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        Some(p) => Err(format!("the port `{p}` is not a number or `*`")),
    }
}

/// `host[:port]`, minding IPv6 brackets.
pub(crate) fn split_authority(authority: &str) -> (&str, Option<&str>) {
    let after_bracket = authority.rfind(']').map_or(0, |i| i + 1);
    match authority[after_bracket..].rfind(':') {
        Some(i) => {
            let i = after_bracket + i;
            (&authority[..i], Some(&authority[i + 1..]))
        }
        None => (authority, None),
    }
}

/// Does every origin `inner` matches also match `outer`? Sound for `*`-only
/// globs: `outer`'s stars may absorb `inner`'s, but a literal in `outer`
/// never matches a star in `inner`.
pub fn covers(outer: &str, inner: &str) -> bool {
    urlmatch::glob_matches(outer.trim(), inner.trim())
}

/// The origin patterns where both `allowed` and `scope` let Waymark act.
/// Where neither pattern contains the other the pair is left out (a
/// narrower result, never a wider one).
pub fn intersect(allowed: &[String], scope: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |p: &str| {
        if !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    };
    for a in allowed {
        if scope.iter().any(|s| covers(s, a)) {
            push(a);
            continue;
        }
        for s in scope {
            if covers(a, s) && check_policy_origin(s).is_ok() {
                push(s);
            }
        }
    }
    out
}

/// The allowed origins `scope` does not cover (a downloaded bundle must
/// cover them all).
pub fn uncovered<'a>(allowed: &'a [String], scope: &[String]) -> Vec<&'a str> {
    allowed
        .iter()
        .filter(|a| !scope.iter().any(|s| covers(s, a)))
        .map(String::as_str)
        .collect()
}

/// Chromium match patterns for the agent's registration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub matches: Vec<String>,
    pub exclude_matches: Vec<String>,
}

/// Match patterns for origin patterns checked by [`check_policy_origin`]
/// (others are skipped: they cannot be said exactly).
pub fn registration(origins: &[String]) -> Registration {
    let mut r = Registration::default();
    for o in origins {
        if check_policy_origin(o).is_err() {
            continue;
        }
        let (scheme, authority) = o.trim().split_once("://").unwrap_or(("", ""));
        let (host, port) = split_authority(authority);
        let port = match port {
            Some("*") | None => String::new(),
            Some(p) => format!(":{p}"),
        };
        let m = format!("{scheme}://{host}{port}/*");
        if !r.matches.contains(&m) {
            r.matches.push(m);
        }
        if let Some(apex) = host.strip_prefix("*.") {
            let x = format!("{scheme}://{apex}{port}/*");
            // Unless the apex itself is allowed too.
            let apex_allowed = origins.iter().any(|p| {
                let p = p.trim();
                p == format!("{scheme}://{apex}") || p == format!("{scheme}://{apex}:*")
            });
            if !apex_allowed && !r.exclude_matches.contains(&x) {
                r.exclude_matches.push(x);
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn policy_origins_are_what_chromium_can_match() {
        for ok in [
            "https://crm.acme.example",
            "https://*.acme.example",
            "http://127.0.0.1:*",
            "http://localhost:8080",
            "http://[::1]:*",
        ] {
            assert_eq!(check_policy_origin(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("https://crm-*.acme.example", "subdomains"),
            ("https://CRM.acme.example", "lower case"),
            ("https://crm.acme.example:http", "port"),
            ("https://crm.acme.example/deals", "path"),
            ("ftp://crm.acme.example", "scheme"),
            ("https://*", "every host"),
        ] {
            let e = check_policy_origin(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn intersection_keeps_the_narrower_pattern() {
        let scope = v(&["https://*.acme.example", "http://127.0.0.1:*"]);
        assert_eq!(
            intersect(&v(&["https://crm.acme.example"]), &scope),
            v(&["https://crm.acme.example"])
        );
        assert_eq!(
            intersect(&v(&["https://*.example"]), &scope),
            v(&["https://*.acme.example"])
        );
        assert!(intersect(&v(&["https://hr.other.example"]), &scope).is_empty());
        assert_eq!(
            uncovered(&v(&["https://crm.acme.example", "https://x.other"]), &scope),
            vec!["https://x.other"]
        );
    }

    #[test]
    fn registration_patterns() {
        let r = registration(&v(&[
            "https://*.acme.example",
            "http://127.0.0.1:*",
            "http://localhost:8080",
        ]));
        assert_eq!(
            r.matches,
            v(&[
                "https://*.acme.example/*",
                "http://127.0.0.1/*",
                "http://localhost:8080/*"
            ])
        );
        assert_eq!(r.exclude_matches, v(&["https://acme.example/*"]));
        let r = registration(&v(&["https://*.acme.example", "https://acme.example"]));
        assert!(r.exclude_matches.is_empty());
    }

    proptest! {
        /// Containment is sound: whatever `inner` matches, `outer` matches.
        #[test]
        fn covers_is_sound(
            outer in "(https://)?[a*.]{0,6}(\\.ex)?",
            inner in "(https://)?[a*.]{0,6}(\\.ex)?",
            fill in "[a.]{0,4}",
        ) {
            if covers(&outer, &inner) {
                let text = inner.replace('*', &fill);
                prop_assert!(urlmatch::glob_matches(&outer, &text), "{outer} ⊇ {inner} but not {text}");
            }
        }
    }
}
