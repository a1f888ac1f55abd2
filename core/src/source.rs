//! Author sources to compiled content: reads the content folder (walkthrough
//! TOML files, Markdown articles with `+++` front matter, `synonyms.toml`,
//! the folder's `waymark.toml` settings), checks them, and reports every
//! problem at once as `file:line:col` diagnostics.
//!
//! Owns the authored file format: field names, defaults, what is required,
//! governance rules (owner, review dates, compliance sign-off), branches,
//! checks and translations. The `Src` types here are also the source of the
//! JSON Schemas editors use ([`schemas`]). It must not know about the
//! bundle's byte layout (that is `bundle`) or the runtime (that is `engine`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::bundle::fnv1a64;
use crate::content::{
    Advance, Article, Audience, Branch, Check, Choice, Date, Library, Locales, Meta, Moment,
    Placement, Question, Status, Step, StepTexts, Target, Texts, Trigger, Walkthrough,
};
use crate::diagnostics::Diagnostic;
use crate::richtext::{compile_markdown_with, RichText};

/// Largest content file we read: anything bigger is a mistake (a log file,
/// a video) and would only slow the build down.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// The shared synonym list's file name, in the content folder.
pub const SYNONYMS_FILE: &str = "synonyms.toml";
/// The content folder's settings.
pub const CONFIG_FILE: &str = "waymark.toml";
pub use crate::content::END;

/// A content folder's settings, from `waymark.toml` (all optional).
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub review_cycle_days: u32,
    pub locales: Locales,
    /// Hosts images and video may come from.
    pub media_hosts: Vec<String>,
    /// Origins (glob patterns like `https://*.acme.example`) the bundle may
    /// act on; written into the signed manifest.
    pub scope: Vec<String>,
    pub expires_after_days: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            review_cycle_days: 90,
            locales: Locales {
                source: "en".into(),
                translated: BTreeMap::new(),
            },
            media_hosts: Vec::new(),
            scope: Vec::new(),
            expires_after_days: 90,
        }
    }
}

/// A compiled content folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub library: Library,
    pub config: Config,
    /// Source file of each walkthrough or article id (for `stale`, `fmt`).
    pub files: BTreeMap<String, String>,
}

/// `waymark.toml`: settings for a content folder. Every field is optional.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigSrc {
    /// Days between reviews of a piece of content (default 90). Content past
    /// its `review_by` is listed by `waymark stale`; content more than one
    /// further cycle overdue shows an "under review" badge to employees.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    review_cycle_days: Option<Spanned<i64>>,
    #[serde(default)]
    locales: Option<LocalesSrc>,
    #[serde(default)]
    media: Option<MediaSrc>,
    #[serde(default)]
    bundle: Option<BundleSrc>,
}

/// The languages content is written and translated in.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LocalesSrc {
    /// The locale the content files are written in (default "en").
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    source: Option<Spanned<String>>,
    /// Locales the content is translated into, like ["fr", "fr-CA"].
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    translations: Vec<Spanned<String>>,
    /// Where a locale's missing strings come from: `fr-CA = "fr"`. A
    /// translated locale with no fallback must translate every string.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    fallback: BTreeMap<String, Spanned<String>>,
}

/// Where images and video in content may come from.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct MediaSrc {
    /// Hosts, like "media.acme.example" or "*.cdn.acme.example". Only
    /// https: URLs on these hosts are accepted.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    allow: Vec<Spanned<String>>,
}

/// What the signed manifest says about where and how long a bundle is good.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct BundleSrc {
    /// Origins the bundle may act on, as patterns: "https://crm.acme.example",
    /// "https://*.acme.example", "http://127.0.0.1:*".
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    scope: Vec<Spanned<String>>,
    /// Days after building that the extension stops trusting the bundle
    /// (default 90). Rebuild and ship before then.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    expires_after_days: Option<Spanned<i64>>,
}

/// `synonyms.toml`: words that mean the same to your users.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SynonymsSrc {
    /// Groups of words or phrases searched as one: [["refund", "return", "money back"]].
    groups: Vec<Vec<String>>,
}

/// Schema-only shapes for fields read as raw TOML values (so that a wrong
/// type gets our message, not serde's).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(untagged)]
enum TriggerSchema {
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
enum TriggerName {
    Manual,
    AutoFirstVisit,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
enum TriggerRuleKind {
    OnElement,
    OnError,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
enum MomentSchema {
    New,
    More,
    Apply,
    Change,
    Solve,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
enum StatusSchema {
    Draft,
    InReview,
    Approved,
    Retired,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
enum AdvanceSchema {
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
enum PlacementSchema {
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
struct DateSchema(String);

/// Who the content is for. Empty lists mean everyone.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
struct AudienceSrc {
    /// Roles, as in policy: ["cashier", "store-manager"].
    #[serde(default)]
    roles: Vec<String>,
    /// Regions: ["emea", "us"].
    #[serde(default)]
    regions: Vec<String>,
    /// Locales: ["en", "fr-CA"].
    #[serde(default)]
    locales: Vec<String>,
    /// Regulated content (finance, health, safety) needs `compliance_signoff`.
    #[serde(default)]
    regulated: bool,
}

/// Translated strings for one locale; anything left out comes from the
/// locale's fallback.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TextsSrc {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    title: Option<Spanned<String>>,
    /// Articles only: the translated Markdown body.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    body: Option<Spanned<String>>,
    #[serde(default)]
    change_note: Option<String>,
    /// Walkthroughs only: by step id.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, StepTextsSchema>")]
    steps: BTreeMap<String, Spanned<StepTextsSrc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepTextsSrc {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<Spanned<String>>,
}

/// A step's translated title and body.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct StepTextsSchema {
    title: Option<String>,
    /// Markdown.
    body: Option<String>,
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
            id: Spanned<String>,
            /// Task-first: "Refund a partial order".
            #[schemars(with = "String")]
            title: Spanned<String>,
            /// One of the Five Moments of Need.
            #[schemars(with = "MomentSchema")]
            moment: Spanned<String>,
            /// Who keeps this current: a person or team. Required.
            #[serde(default)]
            #[schemars(with = "String")]
            owner: Option<Spanned<String>>,
            /// draft and in_review ship to staging only; retired never ships.
            /// Default: draft.
            #[serde(default)]
            #[schemars(with = "Option<StatusSchema>")]
            status: Option<Spanned<String>>,
            /// When this must next be reviewed. Required for apply and solve content.
            #[serde(default)]
            #[schemars(with = "Option<DateSchema>")]
            review_by: Option<Spanned<toml::Value>>,
            #[serde(default)]
            #[schemars(with = "Option<AudienceSrc>")]
            audience: Option<Spanned<AudienceSrc>>,
            /// Required when the audience is regulated: who signed off, and when.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            compliance_signoff: Option<Spanned<String>>,
            /// The host app's version this is written for: "2026.3".
            #[serde(default)]
            product_version: Option<String>,
            /// What changed in this version, shown once to users of the screen.
            #[serde(default)]
            change_note: Option<String>,
            /// URL patterns where it is offered: "/crm/deals*". Empty: everywhere.
            #[serde(default)]
            #[schemars(with = "Vec<String>")]
            applies_to: Vec<Spanned<String>>,
            #[serde(default)]
            tags: Vec<String>,
            /// Words users search with that the text does not contain.
            #[serde(default)]
            synonyms: Vec<String>,
            /// Translated strings, by locale: [translations.fr].
            #[serde(default)]
            #[schemars(with = "BTreeMap<String, TextsSrc>")]
            translations: BTreeMap<String, Spanned<TextsSrc>>,
            $($body)*
        }

