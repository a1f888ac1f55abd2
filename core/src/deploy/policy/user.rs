//! Policy `user`: given fields, fields read from the host page
//! (`CSS selector@attribute`), or the browser profile's email.

use super::*;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserPolicy {
    pub id: Option<String>,
    pub roles: Option<Vec<String>>,
    pub region: Option<String>,
    pub locale: Option<String>,
    /// Read from the host page where not given.
    pub from_page: Option<FromPage>,
    /// The browser profile's email as the id where not given
    /// (`chrome.identity.getProfileUserInfo`).
    pub from_profile: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FromPage {
    pub id: Option<PageField>,
    pub roles: Option<PageField>,
    pub region: Option<PageField>,
    pub locale: Option<PageField>,
}

impl FromPage {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.roles.is_none() && self.region.is_none() && self.locale.is_none()
    }
}

/// `CSS selector@attribute`: the attribute of the first matching element;
/// without `@attribute`, its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PageField {
    pub selector: String,
    pub attribute: Option<String>,
}

impl std::fmt::Display for PageField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.attribute {
            Some(a) => write!(f, "{}@{a}", self.selector),
            None => f.write_str(&self.selector),
        }
    }
}

impl PageField {
    /// `selector@attribute`; the last `@` followed by an attribute name
    /// splits them (an `@` inside a quoted attribute value does not).
    pub fn parse(text: &str) -> Result<PageField, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty; write `CSS selector@attribute`".into());
        }
        if text.len() > 500 {
            return Err("is longer than 500 characters".into());
        }
        let (selector, attribute) = match text.rfind('@') {
            Some(i)
                if is_attribute_name(text[i + 1..].trim())
                    && !text[i + 1..].contains([']', '"', '\'']) =>
            {
                (text[..i].trim(), Some(text[i + 1..].trim().to_string()))
            }
            _ => (text, None),
        };
        if selector.is_empty() {
            return Err(format!("`{text}` has no CSS selector before the `@`"));
        }
        Ok(PageField {
            selector: selector.to_string(),
            attribute,
        })
    }
}

pub(super) fn is_attribute_name(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
}

pub(super) fn user(c: &mut Checker, v: &Json) -> UserPolicy {
    let mut u = UserPolicy::default();
    let Some(m) = c.object(
        "user",
        v,
        &[
            "id",
            "roles",
            "region",
            "locale",
            "from_page",
            "from_profile",
        ],
    ) else {
        return u;
    };
    if let Some(x) = m.get("id") {
        u.id = c.string("user.id", x);
    }
    if let Some(x) = m.get("roles") {
        u.roles = c.strings("user.roles", x);
    }
    if let Some(x) = m.get("region") {
        u.region = c.string("user.region", x);
    }
    if let Some(x) = m.get("locale") {
        u.locale = c.string("user.locale", x);
    }
    if let Some(x) = m.get("from_page") {
        if let Some(fp) = c.object("user.from_page", x, &["id", "roles", "region", "locale"]) {
            let mut field = |name: &str| {
                let key = format!("user.from_page.{name}");
                let text = c.string(&key, fp.get(name)?)?;
                PageField::parse(&text).map_err(|e| c.bad(&key, e)).ok()
            };
            let page = FromPage {
                id: field("id"),
                roles: field("roles"),
                region: field("region"),
                locale: field("locale"),
            };
            if !page.is_empty() {
                u.from_page = Some(page);
            }
        }
    }
    if let Some(x) = m.get("from_profile") {
        u.from_profile = c.boolean("user.from_profile", x).unwrap_or(false);
    }
    u
}
