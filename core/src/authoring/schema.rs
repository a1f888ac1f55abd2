//! The authored file format as Rust types (the `*Src` structs serde reads
//! with spans), and the JSON Schemas editors use, generated from them.

use super::*;

/// `waymark.toml`: settings for a content folder. Every field is optional.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigSrc {
    /// Days between reviews of a piece of content (default 90). Content past
    /// its `review_by` is listed by `waymark stale`; content more than one
    /// further cycle overdue shows an "under review" badge to employees.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(super) review_cycle_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) locales: Option<LocalesSrc>,
    #[serde(default)]
    pub(super) media: Option<MediaSrc>,
    #[serde(default)]
    pub(super) bundle: Option<BundleSrc>,
}

/// The languages content is written and translated in.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LocalesSrc {
    /// The locale the content files are written in (default "en").
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) source: Option<Spanned<String>>,
    /// Locales the content is translated into, like ["fr", "fr-CA"].
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) translations: Vec<Spanned<String>>,
    /// Where a locale's missing strings come from: `fr-CA = "fr"`. A
    /// translated locale with no fallback must translate every string.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(super) fallback: BTreeMap<String, Spanned<String>>,
}

/// Where images and video in content may come from.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct MediaSrc {
    /// Hosts, like "media.acme.example" or "*.cdn.acme.example". Only
    /// https: URLs on these hosts are accepted.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) allow: Vec<Spanned<String>>,
}

/// What the signed manifest says about where and how long a bundle is good.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BundleSrc {
    /// Origins the bundle may act on, as patterns: "https://crm.acme.example",
    /// "https://*.acme.example", "http://127.0.0.1:*".
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) scope: Vec<Spanned<String>>,
    /// Days after building that the extension stops trusting the bundle
    /// (default 90). Rebuild and ship before then.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(super) expires_after_days: Option<Spanned<i64>>,
}

/// `synonyms.toml`: words that mean the same to your users.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SynonymsSrc {
    /// Groups of words or phrases searched as one: [["refund", "return", "money back"]].
    pub(super) groups: Vec<Vec<String>>,
}

