//! Snippets: the part of a document's text around the matched words, with
//! the words marked (the panel renders them as `<mark>` nodes).

/// Text around the first matched word, cut at word boundaries, as parts
/// marked `true` where a word is one of `matched` (or starts with one, for a
/// prefix being typed). Without a match: the start of the text.
pub fn snippet(text: &str, matched: &[String], max_chars: usize) -> Vec<(String, bool)> {
    let is_hit = |w: &str| {
        let w = w.to_lowercase();
        matched.iter().any(|m| {
            !m.is_empty() && (w == *m || (m.chars().count() >= 3 && w.starts_with(m.as_str())))
        })
    };
    // Word spans (byte ranges) in order.
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    let first = words
        .iter()
        .position(|r| is_hit(&text[r.clone()]))
        .unwrap_or(0);
    // Start a few words before the first hit.
    let from = words
        .get(first.saturating_sub(4))
        .map_or(0, |r| if first < 4 { 0 } else { r.start });
    let mut end = text.len();
    let mut count = 0;
    for (i, c) in text[from..].char_indices() {
        count += 1;
        if count > max_chars {
            end = from + text[from..from + i].rfind(char::is_whitespace).unwrap_or(i);
            break;
        }
        let _ = c;
    }
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut at = from;
    let push = |s: &str, hit: bool, parts: &mut Vec<(String, bool)>| {
        if s.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some((t, h)) if *h == hit => t.push_str(s),
            _ => parts.push((s.to_string(), hit)),
        }
    };
    if from > 0 {
        push("…", false, &mut parts);
    }
    for r in words.iter().filter(|r| r.start >= from && r.end <= end) {
        push(&text[at..r.start], false, &mut parts);
        push(&text[r.clone()], is_hit(&text[r.clone()]), &mut parts);
        at = r.end;
    }
    push(&text[at.min(end)..end], false, &mut parts);
    if end < text.len() {
        push("…", false, &mut parts);
    }
    parts
}
