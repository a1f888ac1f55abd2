//! Engine scenarios: choosing among candidates, and the watch lists steps carry.

use super::*;

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
        .any(|c| matches!(c, Command::Record { record } if record.kind() == "target_ambiguous")));
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
