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
//!
//! ```text
//!   mod      SearchDoc, StoredDoc, tokenize
//!   format   the layout's constants, posting codes, norms, varints
//!   error    SearchError
//!   build    IndexBuilder (native)
//!   read     SearchIndex::open, stored documents, facets (zero-copy, wasm)
//!   expand   exact, prefix, typo (Levenshtein) and synonym expansions
//!   rank     SearchIndex::search: BM25F, best expansion per word
//!   snippet  the marked excerpt the panel shows
//! ```

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};
use levenshtein_automata::LevenshteinAutomatonBuilder;
use serde::{Deserialize, Serialize};

use crate::urlmatch;

mod build;
mod error;
mod expand;
mod format;
mod rank;
mod read;
mod snippet;

pub use build::*;
pub use error::*;

pub use format::*;
use rank::*;
pub use read::*;
pub use snippet::*;

/// What a result needs for display, stored per document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredDoc {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub moment: Option<String>,
    pub applies_to: Vec<String>,
}

/// Lowercased alphanumeric words. Shared by builder and reader so both sides
/// always agree.
pub fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| w.chars().count() <= MAX_TERM_CHARS)
}

#[cfg(test)]
mod tests;