        impl $name {
            fn common(&self) -> Common<'_> {
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
        trigger: Option<Spanned<toml::Value>>,
        /// The steps, in order.
        #[schemars(with = "Vec<StepSrc>")]
        steps: Spanned<Vec<StepSrc>>,
        /// A comprehension check at the end.
        #[serde(default)]
        check: Option<CheckSrc>,
    }
}

content_src! {
    /// An article's `+++` front matter; the Markdown body follows it.
    struct ArticleSrc {}
}

struct Common<'a> {
    id: &'a Spanned<String>,
    title: &'a Spanned<String>,
    moment: &'a Spanned<String>,
    owner: Option<&'a Spanned<String>>,
    status: Option<&'a Spanned<String>>,
    review_by: Option<&'a Spanned<toml::Value>>,
    audience: Option<&'a Spanned<AudienceSrc>>,
    compliance_signoff: Option<&'a Spanned<String>>,
    product_version: Option<&'a String>,
    change_note: Option<&'a String>,
    applies_to: &'a [Spanned<String>],
}

/// One step of a walkthrough.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StepSrc {
    /// Unique within the walkthrough ("end" is reserved).
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "String")]
    title: Spanned<String>,
    /// Markdown.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    body: Option<Spanned<String>>,
    /// Alternatives, most robust first: "[data-testid=save]",
    /// "aria/Save[role=\"button\"]", "text/Save", or CSS.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    target: Vec<Spanned<String>>,
    /// What moves on from this step. Default: "click" with a target, "next"
    /// without. "input"/"change": the user types or commits a value in the
    /// target (see `value`); "appear": an element of `appear` shows up;
    /// "disappear": the target goes away; "url": the page reaches `reach`.
    #[serde(default)]
    #[schemars(with = "Option<AdvanceSchema>")]
    advance: Option<Spanned<String>>,
    /// For "input"/"change": the value to wait for, `*` as wildcard
    /// ("*@*"). Default: any non-empty value.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    value: Option<Spanned<String>>,
    /// For "appear": selectors of the element to wait for, most robust first.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    appear: Vec<Spanned<String>>,
    /// For "url": the URL pattern to wait for ("/crm/deals/*").
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    reach: Option<Spanned<String>>,
    /// The page this step happens on ("/crm/deals/new*"); elsewhere the card
    /// tells the user where to go.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    url: Option<Spanned<String>>,
    /// Seconds to look for the target before offering Retry, Skip and End
    /// (default 10).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    timeout: Option<Spanned<i64>>,
    #[serde(default)]
    #[schemars(with = "Option<PlacementSchema>")]
    placement: Option<Spanned<String>>,
    /// Skip this step, instead of stopping, when its target is not found.
    #[serde(default)]
    optional: bool,
    /// The step to go to after this one (by id), or "end".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    branch: Option<Spanned<String>>,
    /// A decision: the user picks one, and the walkthrough goes there.
    #[serde(default)]
    #[schemars(with = "Vec<ChoiceSrc>")]
    choices: Option<Spanned<Vec<ChoiceSrc>>>,
}

impl StepSrc {
    fn choices(&self) -> &[ChoiceSrc] {
        self.choices
            .as_ref()
            .map_or(&[], |c| c.get_ref().as_slice())
    }

    fn choices_span(&self) -> Range<usize> {
        self.choices.as_ref().map_or(self.id.span(), |c| c.span())
    }
}

/// One answer of a decision step.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ChoiceSrc {
    label: String,
    /// A step id, or "end".
    #[schemars(with = "String")]
    goto: Spanned<String>,
}

/// Comprehension questions, asked when the walkthrough ends.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CheckSrc {
    /// Fraction of questions to get right to pass, 0 to 1 (default 0.8).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pass_score: Option<Spanned<f64>>,
    #[schemars(with = "Vec<QuestionSrc>")]
    questions: Spanned<Vec<QuestionSrc>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct QuestionSrc {
    #[schemars(with = "String")]
    prompt: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    choices: Spanned<Vec<String>>,
    /// The right answers, copied from `choices`.
    #[schemars(with = "Vec<String>")]
    correct: Vec<Spanned<String>>,
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
        ("waymark.schema.json", schemars::schema_for!(ConfigSrc)),
        ("synonyms.schema.json", schemars::schema_for!(SynonymsSrc)),
    ]
}

/// Reads every content file under `dir` (recursively, in path order).
/// Returns the library, or every diagnostic found.
pub fn load_dir(dir: &Path) -> Result<Library, Vec<Diagnostic>> {
    load_project(dir).map(|p| p.library)
}

/// Every content file under `dir`: `.toml` and `.md`, in path order.
pub fn content_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut files = Vec::new();
    if let Err(e) = collect(dir, &mut files) {
        return Err(Diagnostic::file(
            &dir.display().to_string(),
            format!("cannot read the content folder: {e}"),
            Some("pass the folder that holds your walkthrough .toml files".into()),
        ));
    }
    files.sort();
    Ok(files)
}

/// Reads and compiles a content folder, calling `progress` after each file.
pub fn load_project_with(
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Project, Vec<Diagnostic>> {
    let files = content_files(dir).map_err(|d| vec![d])?;
    let mut sources = Vec::new();
    let mut diags = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let name = f.display().to_string();
        match read_text(f) {
            Ok(text) => sources.push((name, text)),
            Err(d) => diags.push(d),
        }
        progress(i + 1, files.len());
    }
    match compile_project(&sources) {
        Ok(p) if diags.is_empty() => Ok(p),
        Ok(_) => Err(diags),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}

pub fn load_project(dir: &Path) -> Result<Project, Vec<Diagnostic>> {
    load_project_with(dir, &mut |_, _| {})
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            // `.waymark/` (schemas), editor and VCS folders.
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml" || e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a content file as UTF-8, refusing oversized files before reading.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let meta = fs::metadata(path)
        .map_err(|e| Diagnostic::file(&name, format!("cannot read: {e}"), None))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            &name,
            format!(
                "file is {} bytes; content files are at most {MAX_FILE_BYTES}",
                meta.len()
            ),
            Some("split it, or move large media out of the content folder".into()),
        ));
    }
    let bytes =
        fs::read(path).map_err(|e| Diagnostic::file(&name, format!("cannot read: {e}"), None))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        Diagnostic::at(
            &name,
            &valid,
            at..at,
            "file is not valid UTF-8",
            Some("save the file as UTF-8".into()),
        )
    })
}

fn is_named(file: &str, name: &str) -> bool {
    Path::new(file).file_name().is_some_and(|n| n == name)
}

/// Compiles `(file name, text)` pairs into a library, collecting every problem.
pub fn compile(sources: &[(String, String)]) -> Result<Library, Vec<Diagnostic>> {
    compile_project(sources).map(|p| p.library)
}

/// Compiles `(file name, text)` pairs: the settings file first (the rest
/// depend on it), then content, collecting every problem.
pub fn compile_project(sources: &[(String, String)]) -> Result<Project, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut config = Config::default();
    // Only the top-level settings file counts: the shortest path named so.
    if let Some((file, text)) = sources
        .iter()
        .filter(|(f, _)| is_named(f, CONFIG_FILE))
        .min_by_key(|(f, _)| f.len())
    {
        config = compile_config(file, text, &mut diags);
    }
    let mut library = Library {
        locales: config.locales.clone(),
        review_cycle_days: config.review_cycle_days,
        ..Library::default()
    };
    let mut files = BTreeMap::new();
    for (file, text) in sources {
        if is_named(file, CONFIG_FILE) {
            continue;
        }
        let before = diags.len();
        if is_named(file, SYNONYMS_FILE) {
            match toml::from_str::<SynonymsSrc>(text) {
                Ok(s) => library.synonyms.extend(s.groups),
                Err(e) => {
                    let (message, _) = explain_toml_error(e.message());
                    let hint =
                        "write `groups = [[\"refund\", \"return\", \"money back\"]]`".to_string();
                    diags.push(Diagnostic::at(
                        file,
                        text,
                        e.span().unwrap_or(0..0),
                        message,
                        Some(hint),
                    ));
                }
            }
            continue;
        }
        let cx = Cx {
            file,
            text,
            config: &config,
        };
        let (id, item) = if file.ends_with(".md") {
            match compile_article(&cx, &mut diags) {
                Some(a) => (a.id.clone(), Item::Article(a)),
                None => continue,
            }
        } else {
            match compile_walkthrough(&cx, &mut diags) {
                Some(w) => (w.id.clone(), Item::Walkthrough(w)),
                None => continue,
            }
        };
        if let Some(other) = files.get(&id) {
            let at = text.find(&format!("\"{id}\"")).unwrap_or(0);
            diags.push(Diagnostic::at(
                file,
                text,
                at..at + id.len() + 2,
                format!("duplicate id `{id}` (also in {other})"),
                Some("ids must be unique across the content folder".into()),
            ));
        } else if diags.len() == before {
            files.insert(id, file.clone());
            match item {
                Item::Walkthrough(w) => library.walkthroughs.push(w),
                Item::Article(a) => library.articles.push(a),
            }
        }
    }
    if diags.is_empty() {
        Ok(Project {
            library,
            config,
            files,
        })
    } else {
        Err(diags)
    }
}

enum Item {
    Walkthrough(Walkthrough),
    Article(Article),
}

/// The file being compiled, and the settings it is compiled under.
struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    config: &'a Config,
}

impl Cx<'_> {
    fn err(&self, diags: &mut Vec<Diagnostic>, span: Range<usize>, msg: String, hint: &str) {
        diags.push(Diagnostic::at(
            self.file,
            self.text,
            span,
            msg,
            Some(hint.to_string()),
        ));
    }

    /// Compiles a Markdown string field, pointing errors inside the string.
    fn markdown(&self, s: &Spanned<String>, diags: &mut Vec<Diagnostic>) -> RichText {
        match compile_markdown_with(s.get_ref(), &self.config.media_hosts) {
            Ok(t) => t,
            Err(e) => {
                let span = s.span();
                let raw = self.text.get(span.clone()).unwrap_or("");
                let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                    // A multi-line string drops the newline right after
                    // its opening quotes.
                    3 + usize::from(raw[3..].starts_with('\n'))
                } else {
                    1
                };
                let at = (span.start + quote + e.offset).min(span.end);
                self.err(diags, at..at + 1, e.message, &e.hint);
                RichText::default()
            }
        }
    }
}

