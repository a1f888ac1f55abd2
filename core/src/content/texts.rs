//! Translations: the strings each locale carries, and the fallback chains
//! that fill a missing string from another locale.

use super::*;

/// The content's languages: `source` is what the files are written in;
/// every other locale either falls back to another or must be complete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locales {
    pub source: String,
    /// Translated locales, each with the locale its missing strings come
    /// from (`None`: it must be complete).
    pub translated: BTreeMap<String, Option<String>>,
}

impl Locales {
    /// The locales to look strings up in for a user whose browser language
    /// is `wanted` (`fr-CA`), best first, ending with the source locale.
    /// An exact match wins, then the same language (`fr` for `fr-CA`).
    pub fn chain(&self, wanted: &str) -> Vec<&str> {
        let wanted = wanted.trim();
        let lang = wanted.split(['-', '_']).next().unwrap_or("");
        let start = self
            .translated
            .keys()
            .find(|l| l.eq_ignore_ascii_case(wanted))
            .or_else(|| {
                self.translated.keys().find(|l| {
                    l.split('-')
                        .next()
                        .is_some_and(|p| p.eq_ignore_ascii_case(lang))
                })
            });
        let mut out: Vec<&str> = Vec::new();
        let mut at = start.map(String::as_str);
        while let Some(l) = at {
            if out.contains(&l) || l == self.source {
                break;
            }
            out.push(l);
            at = self.translated.get(l).and_then(|f| f.as_deref());
        }
        out.push(&self.source);
        out
    }
}

/// Is `locale` (`ar`, `he-IL`, `fa_IR`) written right to left?
pub fn is_rtl(locale: &str) -> bool {
    const RTL: &[&str] = &[
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "ug", "ur", "yi",
    ];
    let lang = locale.trim().split(['-', '_']).next().unwrap_or("");
    RTL.iter().any(|l| l.eq_ignore_ascii_case(lang))
}

/// Translated strings for one locale. Anything left out comes from the
/// locale's fallback chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    pub title: Option<String>,
    pub body: Option<RichText>,
    pub change_note: Option<String>,
    /// By step id.
    pub steps: BTreeMap<String, StepTexts>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTexts {
    pub title: Option<String>,
    pub body: Option<RichText>,
}
