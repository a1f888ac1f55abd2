//! Sync: after every event, what is on screen is derived from the session
//! and compared with what was last sent ([`Shown`]); only the differences
//! go out as commands. Handlers change state; they never repaint.

use super::*;

impl Engine {
    pub(super) fn sync(&self, s: &mut Session, out: &mut Vec<Command>) {
        if s.shown.launcher != Some(true) {
            s.shown.launcher = Some(true);
            out.push(Command::Launcher {
                visible: true,
                size: LAUNCHER_SIZE,
                margin: LAUNCHER_MARGIN,
            });
        }
        // A preview's progress is the author's, and not saved.
        if s.restored && s.preview.is_none() && s.shown.saved.as_ref() != Some(&s.tour) {
            s.shown.saved = Some(s.tour.clone());
            out.push(Command::Save {
                key: storage_key(&s.url),
                tour: s.tour.clone(),
            });
        }
        if s.seen.is_some() && s.shown.seen != s.seen {
            s.shown.seen = s.seen.clone();
            if let (Some(seen), Some(key)) = (s.seen.clone(), s.seen_for.clone()) {
                out.push(Command::SaveSeen { key, seen });
            }
        }
        if let Some(url) = s.strip.take() {
            out.push(Command::ReplaceUrl { url });
        }
        let watch = self.watch_key(s);
        if s.shown.watch.as_ref() != Some(&watch) {
            s.shown.watch = Some(watch.clone());
            let cur = self.current(s);
            out.push(match (&watch, cur.as_ref().map(Current::step)) {
                (Some(key), None) => match self.offer_watch(s) {
                    Some((_, queries)) => Command::Watch {
                        watch: key.clone(),
                        list: WatchList::compile(
                            queries
                                .iter()
                                .map(|q| Entry {
                                    key: "target".into(),
                                    query: q.clone(),
                                })
                                .collect(),
                        ),
                        queries,
                        click: false,
                        timeout_ms: 0,
                        input: None,
                        appear: Vec::new(),
                        reveal: false,
                    },
                    None => Command::Unwatch,
                },
                (Some(key), Some(st)) => Command::Watch {
                    watch: key.clone(),
                    list: watch_list(st),
                    queries: st.target.iter().map(Query::from_target).collect(),
                    click: st.advance == Advance::Click,
                    timeout_ms: if st.target.is_empty() {
                        0
                    } else {
                        st.timeout_ms
                    },
                    input: st.advance.value_rule(),
                    appear: match &st.advance {
                        Advance::Appear(ts) => ts.iter().map(Query::from_target).collect(),
                        _ => Vec::new(),
                    },
                    reveal: true,
                },
                _ => Command::Unwatch,
            });
        }
        let (ids, entries) = self.sentinels(&s.url, self.viewer(s).as_ref());
        if s.shown.sentinels.as_ref() != Some(&ids) {
            s.present.retain(|id| ids.contains(id));
            s.shown.sentinels = Some(ids);
            out.push(Command::Sentinels {
                list: WatchList::compile(entries),
            });
        }
        let (keys, marks) = self.tip_marks(s);
        // Sent once per attach even when empty: an agent that kept marks
        // from before (a reset, a worker restart) takes them away.
        let changed = s.shown.tips.as_ref() != Some(&keys);
        if let Some(marks) = changed.then(marks) {
            out.push(Command::Tips { marks });
            s.shown.tips = Some(keys);
        }
        let view = self.view(s);
        // Frame before Render when hiding, Render before Frame when showing,
        // so nothing stale flashes in a visible frame.
        let frame = self.frame(s, &view);
        // The recorder stands by while the author previews.
        let recording = s.recording.is_some() && s.preview.is_none();
        if s.shown.recording != Some(recording) {
            // Not sent to a tab that never recorded (the worker would have
            // nothing to stop).
            if recording || s.shown.recording.is_some() {
                out.push(Command::Recording {
                    on: recording,
                    roles: if recording {
                        recording::roles()
                    } else {
                        Vec::new()
                    },
                });
            }
            s.shown.recording = Some(recording);
        }
        let spot = match view {
            View::Recorder(_) => s.hover.map(|t| Rect {
                x: t.x - SPOTLIGHT_PAD,
                y: t.y - SPOTLIGHT_PAD,
                width: t.width + 2.0 * SPOTLIGHT_PAD,
                height: t.height + 2.0 * SPOTLIGHT_PAD,
            }),
            View::Card(_) if self.watch_key(s).is_some() => s.target.map(|t| Rect {
                x: t.x - SPOTLIGHT_PAD,
                y: t.y - SPOTLIGHT_PAD,
                width: t.width + 2.0 * SPOTLIGHT_PAD,
                height: t.height + 2.0 * SPOTLIGHT_PAD,
            }),
            _ => None,
        };
        if frame.is_none() && s.shown.frame != Some(None) {
            s.shown.frame = Some(None);
            out.push(Command::Frame { rect: None });
        }
        if s.shown.view.as_ref() != Some(&view) {
            let old = s.shown.view.take();
            self.note_offer(s, old.as_ref(), &view);
            s.shown.view = Some(view.clone());
            let lang = self.content_locale(s).to_string();
            let rtl = crate::content::is_rtl(&lang);
            out.push(Command::Render { view, lang, rtl });
        }
        if frame.is_some() && s.shown.frame != Some(frame) {
            s.shown.frame = Some(frame);
            out.push(Command::Frame { rect: frame });
        }
        if s.shown.spotlight != Some(spot) {
            s.shown.spotlight = Some(spot);
            out.push(Command::Spotlight { rect: spot });
        }
        if s.focus {
            s.focus = false;
            if frame.is_some() {
                out.push(Command::Focus);
            }
        }
    }
}