fn compile_config(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Config {
    let mut config = Config::default();
    let src: ConfigSrc = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(
                file,
                text,
                e.span().unwrap_or(0..0),
                message,
                hint,
            ));
            return config;
        }
    };
    let cx = Cx {
        file,
        text,
        config: &config,
    };
    let mut days = |v: &Option<Spanned<i64>>, what: &str, into: &mut u32| {
        if let Some(v) = v {
            match u32::try_from(*v.get_ref()) {
                Ok(d) if (1..=3650).contains(&d) => *into = d,
                _ => cx.err(
                    diags,
                    v.span(),
                    format!("`{what}` must be a number of days from 1 to 3650"),
                    "for example 90",
                ),
            }
        }
    };
    let mut cycle = config.review_cycle_days;
    days(&src.review_cycle_days, "review_cycle_days", &mut cycle);
    let mut expires = config.expires_after_days;
    if let Some(b) = &src.bundle {
        days(&b.expires_after_days, "expires_after_days", &mut expires);
    }
    let mut locales = config.locales.clone();
    if let Some(l) = &src.locales {
        if let Some(s) = &l.source {
            if valid_locale(s.get_ref()) {
                locales.source = s.get_ref().clone();
            } else {
                cx.err(
                    diags,
                    s.span(),
                    format!("`{}` is not a locale", s.get_ref()),
                    "use a language tag like \"en\" or \"fr-CA\"",
                );
            }
        }
        for t in &l.translations {
            if !valid_locale(t.get_ref()) {
                cx.err(
                    diags,
                    t.span(),
                    format!("`{}` is not a locale", t.get_ref()),
                    "use a language tag like \"fr\" or \"fr-CA\"",
                );
            } else if *t.get_ref() == locales.source {
                cx.err(
                    diags,
                    t.span(),
                    format!("`{}` is the source locale", t.get_ref()),
                    "list only the languages you translate into",
                );
            } else {
                locales.translated.insert(t.get_ref().clone(), None);
            }
        }
        for (from, to) in &l.fallback {
            let known = |x: &str| x == locales.source || locales.translated.contains_key(x);
            if !locales.translated.contains_key(from) {
                cx.err(
                    diags,
                    to.span(),
                    format!("fallback for `{from}`, which is not in `translations`"),
                    "add it to `translations`, or remove this line",
                );
            } else if !known(to.get_ref()) {
                cx.err(
                    diags,
                    to.span(),
                    format!(
                        "`{from}` falls back to `{}`, which is not a locale of this content",
                        to.get_ref()
                    ),
                    "fall back to the source locale or to one in `translations`",
                );
            } else {
                locales
                    .translated
                    .insert(from.clone(), Some(to.get_ref().clone()));
            }
        }
        // A fallback loop would leave strings nowhere to come from.
        for start in locales.translated.keys() {
            if fallback_chain(&locales, start).is_none() {
                let span = l.fallback.get(start).map_or(0..0, |s| s.span());
                cx.err(
                    diags,
                    span,
                    format!("the locale fallbacks from `{start}` loop"),
                    "end every chain at the source locale or at a complete translation",
                );
                break;
            }
        }
    }
    let mut media = Vec::new();
    if let Some(m) = &src.media {
        for h in &m.allow {
            let host = h.get_ref().trim();
            let bare = host.strip_prefix("*.").unwrap_or(host);
            let ok = !bare.is_empty()
                && bare.contains('.')
                && bare
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if ok {
                media.push(host.to_ascii_lowercase());
            } else {
                cx.err(
                    diags,
                    h.span(),
                    format!("`{host}` is not a host name"),
                    "write the host only, like \"media.acme.example\" or \"*.cdn.acme.example\"",
                );
            }
        }
    }
    let mut scope = Vec::new();
    if let Some(b) = &src.bundle {
        for o in &b.scope {
            match crate::urlmatch::check_origin_pattern(o.get_ref()) {
                Ok(()) => scope.push(o.get_ref().trim().to_string()),
                Err(why) => cx.err(
                    diags,
                    o.span(),
                    format!("scope `{}` is not an origin pattern: {why}", o.get_ref()),
                    "write scheme://host[:port], like \"https://crm.acme.example\" or \"https://*.acme.example\"",
                ),
            }
        }
    }
    config.review_cycle_days = cycle;
    config.expires_after_days = expires;
    config.locales = locales;
    config.media_hosts = media;
    config.scope = scope;
    config
}

/// The locales `start` falls back through, starting with itself (the source
/// locale included if the chain reaches it); `None` if the chain loops.
fn fallback_chain<'a>(locales: &'a Locales, start: &'a str) -> Option<Vec<&'a str>> {
    let mut out = vec![start];
    let mut at = locales.translated.get(start).and_then(|f| f.as_deref());
    while let Some(l) = at {
        if out.contains(&l) {
            return None;
        }
        out.push(l);
        at = locales.translated.get(l).and_then(|f| f.as_deref());
    }
    Some(out)
}

fn valid_locale(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// An article: `+++` TOML front matter, then Markdown.
fn compile_article(cx: &Cx, diags: &mut Vec<Diagnostic>) -> Option<Article> {
    let (file, text) = (cx.file, cx.text);
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        diags.push(Diagnostic::at(
            file,
            text,
            0..3,
            "an article starts with `+++` front matter",
            Some("begin the file with a `+++` line, the TOML fields (id, title, moment, owner), and another `+++` line".into()),
        ));
        return None;
    };
    let fm_start = text.len() - rest.len();
    let Some(end) = rest.find("\n+++") else {
        diags.push(Diagnostic::at(
            file,
            text,
            0..3,
            "the front matter is not closed",
            Some("add a `+++` line after the fields".into()),
        ));
        return None;
    };
    let body_start = fm_start + end + 4;
    let body_start = text[body_start..]
        .find('\n')
        .map_or(text.len(), |i| body_start + i + 1);
    // Parse the front matter in place, with the opening `+++` blanked out, so
    // TOML spans are offsets into the whole file.
    let front = format!("   {}", &text[3..fm_start + end + 1]);
    let src: ArticleSrc = match toml::from_str(&front) {
        Ok(s) => s,
        Err(e) => {
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(
                file,
                text,
                e.span().unwrap_or(0..0),
                message,
                hint,
            ));
            return None;
        }
    };
    let common = src.common();
    let (moment, meta) = compile_common(cx, &common, diags);
    let body = match compile_markdown_with(&text[body_start..], &cx.config.media_hosts) {
        Ok(b) => b,
        Err(e) => {
            let at = body_start + e.offset;
            diags.push(Diagnostic::at(
                file,
                text,
                at..at + 1,
                e.message,
                Some(e.hint),
            ));
            RichText::default()
        }
    };
    let mut translations = BTreeMap::new();
    for (locale, t) in &src.translations {
        let texts = compile_texts(cx, locale, t, None, diags);
        translations.insert(locale.clone(), texts);
    }
    let article = Article {
        id: src.id.get_ref().clone(),
        title: src.title.get_ref().trim().to_string(),
        moment,
        tags: src.tags,
        synonyms: src.synonyms,
        applies_to: trimmed(&src.applies_to),
        version: version_of(text),
        body,
        meta,
        translations,
    };
    check_complete(
        cx,
        &src.translations,
        &Needs::article(&article),
        &article.translations,
        diags,
    );
    Some(article)
}

fn trimmed(v: &[Spanned<String>]) -> Vec<String> {
    v.iter().map(|p| p.get_ref().trim().to_string()).collect()
}

/// The content version: a hash of the normalised source (line endings and
/// trailing whitespace do not change it).
pub fn version_of(text: &str) -> String {
    let normalised: String = text
        .lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    format!("{:016x}", fnv1a64(normalised.trim().as_bytes()))
}

