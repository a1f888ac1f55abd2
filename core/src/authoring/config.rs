//! `waymark.toml`: review cycle, locales and fallbacks, media hosts, the
//! bundle's scope and expiry.

use super::*;

/// A content folder's settings, from `waymark.toml` (all optional).
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub review_cycle_days: u32,
    pub locales: Locales,
    /// Hosts images and video may come from.
    pub media_hosts: Vec<String>,
    /// Origins (glob patterns like `https://*.acme.example`) the bundle may
    /// act on; written into the signed manifest.
    pub scope: Vec<String>,
    pub expires_after_days: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            review_cycle_days: 90,
            locales: Locales {
                source: "en".into(),
                translated: BTreeMap::new(),
            },
            media_hosts: Vec::new(),
            scope: Vec::new(),
            expires_after_days: 90,
        }
    }
}

pub(super) fn compile_config(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Config {
    let mut config = Config::default();
    let src: ConfigSrc = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(
                file,
                text,
                e.span().unwrap_or(0..0),
                message,
                hint,
            ));
            return config;
        }
    };
    let cx = Cx {
        file,
        text,
        config: &config,
    };
    let mut days = |v: &Option<Spanned<i64>>, what: &str, into: &mut u32| {
        if let Some(v) = v {
            match u32::try_from(*v.get_ref()) {
                Ok(d) if (1..=3650).contains(&d) => *into = d,
                _ => cx.err(
                    diags,
                    v.span(),
                    format!("`{what}` must be a number of days from 1 to 3650"),
                    "for example 90",
                ),
            }
        }
    };
    let mut cycle = config.review_cycle_days;
    days(&src.review_cycle_days, "review_cycle_days", &mut cycle);
    let mut expires = config.expires_after_days;
    if let Some(b) = &src.bundle {
        days(&b.expires_after_days, "expires_after_days", &mut expires);
    }
    let mut locales = config.locales.clone();
    if let Some(l) = &src.locales {
        if let Some(s) = &l.source {
            if valid_locale(s.get_ref()) {
                locales.source = s.get_ref().clone();
            } else {
                cx.err(
                    diags,
                    s.span(),
                    format!("`{}` is not a locale", s.get_ref()),
                    "use a language tag like \"en\" or \"fr-CA\"",
                );
            }
        }
        for t in &l.translations {
            if !valid_locale(t.get_ref()) {
                cx.err(
                    diags,
                    t.span(),
                    format!("`{}` is not a locale", t.get_ref()),
                    "use a language tag like \"fr\" or \"fr-CA\"",
                );
            } else if *t.get_ref() == locales.source {
                cx.err(
                    diags,
                    t.span(),
                    format!("`{}` is the source locale", t.get_ref()),
                    "list only the languages you translate into",
                );
            } else {
                locales.translated.insert(t.get_ref().clone(), None);
            }
        }
        for (from, to) in &l.fallback {
            let known = |x: &str| x == locales.source || locales.translated.contains_key(x);
            if !locales.translated.contains_key(from) {
                cx.err(
                    diags,
                    to.span(),
                    format!("fallback for `{from}`, which is not in `translations`"),
                    "add it to `translations`, or remove this line",
                );
            } else if !known(to.get_ref()) {
                cx.err(
                    diags,
                    to.span(),
                    format!(
                        "`{from}` falls back to `{}`, which is not a locale of this content",
                        to.get_ref()
                    ),
                    "fall back to the source locale or to one in `translations`",
                );
            } else {
                locales
                    .translated
                    .insert(from.clone(), Some(to.get_ref().clone()));
            }
        }
        // A fallback loop would leave strings nowhere to come from.
        for start in locales.translated.keys() {
            if fallback_chain(&locales, start).is_none() {
                let span = l.fallback.get(start).map_or(0..0, |s| s.span());
                cx.err(
                    diags,
                    span,
                    format!("the locale fallbacks from `{start}` loop"),
                    "end every chain at the source locale or at a complete translation",
                );
                break;
            }
        }
    }
    let mut media = Vec::new();
    if let Some(m) = &src.media {
        for h in &m.allow {
            let host = h.get_ref().trim();
            let bare = host.strip_prefix("*.").unwrap_or(host);
            let ok = !bare.is_empty()
                && bare.contains('.')
                && bare
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if ok {
                media.push(host.to_ascii_lowercase());
            } else {
                cx.err(
                    diags,
                    h.span(),
                    format!("`{host}` is not a host name"),
                    "write the host only, like \"media.acme.example\" or \"*.cdn.acme.example\"",
                );
            }
        }
    }
    let mut scope = Vec::new();
    if let Some(b) = &src.bundle {
        for o in &b.scope {
            match crate::urlmatch::check_origin_pattern(o.get_ref()) {
                Ok(()) => scope.push(o.get_ref().trim().to_string()),
                Err(why) => cx.err(
                    diags,
                    o.span(),
                    format!("scope `{}` is not an origin pattern: {why}", o.get_ref()),
                    "write scheme://host[:port], like \"https://crm.acme.example\" or \"https://*.acme.example\"",
                ),
            }
        }
    }
    config.review_cycle_days = cycle;
    config.expires_after_days = expires;
    config.locales = locales;
    config.media_hosts = media;
    config.scope = scope;
    config
}

/// The locales `start` falls back through, starting with itself (the source
/// locale included if the chain reaches it); `None` if the chain loops.
pub(super) fn fallback_chain<'a>(locales: &'a Locales, start: &'a str) -> Option<Vec<&'a str>> {
    let mut out = vec![start];
    let mut at = locales.translated.get(start).and_then(|f| f.as_deref());
    while let Some(l) = at {
        if out.contains(&l) {
            return None;
        }
        out.push(l);
        at = locales.translated.get(l).and_then(|f| f.as_deref());
    }
    Some(out)
}

pub(super) fn valid_locale(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
