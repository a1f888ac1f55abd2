//! Engine scenarios: walkthroughs: clicks and Next, resuming, decisions and Back, advance rules, missing targets, two at once.

use super::*;

#[test]
fn full_walkthrough_by_clicks_and_next() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::LauncherClicked);
    let c = e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    assert!(c.contains(&Command::Save {
        key: "tour:http://127.0.0.1:4000".into(),
        tour: Some(Tour {
            walkthrough: "create-deal".into(),
            version: "v1".into(),
            step: 0,
            history: vec![],
            bundle: 0,
            started: 0,
            auto: false,
        })
    }));
    let key = watch_of(&c).unwrap();
    assert_eq!(key, "create-deal/0/open");
    let Some(View::Card(card)) = view_of(&c) else {
        panic!()
    };
    assert_eq!(
        (card.index, card.count, card.can_back, card.can_next),
        (1, 3, false, false)
    );
    // Frame stays hidden until the target is found.
    assert!(c.contains(&Command::Frame { rect: None }));

    let rect = Rect {
        x: 1100.0,
        y: 80.0,
        width: 100.0,
        height: 36.0,
    };
    let c = e.handle(
        &mut s,
        Event::Target {
            watch: key.clone(),
            rect,
            viewport: VP,
        },
    );
    let frame = find(&c, |c| match c {
        Command::Frame { rect } => *rect,
        _ => None,
    })
    .unwrap();
    assert!(!frame.intersects(&rect));
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Spotlight { rect: Some(_) })));

    // Next does nothing on a click step; a stale click does nothing either.
    assert!(e.handle(&mut s, Event::Next).is_empty());
    assert!(e
        .handle(
            &mut s,
            Event::TargetClicked {
                watch: "other/0/x".into()
            }
        )
        .is_empty());

    let c = e.handle(&mut s, Event::TargetClicked { watch: key });
    assert!(c.contains(&Command::Unwatch));
    assert!(c.contains(&Command::Spotlight { rect: None }));
    // A step without a target is centred at once.
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Frame { rect: Some(_) })));
    let c = e.handle(&mut s, Event::Next);
    assert_eq!(watch_of(&c).unwrap(), "create-deal/2/save");
    let c = e.handle(&mut s, Event::Back);
    assert!(c.contains(&Command::Unwatch));
    e.handle(&mut s, Event::Next);
    let c = e.handle(
        &mut s,
        Event::TargetClicked {
            watch: "create-deal/2/save".into(),
        },
    );
    let Some(View::Done {
        title,
        result: None,
        related,
    }) = view_of(&c)
    else {
        panic!("{c:?}")
    };
    assert_eq!(title, "Create a deal");
    // More: what else is for this page, the walkthrough itself left out.
    assert_eq!(
        related.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["deal-basics"]
    );
    assert!(c.contains(&Command::Save {
        key: "tour:http://127.0.0.1:4000".into(),
        tour: None
    }));
    let c = e.handle(&mut s, Event::Dismiss);
    assert_eq!(view_of(&c), Some(View::Hidden));
}

#[test]
fn resumes_after_reload_and_ignores_unknown_saved_tours() {
    let e = engine();
    let mut s = Session::default();
    let saved = Tour {
        walkthrough: "create-deal".into(),
        version: "v1".into(),
        step: 2,
        history: vec![],
        bundle: 0,
        started: 0,
        auto: false,
    };
    let c = attach(&e, &mut s, Some(saved.clone()));
    assert_eq!(watch_of(&c).unwrap(), "create-deal/2/save");
    // Restoring must not rewrite what was just read.
    assert!(!c.iter().any(|c| matches!(c, Command::Save { .. })));

    let mut s = Session::default();
    let gone = Tour {
        walkthrough: "deleted".into(),
        version: "v0".into(),
        step: 0,
        history: vec![],
        bundle: 0,
        started: 0,
        auto: false,
    };
    let c = attach(&e, &mut s, Some(gone));
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Save { tour: None, .. })));
    let mut s = Session::default();
    let past_end = Tour { step: 99, ..saved };
    let c = attach(&e, &mut s, Some(past_end));
    assert!(watch_of(&c).is_none());
}

