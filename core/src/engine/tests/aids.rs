//! Engine scenarios: onboarding checklists, job aids, articles offered
//! beside an error, and authored "related" content.
#![cfg(feature = "authoring")]

use super::*;

const MAKE: &str = "id = \"make\"\ntitle = \"Make a deal\"\nmoment = \"new\"\nowner = \"crm\"\napplies_to = [\"/crm/*\"]\ntags = [\"crm\"]\nrelated = [\"read\"]\n\n[[steps]]\nid = \"go\"\ntitle = \"Go\"\n";

const READ: &str = "+++\nid = \"read\"\ntitle = \"Before you call\"\nmoment = \"solve\"\nowner = \"crm\"\nreview_by = 2027-05-31\napplies_to = [\"/crm/*\"]\ntrigger = { type = \"on_error\", target = [\"[role=alert]\"], text = \"limit\" }\n+++\n\n- [ ] Check the account\n- [ ] Note the **amount**\n- [x] Call back\n";

const SALES: &str = "id = \"sales-week\"\ntitle = \"Your first week in sales\"\nowner = \"sales-ops\"\nstatus = \"approved\"\naudience = { roles = [\"sales\"] }\nitems = [\"make\", \"read\"]\n";

const HR: &str = "id = \"hr-week\"\ntitle = \"Your first week in HR\"\nowner = \"people\"\nstatus = \"approved\"\naudience = { roles = [\"hr\"] }\nitems = [\"read\"]\n";

fn aids_engine(roles: &[&str]) -> Engine {
    let mut e = source_engine(&[
        ("make.toml", MAKE),
        ("read.md", READ),
        ("sales.checklist.toml", SALES),
        ("hr.checklist.toml", HR),
    ]);
    e.set_deployment(Deployment {
        user_roles: Some(roles.iter().map(|r| r.to_string()).collect()),
        ..Deployment::default()
    });
    e
}

fn panel_of(c: &[Command]) -> Option<PanelView> {
    match view_of(c)? {
        View::Panel(p) => Some(p),
        _ => None,
    }
}

fn saved(c: &[Command]) -> Option<Seen> {
    c.iter().rev().find_map(|c| match c {
        Command::SaveSeen { seen, .. } => Some(seen.clone()),
        _ => None,
    })
}

#[test]
fn a_role_sees_its_own_checklist_ticked_as_it_goes_across_restarts() {
    let e = aids_engine(&["sales"]);
    let mut s = Session::default();
    arrive(&e, &mut s, URL, None, None, 1);
    let p = panel_of(&e.handle(&mut s, Event::LauncherClicked)).unwrap();
    let titles: Vec<_> = p.checklists.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Your first week in sales"], "not HR's");
    let items: Vec<_> = p.checklists[0]
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.done))
        .collect();
    assert_eq!(items, [("make", false), ("read", false)]);
    assert_eq!(p.checklists[0].done, 0);
    // The walkthrough, done: ticked.
    e.handle(&mut s, Event::Start { id: "make".into() });
    let mut c = e.handle(&mut s, Event::Next);
    c.extend(e.handle(&mut s, Event::Dismiss));
    let seen = saved(&c).expect("progress is saved");
    assert!(seen.done.contains("make"));
    // A new browser session: the same storage, the same progress.
    let mut s = Session::default();
    arrive(&e, &mut s, URL, Some(seen), None, 2);
    let p = panel_of(&e.handle(&mut s, Event::LauncherClicked)).unwrap();
    assert_eq!(p.checklists[0].done, 1);
    assert!(p.checklists[0].items[0].done);
    // Opening the article from the list ticks it too.
    e.handle(&mut s, Event::Open { id: "read".into() });
    let p = panel_of(&e.handle(&mut s, Event::CloseArticle)).unwrap();
    assert_eq!(p.checklists[0].done, 2);
    // A search hides the checklists; clearing it brings them back.
    let p = panel_of(&e.handle(
        &mut s,
        Event::Search {
            query: "call".into(),
        },
    ))
    .unwrap();
    assert!(p.checklists.is_empty());

    // Another role sees only its own; nobody known sees neither.
    let hr = aids_engine(&["hr"]);
    let mut s = Session::default();
    arrive(&hr, &mut s, URL, None, None, 1);
    let p = panel_of(&hr.handle(&mut s, Event::LauncherClicked)).unwrap();
    let titles: Vec<_> = p.checklists.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Your first week in HR"]);
    let nobody = aids_engine(&[]);
    let mut s = Session::default();
    arrive(&nobody, &mut s, URL, None, None, 1);
    let p = panel_of(&nobody.handle(&mut s, Event::LauncherClicked)).unwrap();
    assert!(p.checklists.is_empty());
}

