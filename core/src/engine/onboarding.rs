//! The New moment: walkthroughs with `trigger = "auto_first_visit"` start
//! by themselves the first time a user of their audience reaches one of
//! their screens: once per user per content version, one at a time, never
//! over anything else on screen, never while the user types or a modal
//! dialog of the app is open (it waits), and not where policy turned
//! `features.auto_start` off. The card of such a walkthrough offers **Not
//! now** (not by itself again for [`SNOOZE_MS`]) and **Don't show again**.
//! What the user has seen ([`Seen`]) is kept by the glue per origin and
//! user (`LoadSeen` / `SaveSeen`).
//!
//! ```text
//!   Attached ─▶ LoadSeen ─▶ SeenRestored ┐
//!   Restored ────────────────────────────┼─▶ after every event: auto_start() ─▶ start (auto)
//!   Busy { typing or modal } ────────────┘        └─▶ Seen.auto[id] = version ─▶ SaveSeen
//!   NotNow ─▶ snoozed, Seen.auto forgotten     NeverAgain ─▶ Seen.never
//! ```

use super::*;

/// How long **Not now** keeps a walkthrough from starting by itself: a
/// working session.
pub const SNOOZE_MS: u64 = 4 * 60 * 60 * 1000;

/// Where the New moment's memory is kept: per origin, and per user when
/// policy names one (a shared machine).
pub fn seen_key(url: &str, user: Option<&str>) -> String {
    match user {
        Some(u) => format!("seen:{}:{u}", urlmatch::origin(url)),
        None => format!("seen:{}", urlmatch::origin(url)),
    }
}

/// Which walkthrough starts by itself on `url`, if any: the first in the
/// library with `auto_first_visit`, for this screen and this viewer, not
/// yet started by itself at its version, not turned down for good, not
/// snoozed at `now`. The rules about what else is on screen are the
/// engine's ([`Engine::auto_start`]); this is the choice alone.
pub fn first_visit<'a>(
    walkthroughs: &'a [Walkthrough],
    url: &str,
    viewer: Option<&Viewer>,
    seen: &Seen,
    now: u64,
) -> Option<&'a Walkthrough> {
    walkthroughs.iter().find(|w| {
        w.trigger == Trigger::AutoFirstVisit
            && here(w, url, viewer)
            && !seen.never.contains(&w.id)
            && seen.auto.get(&w.id) != Some(&w.version)
            && seen.snoozed.get(&w.id).is_none_or(|until| now >= *until)
    })
}

/// Which walkthrough's "What changed" card shows on `url`, if any: the
/// first with a `change_note`, for this screen and viewer, whose card was
/// not shown at its version yet.
pub fn change_due<'a>(
    walkthroughs: &'a [Walkthrough],
    url: &str,
    viewer: Option<&Viewer>,
    seen: &Seen,
) -> Option<&'a Walkthrough> {
    walkthroughs.iter().find(|w| {
        w.meta
            .change_note
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty())
            && here(w, url, viewer)
            && seen.changes.get(&w.id) != Some(&w.version)
    })
}

/// Named for this screen (content for every screen never comes by itself)
/// and for this viewer.
fn here(w: &Walkthrough, url: &str, viewer: Option<&Viewer>) -> bool {
    !w.applies_to.is_empty()
        && urlmatch::any_matches(&w.applies_to, url)
        && w.meta.audience.admits(viewer)
}

impl Engine {
    /// Starts a first-visit walkthrough, else shows a "What changed" card,
    /// if one is due and nothing is in the way. Run after every event.
    pub(super) fn auto_start(&self, s: &mut Session) {
        let quiet = s.attached
            && s.restored
            && !s.busy
            && s.tour.is_none()
            && s.quiz.is_none()
            && s.done.is_none()
            && s.panel.is_none()
            && s.recording.is_none()
            && s.change.is_none()
            && s.link.is_none();
        if !self.deployment.auto_start || !quiet {
            return;
        }
        let Some(seen) = s.seen.as_ref() else { return };
        let viewer = self.viewer(s);
        let Some(w) = first_visit(
            &self.library.walkthroughs,
            &s.url,
            viewer.as_ref(),
            seen,
            s.now,
        ) else {
            // Nothing new to start: perhaps something changed here.
            if let Some(w) = change_due(&self.library.walkthroughs, &s.url, viewer.as_ref(), seen) {
                let (id, version) = (w.id.clone(), w.version.clone());
                if let Some(seen) = s.seen.as_mut() {
                    seen.changes.insert(id.clone(), version);
                }
                s.change = Some(id.clone());
                self.note(
                    s,
                    What::TriggerOffered,
                    Some((ContentKind::Walkthrough, &id)),
                    None,
                );
            }
            return;
        };
        let (id, version) = (w.id.clone(), w.version.clone());
        if let Some(seen) = s.seen.as_mut() {
            seen.auto.insert(id.clone(), version);
            seen.snoozed.remove(&id);
        }
        self.start(s, &id, LaunchedFrom::AutoStart);
        if let Some(t) = s.tour.as_mut() {
            t.auto = true;
        }
    }

    pub(super) fn seen_restored(&self, s: &mut Session, seen: Option<Seen>) {
        let seen = seen.unwrap_or_default();
        s.shown.seen = Some(seen.clone());
        s.seen = Some(seen);
        // The panel's checklists show what it says is done.
        if let Some(p) = s.panel.as_mut() {
            p.list = None;
        }
    }

    /// Not now: closes it; it may start by itself again after a while.
    pub(super) fn not_now(&self, s: &mut Session, out: &mut Vec<Command>) {
        let until = s.now.saturating_add(SNOOZE_MS);
        self.turn_down(s, out, |seen, id| {
            seen.auto.remove(id);
            seen.snoozed.insert(id.to_string(), until);
        });
    }

    /// Don't show again: closes it, and it never starts by itself again.
    pub(super) fn never_again(&self, s: &mut Session, out: &mut Vec<Command>) {
        self.turn_down(s, out, |seen, id| {
            seen.never.insert(id.to_string());
            seen.snoozed.remove(id);
        });
    }

    /// A walkthrough that started by itself, turned down: `remember` how,
    /// record the offer declined, close it. A walkthrough the user chose
    /// is not turned down this way.
    fn turn_down(
        &self,
        s: &mut Session,
        out: &mut Vec<Command>,
        remember: impl FnOnce(&mut Seen, &str),
    ) {
        let Some(id) = s
            .tour
            .as_ref()
            .filter(|t| t.auto)
            .map(|t| t.walkthrough.clone())
        else {
            return;
        };
        if let Some(seen) = s.seen.as_mut() {
            remember(seen, &id);
        }
        self.note(
            s,
            What::TriggerDeclined,
            Some((ContentKind::Walkthrough, &id)),
            None,
        );
        self.close(s, out);
    }
}
