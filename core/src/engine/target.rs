//! What the agent watches for the current step: the watch key and the
//! compiled, bucketed watch list (`targeting::watchlist`).

use super::*;

/// A step's target (keys `target`) and `appear` queries (keys `appear`),
/// bucketed for the agent.
pub(super) fn watch_list(st: &Step) -> WatchList {
    let entry = |key: &'static str| {
        move |t: &Target| Entry {
            key: key.into(),
            query: Query::from_target(t),
        }
    };
    let mut entries: Vec<Entry> = st.target.iter().map(entry("target")).collect();
    if let Advance::Appear(ts) = &st.advance {
        entries.extend(ts.iter().map(entry("appear")));
    }
    WatchList::compile(entries)
}

impl Engine {
    /// Deterministic, so a click reported across a service-worker restart
    /// still refers to the same step.
    pub(super) fn watch_key(&self, s: &Session) -> Option<String> {
        let (w, st, i) = self.current(s)?;
        let looks = !st.target.is_empty() || matches!(st.advance, Advance::Appear(_));
        if !looks || s.step.missing || !self.on_step_page(s, st) {
            return None;
        }
        let retry = if s.step.attempt > 0 {
            format!("#{}", s.step.attempt)
        } else {
            String::new()
        };
        Some(format!("{}/{}/{}{retry}", w.id, i, st.id))
    }
}
