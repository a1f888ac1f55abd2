//! One error type for building and reading the index, with messages that
//! say what to do.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchError {
    NotAnIndex,
    UnsupportedVersion(u16),
    Corrupt(String),
    Build(String),
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::NotAnIndex => write!(f, "search index is missing or not a Waymark index; rebuild the bundle"),
            SearchError::UnsupportedVersion(v) => write!(
                f,
                "search index format {v} is not supported (this reader knows {FORMAT_VERSION}); rebuild the bundle or update the extension"
            ),
            SearchError::Corrupt(why) => write!(f, "search index is corrupt ({why}); rebuild the bundle"),
            SearchError::Build(why) => write!(f, "cannot build the search index: {why}"),
        }
    }
}

impl std::error::Error for SearchError {}

/// What is indexed about one piece of content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchDoc {
    pub id: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub synonyms: Vec<String>,
    /// `walkthrough`, `article`, ...: shown as a badge, not searched.
    pub kind: String,
    pub moment: Option<String>,
    /// Facet name -> values, e.g. `role` -> [`cashier`, `manager`].
    pub facets: BTreeMap<String, Vec<String>>,
    pub applies_to: Vec<String>,
}
