//! Choosing the element a step means, from plain facts about candidates.
//!
//! A step's `target` lists alternatives, most robust first (test id, ARIA
//! role + name, label, text, CSS), as the Chrome DevTools Recorder does. The
//! agent (or, in tests, an HTML fixture parsed natively) reports every element
//! that matched at least one alternative, with the facts below; this module
//! decides which one is meant, or says the target is ambiguous or missing.
//! It owns the scoring rules and must not touch a DOM.
//!
//! Scoring: each alternative an element satisfies adds a weight that halves
//! from the first alternative to the last, so agreement of robust selectors
//! outweighs any number of weak ones; hidden elements only count when nothing
//! visible matches. The best score wins if it is unique; a tie is broken by
//! the step's context (an ancestor the element must be inside), and
//! otherwise reported as ambiguous rather than guessed.

use serde::{Deserialize, Serialize};

/// What the agent knows about one candidate element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementFacts {
    /// Lowercase tag name.
    pub tag: String,
    /// Whitespace-normalised text content.
    pub text: String,
    /// Explicit or implicit ARIA role.
    pub role: Option<String>,
    /// Accessible name.
    pub name: String,
    pub visible: bool,
    /// Ancestors, nearest first, as `tag#id.class` summaries.
    pub ancestors: Vec<String>,
    /// Which of the step's alternatives this element satisfied (indexes).
    pub matched: Vec<usize>,
}

/// The outcome of choosing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pick {
    /// The candidate at this index.
    Found(usize),
    /// These candidates score the same; guessing could act on the wrong one.
    Ambiguous(Vec<usize>),
    Missing,
}

/// Weight of satisfying alternative `i` of `n`: 2^(n-1-i), so the first
/// alternative outweighs all later ones together.
fn weight(i: usize, n: usize) -> u64 {
    let shift = n.saturating_sub(1).saturating_sub(i).min(62);
    1u64 << shift
}

/// Chooses among `candidates` for a target of `alternatives` alternatives.
/// `context`, if given, is a substring an ancestor summary must contain
/// (`form#deal`), used only to break ties.
pub fn pick(alternatives: usize, candidates: &[ElementFacts], context: Option<&str>) -> Pick {
    let score = |c: &ElementFacts| -> u64 {
        let mut seen = Vec::new();
        c.matched
            .iter()
            .filter(|&&i| {
                i < alternatives && !seen.contains(&i) && {
                    seen.push(i);
                    true
                }
            })
            .map(|&i| weight(i, alternatives))
            .sum()
    };
    let any_visible = candidates.iter().any(|c| c.visible && score(c) > 0);
    let scored: Vec<(usize, u64)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.visible || !any_visible)
        .map(|(i, c)| (i, score(c)))
        .filter(|&(_, s)| s > 0)
        .collect();
    let Some(best) = scored.iter().map(|&(_, s)| s).max() else {
        return Pick::Missing;
    };
    let top: Vec<usize> = scored
        .iter()
        .filter(|&&(_, s)| s == best)
        .map(|&(i, _)| i)
        .collect();
    if let [only] = top[..] {
        return Pick::Found(only);
    }
    if let Some(ctx) = context {
        let inside: Vec<usize> = top
            .iter()
            .copied()
            .filter(|&i| candidates[i].ancestors.iter().any(|a| a.contains(ctx)))
            .collect();
        if let [only] = inside[..] {
            return Pick::Found(only);
        }
    }
    Pick::Ambiguous(top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn el(matched: &[usize], visible: bool) -> ElementFacts {
        ElementFacts {
            tag: "button".into(),
            visible,
            matched: matched.to_vec(),
            ..ElementFacts::default()
        }
    }

    #[test]
    fn robust_alternatives_outweigh_weak_ones() {
        // Only the second matches the test id; the first matches text and CSS.
        let c = [el(&[1, 2], true), el(&[0], true)];
        assert_eq!(pick(3, &c, None), Pick::Found(1));
        assert_eq!(pick(3, &[], None), Pick::Missing);
        assert_eq!(pick(3, &[el(&[], true)], None), Pick::Missing);
    }

    #[test]
    fn hidden_elements_count_only_when_nothing_visible_matches() {
        let c = [el(&[0], false), el(&[2], true)];
        assert_eq!(pick(3, &c, None), Pick::Found(1));
        assert_eq!(pick(3, &[el(&[0], false)], None), Pick::Found(0));
    }

    #[test]
    fn ties_are_broken_by_context_or_reported() {
        let mut a = el(&[0], true);
        a.ancestors = vec!["form#refund".into()];
        let mut b = el(&[0], true);
        b.ancestors = vec!["form#deal".into()];
        assert_eq!(
            pick(1, &[a.clone(), b.clone()], None),
            Pick::Ambiguous(vec![0, 1])
        );
        assert_eq!(pick(1, &[a, b], Some("form#deal")), Pick::Found(1));
    }

    proptest! {
        /// Whatever else matches, a unique candidate satisfying the first
        /// alternative, visible, is the one picked.
        #[test]
        fn the_first_alternative_wins_when_unique(
            n in 1usize..8,
            others in proptest::collection::vec(proptest::collection::vec(1usize..8, 0..8), 0..20),
            at in 0usize..21,
        ) {
            let mut c: Vec<ElementFacts> = others.iter().map(|m| el(m, true)).collect();
            let at = at.min(c.len());
            c.insert(at, el(&[0], true));
            prop_assert_eq!(pick(n, &c, None), Pick::Found(at));
        }

        /// Picking never panics and only names real candidates.
        #[test]
        fn picks_are_in_range(
            n in 0usize..70,
            cands in proptest::collection::vec((proptest::collection::vec(0usize..80, 0..6), any::<bool>()), 0..30),
        ) {
            let c: Vec<ElementFacts> = cands.iter().map(|(m, v)| el(m, *v)).collect();
            match pick(n, &c, None) {
                Pick::Found(i) => prop_assert!(i < c.len()),
                Pick::Ambiguous(v) => prop_assert!(v.len() > 1 && v.iter().all(|&i| i < c.len())),
                Pick::Missing => {}
            }
        }
    }
}