#[cfg(feature = "authoring")]
#[test]
fn decisions_branch_and_back_retraces_them() {
    let e = source_engine(&[
        (
            "waymark.toml",
            "[locales]\ntranslations = [\"fr\"]\n[locales.fallback]\nfr = \"en\"\n",
        ),
        ("refund.toml", DECIDE),
    ]);
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = card(
        &e,
        &mut s,
        Event::Start {
            id: "refund".into(),
        },
    );
    assert_eq!(c.choices, vec!["Card", "Cash"]);
    assert!(!c.can_next && !c.can_back && !c.last);
    // Next does nothing on a decision; an answer out of range neither.
    assert!(view_of(&e.handle(&mut s, Event::Next)).is_none());
    assert!(view_of(&e.handle(&mut s, Event::Choose { index: 7 })).is_none());
    let c = card(&e, &mut s, Event::Choose { index: 1 });
    assert_eq!(c.title, "In cash");
    assert!(c.last && c.can_back);
    let c = card(&e, &mut s, Event::Back);
    assert_eq!(c.title, "How did they pay?");
    let c = card(&e, &mut s, Event::Choose { index: 0 });
    assert_eq!(c.title, "To the card");
    assert!(c.last, "branch = end makes it the last step");
    match view_of(&e.handle(&mut s, Event::Next)) {
        Some(View::Done { title, result, .. }) => {
            assert_eq!(title, "Refund");
            assert_eq!(result, None);
        }
        other => panic!("{other:?}"),
    }
    // In French, translated strings, and the source where there are none.
    let mut s = Session::default();
    e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: "fr-FR".into(),
        },
    );
    e.handle(&mut s, Event::Restored { tour: None });
    let c = card(
        &e,
        &mut s,
        Event::Start {
            id: "refund".into(),
        },
    );
    assert_eq!(
        (c.walkthrough.as_str(), c.title.as_str()),
        ("Rembourser", "Comment ont-ils payé ?")
    );
    let c = card(&e, &mut s, Event::Choose { index: 1 });
    assert_eq!(c.title, "In cash");
}

#[cfg(feature = "authoring")]
#[test]
fn every_advance_rule_and_a_missing_target() {
    let src = RULES.replace("id = \"end\"", "id = \"fin\"");
    let e = source_engine(&[("rules.toml", src.as_str())]);
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = e.handle(&mut s, Event::Start { id: "rules".into() });
    let (w, timeout, input, _) = watch_cmd(&c).unwrap();
    // The agent gets the rule and matches in the page; the value never
    // reaches the engine, only "it matched".
    let rule = |change_only: bool, pattern: Option<&str>| {
        Some(ValueRule {
            change_only,
            pattern: pattern.map(Into::into),
        })
    };
    assert_eq!(
        (w.as_str(), timeout, input),
        ("rules/0/name", 10_000, rule(false, Some("*@*")))
    );
    let typed = |s: &mut Session, w: &str| e.handle(s, Event::TargetInput { watch: w.into() });
    // A report for another watch is stale: nothing moves.
    assert!(watch_cmd(&typed(&mut s, "rules/9/x")).is_none());
    let c = typed(&mut s, &w);
    let (w, _, input, _) = watch_cmd(&c).unwrap();
    assert_eq!((w.as_str(), input), ("rules/1/stage", rule(true, None)));
    let (w, _, _, appear) = watch_cmd(&typed(&mut s, &w)).unwrap();
    assert_eq!((w.as_str(), appear), ("rules/2/save", 1));
    let (w, timeout, ..) = watch_cmd(&e.handle(&mut s, Event::Appeared { watch: w })).unwrap();
    assert_eq!((w.as_str(), timeout), ("rules/3/dialog", 2_000));
    // Disappear needs the target seen first.
    let rect = Rect {
        x: 10.0,
        y: 10.0,
        width: 50.0,
        height: 20.0,
    };
    assert!(watch_cmd(&e.handle(&mut s, Event::TargetLost { watch: w.clone() })).is_none());
    e.handle(
        &mut s,
        Event::Target {
            watch: w.clone(),
            rect,
            viewport: VP,
        },
    );
    let c = e.handle(&mut s, Event::TargetLost { watch: w });
    // Step 5 happens on /crm/deals/new: elsewhere, no watch, and the
    // card says where to go.
    assert_eq!(watch_cmd(&c), None);
    match view_of(&c) {
        Some(View::Card(card)) => {
            assert!(card.hint.unwrap().contains("/crm/deals/new*"), "{c:?}")
        }
        other => panic!("{other:?}"),
    }
    let c = e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/crm/deals/new".into(),
        },
    );
    let (w, ..) = watch_cmd(&c).unwrap();
    assert_eq!(w, "rules/4/list");
    let c = e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/crm/deals".into(),
        },
    );
    match view_of(&c) {
        Some(View::Card(card)) => assert_eq!(card.title, "Done"),
        other => panic!("{other:?}"),
    }
}

