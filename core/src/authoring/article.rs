//! An article file: Markdown with `+++` TOML front matter.

use super::*;

/// An article: `+++` TOML front matter, then Markdown.
pub(super) fn compile_article(cx: &Cx, diags: &mut Vec<Diagnostic>) -> Option<Article> {
    let (file, text) = (cx.file, cx.text);
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        diags.push(Diagnostic::at(
            file,
            text,
            0..3,
            "an article starts with `+++` front matter",
            Some("begin the file with a `+++` line, the TOML fields (id, title, moment, owner), and another `+++` line".into()),
        ));
        return None;
    };
    let fm_start = text.len() - rest.len();
    let Some(end) = rest.find("\n+++") else {
        diags.push(Diagnostic::at(
            file,
            text,
            0..3,
            "the front matter is not closed",
            Some("add a `+++` line after the fields".into()),
        ));
        return None;
    };
    let body_start = fm_start + end + 4;
    let body_start = text[body_start..]
        .find('\n')
        .map_or(text.len(), |i| body_start + i + 1);
    // Parse the front matter in place, with the opening `+++` blanked out, so
    // TOML spans are offsets into the whole file.
    let front = format!("   {}", &text[3..fm_start + end + 1]);
    let src: ArticleSrc = match toml::from_str(&front) {
        Ok(s) => s,
        Err(e) => {
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(
                file,
                text,
                e.span().unwrap_or(0..0),
                message,
                hint,
            ));
            return None;
        }
    };
    let common = src.common();
    let (moment, meta) = compile_common(cx, &common, diags);
    let trigger = match src
        .trigger
        .as_ref()
        .map(|t| (t, compile_trigger(cx, t, diags)))
    {
        Some((t, Trigger::AutoFirstVisit)) => {
            cx.err(
                diags,
                t.span(),
                "an article cannot start by itself".into(),
                "use `auto_first_visit` on a walkthrough; an article can be offered `on_element` or `on_error`",
            );
            Trigger::Manual
        }
        Some((_, t)) => t,
        None => Trigger::Manual,
    };
    let body = match compile_markdown_with(&text[body_start..], &cx.config.media_hosts) {
        Ok(b) => b,
        Err(e) => {
            let at = body_start + e.offset;
            diags.push(Diagnostic::at(
                file,
                text,
                at..at + 1,
                e.message,
                Some(e.hint),
            ));
            RichText::default()
        }
    };
    let mut translations = BTreeMap::new();
    for (locale, t) in &src.translations {
        let texts = compile_texts(cx, locale, t, None, diags);
        translations.insert(locale.clone(), texts);
    }
    let article = Article {
        id: src.id.get_ref().clone(),
        title: src.title.get_ref().trim().to_string(),
        moment,
        tags: src.tags,
        synonyms: src.synonyms,
        applies_to: trimmed(&src.applies_to),
        version: version_of(text),
        body,
        meta,
        translations,
        trigger,
    };
    check_complete(
        cx,
        &src.translations,
        &Needs::article(&article),
        &article.translations,
        diags,
    );
    Some(article)
}
