//! Engine scenarios: record mode: started from the panel where policy
//! allows, picks become steps with counted targets, the card edits them,
//! the recording survives page loads and exports as a draft file.

use super::*;
use crate::recorder::tests::button;
use crate::recorder::Action;
use crate::targeting::suggest::Picked;

fn recorder_view(c: &[Command]) -> Option<RecorderView> {
    match view_of(c)? {
        View::Recorder(r) => Some(r),
        _ => None,
    }
}

#[test]
fn a_recording_from_the_panel_to_the_file() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = e.handle(&mut s, Event::LauncherClicked);
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert!(p.recorder, "no policy: the recorder is offered");
    let c = e.handle(&mut s, Event::RecordStart);
    let Some(Command::Recording { on: true, roles }) = c
        .iter()
        .find(|c| matches!(c, Command::Recording { .. }))
        .cloned()
    else {
        panic!("{c:?}")
    };
    assert!(roles.iter().any(|(r, _)| r == "button"));
    assert!(recorder_view(&c).is_some_and(|r| r.steps.is_empty()));

    // Pointing moves the spotlight.
    let rect = Rect {
        x: 10.0,
        y: 20.0,
        width: 100.0,
        height: 30.0,
    };
    let c = e.handle(&mut s, Event::Hovered { rect });
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Spotlight { rect: Some(r) } if r.width > 100.0)));

    // A click: a step, and its suggestions to count.
    let c = e.handle(
        &mut s,
        Event::Picked {
            facts: button("new-deal", "New deal"),
            action: Action::Click,
            url: URL.to_string(),
        },
    );
    let Some(Command::CountTargets { step: 0, queries }) = c
        .iter()
        .find(|c| matches!(c, Command::CountTargets { .. }))
        .cloned()
    else {
        panic!("{c:?}")
    };
    assert_eq!(queries.len(), 3);
    let r = recorder_view(&c).unwrap();
    assert_eq!(r.steps[0].title, "Click New deal");
    assert!(!r.steps[0].counted);
    let c = e.handle(
        &mut s,
        Event::Counted {
            step: 0,
            counts: vec![1, 2, 2],
        },
    );
    let r = recorder_view(&c).unwrap();
    assert_eq!(r.steps[0].target, ["[data-testid=\"new-deal\"]"]);

    // A page load on the way: the recording goes on.
    attach(&e, &mut s, None);
    e.handle(
        &mut s,
        Event::Picked {
            facts: button("save-deal", "Save deal"),
            action: Action::Click,
            url: "http://127.0.0.1:4000/crm/deals/new".to_string(),
        },
    );
    e.handle(
        &mut s,
        Event::Counted {
            step: 1,
            counts: vec![1, 1, 1],
        },
    );
    e.handle(
        &mut s,
        Event::RecordEdit {
            index: 1,
            title: "Save the deal".into(),
        },
    );
    let c = e.handle(&mut s, Event::RecordExport);
    let x = recorder_view(&c).unwrap().export.unwrap();
    assert_eq!(x.file, "recorded-walkthrough.toml");
    assert!(x.text.contains("title = \"Save the deal\""), "{}", x.text);
    assert!(
        x.text.contains("applies_to = [\"/crm/deals*\"]"),
        "{}",
        x.text
    );
    assert!(x.text.contains("url = \"/crm/deals/new\""), "{}", x.text);

    let c = e.handle(&mut s, Event::RecordDiscard);
    assert!(c.contains(&Command::Recording {
        on: false,
        roles: vec![]
    }));
    assert!(recorder_view(&c).is_none());
}

#[test]
fn policy_can_turn_the_recorder_off_and_pages_cannot_pick() {
    let mut e = engine();
    e.set_deployment(Deployment {
        recorder: false,
        ..Deployment::default()
    });
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = e.handle(&mut s, Event::LauncherClicked);
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert!(!p.recorder);
    let c = e.handle(&mut s, Event::RecordStart);
    assert!(!c.iter().any(|c| matches!(c, Command::Recording { .. })));
    // Not recording: picks are ignored.
    let c = e.handle(
        &mut s,
        Event::Picked {
            facts: button("x", "X"),
            action: Action::Click,
            url: URL.to_string(),
        },
    );
    assert!(!c.iter().any(|c| matches!(c, Command::CountTargets { .. })));
    // Only the frame starts a recording; only the recorder picks.
    assert!(!Event::RecordStart.allowed_from(Sender::Agent));
    assert!(
        !Event::Picked {
            facts: Picked::default(),
            action: Action::Click,
            url: String::new()
        }
        .allowed_from(Sender::Agent),
        "the guiding agent does not pick"
    );
    assert!(!Event::Picked {
        facts: Picked::default(),
        action: Action::Click,
        url: String::new()
    }
    .allowed_from(Sender::Frame));
}

#[test]
fn a_step_gets_its_text_placement_and_a_new_element() {
    let mut e = engine();
    e.set_deployment(Deployment {
        user_id: Some("jdiaz".into()),
        ..Deployment::default()
    });
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::RecordStart);
    e.handle(
        &mut s,
        Event::Picked {
            facts: button("old", "Old"),
            action: Action::Click,
            url: URL.to_string(),
        },
    );
    e.handle(
        &mut s,
        Event::RecordDetails {
            index: 0,
            body: "Click **Save**.".into(),
            placement: Placement::Top,
        },
    );
    let c = e.handle(&mut s, Event::RecordRepick { index: 0 });
    assert_eq!(recorder_view(&c).unwrap().repick, Some(0));
    let c = e.handle(
        &mut s,
        Event::Picked {
            facts: button("save-deal", "Save"),
            action: Action::Click,
            url: URL.to_string(),
        },
    );
    let r = recorder_view(&c).unwrap();
    assert_eq!(r.steps.len(), 1, "a re-pick replaces, it does not add");
    assert_eq!(r.repick, None);
    assert_eq!(r.steps[0].title, "Click Old", "the author's title stays");
    assert_eq!(r.steps[0].target[0], "[data-testid=\"save-deal\"]");
    assert_eq!(r.owner, "jdiaz");
    let c = e.handle(&mut s, Event::RecordExport);
    let x = recorder_view(&c).unwrap().export.unwrap();
    assert!(x.text.contains("owner = \"jdiaz\""), "{}", x.text);
    assert!(x.text.contains("body = \"Click **Save**.\""), "{}", x.text);
    assert!(x.text.contains("placement = \"top\""), "{}", x.text);
}

