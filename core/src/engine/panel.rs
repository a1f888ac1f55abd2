//! The help panel: what applies to this page, search results with
//! snippets, zero-result records, and the panel list cached per (query, URL).

use super::*;

impl Engine {
    pub(super) fn close_panel(&self, s: &mut Session) {
        s.panel = None;
        self.note_search(s, None);
    }

    /// Ranked results for `query` on `url`, as panel items.
    pub(super) fn results(&self, query: &str, url: &str, who: Who) -> Vec<PanelItem> {
        let Ok(index) = &self.search else {
            return Vec::new();
        };
        // Content for other audiences is dropped after ranking: ask for
        // more, keep the first that are for this user.
        let opts = SearchOptions {
            limit: PANEL_ITEMS * 4,
            url: Some(url.to_string()),
            ..Default::default()
        };
        index
            .search(query, &opts)
            .into_iter()
            .filter_map(|h| {
                let d = index.doc(h.doc)?;
                self.item(who, &d.id, &d.kind, &h.matched)
            })
            .take(PANEL_ITEMS)
            .collect()
    }

    /// Content `id` as a panel item, if it is for this user (audience).
    pub(super) fn item(
        &self,
        (locale, viewer, only): Who,
        id: &str,
        kind: &str,
        matched: &[String],
    ) -> Option<PanelItem> {
        let (title, moment, text, meta) = match kind {
            "article" => {
                let a = self.library.article(id)?;
                let title = self.localised_title(locale, &a.title, &a.translations);
                (title, a.moment, a.body.plain_text(), &a.meta)
            }
            _ => {
                let w = self.library.walkthrough(id)?;
                let text = w
                    .steps
                    .iter()
                    .map(|s| s.title.clone())
                    .collect::<Vec<_>>()
                    .join(" · ");
                let title = self.localised_title(locale, &w.title, &w.translations);
                (title, w.moment, text, &w.meta)
            }
        };
        if !meta.audience.admits(viewer) || only.is_some_and(|m| m != moment) {
            return None;
        }
        Some(PanelItem {
            id: id.to_string(),
            kind: if kind == "article" {
                ItemKind::Article
            } else {
                ItemKind::Walkthrough
            },
            title,
            moment,
            snippet: search::snippet(&text, matched, SNIPPET_CHARS),
            under_review: self.under_review(meta),
        })
    }

    /// What to read or do after walkthrough `id` (the More moment): the
    /// best search matches for each of its tags on this page, then what
    /// else is for this page, for this user, itself left out; at most
    /// [`RELATED_ITEMS`].
    pub(super) fn related(&self, s: &Session, id: &str) -> Vec<PanelItem> {
        let viewer = self.viewer(s);
        let who = (s.locale.as_str(), viewer.as_ref(), None);
        let Some(w) = self.library.walkthrough(id) else {
            return Vec::new();
        };
        let mut out: Vec<PanelItem> = Vec::new();
        let mut add = |item: PanelItem| {
            if item.id != id && !out.iter().any(|o| o.id == item.id) && out.len() < RELATED_ITEMS {
                out.push(item);
            }
        };
        // What the author named comes first, wherever it applies.
        for r in &w.meta.related {
            if let Some(item) = self.item(who, r, self.kind_of(r), &[]) {
                add(item);
            }
        }
        for tag in &w.tags {
            for item in self.results(tag, &s.url, who) {
                add(item);
            }
        }
        for item in self.for_this_page(&s.url, who) {
            add(item);
        }
        out
    }

