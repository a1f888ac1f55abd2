//! The service worker's handle on the engine: the bundles in use and one
//! `Session` per tab. Converts JS values to core events and core commands
//! back to JS values; checks that each event came from a document allowed to
//! send it.
//!
//! A walkthrough finishes on the bundle it started on: when a newer bundle
//! is loaded, the older engine stays while any tab's tour started on it, and
//! the tab moves to the newest engine once it is idle.

use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use waymark_core::analytics::{xapi, Actor};
use waymark_core::bundle;
use waymark_core::content::Date;
use waymark_core::deploy::{self, origins};
use waymark_core::engine::{
    Command, Deployment as EngineDeployment, Engine, Event, Sender, Session,
};

use crate::deploy::Deployment;
use crate::{log, to_js};

struct Loaded {
    engine: Engine,
    origins: Vec<String>,
    keys: &'static str,
    signer: String,
    bytes: usize,
}

#[wasm_bindgen]
#[derive(Default)]
pub struct WaymarkEngine {
    /// Oldest first; the last is the one new sessions use.
    loaded: Vec<Loaded>,
    sessions: HashMap<i32, Session>,
    /// The bundle version each tab's session last ran on.
    pinned: HashMap<i32, u64>,
    /// Who statements are about; None: make none.
    actor: Option<Actor>,
    /// Tells apart records made in the same millisecond.
    seq: u64,
}

/// A command as JS gets it; a record carries its time and statement.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Out<'a> {
    Command(&'a Command),
    Record {
        #[serde(rename = "type")]
        kind: &'static str,
        record: &'a waymark_core::engine::Record,
        at: u64,
        statement: Option<Box<xapi::Statement>>,
    },
}

#[wasm_bindgen]
impl WaymarkEngine {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WaymarkEngine {
        WaymarkEngine::default()
    }

    /// Checks bundle bytes under `deployment`'s policy (signature, expiry,
    /// rollback against `in_use`, environment, scope; `source` is
    /// `"built_in"`, `"downloaded"` or `"stored"`) and, if they pass, makes
    /// them the bundle new sessions use. With `previous`, they are kept only
    /// for tours that started on them (no rollback check). Returns the
    /// bundle's summary; throws an `Error` saying why it was refused.
    pub fn load(
        &mut self,
        deployment: &Deployment,
        bytes: &[u8],
        source: &str,
        in_use: Option<f64>,
        now_ms: f64,
        previous: bool,
    ) -> Result<JsValue, JsError> {
        let source = deploy::Source::parse(source)
            .ok_or_else(|| JsError::new(&format!("unknown bundle source {source:?}")))?;
        let now = (now_ms / 1000.0).floor() as i64;
        let in_use = if previous {
            None
        } else {
            in_use.map(|v| v as u64)
        };
        let admitted = deploy::admit(
            bytes,
            source,
            &deployment.policy,
            in_use,
            now,
            deployment.demo_key.as_deref(),
        )
        .map_err(|e| JsError::new(&e.to_string()))?;
        let signer = admitted
            .bundle
            .signer
            .map(|h| bundle::encode_key(&h).chars().take(8).collect())
            .unwrap_or_default();
        let mut engine = Engine::from_bundle(admitted.bundle);
        engine.set_today(Date::from_unix(now));
        let loaded = Loaded {
            engine,
            origins: admitted.origins,
            keys: admitted.keys,
            signer,
            bytes: bytes.len(),
        };
        let version = loaded.engine.bundle_version();
        self.loaded.retain(|l| l.engine.bundle_version() != version);
        let at = if previous { 0 } else { self.loaded.len() };
        self.loaded.insert(at, loaded);
        let summary = self.summary_of(at);
        self.apply(deployment);
        self.retire();
        Ok(summary)
    }

    /// Policy changed without a new bundle: origins, search, support and
    /// the user source follow it.
    #[wasm_bindgen(js_name = setDeployment)]
    pub fn set_deployment(&mut self, deployment: &Deployment) {
        self.apply(deployment);
    }

