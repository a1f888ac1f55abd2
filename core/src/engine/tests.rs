//! Engine scenarios: events in, commands out, natively.

use super::*;
use crate::content::{Placement, Walkthrough};
use crate::richtext::{Block, Inline};

fn step(id: &str, target: &[&str], advance: Advance) -> Step {
    Step {
        id: id.into(),
        title: format!("Step {id}"),
        body: RichText(vec![Block::Paragraph(vec![Inline::Text("body".into())])]),
        target: target.iter().map(|t| Target::parse(t).unwrap()).collect(),
        advance,
        placement: Placement::Auto,
        optional: false,
        branch: Branch::Next,
        url: None,
        timeout_ms: crate::content::DEFAULT_TIMEOUT_MS,
    }
}

fn meta() -> Meta {
    Meta {
        owner: "crm-team".into(),
        status: crate::content::Status::Approved,
        ..Meta::default()
    }
}

fn engine() -> Engine {
    Engine::new(Library {
        walkthroughs: vec![
            Walkthrough {
                id: "create-deal".into(),
                title: "Create a deal".into(),
                moment: Moment::Apply,
                applies_to: vec!["/crm/*".into()],
                tags: vec![],
                synonyms: vec![],
                version: "v1".into(),
                meta: meta(),
                trigger: Default::default(),
                check: None,
                translations: Default::default(),
                steps: vec![
                    step(
                        "open",
                        &["[data-testid=new-deal]", "aria/New deal[role=button]"],
                        Advance::Click,
                    ),
                    step("intro", &[], Advance::Next),
                    step("save", &["text/Save deal"], Advance::Click),
                ],
            },
            Walkthrough {
                id: "refund".into(),
                title: "Refund a partial order".into(),
                moment: Moment::Apply,
                applies_to: vec!["/pos/*".into()],
                tags: vec![],
                synonyms: vec![],
                version: "v2".into(),
                meta: meta(),
                trigger: Default::default(),
                check: None,
                translations: Default::default(),
                steps: vec![step("a", &["#x"], Advance::Next)],
            },
        ],
        articles: vec![crate::content::Article {
            id: "deal-basics".into(),
            title: "Deal basics".into(),
            moment: Moment::More,
            tags: vec![],
            synonyms: vec![],
            applies_to: vec!["/crm/*".into()],
            version: "a1".into(),
            meta: meta(),
            translations: Default::default(),
            body: RichText(vec![Block::Paragraph(vec![Inline::Text(
                "Every deal moves through stages.".into(),
            )])]),
        }],
        ..Default::default()
    })
}

const VP: Size = Size {
    width: 1280.0,
    height: 800.0,
};
const URL: &str = "http://127.0.0.1:4000/crm/deals";

fn attach(e: &Engine, s: &mut Session, saved: Option<Tour>) -> Vec<Command> {
    let mut c = e.handle(
        s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    assert_eq!(
        c.last(),
        Some(&Command::Load {
            key: "tour:http://127.0.0.1:4000".into()
        }),
        "{c:?}"
    );
    c.extend(e.handle(s, Event::Restored { tour: saved }));
    c
}

fn find<'a, T>(cmds: &'a [Command], f: impl Fn(&'a Command) -> Option<T>) -> Option<T> {
    cmds.iter().find_map(f)
}

fn watch_of(cmds: &[Command]) -> Option<String> {
    find(cmds, |c| match c {
        Command::Watch { watch, .. } => Some(watch.clone()),
        _ => None,
    })
}

fn view_of(cmds: &[Command]) -> Option<View> {
    find(cmds, |c| match c {
        Command::Render { view } => Some(view.clone()),
        _ => None,
    })
}

#[test]
fn policy_origins_narrow_where_the_engine_acts() {
    let mut e = engine();
    e.set_deployment(Deployment {
        origins: Some(vec!["https://crm.acme.example".into()]),
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
    assert!(
        c.is_empty(),
        "a page outside allowed_origins gets nothing: {c:?}"
    );
    assert!(e.acts_on("https://crm.acme.example/deals"));
    assert!(!e.acts_on("https://crm.acme.example:8443/deals"));
}

#[test]
fn policy_turns_search_off_and_names_support() {
    let mut e = engine();
    let support = Support {
        name: "IT desk".into(),
        url: "mailto:it@acme.example".into(),
    };
    e.set_deployment(Deployment {
        search: false,
        support: Some(support.clone()),
        ..Deployment::default()
    });
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::OpenHelp);
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "refund".into(),
        },
    );
    let Some(View::Panel(p)) = view_of(&c).or_else(|| {
        let c = e.handle(&mut s, Event::LauncherClicked);
        e.handle(&mut s, Event::LauncherClicked);
        view_of(&c)
    }) else {
        panic!("{c:?}")
    };
    assert!(!p.search);
    assert_eq!(p.heading, "For this page", "a query is not searched");
    assert_eq!(p.support, Some(support.clone()));
    e.handle(&mut s, Event::Dismiss);
    let Some(View::Card(card)) = view_of(&e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    )) else {
        panic!("no card")
    };
    assert_eq!(card.support, Some(support));
}

