//! Search ranking: a fixture of help-centre content with the expected top
//! result per query, and properties over generated corpora.

use std::path::Path;

use proptest::prelude::*;
use serde::Deserialize;
use waymark_core::search::{IndexBuilder, SearchDoc, SearchIndex, SearchOptions};

#[derive(Deserialize)]
struct Line {
    id: String,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    synonyms: Vec<String>,
}

fn build(docs: impl IntoIterator<Item = SearchDoc>) -> Vec<u8> {
    let mut b = IndexBuilder::new();
    for d in docs {
        b.add(d);
    }
    b.build().unwrap()
}

fn top(idx: &SearchIndex<Vec<u8>>, q: &str, n: usize) -> Vec<String> {
    idx.search(
        q,
        &SearchOptions {
            limit: n,
            ..Default::default()
        },
    )
    .into_iter()
    .map(|h| idx.doc(h.doc).unwrap().id)
    .collect()
}

#[test]
fn help_center_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search");
    let docs = std::fs::read_to_string(dir.join("help-center.jsonl")).unwrap();
    let bytes = build(docs.lines().map(|l| {
        let l: Line = serde_json::from_str(l).unwrap();
        SearchDoc {
            id: l.id,
            title: l.title,
            body: l.body,
            tags: l.tags,
            synonyms: l.synonyms,
            ..Default::default()
        }
    }));
    let idx = SearchIndex::open(bytes).unwrap();
    let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let mut wrong = Vec::new();
    for line in expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (q, id) = line.split_once(" => ").unwrap();
        let got = top(&idx, q, 3);
        if got.first().map(String::as_str) != Some(id.trim()) {
            wrong.push(format!("{q:?}: expected {id}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Documents whose titles each carry one word no other title has, so "its
/// own document" is well defined.
fn corpus() -> impl Strategy<Value = Vec<(String, String)>> {
    let word = "[a-z]{5,9}";
    proptest::collection::vec(
        (
            proptest::collection::vec(word, 3),
            proptest::collection::vec(word, 0..30),
        ),
        5..40,
    )
    .prop_map(|docs| {
        docs.into_iter()
            .enumerate()
            .map(|(i, (title, body))| {
                // A unique word per title: the words are random, the suffix makes them distinct.
                let mut t = title;
                t[0] = format!(
                    "{}{}",
                    t[0],
                    ["q", "x", "z", "j", "k"][i % 5].repeat(1 + i / 5)
                );
                (t.join(" "), body.join(" "))
            })
            .collect()
    })
}

fn docs(c: &[(String, String)]) -> Vec<u8> {
    build(c.iter().enumerate().map(|(i, (title, body))| SearchDoc {
        id: i.to_string(),
        title: title.clone(),
        body: body.clone(),
        ..Default::default()
    }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_title_finds_its_own_document_first(c in corpus(), pick in any::<prop::sample::Index>()) {
        let bytes = docs(&c);
        let idx = SearchIndex::open(bytes).unwrap();
        let i = pick.index(c.len());
        let got = top(&idx, &format!("{} ", c[i].0), 1);
        prop_assert_eq!(got, vec![i.to_string()]);
    }

    #[test]
    fn one_typo_in_a_title_word_still_finds_it(c in corpus(), pick in any::<prop::sample::Index>(), at in 1usize..4, kind in 0u8..3) {
        let bytes = docs(&c);
        let idx = SearchIndex::open(bytes).unwrap();
        let i = pick.index(c.len());
        let words: Vec<&str> = c[i].0.split(' ').collect();
        let w = words[0];
        let mut chars: Vec<char> = w.chars().collect();
        let at = at.min(chars.len() - 1);
        match kind {
            0 => { chars.remove(at); }
            1 => chars.insert(at, 'e'),
            _ => chars.swap(at - 1, at),
        }
        let typo: String = chars.into_iter().collect();
        let q = format!("{typo} {} {} ", words[1], words[2]);
        let got = top(&idx, &q, 3);
        prop_assert!(got.contains(&i.to_string()), "{:?} -> {:?}", q, got);
    }

    #[test]
    fn a_prefix_being_typed_finds_it(c in corpus(), pick in any::<prop::sample::Index>(), len in 3usize..6) {
        let bytes = docs(&c);
        let idx = SearchIndex::open(bytes).unwrap();
        let i = pick.index(c.len());
        let words: Vec<&str> = c[i].0.split(' ').collect();
        let q = format!("{} {}", words[1], &words[0][..len]);
        let got = top(&idx, &q, 10);
        prop_assert!(got.contains(&i.to_string()), "{:?} -> {:?}", q, got);
    }
}
