//! The compiled watch list: every element the engine wants to hear about on
//! a page (the current step's target, `appear` rules, and the `on_element` /
//! `on_error` triggers of the content that applies there), bucketed so the
//! agent checks each added or changed node against only the few queries that
//! could match it.
//!
//! ```text
//!   queries ──compile──▶ WatchList { entries, ids, classes, attrs, tags, any }
//!                                 │ (sent to the agent as data)
//!   mutation batch ──▶ for each added/changed element E:
//!        ids[E.id] ∪ classes[E.class…] ∪ attrs[name][value] ∪ tags[E.tag] ∪ any
//!        ──▶ E.matches(css) only for those entries
//! ```
//!
//! A query lands in the bucket of the most selective simple selector of its
//! subject (the rightmost compound of each comma-separated part): an id, then
//! an attribute with an exact value, a class, an attribute name, a tag; with
//! none of those (`*`, `:is(…)`, escapes) it goes to `any`, checked against
//! every changed element. A bucket is a necessary condition, never a
//! sufficient one: the agent still runs `matches`, so a coarse bucket costs
//! time, never correctness. Keys are lower-cased (the agent lower-cases what
//! it looks up), which keeps case-insensitive HTML attribute values and
//! quirks-mode ids and classes inside the bucket.
//!
//! This module owns the selector → bucket rule and nothing else: it does not
//! decide what is watched (the engine does) nor match elements (the agent and
//! `targeting` do).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::query::Query;

/// One watched query and the key reported back when it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub query: Query,
}

/// Attribute bucket: entries needing the attribute with an exact value
/// (lower-cased), and entries needing only its presence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttrBucket {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Vec<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub present: Vec<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchList {
    pub entries: Vec<Entry>,
    /// Indexes into `entries`, by lower-cased id, class, attribute name and
    /// tag; `any`: entries to check against every changed element.
    pub ids: BTreeMap<String, Vec<u32>>,
    pub classes: BTreeMap<String, Vec<u32>>,
    pub attrs: BTreeMap<String, AttrBucket>,
    pub tags: BTreeMap<String, Vec<u32>>,
    pub any: Vec<u32>,
}

/// Where one selector's subject can be looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bucket {
    Id(String),
    AttrValue(String, String),
    Class(String),
    Attr(String),
    Tag(String),
    Any,
}

