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
    // A name without a role: only elements that can carry a name, never
    // every element (the agent reads each candidate's name).
    let q = Query::from_target(&Target::parse("aria/Save deal").unwrap());
    assert_ne!(q.css, "*");
    assert!(
        q.css.contains("button,") && q.css.contains("[aria-label]"),
        "{}",
        q.css
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
    // The queue and the analytics issue read these: `kind`, the page as
    // `origin` (+ `screen`, the matched applies_to pattern), then exactly
    // the kind's fields. No URL: paths, queries and fragments carry ids
    // and tokens.
    let page = || PageRef {
        origin: "http://127.0.0.1:4000".into(),
        screen: Some("/crm/deals*".into()),
    };
    let r = Record {
        what: What::Answered {
            question: 0,
            correct: false,
        },
        page: page(),
        content: Some(ContentRef {
            kind: ContentKind::Walkthrough,
            id: "w".into(),
            version: "v1".into(),
        }),
        bundle: 7,
        environment: "production".into(),
        locale: "fr".into(),
        attempt: Some(1_796_317_445_123),
    };
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        serde_json::json!({
            "kind": "answered", "question": 0, "correct": false,
            "origin": "http://127.0.0.1:4000", "screen": "/crm/deals*",
            "content": { "kind": "walkthrough", "id": "w", "version": "v1" },
            "bundle": 7, "environment": "production", "locale": "fr", "attempt": 1_796_317_445_123u64,
        })
    );
    let r = Record {
        what: What::GuidanceStopped {
            reason: "gone".into(),
        },
        page: PageRef {
            origin: "http://127.0.0.1:4000".into(),
            screen: None,
        },
        content: None,
        bundle: 0,
        environment: String::new(),
        locale: String::new(),
        attempt: None,
    };
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        serde_json::json!({ "kind": "guidance_stopped", "origin": "http://127.0.0.1:4000", "reason": "gone", "bundle": 0, "environment": "", "locale": "" })
    );
    let back: Record = serde_json::from_value(
        serde_json::json!({ "kind": "search_zero", "query": "vpn", "origin": "http://127.0.0.1:4000" }),
    )
    .unwrap();
    assert_eq!(back.kind(), "search_zero");
}

#[test]
fn records_never_carry_the_query_fragment_or_path_and_scrub_search_text() {
    let e = engine();
    let mut s = Session::default();
    let secret = "http://127.0.0.1:4000/crm/deals/4711?reset_token=abc123#access_token=xyz789";
    e.handle(
        &mut s,
        Event::Attached {
            url: secret.into(),
            viewport: Size {
                width: 1280.0,
                height: 800.0,
            },
            locale: String::new(),
        },
    );
    e.handle(&mut s, Event::LauncherClicked);
    e.handle(
        &mut s,
        Event::Search {
            query: "xyzzy plugh ana@globex.example 4111 1111 1111 1111".into(),
        },
    );
    let out = e.handle(&mut s, Event::Close);
    let record = out
        .iter()
        .find_map(|c| match c {
            Command::Record { record } => Some(record.clone()),
            _ => None,
        })
        .expect("a zero-result record");
    let json = serde_json::to_string(&record).unwrap();
    for leak in [
        "reset_token",
        "abc123",
        "access_token",
        "xyz789",
        "4711",
        "ana@",
        "4111",
    ] {
        assert!(!json.contains(leak), "{leak} in {json}");
    }
    assert_eq!(
        serde_json::to_value(&record).unwrap(),
        serde_json::json!({ "kind": "search_zero", "query": "xyzzy plugh [email] [number]", "origin": "http://127.0.0.1:4000", "screen": "/crm/*", "bundle": 0, "environment": "", "locale": "" })
    );
}
