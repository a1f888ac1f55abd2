//! `applies_to` URL patterns: which content belongs to the screen the user is on.
//!
//! A pattern is a glob where `*` matches any run of characters:
//! - `https://crm.acme.example/deals/*` matches the whole URL (scheme, host,
//!   port, path, query, fragment);
//! - `/crm/deals*` (starting with `/`) matches the path alone, on any origin the
//!   extension acts on; add `?…` or `#…` to the pattern to match the query or
//!   the fragment too (hash-routed apps).

/// The parts of a URL the matcher needs. Hand-split: the `url` crate would cost
/// wasm size for no gain here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    pub origin: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub fragment: &'a str,
}

pub fn split(url: &str) -> UrlParts<'_> {
    let (before_frag, fragment) = match url.find('#') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let (before_query, query) = match before_frag.find('?') {
        Some(i) => (&before_frag[..i], &before_frag[i..]),
        None => (before_frag, ""),
    };
    let after_scheme = before_query.find("://").map(|i| i + 3).unwrap_or(0);
    let (origin, path) = match before_query[after_scheme..].find('/') {
        Some(i) => before_query.split_at(after_scheme + i),
        None => (before_query, "/"),
    };
    UrlParts {
        origin,
        path,
        query,
        fragment,
    }
}

/// The origin of `url` (`http://127.0.0.1:8080`).
pub fn origin(url: &str) -> &str {
    split(url).origin
}

/// Does `url` match `pattern`?
pub fn matches(pattern: &str, url: &str) -> bool {
    if pattern.contains("://") {
        return glob(pattern, url);
    }
    let p = split(url);
    let mut subject = String::with_capacity(url.len());
    subject.push_str(p.path);
    if pattern.contains('?') || pattern.contains('#') {
        subject.push_str(p.query);
    }
    if pattern.contains('#') {
        subject.push_str(p.fragment);
    }
    glob(pattern, &subject)
}

/// Does any of `patterns` match? An empty list matches everything.
pub fn any_matches(patterns: &[String], url: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| matches(p, url))
}

/// Checks a bundle scope entry: `scheme://host[:port]`, where `*` may stand
/// for a host label run (`https://*.acme.example`) or the port
/// (`http://127.0.0.1:*`). No path: scope is about origins.
pub fn check_origin_pattern(pattern: &str) -> Result<(), OriginPatternError> {
    let p = pattern.trim();
    let Some((scheme, rest)) = p.split_once("://") else {
        return Err(OriginPatternError::NoScheme);
    };
    if scheme != "https" && scheme != "http" {
        return Err(OriginPatternError::Scheme(scheme.to_string()));
    }
    if rest.is_empty() {
        return Err(OriginPatternError::NoHost);
    }
    if rest.contains(['/', '?', '#', '@']) {
        return Err(OriginPatternError::NotAnOrigin);
    }
    if rest == "*" || rest.starts_with("*:") {
        return Err(OriginPatternError::EveryHost);
    }
    Ok(())
}

/// What is wrong with an origin pattern; the message says how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginPatternError {
    NoScheme,
    Scheme(String),
    NoHost,
    NotAnOrigin,
    EveryHost,
}

impl std::fmt::Display for OriginPatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginPatternError::NoScheme => f.write_str("it has no scheme"),
            OriginPatternError::Scheme(s) => write!(f, "the scheme `{s}` is not http or https"),
            OriginPatternError::NoHost => f.write_str("it has no host"),
            OriginPatternError::NotAnOrigin => {
                f.write_str("it has a path, query or user part; scope is origins only")
            }
            OriginPatternError::EveryHost => {
                f.write_str("it matches every host; name the app's host")
            }
        }
    }
}

impl std::error::Error for OriginPatternError {}

/// Is `url`'s origin inside `scope` (patterns checked by
/// [`check_origin_pattern`])? Ports count: `https://a.example` does not
/// cover `https://a.example:8443`.
pub fn in_scope(scope: &[String], url: &str) -> bool {
    let o = origin(url);
    match o.split_once("://") {
        Some((_, authority)) if !authority.is_empty() && !authority.contains(['@', '/']) => {}
        _ => return false,
    }
    scope.iter().any(|p| glob(p.trim(), o))
}

/// Does `text` match `pattern`, where `*` matches any run of characters?
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    glob(pattern, text)
}

