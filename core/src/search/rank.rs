//! Ranking: BM25F over four fields, each query word counted once by its best
//! expansion, rarest words first; more matched words, title matches and the
//! current screen rank higher.

use super::*;

/// BM25F field weights and length normalisation.
pub(super) const WEIGHT: [f32; FIELDS] = [5.0, 1.5, 2.0, 1.0];

pub(super) const B: [f32; FIELDS] = [0.5, 0.5, 0.5, 0.75];

pub(super) const K1: f32 = 1.2;

/// A query word found in this many documents is not expanded for typos.
pub(super) const WELL_KNOWN_DF: u32 = 3;

/// Longest query we look at; the rest is ignored, never an error.
pub(super) const MAX_QUERY_WORDS: usize = 12;

pub(super) const MAX_QUERY_BYTES: usize = 512;

/// Candidates needed before common words stop enrolling new ones.
pub(super) const RESTRICT_MIN_CANDIDATES: usize = 200;

/// Collections smaller than this keep every posting (see `build`).
pub(super) const PRUNE_MIN_DOCS: usize = 1000;

#[derive(Default)]
pub(super) struct Scratch {
    pub(super) total: Vec<f32>,
    pub(super) word_best: Vec<f32>,
    pub(super) title_hits: Vec<u8>,
    pub(super) matched: Vec<u16>,
    pub(super) touched: Vec<u32>,
    pub(super) word_touched: Vec<u32>,
    pub(super) word_title: Vec<bool>,
    /// Per doc: bit i set when query word i matched.
    pub(super) word_mask: Vec<u16>,
    /// Per doc and query word: which expansion scored best.
    pub(super) best_exp: Vec<u16>,
}

pub(super) struct Cursor<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], SearchError> {
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
    pub(super) fn u32(&mut self) -> Result<u32, SearchError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(super) fn section(&mut self) -> Result<Range<usize>, SearchError> {
        let len = self.u32()? as usize;
        let start = self.pos;
        self.take(len)?;
        Ok(start..self.pos)
    }
}

impl<D: AsRef<[u8]>> SearchIndex<D> {
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
