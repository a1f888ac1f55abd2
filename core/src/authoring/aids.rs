//! The two content kinds that are not a walkthrough or an article:
//! onboarding checklists (`*.checklist.toml`) and smart tips with beacons
//! (`*.tips.toml`), and the check that every id content links to
//! (`related`, checklist `items`) exists.

use super::*;
use crate::content::{Checklist, Tip, TipSet};

/// A checklist file's name ends so.
pub const CHECKLIST_SUFFIX: &str = ".checklist.toml";
/// A tips file's name ends so.
pub const TIPS_SUFFIX: &str = ".tips.toml";

/// Most items a checklist lists: a longer list is a course, not a
/// checklist, and would not fit the panel.
pub const MAX_CHECKLIST_ITEMS: usize = 20;

fn parse<T: serde::de::DeserializeOwned>(cx: &Cx, diags: &mut Vec<Diagnostic>) -> Option<T> {
    match toml::from_str(cx.text) {
        Ok(s) => Some(s),
        Err(e) => {
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(
                cx.file,
                cx.text,
                e.span().unwrap_or(0..0),
                message,
                hint,
            ));
            None
        }
    }
}

fn title_of(cx: &Cx, t: &Spanned<String>, diags: &mut Vec<Diagnostic>, hint: &str) -> String {
    let v = t.get_ref().trim();
    if v.is_empty() {
        cx.err(diags, t.span(), "the title is empty".into(), hint);
    }
    v.to_string()
}

pub(super) fn compile_checklist(cx: &Cx, diags: &mut Vec<Diagnostic>) -> Option<Checklist> {
    let src: ChecklistSrc = parse(cx, diags)?;
    check_id(cx.file, cx.text, &src.id, diags);
    let title = title_of(
        cx,
        &src.title,
        diags,
        "say who it is for and when: \"Your first week in sales\"",
    );
    let gov = Governance {
        id: &src.id,
        owner: src.owner.as_ref(),
        status: src.status.as_ref(),
        review_by: src.review_by.as_ref(),
        audience: src.audience.as_ref(),
        compliance_signoff: None,
    };
    let meta = compile_governance(cx, &gov, None, diags);
    let items = src.items.get_ref();
    if items.is_empty() || items.len() > MAX_CHECKLIST_ITEMS {
        cx.err(
            diags,
            src.items.span(),
            format!(
                "a checklist lists 1 to {MAX_CHECKLIST_ITEMS} items, not {}",
                items.len()
            ),
            "name the walkthroughs and articles to work through: items = [\"create-deal\", \"deal-stages\"]",
        );
    }
    let mut seen = HashSet::new();
    for i in items {
        if !seen.insert(i.get_ref().trim()) {
            cx.err(
                diags,
                i.span(),
                format!("`{}` is listed twice", i.get_ref()),
                "list each item once",
            );
        }
    }
    Some(Checklist {
        id: src.id.get_ref().clone(),
        title,
        items: trimmed(items),
        version: version_of(cx.text),
        meta,
    })
}

pub(super) fn compile_tips(cx: &Cx, diags: &mut Vec<Diagnostic>) -> Option<TipSet> {
    let src: TipsSrc = parse(cx, diags)?;
    check_id(cx.file, cx.text, &src.id, diags);
    let title = title_of(cx, &src.title, diags, "name the screen: \"New deal form\"");
    let gov = Governance {
        id: &src.id,
        owner: src.owner.as_ref(),
        status: src.status.as_ref(),
        review_by: src.review_by.as_ref(),
        audience: src.audience.as_ref(),
        compliance_signoff: None,
    };
    let why = "`review_by` is required for tips".to_string();
    let hint = "tips sit on the app's own fields, which change: add `review_by = 2027-03-01`";
    let meta = compile_governance(cx, &gov, Some((src.id.span(), why, hint)), diags);
    if src.applies_to.is_empty() || src.applies_to.iter().any(|p| p.get_ref().trim().is_empty()) {
        let span = src.applies_to.first().map_or(src.id.span(), |p| p.span());
        cx.err(
            diags,
            span,
            "tips need the screen they are on".into(),
            "add `applies_to = [\"/crm/deals/new*\"]`",
        );
    }
    if src.tips.get_ref().is_empty() {
        cx.err(
            diags,
            src.tips.span(),
            "a tips file needs at least one tip".into(),
            "add a [[tips]] table with id, target and title",
        );
    }
    let mut ids = HashSet::new();
    let mut tips = Vec::new();
    for t in src.tips.get_ref() {
        check_id(cx.file, cx.text, &t.id, diags);
        if !ids.insert(t.id.get_ref().clone()) {
            cx.err(
                diags,
                t.id.span(),
                format!("duplicate tip id `{}`", t.id.get_ref()),
                "tip ids must be unique within the file",
            );
        }
        if t.target.is_empty() {
            cx.err(
                diags,
                t.id.span(),
                "a tip needs `target = [...]`".into(),
                "name the field it sits beside, most robust first: [\"aria/Amount[role=\\\"textbox\\\"]\", \"#amount\"]",
            );
        }
        let tip_title = title_of(cx, &t.title, diags, "say what the field is for");
        tips.push(Tip {
            id: t.id.get_ref().clone(),
            target: compile_targets(cx, &t.target, diags),
            title: tip_title,
            body: t
                .body
                .as_ref()
                .map(|b| cx.markdown(b, diags))
                .unwrap_or_default(),
            beacon: t.beacon,
        });
    }
    Some(TipSet {
        id: src.id.get_ref().clone(),
        title,
        applies_to: trimmed(&src.applies_to),
        tips,
        version: version_of(cx.text),
        meta,
    })
}

/// Every `related` entry and checklist item names a walkthrough or an
/// article of the folder. `sources` finds the file text for the message.
pub(super) fn check_links(
    library: &Library,
    files: &BTreeMap<String, String>,
    sources: &[(String, String)],
    diags: &mut Vec<Diagnostic>,
) {
    let content: HashSet<&str> = library
        .walkthroughs
        .iter()
        .map(|w| w.id.as_str())
        .chain(library.articles.iter().map(|a| a.id.as_str()))
        .collect();
    let owners = library
        .walkthroughs
        .iter()
        .map(|w| (&w.id, &w.meta.related, "related"))
        .chain(
            library
                .articles
                .iter()
                .map(|a| (&a.id, &a.meta.related, "related")),
        )
        .chain(
            library
                .checklists
                .iter()
                .map(|c| (&c.id, &c.items, "items")),
        );
    for (id, links, field) in owners {
        for link in links.iter().filter(|l| !content.contains(l.as_str())) {
            let Some(file) = files.get(id) else { continue };
            let text = sources
                .iter()
                .find(|(f, _)| f == file)
                .map_or("", |(_, t)| t.as_str());
            let quoted = format!("\"{link}\"");
            let at = text
                .find(&format!("{field} ="))
                .and_then(|f| text[f..].find(&quoted).map(|i| f + i))
                .unwrap_or(0);
            diags.push(Diagnostic::at(
                file,
                text,
                at..at + quoted.len(),
                format!("`{link}` in `{field}` is not a walkthrough or article of this folder"),
                Some("check the id, or add the walkthrough or article it names".into()),
            ));
        }
        if links.iter().any(|l| l == id) && field == "related" {
            if let Some(file) = files.get(id) {
                diags.push(Diagnostic::file(
                    file,
                    format!("`{id}` lists itself in `related`"),
                    Some("list other content to offer next".into()),
                ));
            }
        }
    }
}
