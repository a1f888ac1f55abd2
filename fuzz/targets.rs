//! The bodies of Waymark's fuzz targets, one function per target.
//!
//! Owns: what each target feeds to `waymark-core` and the invariants it
//! asserts. Shared by the libFuzzer binaries in `fuzz_targets/` (coverage
//! guided, `cargo xtask fuzz`) and by `core/tests/fuzz_regressions.rs`,
//! which replays every input kept in `core/tests/fixtures/fuzz/<target>/`
//! on each `cargo test`, so a crash once found stays fixed.
//!
//! Must not: keep state between calls (libFuzzer reruns inputs in any
//! order), print, or read files.
//!
//! ```text
//! bytes ──bundle───▶ bundle::read_unverified / read_trusted ─▶ SearchIndex::open ─▶ search
//! bytes ──compile──▶ authoring::compile (TOML + Markdown) ─▶ bundle::write ─▶ read back
//! bytes ──target───▶ Target::parse ─▶ Query::from_target ─▶ watchlist::buckets
//! bytes ──search───▶ SearchIndex::search (a fixed index) ─▶ snippet
//! bytes ──urls─────▶ urlmatch::{matches, in_scope, check_origin_pattern, glob_matches}
//! ```

use std::sync::OnceLock;

use waymark_core::bundle;
use waymark_core::content::Target;
use waymark_core::search::{snippet, IndexBuilder, SearchDoc, SearchIndex, SearchOptions};
use waymark_core::targeting::{watchlist, Query};
use waymark_core::urlmatch;

/// A target's body: any bytes in, a panic only on a bug.
pub type Body = fn(&[u8]);

/// Every target by name, for the replay test and `cargo xtask fuzz`.
pub const TARGETS: &[(&str, Body)] = &[
    ("bundle", bundle_bytes),
    ("compile", compile),
    ("target", target),
    ("search", search),
    ("urls", urls),
];

/// Bundle bytes as they arrive from a policy URL or the extension package.
/// The input is read twice: as it is (the framing: magic, lengths, seal),
/// and as the body of a correctly sealed unsigned bundle, so mutations reach
/// the section decoders instead of stopping at the checksum.
pub fn bundle_bytes(data: &[u8]) {
    let _ = bundle::read_unverified(data);
    let _ = bundle::read_trusted(data, &[[7; 32]]);
    if let Ok(b) = bundle::read_unverified(&seal(data)) {
        let _ = bundle::check_manifest(&b.manifest, 0, Some(1));
        let _ = b.manifest.covers("https://crm.example.com/deals?id=1");
        if let Ok(index) = SearchIndex::open(b.search.as_slice()) {
            for q in ["deal", "refnd", "a", "create a new deal "] {
                let hits = index.search(q, &SearchOptions::default());
                for h in hits {
                    let _ = index.doc(h.doc);
                }
            }
        }
    }
}

/// Seals `body` the way `bundle::write_with` does for an unsigned bundle.
pub fn seal(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + body.len() + bundle::TRAILER_LEN);
    out.extend_from_slice(bundle::MAGIC);
    out.extend_from_slice(&bundle::FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    let sum = bundle::fnv1a64(&out);
    let mut trailer = [0u8; bundle::TRAILER_LEN];
    trailer[8..16].copy_from_slice(&sum.to_le_bytes());
    out.extend_from_slice(&trailer);
    out
}

/// An author's content folder: files separated by a NUL byte, each starting
/// with its path on the first line (`create-deal.toml\n...`). Whatever
/// compiles must write to a bundle that reads back to the same library.
pub fn compile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<(String, String)> = text
        .split('\0')
        .filter_map(|f| {
            let (path, body) = f.split_once('\n')?;
            Some((path.trim().to_string(), body.to_string()))
        })
        .take(16)
        .collect();
    if let Ok(library) = waymark_core::authoring::compile(&files) {
        let bytes = bundle::write(&library).expect("a compiled library always serialises");
        let back = bundle::read_unverified(&bytes).expect("a written bundle always reads back");
        assert_eq!(back.library, library, "the bundle changed the library");
    }
}

/// A step's `target` string, as an author writes it.
pub fn target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(t) = Target::parse(&text) {
        let q = Query::from_target(&t);
        let _ = watchlist::buckets(&q.css);
    }
    let _ = watchlist::buckets(&text);
}

fn fixed_index() -> &'static [u8] {
    static INDEX: OnceLock<Vec<u8>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut b = IndexBuilder::new();
        let docs = [
            (
                "create-deal",
                "Create a deal",
                "Open **Deals**, press New deal, name the customer and the amount.",
            ),
            (
                "refund",
                "Refund a partial order",
                "Find the order, choose the items to refund, confirm with your PIN.",
            ),
            (
                "declined",
                "A card was declined",
                "Ask for another card or cash. Never retry more than twice.",
            ),
            (
                "leave",
                "Request leave",
                "HR › Time off › New request. Pick the dates; your manager approves.",
            ),
        ];
        for (id, title, body) in docs {
            b.add(SearchDoc {
                id: id.into(),
                title: title.into(),
                body: body.into(),
                tags: vec!["crm".into()],
                synonyms: vec!["opportunity".into()],
                kind: "article".into(),
                moment: None,
                facets: Default::default(),
                applies_to: vec!["https://crm.example.com/*".into()],
            });
        }
        b.synonyms(vec!["refund".into(), "return".into(), "money back".into()]);
        b.build().unwrap_or_default()
    })
}

const SNIPPET_TEXT: &str = "Open Deals, press New deal, name the customer \
    and the amount. To refund a partial order, find the order, choose the items \
    to refund — not the whole basket — and confirm with your PIN. Ünïcödé 払い戻し.";

/// What an employee types into the help panel's search box.
pub fn search(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    let Ok(index) = SearchIndex::open(fixed_index()) else {
        return;
    };
    let opts = SearchOptions {
        limit: 5,
        url: Some("https://crm.example.com/deals".into()),
        facets: Default::default(),
    };
    for hit in index.search(&query, &opts) {
        if let Some(doc) = index.doc(hit.doc) {
            let _ = snippet(&doc.title, &hit.matched, 120);
        }
        let _ = snippet(&query, &hit.matched, 40);
        let _ = snippet(SNIPPET_TEXT, &hit.matched, 120);
    }
}

/// A URL pattern and a URL, one per line (`https://*.example.com/deals/*`
/// then `https://crm.example.com/deals/42?x#y`).
pub fn urls(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (pattern, url) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = urlmatch::matches(pattern, url);
    let _ = urlmatch::check_origin_pattern(pattern);
    let _ = urlmatch::in_scope(&[pattern.to_string()], url);
    let _ = urlmatch::glob_matches(pattern, url);
    let _ = urlmatch::origin(url);
    let _ = urlmatch::split(url);
}
