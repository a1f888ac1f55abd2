//! Engine scenarios: comprehension checks.
#![cfg(feature = "authoring")]

use super::*;

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
    match &r[0].what {
        What::Answered { question, correct } => assert_eq!((*question, *correct), (0, false)),
        other => panic!("{other:?}"),
    }
    assert_eq!(r[0].content.as_ref().unwrap().id, "w");
    assert_eq!(r[0].kind(), "answered");
    assert!(matches!(view_of(&c), Some(View::Check(v)) if v.multiple && v.index == 2));
    // Order and repeats do not matter; the set must be exact.
    let c = e.handle(
        &mut s,
        Event::Answer {
            choices: vec![2, 0, 2],
        },
    );
    let r = records(&c);
    assert!(
        matches!(r[0].what, What::Answered { correct: true, .. }),
        "{r:?}"
    );
    match &r[1].what {
        What::CheckCompleted { score, passed } => assert_eq!((*score, *passed), (0.5, true)),
        other => panic!("{other:?}"),
    }
    assert_eq!(r[1].kind(), "check_completed");
    match view_of(&c) {
        Some(View::Done {
            title,
            result: Some(o),
            ..
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