#[test]
fn a_preview_plays_the_recording_as_built_then_returns_to_it() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::RecordStart);
    // Nothing to preview yet.
    assert!(recorder_view(&e.handle(&mut s, Event::RecordPreview)).is_none());
    assert!(s.preview.is_none());
    for (i, (id, name)) in [("new-deal", "New deal"), ("save-deal", "Save deal")]
        .into_iter()
        .enumerate()
    {
        e.handle(
            &mut s,
            Event::Picked {
                facts: button(id, name),
                action: Action::Click,
                url: URL.to_string(),
            },
        );
        e.handle(
            &mut s,
            Event::Counted {
                step: i,
                counts: vec![1, 1, 1],
            },
        );
    }
    e.handle(
        &mut s,
        Event::RecordDetails {
            index: 0,
            body: "Click **New deal**.".into(),
            placement: Placement::Bottom,
        },
    );

    let c = e.handle(&mut s, Event::RecordPreview);
    // The recorder stands by; the first step plays, as built.
    assert!(c.contains(&Command::Recording {
        on: false,
        roles: vec![]
    }));
    let Some(View::Card(card)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert!(card.preview);
    assert_eq!(
        (card.title.as_str(), card.index, card.count),
        ("Click New deal", 1, 2)
    );
    #[cfg(feature = "markdown")]
    assert_eq!(
        card.body,
        crate::richtext::compile_markdown("Click **New deal**.").unwrap()
    );
    let key = watch_of(&c).unwrap();
    // Pointing no longer moves the spotlight; the page cannot pick.
    let rect = Rect {
        x: 1.0,
        y: 1.0,
        width: 500.0,
        height: 500.0,
    };
    e.handle(&mut s, Event::Hovered { rect });
    assert!(s.hover.is_none());

    e.handle(&mut s, Event::TargetClicked { watch: key });
    // A page load on the way: the preview goes on at its step, from
    // nothing saved (a preview is never saved).
    let c = attach(&e, &mut s, None);
    let Some(View::Card(card)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!((card.index, card.preview), (2, true));
    let key = watch_of(&c).unwrap();
    let c = e.handle(&mut s, Event::TargetClicked { watch: key });
    assert!(matches!(view_of(&c), Some(View::Done { .. })), "{c:?}");

    // Closing the completion card goes back to the recording, listening.
    let c = e.handle(&mut s, Event::Close);
    let r = recorder_view(&c).unwrap();
    assert_eq!(r.steps.len(), 2);
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Recording { on: true, .. })));
    assert!(s.preview.is_none());

    // Ending a preview part way also goes back; and nothing of the author's
    // previews was recorded or saved.
    let mut all = e.handle(&mut s, Event::RecordPreview);
    let closed = e.handle(&mut s, Event::Close);
    assert!(recorder_view(&closed).is_some(), "{closed:?}");
    all.extend(closed);
    assert!(!all
        .iter()
        .any(|c| matches!(c, Command::Record { .. } | Command::Save { .. })));
}

#[test]
fn the_card_sets_what_moves_a_step_on_and_where_the_walkthrough_applies() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::RecordStart);
    e.handle(
        &mut s,
        Event::Picked {
            facts: button("new-deal", "New deal"),
            action: Action::Click,
            url: URL.to_string(),
        },
    );
    // The author goes on to a deal's page.
    e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/crm/deals/77?tab=notes".into(),
        },
    );
    let c = e.handle(
        &mut s,
        Event::RecordAdvance {
            index: 0,
            advance: crate::recorder::Moves::Next,
        },
    );
    let r = recorder_view(&c).unwrap();
    assert_eq!(r.steps[0].advance, crate::recorder::Moves::Next);
    assert_eq!(
        r.steps[0].advances,
        [crate::recorder::Moves::Click, crate::recorder::Moves::Next]
    );
    assert_eq!(r.pages.len(), 1);
    assert_eq!(r.pages[0].pattern, "/crm/deals*");
    assert_eq!(r.pages[0].matches, ["/crm/deals", "/crm/deals/77"]);
    assert!(!r.pages_custom);

    let c = e.handle(
        &mut s,
        Event::RecordPages {
            text: "deals".into(),
        },
    );
    let r = recorder_view(&c).unwrap();
    assert!(r
        .pages_error
        .as_deref()
        .unwrap()
        .contains("`deals` is not a page pattern"));
    let c = e.handle(
        &mut s,
        Event::RecordPages {
            text: "/crm/deals".into(),
        },
    );
    let r = recorder_view(&c).unwrap();
    assert_eq!(r.pages_error, None);
    assert!(r.pages_custom);
    assert_eq!(r.unmatched, ["/crm/deals/77"]);
    let c = e.handle(&mut s, Event::RecordExport);
    let text = recorder_view(&c).unwrap().export.unwrap().text;
    assert!(text.contains("applies_to = [\"/crm/deals\"]"), "{text}");
    assert!(text.contains("advance = \"next\""), "{text}");
}
