//! A [`Record`] as an xAPI 1.0.3 statement ([`statement`]), and the
//! statement shape read back by `waymark report` ([`Statement`]).
//!
//! ```text
//!   actor    Agent, account { homePage: HOME_PAGE, name: pseudonym }
//!   verb     from the ADL registry, cmi5, the TinCan registry or Activity
//!            Streams (VERBS says which), else Waymark's own (NS/verbs/…)
//!   object   NS/content/walkthroughs/<id>[/steps/<step>|/check[/<n>]]
//!            NS/content/articles/<id>, NS/search
//!   result   success, completion, score.scaled, response (the scrubbed query)
//!   context  registration (one walkthrough attempt), language, platform,
//!            contextActivities.parent (a step's walkthrough),
//!            extensions NS/extensions/<name> (versions, screen, ...)
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::{self, Actor, HOME_PAGE};
use super::record::*;

/// Waymark's namespace for what no published vocabulary names.
pub const NS: &str = "https://waymark.dev/xapi";

/// A verb: its IRI, its display name, and where it is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerbDef {
    pub iri: &'static str,
    pub display: &'static str,
    pub source: &'static str,
}

const fn verb(iri: &'static str, display: &'static str, source: &'static str) -> VerbDef {
    VerbDef {
        iri,
        display,
        source,
    }
}

pub const LAUNCHED: VerbDef = verb(
    "http://adlnet.gov/expapi/verbs/launched",
    "launched",
    "ADL registry",
);
pub const EXPERIENCED: VerbDef = verb(
    "http://adlnet.gov/expapi/verbs/experienced",
    "experienced",
    "ADL registry",
);
pub const COMPLETED: VerbDef = verb(
    "http://adlnet.gov/expapi/verbs/completed",
    "completed",
    "ADL registry",
);
pub const SKIPPED: VerbDef = verb(
    "http://id.tincanapi.com/verb/skipped",
    "skipped",
    "TinCan registry",
);
pub const ABANDONED: VerbDef = verb(
    "https://w3id.org/xapi/adl/verbs/abandoned",
    "abandoned",
    "cmi5",
);
pub const VIEWED: VerbDef = verb(
    "http://id.tincanapi.com/verb/viewed",
    "viewed",
    "TinCan registry",
);
pub const SEARCHED: VerbDef = verb(
    "https://w3id.org/xapi/acrossx/verbs/searched",
    "searched",
    "AcrossX profile",
);
pub const OFFERED: VerbDef = verb(
    "http://activitystrea.ms/schema/1.0/receive",
    "received",
    "Activity Streams 1.0",
);
pub const ACCEPTED: VerbDef = verb(
    "http://activitystrea.ms/schema/1.0/accept",
    "accepted",
    "Activity Streams 1.0",
);
pub const DECLINED: VerbDef = verb(
    "http://activitystrea.ms/schema/1.0/reject",
    "rejected",
    "Activity Streams 1.0",
);
pub const ANSWERED: VerbDef = verb(
    "http://adlnet.gov/expapi/verbs/answered",
    "answered",
    "ADL registry",
);
pub const PASSED: VerbDef = verb(
    "http://adlnet.gov/expapi/verbs/passed",
    "passed",
    "ADL registry",
);
pub const FAILED: VerbDef = verb(
    "http://adlnet.gov/expapi/verbs/failed",
    "failed",
    "ADL registry",
);
pub const TARGET_MISSING: VerbDef = verb(
    "https://waymark.dev/xapi/verbs/missed-target",
    "could not find the target of",
    "Waymark",
);
pub const TARGET_AMBIGUOUS: VerbDef = verb(
    "https://waymark.dev/xapi/verbs/ambiguous-target",
    "found several targets for",
    "Waymark",
);
pub const STOPPED: VerbDef = verb(
    "https://waymark.dev/xapi/verbs/stopped",
    "had guidance stopped on",
    "Waymark",
);

/// Every verb Waymark sends (docs/analytics.md lists them from here).
pub const VERBS: &[VerbDef] = &[
    LAUNCHED,
    EXPERIENCED,
    COMPLETED,
    SKIPPED,
    ABANDONED,
    VIEWED,
    SEARCHED,
    OFFERED,
    ACCEPTED,
    DECLINED,
    ANSWERED,
    PASSED,
    FAILED,
    TARGET_MISSING,
    TARGET_AMBIGUOUS,
    STOPPED,
];

