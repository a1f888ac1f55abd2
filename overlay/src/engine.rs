//! The service worker's handle on the engine: holds the library read from the
//! bundle and one `Session` per tab. Converts JS values to core events and core
//! commands back to JS values; checks that each event came from a document
//! allowed to send it.

use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use waymark_core::bundle;
use waymark_core::content::Date;
use waymark_core::engine::{Engine, Event, Session, Source};

use crate::{log, to_js};

#[wasm_bindgen]
pub struct WaymarkEngine {
    engine: Engine,
    sessions: HashMap<i32, Session>,
}

#[wasm_bindgen]
impl WaymarkEngine {
    /// Reads bundle bytes signed by one of `trusted_keys` (base64 Ed25519
    /// public keys) whose manifest has not expired at `now_ms` (Unix
    /// milliseconds) and is not older than bundle version `in_use` (the one
    /// the extension last trusted; rollback protection). Throws an `Error`
    /// whose message says what was wrong.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(
        bytes: &[u8],
        trusted_keys: Vec<String>,
        now_ms: f64,
        in_use: Option<f64>,
    ) -> Result<WaymarkEngine, JsError> {
        let mut keys = Vec::new();
        for k in &trusted_keys {
            match bundle::decode_key(k) {
                Ok(key) => keys.push(key),
                Err(e) => log(&format!("waymark: ignoring trusted key {k:?}: {e}")),
            }
        }
        let now = (now_ms / 1000.0).floor() as i64;
        let bundle = bundle::read_trusted(bytes, &keys)
            .and_then(|b| {
                bundle::check_manifest(&b.manifest, now, in_use.map(|v| v as u64)).map(|()| b)
            })
            .map_err(|e| JsError::new(&e.to_string()))?;
        let mut engine = Engine::from_bundle(bundle);
        engine.set_today(Date::from_unix(now));
        Ok(WaymarkEngine {
            engine,
            sessions: HashMap::new(),
        })
    }

    /// Handles one event for `tab`, sent by `source` (`"agent"`, `"frame"` or
    /// `"storage"`, `"browser"`). Returns an array of commands. An event that does not parse
    /// or comes from the wrong source is logged and ignored.
    pub fn handle(&mut self, tab: i32, source: &str, event: JsValue) -> JsValue {
        let Some(source) = Source::parse(source) else {
            log(&format!("waymark: unknown event source {source:?}"));
            return js_sys::Array::new().into();
        };
        let event: Event = match serde_wasm_bindgen::from_value(event) {
            Ok(e) => e,
            Err(e) => {
                log(&format!("waymark: ignoring malformed event: {e}"));
                return js_sys::Array::new().into();
            }
        };
        if !event.allowed_from(source) {
            // Not `{event:?}`: Debug of the events pulls float formatting
            // into the wasm (about 11 KiB) for a log line.
            log(&format!(
                "waymark: ignoring an event not meant to come from {source:?}"
            ));
            return js_sys::Array::new().into();
        }
        // Badges follow the calendar while the worker lives for days.
        self.engine
            .set_today(Date::from_unix((js_sys::Date::now() / 1000.0) as i64));
        let session = self.sessions.entry(tab).or_default();
        to_js(&self.engine.handle(session, event))
    }

    /// Drops a tab's session (its agent disconnected).
    pub fn forget(&mut self, tab: i32) {
        self.sessions.remove(&tab);
    }

    /// The manifest's bundle version (the service worker keeps the highest
    /// it has trusted, for rollback protection).
    #[wasm_bindgen(js_name = bundleVersion)]
    pub fn bundle_version(&self) -> f64 {
        self.engine
            .manifest()
            .map_or(0.0, |m| m.bundle_version as f64)
    }

    /// What the loaded bundle holds, for the options page.
    pub fn summary(&self) -> JsValue {
        let lib = self.engine.library();
        let m = self.engine.manifest();
        let summary = Summary {
            bundle_version: m.map_or(0, |m| m.bundle_version),
            env: m.map_or("", |m| m.env.as_str()).to_string(),
            expires: m.map(|m| m.expiry_date().to_string()),
            scope: m.map(|m| m.scope.clone()).unwrap_or_default(),
            format: bundle::FORMAT_VERSION,
            walkthroughs: lib.walkthroughs.len(),
            steps: lib.walkthroughs.iter().map(|w| w.steps.len()).sum(),
            titles: lib.walkthroughs.iter().map(|w| w.title.clone()).collect(),
            articles: lib.articles.len(),
            search_error: self.engine.search_error().map(str::to_string),
        };
        to_js(&summary)
    }
}

#[derive(serde::Serialize)]
struct Summary {
    bundle_version: u64,
    env: String,
    expires: Option<String>,
    scope: Vec<String>,
    format: u16,
    walkthroughs: usize,
    steps: usize,
    titles: Vec<String>,
    articles: usize,
    search_error: Option<String>,
}