    /// Drops every bundle (policy no longer trusts them).
    pub fn clear(&mut self) {
        self.loaded.clear();
        self.sessions.clear();
        self.pinned.clear();
    }

    /// Handles one event for `tab`, sent by `source` (`"agent"`, `"frame"`,
    /// `"storage"` or `"browser"`). Returns an array of commands. An event
    /// that does not parse or comes from the wrong source is logged and
    /// ignored.
    pub fn handle(&mut self, tab: i32, source: &str, event: JsValue) -> JsValue {
        let none = || js_sys::Array::new().into();
        let Some(sender) = Sender::parse(source) else {
            log(&format!("waymark: unknown event source {source:?}"));
            return none();
        };
        let event: Event = match serde_wasm_bindgen::from_value(event) {
            Ok(e) => e,
            Err(e) => {
                log(&format!("waymark: ignoring malformed event: {e}"));
                return none();
            }
        };
        if !event.allowed_from(sender) {
            // Not `{event:?}`: Debug of the events pulls float formatting
            // into the wasm (about 11 KiB) for a log line.
            log(&format!(
                "waymark: ignoring an event not meant to come from {source:?}"
            ));
            return none();
        }
        let Some(current) = self.loaded.last().map(|l| l.engine.bundle_version()) else {
            return none();
        };
        let session = self.sessions.entry(tab).or_default();
        // The bundle this session runs on: a tour's own (if still held),
        // else the newest.
        let wanted = match &event {
            Event::Restored { tour: Some(t) } => Some(t.bundle),
            _ if session.busy() => session.tour_bundle(),
            _ => None,
        }
        .filter(|v| self.loaded.iter().any(|l| l.engine.bundle_version() == *v))
        .unwrap_or(current);
        if self.pinned.insert(tab, wanted) != Some(wanted) {
            session.rebase();
        }
        let Some(loaded) = self
            .loaded
            .iter_mut()
            .find(|l| l.engine.bundle_version() == wanted)
        else {
            return none();
        };
        // Badges follow the calendar while the worker lives for days.
        loaded
            .engine
            .set_today(Date::from_unix((js_sys::Date::now() / 1000.0) as i64));
        // The engine reads no clock: records and attempts are stamped with this.
        let now = js_sys::Date::now() as u64;
        session.now = now;
        let commands = loaded.engine.handle(session, event);
        // A record goes out with its statement, made here (the record is
        // never parsed back from JS).
        let out: Vec<Out> = commands
            .iter()
            .map(|c| match c {
                Command::Record { record } => {
                    self.seq += 1;
                    Out::Record {
                        kind: "record",
                        at: now,
                        statement: self
                            .actor
                            .as_ref()
                            .map(|a| Box::new(xapi::statement(record, now, self.seq, a))),
                        record,
                    }
                }
                other => Out::Command(other),
            })
            .collect();
        let out = to_js(&out);
        self.retire();
        out
    }

    /// Who statements are about (`Deployment.actor`'s `{ name, display }`),
    /// or null: no statements are made (policy names no LRS).
    #[wasm_bindgen(js_name = setActor)]
    pub fn set_actor(&mut self, actor: JsValue) {
        #[derive(serde::Deserialize)]
        struct JsActor {
            name: String,
            #[serde(default)]
            display: Option<String>,
        }
        self.actor = serde_wasm_bindgen::from_value::<Option<JsActor>>(actor)
            .ok()
            .flatten()
            .map(|a| Actor {
                name: a.name,
                display: a.display,
            });
    }

    /// Drops a tab's session (its agent disconnected).
    pub fn forget(&mut self, tab: i32) {
        self.sessions.remove(&tab);
        self.pinned.remove(&tab);
        self.retire();
    }

    /// The newest bundle's version, or undefined.
    #[wasm_bindgen(js_name = bundleVersion)]
    pub fn bundle_version(&self) -> Option<f64> {
        self.loaded.last().map(|l| l.engine.bundle_version() as f64)
    }

    /// Bundle versions held (newest last), for finishing tours.
    pub fn versions(&self) -> Vec<f64> {
        self.loaded
            .iter()
            .map(|l| l.engine.bundle_version() as f64)
            .collect()
    }