/// Activity types.
pub const COURSE: &str = "http://adlnet.gov/expapi/activities/course";
pub const MODULE: &str = "http://adlnet.gov/expapi/activities/module";
pub const ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";
pub const QUESTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
pub const PAGE: &str = "http://activitystrea.ms/schema/1.0/page";
pub const SEARCH: &str = "https://waymark.dev/xapi/activities/search";

/// Extension keys (`context.extensions` and `result.extensions`).
pub mod ext {
    pub const CONTENT_VERSION: &str = "https://waymark.dev/xapi/extensions/content-version";
    pub const BUNDLE_VERSION: &str = "https://waymark.dev/xapi/extensions/bundle-version";
    pub const ENVIRONMENT: &str = "https://waymark.dev/xapi/extensions/environment";
    pub const ORIGIN: &str = "https://waymark.dev/xapi/extensions/origin";
    pub const SCREEN: &str = "https://waymark.dev/xapi/extensions/screen";
    pub const STEP_INDEX: &str = "https://waymark.dev/xapi/extensions/step-index";
    pub const STEPS: &str = "https://waymark.dev/xapi/extensions/steps";
    pub const HOW: &str = "https://waymark.dev/xapi/extensions/how";
    pub const FROM: &str = "https://waymark.dev/xapi/extensions/launched-from";
    pub const RESULTS: &str = "https://waymark.dev/xapi/extensions/results";
    pub const POSITION: &str = "https://waymark.dev/xapi/extensions/position";
    pub const OPENED: &str = "https://waymark.dev/xapi/extensions/opened";
    pub const REASON: &str = "https://waymark.dev/xapi/extensions/reason";
}

/// An xAPI statement, as Waymark writes it and `waymark report` reads it
/// (unknown fields an LRS adds, `stored`, `authority`, `version`, are
/// ignored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub id: String,
    pub actor: Agent,
    pub verb: Verb,
    pub object: Activity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<XResult>,
    #[serde(default)]
    pub context: Context,
    pub timestamp: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    #[serde(rename = "objectType", default = "agent")]
    pub object_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbox: Option<String>,
}

fn agent() -> String {
    "Agent".into()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    #[serde(rename = "homePage")]
    pub home_page: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verb {
    pub id: String,
    #[serde(default)]
    pub display: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    #[serde(rename = "objectType", default = "activity")]
    pub object_type: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Definition>,
}

fn activity() -> String {
    "Activity".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct XResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, Ext>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub scaled: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(
        rename = "contextActivities",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub context_activities: Option<ContextActivities>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, Ext>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContextActivities {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parent: Vec<Activity>,
}

/// An extension value: Waymark writes strings and whole numbers; anything
/// else an LRS holds reads as `Other` and is ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Ext {
    Int(u64),
    Text(String),
    Other(Ignored),
}

/// Any JSON value, skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored;

impl Serialize for Ignored {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for Ignored {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ignored, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Ignored)
    }
}

impl Ext {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Ext::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Ext::Int(n) => Some(*n),
            _ => None,
        }
    }
}

/// Percent-encodes what an IRI path segment cannot hold as is.
fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The activity IRI of a walkthrough or an article.
pub fn content_iri(kind: ContentKind, id: &str) -> String {
    let k = match kind {
        ContentKind::Walkthrough => "walkthroughs",
        ContentKind::Article => "articles",
    };
    format!("{NS}/content/{k}/{}", seg(id))
}

fn act(id: String, kind: &str) -> Activity {
    Activity {
        object_type: activity(),
        id,
        definition: Some(Definition {
            kind: Some(kind.to_string()),
        }),
    }
}

/// The record's content as an activity (a walkthrough is a course, an
/// article a page).
fn content_activity(c: &ContentRef) -> Activity {
    let kind = match c.kind {
        ContentKind::Walkthrough => COURSE,
        ContentKind::Article => PAGE,
    };
    act(content_iri(c.kind, &c.id), kind)
}

