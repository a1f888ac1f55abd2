//! The recorder's Preview plays `Draft::to_walkthrough`; the author then
//! saves `Draft::to_toml` and `waymark build` compiles it. They must be the
//! same walkthrough, or the preview would show something the file is not.

#![cfg(feature = "authoring")]

use waymark_core::authoring::compile;
use waymark_core::content::Date;
use waymark_core::recorder::{Action, Recording};
use waymark_core::richtext::compile_markdown;
use waymark_core::targeting::suggest::{Node, Picked};

fn button(test_id: &str, name: &str) -> Picked {
    Picked {
        node: Node {
            tag: "button".into(),
            test_ids: vec![("data-testid".into(), test_id.into())],
            ..Node::default()
        },
        name: name.into(),
        text: name.into(),
        ..Picked::default()
    }
}

#[test]
fn the_preview_is_the_file_as_built() {
    let mut r = Recording::default();
    let a = r.pick(
        &button("new-deal", "New deal"),
        Action::Click,
        "http://crm.example/crm/deals",
    );
    r.counted(a, vec![1, 1, 1]);
    let b = r.pick(
        &Picked {
            node: Node {
                tag: "input".into(),
                attrs: vec![("name".into(), "name".into())],
                ..Node::default()
            },
            name: "Deal name".into(),
            role: Some("textbox".into()),
            labelled: true,
            ..Picked::default()
        },
        Action::Change,
        "http://crm.example/crm/deals/new",
    );
    r.counted(b, vec![1, 1, 1]);
    let c = r.pick(
        &button("save-deal", "Save \"deal\""),
        Action::Click,
        "http://crm.example/crm/deals/4821/edit",
    );
    r.counted(c, vec![1, 2, 0]);
    r.rename(0, "Start a *new* deal");
    r.describe(
        1,
        "Use the **customer's** name:\n\n- who\n- what",
        waymark_core::content::Placement::Right,
    );
    r.title = "Create a deal".into();
    let draft = r.export("sales-ops", Date(20_000), 90);

    let built =
        compile(&[("create-a-deal.toml".into(), draft.to_toml())]).expect("the export compiles");
    let mut file = built.walkthroughs[0].clone();
    let preview = draft.to_walkthrough(|md| compile_markdown(md).expect("a body compiles"));
    assert_eq!(preview.version, "preview");
    file.version = "preview".into();
    assert_eq!(preview, file);
    assert!(preview.steps.len() == 3 && preview.steps[2].url.is_some());
}