#[test]
fn the_user_is_read_from_the_page_when_policy_says_so() {
    let mut e = engine();
    let fields = FromPage {
        id: Some(crate::deploy::policy::PageField {
            selector: "#me".into(),
            attribute: Some("data-user-id".into()),
        }),
        ..FromPage::default()
    };
    e.set_deployment(Deployment {
        user_from_page: Some(fields.clone()),
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
    assert!(c.contains(&Command::ReadUser { fields }), "{c:?}");
    let user = PageUser {
        id: Some("  maria.lopez ".into()),
        roles: Some(String::new()),
        ..PageUser::default()
    };
    let c = e.handle(&mut s, Event::User { user: user.clone() });
    let clean = PageUser {
        id: Some("maria.lopez".into()),
        ..PageUser::default()
    };
    assert!(
        c.contains(&Command::Identified {
            user: clean.clone()
        }),
        "{c:?}"
    );
    assert_eq!(s.user, Some(clean));
    assert!(!e
        .handle(&mut s, Event::User { user })
        .iter()
        .any(|c| matches!(c, Command::Identified { .. })));
    assert!(!Event::User {
        user: PageUser::default()
    }
    .allowed_from(Source::Frame));
}

#[test]
fn a_tour_remembers_its_bundle() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    assert!(!s.busy());
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    assert!(s.busy());
    assert_eq!(s.tour_bundle(), Some(0));
}

#[test]
fn launcher_menu_lists_what_applies_here() {
    let e = engine();
    let mut s = Session::default();
    let c = attach(&e, &mut s, None);
    assert!(matches!(c[0], Command::Launcher { visible: true, .. }));
    let c = e.handle(&mut s, Event::LauncherClicked);
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(p.heading, "For this page");
    assert_eq!(
        p.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["create-deal", "deal-basics"]
    );
    assert!(
        c.contains(&Command::Focus),
        "opening the panel moves focus into it"
    );
    assert!(find(&c, |c| match c {
        Command::Frame { rect: Some(r) } => Some(r.right() <= VP.width),
        _ => None,
    })
    .unwrap());
    // Route change while open refreshes the list.
    let c = e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/pos/refunds".into(),
        },
    );
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(p.items[0].id, "refund");
    // The launcher again closes it.
    let c = e.handle(&mut s, Event::LauncherClicked);
    assert_eq!(view_of(&c), Some(View::Hidden));
}

#[test]
fn panel_searches_opens_articles_and_starts_walkthroughs() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::OpenHelp);
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "dela basics".into(),
        },
    );
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(p.heading, "Results");
    assert_eq!(p.items[0].id, "deal-basics");
    assert!(
        p.items[0].snippet.iter().any(|(_, hit)| *hit),
        "{:?}",
        p.items[0].snippet
    );
    let c = e.handle(
        &mut s,
        Event::Open {
            id: "deal-basics".into(),
        },
    );
    let Some(View::Article(a)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(a.title, "Deal basics");
    let c = e.handle(&mut s, Event::CloseArticle);
    assert!(matches!(view_of(&c), Some(View::Panel(_))));
    // Opening a walkthrough result starts it and closes the panel.
    let c = e.handle(
        &mut s,
        Event::Open {
            id: "create-deal".into(),
        },
    );
    assert_eq!(watch_of(&c).as_deref(), Some("create-deal/0/open"));
    assert!(matches!(view_of(&c), Some(View::Card(_))));
}

