use super::synthetic::{self, person};
use super::*;

fn tally(statements: impl IntoIterator<Item = Statement>, filter: &Filter) -> Tally {
    let mut t = Tally::new();
    for s in statements {
        t.add(&s, filter);
    }
    t
}

fn today() -> Date {
    Date::parse("2026-12-04").unwrap()
}

fn figures(statements: impl IntoIterator<Item = Statement>) -> Figures {
    tally(statements, &Filter::default()).finish(None, today())
}

fn step<'a>(w: &'a WalkFigures, id: &str) -> &'a StepFigures {
    w.steps.iter().find(|s| s.id == id).unwrap()
}

/// Eight people, counted by hand from the table in `synthetic`.
#[test]
fn eight_people_counted_by_hand() {
    let f = figures(synthetic::statements(8));
    // 8 x 11 + p 0,4 abandon (2) + p 1,5 miss and abandon (4)
    // + p 2,3,6,7 step, walkthrough and check (12) + p 2,5 read (2).
    assert_eq!(f.statements, 108);
    assert_eq!(f.skipped, 0);
    assert_eq!(f.people, 8);
    assert_eq!(f.from.as_deref(), Some("2026-11-01"));
    assert_eq!(f.to.as_deref(), Some("2026-11-08"));
    assert_eq!(f.walkthroughs.len(), 1);
    let w = &f.walkthroughs[0];
    assert_eq!(w.id, "create-deal");
    assert_eq!((w.launched, w.completed, w.abandoned), (8, 4, 4));
    assert_eq!(w.completion_rate, 0.5);
    assert_eq!(w.people, 8);
    assert_eq!(w.launched_from, BTreeMap::from([("panel".to_string(), 8)]));
    assert_eq!(w.days.len(), 8);
    assert!(w.days.iter().all(|d| d.launched == 1));
    let ids: Vec<&str> = w.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["open-form", "name", "amount", "stage", "save"]);
    let find = step(w, "open-form");
    assert_eq!((find.shown, find.completed, find.abandoned), (8, 8, 0));
    let save = step(w, "save");
    assert_eq!(
        (save.shown, save.completed, save.abandoned, save.missing),
        (8, 4, 4, 2)
    );
    assert_eq!(save.missing_rate, 0.25);
    // v1: people 0-3 (2 passed, 3 failed); v2: 4-7 (6 passed, 7 failed).
    assert_eq!(w.checks.len(), 2);
    for (c, v) in w.checks.iter().zip(["v1", "v2"]) {
        assert_eq!(c.version, v);
        assert_eq!((c.taken, c.passed, c.failed), (2, 1, 1));
        assert_eq!(c.pass_rate, 0.5);
        assert_eq!(c.mean_score, Some(0.75));
    }
    assert_eq!(f.articles.len(), 1);
    assert_eq!((f.articles[0].views, f.articles[0].people), (2, 2));
    let s = &f.searches;
    // p 0,3,6 have p % 3 == 0 results.
    assert_eq!((s.total, s.zero, s.opened), (8, 3, 0));
    // p 0 and 7 both ask "refund order 0".
    assert_eq!(s.top[0].query, "refund order 0");
    assert_eq!((s.top[0].count, s.top[0].over_by), (2, 0));
    let zero: Vec<&str> = s.top_zero.iter().map(|q| q.query.as_str()).collect();
    assert_eq!(zero, ["refund order 0", "refund order 3", "refund order 6"]);
    // One person a day: nobody else to confirm a missing target.
    assert!(f.alerts.is_empty());
}

#[test]
fn synthetic_fleets_match_their_formula() {
    for people in [1, 7, 30, 997] {
        let e = synthetic::expected(people);
        let f = figures(synthetic::statements(people));
        assert_eq!(f.statements, e.statements, "{people}");
        let w = &f.walkthroughs[0];
        assert_eq!(
            (w.launched, w.completed, w.abandoned),
            (e.launched, e.completed, e.abandoned)
        );
        assert_eq!(step(w, "save").missing, e.missing_save);
        let passed: u64 = w.checks.iter().map(|c| c.passed).sum();
        let failed: u64 = w.checks.iter().map(|c| c.failed).sum();
        assert_eq!((passed, failed), (e.passed, e.failed));
        assert_eq!((f.searches.total, f.searches.zero), (e.searches, e.zero));
        let views: u64 = f.articles.iter().map(|a| a.views).sum();
        assert_eq!(views, e.article_views);
        let trig = w.launched_from.get("trigger").copied().unwrap_or(0);
        assert_eq!(w.offers.taken, trig);
    }
}

#[test]
fn a_step_missing_for_two_people_on_most_attempts_of_a_day_alerts() {
    // 1, 31, 61 and 91 share a day (p % 30 == 1); 1 and 61 miss "save"
    // (p % 4 == 1), 31 and 91 find it.
    let two_of_three: Vec<Statement> = [1, 61, 31].iter().flat_map(|p| person(*p, 1000)).collect();
    let f = figures(two_of_three.clone());
    assert_eq!(f.alerts.len(), 1, "{:?}", f.alerts);
    let a = &f.alerts[0];
    assert_eq!(
        (a.walkthrough.as_str(), a.step.as_str()),
        ("create-deal", "save")
    );
    assert_eq!(a.day, "2026-11-02");
    assert_eq!((a.missing, a.shown), (2, 3));

    // Half of the attempts is not more than half.
    let f = figures([1, 61, 31, 91].iter().flat_map(|p| person(*p, 1000)));
    assert!(f.alerts.is_empty(), "{:?}", f.alerts);

    // One person missing it twice is one person.
    let f = figures([1, 1].iter().flat_map(|p| person(*p, 1000)));
    assert_eq!(step(&f.walkthroughs[0], "save").missing, 2);
    assert!(f.alerts.is_empty());

    // Order does not matter.
    let f = figures(two_of_three.into_iter().rev());
    assert_eq!(f.alerts.len(), 1);
}

