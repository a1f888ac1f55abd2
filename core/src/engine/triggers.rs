//! The Solve moment: triggers (`on_element` / `on_error`) watched as
//! sentinels on the pages their walkthroughs apply to, and the offer shown
//! when one is present.

use super::*;

impl Engine {
    /// The first walkthrough whose trigger is on screen and that the user has
    /// neither taken nor turned down.
    pub(super) fn offer(&self, s: &Session) -> Option<PanelItem> {
        s.present
            .iter()
            .filter(|id| !s.dismissed.contains(*id))
            .find_map(|id| {
                self.item(
                    (&s.locale, self.viewer(s).as_ref(), None),
                    id,
                    "walkthrough",
                    &[],
                )
            })
    }

    /// The triggers of the walkthroughs that apply to `url`, as the agent's
    /// watch list (keys: walkthrough ids).
    pub(super) fn sentinels(
        &self,
        url: &str,
        viewer: Option<&Viewer>,
    ) -> (Vec<String>, Vec<Entry>) {
        let mut ids = Vec::new();
        let mut entries = Vec::new();
        // Not even watched for a user the walkthrough is not for.
        for w in self
            .library
            .walkthroughs
            .iter()
            .filter(|w| w.meta.audience.admits(viewer))
        {
            let (Trigger::OnElement { target, text } | Trigger::OnError { target, text }) =
                &w.trigger
            else {
                continue;
            };
            if !urlmatch::any_matches(&w.applies_to, url) {
                continue;
            }
            ids.push(w.id.clone());
            for t in target {
                entries.push(Entry {
                    key: w.id.clone(),
                    query: Query {
                        contains: text.as_ref().map(|t| t.to_lowercase()),
                        ..Query::from_target(t)
                    },
                });
            }
        }
        (ids, entries)
    }
}

/// Event handlers (`Engine::handle` dispatches).
impl Engine {
    pub(super) fn present(&self, s: &mut Session, key: String, present: bool) {
        if present {
            s.present.insert(key);
        } else {
            s.present.remove(&key);
        }
    }
}
