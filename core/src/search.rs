//! Local search: the index builder and the reader, in one module, with one
//! format version (SPEC §5). The builder runs natively (`waymark build`); the
//! reader opens the bytes in place (zero-copy) inside wasm.
//!
//! ```text
//! offset 0   magic b"WMSI", format u16 LE, reserved u16, docs u32 LE,
//!            average field lengths [f32 LE; 4]
//! then       sections, each u32 LE length + bytes, in this order:
//!   terms     fst::Map  term -> (postings offset << 20 | document frequency)
//!   postings  per term: varint (doc delta << 2 | code); code 0 = body tf 1,
//!             1 = title and body tf 1, 2 = title tf 1, 3 = a field mask byte
//!             and one tf byte per field present follow
//!   norms     one byte per document and field: quantised field length
//!   stored    u32 LE offsets (docs + 1), then postcard `StoredDoc`s
//!   synonyms  fst::Map  term -> group index; then postcard Vec<Vec<String>>
//!   facets    postcard: facet value names, then per doc its value ids
//! ```
//!
//! Ranking is BM25F over four fields (title, tags, synonyms, body) with the
//! best expansion of each query word counted once: the exact word, prefix
//! completions of the word being typed, one typo for words of 4+ characters,
//! two for 8+ (Levenshtein automata over the term fst), and synonyms. Documents
//! that match more of the query, match it in the title, or apply to the
//! current screen rank higher.
//!
//! It must not know about bundles (the bundle stores this as one section) or
//! the browser.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};
use levenshtein_automata::LevenshteinAutomatonBuilder;
use serde::{Deserialize, Serialize};

use crate::urlmatch;

pub const FORMAT_VERSION: u16 = 1;
const MAGIC: &[u8; 4] = b"WMSI";
const FIELDS: usize = 4;
const TITLE: usize = 0;
const TAGS: usize = 1;
const SYNONYMS: usize = 2;
const BODY: usize = 3;
/// BM25F field weights and length normalisation.
const WEIGHT: [f32; FIELDS] = [5.0, 1.5, 2.0, 1.0];
const B: [f32; FIELDS] = [0.5, 0.5, 0.5, 0.75];
const K1: f32 = 1.2;
const DF_BITS: u32 = 20;
const MAX_TERM_CHARS: usize = 40;
/// Expansions per query word: enough for recall, bounded for latency.
const MAX_EXPANSIONS: usize = 6;
/// Terms looked at per automaton before picking the best expansions.
const SCAN_LIMIT: usize = 100;
/// A query word found in this many documents is not expanded for typos.
const WELL_KNOWN_DF: u32 = 3;
/// Longest query we look at; the rest is ignored, never an error.
const MAX_QUERY_WORDS: usize = 12;
const MAX_QUERY_BYTES: usize = 512;
/// The commonest per-field term frequencies get a two-bit code of their own
/// in a posting; anything else spells out its fields.
const BODY_ONE: [u8; FIELDS] = [0, 0, 0, 1];
const TITLE_BODY_ONE: [u8; FIELDS] = [1, 0, 0, 1];
const TITLE_ONE: [u8; FIELDS] = [1, 0, 0, 0];
/// Candidates needed before common words stop enrolling new ones.
const RESTRICT_MIN_CANDIDATES: usize = 200;
/// Collections smaller than this keep every posting (see `build`).
const PRUNE_MIN_DOCS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchError {
    NotAnIndex,
    UnsupportedVersion(u16),
    Corrupt(String),
    Build(String),
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::NotAnIndex => write!(f, "search index is missing or not a Waymark index; rebuild the bundle"),
            SearchError::UnsupportedVersion(v) => write!(
                f,
                "search index format {v} is not supported (this reader knows {FORMAT_VERSION}); rebuild the bundle or update the extension"
            ),
            SearchError::Corrupt(why) => write!(f, "search index is corrupt ({why}); rebuild the bundle"),
            SearchError::Build(why) => write!(f, "cannot build the search index: {why}"),
        }
    }
}

impl std::error::Error for SearchError {}

/// What is indexed about one piece of content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchDoc {
    pub id: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub synonyms: Vec<String>,
    /// `walkthrough`, `article`, ...: shown as a badge, not searched.
    pub kind: String,
    pub moment: Option<String>,
    /// Facet name -> values, e.g. `role` -> [`cashier`, `manager`].
    pub facets: BTreeMap<String, Vec<String>>,
    pub applies_to: Vec<String>,
}

/// What a result needs for display, stored per document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredDoc {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub moment: Option<String>,
    pub applies_to: Vec<String>,
}

