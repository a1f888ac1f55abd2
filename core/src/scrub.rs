//! What Waymark remembers about what people typed: search text scrubbed of
//! personal data and secrets before it is recorded.
//!
//! Owns [`scrub_query`]. A zero-result query is worth recording (authors
//! learn what is missing), but people paste emails, card and phone numbers,
//! order ids and tokens into search boxes; none of that may reach the
//! record queue or, later, an LRS. Applied by the engine before a
//! `Record::SearchZero` leaves it. Must not keep anything it could not
//! classify as safe beyond [`MAX_QUERY`] characters.

/// Longest query kept (characters); the rest is cut.
pub const MAX_QUERY: usize = 100;

/// `query` with emails, long digit runs and token-like words replaced by
/// `[email]`, `[number]` and `[token]`, whitespace collapsed, cut to
/// [`MAX_QUERY`] characters.
pub fn scrub_query(query: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for word in query.split_whitespace() {
        out.push(scrub_word(word).to_string());
    }
    // Digit groups split by spaces ("4111 1111 1111 1111", "555 123 4567")
    // are one number: merge neighbouring digit-only words first.
    let mut merged: Vec<String> = Vec::new();
    let mut run = 0usize;
    for w in out {
        let digits = w.chars().filter(char::is_ascii_digit).count();
        let numeric = digits > 0 && w.chars().all(|c| c.is_ascii_digit() || "-+().".contains(c));
        if numeric {
            run += digits;
            if run >= 6 {
                while merged.last().is_some_and(|m| is_numeric(m)) {
                    merged.pop();
                }
                if merged.last().map(String::as_str) != Some("[number]") {
                    merged.push("[number]".into());
                }
                continue;
            }
        } else {
            run = 0;
        }
        merged.push(w);
    }
    let joined = merged.join(" ");
    joined.chars().take(MAX_QUERY).collect()
}

fn is_numeric(w: &str) -> bool {
    w.chars().any(|c| c.is_ascii_digit())
        && w.chars().all(|c| c.is_ascii_digit() || "-+().".contains(c))
}

fn scrub_word(word: &str) -> &str {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let digits = word.chars().filter(char::is_ascii_digit).count();
    if let Some((user, host)) = word.split_once('@') {
        if !user.is_empty() && host.contains('.') {
            return "[email]";
        }
    }
    // Secrets and ids: long words mixing letters and digits, or very long
    // words of token characters (base64, hex, JWTs, URLs with tokens).
    let tokenish = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_+/=.:?&%~".contains(c));
    if (word.chars().count() >= 16 && letters > 0 && digits >= 2)
        || (tokenish && word.chars().count() >= 24)
        || word.contains("://")
    {
        return "[token]";
    }
    if longest_digit_run(word) >= 6 {
        return "[number]";
    }
    word
}

fn longest_digit_run(word: &str) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in word.chars() {
        if c.is_ascii_digit() {
            cur += 1;
            best = best.max(cur);
        } else if c != '-' && c != ' ' {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_questions_are_kept() {
        for q in [
            "refund a partial order",
            "error 404 on save",
            "how do I add a deal",
            "vacation days 2026",
            "remboursement partiel",
            "Rückerstattung",
        ] {
            assert_eq!(scrub_query(q), q);
        }
    }

    #[test]
    fn personal_data_and_secrets_are_replaced() {
        for (q, want) in [
            ("refund for ana.lopez@globex.example", "refund for [email]"),
            (
                "card 4111 1111 1111 1111 declined",
                "card [number] declined",
            ),
            ("card 4111-1111-1111-1111", "card [number]"),
            ("call 555 123 4567", "call [number]"),
            ("order 12345678", "order [number]"),
            (
                "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
                "token [token]",
            ),
            ("reset 9f8e7d6c5b4a39281706f5e4", "reset [token]"),
            ("https://app.example/reset?token=abc", "[token]"),
        ] {
            assert_eq!(scrub_query(q), want, "{q}");
        }
    }

    #[test]
    fn long_queries_are_cut() {
        let q = "word ".repeat(100);
        assert_eq!(scrub_query(&q).chars().count(), MAX_QUERY);
    }
}
