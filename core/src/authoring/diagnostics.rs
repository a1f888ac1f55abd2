//! Author-facing error messages: `file:line:col`, what is wrong, the offending
//! line with a caret underline, and how to fix it (rustc/codespan style).

use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The source line and the underline's (start, len) in characters.
    snippet: Option<Box<(String, usize, usize)>>,
}

impl Diagnostic {
    /// A diagnostic pointing at `span` (byte offsets) of `src`.
    pub fn at(
        file: &str,
        src: &str,
        span: Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let start = floor_char(src, span.start.min(src.len()));
        let end = floor_char(src, span.end.min(src.len())).max(start);
        let line_start = src[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line_end = src[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(src.len());
        let line = src[..start].matches('\n').count() + 1;
        let col = src[line_start..start].chars().count() + 1;
        let text = src[line_start..line_end].trim_end_matches('\r').to_string();
        let len = src[start..end.min(line_end)].chars().count().max(1);
        Diagnostic {
            file: file.to_string(),
            line,
            col,
            message: message.into(),
            hint,
            snippet: Some(Box::new((text, col - 1, len))),
        }
    }

    /// A diagnostic about a whole file (unreadable, not UTF-8).
    pub fn file(file: &str, message: impl Into<String>, hint: Option<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 1,
            col: 1,
            message: message.into(),
            hint,
            snippet: None,
        }
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.col, self.message
        )?;
        if let Some(snippet) = &self.snippet {
            let (text, start, len) = snippet.as_ref();
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {text}")?;
            writeln!(f, "{pad} | {}{}", " ".repeat(*start), "^".repeat(*len))?;
        }
        if let Some(h) = &self.hint {
            writeln!(f, "  = help: {h}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column() {
        let src = "id = \"x\"\ntitle = \"Ünïcode\"\nmoment = \"sometimes\"\n";
        let at = src.find("\"sometimes\"").unwrap();
        let d = Diagnostic::at(
            "a.toml",
            src,
            at..at + 11,
            "unknown moment",
            Some("use apply".into()),
        );
        assert_eq!((d.line, d.col), (3, 10));
        let text = d.to_string();
        assert_eq!(
            text,
            "a.toml:3:10: error: unknown moment\n  |\n3 | moment = \"sometimes\"\n  |          ^^^^^^^^^^^\n  = help: use apply\n"
        );
        let at = src.find("code").unwrap();
        let d = Diagnostic::at("a.toml", src, at..at + 1, "m", None);
        assert_eq!((d.line, d.col), (2, 13));
    }

    #[test]
    fn survives_spans_out_of_range() {
        let d = Diagnostic::at("a", "abc", 10..20, "m", None);
        assert_eq!((d.line, d.col), (1, 4));
    }
}
