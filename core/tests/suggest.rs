//! Data-driven tests of the recorder's target suggestions: each folder under
//! `tests/fixtures/suggest/` holds `page.html`, in which the element the
//! author clicked carries `data-picked` (left out of its facts), and
//! `expected.txt`: every suggestion, best first, as `<matches> <target>`
//! (how many elements of the page it finds, as the agent counts them),
//! then `keep: ...`, what a recorded step keeps. `UPDATE_SNAPSHOTS=1`
//! rewrites them after a deliberate change; review the diff.

#![cfg(feature = "authoring")]

use std::path::Path;

mod common;

use common::{count, implicit_role, name_of, text_of};
use scraper::{ElementRef, Html, Selector};
use waymark_core::authoring::parse_target;
use waymark_core::targeting::suggest::{choose, suggest, Node, Picked, TEST_ID_ATTRS};

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

fn picked(doc: &Html) -> Picked {
    let sel = Selector::parse("[data-picked]").unwrap();
    let el = doc.select(&sel).next().expect("no [data-picked] element");
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
    Picked {
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
    }
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/suggest");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let doc = Html::parse_document(&std::fs::read_to_string(case.join("page.html")).unwrap());
        let p = picked(&doc);
        let all = suggest(&p);
        let counts: Vec<usize> = all
            .iter()
            .map(|s| count(&doc, &parse_target(&s.target).unwrap()))
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
