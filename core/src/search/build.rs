//! The index builder (native: `waymark build`): tokenises documents, writes
//! the term fst, postings, norms, stored documents, synonyms and facets.

use super::*;

#[derive(Default)]
pub struct IndexBuilder {
    pub(super) docs: Vec<SearchDoc>,
    pub(super) synonym_groups: Vec<Vec<String>>,
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
