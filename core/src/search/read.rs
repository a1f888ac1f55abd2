//! The reader: opens index bytes in place (zero-copy, inside wasm), stored
//! documents and facets. Query expansion is in `expand`, ranking in `rank`.

use super::*;

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
    pub(super) data: D,
    pub(super) n_docs: u32,

    pub(super) terms: Range<usize>,
    pub(super) postings: Range<usize>,
    pub(super) norms: Range<usize>,
    pub(super) stored: Range<usize>,
    pub(super) synonyms: Range<usize>,
    pub(super) syn_groups: Vec<Vec<String>>,
    pub(super) facet_names: Vec<String>,
    pub(super) doc_facets: Vec<Vec<u16>>,
    pub(super) kinds: Vec<String>,
    pub(super) moments: Vec<String>,
    pub(super) scratch: RefCell<Scratch>,
    /// Per field and quantised length: the field weight over BM25's length
    /// normalisation, so scoring a posting needs no float maths beyond a
    /// multiply.
    pub(super) field_factor: [[f32; 256]; FIELDS],
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

    pub(super) fn section(&self, r: &Range<usize>) -> &[u8] {
        self.data.as_ref().get(r.clone()).unwrap_or(&[])
    }

    /// A section's fst; verified at open, so this only fails on a bug.
    pub(super) fn map(&self, r: &Range<usize>) -> Option<Map<&[u8]>> {
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
    pub(super) fn facet_filter(&self, facets: &BTreeMap<String, Vec<String>>) -> Vec<Vec<u16>> {
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

    pub(super) fn facet_pass(&self, doc: u32, filter: &[Vec<u16>]) -> bool {
        let Some(ids) = self.doc_facets.get(doc as usize) else {
            return false;
        };
        filter
            .iter()
            .all(|accepted| accepted.iter().any(|a| ids.contains(a)))
    }
}
