//! What the agent executes to find an element: [`Query`], compiled from an
//! authored [`Target`] (CSS, `pierce/`, a frame and shadow-root path,
//! `aria/` role and name, `text/`). It owns that compilation and the JSON
//! the agent reads (extension/src/agent/dom.js); it must not decide which
//! element is meant (that is `pick`).

use serde::{Deserialize, Serialize};

use super::aria;
use crate::content::Target;

/// How the agent finds an element: elements matching `css`, then, if given,
/// whose whitespace-normalised accessible `name` or visible `text` equals it.
/// A `deep` query also searches shadow roots (open or closed) and
/// same-origin frames, as the DevTools Recorder's `aria/`, `text/` and
/// `pierce/` selectors do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub css: String,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub deep: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// Lower-cased text the element's visible text must contain (a
    /// trigger's `text`: "Declined" in "Card declined (code 51)").
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contains: Option<String>,
    /// Frame / shadow-root hops to take before looking for `css`
    /// (`Target::Path`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub path: Vec<String>,
}

impl Query {
    /// Turns an authored target into what the agent executes.
    pub fn from_target(t: &Target) -> Query {
        match t {
            Target::Css(css) => Query {
                css: css.clone(),
                deep: false,
                name: None,
                text: None,
                contains: None,
                path: Vec::new(),
            },
            Target::Pierce(css) => Query {
                css: css.clone(),
                deep: true,
                name: None,
                text: None,
                contains: None,
                path: Vec::new(),
            },
            Target::Path { hops, css } => Query {
                css: css.clone(),
                deep: false,
                name: None,
                text: None,
                contains: None,
                path: hops.clone(),
            },
            Target::Aria { name, role } => Query {
                css: role
                    .as_deref()
                    .map_or_else(aria::nameable_selector, aria::role_selector),
                deep: true,
                name: Some(name.clone()),
                text: None,
                contains: None,
                path: Vec::new(),
            },
            Target::Text(text) => Query {
                css: "*".into(),
                deep: true,
                name: None,
                text: Some(text.clone()),
                contains: None,
                path: Vec::new(),
            },
        }
    }
}