#[test]
fn a_job_aid_keeps_its_ticks_per_user_until_reset_or_a_new_version() {
    let e = aids_engine(&[]);
    let a = e.library().article("read").unwrap();
    assert_eq!(a.tasks(), 3, "`[x]` is a box too, empty at first");
    let mut s = Session::default();
    arrive(&e, &mut s, URL, None, None, 1);
    e.handle(&mut s, Event::LauncherClicked);
    let ticked = |c: &[Command]| match view_of(c) {
        Some(View::Article(a)) => a.ticked,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        ticked(&e.handle(&mut s, Event::Open { id: "read".into() })),
        Vec::<u32>::new()
    );
    let tick = |index, on| Event::Tick {
        article: "read".into(),
        index,
        on,
    };
    e.handle(&mut s, tick(0, true));
    let c = e.handle(&mut s, tick(2, true));
    assert_eq!(ticked(&c), [0, 2]);
    // No such box, or not this article: nothing.
    assert!(view_of(&e.handle(&mut s, tick(3, true))).is_none());
    let c = e.handle(&mut s, tick(0, false));
    assert_eq!(ticked(&c), [2]);
    let seen = saved(&c).unwrap();
    // Kept: the next visit shows the same ticks.
    let mut s2 = Session::default();
    arrive(&e, &mut s2, URL, Some(seen.clone()), None, 2);
    e.handle(&mut s2, Event::LauncherClicked);
    assert_eq!(
        ticked(&e.handle(&mut s2, Event::Open { id: "read".into() })),
        [2]
    );
    let c = e.handle(
        &mut s2,
        Event::ResetTicks {
            article: "read".into(),
        },
    );
    assert_eq!(ticked(&c), Vec::<u32>::new());
    // A new version of the article starts with empty boxes.
    let mut old = seen;
    old.ticks.get_mut("read").unwrap().version = "older".into();
    let mut s3 = Session::default();
    arrive(&e, &mut s3, URL, Some(old), None, 3);
    e.handle(&mut s3, Event::LauncherClicked);
    assert_eq!(
        ticked(&e.handle(&mut s3, Event::Open { id: "read".into() })),
        Vec::<u32>::new()
    );
}

#[test]
fn an_article_is_offered_beside_the_error_that_triggers_it() {
    let e = aids_engine(&[]);
    let mut s = Session::default();
    let c = arrive(&e, &mut s, URL, None, None, 1);
    let keys = find(&c, |c| match c {
        Command::Sentinels { list } => Some(
            list.entries
                .iter()
                .map(|e| e.key.clone())
                .collect::<Vec<_>>(),
        ),
        _ => None,
    });
    assert_eq!(keys.unwrap(), ["read"]);
    let c = e.handle(
        &mut s,
        Event::Present {
            key: "read".into(),
            present: true,
        },
    );
    match view_of(&c) {
        Some(View::Offer { item }) => assert_eq!(item.kind, ItemKind::Article),
        other => panic!("{other:?}"),
    }
    // The error element is looked for, so the offer can sit beside it,
    // without scrolling the page to it.
    assert_eq!(watch_of(&c).as_deref(), Some("offer/read"));
    let reveal = find(&c, |c| match c {
        Command::Watch { reveal, .. } => Some(*reveal),
        _ => None,
    });
    assert_eq!(reveal, Some(false));
    // Several errors match: any will do (the first).
    let c2 = e.handle(
        &mut s,
        Event::Candidates {
            watch: "offer/read".into(),
            candidates: vec![ElementFacts::default(), ElementFacts::default()],
        },
    );
    assert!(c2.contains(&Command::Select {
        watch: "offer/read".into(),
        index: 0
    }));
    // The help shortcut (or the dot on the error) takes the keyboard to
    // the offer rather than opening the panel over it.
    let c2 = e.handle(&mut s, Event::OpenHelp);
    assert!(c2.contains(&Command::Focus), "{c2:?}");
    assert!(view_of(&c2).is_none(), "the offer stays");
    let before = find(&c, |c| match c {
        Command::Frame { rect } => *rect,
        _ => None,
    })
    .unwrap();
    let error = Rect {
        x: 100.0,
        y: 100.0,
        width: 300.0,
        height: 40.0,
    };
    let c = e.handle(
        &mut s,
        Event::Target {
            watch: "offer/read".into(),
            rect: error,
            viewport: VP,
        },
    );
    let beside = find(&c, |c| match c {
        Command::Frame { rect } => *rect,
        _ => None,
    })
    .unwrap();
    assert_ne!(beside, before);
    assert!(beside.y >= error.y + error.height || beside.x >= error.x + error.width);
    // Read: the panel opens on it; taken, recorded; not offered again.
    let c = e.handle(&mut s, Event::Open { id: "read".into() });
    assert!(matches!(view_of(&c), Some(View::Article(a)) if a.id == "read"));
    let whats: Vec<_> = c
        .iter()
        .filter_map(|c| match c {
            Command::Record { record } => Some(record.kind()),
            _ => None,
        })
        .collect();
    assert!(whats.contains(&"trigger_taken"), "{whats:?}");
    let c = e.handle(&mut s, Event::Dismiss);
    assert_eq!(view_of(&c), Some(View::Hidden));
}