    /// `article` or `walkthrough`, for an id of either.
    pub(super) fn kind_of(&self, id: &str) -> &'static str {
        if self.library.article(id).is_some() {
            "article"
        } else {
            "walkthrough"
        }
    }

    /// The onboarding checklists for this viewer, with what `seen` says
    /// is done. Items the viewer may not see are left out; so is a list
    /// left empty by that.
    pub(super) fn checklists(&self, who: Who, seen: Option<&Seen>) -> Vec<ChecklistView> {
        let (_, viewer, _) = who;
        self.library
            .checklists
            .iter()
            .filter(|c| c.meta.audience.admits(viewer))
            .filter_map(|c| {
                let items: Vec<ChecklistItem> = c
                    .items
                    .iter()
                    .filter_map(|id| {
                        let item = self.item((who.0, who.1, None), id, self.kind_of(id), &[])?;
                        Some(ChecklistItem {
                            done: seen.is_some_and(|s| s.done.contains(id)),
                            id: item.id,
                            kind: item.kind,
                            title: item.title,
                        })
                    })
                    .collect();
                (!items.is_empty()).then(|| ChecklistView {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    done: items.iter().filter(|i| i.done).count(),
                    items,
                })
            })
            .collect()
    }

    /// The moments of the content this user may see, in the order the
    /// filter offers them; none when there is only one (nothing to filter).
    pub(super) fn moments(&self, viewer: Option<&Viewer>) -> Vec<Moment> {
        let lib = &self.library;
        let has = |m: Moment| {
            lib.walkthroughs
                .iter()
                .map(|w| (w.moment, &w.meta))
                .chain(lib.articles.iter().map(|a| (a.moment, &a.meta)))
                .any(|(wm, meta)| wm == m && meta.audience.admits(viewer))
        };
        let out: Vec<Moment> = [
            Moment::New,
            Moment::Apply,
            Moment::Solve,
            Moment::More,
            Moment::Change,
        ]
        .into_iter()
        .filter(|m| has(*m))
        .collect();
        if out.len() > 1 {
            out
        } else {
            Vec::new()
        }
    }

    /// Content for the page the user is on: specific matches first, then
    /// content that applies everywhere; "learn more" content (the More
    /// moment) after the rest, where the panel shows it as its own group.
    pub(super) fn for_this_page(&self, url: &str, who: Who) -> Vec<PanelItem> {
        let lib = &self.library;
        let all = lib
            .walkthroughs
            .iter()
            .map(|w| (&w.applies_to, w.id.as_str(), "walkthrough"))
            .chain(
                lib.articles
                    .iter()
                    .map(|a| (&a.applies_to, a.id.as_str(), "article")),
            );
        let (specific, general): (Vec<_>, Vec<_>) = all
            .filter(|(applies, _, _)| urlmatch::any_matches(applies, url))
            .partition(|(applies, _, _)| !applies.is_empty());
        let items: Vec<PanelItem> = specific
            .into_iter()
            .chain(general)
            .filter_map(|(_, id, kind)| self.item(who, id, kind, &[]))
            .take(PANEL_ITEMS)
            .collect();
        let (mut out, more): (Vec<_>, Vec<_>) =
            items.into_iter().partition(|i| i.moment != Moment::More);
        out.extend(more);
        out
    }

    /// The panel's list for its current query and the session's URL,
    /// recomputed only when one of them changed.
    pub(super) fn panel_list<'s>(&self, s: &'s mut Session) -> Option<&'s PanelView> {
        let p = s.panel.as_ref()?;
        let fresh = p
            .list
            .as_ref()
            .is_some_and(|(q, u, _)| *q == p.query && *u == s.url);
        // Who the user is, only when the list is made again: this runs
        // after every event.
        let viewer = if fresh { None } else { self.viewer(s) };
        let url = s.url.as_str();
        let locale = s.locale.as_str();
        let p = s.panel.as_mut()?;
        let seen = s.seen.as_ref();
        if !fresh {
            let who = (locale, viewer.as_ref(), p.moment);
            let mut view = self.list_for(&p.query, url, who);
            view.moments = self.moments(viewer.as_ref());
            view.moment = p.moment;
            if p.query.trim().is_empty() {
                view.checklists = self.checklists(who, seen);
            }
            p.list = Some((p.query.clone(), url.to_string(), view));
        }
        p.list.as_ref().map(|(_, _, v)| v)
    }

    pub(super) fn panel_view(&self, s: &Session, p: &Panel) -> View {
        if let Some(a) = p.article.as_deref().and_then(|id| self.library.article(id)) {
            return View::Article(ArticleView {
                id: a.id.clone(),
                title: self.localised_title(&s.locale, &a.title, &a.translations),
                moment: a.moment,
                body: self
                    .texts(&s.locale, &a.translations)
                    .into_iter()
                    .find_map(|t| t.body.clone())
                    .unwrap_or_else(|| a.body.clone()),
                under_review: self.under_review(&a.meta),
                ticked: s
                    .seen
                    .as_ref()
                    .and_then(|seen| seen.ticks.get(&a.id))
                    .filter(|t| t.version == a.version)
                    .map(|t| t.on.iter().copied().collect())
                    .unwrap_or_default(),
            });
        }
        match &p.list {
            Some((_, _, list)) => View::Panel(PanelView {
                notice: p.notice.clone(),
                ..list.clone()
            }),
            None => View::Hidden,
        }
    }

    pub(super) fn list_for(&self, query_text: &str, url: &str, who: Who) -> PanelView {
        let search_error = self
            .search
            .as_ref()
            .err()
            .map(|e| format!("Search is unavailable: {e}"));
        let search = self.deployment.search;
        let support = self.deployment.support.clone();
        let recorder = self.deployment.recorder;
        let query = query_text.trim();
        if query.is_empty() || search_error.is_some() || !search {
            return PanelView {
                query: query_text.to_string(),
                heading: "For this page".into(),
                items: self.for_this_page(url, who),
                no_results: false,
                search_error: search_error.filter(|_| search),
                search,
                support,
                recorder,
                notice: None,
                moment: None,
                moments: Vec::new(),
                checklists: Vec::new(),
            };
        }
        let items = self.results(query, url, who);
        if items.is_empty() {
            return PanelView {
                query: query_text.to_string(),
                heading: format!("No results for “{query}”. Related to this page:"),
                items: self.for_this_page(url, who),
                no_results: true,
                search_error: None,
                search,
                support,
                recorder,
                notice: None,
                moment: None,
                moments: Vec::new(),
                checklists: Vec::new(),
            };
        }
        PanelView {
            query: query_text.to_string(),
            heading: "Results".into(),
            items,
            no_results: false,
            search_error: None,
            search,
            support,
            recorder,
            notice: None,
            moment: None,
            moments: Vec::new(),
            checklists: Vec::new(),
        }
    }
}