#[test]
fn filters_keep_a_period_and_an_environment() {
    let all: Vec<Statement> = synthetic::statements(60).collect();
    let since = Filter {
        since: Date::parse("2026-11-29"),
        ..Filter::default()
    };
    // Days 29 and 30 of the month: people 28, 29, 58, 59.
    let t = tally(all.clone(), &since);
    let f = t.finish(None, today());
    assert_eq!(f.walkthroughs[0].launched, 4);
    assert_eq!(f.from.as_deref(), Some("2026-11-29"));
    assert_eq!(f.statements + f.skipped, all.len() as u64);

    let until = Filter {
        until: Date::parse("2026-11-01"),
        ..Filter::default()
    };
    assert_eq!(
        tally(all.clone(), &until)
            .finish(None, today())
            .walkthroughs[0]
            .launched,
        2
    );

    let staging = Filter {
        environment: Some("staging".into()),
        ..Filter::default()
    };
    let f = tally(all, &staging).finish(None, today());
    assert_eq!(f.statements, 0);
    assert!(f.walkthroughs.is_empty());
}

#[test]
fn statements_it_does_not_know_are_skipped() {
    let mut other = person(0, 1).remove(0);
    other.verb.id = "http://adlnet.gov/expapi/verbs/attempted".into();
    let mut bad_time = person(0, 1).remove(0);
    bad_time.timestamp = "yesterday".into();
    let mut t = Tally::new();
    assert!(!t.add(&other, &Filter::default()));
    assert!(!t.add(&bad_time, &Filter::default()));
    t.unreadable();
    let f = t.finish(None, today());
    assert_eq!((f.statements, f.skipped), (0, 3));
    assert_eq!(t.seen(), 3);
}

#[test]
fn step_ids_with_any_characters_round_trip() {
    let actor = Actor::named("x");
    let rec = Record {
        what: What::StepShown {
            step: "save / close ü".into(),
            index: 0,
            of: 1,
        },
        page: PageRef {
            origin: "https://a.example".into(),
            screen: None,
        },
        content: Some(ContentRef {
            kind: ContentKind::Walkthrough,
            id: "deal%20x".into(),
            version: "v".into(),
        }),
        bundle: 1,
        environment: String::new(),
        locale: String::new(),
        attempt: Some(1),
    };
    let f = figures([xapi::statement(&rec, 1_793_491_200_000, 0, &actor)]);
    assert_eq!(f.walkthroughs[0].id, "deal%20x");
    assert_eq!(f.walkthroughs[0].steps[0].id, "save / close ü");
}

use super::super::ids::Actor;
use super::super::record::*;

#[test]
fn top_k_keeps_the_frequent_and_bounds_the_error() {
    let mut k = TopK::new(3);
    for q in ["a", "a", "a", "a", "a", "b", "b", "b", "c", "d"] {
        k.add(q, false, 1);
    }
    let top = k.top(10);
    assert_eq!(top.len(), 3);
    assert_eq!(
        (top[0].query.as_str(), top[0].count, top[0].over_by),
        ("a", 5, 0)
    );
    assert_eq!(
        (top[1].query.as_str(), top[1].count, top[1].over_by),
        ("b", 3, 0)
    );
    // "d" took "c"'s slot and count: at most 1 of its 2 is someone else's.
    assert_eq!(
        (top[2].query.as_str(), top[2].count, top[2].over_by),
        ("d", 2, 1)
    );
}

#[test]
fn distinct_counts_are_close() {
    let mut d = Distinct::default();
    for i in 0..8 {
        d.insert(&format!("person-{i}"));
        d.insert(&format!("person-{i}"));
    }
    assert_eq!(d.estimate(), 8);
    let mut d = Distinct::default();
    for i in 0..100_000 {
        d.insert(&format!("person-{i}"));
    }
    let e = d.estimate() as f64;
    assert!((e / 100_000.0 - 1.0).abs() < 0.05, "{e}");
}

#[test]
fn queries_are_counted_case_and_space_blind() {
    assert_eq!(normalise("  Refund   ORDER "), "refund order");
}

#[test]
fn the_synthetic_fleet_starts_on_its_day() {
    let first = person(0, 1).remove(0);
    assert!(
        first.timestamp.starts_with("2026-11-01T"),
        "{}",
        first.timestamp
    );
}

/// docs/analytics.md lists every verb Waymark sends, with its IRI.
#[test]
fn the_docs_name_every_verb() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/analytics.md"))
            .unwrap();
    for v in xapi::VERBS {
        let tail = v.iri.rsplit('/').next().unwrap();
        assert!(
            docs.contains(v.iri) || docs.contains(&format!("…/{tail}")),
            "docs/analytics.md does not list {}",
            v.iri
        );
    }
}