/// How a `StoredDoc` is kept: kind and moment as indexes into small tables
/// of distinct values (a few bytes saved per document add up at 60,000).
#[derive(Serialize, Deserialize)]
struct StoredRecord {
    id: String,
    title: String,
    kind: u8,
    /// 0 for none, else index + 1.
    moment: u8,
    applies_to: Vec<String>,
}

/// Lowercased alphanumeric words. Shared by builder and reader so both sides
/// always agree.
pub fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| w.chars().count() <= MAX_TERM_CHARS)
}

/// Text around the first matched word, cut at word boundaries, as parts
/// marked `true` where a word is one of `matched` (or starts with one, for a
/// prefix being typed). Without a match: the start of the text.
pub fn snippet(text: &str, matched: &[String], max_chars: usize) -> Vec<(String, bool)> {
    let is_hit = |w: &str| {
        let w = w.to_lowercase();
        matched.iter().any(|m| {
            !m.is_empty() && (w == *m || (m.chars().count() >= 3 && w.starts_with(m.as_str())))
        })
    };
    // Word spans (byte ranges) in order.
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    let first = words
        .iter()
        .position(|r| is_hit(&text[r.clone()]))
        .unwrap_or(0);
    // Start a few words before the first hit.
    let from = words
        .get(first.saturating_sub(4))
        .map_or(0, |r| if first < 4 { 0 } else { r.start });
    let mut end = text.len();
    let mut count = 0;
    for (i, c) in text[from..].char_indices() {
        count += 1;
        if count > max_chars {
            end = from + text[from..from + i].rfind(char::is_whitespace).unwrap_or(i);
            break;
        }
        let _ = c;
    }
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut at = from;
    let push = |s: &str, hit: bool, parts: &mut Vec<(String, bool)>| {
        if s.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some((t, h)) if *h == hit => t.push_str(s),
            _ => parts.push((s.to_string(), hit)),
        }
    };
    if from > 0 {
        push("…", false, &mut parts);
    }
    for r in words.iter().filter(|r| r.start >= from && r.end <= end) {
        push(&text[at..r.start], false, &mut parts);
        push(&text[r.clone()], is_hit(&text[r.clone()]), &mut parts);
        at = r.end;
    }
    push(&text[at.min(end)..end], false, &mut parts);
    if end < text.len() {
        push("…", false, &mut parts);
    }
    parts
}

// ---- building -------------------------------------------------------------

#[derive(Default)]
pub struct IndexBuilder {
    docs: Vec<SearchDoc>,
    synonym_groups: Vec<Vec<String>>,
}

impl IndexBuilder {
    pub fn new() -> IndexBuilder {
        IndexBuilder::default()
    }

    pub fn add(&mut self, doc: SearchDoc) {
        self.docs.push(doc);
    }

    /// Words that mean the same thing ("refund", "return", "money back").
    /// Multi-word entries match word by word.
    pub fn synonyms(&mut self, group: Vec<String>) {
        let group: Vec<String> = group
            .into_iter()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        if group.len() > 1 {
            self.synonym_groups.push(group);
        }
    }