/// Event handlers (`Engine::handle` dispatches).
impl Engine {
    pub(super) fn launcher_clicked(&self, s: &mut Session) {
        s.done = None;
        if s.panel.is_some() {
            self.close_panel(s);
        } else {
            s.panel = Some(Panel::default());
            s.focus = true;
        }
    }

    /// The shortcut. While a card (step, check or completion) is showing it
    /// takes the keyboard into the card, so a keyboard user can reach Next,
    /// Back and the rest; the card's Help button opens the panel. Sent twice
    /// for one key press (browser command and agent), it does the same.
    pub(super) fn open_help(&self, s: &mut Session) {
        let card = matches!(
            self.view(s),
            View::Card(_)
                | View::Check(_)
                | View::Done { .. }
                | View::Offer { .. }
                | View::Change(_)
        );
        if card {
            s.focus = true;
            return;
        }
        self.open_panel(s);
    }

    pub(super) fn open_panel(&self, s: &mut Session) {
        s.done = None;
        if s.panel.is_none() {
            s.panel = Some(Panel::default());
        }
        s.focus = true;
    }

    pub(super) fn search_panel(&self, s: &mut Session, query: String) {
        if s.panel.is_none() {
            return;
        }
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        // Moving on from a query records it; typing on or correcting it
        // (one a prefix of the other) is the same search.
        let same = s.pending_search.as_ref().is_some_and(|(q, _)| {
            !query.trim().is_empty() && (query.starts_with(q.as_str()) || q.starts_with(&query))
        });
        if !same {
            self.note_search(s, None);
        }
        let searching = !query.trim().is_empty() && self.search.is_ok() && self.deployment.search;
        if let Some(p) = s.panel.as_mut() {
            p.query = query.clone();
            p.article = None;
            if !query.is_empty() {
                p.notice = None;
            }
        }
        let results = self
            .panel_list(s)
            .map_or(0, |l| if l.no_results { 0 } else { l.items.len() });
        s.pending_search = searching.then_some((query, results));
    }

    pub(super) fn open(&self, s: &mut Session, id: String) {
        // From the completion card's "More" list: the panel opens for it.
        if s.done.take().is_some() && s.panel.is_none() {
            s.panel = Some(Panel::default());
            s.focus = true;
        }
        // Opened from search results: the search is recorded with it.
        let position = s
            .panel
            .as_ref()
            .and_then(|p| p.list.as_ref())
            .filter(|(q, _, l)| !q.trim().is_empty() && !l.no_results)
            .and_then(|(_, _, l)| l.items.iter().position(|i| i.id == id));
        if let Some(p) = position {
            self.note_search(s, Some((&id, p + 1)));
        }
        if !self.for_user(s, &id) {
            return;
        }
        if self.library.article(&id).is_some() {
            // Offered beside what is on screen (Solve): the panel opens
            // on it.
            let offered =
                s.panel.is_none() && matches!(self.view(s), View::Offer { item } if item.id == id);
            if offered {
                self.note(
                    s,
                    What::TriggerTaken,
                    Some((ContentKind::Article, &id)),
                    None,
                );
                // Taken up: not offered again on this page load.
                s.dismissed.insert(id.clone());
                s.target = None;
                s.panel = Some(Panel::default());
                s.focus = true;
            }
            if let Some(p) = s.panel.as_mut() {
                p.article = Some(id.clone());
                self.note(
                    s,
                    What::ArticleOpened,
                    Some((ContentKind::Article, &id)),
                    None,
                );
                // Ticked in a checklist: its list is made again.
                if s.seen
                    .as_mut()
                    .is_some_and(|seen| seen.done.insert(id.clone()))
                {
                    if let Some(p) = s.panel.as_mut() {
                        p.list = None;
                    }
                }
            }
        } else if self.library.walkthrough(&id).is_some() {
            self.close_panel(s);
            self.start(s, &id, LaunchedFrom::Panel);
        }
    }

    pub(super) fn close_article(&self, s: &mut Session) {
        if let Some(p) = s.panel.as_mut() {
            p.article = None;
            s.focus = true;
        }
    }

    pub(super) fn dismiss(&self, s: &mut Session, out: &mut Vec<Command>) {
        if let View::Offer { item } = self.view(s) {
            let about = Some((item.kind.content(), item.id.as_str()));
            self.note(s, What::TriggerDeclined, about, None);
            s.dismissed.insert(item.id);
            // Where that error was is not where the next one will be.
            s.target = None;
        }
        if let Some(id) = s.change.take() {
            self.note(
                s,
                What::TriggerDeclined,
                Some((ContentKind::Walkthrough, &id)),
                None,
            );
        }
        self.close_panel(s);
        s.done = None;
        // The user closed what had their keyboard: give it back to the page.
        out.push(Command::ReturnFocus);
    }
}
