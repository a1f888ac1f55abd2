//! Engine scenarios: events in, commands out, natively; one file per area.
//! This file holds the shared fixtures and helpers.

use super::*;
use crate::analytics::ContentRef;
use crate::content::{Placement, Walkthrough};
use crate::richtext::{Block, Inline};

mod aids;
mod check;
mod deploy;
mod links;
mod measure;
mod onboarding;
mod panel;
mod protocol;
mod recording;
mod target;
mod tour;
mod triggers;

fn step(id: &str, target: &[&str], advance: Advance) -> Step {
    Step {
        id: id.into(),
        title: format!("Step {id}"),
        body: RichText(vec![Block::Paragraph(vec![Inline::Text("body".into())])]),
        target: target.iter().map(|t| Target::parse(t).unwrap()).collect(),
        advance,
        placement: Placement::Auto,
        optional: false,
        branch: Branch::Next,
        url: None,
        timeout_ms: crate::content::DEFAULT_TIMEOUT_MS,
    }
}

fn meta() -> Meta {
    Meta {
        owner: "crm-team".into(),
        status: crate::content::Status::Approved,
        ..Meta::default()
    }
}

fn engine() -> Engine {
    Engine::new(library())
}

fn library() -> Library {
    Library {
        walkthroughs: vec![
            Walkthrough {
                id: "create-deal".into(),
                title: "Create a deal".into(),
                moment: Moment::Apply,
                applies_to: vec!["/crm/*".into()],
                tags: vec![],
                synonyms: vec![],
                version: "v1".into(),
                meta: meta(),
                trigger: Default::default(),
                check: None,
                translations: Default::default(),
                steps: vec![
                    step(
                        "open",
                        &["[data-testid=new-deal]", "aria/New deal[role=button]"],
                        Advance::Click,
                    ),
                    step("intro", &[], Advance::Next),
                    step("save", &["text/Save deal"], Advance::Click),
                ],
            },
            Walkthrough {
                id: "refund".into(),
                title: "Refund a partial order".into(),
                moment: Moment::Apply,
                applies_to: vec!["/pos/*".into()],
                tags: vec![],
                synonyms: vec![],
                version: "v2".into(),
                meta: meta(),
                trigger: Default::default(),
                check: None,
                translations: Default::default(),
                steps: vec![step("a", &["#x"], Advance::Next)],
            },
        ],
        articles: vec![crate::content::Article {
            id: "deal-basics".into(),
            title: "Deal basics".into(),
            moment: Moment::More,
            tags: vec![],
            synonyms: vec![],
            applies_to: vec!["/crm/*".into()],
            version: "a1".into(),
            meta: meta(),
            translations: Default::default(),
            trigger: Trigger::Manual,
            body: RichText(vec![Block::Paragraph(vec![Inline::Text(
                "Every deal moves through stages.".into(),
            )])]),
        }],
        ..Default::default()
    }
}

const VP: Size = Size {
    width: 1280.0,
    height: 800.0,
};

const URL: &str = "http://127.0.0.1:4000/crm/deals";

fn attach(e: &Engine, s: &mut Session, saved: Option<Tour>) -> Vec<Command> {
    let mut c = e.handle(
        s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    assert_eq!(
        c.last(),
        Some(&Command::Load {
            key: "tour:http://127.0.0.1:4000".into()
        }),
        "{c:?}"
    );
    c.extend(e.handle(s, Event::Restored { tour: saved }));
    c
}

/// A page load at `url` at time `now`, with storage answering `seen`
/// (the New moment's memory) and `saved` (progress).
fn arrive(
    e: &Engine,
    s: &mut Session,
    url: &str,
    seen: Option<Seen>,
    saved: Option<Tour>,
    now: u64,
) -> Vec<Command> {
    s.now = now;
    let mut c = e.handle(
        s,
        Event::Attached {
            url: url.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    c.extend(e.handle(s, Event::SeenRestored { seen }));
    c.extend(e.handle(s, Event::Restored { tour: saved }));
    c
}

fn find<'a, T>(cmds: &'a [Command], f: impl Fn(&'a Command) -> Option<T>) -> Option<T> {
    cmds.iter().find_map(f)
}

fn watch_of(cmds: &[Command]) -> Option<String> {
    find(cmds, |c| match c {
        Command::Watch { watch, .. } => Some(watch.clone()),
        _ => None,
    })
}

fn view_of(cmds: &[Command]) -> Option<View> {
    find(cmds, |c| match c {
        Command::Render { view, .. } => Some(view.clone()),
        _ => None,
    })
}

#[cfg(feature = "authoring")]
fn source_engine(files: &[(&str, &str)]) -> Engine {
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    Engine::new(crate::authoring::compile(&sources).unwrap())
}

#[cfg(feature = "authoring")]
fn card(e: &Engine, s: &mut Session, ev: Event) -> CardView {
    match view_of(&e.handle(s, ev)) {
        Some(View::Card(c)) => c,
        other => panic!("no card: {other:?}"),
    }
}

#[cfg(feature = "authoring")]
const DECIDE: &str = "id = \"refund\"\ntitle = \"Refund\"\nmoment = \"more\"\nowner = \"pos\"\n\n[[steps]]\nid = \"ask\"\ntitle = \"How did they pay?\"\n[[steps.choices]]\nlabel = \"Card\"\ngoto = \"card\"\n[[steps.choices]]\nlabel = \"Cash\"\ngoto = \"cash\"\n\n[[steps]]\nid = \"card\"\ntitle = \"To the card\"\nbranch = \"end\"\n\n[[steps]]\nid = \"cash\"\ntitle = \"In cash\"\n\n[translations.fr]\ntitle = \"Rembourser\"\n[translations.fr.steps.ask]\ntitle = \"Comment ont-ils payé ?\"\n";

#[cfg(feature = "authoring")]
const RULES: &str = r##"id = "rules"
title = "Every rule"
moment = "more"
owner = "ops"

[[steps]]
id = "name"
title = "Name it"
target = ["#name"]
advance = "input"
value = "*@*"

[[steps]]
id = "stage"
title = "Pick a stage"
target = ["#stage"]
advance = "change"

[[steps]]
id = "save"
title = "Save"
target = ["#save"]
advance = "appear"
appear = ["text/Saved"]

[[steps]]
id = "dialog"
title = "Close the dialog"
target = ["dialog"]
advance = "disappear"
optional = true
timeout = 2

[[steps]]
id = "list"
title = "Back to the list"
url = "/crm/deals/new*"
target = ["#back"]
advance = "url"
reach = "/crm/deals"

[[steps]]
id = "end"
title = "Done"
"##;

#[cfg(feature = "authoring")]
fn watch_cmd(c: &[Command]) -> Option<(String, u32, Option<ValueRule>, usize)> {
    c.iter().find_map(|c| match c {
        Command::Watch {
            watch,
            timeout_ms,
            input,
            appear,
            ..
        } => Some((watch.clone(), *timeout_ms, input.clone(), appear.len())),
        _ => None,
    })
}