/// Schema-only shapes for fields read as raw TOML values (so that a wrong
/// type gets our message, not serde's).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(untagged)]
pub(super) enum TriggerSchema {
    /// "manual" (from the help panel) or "auto_first_visit".
    Name(TriggerName),
    /// Start when an element appears: { type = "on_error", target = ["[role=alert]"], text = "declined" }.
    Rule {
        #[serde(rename = "type")]
        kind: TriggerRuleKind,
        target: Vec<String>,
        text: Option<String>,
    },
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum TriggerName {
    Manual,
    AutoFirstVisit,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum TriggerRuleKind {
    OnElement,
    OnError,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum MomentSchema {
    New,
    More,
    Apply,
    Change,
    Solve,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum StatusSchema {
    Draft,
    InReview,
    Approved,
    Retired,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum AdvanceSchema {
    Click,
    Next,
    Input,
    Change,
    Appear,
    Disappear,
    Url,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum PlacementSchema {
    Auto,
    Top,
    Bottom,
    Left,
    Right,
}

/// A date, "YYYY-MM-DD" (a TOML date like 2027-03-01 works too).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(extend("format" = "date"))]
pub(super) struct DateSchema(String);

/// Who the content is for. Empty lists mean everyone.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct AudienceSrc {
    /// Roles, as in policy: ["cashier", "store-manager"].
    #[serde(default)]
    pub(super) roles: Vec<String>,
    /// Regions: ["emea", "us"].
    #[serde(default)]
    pub(super) regions: Vec<String>,
    /// Locales: ["en", "fr-CA"].
    #[serde(default)]
    pub(super) locales: Vec<String>,
    /// Regulated content (finance, health, safety) needs `compliance_signoff`.
    #[serde(default)]
    pub(super) regulated: bool,
}

/// Translated strings for one locale; anything left out comes from the
/// locale's fallback.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TextsSrc {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) title: Option<Spanned<String>>,
    /// Articles only: the translated Markdown body.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) body: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) change_note: Option<String>,
    /// Walkthroughs only: by step id.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, StepTextsSchema>")]
    pub(super) steps: BTreeMap<String, Spanned<StepTextsSrc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepTextsSrc {
    #[serde(default)]
    pub(super) title: Option<String>,
    #[serde(default)]
    pub(super) body: Option<Spanned<String>>,
}

/// A step's translated title and body.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StepTextsSchema {
    pub(super) title: Option<String>,
    /// Markdown.
    pub(super) body: Option<String>,
}

/// Declares a content source type with the metadata every walkthrough and
/// article carries, plus its own fields. (serde's `flatten` cannot be
/// combined with `deny_unknown_fields`, and a typo must stay an error.)
macro_rules! content_src {
    ($(#[$attr:meta])* struct $name:ident { $($body:tt)* }) => {
        $(#[$attr])*
        #[derive(Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Unique across the content folder: 1 to 64 lowercase letters,
            /// digits, `-` or `_`.
            #[schemars(with = "String")]
            pub(super) id: Spanned<String>,
            /// Task-first: "Refund a partial order".
            #[schemars(with = "String")]
            pub(super) title: Spanned<String>,
            /// One of the Five Moments of Need.
            #[schemars(with = "MomentSchema")]
            pub(super) moment: Spanned<String>,
            /// Who keeps this current: a person or team. Required.
            #[serde(default)]
            #[schemars(with = "String")]
            pub(super) owner: Option<Spanned<String>>,
            /// draft and in_review ship to staging only; retired never ships.
            /// Default: draft.
            #[serde(default)]
            #[schemars(with = "Option<StatusSchema>")]
            pub(super) status: Option<Spanned<String>>,
            /// When this must next be reviewed. Required for apply and solve content.
            #[serde(default)]
            #[schemars(with = "Option<DateSchema>")]
            pub(super) review_by: Option<Spanned<toml::Value>>,
            #[serde(default)]
            #[schemars(with = "Option<AudienceSrc>")]
            pub(super) audience: Option<Spanned<AudienceSrc>>,
            /// Required when the audience is regulated: who signed off, and when.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub(super) compliance_signoff: Option<Spanned<String>>,
            /// The host app's version this is written for: "2026.3".
            #[serde(default)]
            pub(super) product_version: Option<String>,
            /// What changed in this version, shown once to users of the screen.
            #[serde(default)]
            pub(super) change_note: Option<String>,
            /// URL patterns where it is offered: "/crm/deals*". Empty: everywhere.
            #[serde(default)]
            #[schemars(with = "Vec<String>")]
            pub(super) applies_to: Vec<Spanned<String>>,
            #[serde(default)]
            pub(super) tags: Vec<String>,
            /// Words users search with that the text does not contain.
            #[serde(default)]
            pub(super) synonyms: Vec<String>,
            /// Translated strings, by locale: [translations.fr].
            #[serde(default)]
            #[schemars(with = "BTreeMap<String, TextsSrc>")]
            pub(super) translations: BTreeMap<String, Spanned<TextsSrc>>,
            /// What to offer next, in order (walkthrough or article ids):
            /// the completion card lists these before any search match.
            #[serde(default)]
            #[schemars(with = "Vec<String>")]
            pub(super) related: Vec<Spanned<String>>,
            $($body)*
        }

        impl $name {
            pub(super) fn common(&self) -> Common<'_> {
                Common {
                    id: &self.id,
                    title: &self.title,
                    moment: &self.moment,
                    owner: self.owner.as_ref(),
                    status: self.status.as_ref(),
                    review_by: self.review_by.as_ref(),
                    audience: self.audience.as_ref(),
                    compliance_signoff: self.compliance_signoff.as_ref(),
                    product_version: self.product_version.as_ref(),
                    change_note: self.change_note.as_ref(),
                    applies_to: &self.applies_to,
                    related: &self.related,
                }
            }
        }
    };
}

content_src! {
    /// A walkthrough file: metadata, then [[steps]].
    struct WalkthroughSrc {
        /// What starts it: "manual" (default), "auto_first_visit", or a rule.
        #[serde(default)]
        #[schemars(with = "Option<TriggerSchema>")]
        pub(super) trigger: Option<Spanned<toml::Value>>,
        /// The steps, in order.
        #[schemars(with = "Vec<StepSrc>")]
        pub(super) steps: Spanned<Vec<StepSrc>>,
        /// A comprehension check at the end.
        #[serde(default)]
        pub(super) check: Option<CheckSrc>,
    }
}

content_src! {
    /// An article's `+++` front matter; the Markdown body follows it.
    struct ArticleSrc {
        /// Offer the article when an element is on screen (Solve):
        /// { type = "on_error", target = ["[role=alert]"], text = "declined" }.
        /// Default: from the help panel only.
        #[serde(default)]
        #[schemars(with = "Option<TriggerSchema>")]
        pub(super) trigger: Option<Spanned<toml::Value>>,
    }
}

/// `*.checklist.toml`: an onboarding checklist, shown at the top of the
/// help panel to its audience with each user's progress.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistSrc {
    #[schemars(with = "String")]
    pub(super) id: Spanned<String>,
    /// "Your first week in sales".
    #[schemars(with = "String")]
    pub(super) title: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "String")]
    pub(super) owner: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<StatusSchema>")]
    pub(super) status: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<DateSchema>")]
    pub(super) review_by: Option<Spanned<toml::Value>>,
    /// Who it is for: usually a role, `{ roles = ["sales-rep"] }`.
    #[serde(default)]
    #[schemars(with = "Option<AudienceSrc>")]
    pub(super) audience: Option<Spanned<AudienceSrc>>,
    /// Walkthrough and article ids, in the order to work through them. A
    /// walkthrough is ticked when the user completes it, an article when
    /// they open it.
    #[schemars(with = "Vec<String>")]
    pub(super) items: Spanned<Vec<Spanned<String>>>,
}

/// `*.tips.toml`: smart tips and beacons for one screen.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TipsSrc {
    #[schemars(with = "String")]
    pub(super) id: Spanned<String>,
    /// What the tips are about: "New deal form".
    #[schemars(with = "String")]
    pub(super) title: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "String")]
    pub(super) owner: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<StatusSchema>")]
    pub(super) status: Option<Spanned<String>>,
    /// Required: tips sit on the app's own fields, which change.
    #[serde(default)]
    #[schemars(with = "Option<DateSchema>")]
    pub(super) review_by: Option<Spanned<toml::Value>>,
    #[serde(default)]
    #[schemars(with = "Option<AudienceSrc>")]
    pub(super) audience: Option<Spanned<AudienceSrc>>,
    /// URL patterns of the screen: "/crm/deals/new*". Required.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) applies_to: Vec<Spanned<String>>,
    #[schemars(with = "Vec<TipSrc>")]
    pub(super) tips: Spanned<Vec<TipSrc>>,
}

