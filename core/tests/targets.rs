//! Data-driven targeting tests: each folder under `tests/fixtures/targets/`
//! holds `page.html`, `target.txt` (a step's alternatives, one per line, as
//! authors write them), optionally `context.txt`, and `expected.txt`
//! (`found #id`, `ambiguous N` or `missing`). The page is parsed natively
//! (html5ever through scraper) into the same facts the agent reports, and
//! `targeting::pick` chooses.

#![cfg(feature = "authoring")]

use std::path::Path;

mod common;

use common::{hidden_here, implicit_role, name_of, satisfies, summary, text_of};
use scraper::{ElementRef, Html, Selector};
use waymark_core::authoring::parse_target;
use waymark_core::content::Target;
use waymark_core::targeting::{pick, ElementFacts, Pick};

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
            .filter(|(_, t)| satisfies(&el, t, role.as_deref(), &name, &text))
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

/// What a step's alternative prints as (`waymark check` suggests promoting
/// one by it) reads back as the same target.
#[test]
fn every_target_prints_as_it_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/targets");
    let mut n = 0;
    for case in std::fs::read_dir(&root).unwrap() {
        let text = std::fs::read_to_string(case.unwrap().path().join("target.txt")).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let t = Target::parse(line).unwrap();
            assert_eq!(Target::parse(&t.to_string()).unwrap(), t, "{line}");
            n += 1;
        }
    }
    assert!(n >= 10);
    for odd in [
        Target::Css("aria/x".into()),
        Target::Css("text/y".into()),
        Target::Aria {
            name: "Save \"it\"".into(),
            role: Some("button".into()),
        },
        Target::Path {
            hops: vec!["#pay".into(), "x-card".into()],
            css: "button".into(),
        },
    ] {
        assert_eq!(Target::parse(&odd.to_string()).unwrap(), odd, "{odd}");
    }
}