    pub fn build(self) -> Result<Vec<u8>, SearchError> {
        let n = self.docs.len();
        if n >= u32::MAX as usize {
            return Err(SearchError::Build("too many documents".into()));
        }
        // term -> postings (doc, tf per field)
        let mut inverted: BTreeMap<String, Vec<(u32, [u8; FIELDS])>> = BTreeMap::new();
        let mut norms = Vec::with_capacity(n * FIELDS);
        let mut totals = [0f64; FIELDS];
        let mut stored: Vec<&SearchDoc> = Vec::with_capacity(n);
        for (d, doc) in self.docs.iter().enumerate() {
            let mut tfs: HashMap<String, [u8; FIELDS]> = HashMap::new();
            let fields: [Vec<String>; FIELDS] = [
                tokenize(&doc.title).collect(),
                doc.tags
                    .iter()
                    .flat_map(|t| tokenize(t).collect::<Vec<_>>())
                    .collect(),
                doc.synonyms
                    .iter()
                    .flat_map(|t| tokenize(t).collect::<Vec<_>>())
                    .collect(),
                tokenize(&doc.body).collect(),
            ];
            for (f, words) in fields.iter().enumerate() {
                totals[f] += words.len() as f64;
                norms.push(quantise(words.len()));
                for w in words {
                    let e = tfs.entry(w.clone()).or_default();
                    e[f] = e[f].saturating_add(1);
                }
            }
            for (term, tf) in tfs {
                inverted.entry(term).or_default().push((d as u32, tf));
            }
            stored.push(doc);
        }
        let mut kinds: Vec<String> = Vec::new();
        let mut moments: Vec<String> = Vec::new();
        let intern = |table: &mut Vec<String>, v: &str| -> Result<u8, SearchError> {
            let i = table.iter().position(|k| k == v).unwrap_or_else(|| {
                table.push(v.to_string());
                table.len() - 1
            });
            u8::try_from(i)
                .map_err(|_| SearchError::Build("more than 255 distinct kinds or moments".into()))
        };
        let mut records = Vec::with_capacity(n);
        for doc in &stored {
            records.push(StoredRecord {
                id: doc.id.clone(),
                title: doc.title.clone(),
                kind: intern(&mut kinds, &doc.kind)?,
                moment: match &doc.moment {
                    Some(m) => intern(&mut moments, m)?.saturating_add(1),
                    None => 0,
                },
                applies_to: doc.applies_to.clone(),
            });
        }

        let mut postings = Vec::new();
        let mut terms = MapBuilder::memory();
        // Static pruning: in a large collection, a word found in more than
        // a tenth of all bodies says little about any one of them (its idf is
        // near zero), yet its postings are the biggest. Keep only the
        // occurrences in titles, tags and synonyms for such words.
        let common = (n / 10).max(1);
        for (term, mut list) in inverted {
            if n >= PRUNE_MIN_DOCS && list.len() > common {
                list.retain(|(_, tf)| tf[TITLE] > 0 || tf[TAGS] > 0 || tf[SYNONYMS] > 0);
                if list.is_empty() {
                    continue;
                }
            }
            list.sort_by_key(|p| p.0);
            let offset = postings.len() as u64;
            let mut prev = 0u32;
            for (doc, tf) in &list {
                let delta = u64::from(doc - prev);
                prev = *doc;
                let code = match *tf {
                    BODY_ONE => 0,
                    TITLE_BODY_ONE => 1,
                    TITLE_ONE => 2,
                    _ => 3,
                };
                write_varint(&mut postings, (delta << 2) | code);
                if code == 3 {
                    let mask =
                        tf.iter()
                            .enumerate()
                            .fold(0u8, |m, (f, &t)| if t > 0 { m | (1 << f) } else { m });
                    postings.push(mask);
                    postings.extend(tf.iter().filter(|&&t| t > 0));
                }
            }
            let df = (list.len() as u64).min((1 << DF_BITS) - 1);
            terms
                .insert(term.as_bytes(), (offset << DF_BITS) | df)
                .map_err(|e| SearchError::Build(e.to_string()))?;
        }
        let terms = terms
            .into_inner()
            .map_err(|e| SearchError::Build(e.to_string()))?;

        let mut stored_bytes = Vec::new();
        let mut offsets = Vec::with_capacity((n + 1) * 4);
        for s in &records {
            offsets.extend_from_slice(&(stored_bytes.len() as u32).to_le_bytes());
            let enc = postcard::to_allocvec(s).map_err(|e| SearchError::Build(e.to_string()))?;
            stored_bytes.extend_from_slice(&enc);
        }
        offsets.extend_from_slice(&(stored_bytes.len() as u32).to_le_bytes());
        offsets.extend_from_slice(&stored_bytes);

        // Synonyms: each word of a group points at the group.
        let mut syn_terms: BTreeMap<String, u64> = BTreeMap::new();
        for (g, group) in self.synonym_groups.iter().enumerate() {
            for entry in group {
                for w in tokenize(entry) {
                    syn_terms.entry(w).or_insert(g as u64);
                }
            }
        }
        let mut syn = MapBuilder::memory();
        for (w, g) in &syn_terms {
            syn.insert(w.as_bytes(), *g)
                .map_err(|e| SearchError::Build(e.to_string()))?;
        }
        let syn = syn
            .into_inner()
            .map_err(|e| SearchError::Build(e.to_string()))?;
        let syn_groups = postcard::to_allocvec(&self.synonym_groups)
            .map_err(|e| SearchError::Build(e.to_string()))?;

        // Facets: value names, then per-doc value ids.
        let mut names: BTreeSet<String> = BTreeSet::new();
        for d in &self.docs {
            for (k, vs) in &d.facets {
                for v in vs {
                    names.insert(format!("{k}={v}"));
                }
            }
        }
        let names: Vec<String> = names.into_iter().collect();
        let per_doc: Vec<Vec<u16>> = self
            .docs
            .iter()
            .map(|d| {
                d.facets
                    .iter()
                    .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}={v}")))
                    .filter_map(|name| names.binary_search(&name).ok().map(|i| i as u16))
                    .collect()
            })
            .collect();
        let facets = postcard::to_allocvec(&(names, per_doc, kinds, moments))
            .map_err(|e| SearchError::Build(e.to_string()))?;

        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(n as u32).to_le_bytes());
        for t in totals {
            let avg = if n == 0 {
                1.0
            } else {
                (t / n as f64).max(1.0) as f32
            };
            out.extend_from_slice(&avg.to_le_bytes());
        }
        if std::env::var_os("WAYMARK_INDEX_STATS").is_some() {
            eprintln!(
                "terms {} postings {} norms {} stored {} syn {} facets {}",
                terms.len(),
                postings.len(),
                norms.len(),
                offsets.len(),
                syn.len(),
                facets.len()
            );
        }
        for section in [
            &terms,
            &postings,
            &norms,
            &offsets,
            &syn,
            &syn_groups,
            &facets,
        ] {
            let len = u32::try_from(section.len())
                .map_err(|_| SearchError::Build("section over 4 GiB".into()))?;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(section);
        }
        Ok(out)
    }
}

