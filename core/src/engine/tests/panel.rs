//! Engine scenarios: the help panel: what applies here, search, articles, zero-result records, review badges.

use super::*;

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
        e.search_error()
            .is_some_and(|m| m.to_string().contains("rebuild")),
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
                Command::Record { record } => match &record.what {
                    What::SearchZero { query } => Some(query.clone()),
                    _ => None,
                },
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
fn media_off_the_bundles_hosts_is_shown_as_its_text_not_loaded() {
    // A bundle not made by `waymark build` (or a translation) may name any
    // host: the view carries only the library's media hosts.
    let mut lib = library();
    lib.media_hosts = vec!["media.acme.example".into()];
    lib.articles[0].body = RichText(vec![Block::Paragraph(vec![
        Inline::Image {
            src: "https://media.acme.example/stages.png".into(),
            alt: "Deal stages".into(),
        },
        Inline::Image {
            src: "https://tracker.example/pixel.gif?user=42".into(),
            alt: "".into(),
        },
    ])]);
    let e = Engine::new(lib);
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::OpenHelp);
    let c = e.handle(
        &mut s,
        Event::Open {
            id: "deal-basics".into(),
        },
    );
    let Some(View::Article(a)) = view_of(&c) else {
        panic!("{c:?}")
    };
    let Block::Paragraph(is) = &a.body.0[0] else {
        panic!("{:?}", a.body)
    };
    let srcs: Vec<&str> = is
        .iter()
        .filter_map(|i| match i {
            Inline::Image { src, .. } => Some(src.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(srcs, ["https://media.acme.example/stages.png", ""]);
}

#[test]
fn the_shortcut_takes_the_keyboard_into_a_showing_card_and_escape_gives_it_back() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    e.handle(
        &mut s,
        Event::Target {
            watch: "create-deal/0/open".into(),
            rect: Rect {
                x: 100.0,
                y: 100.0,
                width: 80.0,
                height: 30.0,
            },
            viewport: VP,
        },
    );
    e.handle(
        &mut s,
        Event::CardResized {
            width: 320.0,
            height: 180.0,
        },
    );
    // Twice, as the browser command and the agent may both send it: each
    // time focus goes into the card, and no panel covers it.
    for _ in 0..2 {
        let c = e.handle(&mut s, Event::OpenHelp);
        assert!(c.contains(&Command::Focus), "{c:?}");
        assert!(!matches!(view_of(&c), Some(View::Panel(_))), "{c:?}");
    }
    // Escape in the card: back to the page.
    let c = e.handle(&mut s, Event::ReturnFocus);
    assert_eq!(c, vec![Command::ReturnFocus]);
    // The card's Help button opens the panel.
    let c = e.handle(&mut s, Event::OpenPanel);
    assert!(matches!(view_of(&c), Some(View::Panel(_))), "{c:?}");
    // Only the frame may send these two; the shortcut with no card opens help.
    assert!(Event::OpenPanel.allowed_from(Sender::Frame));
    assert!(!Event::OpenPanel.allowed_from(Sender::Agent));
    assert!(!Event::ReturnFocus.allowed_from(Sender::Agent));
    let mut fresh = Session::default();
    attach(&e, &mut fresh, None);
    let c = e.handle(&mut fresh, Event::OpenHelp);
    assert!(matches!(view_of(&c), Some(View::Panel(_))), "{c:?}");
}

#[test]
fn a_right_to_left_language_renders_mirrored_and_places_cards_on_the_left() {
    assert!(
        crate::content::is_rtl("ar-EG")
            && crate::content::is_rtl("he")
            && crate::content::is_rtl("fa_IR")
    );
    assert!(!crate::content::is_rtl("fr-CA") && !crate::content::is_rtl(""));
    let mut lib = library();
    lib.locales.source = "en".into();
    lib.locales
        .translated
        .insert("ar".into(), Some("en".into()));
    let e = Engine::new(lib);
    let mut s = Session::default();
    e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: "ar-EG".into(),
        },
    );
    e.handle(&mut s, Event::Restored { tour: None });
    let started = e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    let target = Rect {
        x: 600.0,
        y: 300.0,
        width: 80.0,
        height: 30.0,
    };
    let c = e.handle(
        &mut s,
        Event::Target {
            watch: "create-deal/0/open".into(),
            rect: target,
            viewport: VP,
        },
    );
    let render = started.iter().chain(&c).find_map(|c| match c {
        Command::Render { lang, rtl, .. } => Some((lang.clone(), *rtl)),
        _ => None,
    });
    assert_eq!(render, Some(("ar".to_string(), true)), "{c:?}");
    let c = e.handle(
        &mut s,
        Event::CardResized {
            width: 320.0,
            height: 180.0,
        },
    );
    let frame = c.iter().find_map(|c| match c {
        Command::Frame { rect: Some(r) } => Some(*r),
        _ => None,
    });
    let frame = frame.unwrap_or_else(|| panic!("{c:?}"));
    assert!(
        frame.right() <= target.x,
        "card {frame:?} is left of {target:?}"
    );
}