/// One smart tip (a marker beside a field; its card shows on focus and
/// hover) or beacon (a pulsing dot; its card opens on click).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TipSrc {
    /// Unique within the file.
    #[schemars(with = "String")]
    pub(super) id: Spanned<String>,
    /// The field or element, most robust first, as a step's `target`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) target: Vec<Spanned<String>>,
    #[schemars(with = "String")]
    pub(super) title: Spanned<String>,
    /// Markdown.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) body: Option<Spanned<String>>,
    /// A pulsing dot that draws the eye and opens on click (default: a
    /// quiet marker whose tip shows on focus and hover).
    #[serde(default)]
    pub(super) beacon: bool,
}

pub(super) struct Common<'a> {
    pub(super) id: &'a Spanned<String>,
    pub(super) title: &'a Spanned<String>,
    pub(super) moment: &'a Spanned<String>,
    pub(super) owner: Option<&'a Spanned<String>>,
    pub(super) status: Option<&'a Spanned<String>>,
    pub(super) review_by: Option<&'a Spanned<toml::Value>>,
    pub(super) audience: Option<&'a Spanned<AudienceSrc>>,
    pub(super) compliance_signoff: Option<&'a Spanned<String>>,
    pub(super) product_version: Option<&'a String>,
    pub(super) change_note: Option<&'a String>,
    pub(super) applies_to: &'a [Spanned<String>],
    pub(super) related: &'a [Spanned<String>],
}