/// Field length in one byte: exact up to 16, then about 9% steps.
fn quantise(len: usize) -> u8 {
    if len <= 16 {
        len as u8
    } else {
        (16.0 + 11.0 * ((len as f64) / 16.0).log2())
            .round()
            .min(255.0) as u8
    }
}

fn dequantise(q: u8) -> f32 {
    if q <= 16 {
        f32::from(q)
    } else {
        16.0 * 2f32.powf((f32::from(q) - 16.0) / 11.0)
    }
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

// ---- reading --------------------------------------------------------------

/// Options for one query.
#[derive(Clone, Debug, Default)]
pub struct SearchOptions {
    pub limit: usize,
    /// The page the user is on: content that applies to it ranks higher.
    pub url: Option<String>,
    /// Facet name -> accepted values (any of); every named facet must match.
    pub facets: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub doc: u32,
    pub score: f32,
    /// The index words that matched, for marking snippets.
    pub matched: Vec<String>,
}

/// An opened index. `D` is the index bytes: borrowed (`&[u8]`) or owned
/// (`Vec<u8>`, as the wasm reader keeps them); sections are read in place.
pub struct SearchIndex<D: AsRef<[u8]>> {
    data: D,
    n_docs: u32,

    terms: Range<usize>,
    postings: Range<usize>,
    norms: Range<usize>,
    stored: Range<usize>,
    synonyms: Range<usize>,
    syn_groups: Vec<Vec<String>>,
    facet_names: Vec<String>,
    doc_facets: Vec<Vec<u16>>,
    kinds: Vec<String>,
    moments: Vec<String>,
    scratch: RefCell<Scratch>,
    /// Per field and quantised length: the field weight over BM25's length
    /// normalisation, so scoring a posting needs no float maths beyond a
    /// multiply.
    field_factor: [[f32; 256]; FIELDS],
}

#[derive(Default)]
struct Scratch {
    total: Vec<f32>,
    word_best: Vec<f32>,
    title_hits: Vec<u8>,
    matched: Vec<u16>,
    touched: Vec<u32>,
    word_touched: Vec<u32>,
    word_title: Vec<bool>,
    /// Per doc: bit i set when query word i matched.
    word_mask: Vec<u16>,
    /// Per doc and query word: which expansion scored best.
    best_exp: Vec<u16>,
}

fn lev(d: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    if d <= 1 {
        ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
    } else {
        TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true))
    }
}

/// An automaton that requires one first byte, then runs `inner` on the rest.
struct AfterFirstByte<'a, A> {
    first: u8,
    inner: &'a A,
}

enum Afb<S> {
    Start,
    Dead,
    In(S),
}

impl<A: Automaton> Automaton for AfterFirstByte<'_, A> {
    type State = Afb<A::State>;

    fn start(&self) -> Self::State {
        Afb::Start
    }

    fn is_match(&self, state: &Self::State) -> bool {
        matches!(state, Afb::In(s) if self.inner.is_match(s))
    }

    fn can_match(&self, state: &Self::State) -> bool {
        match state {
            Afb::Start => true,
            Afb::Dead => false,
            Afb::In(s) => self.inner.can_match(s),
        }
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        match state {
            Afb::Start if byte == self.first => Afb::In(self.inner.start()),
            Afb::Start | Afb::Dead => Afb::Dead,
            Afb::In(s) => Afb::In(self.inner.accept(s, byte)),
        }
    }
}

fn df_of(v: u64) -> u32 {
    (v & ((1 << DF_BITS) - 1)) as u32
}

/// The best `MAX_EXPANSIONS` terms of a scan, by key; copies a term's bytes
/// only when it makes the cut.
#[derive(Default)]
struct TopTerms(Vec<(u64, Vec<u8>, u64)>);

