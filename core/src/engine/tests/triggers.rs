//! Engine scenarios: triggers on screen and their offers.
#![cfg(feature = "authoring")]

use super::*;

fn kinds(c: &[Command]) -> Vec<&'static str> {
    c.iter()
        .filter_map(|c| match c {
            Command::Record { record } => Some(record.kind()),
            _ => None,
        })
        .collect()
}

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
    let c = e.handle(&mut s, Event::Dismiss);
    assert_eq!(view_of(&c), Some(View::Hidden));
    assert_eq!(kinds(&c), ["trigger_declined"]);
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
    assert_eq!(kinds(&e.handle(&mut s, present(true))), ["trigger_offered"]);
    let c = e.handle(
        &mut s,
        Event::Start {
            id: "declined".into(),
        },
    );
    assert!(matches!(view_of(&c), Some(View::Card(_))));
    assert_eq!(kinds(&c), ["trigger_taken", "launched", "step_shown"]);
    assert!(c.iter().any(|c| matches!(c, Command::Record { record }
        if record.what == crate::analytics::What::Launched { from: crate::analytics::LaunchedFrom::Trigger })));
    e.handle(&mut s, Event::Close);
    assert_eq!(
        e.view(&s),
        View::Hidden,
        "a walkthrough taken up is not offered again"
    );
}