/// `record`, made at `at` (ms since the epoch; `seq` tells apart records
/// made in the same millisecond) by `actor`, as a statement.
pub fn statement(record: &Record, at: u64, seq: u64, actor: &Actor) -> Statement {
    let content = record.content.as_ref();
    let whole = content.map(content_activity);
    let whole_iri = whole.as_ref().map(|a| a.id.clone()).unwrap_or_default();
    let step = |step: &str| act(format!("{whole_iri}/steps/{}", seg(step)), MODULE);
    let mut result = XResult::default();
    let mut x = BTreeMap::new();
    let mut parent = true;
    let (verb, object) = match &record.what {
        What::Launched { from } => {
            x.insert(ext::FROM, Ext::Text(from.name().into()));
            parent = false;
            (LAUNCHED, whole.clone())
        }
        What::StepShown { step: s, index, of } => {
            x.insert(ext::STEP_INDEX, Ext::Int(*index as u64));
            x.insert(ext::STEPS, Ext::Int(*of as u64));
            (EXPERIENCED, Some(step(s)))
        }
        What::StepCompleted {
            step: s,
            index,
            how,
        } => {
            x.insert(ext::STEP_INDEX, Ext::Int(*index as u64));
            x.insert(ext::HOW, Ext::Text(how.name().into()));
            result.completion = Some(true);
            (COMPLETED, Some(step(s)))
        }
        What::StepSkipped {
            step: s,
            index,
            why,
        } => {
            x.insert(ext::STEP_INDEX, Ext::Int(*index as u64));
            x.insert(ext::HOW, Ext::Text(why.name().into()));
            (SKIPPED, Some(step(s)))
        }
        What::TargetMissing { step: s, index } => {
            x.insert(ext::STEP_INDEX, Ext::Int(*index as u64));
            (TARGET_MISSING, Some(step(s)))
        }
        What::TargetAmbiguous { step: s, index } => {
            x.insert(ext::STEP_INDEX, Ext::Int(*index as u64));
            (TARGET_AMBIGUOUS, Some(step(s)))
        }
        What::Completed { steps } => {
            x.insert(ext::STEPS, Ext::Int(*steps as u64));
            result.completion = Some(true);
            parent = false;
            (COMPLETED, whole.clone())
        }
        What::Abandoned { step: s, index } => {
            x.insert(ext::STEP_INDEX, Ext::Int(*index as u64));
            x.insert(ext::OPENED, Ext::Text(s.clone()));
            result.completion = Some(false);
            parent = false;
            (ABANDONED, whole.clone())
        }
        What::ArticleOpened | What::ChangeSeen => {
            parent = false;
            (VIEWED, whole.clone())
        }
        What::Searched {
            query,
            results,
            opened,
            position,
        } => {
            result.response = Some(query.clone());
            result.success = Some(*results > 0);
            let r = &mut result.extensions;
            r.insert(ext::RESULTS.to_string(), Ext::Int(*results as u64));
            if let Some(o) = opened {
                r.insert(ext::OPENED.to_string(), Ext::Text(o.clone()));
            }
            if let Some(p) = position {
                r.insert(ext::POSITION.to_string(), Ext::Int(*p as u64));
            }
            (SEARCHED, Some(act(format!("{NS}/search"), SEARCH)))
        }
        What::SearchZero { query } => {
            result.response = Some(query.clone());
            result.success = Some(false);
            result
                .extensions
                .insert(ext::RESULTS.to_string(), Ext::Int(0));
            (SEARCHED, Some(act(format!("{NS}/search"), SEARCH)))
        }
        What::TriggerOffered => {
            parent = false;
            (OFFERED, whole.clone())
        }
        What::TriggerTaken => {
            parent = false;
            (ACCEPTED, whole.clone())
        }
        What::TriggerDeclined => {
            parent = false;
            (DECLINED, whole.clone())
        }
        What::Answered { question, correct } => {
            result.success = Some(*correct);
            (
                ANSWERED,
                Some(act(format!("{whole_iri}/check/{}", question + 1), QUESTION)),
            )
        }
        What::CheckCompleted { score, passed } => {
            result.success = Some(*passed);
            result.completion = Some(true);
            // f32 → f64 keeps the f32's binary noise (0.6666667 →
            // 0.6666666865348816); round to what the f32 meant.
            let scaled = (f64::from(*score) * 10_000.0).round() / 10_000.0;
            result.score = Some(Score { scaled });
            (
                if *passed { PASSED } else { FAILED },
                Some(act(format!("{whole_iri}/check"), ASSESSMENT)),
            )
        }
        What::GuidanceStopped { reason } => {
            x.insert(ext::REASON, Ext::Text(reason.clone()));
            parent = false;
            (
                STOPPED,
                whole
                    .clone()
                    .or_else(|| Some(act(format!("{NS}/guidance"), SEARCH))),
            )
        }
    };
    let object = object.unwrap_or_else(|| act(format!("{NS}/guidance"), SEARCH));
    let mut extensions: BTreeMap<String, Ext> =
        x.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let e = &mut extensions;
    if let Some(c) = content {
        e.insert(ext::CONTENT_VERSION.into(), Ext::Text(c.version.clone()));
    }
    e.insert(ext::BUNDLE_VERSION.into(), Ext::Int(record.bundle));
    if !record.environment.is_empty() {
        e.insert(
            ext::ENVIRONMENT.into(),
            Ext::Text(record.environment.clone()),
        );
    }
    e.insert(ext::ORIGIN.into(), Ext::Text(record.page.origin.clone()));
    if let Some(screen) = &record.page.screen {
        e.insert(ext::SCREEN.into(), Ext::Text(screen.clone()));
    }
    let registration = match (content, record.attempt) {
        (Some(c), Some(attempt)) => Some(ids::statement_id(&[
            "registration",
            &actor.name,
            &c.id,
            &attempt.to_string(),
        ])),
        _ => None,
    };
    let context = Context {
        registration,
        platform: Some("Waymark".into()),
        language: Some(record.locale.clone()).filter(|l| !l.is_empty()),
        context_activities: match (&whole, parent) {
            (Some(w), true) => Some(ContextActivities {
                parent: vec![w.clone()],
            }),
            _ => None,
        },
        extensions,
    };
    let timestamp = ids::timestamp(at);
    let id = ids::statement_id(&[
        &actor.name,
        verb.iri,
        &object.id,
        &timestamp,
        &seq.to_string(),
        record.kind(),
    ]);
    Statement {
        id,
        actor: Agent {
            object_type: agent(),
            name: actor.display.clone(),
            account: Some(Account {
                home_page: HOME_PAGE.into(),
                name: actor.name.clone(),
            }),
            mbox: None,
        },
        verb: Verb {
            id: verb.iri.into(),
            display: BTreeMap::from([("en-US".to_string(), verb.display.to_string())]),
        },
        object,
        result: Some(result).filter(|r| *r != XResult::default()),
        context,
        timestamp,
    }
}

