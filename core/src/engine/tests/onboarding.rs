//! Engine scenarios and properties: the New moment. A first-visit
//! walkthrough starts by itself once per user per version, one at a time,
//! never over something else, never while the user types or a modal is
//! open; Not now and Don't show again hold across sessions.

use super::*;
use proptest::prelude::*;

fn welcome_library(version: &str) -> Library {
    let mut lib = library();
    let mut w = lib.walkthroughs[0].clone();
    w.id = "welcome".into();
    w.title = "Welcome to deals".into();
    w.version = version.into();
    w.trigger = Trigger::AutoFirstVisit;
    lib.walkthroughs.push(w);
    lib
}

/// A visit to the deals page with `seen` as storage has it; checks where
/// the memory is kept.
fn visit(e: &Engine, s: &mut Session, seen: Option<Seen>, now: u64) -> Vec<Command> {
    let c = arrive(e, s, URL, seen, None, now);
    assert!(c.contains(&Command::LoadSeen {
        key: "seen:http://127.0.0.1:4000".into()
    }));
    c
}

fn saved_seen(c: &[Command]) -> Option<Seen> {
    c.iter().rev().find_map(|c| match c {
        Command::SaveSeen { seen, .. } => Some(seen.clone()),
        _ => None,
    })
}

fn auto_card(c: &[Command]) -> Option<CardView> {
    c.iter().rev().find_map(|c| match c {
        Command::Render {
            view: View::Card(card),
            ..
        } if card.auto => Some(card.clone()),
        _ => None,
    })
}

#[test]
fn a_first_visit_starts_the_walkthrough_once_per_version() {
    let e = Engine::new(welcome_library("v1"));
    let mut s = Session::default();
    let c = visit(&e, &mut s, None, 1_000);
    let card = auto_card(&c).expect("started by itself");
    assert_eq!(card.walkthrough, "Welcome to deals");
    assert!(c.iter().any(|c| matches!(c,
        Command::Record { record } if matches!(record.what, What::Launched { from: LaunchedFrom::AutoStart })
    )));
    let seen = saved_seen(&c).expect("remembered at once");
    assert_eq!(seen.auto.get("welcome").map(String::as_str), Some("v1"));
    // Ended: a later visit does not start it again.
    e.handle(&mut s, Event::Close);
    let mut s = Session::default();
    let c = visit(&e, &mut s, Some(seen.clone()), 2_000);
    assert!(auto_card(&c).is_none() && s.tour.is_none());
    // A new version starts once more.
    let e2 = Engine::new(welcome_library("v2"));
    let mut s = Session::default();
    assert!(auto_card(&visit(&e2, &mut s, Some(seen), 3_000)).is_some());
}

#[test]
fn not_now_snoozes_and_never_is_for_good() {
    let e = Engine::new(welcome_library("v1"));
    let mut s = Session::default();
    visit(&e, &mut s, None, 1_000);
    let c = e.handle(&mut s, Event::NotNow);
    assert!(s.tour.is_none());
    let seen = saved_seen(&c).unwrap();
    assert_eq!(seen.snoozed.get("welcome"), Some(&(1_000 + SNOOZE_MS)));
    assert!(!seen.auto.contains_key("welcome"));
    let mut s = Session::default();
    assert!(auto_card(&visit(
        &e,
        &mut s,
        Some(seen.clone()),
        1_000 + SNOOZE_MS - 1
    ))
    .is_none());
    let mut s = Session::default();
    let c = visit(&e, &mut s, Some(seen), 1_000 + SNOOZE_MS);
    assert!(auto_card(&c).is_some(), "back after the snooze");
    let c = e.handle(&mut s, Event::NeverAgain);
    let seen = saved_seen(&c).unwrap();
    assert!(seen.never.contains("welcome"));
    let e2 = Engine::new(welcome_library("v9"));
    let mut s = Session::default();
    assert!(auto_card(&visit(&e2, &mut s, Some(seen), u64::MAX / 2)).is_none());
    // Not now and Don't show again mean nothing for a tour the user chose.
    let mut s = Session::default();
    visit(
        &e,
        &mut s,
        Some(Seen {
            never: ["welcome".into()].into(),
            ..Seen::default()
        }),
        1,
    );
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    e.handle(&mut s, Event::NotNow);
    assert!(s.tour.is_some());
}

#[test]
fn it_waits_while_the_user_types_a_modal_is_open_or_something_is_on_screen() {
    let e = Engine::new(welcome_library("v1"));
    let mut s = Session {
        now: 5,
        ..Session::default()
    };
    e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    e.handle(&mut s, Event::Busy { busy: true });
    e.handle(&mut s, Event::SeenRestored { seen: None });
    e.handle(&mut s, Event::Restored { tour: None });
    assert!(s.tour.is_none(), "typing: it waits");
    e.handle(&mut s, Event::LauncherClicked);
    e.handle(&mut s, Event::Busy { busy: false });
    assert!(s.tour.is_none(), "the panel is open: it waits");
    let c = e.handle(&mut s, Event::LauncherClicked);
    assert!(auto_card(&c).is_some(), "then it starts");

    // Policy turned it off; or the user is not in its audience.
    let mut e = Engine::new(welcome_library("v1"));
    e.set_deployment(Deployment {
        auto_start: false,
        ..Deployment::default()
    });
    let mut s = Session::default();
    assert!(auto_card(&visit(&e, &mut s, None, 1)).is_none());
    let mut lib = welcome_library("v1");
    lib.walkthroughs[2].meta.audience.roles = vec!["new-hire".into()];
    let e = Engine::new(lib);
    let mut s = Session::default();
    assert!(auto_card(&visit(&e, &mut s, None, 1)).is_none());
}

