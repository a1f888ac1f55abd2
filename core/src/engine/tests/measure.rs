//! Engine scenarios: what is recorded (analytics), in order, with its
//! context: a walkthrough started, stepped through, finished or abandoned;
//! searches moved on from; articles opened; offers shown, taken, declined.

use super::*;
use crate::analytics::{LaunchedFrom, Skipped, StepDone, What};

fn records(c: &[Command]) -> Vec<Record> {
    c.iter()
        .filter_map(|c| match c {
            Command::Record { record } => Some(record.clone()),
            _ => None,
        })
        .collect()
}

fn whats(c: &[Command]) -> Vec<What> {
    records(c).into_iter().map(|r| r.what).collect()
}

fn shown(step: &str, index: usize, of: usize) -> What {
    What::StepShown {
        step: step.into(),
        index,
        of,
    }
}

fn done(step: &str, index: usize, how: StepDone) -> What {
    What::StepCompleted {
        step: step.into(),
        index,
        how,
    }
}

#[test]
fn a_walkthrough_records_launch_each_step_and_its_end() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    s.now = 1_796_317_445_123;
    let c = e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    assert_eq!(
        whats(&c),
        [
            What::Launched {
                from: LaunchedFrom::Panel
            },
            shown("open", 0, 3)
        ]
    );
    let r = &records(&c)[0];
    assert_eq!(r.attempt, Some(1_796_317_445_123));
    let content = r.content.as_ref().unwrap();
    assert_eq!(
        (content.id.as_str(), content.version.as_str()),
        ("create-deal", "v1")
    );
    assert_eq!(r.page.origin, "http://127.0.0.1:4000");
    assert_eq!(r.page.screen.as_deref(), Some("/crm/*"));

    // Later events keep the attempt (the clock moved on).
    s.now += 5_000;
    let w = watch_of(&c).unwrap();
    let c = e.handle(&mut s, Event::TargetClicked { watch: w });
    assert_eq!(
        whats(&c),
        [done("open", 0, StepDone::Click), shown("intro", 1, 3)]
    );
    assert!(records(&c)
        .iter()
        .all(|r| r.attempt == Some(1_796_317_445_123)));
    // A click reported twice is one step.
    let c = e.handle(&mut s, Event::Back);
    assert_eq!(whats(&c), [shown("open", 0, 3)]);
    let w = watch_of(&c).unwrap();
    e.handle(&mut s, Event::TargetClicked { watch: w });
    let c = e.handle(&mut s, Event::Next);
    assert_eq!(
        whats(&c),
        [done("intro", 1, StepDone::Next), shown("save", 2, 3)]
    );
    let w = watch_of(&c).unwrap();
    let c = e.handle(&mut s, Event::TargetClicked { watch: w.clone() });
    assert_eq!(
        whats(&c),
        [
            done("save", 2, StepDone::Click),
            What::Completed { steps: 3 }
        ]
    );
    // Nothing more for a stale report.
    assert!(records(&e.handle(&mut s, Event::TargetClicked { watch: w })).is_empty());
    assert!(records(&e.handle(&mut s, Event::Dismiss)).is_empty());
}

#[test]
fn closing_before_the_end_records_where_and_a_missed_target_can_be_skipped() {
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
    let c = e.handle(&mut s, Event::TargetMissing { watch: w });
    assert_eq!(
        whats(&c),
        [What::TargetMissing {
            step: "open".into(),
            index: 0
        }]
    );
    let c = e.handle(&mut s, Event::Skip);
    assert_eq!(
        whats(&c),
        [
            What::StepSkipped {
                step: "open".into(),
                index: 0,
                why: Skipped::User
            },
            shown("intro", 1, 3)
        ]
    );
    let c = e.handle(&mut s, Event::Close);
    assert_eq!(
        whats(&c),
        [What::Abandoned {
            step: "intro".into(),
            index: 1
        }]
    );
    // Closing with nothing running records nothing.
    assert!(records(&e.handle(&mut s, Event::Close)).is_empty());
}