/// One statement per kind of record, as `docs/analytics.md` shows them and
/// `core/tests/fixtures/xapi/statements.json` pins them (the e2e suite
/// posts these to a real LRS too).
pub fn examples() -> Vec<Statement> {
    let page = PageRef {
        origin: "https://crm.acme.example".into(),
        screen: Some("/crm/deals*".into()),
    };
    let walkthrough = ContentRef {
        kind: ContentKind::Walkthrough,
        id: "create-deal".into(),
        version: "3f9a1c2b".into(),
    };
    let step = |s: &str, i: usize| (s.to_string(), i);
    let (save, four) = step("save", 4);
    let whats = vec![
        What::Launched {
            from: LaunchedFrom::Panel,
        },
        What::StepShown {
            step: save.clone(),
            index: four,
            of: 5,
        },
        What::StepCompleted {
            step: save.clone(),
            index: four,
            how: StepDone::Click,
        },
        What::StepSkipped {
            step: save.clone(),
            index: four,
            why: Skipped::User,
        },
        What::TargetMissing {
            step: save.clone(),
            index: four,
        },
        What::TargetAmbiguous {
            step: save.clone(),
            index: four,
        },
        What::Completed { steps: 5 },
        What::Abandoned {
            step: save,
            index: four,
        },
        What::ArticleOpened,
        What::Searched {
            query: "refund [number]".into(),
            results: 3,
            opened: Some("refund-partial".into()),
            position: Some(1),
        },
        What::SearchZero {
            query: "vpn token".into(),
        },
        What::TriggerOffered,
        What::TriggerTaken,
        What::TriggerDeclined,
        What::Answered {
            question: 0,
            correct: true,
        },
        What::CheckCompleted {
            score: 0.75,
            passed: true,
        },
        What::CheckCompleted {
            score: 0.5,
            passed: false,
        },
        What::ChangeSeen,
        What::GuidanceStopped {
            reason: "the page removed the overlay 5 times in 10 s".into(),
        },
    ];
    let actor = Actor::pseudonym(b"example key", "ana@acme.example");
    whats
        .into_iter()
        .enumerate()
        .map(|(i, what)| {
            let (content, attempt) = match &what {
                What::Searched { .. } | What::SearchZero { .. } => (None, None),
                What::ArticleOpened => (
                    Some(ContentRef {
                        kind: ContentKind::Article,
                        id: "deal-stages".into(),
                        version: "77d0e4aa".into(),
                    }),
                    None,
                ),
                What::TriggerOffered | What::TriggerTaken | What::TriggerDeclined => {
                    (Some(walkthrough.clone()), None)
                }
                _ => (Some(walkthrough.clone()), Some(1_796_317_400_000)),
            };
            let record = Record {
                what,
                page: page.clone(),
                content,
                bundle: 12,
                environment: "production".into(),
                locale: "en".into(),
                attempt,
            };
            statement(&record, 1_796_317_445_123 + i as u64 * 1000, 0, &actor)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(what: What) -> Record {
        Record {
            what,
            page: PageRef {
                origin: "https://crm.acme.example".into(),
                screen: Some("/crm/deals*".into()),
            },
            content: Some(ContentRef {
                kind: ContentKind::Walkthrough,
                id: "create-deal".into(),
                version: "3f9a1c".into(),
            }),
            bundle: 12,
            environment: "production".into(),
            locale: "fr".into(),
            attempt: Some(1_796_317_400_000),
        }
    }

    const AT: u64 = 1_796_317_445_123;

    #[test]
    fn a_completed_step_is_a_statement_about_the_step_in_its_walkthrough() {
        let actor = Actor::pseudonym(b"key", "ana@acme.example");
        let st = statement(
            &record(What::StepCompleted {
                step: "save".into(),
                index: 4,
                how: StepDone::Click,
            }),
            AT,
            0,
            &actor,
        );
        assert_eq!(st.verb.id, COMPLETED.iri);
        assert_eq!(
            st.object.id,
            "https://waymark.dev/xapi/content/walkthroughs/create-deal/steps/save"
        );
        assert_eq!(st.timestamp, "2026-12-03T17:04:05.123Z");
        assert_eq!(st.actor.account.as_ref().unwrap().name, actor.name);
        assert_eq!(st.actor.name, None, "no names unless policy opts in");
        let parent = &st.context.context_activities.as_ref().unwrap().parent;
        assert_eq!(
            parent[0].id,
            "https://waymark.dev/xapi/content/walkthroughs/create-deal"
        );
        let x = &st.context.extensions;
        assert_eq!(x[ext::CONTENT_VERSION], Ext::Text("3f9a1c".into()));
        assert_eq!(x[ext::BUNDLE_VERSION], Ext::Int(12));
        assert_eq!(x[ext::STEP_INDEX], Ext::Int(4));
        assert_eq!(x[ext::HOW], Ext::Text("click".into()));
        assert_eq!(x[ext::SCREEN], Ext::Text("/crm/deals*".into()));
        assert_eq!(st.context.language.as_deref(), Some("fr"));
        // One attempt, one registration, whatever the verb.
        let launched = statement(
            &record(What::Launched {
                from: LaunchedFrom::Trigger,
            }),
            AT - 30_000,
            0,
            &actor,
        );
        assert_eq!(launched.context.registration, st.context.registration);
        assert!(launched.context.context_activities.is_none());
        assert_eq!(launched.object.id, parent[0].id);
    }

    #[test]
    fn ids_are_deterministic_and_tell_apart_what_differs() {
        let actor = Actor::pseudonym(b"key", "ana");
        let r = record(What::Completed { steps: 5 });
        let a = statement(&r, AT, 0, &actor);
        assert_eq!(
            a,
            statement(&r, AT, 0, &actor),
            "same record, same statement"
        );
        assert_ne!(a.id, statement(&r, AT, 1, &actor).id);
        assert_ne!(a.id, statement(&r, AT + 1, 0, &actor).id);
        assert_ne!(
            a.id,
            statement(&r, AT, 0, &Actor::pseudonym(b"key", "bo")).id
        );
        let ab = record(What::Abandoned {
            step: "x".into(),
            index: 1,
        });
        assert_ne!(a.id, statement(&ab, AT, 0, &actor).id);
    }

    #[test]
    fn searches_and_checks_carry_their_results() {
        let actor = Actor::named("ana@acme.example");
        let mut r = record(What::Searched {
            query: "refund [number]".into(),
            results: 4,
            opened: Some("refund".into()),
            position: Some(2),
        });
        r.content = None;
        r.attempt = None;
        let st = statement(&r, AT, 0, &actor);
        assert_eq!(st.verb.id, SEARCHED.iri);
        assert_eq!(st.object.id, "https://waymark.dev/xapi/search");
        let res = st.result.as_ref().unwrap();
        assert_eq!(res.response.as_deref(), Some("refund [number]"));
        assert_eq!(res.extensions[ext::RESULTS], Ext::Int(4));
        assert_eq!(res.extensions[ext::POSITION], Ext::Int(2));
        assert_eq!(st.context.registration, None);
        assert_eq!(st.actor.name.as_deref(), Some("ana@acme.example"));

        let st = statement(
            &record(What::CheckCompleted {
                score: 2.0 / 3.0,
                passed: false,
            }),
            AT,
            0,
            &actor,
        );
        assert_eq!(st.verb.id, FAILED.iri);
        assert_eq!(
            st.object.id,
            "https://waymark.dev/xapi/content/walkthroughs/create-deal/check"
        );
        let res = st.result.unwrap();
        assert_eq!(res.score.unwrap().scaled, 0.6667);
        assert_eq!(res.success, Some(false));
    }

    #[test]
    fn ids_in_iris_are_percent_encoded() {
        assert_eq!(
            content_iri(ContentKind::Article, "vpn/setup é"),
            "https://waymark.dev/xapi/content/articles/vpn%2Fsetup%20%C3%A9"
        );
    }

    #[test]
    fn statements_read_back_from_json() {
        let actor = Actor::pseudonym(b"key", "ana");
        let st = statement(&record(What::ArticleOpened), AT, 3, &actor);
        // Through a JSON value, as an LRS would return it, with fields it adds.
        let mut v = serde_json_value(&st);
        v.as_object_mut()
            .unwrap()
            .insert("stored".into(), "2026-12-03T17:04:06Z".into());
        v.as_object_mut()
            .unwrap()
            .insert("version".into(), "1.0.3".into());
        let back: Statement = serde_json::from_value(v).unwrap();
        assert_eq!(back, st);
    }

    /// The examples are pinned: a change to the statement shape shows here
    /// first (`UPDATE_FIXTURES=1 cargo test` rewrites the file).
    #[test]
    fn examples_match_the_fixture() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/xapi/statements.json"
        );
        let now = serde_json::to_string_pretty(&examples()).unwrap() + "\n";
        if std::env::var_os("UPDATE_FIXTURES").is_some() {
            std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
            std::fs::write(path, &now).unwrap();
        }
        let pinned = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            pinned == now,
            "{path} differs; UPDATE_FIXTURES=1 cargo test rewrites it"
        );
        // Every verb is used by some example, and ids are all different.
        let ex = examples();
        for v in VERBS {
            assert!(ex.iter().any(|s| s.verb.id == v.iri), "{} unused", v.iri);
        }
        let ids: std::collections::BTreeSet<_> = ex.iter().map(|s| &s.id).collect();
        assert_eq!(ids.len(), ex.len());
    }

    fn serde_json_value(st: &Statement) -> serde_json::Value {
        serde_json::to_value(st).unwrap()
    }
}