    /// What the newest bundle holds and where it runs, for the options page
    /// (undefined without one).
    pub fn summary(&self) -> JsValue {
        if self.loaded.is_empty() {
            return JsValue::UNDEFINED;
        }
        self.summary_of(self.loaded.len() - 1)
    }

    /// `{ id: title }` for the newest bundle's content (the options page's
    /// history names what the employee did).
    pub fn titles(&self) -> JsValue {
        let mut titles = std::collections::BTreeMap::new();
        if let Some(l) = self.loaded.last() {
            let lib = l.engine.library();
            for w in &lib.walkthroughs {
                titles.insert(w.id.as_str(), w.title.as_str());
            }
            for a in &lib.articles {
                titles.insert(a.id.as_str(), a.title.as_str());
            }
        }
        to_js(&titles)
    }

    /// Chromium match patterns for the agent: where the newest bundle runs.
    pub fn registration(&self) -> JsValue {
        let origins = self
            .loaded
            .last()
            .map(|l| l.origins.clone())
            .unwrap_or_default();
        to_js(&origins::registration(&origins))
    }
}

impl WaymarkEngine {
    fn apply(&mut self, d: &Deployment) {
        let p = &d.policy;
        for l in &mut self.loaded {
            l.engine.set_deployment(EngineDeployment {
                origins: Some(l.origins.clone()),
                search: p.features.search,
                support: p.support.clone(),
                user_from_page: p.user.from_page.clone(),
                recorder: p.features.recorder,
                user_id: p.user.id.clone(),
                user_roles: p.user.roles.clone(),
                user_region: p.user.region.clone(),
                user_locale: p.user.locale.clone(),
                deep_link: p.deep_link.clone(),
                auto_start: p.features.auto_start,
            });
        }
    }

    /// Keeps the newest engine, the one before it, and any a tab's tour
    /// runs on.
    fn retire(&mut self) {
        let n = self.loaded.len();
        if n <= 2 {
            return;
        }
        let in_use: Vec<u64> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.busy())
            .filter_map(|(tab, _)| self.pinned.get(tab).copied())
            .collect();
        let mut i = 0;
        self.loaded.retain(|l| {
            i += 1;
            i >= n - 1 || in_use.contains(&l.engine.bundle_version())
        });
    }

    fn summary_of(&self, i: usize) -> JsValue {
        let Some(l) = self.loaded.get(i) else {
            return JsValue::UNDEFINED;
        };
        let lib = l.engine.library();
        let m = l.engine.manifest();
        let summary = Summary {
            bundle_version: m.map_or(0, |m| m.bundle_version),
            env: m.map_or("", |m| m.env.as_str()).to_string(),
            created: m.map(|m| m.created as f64 * 1000.0),
            expires: m.map(|m| m.expiry_date().to_string()),
            scope: m.map(|m| m.scope.clone()).unwrap_or_default(),
            runs_on: l.origins.clone(),
            keys: l.keys,
            signer: l.signer.clone(),
            format: bundle::FORMAT_VERSION,
            bytes: l.bytes,
            walkthroughs: lib.walkthroughs.len(),
            steps: lib.walkthroughs.iter().map(|w| w.steps.len()).sum(),
            titles: lib.walkthroughs.iter().map(|w| w.title.clone()).collect(),
            articles: lib.articles.len(),
            search_error: l.engine.search_error().map(|e| e.to_string()),
        };
        to_js(&summary)
    }
}

#[derive(serde::Serialize)]
struct Summary {
    bundle_version: u64,
    env: String,
    /// Unix ms.
    created: Option<f64>,
    expires: Option<String>,
    scope: Vec<String>,
    /// Where it runs: policy `allowed_origins` ∩ `scope`.
    runs_on: Vec<String>,
    /// `policy` or `demo`: which keys verified it.
    keys: &'static str,
    /// The signer's key id (first 8 base64 characters).
    signer: String,
    format: u16,
    bytes: usize,
    walkthroughs: usize,
    steps: usize,
    titles: Vec<String>,
    articles: usize,
    search_error: Option<String>,
}
