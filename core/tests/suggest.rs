//! Data-driven tests of the recorder's target suggestions: each folder under
//! `tests/fixtures/suggest/` holds `page.html`, in which the element the
//! author clicked carries `data-picked` (left out of its facts), and
//! `expected.txt`: every suggestion, best first, as `<matches> <target>`
//! (how many elements of the page it finds, as the agent counts them),
//! then `keep: ...`, what a recorded step keeps. `UPDATE_SNAPSHOTS=1`
//! rewrites them after a deliberate change; review the diff.
//!
//! Frames and shadow roots: an element with `data-frame="f.html"` (an
//! iframe) or `data-shadow="f.html"` (a shadow host) holds the document in
//! that file of the case's folder. The picked element may be in any of
//! them; counts follow the agent: plain CSS looks in the page's document,
//! `aria/`, `text/` and `pierce/` in every scope, and `a >>> b` hop by hop.

#![cfg(feature = "authoring")]

use std::path::Path;

mod common;

use common::{count, implicit_role, name_of, text_of};
use scraper::{ElementRef, Html, Selector};
use waymark_core::authoring::parse_target;
use waymark_core::content::Target;
use waymark_core::targeting::suggest::{choose, suggest, Hop, Node, Picked, TEST_ID_ATTRS};

/// The node's facts as the agent reports them.
fn node(el: &ElementRef) -> Node {
    let v = el.value();
    let tag = v.name().to_string();
    let siblings: Vec<ElementRef> = el
        .parent()
        .map(|p| p.children().filter_map(ElementRef::wrap).collect())
        .unwrap_or_default();
    let same: Vec<&ElementRef> = siblings
        .iter()
        .filter(|s| s.value().name() == tag)
        .collect();
    let nth = same
        .iter()
        .position(|s| s.id() == el.id())
        .map_or(1, |i| i + 1);
    Node {
        tag,
        id: v.id().map(str::to_string),
        classes: v.classes().map(str::to_string).collect(),
        test_ids: TEST_ID_ATTRS
            .iter()
            .filter_map(|a| v.attr(a).map(|x| (a.to_string(), x.to_string())))
            .collect(),
        attrs: ["name", "type"]
            .iter()
            .filter_map(|a| v.attr(a).map(|x| (a.to_string(), x.to_string())))
            .collect(),
        nth_of_type: nth,
        of_type: same.len().max(1),
    }
}

fn load(case: &Path, file: &str) -> Html {
    let text = std::fs::read_to_string(case.join(file))
        .unwrap_or_else(|e| panic!("{}: {e}", case.join(file).display()));
    Html::parse_document(&text)
}

/// The document an element holds (`data-frame`, `data-shadow`), if any.
fn inner(el: &ElementRef) -> Option<(Hop, String)> {
    let v = el.value();
    v.attr("data-frame")
        .map(|f| (Hop::Frame, f.to_string()))
        .or_else(|| v.attr("data-shadow").map(|f| (Hop::Shadow, f.to_string())))
}

fn hosts(doc: &Html) -> Vec<ElementRef<'_>> {
    let sel = Selector::parse("[data-frame], [data-shadow]").unwrap();
    doc.select(&sel).collect()
}

/// Every document of the case, the page's first, depth first.
fn scopes(case: &Path, file: &str) -> Vec<Html> {
    let doc = load(case, file);
    let nested: Vec<String> = hosts(&doc)
        .iter()
        .filter_map(inner)
        .map(|(_, f)| f)
        .collect();
    let mut out = vec![doc];
    for f in nested {
        out.extend(scopes(case, &f));
    }
    out
}

/// How many elements the agent would find for `t`.
fn count_in(case: &Path, t: &Target) -> usize {
    match t {
        Target::Css(_) => count(&load(case, "page.html"), t),
        Target::Path { hops, css } => {
            let mut file = "page.html".to_string();
            for hop in hops {
                let doc = load(case, &file);
                let Ok(sel) = Selector::parse(hop) else {
                    return 0;
                };
                let Some((_, next)) = doc.select(&sel).next().and_then(|el| inner(&el)) else {
                    return 0;
                };
                file = next;
            }
            count(&load(case, &file), &Target::Css(css.clone()))
        }
        _ => scopes(case, "page.html").iter().map(|d| count(d, t)).sum(),
    }
}

/// The picked element's facts, in whichever scope it is.
fn picked(case: &Path, file: &str) -> Option<Picked> {
    let doc = load(case, file);
    if let Some(p) = picked_in(&doc) {
        return Some(p);
    }
    for host in hosts(&doc) {
        let Some((hop, f)) = inner(&host) else {
            continue;
        };
        if let Some(mut p) = picked(case, &f) {
            let above = host
                .ancestors()
                .filter_map(ElementRef::wrap)
                .map(|a| node(&a))
                .collect();
            p.scopes.insert(0, (hop, node(&host), above));
            return Some(p);
        }
    }
    None
}

fn picked_in(doc: &Html) -> Option<Picked> {
    let sel = Selector::parse("[data-picked]").unwrap();
    let el = doc.select(&sel).next()?;
    let v = el.value();
    let field = matches!(v.name(), "input" | "select" | "textarea");
    let labelled =
        field && v.attr("aria-label").is_none() && v.attr("aria-labelledby").is_none() && {
            let by_for = v.id().is_some_and(|id| {
                Selector::parse(&format!("label[for=\"{id}\"]"))
                    .is_ok_and(|s| doc.select(&s).next().is_some())
            });
            let wrapped = el
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "label");
            by_for || wrapped
        };
    Some(Picked {
        node: node(&el),
        role: implicit_role(&el),
        name: name_of(doc, &el),
        labelled,
        text: text_of(&el),
        ancestors: el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .map(|a| node(&a))
            .collect(),
        scopes: Vec::new(),
    })
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/suggest");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let p = picked(&case, "page.html").expect("no [data-picked] element");
        let all = suggest(&p);
        let counts: Vec<usize> = all
            .iter()
            .map(|s| count_in(&case, &parse_target(&s.target).unwrap()))
            .collect();
        // Every suggestion finds the picked element (it is built from it).
        let mut got = String::new();
        for (s, n) in all.iter().zip(&counts) {
            assert!(
                *n >= 1,
                "{}: `{}` does not find the element",
                case.display(),
                s.target
            );
            got.push_str(&format!("{n} {}\n", s.target));
        }
        let kept: Vec<String> = choose(&all, &counts)
            .into_iter()
            .map(|s| s.target)
            .collect();
        got.push_str(&format!("keep: {}\n", kept.join(" | ")));
        let path = case.join("expected.txt");
        if update {
            std::fs::write(&path, &got).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != got {
            failures.push(format!("{}: got\n{got}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
