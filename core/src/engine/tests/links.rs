//! Engine scenarios: deep links start a walkthrough or open an article,
//! leave the address bar, win over saved progress, and say kindly when
//! they name nothing here.

use super::*;

const LINKED: &str = "http://127.0.0.1:4000/crm/deals?tab=2#waymark=create-deal";

fn open_at(e: &Engine, s: &mut Session, url: &str, saved: Option<Tour>) -> Vec<Command> {
    arrive(e, s, url, None, saved, 0)
}

/// The view last rendered (attaching renders nothing first).
fn shown(c: &[Command]) -> Option<View> {
    c.iter().rev().find_map(|c| match c {
        Command::Render { view, .. } => Some(view.clone()),
        _ => None,
    })
}

fn replaced(c: &[Command]) -> Option<String> {
    find(c, |c| match c {
        Command::ReplaceUrl { url } => Some(url.clone()),
        _ => None,
    })
}

#[test]
fn a_link_starts_its_walkthrough_once_and_leaves_the_address_bar() {
    let e = engine();
    let mut s = Session::default();
    let c = open_at(&e, &mut s, LINKED, None);
    assert_eq!(
        replaced(&c).as_deref(),
        Some("http://127.0.0.1:4000/crm/deals?tab=2")
    );
    let Some(View::Card(card)) = shown(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(
        (card.walkthrough.as_str(), card.index),
        ("Create a deal", 1)
    );
    assert!(c.iter().any(|c| matches!(c,
        Command::Record { record } if matches!(record.what, What::Launched { from: LaunchedFrom::DeepLink })
    )), "{c:?}");
    // The page reports the address without it: nothing starts again.
    let c = e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/crm/deals?tab=2".into(),
        },
    );
    assert!(replaced(&c).is_none());
    assert_eq!(s.tour.as_ref().map(|t| t.step), Some(0));
}

#[test]
fn a_link_wins_over_saved_progress_and_works_on_a_route_change_too() {
    let e = engine();
    let mut s = Session::default();
    // Saved: create-deal at its second step; the link names it again.
    let saved = Tour {
        walkthrough: "create-deal".into(),
        version: "v1".into(),
        step: 1,
        history: vec![0],
        bundle: 0,
        started: 1,
        auto: false,
    };
    open_at(&e, &mut s, LINKED, Some(saved));
    assert_eq!(
        s.tour.as_ref().map(|t| t.step),
        Some(0),
        "the link starts it afresh"
    );

    // In a single-page app the link can arrive with a route change.
    let mut s = Session::default();
    open_at(&e, &mut s, URL, None);
    assert!(s.tour.is_none());
    let c = e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/crm/deals#/x?waymark=create-deal".into(),
        },
    );
    assert_eq!(
        replaced(&c).as_deref(),
        Some("http://127.0.0.1:4000/crm/deals#/x")
    );
    assert!(matches!(shown(&c), Some(View::Card(_))));
}

#[test]
fn a_link_opens_an_article_or_says_what_it_cannot_find() {
    let e = engine();
    let mut s = Session::default();
    let c = open_at(
        &e,
        &mut s,
        "http://127.0.0.1:4000/crm/deals?waymark=deal-basics",
        None,
    );
    let Some(View::Article(a)) = shown(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(a.id, "deal-basics");
    assert!(c.contains(&Command::Focus));

    let mut s = Session::default();
    let c = open_at(
        &e,
        &mut s,
        "http://127.0.0.1:4000/crm/deals#waymark=no-such-thing",
        None,
    );
    let Some(View::Panel(p)) = shown(&c) else {
        panic!("{c:?}")
    };
    assert!(p
        .notice
        .as_deref()
        .unwrap()
        .contains("“no-such-thing”, which is not in the help available to you here"));
    assert!(!p.items.is_empty(), "with what there is");
    // Searching moves on from the notice.
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "deal".into(),
        },
    );
    let Some(View::Panel(p)) = shown(&c) else {
        panic!("{c:?}")
    };
    assert_eq!(p.notice, None);

    // Content for another audience is not found by a link either.
    let mut lib = library();
    lib.walkthroughs[0].meta.audience.roles = vec!["sales-rep".into()];
    let e = Engine::new(lib);
    let mut s = Session::default();
    let c = open_at(&e, &mut s, LINKED, None);
    assert!(s.tour.is_none());
    assert!(matches!(shown(&c), Some(View::Panel(p)) if p.notice.is_some()));
}

#[test]
fn policy_names_the_parameter_or_turns_links_off() {
    let mut e = engine();
    e.set_deployment(Deployment {
        deep_link: Some("help".into()),
        ..Deployment::default()
    });
    let mut s = Session::default();
    let c = open_at(&e, &mut s, LINKED, None);
    assert!(
        replaced(&c).is_none() && s.tour.is_none(),
        "waymark= is not this policy's"
    );
    let mut s = Session::default();
    open_at(
        &e,
        &mut s,
        "http://127.0.0.1:4000/crm/deals#help=create-deal",
        None,
    );
    assert!(s.tour.is_some());

    e.set_deployment(Deployment {
        deep_link: None,
        ..Deployment::default()
    });
    let mut s = Session::default();
    let c = open_at(&e, &mut s, LINKED, None);
    assert!(replaced(&c).is_none() && s.tour.is_none());
}