#[test]
fn the_completion_card_offers_what_the_author_named_first() {
    let e = aids_engine(&[]);
    let mut s = Session::default();
    arrive(&e, &mut s, URL, None, None, 1);
    e.handle(&mut s, Event::Start { id: "make".into() });
    match view_of(&e.handle(&mut s, Event::Next)) {
        Some(View::Done { related, .. }) => assert_eq!(related[0].id, "read"),
        other => panic!("{other:?}"),
    }
}

const TIPS: &str = "id = \"form\"\ntitle = \"Deal form\"\nowner = \"crm\"\nreview_by = 2027-05-31\napplies_to = [\"/crm/deals*\"]\n\n[[tips]]\nid = \"amount\"\ntarget = [\"input[name=amount]\"]\ntitle = \"Amount\"\nbody = \"Before **tax**.\"\n\n[[tips]]\nid = \"stage\"\ntarget = [\"select[name=stage]\"]\ntitle = \"Stage\"\nbeacon = true\n";

/// The last tips list sent.
fn tips_of(c: &[Command]) -> Option<Vec<String>> {
    c.iter().rev().find_map(|c| match c {
        Command::Tips { marks } => Some(marks.iter().map(|m| m.key.clone()).collect()),
        _ => None,
    })
}

#[test]
fn tips_are_drawn_on_their_screen_and_a_closed_beacon_stays_closed() {
    let e = source_engine(&[
        ("make.toml", MAKE),
        ("read.md", READ),
        ("form.tips.toml", TIPS),
    ]);
    // Not before the user's memory is read (a closed beacon must not flash).
    let mut s = Session {
        now: 1,
        ..Session::default()
    };
    let c = e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    // (An empty list, so an agent that kept marks from before drops them.)
    assert_eq!(tips_of(&c).unwrap(), Vec::<String>::new());
    let mut c = e.handle(&mut s, Event::SeenRestored { seen: None });
    c.extend(e.handle(&mut s, Event::Restored { tour: None }));
    assert_eq!(tips_of(&c).unwrap(), ["form/amount", "form/stage"]);
    let mark = find(&c, |c| match c {
        Command::Tips { marks } => Some(marks[0].clone()),
        _ => None,
    })
    .unwrap();
    assert_eq!(mark.queries[0].css, "input[name=amount]");
    assert_eq!(mark.body.plain_text(), "Before tax.");
    // A walkthrough has the screen: no tips meanwhile; back after it.
    let c = e.handle(&mut s, Event::Start { id: "make".into() });
    assert_eq!(tips_of(&c).unwrap(), Vec::<String>::new());
    let c = e.handle(&mut s, Event::Close);
    assert_eq!(tips_of(&c).unwrap(), ["form/amount", "form/stage"]);
    // Got it: the beacon goes, and is remembered.
    let c = e.handle(
        &mut s,
        Event::BeaconDone {
            key: "form/stage".into(),
        },
    );
    assert_eq!(tips_of(&c).unwrap(), ["form/amount"]);
    let seen = saved(&c).unwrap();
    // A tip is not a beacon, and unknown keys change nothing.
    for key in ["form/amount", "nope/x", "garbage"] {
        let c = e.handle(&mut s, Event::BeaconDone { key: key.into() });
        assert_eq!(tips_of(&c), None, "{key}");
    }
    let mut s2 = Session::default();
    let c = arrive(&e, &mut s2, URL, Some(seen), None, 2);
    assert_eq!(tips_of(&c).unwrap(), ["form/amount"]);
    // Another screen: none (and they are taken away).
    let c = e.handle(
        &mut s2,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/hr/time-off".into(),
        },
    );
    assert_eq!(tips_of(&c).unwrap(), Vec::<String>::new());
    // The tips script may report only what the agent may.
    assert!(Event::BeaconDone { key: "x".into() }.allowed_from(Sender::Agent));
    assert!(!Event::BeaconDone { key: "x".into() }.allowed_from(Sender::Frame));
}

