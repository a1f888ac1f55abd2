//! A walkthrough file: its steps, trigger and comprehension check.

use super::*;

pub(super) fn compile_walkthrough(cx: &Cx, diags: &mut Vec<Diagnostic>) -> Option<Walkthrough> {
    let (file, text) = (cx.file, cx.text);
    let src: WalkthroughSrc = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(file, text, span, message, hint));
            return None;
        }
    };
    let d = |diags: &mut Vec<Diagnostic>, span: Range<usize>, msg: String, hint: &str| {
        cx.err(diags, span, msg, hint)
    };
    let (moment, meta) = compile_common(cx, &src.common(), diags);
    if src.steps.get_ref().is_empty() {
        d(
            diags,
            src.steps.span(),
            "a walkthrough needs at least one step".into(),
            "add a [[steps]] table",
        );
    }
    let trigger = src
        .trigger
        .as_ref()
        .map_or(Trigger::Manual, |t| compile_trigger(cx, t, diags));

    let mut step_ids = HashSet::new();
    let mut steps = Vec::new();
    for s in src.steps.get_ref() {
        check_id(file, text, &s.id, diags);
        if s.id.get_ref() == END {
            d(
                diags,
                s.id.span(),
                format!("`{END}` is reserved: `branch = \"{END}\"` ends a walkthrough"),
                "give the step another id",
            );
        }
        if !step_ids.insert(s.id.get_ref().clone()) {
            d(
                diags,
                s.id.span(),
                format!("duplicate step id `{}`", s.id.get_ref()),
                "step ids must be unique within a walkthrough",
            );
        }
        if s.title.get_ref().trim().is_empty() {
            d(
                diags,
                s.title.span(),
                "the step title is empty".into(),
                "say what the user does in this step",
            );
        }
        let targets = compile_targets(cx, &s.target, diags);
        let advance = compile_advance(cx, s, diags);
        let timeout_ms = match &s.timeout {
            None => crate::content::DEFAULT_TIMEOUT_MS,
            Some(t) => match u32::try_from(*t.get_ref()) {
                Ok(secs) if (1..=600).contains(&secs) => secs * 1000,
                _ => {
                    d(
                        diags,
                        t.span(),
                        "`timeout` is seconds, from 1 to 600".into(),
                        "for example 10",
                    );
                    crate::content::DEFAULT_TIMEOUT_MS
                }
            },
        };
        let url = s.url.as_ref().map(|u| u.get_ref().trim().to_string());
        if let Some(u) = &s.url {
            if u.get_ref().trim().is_empty() {
                d(
                    diags,
                    u.span(),
                    "empty URL pattern".into(),
                    "write a path like \"/crm/deals/new*\"",
                );
            }
        }
        let placement = match &s.placement {
            None => Placement::Auto,
            Some(p) => Placement::parse(p.get_ref()).unwrap_or_else(|| {
                d(
                    diags,
                    p.span(),
                    format!("unknown placement `{}`", p.get_ref()),
                    "use auto, top, bottom, left or right",
                );
                Placement::Auto
            }),
        };
        let body = s
            .body
            .as_ref()
            .map_or_else(RichText::default, |b| cx.markdown(b, diags));
        let choices = s.choices();
        let branch = match (&s.branch, choices.is_empty()) {
            (Some(b), false) => {
                d(
                    diags,
                    b.span(),
                    "a step has either `branch` or `choices`, not both".into(),
                    "choices already say where each answer goes",
                );
                Branch::Next
            }
            (Some(b), true) if b.get_ref() == END => Branch::End,
            (Some(b), true) => Branch::Goto(b.get_ref().clone()),
            (None, true) => Branch::Next,
            (None, false) => {
                if choices.len() < 2 {
                    d(
                        diags,
                        s.choices_span(),
                        "a decision needs at least two choices".into(),
                        "add another [[steps.choices]], or use `branch = \"step-id\"`",
                    );
                }
                Branch::Choices(
                    choices
                        .iter()
                        .map(|c| Choice {
                            label: c.label.trim().to_string(),
                            goto: c.goto.get_ref().clone(),
                        })
                        .collect(),
                )
            }
        };
        if matches!(branch, Branch::Choices(_)) && s.advance.is_some() {
            if let Some(a) = &s.advance {
                d(
                    diags,
                    a.span(),
                    "a decision step advances by the user's choice".into(),
                    "remove `advance`",
                );
            }
        }
        steps.push(Step {
            id: s.id.get_ref().clone(),
            title: s.title.get_ref().trim().to_string(),
            body,
            target: targets,
            // A decision waits for the user's answer, never for a click.
            advance: if matches!(branch, Branch::Choices(_)) {
                Advance::Next
            } else {
                advance
            },
            placement,
            optional: s.optional,
            branch,
            url,
            timeout_ms,
        });
    }
    check_branches(cx, &src.steps, &steps, diags);

    let check = src.check.as_ref().map(|c| compile_check(cx, c, diags));
    let mut translations = BTreeMap::new();
    for (locale, t) in &src.translations {
        let texts = compile_texts(cx, locale, t, Some(&steps), diags);
        translations.insert(locale.clone(), texts);
    }
    let w = Walkthrough {
        id: src.id.get_ref().clone(),
        title: src.title.get_ref().trim().to_string(),
        moment,
        tags: src.tags,
        synonyms: src.synonyms,
        applies_to: trimmed(&src.applies_to),
        version: version_of(text),
        steps,
        meta,
        trigger,
        check,
        translations,
    };
    check_complete(
        cx,
        &src.translations,
        &Needs::walkthrough(&w),
        &w.translations,
        diags,
    );
    Some(w)
}

