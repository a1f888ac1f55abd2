//! `[translations.<locale>]`: translated strings, and the check that every
//! string has a translation or a fallback chain that reaches one.

use super::*;

pub(super) fn compile_texts(
    cx: &Cx,
    locale: &str,
    t: &Spanned<TextsSrc>,
    steps: Option<&[Step]>,
    diags: &mut Vec<Diagnostic>,
) -> Texts {
    let known = cx.config.locales.translated.contains_key(locale);
    if !known {
        cx.err(
            diags,
            t.span(),
            format!("translation into `{locale}`, which `waymark.toml` does not list"),
            "add it to [locales] translations in waymark.toml",
        );
    }
    let src = t.get_ref();
    let body = match (&src.body, steps) {
        (Some(b), None) => Some(cx.markdown(b, diags)),
        (Some(b), Some(_)) => {
            cx.err(
                diags,
                b.span(),
                "walkthroughs have no body to translate".into(),
                "translate step bodies under [translations.<locale>.steps.<step-id>]",
            );
            None
        }
        (None, _) => None,
    };
    let mut out_steps = BTreeMap::new();
    for (id, st) in &src.steps {
        match steps {
            None => cx.err(
                diags,
                st.span(),
                "articles have no steps to translate".into(),
                "translate the title and body",
            ),
            Some(steps) if !steps.iter().any(|s| s.id == *id) => cx.err(
                diags,
                st.span(),
                format!("translation of step `{id}`, which this walkthrough does not have"),
                "use the id of one of its [[steps]]",
            ),
            Some(_) => {}
        }
        let s = st.get_ref();
        out_steps.insert(
            id.clone(),
            StepTexts {
                title: s.title.clone(),
                body: s.body.as_ref().map(|b| cx.markdown(b, diags)),
            },
        );
    }
    Texts {
        title: src.title.as_ref().map(|t| t.get_ref().trim().to_string()),
        body,
        change_note: src.change_note.clone(),
        steps: out_steps,
    }
}

/// The strings a piece of content has in its source locale, which each
/// translation must provide or inherit from its fallback.
pub(super) struct Needs {
    pub(super) change_note: bool,
    pub(super) body: bool,
    /// (step id, has a body)
    pub(super) steps: Vec<(String, bool)>,
}

impl Needs {
    pub(super) fn article(a: &Article) -> Needs {
        Needs {
            change_note: a.meta.change_note.is_some(),
            body: !a.body.0.is_empty(),
            steps: Vec::new(),
        }
    }

    pub(super) fn walkthrough(w: &Walkthrough) -> Needs {
        Needs {
            change_note: w.meta.change_note.is_some(),
            body: false,
            steps: w
                .steps
                .iter()
                .map(|s| (s.id.clone(), !s.body.0.is_empty()))
                .collect(),
        }
    }
}

/// Every declared translation must have each string, or inherit it through
/// its fallback chain; a chain that ends before the source locale is a
/// "complete" translation and a missing string is an error.
pub(super) fn check_complete(
    cx: &Cx,
    src: &BTreeMap<String, Spanned<TextsSrc>>,
    needs: &Needs,
    have: &BTreeMap<String, Texts>,
    diags: &mut Vec<Diagnostic>,
) {
    let locales = &cx.config.locales;
    for locale in locales.translated.keys() {
        let Some(chain) = fallback_chain(locales, locale) else {
            continue; // reported with the settings
        };
        if chain.contains(&locales.source.as_str()) {
            continue; // anything missing comes from the source text
        }
        let translated: Vec<&Texts> = chain
            .iter()
            .filter(|l| **l != locales.source)
            .filter_map(|l| have.get(*l))
            .collect();
        let mut missing = Vec::new();
        if !translated.iter().any(|t| t.title.is_some()) {
            missing.push("the title".to_string());
        }
        if needs.change_note && !translated.iter().any(|t| t.change_note.is_some()) {
            missing.push("the change note".to_string());
        }
        if needs.body && !translated.iter().any(|t| t.body.is_some()) {
            missing.push("the body".to_string());
        }
        for (step, has_body) in &needs.steps {
            let st = |f: &dyn Fn(&StepTexts) -> bool| {
                translated.iter().any(|t| t.steps.get(step).is_some_and(f))
            };
            if !st(&|s| s.title.is_some()) {
                missing.push(format!("step `{step}` title"));
            }
            if *has_body && !st(&|s| s.body.is_some()) {
                missing.push(format!("step `{step}` body"));
            }
        }
        if missing.is_empty() {
            continue;
        }
        let span = src.get(locale).map_or(0..0, |t| t.span());
        let via = if chain.len() > 1 {
            format!(" (nor does its fallback chain {})", chain[1..].join(" → "))
        } else {
            String::new()
        };
        let shown: Vec<_> = missing.iter().take(4).cloned().collect();
        let more = if missing.len() > 4 {
            format!(" and {} more", missing.len() - 4)
        } else {
            String::new()
        };
        cx.err(
            diags,
            span,
            format!(
                "translation `{locale}` is missing {}{more}{via}, and has no fallback",
                shown.join(", ")
            ),
            &format!(
                "add them under [translations.{locale}], or set a fallback for `{locale}` in waymark.toml [locales.fallback]"
            ),
        );
    }
}
