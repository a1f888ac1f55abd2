//! Smart tips and beacons (Apply): the markers the tips script draws on
//! this page, for this user, and the beacons they have closed. The script
//! shows a tip's card on focus and hover by itself (that is presentation);
//! which tips exist here, in which words, is decided here.

use super::*;

impl Engine {
    /// The keys of the markers for this page (compared to decide whether
    /// to send), and a way to build them. None while something else has
    /// the screen (a walkthrough, its check, record mode) or before the
    /// user's memory is read (a closed beacon must not flash).
    pub(super) fn tip_marks<'a>(
        &'a self,
        s: &'a Session,
    ) -> (Vec<String>, impl FnOnce() -> Vec<TipMark> + 'a) {
        let quiet = s.tour.is_none() && s.quiz.is_none() && s.recording.is_none();
        let seen = s.seen.as_ref().filter(|_| quiet && s.restored);
        let viewer = seen.and_then(|_| self.viewer(s));
        let mut picked: Vec<(&crate::content::TipSet, &crate::content::Tip)> = Vec::new();
        if let Some(seen) = seen {
            for set in &self.library.tips {
                if !set.meta.audience.admits(viewer.as_ref())
                    || !urlmatch::any_matches(&set.applies_to, &s.url)
                {
                    continue;
                }
                for t in &set.tips {
                    let key = format!("{}/{}", set.id, t.id);
                    if t.beacon && seen.beacons.get(&key) == Some(&set.version) {
                        continue;
                    }
                    picked.push((set, t));
                }
            }
        }
        // The dot beside an error whose help is offered.
        let offer = seen.and_then(|_| self.offer_watch(s));
        let mut keys: Vec<String> = picked
            .iter()
            .map(|(set, t)| format!("{}/{}", set.id, t.id))
            .collect();
        if let Some((key, _)) = &offer {
            keys.push(key.clone());
        }
        let build = move || {
            let mut marks: Vec<TipMark> = picked
                .into_iter()
                .map(|(set, t)| TipMark {
                    key: format!("{}/{}", set.id, t.id),
                    queries: t.target.iter().map(Query::from_target).collect(),
                    beacon: t.beacon,
                    pointer: false,
                    title: t.title.clone(),
                    body: t.body.clone(),
                })
                .collect();
            if let Some((key, queries)) = offer {
                let title = match self.view(s) {
                    View::Offer { item } => item.title,
                    _ => String::new(),
                };
                marks.push(TipMark {
                    key,
                    queries,
                    beacon: true,
                    pointer: true,
                    title,
                    body: RichText::default(),
                });
            }
            marks
        };
        (keys, build)
    }

    /// "Got it" on a beacon: not drawn again for this version of its file.
    pub(super) fn beacon_done(&self, s: &mut Session, key: &str) {
        let Some((set, tip)) = key.split_once('/') else {
            return;
        };
        let Some(set) = self.library.tips.iter().find(|t| t.id == set) else {
            return;
        };
        if !set.tips.iter().any(|t| t.id == tip && t.beacon) {
            return;
        }
        if let Some(seen) = s.seen.as_mut() {
            seen.beacons.insert(key.to_string(), set.version.clone());
        }
    }
}