/// Iterative glob with `*` only: linear in practice, no recursion, so a hostile
/// pattern cannot blow the stack.
fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// A deep link's parameter in `url` (`#waymark=create-deal`, a hash
/// route's `#/deals?waymark=…`, or the query's `?waymark=…`): its value,
/// and the URL without it (an emptied `?` or `#` goes too). The fragment
/// is looked at first. Values longer than 100 characters are not links.
pub fn take_param(url: &str, name: &str) -> Option<(String, String)> {
    if name.is_empty() {
        return None;
    }
    let parts = split(url);
    let base = &url[..url.len() - parts.query.len() - parts.fragment.len()];
    // In a part (`?…` or `#…`), the pair at a boundary: the part's start,
    // or after `?`, `&` or `#`.
    let find = |part: &str| -> Option<(String, String)> {
        let key = format!("{name}=");
        let mut from = 0;
        while let Some(at) = part[from..].find(&key).map(|i| i + from) {
            let boundary = at == 0 || matches!(part.as_bytes()[at - 1], b'?' | b'&' | b'#');
            if boundary {
                let start = at + key.len();
                let end = part[start..].find('&').map_or(part.len(), |i| i + start);
                let value = part[start..end].to_string();
                if value.is_empty() || value.len() > 100 {
                    return None;
                }
                // Drop the pair and one `&` beside it.
                let (cut_from, cut_to) = if end < part.len() {
                    (at, end + 1)
                } else if at > 0 && part.as_bytes()[at - 1] == b'&' {
                    (at - 1, end)
                } else {
                    (at, end)
                };
                let mut rest = format!("{}{}", &part[..cut_from], &part[cut_to..]);
                if rest.ends_with('?') {
                    rest.pop();
                }
                if rest == "#" || rest == "?" {
                    rest.clear();
                }
                return Some((value, rest));
            }
            from = at + 1;
        }
        None
    };
    if let Some((v, frag)) = find(parts.fragment) {
        return Some((v, format!("{base}{}{frag}", parts.query)));
    }
    let (v, query) = find(parts.query)?;
    Some((v, format!("{base}{query}{}", parts.fragment)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_is_about_origins() {
        let scope = vec![
            "https://*.acme.example".to_string(),
            "http://127.0.0.1:*".to_string(),
        ];
        assert!(in_scope(&scope, "https://crm.acme.example/deals?x=1"));
        assert!(in_scope(&scope, "http://127.0.0.1:4242/pos"));
        assert!(!in_scope(&scope, "https://acme.example.evil.example/"));
        assert!(!in_scope(&scope, "https://crm.acme.example:8443/"));
        assert!(!in_scope(&scope, "http://localhost:4242/"));
        assert!(!in_scope(&[], "https://crm.acme.example/"));
        assert!(check_origin_pattern("https://crm.acme.example").is_ok());
        for bad in [
            "crm.acme.example",
            "ftp://x",
            "https://x/path",
            "https://*",
            "https://",
        ] {
            assert!(check_origin_pattern(bad).is_err(), "{bad}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn splits_urls() {
        let p = split("http://127.0.0.1:8080/crm/deals/new?x=1#top");
        assert_eq!(p.origin, "http://127.0.0.1:8080");
        assert_eq!(p.path, "/crm/deals/new");
        assert_eq!(p.query, "?x=1");
        assert_eq!(p.fragment, "#top");
        assert_eq!(split("http://a.example").path, "/");
    }

    #[test]
    fn path_patterns() {
        let u = "http://127.0.0.1:41234/crm/deals/new?draft=1";
        assert!(matches("/crm/deals*", u));
        assert!(matches("/crm/*", u));
        assert!(!matches("/crm/deals", u));
        assert!(matches("/crm/deals/new", u));
        assert!(!matches("/pos/*", u));
        assert!(matches("/crm/deals/new?draft=*", u));
        assert!(matches("/app#/settings*", "http://h/app#/settings/users"));
    }

    #[test]
    fn full_url_patterns() {
        assert!(matches(
            "http://127.0.0.1:*/pos/*",
            "http://127.0.0.1:9/pos/refunds"
        ));
        assert!(!matches(
            "https://*/pos/*",
            "http://127.0.0.1:9/pos/refunds"
        ));
        assert!(any_matches(&[], "http://x/"));
    }

    proptest! {
        #[test]
        fn star_matches_everything(s in ".{0,60}") {
            prop_assert!(glob("*", &s));
            let pat = format!("*{s}");
            prop_assert!(glob(&pat, &s));
            prop_assert!(glob(&s.replace('*', ""), &s.replace('*', "")));
        }

        #[test]
        fn pathological_patterns_finish(n in 1usize..200) {
            let pat = "*a".repeat(n) + "b";
            let text = "a".repeat(n * 2);
            prop_assert!(!glob(&pat, &text));
        }
    }

    #[test]
    fn deep_link_params_are_taken_out_of_fragment_or_query() {
        let t = |u: &str| take_param(u, "waymark");
        assert_eq!(
            t("https://crm.example/deals#waymark=create-deal"),
            Some(("create-deal".into(), "https://crm.example/deals".into()))
        );
        assert_eq!(
            t("https://crm.example/deals?tab=2#waymark=create-deal&x=1"),
            Some((
                "create-deal".into(),
                "https://crm.example/deals?tab=2#x=1".into()
            ))
        );
        assert_eq!(
            t("https://crm.example/#/deals?waymark=a1&b=2"),
            Some(("a1".into(), "https://crm.example/#/deals?b=2".into()))
        );
        assert_eq!(
            t("https://crm.example/#/deals?b=2&waymark=a1"),
            Some(("a1".into(), "https://crm.example/#/deals?b=2".into()))
        );
        assert_eq!(
            t("https://crm.example/#/deals?waymark=a1"),
            Some(("a1".into(), "https://crm.example/#/deals".into()))
        );
        assert_eq!(
            t("https://crm.example/deals?waymark=refund-policy&q=1#top"),
            Some((
                "refund-policy".into(),
                "https://crm.example/deals?q=1#top".into()
            ))
        );
        assert_eq!(
            t("https://crm.example/deals?waymark=x"),
            Some(("x".into(), "https://crm.example/deals".into()))
        );
        assert_eq!(t("https://crm.example/deals?notwaymark=x"), None);
        assert_eq!(t("https://crm.example/deals#waymark="), None);
        assert_eq!(t("https://crm.example/deals"), None);
        assert_eq!(
            take_param("https://crm.example/#help=x", "help").map(|p| p.0),
            Some("x".into())
        );
        assert_eq!(take_param("https://crm.example/#help=x", ""), None);
    }

    proptest::proptest! {
        /// Whatever a page's URL holds: no panic, and what comes back is
        /// the URL without the pair (shorter, the value inside it).
        #[test]
        fn take_param_is_total(url in "[a-z:/#?&=.é-]{0,40}", name in "[a-z]{0,3}") {
            if let Some((v, rest)) = take_param(&url, &name) {
                proptest::prop_assert!(rest.len() < url.len());
                let pair = format!("{}={}", name, v);
                proptest::prop_assert!(url.contains(&pair));
            }
        }
    }
}
