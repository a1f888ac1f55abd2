//! The one table of implicit ARIA roles: which elements carry a role
//! without a `role` attribute. Queries (`aria/Name[role="button"]`) compile
//! through it, and the native test harness (core/tests/targets.rs) derives an
//! element's role from it, so the two never disagree. The agent reports only
//! explicit roles; it needs no copy.

/// Each role with the CSS selector list of the elements that carry it
/// implicitly (HTML-AAM, the roles authors target most).
pub const IMPLICIT: &[(&str, &str)] = &[
    ("button", "button,input[type=button],input[type=submit],input[type=reset],summary"),
    ("link", "a[href],area[href]"),
    ("textbox", "input:not([type]),input[type=text],input[type=email],input[type=tel],input[type=url],input[type=search],textarea"),
    ("spinbutton", "input[type=number]"),
    ("combobox", "select"),
    ("checkbox", "input[type=checkbox]"),
    ("radio", "input[type=radio]"),
    ("heading", "h1,h2,h3,h4,h5,h6"),
    ("dialog", "dialog"),
    ("table", "table"),
    ("row", "tr"),
    ("navigation", "nav"),
    ("form", "form"),
    ("listitem", "li"),
];

/// What `aria/Name` with no role may match: elements that carry a role
/// (implicitly, from the table above, or explicitly) or are named some other
/// way. A generic `<div>` or `<span>` has no accessible name in the
/// accessibility tree the DevTools Recorder reads, and looking at every
/// element's text while a target is missing scanned the whole document
/// (found by a security review); `text/` is the way to target plain text.
pub fn nameable_selector() -> String {
    let mut css: Vec<&str> = IMPLICIT.iter().map(|(_, css)| *css).collect();
    css.extend([
        "img[alt]",
        "label",
        "legend",
        "option",
        "[role]",
        "[aria-label]",
        "[aria-labelledby]",
        "[title]",
        "[tabindex]",
    ]);
    css.join(",")
}

/// The elements implicitly carrying `role`, as a selector list ("" if none).
pub fn implicit(role: &str) -> &'static str {
    IMPLICIT
        .iter()
        .find(|(r, _)| *r == role)
        .map_or("", |(_, css)| css)
}

/// Elements that carry an ARIA role implicitly or explicitly.
pub fn role_selector(role: &str) -> String {
    match implicit(role) {
        "" => format!("[role={role}]"),
        css => format!("{css},[role={role}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_and_implicit() {
        assert_eq!(role_selector("link"), "a[href],area[href],[role=link]");
        assert_eq!(role_selector("tab"), "[role=tab]");
    }

    #[test]
    fn a_role_less_name_looks_only_at_nameable_elements() {
        let css = nameable_selector();
        assert!(
            !css.split(',')
                .any(|s| s == "*" || s == "div" || s == "span"),
            "{css}"
        );
        for s in ["button", "a[href]", "h2", "[role]", "[aria-label]", "label"] {
            assert!(css.split(',').any(|x| x == s), "{s} missing from {css}");
        }
    }
}