#[test]
fn the_memory_is_per_user_when_policy_names_one() {
    let mut e = Engine::new(welcome_library("v1"));
    e.set_deployment(Deployment {
        user_id: Some("jdiaz".into()),
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
    assert!(c.contains(&Command::LoadSeen {
        key: "seen:http://127.0.0.1:4000:jdiaz".into()
    }));
}

#[derive(Clone, Debug)]
enum Step {
    Visit,
    Busy(bool),
    Close,
    NotNow,
    Never,
    Launcher,
    Start,
    Later(u64),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        prop_oneof![
            Just(Step::Visit),
            any::<bool>().prop_map(Step::Busy),
            Just(Step::Close),
            Just(Step::NotNow),
            Just(Step::Never),
            Just(Step::Launcher),
            Just(Step::Start),
            (0..2 * SNOOZE_MS).prop_map(Step::Later),
        ],
        1..40,
    )
}

proptest! {
    /// Over any sequence of visits (each a new session fed what the last
    /// one saved), typing, closing, Not now, Don't show again, the panel
    /// and chosen walkthroughs: an automatic start never replaces a
    /// walkthrough that is still running (only one that just ended), never
    /// begins while the user is busy, never after Don't show again, and
    /// happens at most once per version unless Not now gave it back.
    #[test]
    fn trigger_arbitration(steps in steps()) {
        let e = Engine::new(welcome_library("v1"));
        let mut s = Session::default();
        let mut stored: Option<Seen> = None;
        let mut now = 1_000u64;
        let mut starts = 0;
        let mut given_back = 0;
        let mut never = false;
        for step in steps {
            let running = s.tour.is_some();
            let c = match step {
                Step::Visit => {
                    s = Session::default();
                    visit(&e, &mut s, stored.clone(), now)
                }
                Step::Busy(b) => e.handle(&mut s, Event::Busy { busy: b }),
                Step::Close => e.handle(&mut s, Event::Close),
                Step::NotNow => {
                    let auto = s.tour.as_ref().is_some_and(|t| t.auto);
                    given_back += usize::from(auto);
                    e.handle(&mut s, Event::NotNow)
                }
                Step::Never => {
                    never |= s.tour.as_ref().is_some_and(|t| t.auto);
                    e.handle(&mut s, Event::NeverAgain)
                }
                Step::Launcher => e.handle(&mut s, Event::LauncherClicked),
                Step::Start => e.handle(&mut s, Event::Start { id: "create-deal".into() }),
                Step::Later(ms) => {
                    now += ms;
                    s.now = now;
                    e.handle(&mut s, Event::Resized { viewport: VP })
                }
            };
            let started = c.iter().any(|c| matches!(c,
                Command::Record { record } if matches!(record.what, What::Launched { from: LaunchedFrom::AutoStart })));
            if started {
                starts += 1;
                let ends = matches!(step, Step::Visit | Step::Close | Step::NotNow | Step::Never);
                prop_assert!(!running || ends, "{step:?} replaced a running walkthrough");
                prop_assert!(!never, "after Don't show again");
                prop_assert!(!s.busy && !matches!(step, Step::Busy(true)));
            }
            if let Some(seen) = saved_seen(&c) {
                stored = Some(seen);
            }
            prop_assert!(starts <= 1 + given_back, "starts {starts}, given back {given_back}");
        }
    }
}

fn change_library(version: &str) -> Library {
    let mut lib = library();
    lib.walkthroughs[0].version = version.into();
    lib.walkthroughs[0].meta.change_note = Some("Deals now need a stage.".into());
    lib
}

fn change_card(c: &[Command]) -> Option<ChangeView> {
    c.iter().rev().find_map(|c| match c {
        Command::Render {
            view: View::Change(v),
            ..
        } => Some(v.clone()),
        _ => None,
    })
}

#[test]
fn a_change_note_shows_once_per_version_and_leads_to_the_walkthrough() {
    let e = Engine::new(change_library("v2"));
    let mut s = Session::default();
    let c = visit(&e, &mut s, None, 1);
    let card = change_card(&c).expect("what changed");
    assert_eq!(
        (card.id.as_str(), card.note.as_str()),
        ("create-deal", "Deals now need a stage.")
    );
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Record { record } if record.what == What::TriggerOffered)));
    let seen = saved_seen(&c).unwrap();
    assert_eq!(
        seen.changes.get("create-deal").map(String::as_str),
        Some("v2")
    );
    // Got it: gone, and not shown again for this version.
    let c = e.handle(&mut s, Event::Dismiss);
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Record { record } if record.what == What::TriggerDeclined)));
    assert_eq!(view_of(&c), Some(View::Hidden));
    let mut s = Session::default();
    assert!(change_card(&visit(&e, &mut s, Some(seen.clone()), 2)).is_none());
    // The next version's note shows; Show me starts the walkthrough.
    let e3 = Engine::new(change_library("v3"));
    let mut s = Session::default();
    assert!(change_card(&visit(&e3, &mut s, Some(seen), 3)).is_some());
    let c = e3.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    assert!(matches!(view_of(&c), Some(View::Card(_))));
    assert!(c
        .iter()
        .any(|c| matches!(c, Command::Record { record } if record.what == What::TriggerTaken)));

    // A first visit goes first; the change card waits for the next quiet moment.
    let mut lib = welcome_library("v1");
    lib.walkthroughs[0].meta.change_note = Some("New stage field.".into());
    let e = Engine::new(lib);
    let mut s = Session::default();
    let c = visit(&e, &mut s, None, 1);
    assert!(auto_card(&c).is_some() && change_card(&c).is_none());
    let c = e.handle(&mut s, Event::Close);
    assert!(change_card(&c).is_some());
}