/// One step of a walkthrough.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StepSrc {
    /// Unique within the walkthrough ("end" is reserved).
    #[schemars(with = "String")]
    pub(super) id: Spanned<String>,
    #[schemars(with = "String")]
    pub(super) title: Spanned<String>,
    /// Markdown.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) body: Option<Spanned<String>>,
    /// Alternatives, most robust first: "[data-testid=save]",
    /// "aria/Save[role=\"button\"]", "text/Save", or CSS.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) target: Vec<Spanned<String>>,
    /// What moves on from this step. Default: "click" with a target, "next"
    /// without. "input"/"change": the user types or commits a value in the
    /// target (see `value`); "appear": an element of `appear` shows up;
    /// "disappear": the target goes away; "url": the page reaches `reach`.
    #[serde(default)]
    #[schemars(with = "Option<AdvanceSchema>")]
    pub(super) advance: Option<Spanned<String>>,
    /// For "input"/"change": the value to wait for, `*` as wildcard
    /// ("*@*"). Default: any non-empty value.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) value: Option<Spanned<String>>,
    /// For "appear": selectors of the element to wait for, most robust first.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) appear: Vec<Spanned<String>>,
    /// For "url": the URL pattern to wait for ("/crm/deals/*").
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) reach: Option<Spanned<String>>,
    /// The page this step happens on ("/crm/deals/new*"); elsewhere the card
    /// tells the user where to go.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) url: Option<Spanned<String>>,
    /// Seconds to look for the target before offering Retry, Skip and End
    /// (default 10).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(super) timeout: Option<Spanned<i64>>,
    #[serde(default)]
    #[schemars(with = "Option<PlacementSchema>")]
    pub(super) placement: Option<Spanned<String>>,
    /// Skip this step, instead of stopping, when its target is not found.
    #[serde(default)]
    pub(super) optional: bool,
    /// The step to go to after this one (by id), or "end".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(super) branch: Option<Spanned<String>>,
    /// A decision: the user picks one, and the walkthrough goes there.
    #[serde(default)]
    #[schemars(with = "Vec<ChoiceSrc>")]
    pub(super) choices: Option<Spanned<Vec<ChoiceSrc>>>,
}

impl StepSrc {
    pub(super) fn choices(&self) -> &[ChoiceSrc] {
        self.choices
            .as_ref()
            .map_or(&[], |c| c.get_ref().as_slice())
    }

    pub(super) fn choices_span(&self) -> Range<usize> {
        self.choices.as_ref().map_or(self.id.span(), |c| c.span())
    }
}

/// One answer of a decision step.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ChoiceSrc {
    pub(super) label: String,
    /// A step id, or "end".
    #[schemars(with = "String")]
    pub(super) goto: Spanned<String>,
}

/// Comprehension questions, asked when the walkthrough ends.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CheckSrc {
    /// Fraction of questions to get right to pass, 0 to 1 (default 0.8).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub(super) pass_score: Option<Spanned<f64>>,
    #[schemars(with = "Vec<QuestionSrc>")]
    pub(super) questions: Spanned<Vec<QuestionSrc>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct QuestionSrc {
    #[schemars(with = "String")]
    pub(super) prompt: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    pub(super) choices: Spanned<Vec<String>>,
    /// The right answers, copied from `choices`.
    #[schemars(with = "Vec<String>")]
    pub(super) correct: Vec<Spanned<String>>,
}

/// JSON Schemas for the content files, by file name, for editors (taplo /
/// Even Better TOML) and `waymark schema`.
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    vec![
        (
            "walkthrough.schema.json",
            schemars::schema_for!(WalkthroughSrc),
        ),
        ("article.schema.json", schemars::schema_for!(ArticleSrc)),
        ("checklist.schema.json", schemars::schema_for!(ChecklistSrc)),
        ("tips.schema.json", schemars::schema_for!(TipsSrc)),
        ("waymark.schema.json", schemars::schema_for!(ConfigSrc)),
        ("synonyms.schema.json", schemars::schema_for!(SynonymsSrc)),
    ]
}
