//! Data-driven targeting tests: each folder under `tests/fixtures/targets/`
//! holds `page.html`, `target.txt` (a step's alternatives, one per line, as
//! authors write them), optionally `context.txt`, and `expected.txt`
//! (`found #id`, `ambiguous N` or `missing`). The page is parsed natively
//! (html5ever through scraper) into the same facts the agent reports, and
//! `targeting::pick` chooses.

#![cfg(feature = "authoring")]

use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use waymark_core::authoring::parse_target;
use waymark_core::content::{normalise_space, Target};
use waymark_core::targeting::{aria, pick, ElementFacts, Pick};

/// The element's role: explicit, else from the one implicit-role table the
/// engine compiles `aria/` queries with (`targeting::aria`).
fn implicit_role(el: &ElementRef) -> Option<String> {
    if let Some(r) = el.value().attr("role") {
        return Some(r.to_string());
    }
    aria::IMPLICIT
        .iter()
        .find(|(_, css)| Selector::parse(css).is_ok_and(|sel| sel.matches(el)))
        .map(|(role, _)| role.to_string())
}

fn text_of(el: &ElementRef) -> String {
    normalise_space(&el.text().collect::<String>())
}

/// The accessible name, as the agent computes it: aria-label, labelledby,
/// a label (for= or wrapping), the text, then title/placeholder/alt.
fn name_of(doc: &Html, el: &ElementRef) -> String {
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

fn hidden_here(el: &ElementRef) -> bool {
    let v = el.value();
    let style = v.attr("style").unwrap_or("").replace(' ', "");
    v.attr("hidden").is_some()
        || style.contains("display:none")
        || style.contains("visibility:hidden")
        || (v.name() == "input" && v.attr("type") == Some("hidden"))
}

fn summary(el: &ElementRef) -> String {
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

/// Every element that satisfies at least one alternative, with its facts.
fn candidates(doc: &Html, targets: &[Target]) -> Vec<(ElementFacts, Option<String>)> {
    let all = Selector::parse("*").unwrap();
    let mut out = Vec::new();
    for el in doc.select(&all) {
        let role = implicit_role(&el);
        let name = name_of(doc, &el);
        let text = text_of(&el);
        let matched: Vec<usize> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| match t {
                Target::Css(css) | Target::Pierce(css) => {
                    Selector::parse(css).is_ok_and(|s| s.matches(&el))
                }
                // Fixtures are single documents: no frames or shadow roots to hop.
                Target::Path { .. } => false,
                Target::Aria { name: n, role: r } => {
                    *n == name && r.as_ref().is_none_or(|r| Some(r) == role.as_ref())
                }
                // The innermost element with the text, as the agent prefers.
                Target::Text(t) => {
                    *t == text
                        && !el
                            .children()
                            .filter_map(ElementRef::wrap)
                            .any(|c| text_of(&c) == *t)
                }
            })
            .map(|(i, _)| i)
            .collect();
        if matched.is_empty() {
            continue;
        }
        let mut ancestors = Vec::new();
        let mut visible = !hidden_here(&el);
        let mut p = el.parent();
        while let Some(node) = p {
            if let Some(e) = ElementRef::wrap(node) {
                ancestors.push(summary(&e));
                visible &= !hidden_here(&e);
            }
            p = node.parent();
        }
        out.push((
            ElementFacts {
                tag: el.value().name().to_string(),
                text,
                role,
                name,
                visible,
                ancestors,
                matched,
            },
            el.value().id().map(str::to_string),
        ));
    }
    out
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/targets");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8);
    let mut failures = Vec::new();
    for case in cases {
        let read = |f: &str| std::fs::read_to_string(case.join(f));
        let doc = Html::parse_document(&read("page.html").unwrap());
        let targets: Vec<Target> = read("target.txt")
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| parse_target(l).unwrap())
            .collect();
        let context = read("context.txt").ok().map(|c| c.trim().to_string());
        let found = candidates(&doc, &targets);
        let facts: Vec<ElementFacts> = found.iter().map(|(f, _)| f.clone()).collect();
        let got = match pick(targets.len(), &facts, context.as_deref()) {
            Pick::Found(i) => format!("found #{}", found[i].1.as_deref().unwrap_or("?")),
            Pick::Ambiguous(v) => format!("ambiguous {}", v.len()),
            Pick::Missing => "missing".to_string(),
        };
        let want = read("expected.txt").unwrap().trim().to_string();
        if got != want {
            failures.push(format!(
                "{}: expected `{want}`, got `{got}`",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
