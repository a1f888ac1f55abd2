//! What the agent reports about an element, computed natively from HTML
//! (html5ever through scraper) for the data-driven tests: its role, its
//! accessible name, its text, whether it is hidden, and whether it
//! satisfies a target.

#![allow(dead_code)]

use scraper::{ElementRef, Html, Selector};
use waymark_core::content::{normalise_space, Target};
use waymark_core::targeting::aria;

/// The element's role: explicit, else from the one implicit-role table the
/// engine compiles `aria/` queries with (`targeting::aria`).
pub fn implicit_role(el: &ElementRef) -> Option<String> {
    if let Some(r) = el.value().attr("role") {
        return Some(r.to_string());
    }
    aria::IMPLICIT
        .iter()
        .find(|(_, css)| Selector::parse(css).is_ok_and(|sel| sel.matches(el)))
        .map(|(role, _)| role.to_string())
}

pub fn text_of(el: &ElementRef) -> String {
    normalise_space(&el.text().collect::<String>())
}

/// The accessible name, as the agent computes it: aria-label, labelledby,
/// a label (for= or wrapping), the text, then title/placeholder/alt.
pub fn name_of(doc: &Html, el: &ElementRef) -> String {
    let v = el.value();
    if let Some(l) = v.attr("aria-label") {
        return normalise_space(l);
    }
    if let Some(ids) = v.attr("aria-labelledby") {
        let parts: Vec<String> = ids
            .split_whitespace()
            .filter_map(|id| {
                let sel = Selector::parse(&format!("[id=\"{id}\"]")).ok()?;
                doc.select(&sel).next().map(|e| text_of(&e))
            })
            .collect();
        return normalise_space(&parts.join(" "));
    }
    if matches!(v.name(), "input" | "select" | "textarea") {
        if let Some(id) = v.id() {
            if let Ok(sel) = Selector::parse(&format!("label[for=\"{id}\"]")) {
                if let Some(l) = doc.select(&sel).next() {
                    return text_of(&l);
                }
            }
        }
        let mut p = el.parent();
        while let Some(node) = p {
            if let Some(e) = ElementRef::wrap(node) {
                if e.value().name() == "label" {
                    return text_of(&e);
                }
            }
            p = node.parent();
        }
    }
    let text = text_of(el);
    if !text.is_empty() {
        return text;
    }
    ["title", "placeholder", "alt"]
        .iter()
        .find_map(|a| v.attr(a))
        .map(normalise_space)
        .unwrap_or_default()
}

pub fn hidden_here(el: &ElementRef) -> bool {
    let v = el.value();
    let style = v.attr("style").unwrap_or("").replace(' ', "");
    v.attr("hidden").is_some()
        || style.contains("display:none")
        || style.contains("visibility:hidden")
        || (v.name() == "input" && v.attr("type") == Some("hidden"))
}

pub fn summary(el: &ElementRef) -> String {
    let v = el.value();
    let mut s = v.name().to_string();
    if let Some(id) = v.id() {
        s.push('#');
        s.push_str(id);
    }
    for c in v.classes() {
        s.push('.');
        s.push_str(c);
    }
    s
}

/// Whether `el` (with its role, name and text) satisfies `target`, as the
/// agent decides it. Fixtures are single documents: no frames or shadow
/// roots to hop.
pub fn satisfies(
    el: &ElementRef,
    target: &Target,
    role: Option<&str>,
    name: &str,
    text: &str,
) -> bool {
    match target {
        Target::Css(css) | Target::Pierce(css) => Selector::parse(css).is_ok_and(|s| s.matches(el)),
        Target::Path { .. } => false,
        Target::Aria { name: n, role: r } => {
            n == name && r.as_deref().is_none_or(|r| Some(r) == role)
        }
        // The innermost element with the text, as the agent prefers.
        Target::Text(t) => {
            t == text
                && !el
                    .children()
                    .filter_map(ElementRef::wrap)
                    .any(|c| text_of(&c) == *t)
        }
    }
}

/// How many elements of `doc` satisfy `target`.
pub fn count(doc: &Html, target: &Target) -> usize {
    let all = Selector::parse("*").unwrap();
    doc.select(&all)
        .filter(|el| {
            let role = implicit_role(el);
            satisfies(el, target, role.as_deref(), &name_of(doc, el), &text_of(el))
        })
        .count()
}