/// Checks the fields walkthroughs and articles share; returns the moment
/// (a placeholder if it was wrong: the diagnostic is already recorded).
fn compile_common(cx: &Cx, c: &Common, diags: &mut Vec<Diagnostic>) -> (Moment, Meta) {
    check_id(cx.file, cx.text, c.id, diags);
    if c.title.get_ref().trim().is_empty() {
        cx.err(
            diags,
            c.title.span(),
            "the title is empty".into(),
            "write a task-first title, like \"Refund a partial order\"",
        );
    }
    let moment = parse_moment(cx.file, cx.text, c.moment.get_ref(), c.moment.span(), diags);
    for p in c.applies_to {
        if p.get_ref().trim().is_empty() {
            cx.err(
                diags,
                p.span(),
                "empty URL pattern".into(),
                "write a path like \"/crm/deals*\" or a full URL pattern",
            );
        }
    }
    let owner = match c.owner {
        Some(o) if !o.get_ref().trim().is_empty() => o.get_ref().trim().to_string(),
        Some(o) => {
            cx.err(
                diags,
                o.span(),
                "the owner is empty".into(),
                "name the person or team who keeps this current",
            );
            String::new()
        }
        None => {
            cx.err(
                diags,
                c.id.span(),
                "missing field `owner`".into(),
                "every piece of content has an owner who keeps it current: add `owner = \"pos-team\"`",
            );
            String::new()
        }
    };
    let status = match c.status {
        None => Status::Draft,
        Some(s) => Status::parse(s.get_ref()).unwrap_or_else(|| {
            cx.err(
                diags,
                s.span(),
                format!("unknown status `{}`", s.get_ref()),
                "use one of: draft, in_review, approved, retired",
            );
            Status::Draft
        }),
    };
    let review_by = c.review_by.and_then(|v| {
        let date = match v.get_ref() {
            toml::Value::String(s) => Date::parse(s.trim()),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
                d.date.and_then(|d| Date::parse(&d.to_string()))
            }
            _ => None,
        };
        if date.is_none() {
            cx.err(
                diags,
                v.span(),
                format!("`review_by` is not a date: {}", v.get_ref()),
                "write a calendar date as YYYY-MM-DD, like 2027-03-01",
            );
        }
        date
    });
    if review_by.is_none()
        && c.review_by.is_none()
        && matches!(moment, Some(Moment::Apply | Moment::Solve))
        && status != Status::Retired
    {
        cx.err(
            diags,
            c.moment.span(),
            format!("`review_by` is required for {} content", c.moment.get_ref()),
            "apply and solve content goes wrong when the app changes: add `review_by = 2027-03-01`",
        );
    }
    let audience = c.audience.map(|a| a.get_ref());
    let regulated = audience.is_some_and(|a| a.regulated);
    let signoff = c
        .compliance_signoff
        .map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty());
    if regulated && signoff.is_none() && status != Status::Retired {
        let span = c.audience.map_or(c.id.span(), |a| a.span());
        cx.err(
            diags,
            span,
            "regulated content needs `compliance_signoff`".into(),
            "add `compliance_signoff = \"Name, YYYY-MM-DD\"` once compliance has approved it",
        );
    }
    let meta = Meta {
        owner,
        status,
        review_by,
        audience: audience.map_or_else(Audience::default, |a| Audience {
            roles: a.roles.clone(),
            regions: a.regions.clone(),
            locales: a.locales.clone(),
            regulated: a.regulated,
        }),
        compliance_signoff: signoff,
        product_version: c.product_version.cloned(),
        change_note: c.change_note.map(|s| s.trim().to_string()),
    };
    (moment.unwrap_or(Moment::Apply), meta)
}

fn compile_texts(
    cx: &Cx,
    locale: &str,
    t: &Spanned<TextsSrc>,
    steps: Option<&[Step]>,
    diags: &mut Vec<Diagnostic>,
) -> Texts {
    let known = cx.config.locales.translated.contains_key(locale);
    if !known {
        cx.err(
            diags,
            t.span(),
            format!("translation into `{locale}`, which `waymark.toml` does not list"),
            "add it to [locales] translations in waymark.toml",
        );
    }
    let src = t.get_ref();
    let body = match (&src.body, steps) {
        (Some(b), None) => Some(cx.markdown(b, diags)),
        (Some(b), Some(_)) => {
            cx.err(
                diags,
                b.span(),
                "walkthroughs have no body to translate".into(),
                "translate step bodies under [translations.<locale>.steps.<step-id>]",
            );
            None
        }
        (None, _) => None,
    };
    let mut out_steps = BTreeMap::new();
    for (id, st) in &src.steps {
        match steps {
            None => cx.err(
                diags,
                st.span(),
                "articles have no steps to translate".into(),
                "translate the title and body",
            ),
            Some(steps) if !steps.iter().any(|s| s.id == *id) => cx.err(
                diags,
                st.span(),
                format!("translation of step `{id}`, which this walkthrough does not have"),
                "use the id of one of its [[steps]]",
            ),
            Some(_) => {}
        }
        let s = st.get_ref();
        out_steps.insert(
            id.clone(),
            StepTexts {
                title: s.title.clone(),
                body: s.body.as_ref().map(|b| cx.markdown(b, diags)),
            },
        );
    }
    Texts {
        title: src.title.as_ref().map(|t| t.get_ref().trim().to_string()),
        body,
        change_note: src.change_note.clone(),
        steps: out_steps,
    }
}

/// The strings a piece of content has in its source locale, which each
/// translation must provide or inherit from its fallback.
struct Needs {
    change_note: bool,
    body: bool,
    /// (step id, has a body)
    steps: Vec<(String, bool)>,
}

impl Needs {
    fn article(a: &Article) -> Needs {
        Needs {
            change_note: a.meta.change_note.is_some(),
            body: !a.body.0.is_empty(),
            steps: Vec::new(),
        }
    }

    fn walkthrough(w: &Walkthrough) -> Needs {
        Needs {
            change_note: w.meta.change_note.is_some(),
            body: false,
            steps: w
                .steps
                .iter()
                .map(|s| (s.id.clone(), !s.body.0.is_empty()))
                .collect(),
        }
    }
}

/// Every declared translation must have each string, or inherit it through
/// its fallback chain; a chain that ends before the source locale is a
/// "complete" translation and a missing string is an error.
fn check_complete(
    cx: &Cx,
    src: &BTreeMap<String, Spanned<TextsSrc>>,
    needs: &Needs,
    have: &BTreeMap<String, Texts>,
    diags: &mut Vec<Diagnostic>,
) {
    let locales = &cx.config.locales;
    for locale in locales.translated.keys() {
        let Some(chain) = fallback_chain(locales, locale) else {
            continue; // reported with the settings
        };
        if chain.contains(&locales.source.as_str()) {
            continue; // anything missing comes from the source text
        }
        let translated: Vec<&Texts> = chain
            .iter()
            .filter(|l| **l != locales.source)
            .filter_map(|l| have.get(*l))
            .collect();
        let mut missing = Vec::new();
        if !translated.iter().any(|t| t.title.is_some()) {
            missing.push("the title".to_string());
        }
        if needs.change_note && !translated.iter().any(|t| t.change_note.is_some()) {
            missing.push("the change note".to_string());
        }
        if needs.body && !translated.iter().any(|t| t.body.is_some()) {
            missing.push("the body".to_string());
        }
        for (step, has_body) in &needs.steps {
            let st = |f: &dyn Fn(&StepTexts) -> bool| {
                translated.iter().any(|t| t.steps.get(step).is_some_and(f))
            };
            if !st(&|s| s.title.is_some()) {
                missing.push(format!("step `{step}` title"));
            }
            if *has_body && !st(&|s| s.body.is_some()) {
                missing.push(format!("step `{step}` body"));
            }
        }
        if missing.is_empty() {
            continue;
        }
        let span = src.get(locale).map_or(0..0, |t| t.span());
        let via = if chain.len() > 1 {
            format!(" (nor does its fallback chain {})", chain[1..].join(" → "))
        } else {
            String::new()
        };
        let shown: Vec<_> = missing.iter().take(4).cloned().collect();
        let more = if missing.len() > 4 {
            format!(" and {} more", missing.len() - 4)
        } else {
            String::new()
        };
        cx.err(
            diags,
            span,
            format!(
                "translation `{locale}` is missing {}{more}{via}, and has no fallback",
                shown.join(", ")
            ),
            &format!(
                "add them under [translations.{locale}], or set a fallback for `{locale}` in waymark.toml [locales.fallback]"
            ),
        );
    }
}