impl TopTerms {
    fn offer(&mut self, key: u64, term: &[u8], value: u64) {
        if self.0.len() < MAX_EXPANSIONS {
            self.0.push((key, term.to_vec(), value));
            return;
        }
        if let Some(min) = self.0.iter_mut().min_by_key(|e| e.0) {
            if key > min.0 {
                *min = (key, term.to_vec(), value);
            }
        }
    }

    fn into_sorted(mut self) -> Vec<(u64, Vec<u8>, u64)> {
        self.0
            .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        self.0
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SearchError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                SearchError::Corrupt(format!("cut short at byte {} (needed {n} more)", self.pos))
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, SearchError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn section(&mut self) -> Result<Range<usize>, SearchError> {
        let len = self.u32()? as usize;
        let start = self.pos;
        self.take(len)?;
        Ok(start..self.pos)
    }
}

impl<D: AsRef<[u8]>> SearchIndex<D> {
    /// Opens an index in place. Checks structure and the fst checksums, not
    /// every posting: a corrupt posting list later yields fewer results,
    /// never a panic.
    pub fn open(data: D) -> Result<SearchIndex<D>, SearchError> {
        let bytes = data.as_ref();
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err(SearchError::NotAnIndex);
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if version != FORMAT_VERSION {
            return Err(SearchError::UnsupportedVersion(version));
        }
        let mut c = Cursor { bytes, pos: 8 };
        let n_docs = c.u32()?;
        let mut avg = [1f32; FIELDS];
        for a in &mut avg {
            let b = c.take(4)?;
            let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            *a = if v.is_finite() && v >= 1.0 { v } else { 1.0 };
        }
        // fst trusts its bytes and panics on corrupt ones, so check the
        // checksum it carries before the first lookup.
        let verify = |what: &str, r: &Range<usize>| -> Result<(), SearchError> {
            let map = Map::new(&bytes[r.clone()])
                .map_err(|e| SearchError::Corrupt(format!("{what}: {e}")))?;
            map.as_fst()
                .verify()
                .map_err(|e| SearchError::Corrupt(format!("{what}: {e}")))
        };
        let terms = c.section()?;
        verify("term dictionary", &terms)?;
        let postings = c.section()?;
        let norms = c.section()?;
        if norms.len() != n_docs as usize * FIELDS {
            return Err(SearchError::Corrupt(
                "field lengths do not match the document count".into(),
            ));
        }
        let stored = c.section()?;
        if stored.len() < (n_docs as usize + 1) * 4 {
            return Err(SearchError::Corrupt("stored documents cut short".into()));
        }
        let synonyms = c.section()?;
        verify("synonyms", &synonyms)?;
        let syn_groups: Vec<Vec<String>> = postcard::from_bytes(&bytes[c.section()?])
            .map_err(|e| SearchError::Corrupt(format!("synonym groups: {e}")))?;
        #[allow(clippy::type_complexity)]
        let (facet_names, doc_facets, kinds, moments): (
            Vec<String>,
            Vec<Vec<u16>>,
            Vec<String>,
            Vec<String>,
        ) = postcard::from_bytes(&bytes[c.section()?])
            .map_err(|e| SearchError::Corrupt(format!("facets: {e}")))?;
        if doc_facets.len() != n_docs as usize {
            return Err(SearchError::Corrupt(
                "facets do not match the document count".into(),
            ));
        }
        if c.pos != bytes.len() {
            return Err(SearchError::Corrupt(format!(
                "{} unexpected trailing bytes",
                bytes.len() - c.pos
            )));
        }
        Ok(SearchIndex {
            data,
            n_docs,

            terms,
            postings,
            norms,
            stored,
            synonyms,
            syn_groups,
            facet_names,
            doc_facets,
            kinds,
            moments,
            scratch: RefCell::new(Scratch::default()),
            field_factor: std::array::from_fn(|f| {
                std::array::from_fn(|q| {
                    WEIGHT[f] / (1.0 - B[f] + B[f] * dequantise(q as u8) / avg[f])
                })
            }),
        })
    }

    fn section(&self, r: &Range<usize>) -> &[u8] {
        self.data.as_ref().get(r.clone()).unwrap_or(&[])
    }

    /// A section's fst; verified at open, so this only fails on a bug.
    fn map(&self, r: &Range<usize>) -> Option<Map<&[u8]>> {
        Map::new(self.section(r)).ok()
    }

    pub fn len(&self) -> usize {
        self.n_docs as usize
    }

    pub fn is_empty(&self) -> bool {
        self.n_docs == 0
    }

