//! Engine scenarios: who may send which event, the JSON of events and commands, harmless input, no repeats.

use super::*;

#[test]
fn nothing_is_repeated_when_nothing_changed() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    let rect = Rect {
        x: 10.0,
        y: 10.0,
        width: 50.0,
        height: 20.0,
    };
    let w = "create-deal/0/open".to_string();
    let found = Event::Target {
        watch: w.clone(),
        rect,
        viewport: VP,
    };
    assert!(!e.handle(&mut s, found.clone()).is_empty());
    assert!(
        e.handle(&mut s, found).is_empty(),
        "the same rect again sends nothing"
    );
    let c = e.handle(&mut s, Event::TargetLost { watch: w });
    assert!(c.contains(&Command::Frame { rect: None }));
    assert!(c.contains(&Command::Spotlight { rect: None }));
}

#[test]
fn unknown_start_and_events_before_attach_are_harmless() {
    let e = engine();
    let mut s = Session::default();
    assert!(e.handle(&mut s, Event::Next).is_empty());
    attach(&e, &mut s, None);
    let c = e.handle(&mut s, Event::Start { id: "nope".into() });
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn each_event_has_one_sender() {
    assert!(Event::TargetClicked { watch: "x".into() }.allowed_from(Sender::Agent));
    assert!(!Event::TargetClicked { watch: "x".into() }.allowed_from(Sender::Frame));
    assert!(Event::Next.allowed_from(Sender::Frame));
    assert!(!Event::Next.allowed_from(Sender::Agent));
    assert!(!Event::Restored { tour: None }.allowed_from(Sender::Agent));
    assert_eq!(Sender::parse("frame"), Some(Sender::Frame));
    assert_eq!(Sender::parse("page"), None);
}

#[test]
fn compiles_targets_for_the_agent() {
    let q = Query::from_target(&Target::parse("aria/New deal[role=\"button\"]").unwrap());
    assert!(q.css.starts_with("button,") && q.css.ends_with("[role=button]"));
    assert_eq!(q.name.as_deref(), Some("New deal"));
    let q = Query::from_target(&Target::parse("text/Save deal").unwrap());
    assert_eq!(
        (q.css.as_str(), q.text.as_deref()),
        ("*", Some("Save deal"))
    );
}

#[test]
fn events_and_commands_are_tagged_json() {
    let ev: Event = serde_json::from_str(r#"{"type":"target_clicked","watch":"a/0/b"}"#).unwrap();
    assert_eq!(
        ev,
        Event::TargetClicked {
            watch: "a/0/b".into()
        }
    );
    let json = serde_json::to_string(&Command::Frame { rect: None }).unwrap();
    assert_eq!(json, r#"{"type":"frame","rect":null}"#);
}

#[test]
fn records_keep_their_json_shape() {
    // The queue and the analytics issue read these: `kind` plus exactly the
    // kind's fields, as before records were an enum.
    let r = Record::Answered {
        url: URL.into(),
        id: "w".into(),
        version: "v1".into(),
        question: 0,
        correct: false,
    };
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        serde_json::json!({ "kind": "answered", "url": URL, "id": "w", "version": "v1", "question": 0, "correct": false })
    );
    let r = Record::GuidanceStopped {
        url: URL.into(),
        id: None,
        version: None,
        reason: "gone".into(),
    };
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        serde_json::json!({ "kind": "guidance_stopped", "url": URL, "reason": "gone" })
    );
    let back: Record = serde_json::from_value(
        serde_json::json!({ "kind": "search_zero", "query": "vpn", "url": URL }),
    )
    .unwrap();
    assert_eq!(back.kind(), "search_zero");
}