fn compile_walkthrough(cx: &Cx, diags: &mut Vec<Diagnostic>) -> Option<Walkthrough> {
    let (file, text) = (cx.file, cx.text);
    let src: WalkthroughSrc = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(file, text, span, message, hint));
            return None;
        }
    };
    let d = |diags: &mut Vec<Diagnostic>, span: Range<usize>, msg: String, hint: &str| {
        cx.err(diags, span, msg, hint)
    };
    let (moment, meta) = compile_common(cx, &src.common(), diags);
    if src.steps.get_ref().is_empty() {
        d(
            diags,
            src.steps.span(),
            "a walkthrough needs at least one step".into(),
            "add a [[steps]] table",
        );
    }
    let trigger = src
        .trigger
        .as_ref()
        .map_or(Trigger::Manual, |t| compile_trigger(cx, t, diags));

    let mut step_ids = HashSet::new();
    let mut steps = Vec::new();
    for s in src.steps.get_ref() {
        check_id(file, text, &s.id, diags);
        if s.id.get_ref() == END {
            d(
                diags,
                s.id.span(),
                format!("`{END}` is reserved: `branch = \"{END}\"` ends a walkthrough"),
                "give the step another id",
            );
        }
        if !step_ids.insert(s.id.get_ref().clone()) {
            d(
                diags,
                s.id.span(),
                format!("duplicate step id `{}`", s.id.get_ref()),
                "step ids must be unique within a walkthrough",
            );
        }
        if s.title.get_ref().trim().is_empty() {
            d(
                diags,
                s.title.span(),
                "the step title is empty".into(),
                "say what the user does in this step",
            );
        }
        let targets = compile_targets(cx, &s.target, diags);
        let advance = compile_advance(cx, s, diags);
        let timeout_ms = match &s.timeout {
            None => crate::content::DEFAULT_TIMEOUT_MS,
            Some(t) => match u32::try_from(*t.get_ref()) {
                Ok(secs) if (1..=600).contains(&secs) => secs * 1000,
                _ => {
                    d(
                        diags,
                        t.span(),
                        "`timeout` is seconds, from 1 to 600".into(),
                        "for example 10",
                    );
                    crate::content::DEFAULT_TIMEOUT_MS
                }
            },
        };
        let url = s.url.as_ref().map(|u| u.get_ref().trim().to_string());
        if let Some(u) = &s.url {
            if u.get_ref().trim().is_empty() {
                d(
                    diags,
                    u.span(),
                    "empty URL pattern".into(),
                    "write a path like \"/crm/deals/new*\"",
                );
            }
        }
        let placement = match &s.placement {
            None => Placement::Auto,
            Some(p) => Placement::parse(p.get_ref()).unwrap_or_else(|| {
                d(
                    diags,
                    p.span(),
                    format!("unknown placement `{}`", p.get_ref()),
                    "use auto, top, bottom, left or right",
                );
                Placement::Auto
            }),
        };
        let body = s
            .body
            .as_ref()
            .map_or_else(RichText::default, |b| cx.markdown(b, diags));
        let choices = s.choices();
        let branch = match (&s.branch, choices.is_empty()) {
            (Some(b), false) => {
                d(
                    diags,
                    b.span(),
                    "a step has either `branch` or `choices`, not both".into(),
                    "choices already say where each answer goes",
                );
                Branch::Next
            }
            (Some(b), true) if b.get_ref() == END => Branch::End,
            (Some(b), true) => Branch::Goto(b.get_ref().clone()),
            (None, true) => Branch::Next,
            (None, false) => {
                if choices.len() < 2 {
                    d(
                        diags,
                        s.choices_span(),
                        "a decision needs at least two choices".into(),
                        "add another [[steps.choices]], or use `branch = \"step-id\"`",
                    );
                }
                Branch::Choices(
                    choices
                        .iter()
                        .map(|c| Choice {
                            label: c.label.trim().to_string(),
                            goto: c.goto.get_ref().clone(),
                        })
                        .collect(),
                )
            }
        };
        if matches!(branch, Branch::Choices(_)) && s.advance.is_some() {
            if let Some(a) = &s.advance {
                d(
                    diags,
                    a.span(),
                    "a decision step advances by the user's choice".into(),
                    "remove `advance`",
                );
            }
        }
        steps.push(Step {
            id: s.id.get_ref().clone(),
            title: s.title.get_ref().trim().to_string(),
            body,
            target: targets,
            // A decision waits for the user's answer, never for a click.
            advance: if matches!(branch, Branch::Choices(_)) {
                Advance::Next
            } else {
                advance
            },
            placement,
            optional: s.optional,
            branch,
            url,
            timeout_ms,
        });
    }
    check_branches(cx, &src.steps, &steps, diags);

    let check = src.check.as_ref().map(|c| compile_check(cx, c, diags));
    let mut translations = BTreeMap::new();
    for (locale, t) in &src.translations {
        let texts = compile_texts(cx, locale, t, Some(&steps), diags);
        translations.insert(locale.clone(), texts);
    }
    let w = Walkthrough {
        id: src.id.get_ref().clone(),
        title: src.title.get_ref().trim().to_string(),
        moment,
        tags: src.tags,
        synonyms: src.synonyms,
        applies_to: trimmed(&src.applies_to),
        version: version_of(text),
        steps,
        meta,
        trigger,
        check,
        translations,
    };
    check_complete(
        cx,
        &src.translations,
        &Needs::walkthrough(&w),
        &w.translations,
        diags,
    );
    Some(w)
}

/// The step's advance rule and the fields that go with it.
fn compile_advance(cx: &Cx, s: &StepSrc, diags: &mut Vec<Diagnostic>) -> Advance {
    let rule = s.advance.as_ref().map(|a| (a.get_ref().as_str(), a.span()));
    let needs_target = |diags: &mut Vec<Diagnostic>, what: &str, span: Range<usize>| {
        if s.target.is_empty() {
            cx.err(
                diags,
                span,
                format!("`advance = \"{what}\"` needs a target"),
                "add `target = [...]`, or use another advance rule",
            );
        }
    };
    let stray = |diags: &mut Vec<Diagnostic>, field: &str, span: Range<usize>, rule: &str| {
        cx.err(
            diags,
            span,
            format!("`{field}` only applies to `advance = \"{rule}\"`"),
            &format!("remove it, or set `advance = \"{rule}\"`"),
        );
    };
    let kind = rule
        .as_ref()
        .map_or(if s.target.is_empty() { "next" } else { "click" }, |r| r.0);
    if let (Some(v), false) = (&s.value, matches!(kind, "input" | "change")) {
        stray(diags, "value", v.span(), "input");
    }
    if let (Some(a), false) = (s.appear.first(), kind == "appear") {
        stray(diags, "appear", a.span(), "appear");
    }
    if let (Some(r), false) = (&s.reach, kind == "url") {
        stray(diags, "reach", r.span(), "url");
    }
    let span = rule.map_or(s.id.span(), |r| r.1);
    let value = s.value.as_ref().map(|v| v.get_ref().clone());
    match kind {
        "click" => {
            needs_target(diags, "click", span);
            Advance::Click
        }
        "next" => Advance::Next,
        "input" => {
            needs_target(diags, "input", span);
            Advance::Input(value)
        }
        "change" => {
            needs_target(diags, "change", span);
            Advance::Change(value)
        }
        "disappear" => {
            needs_target(diags, "disappear", span);
            Advance::Disappear
        }
        "appear" => {
            if s.appear.is_empty() {
                cx.err(
                    diags,
                    span,
                    "`advance = \"appear\"` needs `appear = [...]`".into(),
                    "name the element to wait for, like `appear = [\"[role=alert]\"]`",
                );
            }
            Advance::Appear(compile_targets(cx, &s.appear, diags))
        }
        "url" => match &s.reach {
            Some(r) if !r.get_ref().trim().is_empty() => {
                Advance::Url(r.get_ref().trim().to_string())
            }
            _ => {
                cx.err(
                    diags,
                    span,
                    "`advance = \"url\"` needs `reach = \"...\"`".into(),
                    "give the URL pattern to wait for, like `reach = \"/crm/deals/*\"`",
                );
                Advance::Next
            }
        },
        other => {
            cx.err(
                diags,
                span,
                format!("unknown advance rule `{other}`"),
                "use click, next, input, change, appear, disappear or url",
            );
            Advance::Next
        }
    }
}

fn compile_targets(cx: &Cx, src: &[Spanned<String>], diags: &mut Vec<Diagnostic>) -> Vec<Target> {
    let mut targets = Vec::new();
    for t in src {
        match parse_target(t.get_ref()) {
            Ok(target) => targets.push(target),
            Err(why) => cx.err(
                diags,
                t.span(),
                format!("selector `{}` does not parse: {why}", t.get_ref()),
                "use CSS (`[data-testid=save]`), `aria/Name[role=\"button\"]`, `text/Visible text`, `pierce/css` or a frame path (`#frame >>> css`)",
            ),
        }
    }
    targets
}