#[test]
fn an_offered_error_gets_a_dot_beside_it() {
    let e = aids_engine(&[]);
    let mut s = Session::default();
    arrive(&e, &mut s, URL, None, None, 1);
    let c = e.handle(
        &mut s,
        Event::Present {
            key: "read".into(),
            present: true,
        },
    );
    let marks = find(&c, |c| match c {
        Command::Tips { marks } => Some(marks.clone()),
        _ => None,
    })
    .unwrap();
    assert_eq!(marks.len(), 1);
    assert!(marks[0].pointer && marks[0].beacon);
    assert_eq!(marks[0].key, "offer/read");
    assert_eq!(marks[0].title, "Before you call");
    let c = e.handle(&mut s, Event::Dismiss);
    assert_eq!(tips_of(&c).unwrap(), Vec::<String>::new());
}

#[test]
fn learn_more_content_comes_last_in_the_panel_as_its_own_group() {
    let more = "+++\nid = \"about\"\ntitle = \"About deals\"\nmoment = \"more\"\nowner = \"crm\"\napplies_to = [\"/crm/*\"]\n+++\n\nDeals.\n";
    let e = source_engine(&[("about.md", more), ("make.toml", MAKE), ("read.md", READ)]);
    let mut s = Session::default();
    arrive(&e, &mut s, URL, None, None, 1);
    let p = panel_of(&e.handle(&mut s, Event::LauncherClicked)).unwrap();
    let ids: Vec<_> = p.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["make", "read", "about"]);
}

#[test]
fn each_page_user_has_their_own_progress() {
    let mut e = aids_engine(&[]);
    e.set_deployment(Deployment {
        user_from_page: Some(crate::deploy::policy::FromPage::default()),
        ..Deployment::default()
    });
    let mut s = Session::default();
    let c = e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    // Whose memory to read waits for the page to say who the user is.
    assert!(
        !c.iter().any(|c| matches!(c, Command::LoadSeen { .. })),
        "{c:?}"
    );
    let user = |id: &str| Event::User {
        user: PageUser {
            id: Some(id.into()),
            roles: Some("sales".into()),
            ..PageUser::default()
        },
    };
    let c = e.handle(&mut s, user("sam"));
    assert!(c.contains(&Command::LoadSeen {
        key: "seen:http://127.0.0.1:4000:sam".into()
    }));
    e.handle(&mut s, Event::SeenRestored { seen: None });
    e.handle(&mut s, Event::Restored { tour: None });
    e.handle(&mut s, Event::Start { id: "make".into() });
    let c = e.handle(&mut s, Event::Next);
    let key = find(&c, |c| match c {
        Command::SaveSeen { key, .. } => Some(key.clone()),
        _ => None,
    });
    assert_eq!(key.as_deref(), Some("seen:http://127.0.0.1:4000:sam"));
    // The same user again: nothing read again.
    let c = e.handle(&mut s, user("sam"));
    assert!(!c.iter().any(|c| matches!(c, Command::LoadSeen { .. })));
}