    /// The stored record of document `doc`, or None if out of range or corrupt.
    pub fn doc(&self, doc: u32) -> Option<StoredDoc> {
        let i = doc as usize;
        if doc >= self.n_docs {
            return None;
        }
        let stored = self.section(&self.stored);
        let off = |k: usize| -> Option<usize> {
            let b = stored.get(k * 4..k * 4 + 4)?;
            Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        let base = (self.n_docs as usize + 1) * 4;
        let (start, end) = (off(i)?, off(i + 1)?);
        let bytes = stored.get(base + start..base + end)?;
        let r: StoredRecord = postcard::from_bytes(bytes).ok()?;
        Some(StoredDoc {
            id: r.id,
            title: r.title,
            kind: self
                .kinds
                .get(usize::from(r.kind))
                .cloned()
                .unwrap_or_default(),
            moment: r
                .moment
                .checked_sub(1)
                .and_then(|m| self.moments.get(usize::from(m)).cloned()),
            applies_to: r.applies_to,
        })
    }

    /// Does document `doc` pass `facets` (every named facet has one of the
    /// accepted values)?
    pub fn facet_ok(&self, doc: u32, facets: &BTreeMap<String, Vec<String>>) -> bool {
        self.facet_pass(doc, &self.facet_filter(facets))
    }

    /// Facet value ids accepted per named facet, resolved once per query.
    fn facet_filter(&self, facets: &BTreeMap<String, Vec<String>>) -> Vec<Vec<u16>> {
        facets
            .iter()
            .map(|(k, accepted)| {
                accepted
                    .iter()
                    .filter_map(|v| self.facet_names.binary_search(&format!("{k}={v}")).ok())
                    .map(|i| i as u16)
                    .collect()
            })
            .collect()
    }

    fn facet_pass(&self, doc: u32, filter: &[Vec<u16>]) -> bool {
        let Some(ids) = self.doc_facets.get(doc as usize) else {
            return false;
        };
        filter
            .iter()
            .all(|accepted| accepted.iter().any(|a| ids.contains(a)))
    }

    /// Expansions of one query word: (index term, weight, df, postings offset).
    fn expand(&self, word: &str, last: bool, out: &mut Vec<(String, f32, u32, u64)>) {
        out.clear();
        let (Some(terms), Some(synonyms)) = (self.map(&self.terms), self.map(&self.synonyms))
        else {
            return;
        };
        let push = |term: Vec<u8>, val: u64, w: f32, out: &mut Vec<(String, f32, u32, u64)>| {
            let term = String::from_utf8_lossy(&term).into_owned();
            let df = (val & ((1 << DF_BITS) - 1)) as u32;
            let off = val >> DF_BITS;
            match out.iter_mut().find(|e| e.0 == term) {
                Some(e) => e.1 = e.1.max(w),
                None => out.push((term, w, df, off)),
            }
        };
        if let Some(v) = terms.get(word) {
            push(word.as_bytes().to_vec(), v, 1.0, out);
        }
        let chars = word.chars().count();
        // Completions of the word being typed, most frequent first.
        if last && chars >= 2 {
            let mut top = TopTerms::default();
            let mut s = terms
                .search(fst::automaton::Str::new(word).starts_with())
                .into_stream();
            let mut scanned = 0;
            while let Some((t, v)) = s.next() {
                if t.len() != word.len() {
                    top.offer(u64::from(df_of(v)), t, v);
                }
                scanned += 1;
                if scanned >= SCAN_LIMIT {
                    break;
                }
            }
            for (_, t, v) in top.into_sorted() {
                let ratio =
                    chars as f32 / String::from_utf8_lossy(&t).chars().count().max(1) as f32;
                push(t, v, 0.6 + 0.35 * ratio, out);
            }
        }
        // Typos: one edit from 4 characters, two from 8. A word the index
        // already knows well is taken as spelled right: building and running
        // an automaton is most of a query's cost, and recall does not need it.
        let exact_df = out.first().filter(|e| e.0 == word).map_or(0, |e| e.2);
        let completions = out.len() - usize::from(exact_df > 0);
        let mut dist = if chars >= 8 {
            2
        } else if chars >= 4 {
            1
        } else {
            0
        };
        if exact_df >= WELL_KNOWN_DF {
            dist = 0;
        }
        // A word still being typed gets typo completions only when nothing
        // completes it as typed, and then one edit at most.
        let prefix_typos = last && completions == 0;
        if prefix_typos {
            dist = dist.min(1);
        }
        // One edit first; two only for long words that one edit did not
        // explain (a two-edit automaton walks far more of the dictionary).
        let mut tried = 0;
        while tried < dist {
            tried += 1;
            let mut top = TopTerms::default();
            // Two edits anywhere in a long word would walk most of the
            // dictionary; keep its first letter (typos there are rare), so the
            // walk stays under one first byte.
            let anchored = tried == 2 && word.as_bytes()[0].is_ascii_alphanumeric();
            let rest = if anchored { &word[1..] } else { word };
            let dfa = if prefix_typos {
                lev(tried).build_prefix_dfa(rest)
            } else {
                lev(tried).build_dfa(rest)
            };
            let offer = |t: &[u8], v: u64, top: &mut TopTerms| {
                if t != word.as_bytes() {
                    let d = match dfa.eval(if anchored { &t[1..] } else { t }) {
                        levenshtein_automata::Distance::Exact(d) => d,
                        levenshtein_automata::Distance::AtLeast(d) => d,
                    };
                    // Fewer edits first, then more frequent.
                    top.offer((u64::from(3 - d.min(2)) << 32) | u64::from(df_of(v)), t, v);
                }
            };
            let mut scanned = 0;
            if anchored {
                let aut = AfterFirstByte {
                    first: word.as_bytes()[0],
                    inner: &dfa,
                };
                let mut s = terms.search(&aut).into_stream();
                while let Some((t, v)) = s.next() {
                    offer(t, v, &mut top);
                    scanned += 1;
                    if scanned >= SCAN_LIMIT {
                        break;
                    }
                }
            } else {
                let mut s = terms.search(&dfa).into_stream();
                while let Some((t, v)) = s.next() {
                    offer(t, v, &mut top);
                    scanned += 1;
                    if scanned >= SCAN_LIMIT {
                        break;
                    }
                }
            }
            let found = top.0.len();
            for (key, t, v) in top.into_sorted() {
                let w = if key >> 32 >= 2 { 0.7 } else { 0.45 };
                push(t, v, w, out);
            }
            if found > 0 {
                break;
            }
        }
        // Synonyms of the word (exact match only: a typo of a synonym is too far).
        if let Some(g) = synonyms.get(word) {
            if let Some(group) = self.syn_groups.get(g as usize) {
                for entry in group {
                    for w in tokenize(entry) {
                        if w != word {
                            if let Some(v) = terms.get(&w) {
                                push(w.as_bytes().to_vec(), v, 0.8, out);
                            }
                        }
                    }
                }
            }
        }
        out.truncate(MAX_EXPANSIONS * 3);
    }

    pub fn search(&self, query: &str, opts: &SearchOptions) -> Vec<Hit> {
        let limit = if opts.limit == 0 { 10 } else { opts.limit };
        let mut q = query;
        if q.len() > MAX_QUERY_BYTES {
            let mut end = MAX_QUERY_BYTES;
            while !q.is_char_boundary(end) {
                end -= 1;
            }
            q = &q[..end];
        }
        let typing = !q.ends_with(char::is_whitespace);
        let mut words: Vec<String> = Vec::new();
        for w in tokenize(q) {
            if !words.contains(&w) {
                words.push(w);
            }
            if words.len() >= MAX_QUERY_WORDS {
                break;
            }
        }
        if words.is_empty() || self.n_docs == 0 {
            return Vec::new();
        }
        let Ok(mut sc) = self.scratch.try_borrow_mut() else {
            return Vec::new();
        };
        let sc = &mut *sc;
        let n = self.n_docs as usize;
        if sc.total.len() != n {
            sc.total = vec![0.0; n];
            sc.word_best = vec![0.0; n];
            sc.title_hits = vec![0; n];
            sc.matched = vec![0; n];
            sc.word_title = vec![false; n];
            sc.word_mask = vec![0; n];
            sc.best_exp = vec![0; n * MAX_QUERY_WORDS];
        }
        let nf = self.n_docs as f32;
        let postings = self.section(&self.postings);
        let norms = self.section(&self.norms);
        if norms.len() < n * FIELDS {
            return Vec::new();
        }
        let mut expansions = Vec::new();
        let mut word_terms: Vec<Vec<String>> = vec![Vec::new(); words.len()];
        // Expand every word, then take the rarest first: once enough
        // documents match rare words, a very common word only adds to their
        // scores instead of enrolling thousands of new candidates
        // (a light form of MaxScore pruning).
        let mut all: Vec<Vec<(String, f32, u32, u64)>> = Vec::with_capacity(words.len());
        for (wi, word) in words.iter().enumerate() {
            self.expand(word, typing && wi + 1 == words.len(), &mut expansions);
            all.push(std::mem::take(&mut expansions));
        }
        let weight_of =
            |e: &Vec<(String, f32, u32, u64)>| e.iter().map(|x| u64::from(x.2)).sum::<u64>();
        let mut order: Vec<usize> = (0..words.len()).collect();
        order.sort_by_key(|&wi| weight_of(&all[wi]));
        let common = (n / 20).max(RESTRICT_MIN_CANDIDATES);
        for wi in order {
            let expansions = &all[wi];
            let restrict = sc.touched.len() >= RESTRICT_MIN_CANDIDATES
                && weight_of(expansions) as usize > common;
            for (ei, (_, weight, df, off)) in expansions.iter().enumerate() {
                let idf = ((nf - *df as f32 + 0.5) / (*df as f32 + 0.5) + 1.0).ln();
                let mut pos = *off as usize;
                let mut doc = 0u32;
                for _ in 0..*df {
                    let Some(v) = read_varint(postings, &mut pos) else {
                        break;
                    };
                    doc = doc.wrapping_add((v >> 2) as u32);
                    let tf = match v & 3 {
                        0 => BODY_ONE,
                        1 => TITLE_BODY_ONE,
                        2 => TITLE_ONE,
                        _ => {
                            let Some(&mask) = postings.get(pos) else {
                                break;
                            };
                            pos += 1;
                            let mut tf = [0; FIELDS];
                            for (f, t) in tf.iter_mut().enumerate() {
                                if mask & (1 << f) != 0 {
                                    *t = postings.get(pos).copied().unwrap_or(0);
                                    pos += 1;
                                }
                            }
                            tf
                        }
                    };
                    let d = doc as usize;
                    if d >= n {
                        break;
                    }
                    if restrict && sc.matched[d] == 0 {
                        continue;
                    }
                    let mut x = 0f32;
                    for f in 0..FIELDS {
                        if tf[f] > 0 {
                            let q = usize::from(norms[d * FIELDS + f]);
                            x += f32::from(tf[f]) * self.field_factor[f][q];
                        }
                    }
                    let s = weight * idf * x * (K1 + 1.0) / (x + K1);
                    if sc.word_best[d] == 0.0 {
                        sc.word_touched.push(doc);
                    }
                    if s > sc.word_best[d] {
                        sc.word_best[d] = s;
                        sc.word_title[d] =
                            tf[TITLE] > 0 || tf[SYNONYMS] > 0 || tf[TAGS] > 0 && tf[BODY] == 0;
                        sc.best_exp[d * MAX_QUERY_WORDS + wi] = ei as u16;
                    }
                }
            }
            for &doc in &sc.word_touched {
                let d = doc as usize;
                if sc.matched[d] == 0 {
                    sc.touched.push(doc);
                }
                sc.total[d] += sc.word_best[d];
                sc.matched[d] += 1;
                sc.title_hits[d] += u8::from(sc.word_title[d]);
                sc.word_mask[d] |= 1 << wi;
                sc.word_best[d] = 0.0;
                sc.word_title[d] = false;
            }
            sc.word_touched.clear();
            word_terms[wi] = expansions.iter().map(|e| e.0.clone()).collect();
        }

        let nw = words.len() as f32;
        let facet_filter = self.facet_filter(&opts.facets);
        let applies: Option<&str> = opts.url.as_deref();
        let mut hits: Vec<(f32, u32, u16)> = Vec::with_capacity(sc.touched.len());
        for &doc in &sc.touched {
            let d = doc as usize;
            let cover = f32::from(sc.matched[d]) / nw;
            let title = f32::from(sc.title_hits[d]) / nw;
            let mut s = sc.total[d] * (0.3 + 0.7 * cover * cover) * (1.0 + 0.5 * title * title);
            if !facet_filter.is_empty() && !self.facet_pass(doc, &facet_filter) {
                s = -1.0;
            }
            if s > 0.0 {
                hits.push((s, doc, sc.word_mask[d]));
            }
            sc.word_mask[d] = 0;
            sc.total[d] = 0.0;
            sc.matched[d] = 0;
            sc.title_hits[d] = 0;
        }
        sc.touched.clear();
        // The current screen's content wins ties and near-ties.
        if let Some(url) = applies {
            hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            hits.truncate(limit * 4);
            for h in &mut hits {
                if self.doc(h.1).is_some_and(|s| {
                    !s.applies_to.is_empty() && urlmatch::any_matches(&s.applies_to, url)
                }) {
                    h.0 *= 1.5;
                }
            }
        }
        let k = limit.min(hits.len());
        if k == 0 {
            return Vec::new();
        }
        if hits.len() > k {
            hits.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            hits.truncate(k);
        }
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        hits.into_iter()
            .map(|(score, doc, mask)| {
                let mut matched: Vec<String> = (0..word_terms.len())
                    .filter(|wi| mask & (1 << wi) != 0)
                    .filter_map(|wi| {
                        let ei = sc.best_exp[doc as usize * MAX_QUERY_WORDS + wi] as usize;
                        word_terms[wi].get(ei).cloned()
                    })
                    .collect();
                matched.dedup();
                Hit {
                    doc,
                    score,
                    matched,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
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
        let text = "When the VPN times out after a few minutes, renew your token and reconnect to the tunnel.";
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
}