/// Branch and choice targets must exist, and no path may loop.
fn check_branches(
    cx: &Cx,
    src: &Spanned<Vec<StepSrc>>,
    steps: &[Step],
    diags: &mut Vec<Diagnostic>,
) {
    let index: HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut bad = false;
    for (s, step_src) in steps.iter().zip(src.get_ref()) {
        let gotos: Vec<(&str, Range<usize>)> = match &step_src.branch {
            Some(b) if step_src.choices().is_empty() => {
                vec![(b.get_ref().as_str(), b.span())]
            }
            _ => step_src
                .choices()
                .iter()
                .map(|c| (c.goto.get_ref().as_str(), c.goto.span()))
                .collect(),
        };
        for (goto, span) in gotos {
            if goto == END {
                continue;
            }
            if goto == s.id {
                bad = true;
                cx.err(
                    diags,
                    span,
                    format!("step `{goto}` branches to itself"),
                    "branch to another step, or to \"end\"",
                );
            } else if !index.contains_key(goto) {
                bad = true;
                let ids: Vec<_> = steps.iter().map(|s| s.id.as_str()).collect();
                cx.err(
                    diags,
                    span,
                    format!("there is no step `{goto}` to go to"),
                    &format!("use one of: {}, or \"end\"", ids.join(", ")),
                );
            }
        }
    }
    if bad {
        return;
    }
    // Depth-first search for a back edge: 0 = unseen, 1 = on the path, 2 = done.
    let w = Walkthrough {
        id: String::new(),
        title: String::new(),
        moment: Moment::Apply,
        applies_to: Vec::new(),
        tags: Vec::new(),
        synonyms: Vec::new(),
        version: String::new(),
        steps: steps.to_vec(),
        meta: Meta::default(),
        trigger: Trigger::Manual,
        check: None,
        translations: BTreeMap::new(),
    };
    let mut state = vec![0u8; steps.len()];
    let mut path = Vec::new();
    fn dfs(
        w: &Walkthrough,
        i: usize,
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<(usize, usize)> {
        state[i] = 1;
        path.push(i);
        for j in w.successors(i) {
            if state[j] == 1 {
                return Some((i, j));
            }
            if state[j] == 0 {
                if let Some(c) = dfs(w, j, state, path) {
                    return Some(c);
                }
            }
        }
        path.pop();
        state[i] = 2;
        None
    }
    for start in 0..steps.len() {
        if state[start] != 0 {
            continue;
        }
        if let Some((from, to)) = dfs(&w, start, &mut state, &mut path) {
            let at = path.iter().position(|&p| p == to).unwrap_or(0);
            let mut names: Vec<&str> = path[at..].iter().map(|&i| steps[i].id.as_str()).collect();
            names.push(&steps[to].id);
            let s = &src.get_ref()[from];
            let span = s
                .branch
                .as_ref()
                .map(|b| b.span())
                .or_else(|| {
                    s.choices()
                        .iter()
                        .find(|c| *c.goto.get_ref() == steps[to].id)
                        .map(|c| c.goto.span())
                })
                .unwrap_or_else(|| s.id.span());
            cx.err(
                diags,
                span,
                format!("branches loop: {}", names.join(" → ")),
                "a walkthrough must always move towards its end; branch forward or to \"end\"",
            );
            return;
        }
    }
}

fn compile_trigger(cx: &Cx, t: &Spanned<toml::Value>, diags: &mut Vec<Diagnostic>) -> Trigger {
    let hint = "use \"manual\", \"auto_first_visit\", or { type = \"on_element\" | \"on_error\", target = [...], text = \"...\" }";
    match t.get_ref() {
        toml::Value::String(s) if s == "manual" => Trigger::Manual,
        toml::Value::String(s) if s == "auto_first_visit" => Trigger::AutoFirstVisit,
        toml::Value::String(s) => {
            cx.err(diags, t.span(), format!("unknown trigger `{s}`"), hint);
            Trigger::Manual
        }
        toml::Value::Table(table) => {
            let kind = table.get("type").and_then(|v| v.as_str()).unwrap_or("");
            let unknown: Vec<_> = table
                .keys()
                .filter(|k| !["type", "target", "text"].contains(&k.as_str()))
                .collect();
            if let Some(k) = unknown.first() {
                cx.err(
                    diags,
                    t.span(),
                    format!("unknown trigger field `{k}`"),
                    hint,
                );
            }
            let mut target = Vec::new();
            match table.get("target").and_then(|v| v.as_array()) {
                Some(a) if !a.is_empty() => {
                    for v in a {
                        match v.as_str().map(parse_target) {
                            Some(Ok(x)) => target.push(x),
                            Some(Err(why)) => cx.err(
                                diags,
                                t.span(),
                                format!("trigger selector `{}` does not parse: {why}", v),
                                "use CSS, `aria/Name[role=\"alert\"]` or `text/Visible text`",
                            ),
                            None => {
                                cx.err(diags, t.span(), "trigger targets are strings".into(), hint)
                            }
                        }
                    }
                }
                _ => cx.err(
                    diags,
                    t.span(),
                    "an element trigger needs `target = [...]`".into(),
                    "name the element that starts it, like [\"[role=alert]\"]",
                ),
            }
            let text = table
                .get("text")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            match kind {
                "on_element" => Trigger::OnElement { target, text },
                "on_error" => Trigger::OnError { target, text },
                _ => {
                    cx.err(
                        diags,
                        t.span(),
                        format!("unknown trigger type `{kind}`"),
                        hint,
                    );
                    Trigger::Manual
                }
            }
        }
        other => {
            cx.err(
                diags,
                t.span(),
                format!("a trigger is a name or a table, not {}", other.type_str()),
                hint,
            );
            Trigger::Manual
        }
    }
}

fn compile_check(cx: &Cx, c: &CheckSrc, diags: &mut Vec<Diagnostic>) -> Check {
    let pass_score = match &c.pass_score {
        None => 0.8,
        Some(p) if (0.0..=1.0).contains(p.get_ref()) => *p.get_ref() as f32,
        Some(p) => {
            cx.err(
                diags,
                p.span(),
                format!(
                    "`pass_score` is {}; it is a fraction from 0 to 1",
                    p.get_ref()
                ),
                "for 80 %, write 0.8",
            );
            0.8
        }
    };
    if c.questions.get_ref().is_empty() {
        cx.err(
            diags,
            c.questions.span(),
            "a check needs at least one question".into(),
            "add a [[check.questions]] table",
        );
    }
    let mut questions = Vec::new();
    for q in c.questions.get_ref() {
        if q.prompt.get_ref().trim().is_empty() {
            cx.err(
                diags,
                q.prompt.span(),
                "the question is empty".into(),
                "ask something the walkthrough taught",
            );
        }
        let choices: Vec<String> = q
            .choices
            .get_ref()
            .iter()
            .map(|c| c.trim().to_string())
            .collect();
        if choices.len() < 2 {
            cx.err(
                diags,
                q.choices.span(),
                "a question needs at least two choices".into(),
                "add the wrong answers too",
            );
        }
        let mut correct = Vec::new();
        for a in &q.correct {
            match choices.iter().position(|c| c == a.get_ref().trim()) {
                Some(i) => correct.push(i),
                None => cx.err(
                    diags,
                    a.span(),
                    format!("`{}` is not one of the choices", a.get_ref()),
                    "copy the right answer exactly from `choices`",
                ),
            }
        }
        if q.correct.is_empty() {
            cx.err(
                diags,
                q.prompt.span(),
                "the question has no correct answer".into(),
                "add `correct = [\"...\"]` with the right choice",
            );
        }
        questions.push(Question {
            prompt: q.prompt.get_ref().trim().to_string(),
            choices,
            correct,
        });
    }
    Check {
        pass_score,
        questions,
    }
}

/// One of the five moments, or a diagnostic at `span`.
fn parse_moment(
    file: &str,
    text: &str,
    value: &str,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Moment> {
    let moment = Moment::parse(value);
    if moment.is_none() {
        diags.push(Diagnostic::at(
            file,
            text,
            span,
            format!("unknown moment `{value}`"),
            Some("use one of: new, more, apply, change, solve".into()),
        ));
    }
    moment
}

fn check_id(file: &str, text: &str, id: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
    let v = id.get_ref();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        diags.push(Diagnostic::at(
            file,
            text,
            id.span(),
            format!("id `{v}` is not a valid id"),
            Some("use 1 to 64 lowercase letters, digits, `-` or `_`, like \"create-deal\"".into()),
        ));
    }
}

/// Parses an authored target and, for CSS, checks the selector with a real
/// CSS parser (the one Servo uses), so a typo fails the build, not the tour.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let t = Target::parse(s)?;
    let check = |css: &str| {
        scraper::Selector::parse(css)
            .map(|_| ())
            .map_err(|e| format!("`{css}`: {}", e.to_string().to_lowercase()))
    };
    match &t {
        Target::Css(css) | Target::Pierce(css) => {
            scraper::Selector::parse(css).map_err(|e| e.to_string().to_lowercase())?;
        }
        Target::Path { hops, css } => {
            hops.iter().try_for_each(|h| check(h))?;
            check(css)?;
        }
        Target::Aria { .. } | Target::Text(_) => {}
    }
    Ok(t)
}