impl WatchList {
    pub fn compile(entries: Vec<Entry>) -> WatchList {
        let mut list = WatchList::default();
        for (i, e) in entries.iter().enumerate() {
            let i = i as u32;
            let mut buckets = buckets(&e.query.css);
            buckets.dedup();
            for b in buckets {
                let slot = match b {
                    Bucket::Id(v) => list.ids.entry(v).or_default(),
                    Bucket::Class(v) => list.classes.entry(v).or_default(),
                    Bucket::Tag(v) => list.tags.entry(v).or_default(),
                    Bucket::AttrValue(n, v) => list
                        .attrs
                        .entry(n)
                        .or_default()
                        .values
                        .entry(v)
                        .or_default(),
                    Bucket::Attr(n) => &mut list.attrs.entry(n).or_default().present,
                    Bucket::Any => &mut list.any,
                };
                if slot.last() != Some(&i) {
                    slot.push(i);
                }
            }
        }
        list.entries = entries;
        list
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries an element with these (lower-cased) facts can match: what
    /// the agent computes per changed element. For tests and the bench.
    pub fn lookup<'a>(
        &self,
        tag: &str,
        id: Option<&str>,
        classes: impl IntoIterator<Item = &'a str>,
        attrs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<u32> {
        let mut out: Vec<u32> = self.any.clone();
        let mut add = |v: Option<&Vec<u32>>| out.extend(v.into_iter().flatten().copied());
        add(self.tags.get(tag));
        if let Some(id) = id {
            add(self.ids.get(id));
        }
        for c in classes {
            add(self.classes.get(c));
        }
        for (n, v) in attrs {
            if let Some(b) = self.attrs.get(n) {
                add(Some(&b.present));
                add(b.values.get(v));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The bucket of each comma-separated part of `selector`. A part the rule
/// cannot read goes to `Any`.
pub fn buckets(selector: &str) -> Vec<Bucket> {
    split_top(selector, |c| c == ',')
        .into_iter()
        .map(|part| subject(part).map_or(Bucket::Any, best))
        .collect()
}

/// Splits at characters outside brackets, parentheses and quotes.
fn split_top(s: &str, at: impl Fn(char) -> bool) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '\\') => {
                chars.next();
            }
            (None, c) if depth == 0 && at(c) => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The rightmost compound selector (the element the selector matches).
fn subject(complex: &str) -> Option<&str> {
    let parts = split_top(complex.trim(), |c| {
        c.is_whitespace() || matches!(c, '>' | '+' | '~')
    });
    parts
        .into_iter()
        .rev()
        .map(str::trim)
        .find(|p| !p.is_empty())
}

/// Picks the most selective simple selector of a compound.
fn best(compound: &str) -> Bucket {
    // Escapes and namespaces: rare in recorded selectors, and hard to read
    // right; the `any` bucket is always correct.
    if compound.contains('\\') || (compound.contains('|') && !compound.contains('[')) {
        return Bucket::Any;
    }
    let (mut id, mut attr_value, mut class, mut attr, mut tag) = (None, None, None, None, None);
    let b = compound.as_bytes();
    let mut i = 0;
    let ident_end = |from: usize| {
        let mut j = from;
        while j < b.len()
            && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b'_' || b[j] >= 0x80)
        {
            j += 1;
        }
        j
    };
    while i < b.len() {
        match b[i] {
            b'#' => {
                let j = ident_end(i + 1);
                if j > i + 1 {
                    id.get_or_insert_with(|| compound[i + 1..j].to_lowercase());
                }
                i = j.max(i + 1);
            }
            b'.' => {
                let j = ident_end(i + 1);
                if j > i + 1 {
                    class.get_or_insert_with(|| compound[i + 1..j].to_lowercase());
                }
                i = j.max(i + 1);
            }
            b'[' => {
                let inner = split_top(&compound[i + 1..], |c| c == ']')[0];
                let len = inner.len() + 1;
                match attribute(inner) {
                    Some((n, Some(v))) => {
                        attr_value.get_or_insert((n, v));
                    }
                    Some((n, None)) => {
                        attr.get_or_insert(n);
                    }
                    None => {}
                }
                i += len + 1;
            }
            b':' => {
                // A pseudo-class (or element) with its argument: `:not(.x)`
                // is no necessary condition, so arguments are skipped whole.
                let mut j = i + 1;
                if b.get(j) == Some(&b':') {
                    j += 1;
                }
                j = ident_end(j);
                if b.get(j) == Some(&b'(') {
                    let rest = &compound[j + 1..];
                    let inner = split_top(rest, |c| c == ')')
                        .first()
                        .map_or(rest.len(), |s| s.len());
                    j += inner + 2;
                }
                i = j.max(i + 1);
            }
            b'*' => i += 1,
            c if c.is_ascii_alphabetic() || c == b'-' || c == b'_' || c >= 0x80 => {
                let j = ident_end(i);
                if i == 0 {
                    tag = Some(compound[..j].to_lowercase());
                }
                i = j;
            }
            _ => return Bucket::Any,
        }
    }
    if let Some(v) = id {
        Bucket::Id(v)
    } else if let Some((n, v)) = attr_value {
        Bucket::AttrValue(n, v)
    } else if let Some(v) = class {
        Bucket::Class(v)
    } else if let Some(n) = attr {
        Bucket::Attr(n)
    } else if let Some(t) = tag {
        Bucket::Tag(t)
    } else {
        Bucket::Any
    }
}

/// `name`, `name=value`, `name="value"`, `name^=v`… → (name, exact value).
/// Only `=` without the `i`/`s` flag gives a value bucket.
fn attribute(inner: &str) -> Option<(String, Option<String>)> {
    let inner = inner.trim();
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':'))
        .unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let rest = inner[name_end..].trim_start();
    // A namespace (`[xlink|href]`, `[*|x]`): not a plain attribute name.
    if rest.starts_with('|') && !rest.starts_with("|=") {
        return None;
    }
    if rest.is_empty() {
        return Some((name, None));
    }
    let Some(value) = rest.strip_prefix('=') else {
        return Some((name, None)); // ~= |= ^= $= *=
    };
    let value = value.trim();
    let (v, flags) = match value.chars().next() {
        Some(q @ ('"' | '\'')) => match value[1..].find(q) {
            Some(end) => (&value[1..=end], value[end + 2..].trim()),
            None => return Some((name, None)),
        },
        _ => match value.find(char::is_whitespace) {
            Some(end) => (&value[..end], value[end..].trim()),
            None => (value, ""),
        },
    };
    if !flags.is_empty() {
        return Some((name, None));
    }
    Some((name, Some(v.to_lowercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(css: &str) -> Query {
        Query {
            css: css.into(),
            deep: false,
            name: None,
            text: None,
            contains: None,
            path: Vec::new(),
        }
    }

    #[test]
    fn selectors_land_in_their_most_selective_bucket() {
        use Bucket::*;
        let cases: &[(&str, Vec<Bucket>)] = &[
            ("#save", vec![Id("save".into())]),
            ("form .row > button#Save.primary", vec![Id("save".into())]),
            (
                "[data-testid=new-deal]",
                vec![AttrValue("data-testid".into(), "new-deal".into())],
            ),
            (
                "[data-testid=\"a b]c\"]",
                vec![AttrValue("data-testid".into(), "a b]c".into())],
            ),
            ("button[data-qa='x' i]", vec![Attr("data-qa".into())]),
            ("a[href^=http]", vec![Attr("href".into())]),
            (".btn.primary", vec![Class("btn".into())]),
            ("nav a", vec![Tag("a".into())]),
            ("UL > LI:first-child", vec![Tag("li".into())]),
            ("*", vec![Any]),
            ("*:not(*) *", vec![Any]),
            (":is(.a, .b)", vec![Any]),
            ("button:not(.x)", vec![Tag("button".into())]),
            ("#a\\:b", vec![Any]),
            (
                "button,input[type=submit],[role=button]",
                vec![
                    Tag("button".into()),
                    AttrValue("type".into(), "submit".into()),
                    AttrValue("role".into(), "button".into()),
                ],
            ),
            ("div ~ p + span", vec![Tag("span".into())]),
            ("a:has(> img)", vec![Tag("a".into())]),
            ("use[xlink|href]", vec![Tag("use".into())]),
            ("[lang|=en]", vec![Attr("lang".into())]),
        ];
        for (css, want) in cases {
            assert_eq!(&buckets(css), want, "{css}");
        }
    }

    #[test]
    fn compile_and_lookup() {
        let list = WatchList::compile(vec![
            Entry {
                key: "a".into(),
                query: q("[data-testid=charge]"),
            },
            Entry {
                key: "b".into(),
                query: q("#total"),
            },
            Entry {
                key: "c".into(),
                query: q("*"),
            },
            Entry {
                key: "d".into(),
                query: q(".alert"),
            },
        ]);
        assert_eq!(list.any, vec![2]);
        assert_eq!(
            list.lookup("button", None, [], [("data-testid", "charge")]),
            vec![0, 2]
        );
        assert_eq!(
            list.lookup("div", Some("total"), ["alert"], []),
            vec![1, 2, 3]
        );
        assert_eq!(list.lookup("div", None, [], []), vec![2]);
    }
}
