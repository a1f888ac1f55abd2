//! A step: its targets (parsed and validated: CSS, `aria/`, `text/`,
//! `pierce/`, frame and shadow-root paths) and its advance rule.

use super::*;

/// The step's advance rule and the fields that go with it.
pub(super) fn compile_advance(cx: &Cx, s: &StepSrc, diags: &mut Vec<Diagnostic>) -> Advance {
    let rule = s.advance.as_ref().map(|a| (a.get_ref().as_str(), a.span()));
    let needs_target = |diags: &mut Vec<Diagnostic>, what: &str, span: Range<usize>| {
        if s.target.is_empty() {
            cx.err(
                diags,
                span,
                format!("`advance = \"{what}\"` needs a target"),
                "add `target = [...]`, or use another advance rule",
            );
        }
    };
    let stray = |diags: &mut Vec<Diagnostic>, field: &str, span: Range<usize>, rule: &str| {
        cx.err(
            diags,
            span,
            format!("`{field}` only applies to `advance = \"{rule}\"`"),
            &format!("remove it, or set `advance = \"{rule}\"`"),
        );
    };
    let kind = rule
        .as_ref()
        .map_or(if s.target.is_empty() { "next" } else { "click" }, |r| r.0);
    if let (Some(v), false) = (&s.value, matches!(kind, "input" | "change")) {
        stray(diags, "value", v.span(), "input");
    }
    if let (Some(a), false) = (s.appear.first(), kind == "appear") {
        stray(diags, "appear", a.span(), "appear");
    }
    if let (Some(r), false) = (&s.reach, kind == "url") {
        stray(diags, "reach", r.span(), "url");
    }
    let span = rule.map_or(s.id.span(), |r| r.1);
    let value = s.value.as_ref().map(|v| v.get_ref().clone());
    match kind {
        "click" => {
            needs_target(diags, "click", span);
            Advance::Click
        }
        "next" => Advance::Next,
        "input" => {
            needs_target(diags, "input", span);
            Advance::Input(value)
        }
        "change" => {
            needs_target(diags, "change", span);
            Advance::Change(value)
        }
        "disappear" => {
            needs_target(diags, "disappear", span);
            Advance::Disappear
        }
        "appear" => {
            if s.appear.is_empty() {
                cx.err(
                    diags,
                    span,
                    "`advance = \"appear\"` needs `appear = [...]`".into(),
                    "name the element to wait for, like `appear = [\"[role=alert]\"]`",
                );
            }
            Advance::Appear(compile_targets(cx, &s.appear, diags))
        }
        "url" => match &s.reach {
            Some(r) if !r.get_ref().trim().is_empty() => {
                Advance::Url(r.get_ref().trim().to_string())
            }
            _ => {
                cx.err(
                    diags,
                    span,
                    "`advance = \"url\"` needs `reach = \"...\"`".into(),
                    "give the URL pattern to wait for, like `reach = \"/crm/deals/*\"`",
                );
                Advance::Next
            }
        },
        other => {
            cx.err(
                diags,
                span,
                format!("unknown advance rule `{other}`"),
                "use click, next, input, change, appear, disappear or url",
            );
            Advance::Next
        }
    }
}

pub(super) fn compile_targets(
    cx: &Cx,
    src: &[Spanned<String>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Target> {
    let mut targets = Vec::new();
    for t in src {
        match parse_target(t.get_ref()) {
            Ok(target) => targets.push(target),
            Err(why) => cx.err(
                diags,
                t.span(),
                format!("selector `{}` does not parse: {why}", t.get_ref()),
                "use CSS (`[data-testid=save]`), `aria/Name[role=\"button\"]`, `text/Visible text`, `pierce/css` or a frame path (`#frame >>> css`)",
            ),
        }
    }
    targets
}

/// Parses an authored target and, for CSS, checks the selector with a real
/// CSS parser (the one Servo uses), so a typo fails the build, not the tour.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let t = Target::parse(s).map_err(|e| e.to_string())?;
    let check = |css: &str| {
        scraper::Selector::parse(css)
            .map(|_| ())
            .map_err(|e| format!("`{css}`: {}", e.to_string().to_lowercase()))
    };
    match &t {
        Target::Css(css) | Target::Pierce(css) => {
            scraper::Selector::parse(css).map_err(|e| e.to_string().to_lowercase())?;
        }
        Target::Path { hops, css } => {
            hops.iter().try_for_each(|h| check(h))?;
            check(css)?;
        }
        Target::Aria { .. } | Target::Text(_) => {}
    }
    Ok(t)
}