#[test]
fn a_search_is_recorded_once_the_user_moves_on_with_what_they_opened() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::LauncherClicked);
    // Typing on, and correcting, is one search.
    for q in ["d", "de", "dea", "deal", "dea", "deal"] {
        let c = e.handle(&mut s, Event::Search { query: q.into() });
        assert!(records(&c).is_empty(), "{q}");
    }
    let c = e.handle(
        &mut s,
        Event::Open {
            id: "deal-basics".into(),
        },
    );
    let r = records(&c);
    assert_eq!(r.len(), 2, "{r:?}");
    match &r[0].what {
        What::Searched {
            query,
            results,
            opened,
            position,
        } => {
            assert_eq!(query, "deal");
            assert!(*results >= 1);
            assert_eq!(opened.as_deref(), Some("deal-basics"));
            assert!(position.is_some_and(|p| p >= 1 && p <= *results));
        }
        other => panic!("{other:?}"),
    }
    assert!(r[0].content.is_none());
    assert_eq!(r[1].what, What::ArticleOpened);
    let content = r[1].content.as_ref().unwrap();
    assert_eq!(
        (content.id.as_str(), content.version.as_str()),
        ("deal-basics", "a1")
    );
    // The search was recorded with the article: closing records nothing more.
    assert!(records(&e.handle(&mut s, Event::LauncherClicked)).is_empty());

    // A search left without opening anything, then one with no results.
    e.handle(&mut s, Event::LauncherClicked);
    e.handle(
        &mut s,
        Event::Search {
            query: "refund".into(),
        },
    );
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "xyzzy".into(),
        },
    );
    match &whats(&c)[..] {
        [What::Searched {
            query,
            opened: None,
            position: None,
            ..
        }] => assert_eq!(query, "refund"),
        other => panic!("{other:?}"),
    }
    let c = e.handle(
        &mut s,
        Event::Search {
            query: String::new(),
        },
    );
    assert_eq!(
        whats(&c),
        [What::SearchZero {
            query: "xyzzy".into()
        }]
    );
    assert!(records(&e.handle(&mut s, Event::LauncherClicked)).is_empty());
}

#[test]
fn checks_record_each_answer_and_the_outcome_in_the_walkthrough_attempt() {
    let mut lib = library();
    lib.walkthroughs[1].check = Some(crate::content::Check {
        pass_score: 1.0,
        questions: vec![crate::content::Question {
            prompt: "Which?".into(),
            choices: vec!["a".into(), "b".into()],
            correct: vec![1],
        }],
    });
    let e = Engine::new(lib);
    let mut s = Session::default();
    attach(&e, &mut s, None);
    s.now = 42;
    e.handle(
        &mut s,
        Event::Start {
            id: "refund".into(),
        },
    );
    let c = e.handle(
        &mut s,
        Event::UrlChanged {
            url: "http://127.0.0.1:4000/pos/1".into(),
        },
    );
    assert!(records(&c).is_empty());
    let c = e.handle(&mut s, Event::Next);
    assert_eq!(
        whats(&c),
        [done("a", 0, StepDone::Next), What::Completed { steps: 1 }]
    );
    let c = e.handle(&mut s, Event::Answer { choices: vec![0] });
    let r = records(&c);
    assert_eq!(
        r.iter().map(|r| r.what.clone()).collect::<Vec<_>>(),
        [
            What::Answered {
                question: 0,
                correct: false
            },
            What::CheckCompleted {
                score: 0.0,
                passed: false
            }
        ]
    );
    assert!(r.iter().all(|r| r.attempt == Some(42)
        && r.content
            .as_ref()
            .is_some_and(|c| c.id == "refund" && c.version == "v2")));
    assert_eq!(r[0].page.screen.as_deref(), Some("/pos/*"));
}