pub(super) fn compile_trigger(
    cx: &Cx,
    t: &Spanned<toml::Value>,
    diags: &mut Vec<Diagnostic>,
) -> Trigger {
    let hint = "use \"manual\", \"auto_first_visit\", or { type = \"on_element\" | \"on_error\", target = [...], text = \"...\" }";
    match t.get_ref() {
        toml::Value::String(s) if s == "manual" => Trigger::Manual,
        toml::Value::String(s) if s == "auto_first_visit" => Trigger::AutoFirstVisit,
        toml::Value::String(s) => {
            cx.err(diags, t.span(), format!("unknown trigger `{s}`"), hint);
            Trigger::Manual
        }
        toml::Value::Table(table) => {
            let kind = table.get("type").and_then(|v| v.as_str()).unwrap_or("");
            let unknown: Vec<_> = table
                .keys()
                .filter(|k| !["type", "target", "text"].contains(&k.as_str()))
                .collect();
            if let Some(k) = unknown.first() {
                cx.err(
                    diags,
                    t.span(),
                    format!("unknown trigger field `{k}`"),
                    hint,
                );
            }
            let mut target = Vec::new();
            match table.get("target").and_then(|v| v.as_array()) {
                Some(a) if !a.is_empty() => {
                    for v in a {
                        match v.as_str().map(parse_target) {
                            Some(Ok(x)) => target.push(x),
                            Some(Err(why)) => cx.err(
                                diags,
                                t.span(),
                                format!("trigger selector `{}` does not parse: {why}", v),
                                "use CSS, `aria/Name[role=\"alert\"]` or `text/Visible text`",
                            ),
                            None => {
                                cx.err(diags, t.span(), "trigger targets are strings".into(), hint)
                            }
                        }
                    }
                }
                _ => cx.err(
                    diags,
                    t.span(),
                    "an element trigger needs `target = [...]`".into(),
                    "name the element that starts it, like [\"[role=alert]\"]",
                ),
            }
            let text = table
                .get("text")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            match kind {
                "on_element" => Trigger::OnElement { target, text },
                "on_error" => Trigger::OnError { target, text },
                _ => {
                    cx.err(
                        diags,
                        t.span(),
                        format!("unknown trigger type `{kind}`"),
                        hint,
                    );
                    Trigger::Manual
                }
            }
        }
        other => {
            cx.err(
                diags,
                t.span(),
                format!("a trigger is a name or a table, not {}", other.type_str()),
                hint,
            );
            Trigger::Manual
        }
    }
}

pub(super) fn compile_check(cx: &Cx, c: &CheckSrc, diags: &mut Vec<Diagnostic>) -> Check {
    let pass_score = match &c.pass_score {
        None => 0.8,
        Some(p) if (0.0..=1.0).contains(p.get_ref()) => *p.get_ref() as f32,
        Some(p) => {
            cx.err(
                diags,
                p.span(),
                format!(
                    "`pass_score` is {}; it is a fraction from 0 to 1",
                    p.get_ref()
                ),
                "for 80 %, write 0.8",
            );
            0.8
        }
    };
    if c.questions.get_ref().is_empty() {
        cx.err(
            diags,
            c.questions.span(),
            "a check needs at least one question".into(),
            "add a [[check.questions]] table",
        );
    }
    let mut questions = Vec::new();
    for q in c.questions.get_ref() {
        if q.prompt.get_ref().trim().is_empty() {
            cx.err(
                diags,
                q.prompt.span(),
                "the question is empty".into(),
                "ask something the walkthrough taught",
            );
        }
        let choices: Vec<String> = q
            .choices
            .get_ref()
            .iter()
            .map(|c| c.trim().to_string())
            .collect();
        if choices.len() < 2 {
            cx.err(
                diags,
                q.choices.span(),
                "a question needs at least two choices".into(),
                "add the wrong answers too",
            );
        }
        let mut correct = Vec::new();
        for a in &q.correct {
            match choices.iter().position(|c| c == a.get_ref().trim()) {
                Some(i) => correct.push(i),
                None => cx.err(
                    diags,
                    a.span(),
                    format!("`{}` is not one of the choices", a.get_ref()),
                    "copy the right answer exactly from `choices`",
                ),
            }
        }
        if q.correct.is_empty() {
            cx.err(
                diags,
                q.prompt.span(),
                "the question has no correct answer".into(),
                "add `correct = [\"...\"]` with the right choice",
            );
        }
        questions.push(Question {
            prompt: q.prompt.get_ref().trim().to_string(),
            choices,
            correct,
        });
    }
    Check {
        pass_score,
        questions,
    }
}
