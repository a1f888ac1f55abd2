//! Search: build, read back, rank, expand, snippets.

use super::*;
use proptest::prelude::*;

fn doc(id: &str, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        kind: "article".into(),
        ..Default::default()
    }
}

fn index(docs: Vec<SearchDoc>) -> Vec<u8> {
    let mut b = IndexBuilder::new();
    for d in docs {
        b.add(d);
    }
    b.synonyms(vec!["refund".into(), "return".into(), "money back".into()]);
    b.build().unwrap()
}

fn sample() -> Vec<u8> {
    index(vec![
        doc(
            "refund",
            "Refund a partial order",
            "Select the returned items and issue a partial refund.",
        ),
        doc(
            "deal",
            "Create a deal",
            "Open the deals list and click New deal to start an opportunity.",
        ),
        doc(
            "vpn",
            "Fix a VPN timeout error",
            "When the VPN times out, reconnect and check the token.",
        ),
        doc(
            "time-off",
            "Request time off",
            "Ask your manager for vacation days.",
        ),
    ])
}

fn ids(idx: &SearchIndex<&[u8]>, q: &str) -> Vec<String> {
    idx.search(q, &SearchOptions::default())
        .into_iter()
        .map(|h| idx.doc(h.doc).unwrap().id)
        .collect()
}

#[test]
fn finds_by_words_prefix_typo_and_synonym() {
    let bytes = sample();
    let idx = SearchIndex::open(&bytes[..]).unwrap();
    assert_eq!(ids(&idx, "refund partial order")[0], "refund");
    assert_eq!(ids(&idx, "vpn timeout")[0], "vpn");
    assert_eq!(ids(&idx, "vpn tim")[0], "vpn", "prefix of the last word");
    assert_eq!(ids(&idx, "vnp timeuot error")[0], "vpn", "typos");
    assert_eq!(ids(&idx, "money back")[0], "refund", "synonym");
    assert_eq!(ids(&idx, "crate deal")[0], "deal");
    assert!(ids(&idx, "zzzzqqq").is_empty());
}

#[test]
fn hits_name_the_matched_words() {
    let bytes = sample();
    let idx = SearchIndex::open(&bytes[..]).unwrap();
    let hits = idx.search("vpn timout", &SearchOptions::default());
    assert!(
        hits[0].matched.contains(&"timeout".to_string()),
        "{:?}",
        hits[0]
    );
}

#[test]
fn url_boost_and_facets() {
    let mut a = doc("a", "Refund an order", "refund steps");
    a.applies_to = vec!["/pos/*".into()];
    a.facets.insert("role".into(), vec!["cashier".into()]);
    let mut b = doc("b", "Refund an order", "refund steps");
    b.facets.insert("role".into(), vec!["manager".into()]);
    let bytes = index(vec![b, a]);
    let idx = SearchIndex::open(&bytes[..]).unwrap();
    let plain = ids(&idx, "refund order");
    assert_eq!(plain, ["b", "a"]);
    let opts = SearchOptions {
        url: Some("http://x/pos/refunds".into()),
        ..Default::default()
    };
    let hits = idx.search("refund order", &opts);
    assert_eq!(idx.doc(hits[0].doc).unwrap().id, "a");
    let mut facets = BTreeMap::new();
    facets.insert("role".to_string(), vec!["manager".to_string()]);
    let opts = SearchOptions {
        facets,
        ..Default::default()
    };
    let got: Vec<_> = idx
        .search("refund", &opts)
        .into_iter()
        .map(|h| idx.doc(h.doc).unwrap().id)
        .collect();
    assert_eq!(got, ["b"]);
}

#[test]
fn snippets_mark_the_matched_words() {
    let text =
        "When the VPN times out after a few minutes, renew your token and reconnect to the tunnel.";
    let parts = snippet(text, &["token".into(), "vpn".into()], 60);
    let marked: Vec<&str> = parts.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
    assert_eq!(marked, ["VPN"]);
    let joined: String = parts.iter().map(|p| p.0.as_str()).collect();
    assert!(
        joined.starts_with("When the VPN") && joined.ends_with('…'),
        "{joined}"
    );
    let parts = snippet(text, &["reconnect".into()], 40);
    let joined: String = parts.iter().map(|p| p.0.as_str()).collect();
    assert!(
        joined.starts_with('…') && joined.contains("reconnect"),
        "{joined}"
    );
    assert!(snippet("", &[], 10).is_empty());
    let _ = snippet("😀 ünïcode wörds 注文", &["wörds".into()], 5);
}

#[test]
fn hostile_queries_answer_and_never_panic() {
    let bytes = sample();
    let idx = SearchIndex::open(&bytes[..]).unwrap();
    for q in [
        "",
        "   ",
        "😀🎉",
        "مرحبا بالعالم",
        "refund ملف 注文",
        &"a".repeat(10_000),
        &"refund ".repeat(2000),
    ] {
        let _ = idx.search(q, &SearchOptions::default());
    }
}

#[test]
fn corrupt_and_truncated_indexes_are_refused() {
    let bytes = sample();
    assert_eq!(
        SearchIndex::open(&b"nope"[..]).err().map(|e| e.to_string()),
        Some(SearchError::NotAnIndex.to_string())
    );
    let mut v = bytes.clone();
    v[4] = 9;
    assert_eq!(
        SearchIndex::open(&v[..]).err().map(|e| e.to_string()),
        Some(SearchError::UnsupportedVersion(9).to_string())
    );
    for cut in [9, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(SearchIndex::open(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

proptest! {
    #[test]
    fn garbage_postings_never_panic(flip in 0usize..4000, q in "[a-z ]{0,12}") {
        let mut bytes = sample();
        let at = 28 + flip % (bytes.len() - 28);
        bytes[at] ^= 0x5a;
        if let Ok(idx) = SearchIndex::open(&bytes[..]) {
            let hits = idx.search(&q, &SearchOptions::default());
            for h in hits { let _ = idx.doc(h.doc); }
        }
    }

    #[test]
    fn quantised_lengths_are_close(len in 0usize..100_000) {
        let back = dequantise(quantise(len));
        let l = len as f32;
        prop_assert!((back - l).abs() <= (l * 0.1).max(0.5), "{len} -> {back}");
    }
}
