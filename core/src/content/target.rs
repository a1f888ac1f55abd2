//! How an author names an element: CSS, `aria/Name[role=...]`, `text/...`,
//! `pierce/...` and frame / shadow-root paths (`#frame >>> button`).

use super::*;

/// One way of finding a step's element, in the style of the Chrome DevTools
/// Recorder's selector list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A CSS selector (`[data-testid=new-deal]`, `form .btn-primary`).
    Css(String),
    /// ARIA role (optional) plus accessible name: `aria/New deal[role="button"]`.
    Aria { name: String, role: Option<String> },
    /// Exact visible text, whitespace-normalised: `text/New deal`.
    Text(String),
    /// CSS searched also inside shadow roots (open or closed) and
    /// same-origin frames: `pierce/button.save`.
    Pierce(String),
    /// An explicit frame and shadow-root path: `#pay-frame >>> button.pay`.
    /// Each hop selects an element in the current scope; the search goes on
    /// in its document if it is a (same-origin) frame, else in its open or
    /// closed shadow root. `css` is looked for in the last scope.
    Path { hops: Vec<String>, css: String },
}

impl Target {
    /// Parses the author-facing form. Prefixes follow the DevTools Recorder:
    /// `aria/`, `text/`; anything else is CSS. Returns what was wrong on error.
    pub fn parse(s: &str) -> Result<Target, TargetError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(TargetError::Empty);
        }
        if let Some(rest) = s.strip_prefix("aria/") {
            let (name, role) = match rest.rfind("[role=") {
                Some(at) if rest.ends_with(']') => {
                    let role = rest[at + 6..rest.len() - 1].trim_matches(|c| c == '"' || c == '\'');
                    if role.is_empty() || !role.chars().all(|c| c.is_ascii_alphabetic()) {
                        return Err(TargetError::BadRole(role.to_string()));
                    }
                    (&rest[..at], Some(role.to_string()))
                }
                _ => (rest, None),
            };
            let name = normalise_space(name);
            if name.is_empty() {
                return Err(TargetError::NoName);
            }
            return Ok(Target::Aria { name, role });
        }
        if let Some(rest) = s.strip_prefix("text/") {
            let text = normalise_space(rest);
            if text.is_empty() {
                return Err(TargetError::NoText);
            }
            return Ok(Target::Text(text));
        }
        if let Some(rest) = s.strip_prefix("pierce/") {
            let css = rest.trim();
            if css.is_empty() {
                return Err(TargetError::NoPierceCss);
            }
            return Ok(Target::Pierce(css.to_string()));
        }
        if let Some(rest) = s.strip_prefix("css/") {
            return Ok(Target::Css(rest.trim().to_string()));
        }
        if s.contains(">>>") {
            let mut parts: Vec<String> = s.split(">>>").map(|p| p.trim().to_string()).collect();
            if parts.iter().any(String::is_empty) {
                return Err(TargetError::EmptyHop);
            }
            let css = parts.pop().unwrap_or_default();
            return Ok(Target::Path { hops: parts, css });
        }
        Ok(Target::Css(s.to_string()))
    }
}

/// The author-facing form again: what `parse` reads back as the same
/// target (a CSS selector that would read as another kind gets `css/`).
impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Css(c) => {
                let odd = ["aria/", "text/", "pierce/", "css/"]
                    .iter()
                    .any(|p| c.starts_with(p))
                    || c.contains(">>>");
                if odd {
                    write!(f, "css/{c}")
                } else {
                    f.write_str(c)
                }
            }
            Target::Aria { name, role: None } => write!(f, "aria/{name}"),
            Target::Aria {
                name,
                role: Some(r),
            } => write!(f, "aria/{name}[role=\"{r}\"]"),
            Target::Text(t) => write!(f, "text/{t}"),
            Target::Pierce(c) => write!(f, "pierce/{c}"),
            Target::Path { hops, css } => {
                for h in hops {
                    write!(f, "{h} >>> ")?;
                }
                f.write_str(css)
            }
        }
    }
}

/// What is wrong with an authored target; the message says how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetError {
    Empty,
    BadRole(String),
    NoName,
    NoText,
    NoPierceCss,
    EmptyHop,
}

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetError::Empty => f.write_str("the selector is empty"),
            TargetError::BadRole(role) => write!(f, "`{role}` is not an ARIA role name"),
            TargetError::NoName => f.write_str("`aria/` needs an accessible name after the slash"),
            TargetError::NoText => f.write_str("`text/` needs the visible text after the slash"),
            TargetError::NoPierceCss => {
                f.write_str("`pierce/` needs a CSS selector after the slash")
            }
            TargetError::EmptyHop => {
                f.write_str("`>>>` needs a selector on both sides: `#frame >>> button.pay`")
            }
        }
    }
}

impl std::error::Error for TargetError {}

/// Collapses runs of whitespace to one space and trims, as browsers do when
/// computing accessible names from text.
pub fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
