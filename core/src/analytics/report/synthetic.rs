//! A made-up fleet whose figures are known in advance: the report's tests
//! and benchmark feed it [`statements`] (as many as a year of a large
//! deployment) and check [`Expected`] against what the report says.
//!
//! Person `p` (of `people`), on day `2026-11-01 + p % 30`:
//!
//! ```text
//!   launches create-deal (panel; p % 10 == 9: from a trigger offer, taken)
//!   steps 0-3 "open-form", "name", "amount", "stage": shown, completed
//!   step 4 "save"  shown, then by p % 4:
//!       0  abandoned at "save"
//!       1  target missing, abandoned at "save"
//!       2  completed (click); walkthrough completed; check passed (1.0)
//!       3  completed (click); walkthrough completed; check failed (0.5)
//!   searches "refund order <p % 7>" with p % 3 results (0: a zero-result search)
//!   opens article refund-policy when p % 3 == 2
//! ```
//!
//! The ids are the sample library's (`walkthroughs/library`), so a report
//! joined with it has titles and owners.
//!
//! Content version "v1" for the first half of the people, "v2" after.

use super::super::ids::Actor;
use super::super::record::*;
use super::super::xapi::{statement, Statement};

/// What the report must say about `people` people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub statements: u64,
    pub launched: u64,
    pub completed: u64,
    pub abandoned: u64,
    pub missing_save: u64,
    pub passed: u64,
    pub failed: u64,
    pub searches: u64,
    pub zero: u64,
    pub article_views: u64,
}

/// The figures [`statements`]`(people)` must produce.
pub fn expected(people: u64) -> Expected {
    // People p < people with p % m == r.
    let count = |r: u64, m: u64| people / m + u64::from(people % m > r);
    let (ab0, ab1, done2, done3) = (count(0, 4), count(1, 4), count(2, 4), count(3, 4));
    let zero = count(0, 3);
    let views = count(2, 3);
    let trig = count(9, 10);
    let completed = done2 + done3;
    // launched + 5 shown + 4 completed + search, per person;
    // offered + taken for trigger launches; the ends by p % 4; views.
    let statements = people * 11
        + trig * 2
        + ab0
        + ab1 * 2
        + completed * 3 // step completed, walkthrough completed, check
        + views;
    Expected {
        statements,
        launched: people,
        completed,
        abandoned: ab0 + ab1,
        missing_save: ab1,
        passed: done2,
        failed: done3,
        searches: people,
        zero,
        article_views: views,
    }
}

const DAY0_MS: u64 = 1_793_491_200_000; // 2026-11-01T00:00:00Z

/// The statements of person `p` of `people`.
pub fn person(p: u64, people: u64) -> Vec<Statement> {
    let actor = Actor::named(&format!("person-{p:06}"));
    let version = if p < people / 2 { "v1" } else { "v2" };
    let page = PageRef {
        origin: "https://crm.acme.example".into(),
        screen: Some("/crm/deals*".into()),
    };
    let walk = ContentRef {
        kind: ContentKind::Walkthrough,
        id: "create-deal".into(),
        version: version.into(),
    };
    let article = ContentRef {
        kind: ContentKind::Article,
        id: "refund-policy".into(),
        version: "a1".into(),
    };
    let start = DAY0_MS + (p % 30) * 86_400_000 + (p % 1000) * 60_000;
    let mut out = Vec::new();
    let mut at = start;
    let mut push = |what: What, content: Option<&ContentRef>, attempt: bool| {
        let record = Record {
            what,
            page: page.clone(),
            content: content.cloned(),
            bundle: 42,
            environment: "production".into(),
            locale: "en".into(),
            attempt: attempt.then_some(start),
        };
        at += 1000;
        out.push(statement(&record, at, 0, &actor));
    };
    let from = if p % 10 == 9 {
        push(What::TriggerOffered, Some(&walk), false);
        push(What::TriggerTaken, Some(&walk), false);
        LaunchedFrom::Trigger
    } else {
        LaunchedFrom::Panel
    };
    push(What::Launched { from }, Some(&walk), true);
    let steps = [
        ("open-form", StepDone::Click),
        ("name", StepDone::Input),
        ("amount", StepDone::Input),
        ("stage", StepDone::Change),
    ];
    for (i, (s, how)) in steps.iter().enumerate() {
        let step = s.to_string();
        push(
            What::StepShown {
                step: step.clone(),
                index: i,
                of: 5,
            },
            Some(&walk),
            true,
        );
        push(
            What::StepCompleted {
                step,
                index: i,
                how: *how,
            },
            Some(&walk),
            true,
        );
    }
    let save = || "save".to_string();
    push(
        What::StepShown {
            step: save(),
            index: 4,
            of: 5,
        },
        Some(&walk),
        true,
    );
    match p % 4 {
        0 | 1 => {
            if p % 4 == 1 {
                push(
                    What::TargetMissing {
                        step: save(),
                        index: 4,
                    },
                    Some(&walk),
                    true,
                );
            }
            push(
                What::Abandoned {
                    step: save(),
                    index: 4,
                },
                Some(&walk),
                true,
            );
        }
        k => {
            push(
                What::StepCompleted {
                    step: save(),
                    index: 4,
                    how: StepDone::Click,
                },
                Some(&walk),
                true,
            );
            push(What::Completed { steps: 5 }, Some(&walk), true);
            let passed = k == 2;
            push(
                What::CheckCompleted {
                    score: if passed { 1.0 } else { 0.5 },
                    passed,
                },
                Some(&walk),
                true,
            );
        }
    }
    let results = (p % 3) as usize;
    let query = format!("refund order {}", p % 7);
    push(
        if results == 0 {
            What::SearchZero { query }
        } else {
            What::Searched {
                query,
                results,
                opened: None,
                position: None,
            }
        },
        None,
        false,
    );
    if p % 3 == 2 {
        push(What::ArticleOpened, Some(&article), false);
    }
    out
}

/// Everyone's statements, person after person.
pub fn statements(people: u64) -> impl Iterator<Item = Statement> {
    (0..people).flat_map(move |p| person(p, people))
}
