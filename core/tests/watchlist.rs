//! The watch list's buckets never hide a match: for random elements and
//! random selectors over the same vocabulary, whenever html5ever + selectors
//! (through scraper, the engine browsers' own matching rules) say the element
//! matches, the bucket lookup the agent does offers that selector.

#![cfg(feature = "authoring")]

use proptest::prelude::*;
use scraper::{Html, Selector};
use waymark_core::targeting::watchlist::{Entry, WatchList};
use waymark_core::targeting::Query;

const TAGS: &[&str] = &["div", "button", "input", "span", "a", "li"];
const IDS: &[&str] = &["save", "Total", "x1"];
const CLASSES: &[&str] = &["btn", "Primary", "alert", "row"];
const ATTRS: &[&str] = &["data-testid", "role", "type", "aria-label"];
const VALUES: &[&str] = &["charge", "Button", "submit", "new-deal"];

#[derive(Debug, Clone)]
struct El {
    tag: &'static str,
    id: Option<&'static str>,
    classes: Vec<&'static str>,
    attrs: Vec<(&'static str, &'static str)>,
}

fn element() -> impl Strategy<Value = El> {
    (
        prop::sample::select(TAGS),
        prop::option::of(prop::sample::select(IDS)),
        prop::sample::subsequence(CLASSES, 0..3),
        prop::collection::vec(
            (prop::sample::select(ATTRS), prop::sample::select(VALUES)),
            0..3,
        ),
    )
        .prop_map(|(tag, id, classes, mut attrs)| {
            attrs.sort();
            attrs.dedup_by_key(|a| a.0);
            El {
                tag,
                id,
                classes,
                attrs,
            }
        })
}

fn simple() -> impl Strategy<Value = String> {
    let case = |s: &str, upper: bool| {
        if upper {
            s.to_uppercase()
        } else {
            s.to_string()
        }
    };
    prop_oneof![
        (prop::sample::select(IDS), any::<bool>())
            .prop_map(move |(s, u)| format!("#{}", case(s, u))),
        (prop::sample::select(CLASSES), any::<bool>())
            .prop_map(move |(s, u)| format!(".{}", case(s, u))),
        prop::sample::select(ATTRS).prop_map(|a| format!("[{a}]")),
        (
            prop::sample::select(ATTRS),
            prop::sample::select(VALUES),
            0..5usize,
            any::<bool>()
        )
            .prop_map(move |(a, v, form, u)| match form {
                0 => format!("[{a}={}]", case(v, u)),
                1 => format!("[{a}=\"{}\"]", case(v, u)),
                2 => format!("[{a}='{v}' i]"),
                3 => format!("[{a}^={}]", &v[..2]),
                _ => format!("[{a}*=\"{}\"]", &v[1..3]),
            }),
        prop::sample::select(
            &[
                ":first-child",
                ":not(.btn)",
                ":is(.alert, #save)",
                ":not(*)",
                "*"
            ][..]
        )
        .prop_map(str::to_string),
    ]
}

fn selector() -> impl Strategy<Value = String> {
    (
        prop::option::of((prop::sample::select(TAGS), any::<bool>())),
        prop::collection::vec(simple(), 0..3),
        prop::option::of(prop::sample::select(
            &["div ", "body > ", "* ", ".row ~ "][..],
        )),
        prop::option::of(simple()),
    )
        .prop_map(|(tag, simples, combinator, other)| {
            let tag = tag.map_or(String::new(), |(t, u)| {
                if u {
                    t.to_uppercase()
                } else {
                    t.to_string()
                }
            });
            let mut s = format!("{}{tag}{}", combinator.unwrap_or(""), simples.concat());
            if s.is_empty() || s.ends_with(' ') || s.ends_with("> ") || s.ends_with("~ ") {
                s.push('*');
            }
            if let Some(o) = other {
                s = format!("{s}, {o}");
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn buckets_never_hide_a_match(el in element(), css in selector()) {
        let Ok(sel) = Selector::parse(&css) else { return Ok(()) };
        let mut html = format!("<!doctype html><div class=row></div><{}", el.tag);
        if let Some(id) = el.id {
            html += &format!(" id=\"{id}\"");
        }
        if !el.classes.is_empty() {
            html += &format!(" class=\"{}\"", el.classes.join(" "));
        }
        for (a, v) in &el.attrs {
            html += &format!(" {a}=\"{v}\"");
        }
        html += &format!(" data-probe></{}>", el.tag);
        let doc = Html::parse_document(&html);
        let Some(node) = doc.select(&Selector::parse("[data-probe]").unwrap()).next() else {
            return Ok(());
        };
        if !sel.matches(&node) {
            return Ok(());
        }
        let list = WatchList::compile(vec![Entry {
            key: "k".into(),
            query: Query { css: css.clone(), deep: false, name: None, text: None, contains: None, path: Vec::new() },
        }]);
        let lower = |s: &str| s.to_lowercase();
        let id = el.id.map(lower);
        let classes: Vec<String> = el.classes.iter().map(|c| lower(c)).collect();
        let mut attrs: Vec<(String, String)> = el.attrs.iter().map(|(a, v)| (a.to_string(), lower(v))).collect();
        attrs.push(("data-probe".into(), String::new()));
        if let Some(i) = &id {
            attrs.push(("id".into(), i.clone()));
        }
        let hits = list.lookup(
            el.tag,
            id.as_deref(),
            classes.iter().map(String::as_str),
            attrs.iter().map(|(a, v)| (a.as_str(), v.as_str())),
        );
        prop_assert_eq!(hits, vec![0], "`{}` matches {:?} but its bucket does not offer it: {:?}", css, el, list);
    }
}