#[test]
fn a_broken_search_index_turns_search_off_and_guidance_keeps_working() {
    let library = engine().library.clone();
    let e = Engine::from_bundle(Bundle {
        library,
        search: b"WMSI\x01\x00 cut".to_vec(),
        manifest: crate::bundle::Manifest::describe(
            &Library::default(),
            1,
            0,
            i64::MAX,
            crate::content::Env::Staging,
            vec!["http://127.0.0.1:*".into()],
        ),
        signer: None,
    });
    assert!(
        e.search_error().is_some_and(|m| m.contains("rebuild")),
        "{:?}",
        e.search_error()
    );
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::LauncherClicked);
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "deal".into(),
        },
    );
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert!(p
        .search_error
        .as_deref()
        .is_some_and(|m| m.starts_with("Search is unavailable")));
    assert!(!p.items.is_empty(), "content for this page is still listed");
    let c = e.handle(
        &mut s,
        Event::Open {
            id: "create-deal".into(),
        },
    );
    assert!(
        matches!(view_of(&c), Some(View::Card(_))),
        "walkthroughs still start"
    );
}

#[test]
fn zero_result_queries_are_recorded_once_the_user_moves_on() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::LauncherClicked);
    let records = |c: &[Command]| -> Vec<String> {
        c.iter()
            .filter_map(|c| match c {
                Command::Record { record } => Some(record.query.clone()),
                _ => None,
            })
            .collect()
    };
    // Typing on through nothing-found prefixes records nothing yet.
    for q in ["x", "xy", "xyzzy"] {
        let c = e.handle(&mut s, Event::Search { query: q.into() });
        assert!(records(&c).is_empty(), "{q}");
    }
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "xyzzy plugh".into(),
        },
    );
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!()
    };
    assert!(p.no_results);
    assert!(!p.items.is_empty(), "related content is suggested");
    // Clearing the box moves on: the last zero-result query is recorded.
    let c = e.handle(&mut s, Event::Search { query: "".into() });
    assert_eq!(records(&c), ["xyzzy plugh"]);
    // A query that finds something is never recorded; closing records a pending one.
    e.handle(
        &mut s,
        Event::Search {
            query: "deal".into(),
        },
    );
    let c = e.handle(&mut s, Event::Dismiss);
    assert!(records(&c).is_empty());
    e.handle(&mut s, Event::LauncherClicked);
    e.handle(
        &mut s,
        Event::Search {
            query: "qqqq".into(),
        },
    );
    let c = e.handle(&mut s, Event::LauncherClicked);
    assert_eq!(records(&c), ["qqqq"]);
}

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
    assert_eq!(
        view_of(&c),
        Some(View::Done {
            title: "Create a deal".into(),
            result: None,
        })
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
    assert!(Event::TargetClicked { watch: "x".into() }.allowed_from(Source::Agent));
    assert!(!Event::TargetClicked { watch: "x".into() }.allowed_from(Source::Frame));
    assert!(Event::Next.allowed_from(Source::Frame));
    assert!(!Event::Next.allowed_from(Source::Agent));
    assert!(!Event::Restored { tour: None }.allowed_from(Source::Agent));
    assert_eq!(Source::parse("frame"), Some(Source::Frame));
    assert_eq!(Source::parse("page"), None);
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

#[cfg(feature = "authoring")]
fn source_engine(files: &[(&str, &str)]) -> Engine {
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    Engine::new(crate::authoring::compile(&sources).unwrap())
}

#[cfg(feature = "authoring")]
fn card(e: &Engine, s: &mut Session, ev: Event) -> Card {
    match view_of(&e.handle(s, ev)) {
        Some(View::Card(c)) => c,
        other => panic!("no card: {other:?}"),
    }
}

#[cfg(feature = "authoring")]
const DECIDE: &str = "id = \"refund\"\ntitle = \"Refund\"\nmoment = \"more\"\nowner = \"pos\"\n\n[[steps]]\nid = \"ask\"\ntitle = \"How did they pay?\"\n[[steps.choices]]\nlabel = \"Card\"\ngoto = \"card\"\n[[steps.choices]]\nlabel = \"Cash\"\ngoto = \"cash\"\n\n[[steps]]\nid = \"card\"\ntitle = \"To the card\"\nbranch = \"end\"\n\n[[steps]]\nid = \"cash\"\ntitle = \"In cash\"\n\n[translations.fr]\ntitle = \"Rembourser\"\n[translations.fr.steps.ask]\ntitle = \"Comment ont-ils payé ?\"\n";

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
        Some(View::Done { title, result }) => {
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
fn long_overdue_content_is_badged_under_review() {
    let w = "id = \"w\"\ntitle = \"Old task\"\nmoment = \"apply\"\nowner = \"ops\"\nreview_by = 2026-01-01\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n";
    let mut e = source_engine(&[("waymark.toml", "review_cycle_days = 30\n"), ("w.toml", w)]);
    let mut s = Session::default();
    e.set_today(Date::parse("2025-12-20").unwrap()); // not due yet
    attach(&e, &mut s, None);
    assert!(!card(&e, &mut s, Event::Start { id: "w".into() }).under_review);
    e.set_today(Date::parse("2026-01-20").unwrap()); // one cycle overdue: `stale` lists it
    let mut s = Session::default();
    attach(&e, &mut s, None);
    assert!(!card(&e, &mut s, Event::Start { id: "w".into() }).under_review);
    e.set_today(Date::parse("2026-02-05").unwrap()); // the next cycle missed too
    let mut s = Session::default();
    attach(&e, &mut s, None);
    assert!(card(&e, &mut s, Event::Start { id: "w".into() }).under_review);
    e.handle(&mut s, Event::Close);
    match view_of(&e.handle(&mut s, Event::LauncherClicked)) {
        Some(View::Panel(p)) => assert!(p.items.iter().all(|i| i.under_review), "{p:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pages_outside_the_signed_scope_get_nothing() {
    let lib = engine().library.clone();
    let manifest = crate::bundle::Manifest::describe(
        &lib,
        1,
        0,
        i64::MAX,
        crate::content::Env::Production,
        vec!["https://crm.acme.example".into()],
    );
    let e = Engine::from_bundle(Bundle {
        search: lib.search_index().unwrap(),
        library: lib,
        manifest,
        signer: None,
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
    assert!(c.is_empty(), "{c:?}");
    assert!(e.handle(&mut s, Event::LauncherClicked).is_empty());
    let c = e.handle(
        &mut s,
        Event::Attached {
            url: "https://crm.acme.example/crm/deals".into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    assert!(!c.is_empty());
}

#[cfg(feature = "authoring")]
#[test]
fn a_check_follows_the_walkthrough_is_scored_and_recorded() {
    let w = "id = \"w\"\ntitle = \"Till\"\nmoment = \"more\"\nowner = \"ops\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n[check]\npass_score = 0.5\n[[check.questions]]\nprompt = \"One?\"\nchoices = [\"x\", \"y\"]\ncorrect = [\"y\"]\n[[check.questions]]\nprompt = \"All that apply?\"\nchoices = [\"p\", \"q\", \"r\"]\ncorrect = [\"p\", \"r\"]\n";
    let e = source_engine(&[("w.toml", w)]);
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::Start { id: "w".into() });
    let c = e.handle(&mut s, Event::Next);
    match view_of(&c) {
        Some(View::Check(v)) => {
            assert_eq!(
                (v.index, v.count, v.prompt.as_str(), v.multiple),
                (1, 2, "One?", false)
            );
        }
        other => panic!("{other:?}"),
    }
    let records = |c: &[Command]| -> Vec<Record> {
        c.iter()
            .filter_map(|c| match c {
                Command::Record { record } => Some(record.clone()),
                _ => None,
            })
            .collect()
    };
    let c = e.handle(&mut s, Event::Answer { choices: vec![0] });
    let r = records(&c);
    assert_eq!(
        (r[0].kind.as_str(), r[0].question, r[0].correct),
        ("answered", Some(0), Some(false))
    );
    assert_eq!(r[0].id.as_deref(), Some("w"));
    assert!(matches!(view_of(&c), Some(View::Check(v)) if v.multiple && v.index == 2));
    // Order and repeats do not matter; the set must be exact.
    let c = e.handle(
        &mut s,
        Event::Answer {
            choices: vec![2, 0, 2],
        },
    );
    let r = records(&c);
    assert_eq!(r[0].correct, Some(true));
    assert_eq!(
        (r[1].kind.as_str(), r[1].score, r[1].passed),
        ("check_completed", Some(0.5), Some(true))
    );
    match view_of(&c) {
        Some(View::Done {
            title,
            result: Some(o),
        }) => {
            assert_eq!(title, "Till");
            assert_eq!(
                (o.correct, o.total, o.passed, o.pass_percent),
                (1, 2, true, 50)
            );
        }
        other => panic!("{other:?}"),
    }
    // Answers outside a check are ignored.
    assert!(records(&e.handle(&mut s, Event::Answer { choices: vec![1] })).is_empty());
}

#[cfg(feature = "authoring")]
const RULES: &str = r##"id = "rules"
title = "Every rule"
moment = "more"
owner = "ops"

[[steps]]
id = "name"
title = "Name it"
target = ["#name"]
advance = "input"
value = "*@*"

[[steps]]
id = "stage"
title = "Pick a stage"
target = ["#stage"]
advance = "change"

[[steps]]
id = "save"
title = "Save"
target = ["#save"]
advance = "appear"
appear = ["text/Saved"]

[[steps]]
id = "dialog"
title = "Close the dialog"
target = ["dialog"]
advance = "disappear"
optional = true
timeout = 2

[[steps]]
id = "list"
title = "Back to the list"
url = "/crm/deals/new*"
target = ["#back"]
advance = "url"
reach = "/crm/deals"

[[steps]]
id = "end"
title = "Done"
"##;

#[cfg(feature = "authoring")]
fn watch_cmd(c: &[Command]) -> Option<(String, u32, bool, usize)> {
    c.iter().find_map(|c| match c {
        Command::Watch {
            watch,
            timeout_ms,
            input,
            appear,
            ..
        } => Some((watch.clone(), *timeout_ms, *input, appear.len())),
        _ => None,
    })
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
    assert_eq!((w.as_str(), timeout, input), ("rules/0/name", 10_000, true));
    let typed = |s: &mut Session, w: &str, v: &str, committed: bool| {
        e.handle(
            s,
            Event::TargetInput {
                watch: w.into(),
                value: v.into(),
                committed,
            },
        )
    };
    // Typing that does not match the pattern yet stays; a match moves on.
    assert!(watch_cmd(&typed(&mut s, &w, "ana", false)).is_none());
    let c = typed(&mut s, &w, "ana@acme.example", false);
    let (w, ..) = watch_cmd(&c).unwrap();
    assert_eq!(w, "rules/1/stage");
    // `change` waits for the committed value, not keystrokes.
    assert!(watch_cmd(&typed(&mut s, &w, "Won", false)).is_none());
    let (w, _, _, appear) = watch_cmd(&typed(&mut s, &w, "Won", true)).unwrap();
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
        Command::Record { record } => Some(record.clone()),
        _ => None,
    });
    let record = record.unwrap();
    assert_eq!(
        (
            record.kind.as_str(),
            record.id.as_deref(),
            record.step.as_deref()
        ),
        ("target_missing", Some("rules"), Some("name"))
    );
    assert!(record.version.is_some());
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
    e.handle(
        &mut s,
        Event::TargetInput {
            watch: w3,
            value: "x".into(),
            committed: true,
        },
    );
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

#[test]
fn the_engine_chooses_among_candidates_or_says_it_is_ambiguous() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    let w = watch_of(&c).unwrap();
    let fact = |matched: &[usize]| ElementFacts {
        tag: "button".into(),
        visible: true,
        matched: matched.to_vec(),
        ..ElementFacts::default()
    };
    // The second candidate satisfies the test id (alternative 0).
    let c = e.handle(
        &mut s,
        Event::Candidates {
            watch: w.clone(),
            candidates: vec![fact(&[1]), fact(&[0, 1])],
        },
    );
    assert!(
        c.contains(&Command::Select {
            watch: w.clone(),
            index: 1
        }),
        "{c:?}"
    );
    // Two equal candidates: no guess; the card says so, once recorded.
    let c = e.handle(
        &mut s,
        Event::Candidates {
            watch: w.clone(),
            candidates: vec![fact(&[1]), fact(&[1])],
        },
    );
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Record { record } if record.kind == "target_ambiguous")));
    match view_of(&c) {
        Some(View::Card(card)) => assert!(card.missing && card.ambiguous),
        other => panic!("{other:?}"),
    }
    // Retry looks again under a new key.
    assert_eq!(
        watch_of(&e.handle(&mut s, Event::Retry)).as_deref(),
        Some("create-deal/0/open#1")
    );
}

#[cfg(feature = "authoring")]
#[test]
fn a_trigger_on_screen_offers_its_walkthrough_until_taken_or_turned_down() {
    let e = source_engine(&[
        (
            "declined.toml",
            "id = \"declined\"\ntitle = \"After a declined card\"\nmoment = \"solve\"\nowner = \"pos\"\nreview_by = 2027-05-31\napplies_to = [\"/crm/*\"]\ntrigger = { type = \"on_error\", target = [\"[role=alert]\", \"text/Payment failed\"], text = \"Declined\" }\n\n[[steps]]\nid = \"ask\"\ntitle = \"Ask for another card\"\n",
        ),
        ("other.toml", DECIDE),
        (
            "waymark.toml",
            "[locales]\ntranslations = [\"fr\"]\n[locales.fallback]\nfr = \"en\"\n",
        ),
    ]);
    let sentinels = |c: &[Command]| {
        find(c, |c| match c {
            Command::Sentinels { list } => Some(list.clone()),
            _ => None,
        })
    };
    let mut s = Session::default();
    let list = sentinels(&attach(&e, &mut s, None)).expect("triggers are watched on attach");
    let keys: Vec<_> = list.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["declined", "declined"]);
    assert_eq!(list.entries[0].query.contains.as_deref(), Some("declined"));
    assert_eq!(list.attrs["role"].values["alert"], vec![0]);
    assert_eq!(
        list.any,
        vec![1],
        "text/ queries are checked against every changed node"
    );
    // Present: offered at once, above the launcher.
    let c = e.handle(
        &mut s,
        Event::Present {
            key: "declined".into(),
            present: true,
        },
    );
    match view_of(&c) {
        Some(View::Offer { item }) => {
            assert_eq!(item.title, "After a declined card");
            // The view's tag and the item's own `kind` must not collide.
            let view = View::Offer { item };
            let json = serde_json::to_string(&view).unwrap();
            assert_eq!(serde_json::from_str::<View>(&json).unwrap(), view, "{json}");
        }
        other => panic!("no offer: {other:?}"),
    }
    assert!(find(&c, |c| matches!(c, Command::Frame { rect: Some(_) })
        .then_some(()))
    .is_some());
    // Gone from the screen: the offer goes too; back: offered again.
    let present = |p| Event::Present {
        key: "declined".into(),
        present: p,
    };
    assert_eq!(
        view_of(&e.handle(&mut s, present(false))),
        Some(View::Hidden)
    );
    assert!(matches!(
        view_of(&e.handle(&mut s, present(true))),
        Some(View::Offer { .. })
    ));
    // Turned down: not again on this page load.
    assert_eq!(
        view_of(&e.handle(&mut s, Event::Dismiss)),
        Some(View::Hidden)
    );
    e.handle(&mut s, present(false));
    assert_eq!(view_of(&e.handle(&mut s, present(true))), None);
    // A page where it does not apply stops the watch.
    let c = e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/hr/leave".into(),
        },
    );
    assert!(sentinels(&c).is_some_and(|l| l.is_empty()));
    // Taken up from the offer: not offered again after it ends.
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, present(true));
    let c = e.handle(
        &mut s,
        Event::Start {
            id: "declined".into(),
        },
    );
    assert!(matches!(view_of(&c), Some(View::Card(_))));
    e.handle(&mut s, Event::Close);
    assert_eq!(
        e.view(&s),
        View::Hidden,
        "a walkthrough taken up is not offered again"
    );
}

#[test]
fn step_watches_carry_their_bucketed_list() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    let list = find(&c, |c| match c {
        Command::Watch { list, queries, .. } => Some((list.clone(), queries.len())),
        _ => None,
    })
    .expect("a watch");
    assert_eq!(list.0.entries.len(), list.1);
    assert!(list.0.entries.iter().all(|e| e.key == "target"));
}
