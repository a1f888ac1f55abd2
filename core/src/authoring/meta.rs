//! What walkthroughs and articles share: id, title, moment, governance
//! (owner, status, review date, audience, compliance sign-off), tags, and the
//! content version (a hash of the normalised source).

use super::*;

pub(super) fn trimmed(v: &[Spanned<String>]) -> Vec<String> {
    v.iter().map(|p| p.get_ref().trim().to_string()).collect()
}

/// The content version: a hash of the normalised source (line endings and
/// trailing whitespace do not change it).
pub fn version_of(text: &str) -> String {
    let normalised: String = text
        .lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    format!("{:016x}", fnv1a64(normalised.trim().as_bytes()))
}

/// Checks the fields walkthroughs and articles share; returns the moment
/// (a placeholder if it was wrong: the diagnostic is already recorded).
pub(super) fn compile_common(cx: &Cx, c: &Common, diags: &mut Vec<Diagnostic>) -> (Moment, Meta) {
    check_id(cx.file, cx.text, c.id, diags);
    if c.title.get_ref().trim().is_empty() {
        cx.err(
            diags,
            c.title.span(),
            "the title is empty".into(),
            "write a task-first title, like \"Refund a partial order\"",
        );
    }
    let moment = parse_moment(cx.file, cx.text, c.moment.get_ref(), c.moment.span(), diags);
    for p in c.applies_to {
        if p.get_ref().trim().is_empty() {
            cx.err(
                diags,
                p.span(),
                "empty URL pattern".into(),
                "write a path like \"/crm/deals*\" or a full URL pattern",
            );
        }
    }
    let needs_review = matches!(moment, Some(Moment::Apply | Moment::Solve));
    let gov = Governance {
        id: c.id,
        owner: c.owner,
        status: c.status,
        review_by: c.review_by,
        audience: c.audience,
        compliance_signoff: c.compliance_signoff,
    };
    let review_span = c.moment.span();
    let why = format!("`review_by` is required for {} content", c.moment.get_ref());
    let hint =
        "apply and solve content goes wrong when the app changes: add `review_by = 2027-03-01`";
    let review = needs_review.then_some((review_span, why, hint));
    let mut meta = compile_governance(cx, &gov, review, diags);
    meta.product_version = c.product_version.cloned();
    meta.change_note = c.change_note.map(|s| s.trim().to_string());
    meta.related = trimmed(c.related);
    (moment.unwrap_or(Moment::Apply), meta)
}

/// Who owns a piece of content and who sees it: what every kind of
/// content file carries.
pub(super) struct Governance<'a> {
    pub(super) id: &'a Spanned<String>,
    pub(super) owner: Option<&'a Spanned<String>>,
    pub(super) status: Option<&'a Spanned<String>>,
    pub(super) review_by: Option<&'a Spanned<toml::Value>>,
    pub(super) audience: Option<&'a Spanned<AudienceSrc>>,
    pub(super) compliance_signoff: Option<&'a Spanned<String>>,
}

/// Checks owner, status, review date, audience and sign-off. `review`:
/// the review date is required (where to point, and why) unless retired.
pub(super) fn compile_governance(
    cx: &Cx,
    c: &Governance,
    review: Option<(Range<usize>, String, &str)>,
    diags: &mut Vec<Diagnostic>,
) -> Meta {
    let owner = match c.owner {
        Some(o) if !o.get_ref().trim().is_empty() => o.get_ref().trim().to_string(),
        Some(o) => {
            cx.err(
                diags,
                o.span(),
                "the owner is empty".into(),
                "name the person or team who keeps this current",
            );
            String::new()
        }
        None => {
            cx.err(
                diags,
                c.id.span(),
                "missing field `owner`".into(),
                "every piece of content has an owner who keeps it current: add `owner = \"pos-team\"`",
            );
            String::new()
        }
    };
    let status = match c.status {
        None => Status::Draft,
        Some(s) => Status::parse(s.get_ref()).unwrap_or_else(|| {
            cx.err(
                diags,
                s.span(),
                format!("unknown status `{}`", s.get_ref()),
                "use one of: draft, in_review, approved, retired",
            );
            Status::Draft
        }),
    };
    let review_by = c.review_by.and_then(|v| {
        let date = match v.get_ref() {
            toml::Value::String(s) => Date::parse(s.trim()),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
                d.date.and_then(|d| Date::parse(&d.to_string()))
            }
            _ => None,
        };
        if date.is_none() {
            cx.err(
                diags,
                v.span(),
                format!("`review_by` is not a date: {}", v.get_ref()),
                "write a calendar date as YYYY-MM-DD, like 2027-03-01",
            );
        }
        date
    });
    if let Some((span, why, hint)) = review {
        if c.review_by.is_none() && status != Status::Retired {
            cx.err(diags, span, why, hint);
        }
    }
    let audience = c.audience.map(|a| a.get_ref());
    let regulated = audience.is_some_and(|a| a.regulated);
    let signoff = c
        .compliance_signoff
        .map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty());
    if regulated && signoff.is_none() && status != Status::Retired {
        let span = c.audience.map_or(c.id.span(), |a| a.span());
        cx.err(
            diags,
            span,
            "regulated content needs `compliance_signoff`".into(),
            "add `compliance_signoff = \"Name, YYYY-MM-DD\"` once compliance has approved it",
        );
    }
    Meta {
        owner,
        status,
        review_by,
        audience: audience.map_or_else(Audience::default, |a| Audience {
            roles: a.roles.clone(),
            regions: a.regions.clone(),
            locales: a.locales.clone(),
            regulated: a.regulated,
        }),
        compliance_signoff: signoff,
        product_version: None,
        change_note: None,
        related: Vec::new(),
    }
}

/// One of the five moments, or a diagnostic at `span`.
pub(super) fn parse_moment(
    file: &str,
    text: &str,
    value: &str,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Moment> {
    let moment = Moment::parse(value);
    if moment.is_none() {
        diags.push(Diagnostic::at(
            file,
            text,
            span,
            format!("unknown moment `{value}`"),
            Some("use one of: new, more, apply, change, solve".into()),
        ));
    }
    moment
}

pub(super) fn check_id(file: &str, text: &str, id: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
    let v = id.get_ref();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        diags.push(Diagnostic::at(
            file,
            text,
            id.span(),
            format!("id `{v}` is not a valid id"),
            Some("use 1 to 64 lowercase letters, digits, `-` or `_`, like \"create-deal\"".into()),
        ));
    }
}