#[cfg(feature = "authoring")]
#[test]
fn a_target_not_found_in_time_offers_retry_skip_and_end_and_is_recorded() {
    let e = source_engine(&[(
        "rules.toml",
        RULES.replace("id = \"end\"", "id = \"fin\"").as_str(),
    )]);
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let (w, ..) = watch_cmd(&e.handle(&mut s, Event::Start { id: "rules".into() })).unwrap();
    let c = e.handle(&mut s, Event::TargetMissing { watch: w.clone() });
    let record = c.iter().find_map(|c| match c {
        Command::Record { record } if record.kind() == "target_missing" => Some(record.clone()),
        _ => None,
    });
    let record = record.unwrap();
    match &record.what {
        What::TargetMissing { step, index } => assert_eq!((step.as_str(), *index), ("name", 0)),
        other => panic!("{other:?}"),
    }
    let content = record.content.unwrap();
    assert_eq!(content.id, "rules");
    assert!(!content.version.is_empty());
    assert!(c.contains(&Command::Unwatch), "{c:?}");
    match view_of(&c) {
        Some(View::Card(card)) => assert!(card.missing),
        other => panic!("{other:?}"),
    }
    // A stale timeout (another watch) is ignored.
    assert!(e
        .handle(
            &mut s,
            Event::TargetMissing {
                watch: "rules/9/x".into()
            }
        )
        .is_empty());
    // Retry looks again under a new key.
    let (w2, ..) = watch_cmd(&e.handle(&mut s, Event::Retry)).unwrap();
    assert_eq!(w2, "rules/0/name#1");
    e.handle(&mut s, Event::TargetMissing { watch: w2 });
    let (w3, ..) = watch_cmd(&e.handle(&mut s, Event::Skip)).unwrap();
    assert_eq!(w3, "rules/1/stage");
    // An optional step is skipped by itself when its target never comes.
    e.handle(&mut s, Event::TargetInput { watch: w3 });
    let (w, ..) = watch_cmd(&e.handle(
        &mut s,
        Event::Appeared {
            watch: "rules/2/save".into(),
        },
    ))
    .unwrap();
    assert_eq!(w, "rules/3/dialog");
    let c = e.handle(&mut s, Event::TargetMissing { watch: w });
    assert!(
        matches!(view_of(&c), Some(View::Card(card)) if card.title == "Back to the list" && !card.missing)
    );
}

#[test]
fn two_walkthroughs_asked_at_once_the_last_wins_cleanly() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    let c = e.handle(
        &mut s,
        Event::Start {
            id: "refund".into(),
        },
    );
    match view_of(&c) {
        Some(View::Card(card)) => assert_eq!(card.walkthrough, "Refund a partial order"),
        other => panic!("{other:?}"),
    }
    assert_eq!(watch_of(&c).as_deref(), Some("refund/0/a"));
    // A late event for the first one changes nothing.
    let late = e.handle(
        &mut s,
        Event::TargetClicked {
            watch: "create-deal/0/open".into(),
        },
    );
    assert!(view_of(&late).is_none(), "{late:?}");
}
