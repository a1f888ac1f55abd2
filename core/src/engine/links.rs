//! Deep links: a URL of the host app that names content with the policy's
//! parameter (`#waymark=create-deal`, `?waymark=refund-policy`) starts that
//! walkthrough or opens that article, so a ticket, an email or an SOP can
//! link straight into guidance. The parameter leaves the address bar once
//! read (`Command::ReplaceUrl`), so a reload or a shared URL does not start
//! it again; content that is not here, or not for this user, says so in the
//! panel rather than failing silently.
//!
//! ```text
//!   Attached / UrlChanged (url with the parameter)
//!     ──take_link──▶ session.link = id, session.url = url without it, ReplaceUrl
//!   Restored (saved progress read; at once on a later route change)
//!     ──follow_link──▶ start the walkthrough | open the article | panel notice
//! ```

use super::*;

impl Engine {
    /// Takes a deep link's parameter out of the session's URL, to follow
    /// once progress is restored.
    pub(super) fn take_link(&self, s: &mut Session) {
        let Some(name) = self.deployment.deep_link.as_deref() else {
            return;
        };
        let Some((id, clean)) = urlmatch::take_param(&s.url, name) else {
            return;
        };
        s.url = clean.clone();
        s.strip = Some(clean);
        // Record mode is the author's: a link waits for another page load.
        if s.recording.is_none() {
            s.link = Some(id);
        }
    }

    /// Starts the walkthrough or opens the article `id` names; anything
    /// else (unknown, or not for this user) opens the panel saying so.
    pub(super) fn follow_link(&self, s: &mut Session, id: &str) {
        let known = self.for_user(s, id);
        if known && self.library.walkthrough(id).is_some() {
            self.close_panel(s);
            s.quiz = None;
            s.done = None;
            self.start(s, id, LaunchedFrom::DeepLink);
            return;
        }
        s.done = None;
        s.focus = true;
        let panel = s.panel.get_or_insert_with(Panel::default);
        if known && self.library.article(id).is_some() {
            panel.article = Some(id.to_string());
            panel.notice = None;
            self.note(
                s,
                What::ArticleOpened,
                Some((ContentKind::Article, id)),
                None,
            );
        } else {
            // The id is shown as text (the view never parses it), cut short.
            let shown: String = id.chars().take(60).collect();
            panel.article = None;
            panel.notice = Some(format!(
                "The link you followed asks for “{shown}”, which is not in the help available to you here. Here is what is."
            ));
        }
    }
}