/// Content for an audience: only for users it names; nobody known sees
/// only content for everyone; policy's user fields win over the page's.
#[test]
fn content_outside_the_users_audience_is_neither_listed_found_nor_started() {
    let mut lib = library();
    lib.walkthroughs[0].meta.audience.roles = vec!["sales-rep".into()];
    let e = Engine::new(lib.clone());
    let ids = |c: &[Command]| -> Vec<String> {
        match view_of(c) {
            Some(View::Panel(p)) => p.items.iter().map(|i| i.id.clone()).collect(),
            other => panic!("no panel: {other:?}"),
        }
    };
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = e.handle(&mut s, Event::LauncherClicked);
    assert_eq!(
        ids(&c),
        ["deal-basics"],
        "nobody known: the audience's walkthrough is not listed"
    );
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "create deal".into(),
        },
    );
    assert!(!ids(&c).contains(&"create-deal".to_string()), "nor found");
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    assert!(s.tour.is_none(), "nor started, even when asked by id");

    // The page shows a sales rep (user.from_page): listed, found, started.
    e.handle(
        &mut s,
        Event::Search {
            query: String::new(),
        },
    );
    let c = e.handle(
        &mut s,
        Event::User {
            user: PageUser {
                id: Some("u1".into()),
                roles: Some("admin, Sales-Rep".into()),
                ..PageUser::default()
            },
        },
    );
    assert_eq!(ids(&c), ["create-deal", "deal-basics"]);
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "create deal".into(),
        },
    );
    assert_eq!(ids(&c)[0], "create-deal");
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    assert!(s.tour.is_some());

    // Policy says cashier: it wins over the page.
    let mut e = Engine::new(lib);
    e.set_deployment(Deployment {
        user_roles: Some(vec!["cashier".into()]),
        ..Deployment::default()
    });
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(
        &mut s,
        Event::User {
            user: PageUser {
                roles: Some("sales-rep".into()),
                ..PageUser::default()
            },
        },
    );
    let c = e.handle(&mut s, Event::LauncherClicked);
    assert_eq!(ids(&c), ["deal-basics"]);
}

/// More: the completion card suggests what to read or do next, opened
/// from there (an article in the panel).
#[test]
fn the_completion_card_suggests_what_next_and_opens_it() {
    let mut lib = library();
    lib.walkthroughs[0].steps.truncate(1);
    lib.walkthroughs[0].steps[0].advance = Advance::Next;
    lib.walkthroughs[0].steps[0].target.clear();
    let e = Engine::new(lib);
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    let c = e.handle(&mut s, Event::Next);
    let Some(View::Done { related, .. }) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(related[0].id, "deal-basics");
    let c = e.handle(
        &mut s,
        Event::Open {
            id: "deal-basics".into(),
        },
    );
    let Some(View::Article(a)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(a.id, "deal-basics");
    assert!(s.done.is_none());
}

/// The panel filters by moment, offering only the moments there are.
#[test]
fn the_panel_filters_by_moment() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    let c = e.handle(&mut s, Event::LauncherClicked);
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(p.moments, [Moment::Apply, Moment::More]);
    assert_eq!(p.moment, None);
    assert_eq!(p.items.len(), 2);
    let c = e.handle(
        &mut s,
        Event::FilterMoment {
            moment: Some(Moment::More),
        },
    );
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(p.moment, Some(Moment::More));
    assert_eq!(
        p.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["deal-basics"]
    );
    // Searching keeps the filter.
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "deal".into(),
        },
    );
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert!(
        p.items.iter().all(|i| i.moment == Moment::More),
        "{:?}",
        p.items
    );
    let c = e.handle(&mut s, Event::FilterMoment { moment: None });
    let Some(View::Panel(p)) = view_of(&c) else {
        panic!("{c:?}")
    };
    assert!(p.items.len() >= 2);
}
