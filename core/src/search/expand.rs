//! Query-word expansion over the term fst: the exact word, prefix
//! completions of the word being typed, Levenshtein automata for typos
//! (one edit from 4 characters, two from 8, keeping the first letter), and
//! synonyms.

use super::*;

/// Expansions per query word: enough for recall, bounded for latency.
pub(super) const MAX_EXPANSIONS: usize = 6;

/// Terms looked at per automaton before picking the best expansions.
pub(super) const SCAN_LIMIT: usize = 100;

pub(super) fn lev(d: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    if d <= 1 {
        ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
    } else {
        TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true))
    }
}

/// An automaton that requires one first byte, then runs `inner` on the rest.
pub(super) struct AfterFirstByte<'a, A> {
    pub(super) first: u8,
    pub(super) inner: &'a A,
}

pub(super) enum Afb<S> {
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

/// The best `MAX_EXPANSIONS` terms of a scan, by key; copies a term's bytes
/// only when it makes the cut.
#[derive(Default)]
pub(super) struct TopTerms(Vec<(u64, Vec<u8>, u64)>);

impl TopTerms {
    pub(super) fn offer(&mut self, key: u64, term: &[u8], value: u64) {
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

    pub(super) fn into_sorted(mut self) -> Vec<(u64, Vec<u8>, u64)> {
        self.0
            .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        self.0
    }
}

impl<D: AsRef<[u8]>> SearchIndex<D> {
    /// Expansions of one query word: (index term, weight, df, postings offset).
    pub(super) fn expand(&self, word: &str, last: bool, out: &mut Vec<(String, f32, u32, u64)>) {
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
}