/// Turns serde/toml messages into author language with a hint.
fn explain_toml_error(msg: &str) -> (String, Option<String>) {
    let msg = msg.trim().to_string();
    if msg.starts_with("unknown field") {
        let hint = "check the spelling; the fields are listed in the README's content reference"
            .to_string();
        return (msg, Some(hint));
    }
    if msg.starts_with("missing field") {
        return (
            msg,
            Some("add the field; see walkthroughs/library for complete examples".into()),
        );
    }
    (
        msg,
        Some("this is not valid TOML for a walkthrough; compare with walkthroughs/library".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "create-deal"
title = "Create a deal"
moment = "apply"
owner = "crm-team"
review_by = 2027-01-31
applies_to = ["/crm/deals*"]

[[steps]]
id = "open"
title = "Open the form"
body = "Click **New deal**."
target = ["[data-testid=new-deal]", "aria/New deal[role=\"button\"]", "text/New deal"]

[[steps]]
id = "done"
title = "That's it"
"#;

    fn one(text: &str) -> Result<Library, Vec<Diagnostic>> {
        compile(&[("a.toml".into(), text.into())])
    }

    #[test]
    fn compiles_a_walkthrough() {
        let lib = one(GOOD).unwrap();
        let w = &lib.walkthroughs[0];
        assert_eq!(w.steps.len(), 2);
        assert_eq!(w.steps[0].advance, Advance::Click);
        assert_eq!(w.steps[1].advance, Advance::Next);
        assert_eq!(w.steps[0].target.len(), 3);
        assert_eq!(w.version, version_of(&GOOD.replace('\n', "\r\n")));
    }

    fn first_error(text: &str) -> Diagnostic {
        one(text).unwrap_err().remove(0)
    }

    #[test]
    fn unknown_field_points_at_it() {
        let d =
            first_error(&GOOD.replace("title = \"Open the form\"", "titel = \"Open the form\""));
        assert!(d.message.contains("unknown field `titel`"), "{d}");
        assert_eq!((d.line, d.col), (11, 1), "{d}");
    }

    #[test]
    fn missing_field_is_named() {
        let d = first_error(&GOOD.replace("moment = \"apply\"\n", ""));
        assert!(d.message.contains("missing field `moment`"), "{d}");
    }

    #[test]
    fn bad_selector_points_at_the_string() {
        let d = first_error(&GOOD.replace("[data-testid=new-deal]", "[data-testid=new-deal]]"));
        assert!(d.message.contains("does not parse"), "{d}");
        assert_eq!((d.line, d.col), (13, 11), "{d}");
        assert!(d.to_string().contains("help: use CSS"));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let bad = GOOD
            .replace("apply\"", "sometimes\"")
            .replace("id = \"done\"", "id = \"Done!\"");
        let diags = one(&bad).unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
    }

    #[test]
    fn raw_html_in_body_is_an_error_at_its_place() {
        let d = first_error(&GOOD.replace("Click **New deal**.", "Click <b>New deal</b>."));
        assert!(d.message.contains("raw HTML"), "{d}");
        assert_eq!((d.line, d.col), (12, 15), "{d}");
    }

    #[test]
    fn duplicate_ids_across_files() {
        let diags = compile(&[
            ("a.toml".into(), GOOD.into()),
            ("b.toml".into(), GOOD.into()),
        ])
        .unwrap_err();
        assert!(diags[0]
            .message
            .contains("duplicate id `create-deal` (also in a.toml)"));
        assert_eq!(diags[0].file, "b.toml");
    }

    const ARTICLE: &str = "+++\nid = \"vpn-timeout\"\ntitle = \"Fix a VPN timeout error\"\nmoment = \"solve\"\ntags = [\"it\"]\nowner = \"it\"\nreview_by = \"2027-01-01\"\n+++\n\nRenew your **token**, then reconnect.\n";

    #[test]
    fn compiles_articles_and_synonyms() {
        let lib = compile(&[
            ("a.toml".into(), GOOD.into()),
            ("kb/vpn.md".into(), ARTICLE.into()),
            (
                "synonyms.toml".into(),
                "groups = [[\"vpn\", \"tunnel\"]]\n".into(),
            ),
        ])
        .unwrap();
        assert_eq!(lib.articles[0].id, "vpn-timeout");
        assert_eq!(
            lib.articles[0].body.plain_text(),
            "Renew your token, then reconnect."
        );
        assert_eq!(
            lib.synonyms,
            vec![vec!["vpn".to_string(), "tunnel".to_string()]]
        );
    }

    #[test]
    fn article_errors_point_into_the_file() {
        let bad = ARTICLE.replace("moment = \"solve\"", "moment = \"later\"");
        let d = compile(&[("vpn.md".into(), bad)]).unwrap_err().remove(0);
        assert_eq!((d.line, d.col), (4, 10), "{d}");
        let bad = ARTICLE.replace("Renew", "<script>x</script> Renew");
        let d = compile(&[("vpn.md".into(), bad)]).unwrap_err().remove(0);
        assert!(d.message.contains("raw HTML"), "{d}");
        assert_eq!(d.line, 10, "{d}");
        let d = compile(&[("vpn.md".into(), "no front matter".into())])
            .unwrap_err()
            .remove(0);
        assert!(d.message.contains("front matter"), "{d}");
    }

    #[test]
    fn click_without_target_and_bad_rules() {
        let bad = GOOD.replace(
            "title = \"That's it\"",
            "title = \"That's it\"\nadvance = \"click\"\nplacement = \"middle\"",
        );
        let diags = one(&bad).unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
    }

    fn messages(r: Result<Library, Vec<Diagnostic>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn governance_fields_are_required_and_checked() {
        let m = messages(one(&GOOD.replace("owner = \"crm-team\"\n", "")));
        assert_eq!(m, vec!["missing field `owner`"]);
        let m = messages(one(&GOOD.replace("review_by = 2027-01-31\n", "")));
        assert_eq!(m, vec!["`review_by` is required for apply content"]);
        // More content needs no review date.
        assert!(one(&GOOD
            .replace("review_by = 2027-01-31\n", "")
            .replace("\"apply\"", "\"more\""))
        .is_ok());
        let m = messages(one(&GOOD.replace("2027-01-31", "\"2027-02-30\"")));
        assert!(m[0].contains("`review_by` is not a date"), "{m:?}");
        let m = messages(one(&GOOD.replace("2027-01-31", "\"next spring\"")));
        assert!(m[0].contains("not a date"), "{m:?}");
        let m = messages(one(
            &GOOD.replace("owner =", "status = \"published\"\nowner =")
        ));
        assert!(m[0].contains("unknown status `published`"), "{m:?}");
        let regulated = GOOD.replace(
            "owner =",
            "audience = { roles = [\"cashier\"], regulated = true }\nowner =",
        );
        let m = messages(one(&regulated));
        assert!(m[0].contains("compliance_signoff"), "{m:?}");
        let signed = regulated.replace(
            "owner =",
            "compliance_signoff = \"J. Ortiz, 2026-11-02\"\nowner =",
        );
        let lib = one(&signed).unwrap();
        let meta = &lib.walkthroughs[0].meta;
        assert_eq!(meta.status, Status::Draft);
        assert_eq!(
            meta.review_by.map(|d| d.to_string()),
            Some("2027-01-31".into())
        );
        assert!(meta.audience.regulated);
    }

    const BRANCHY: &str = r#"
id = "refund"
title = "Refund an order"
moment = "more"
owner = "pos"

[[steps]]
id = "ask"
title = "How did they pay?"
[[steps.choices]]
label = "Card"
goto = "card"
[[steps.choices]]
label = "Cash"
goto = "cash"

[[steps]]
id = "card"
title = "Refund to the card"
branch = "end"

[[steps]]
id = "cash"
title = "Refund in cash"
"#;

    #[test]
    fn branches_compile_and_bad_ones_are_refused() {
        let lib = one(BRANCHY).unwrap();
        let w = &lib.walkthroughs[0];
        assert_eq!(w.successors(0), vec![1, 2]);
        assert_eq!(w.successors(1), Vec::<usize>::new());
        assert_eq!(w.steps[1].branch, Branch::End);
        let m = messages(one(&BRANCHY.replace("goto = \"cash\"", "goto = \"kash\"")));
        assert!(m[0].contains("there is no step `kash`"), "{m:?}");
        let looped = BRANCHY.replace("branch = \"end\"", "branch = \"ask\"");
        let d = one(&looped).unwrap_err().remove(0);
        assert_eq!(d.message, "branches loop: ask → card → ask");
        assert_eq!(d.line, 20, "{d}");
        let m = messages(one(
            &BRANCHY.replace("branch = \"end\"", "branch = \"card\"")
        ));
        assert!(m[0].contains("branches to itself"), "{m:?}");
        let m = messages(one(&BRANCHY
            .replace("id = \"cash\"", "id = \"end\"")
            .replace("goto = \"cash\"", "goto = \"end\"")));
        assert!(m[0].contains("reserved"), "{m:?}");
    }

    #[test]
    fn checks_compile_and_wrong_answers_are_refused() {
        let with = format!(
            "{BRANCHY}\n[check]\npass_score = 0.5\n[[check.questions]]\nprompt = \"Cash refunds need?\"\nchoices = [\"A manager\", \"Nothing\"]\ncorrect = [\"A manager\"]\n"
        );
        let lib = one(&with).unwrap();
        let c = lib.walkthroughs[0].check.as_ref().unwrap();
        assert_eq!(c.questions[0].correct, vec![0]);
        assert_eq!(c.pass_score, 0.5);
        let m = messages(one(
            &with.replace("correct = [\"A manager\"]", "correct = [\"a boss\"]")
        ));
        assert!(m[0].contains("`a boss` is not one of the choices"), "{m:?}");
        let m = messages(one(&with.replace("0.5", "80.0")));
        assert!(m[0].contains("fraction"), "{m:?}");
    }

    #[test]
    fn triggers() {
        let t = GOOD.replace("owner =", "trigger = { type = \"on_error\", target = [\"[role=alert]\"], text = \"declined\" }\nowner =");
        let lib = one(&t).unwrap();
        assert!(
            matches!(&lib.walkthroughs[0].trigger, Trigger::OnError { text: Some(x), .. } if x == "declined")
        );
        let m = messages(one(
            &GOOD.replace("owner =", "trigger = \"sometimes\"\nowner =")
        ));
        assert!(m[0].contains("unknown trigger `sometimes`"), "{m:?}");
    }

    const CONFIG: &str = "[locales]\nsource = \"en\"\ntranslations = [\"fr\", \"fr-CA\", \"de\"]\n[locales.fallback]\nfr-CA = \"fr\"\nde = \"en\"\n";

    #[test]
    fn translations_fall_back_or_must_be_complete() {
        let fr = "\n[translations.fr]\ntitle = \"Créer une affaire\"\n[translations.fr.steps.open]\ntitle = \"Ouvrir\"\nbody = \"Cliquez **Nouveau**.\"\n[translations.fr.steps.done]\ntitle = \"Fini\"\n";
        let ok = compile(&[
            ("waymark.toml".into(), CONFIG.into()),
            ("a.toml".into(), format!("{GOOD}{fr}")),
        ])
        .unwrap();
        let w = &ok.walkthroughs[0];
        assert_eq!(
            w.translations["fr"].steps["open"].title.as_deref(),
            Some("Ouvrir")
        );
        assert_eq!(ok.locales.chain("fr-CA"), vec!["fr-CA", "fr", "en"]);
        assert_eq!(ok.locales.chain("de-AT"), vec!["de", "en"]);
        assert_eq!(ok.locales.chain("ja"), vec!["en"]);
        // fr has no fallback: a missing string is an error at its table.
        let partial = fr.replace("[translations.fr.steps.done]\ntitle = \"Fini\"\n", "");
        let d = compile(&[
            ("waymark.toml".into(), CONFIG.into()),
            ("a.toml".into(), format!("{GOOD}{partial}")),
        ])
        .unwrap_err()
        .remove(0);
        assert!(
            d.message
                .contains("translation `fr` is missing step `done` title"),
            "{d}"
        );
        // fr-CA inherits from fr, which lacks it too.
        let d = compile(&[
            ("waymark.toml".into(), CONFIG.into()),
            (
                "a.toml".into(),
                format!("{GOOD}{partial}\n[translations.fr-CA]\ntitle = \"Créer\"\n"),
            ),
        ])
        .unwrap_err();
        assert!(
            d.iter().any(|d| d.message.contains(
                "translation `fr-CA` is missing step `done` title (nor does its fallback chain fr)"
            )),
            "{d:?}"
        );
        // A translation into a locale the settings do not list.
        let m = messages(compile(&[("a.toml".into(), format!("{GOOD}{fr}"))]));
        assert!(m[0].contains("does not list"), "{m:?}");
        // Fallback loops are refused in the settings.
        let m = messages(compile(&[(
            "waymark.toml".into(),
            "[locales]\ntranslations = [\"fr\", \"fr-CA\"]\n[locales.fallback]\nfr = \"fr-CA\"\nfr-CA = \"fr\"\n".into(),
        )]));
        assert!(m[0].contains("loop"), "{m:?}");
    }

    #[test]
    fn settings_are_checked() {
        let m = messages(compile(&[(
            "waymark.toml".into(),
            "review_cycle_days = 0\n[media]\nallow = [\"https://x.example/\"]\n[bundle]\nscope = [\"crm.acme.example\"]\n".into(),
        )]));
        assert_eq!(m.len(), 3, "{m:?}");
        let p = compile_project(&[(
            "waymark.toml".into(),
            "[media]\nallow = [\"media.acme.example\"]\n[bundle]\nscope = [\"https://*.acme.example\"]\nexpires_after_days = 30\n".into(),
        )])
        .unwrap();
        assert_eq!(p.config.scope, vec!["https://*.acme.example"]);
        assert_eq!(p.config.expires_after_days, 30);
        let img = GOOD.replace(
            "Click **New deal**.",
            "![The form](https://media.acme.example/f.png)",
        );
        let m = messages(compile(&[("a.toml".into(), img.clone())]));
        assert!(m[0].contains("not from an allowed host"), "{m:?}");
        assert!(compile(&[
            (
                "waymark.toml".into(),
                "[media]\nallow = [\"media.acme.example\"]\n".into()
            ),
            ("a.toml".into(), img),
        ])
        .is_ok());
    }

    #[test]
    fn environments_choose_what_ships() {
        let draft = GOOD.to_string();
        let approved = GOOD
            .replace("create-deal", "approved-one")
            .replace("owner =", "status = \"approved\"\nowner =");
        let retired = GOOD
            .replace("create-deal", "old-one")
            .replace("owner =", "status = \"retired\"\nowner =");
        let lib = compile(&[
            ("a.toml".into(), draft),
            ("b.toml".into(), approved),
            ("c.toml".into(), retired),
        ])
        .unwrap();
        let ids = |l: &Library| {
            l.walkthroughs
                .iter()
                .map(|w| w.id.clone())
                .collect::<Vec<_>>()
        };
        let (staging, left) = lib.for_env(crate::content::Env::Staging);
        assert_eq!(ids(&staging), vec!["create-deal", "approved-one"]);
        assert_eq!(left, vec![("old-one".to_string(), Status::Retired)]);
        let (prod, left) = lib.for_env(crate::content::Env::Production);
        assert_eq!(ids(&prod), vec!["approved-one"]);
        assert_eq!(left.len(), 2);
    }

    #[test]
    fn hostile_inputs_are_errors_not_panics() {
        let deep = GOOD.replace("Click **New deal**.", &"> ".repeat(300));
        assert!(messages(one(&deep))[0].contains("nested"));
        let nul = GOOD.replace("Create a deal", "Create\u{0}a deal");
        assert!(one(&nul).is_err());
        assert!(one("[[[").is_err());
        assert!(one("").is_err());
        let big = format!("{GOOD}\n# {}\n", "x".repeat(100_000));
        assert!(one(&big).is_ok());
    }

    #[test]
    fn every_schema_generates() {
        let s = schemas();
        assert_eq!(s.len(), 4);
        let w = serde_json::to_string(&s[0].1).unwrap();
        assert!(w.contains("\"owner\"") && w.contains("review_by"), "{w}");
    }

    mod round_trip {
        use super::*;
        use crate::bundle;
        use proptest::prelude::*;

        /// Any text an author might type in a title: letters, punctuation,
        /// quotes, backslashes, emoji, right-to-left script.
        fn text() -> impl Strategy<Value = String> {
            "[A-Za-z0-9 ,.!?'\"\\\\()\\-é€日本🙂שלום]{1,40}"
                .prop_filter("not blank", |s| !s.trim().is_empty())
        }

        fn walkthrough_source(
            id: usize,
            title: String,
            steps: Vec<(String, String)>,
            fr: Option<String>,
        ) -> String {
            let mut doc = toml::Table::new();
            doc.insert("id".into(), format!("w{id}").into());
            doc.insert("title".into(), title.into());
            doc.insert("moment".into(), "more".into());
            doc.insert("owner".into(), "team".into());
            doc.insert("status".into(), "approved".into());
            let steps: Vec<toml::Value> = steps
                .into_iter()
                .enumerate()
                .map(|(i, (t, b))| {
                    let mut st = toml::Table::new();
                    st.insert("id".into(), format!("s{i}").into());
                    st.insert("title".into(), t.into());
                    st.insert("body".into(), b.into());
                    st.into()
                })
                .collect();
            doc.insert("steps".into(), steps.into());
            if let Some(fr) = fr {
                let mut t = toml::Table::new();
                let mut fr_t = toml::Table::new();
                fr_t.insert("title".into(), fr.into());
                t.insert("fr".into(), fr_t.into());
                doc.insert("translations".into(), t.into());
            }
            toml::to_string(&doc).unwrap()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            /// Build, read back, same content: whatever the author wrote
            /// comes out of the bundle exactly as it was compiled.
            #[test]
            fn build_then_read_back_gives_the_same_content(
                items in proptest::collection::vec(
                    (text(), proptest::collection::vec((text(), text()), 1..4), proptest::option::of(text())),
                    1..5,
                )
            ) {
                let mut sources = vec![(
                    "waymark.toml".to_string(),
                    "[locales]\ntranslations = [\"fr\"]\n[locales.fallback]\nfr = \"en\"\n[bundle]\nscope = [\"https://a.example\"]\n".to_string(),
                )];
                for (i, (title, steps, fr)) in items.iter().enumerate() {
                    sources.push((format!("w{i}.toml"), walkthrough_source(i, title.clone(), steps.clone(), fr.clone())));
                }
                let project = compile_project(&sources).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
                let lib = project.library;
                for (w, (title, steps, _)) in lib.walkthroughs.iter().zip(&items) {
                    prop_assert_eq!(&w.title, title.trim());
                    prop_assert_eq!(w.steps.len(), steps.len());
                }
                let m = bundle::Manifest::describe(&lib, 7, 0, 100, crate::content::Env::Production, project.config.scope.clone());
                let bytes = bundle::write_with(&lib, &m).unwrap();
                let back = bundle::read_unverified(&bytes).unwrap();
                prop_assert_eq!(&back.library, &lib);
                prop_assert_eq!(&back.manifest, &m);
                // And the search index built with it finds every title.
                let index = crate::search::SearchIndex::open(&back.search[..]).unwrap();
                prop_assert_eq!(index.len(), lib.walkthroughs.len());
            }
        }
    }
}
