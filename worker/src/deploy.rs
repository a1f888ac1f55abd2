//! The service worker's handle on admin policy and the update schedule.
//! Glue only: every rule is `waymark_core::deploy`'s; this converts JS values
//! in and out.

use wasm_bindgen::prelude::*;
use waymark_core::deploy::policy::{BundleSource, Policy};
use waymark_core::deploy::update::{self, FetchState, Outcome};
use waymark_core::deploy::Json;

use crate::{log, to_js};

#[wasm_bindgen]
pub struct Deployment {
    pub(crate) policy: Policy,
    pub(crate) demo_key: Option<String>,
}

#[derive(serde::Serialize)]
struct PolicyView<'a> {
    managed: bool,
    /// The policy as shown: secrets masked.
    values: Json,
    problems: &'a [waymark_core::deploy::policy::Problem],
    /// The URL to fetch (unmasked: the worker needs it), or null.
    bundle_url: Option<&'a str>,
    bundle_source: &'a BundleSource,
    interval_ms: f64,
    allowed_origins: &'a [String],
    user: &'a waymark_core::deploy::policy::UserPolicy,
    features: waymark_core::deploy::policy::Features,
    support: &'a Option<waymark_core::deploy::policy::Support>,
    /// `analytics.incognito`: record in incognito windows.
    record_incognito: bool,
    /// Which keys vouch for bundles: `policy` (policy names `trusted_keys`)
    /// or `demo`. Rollback protection keeps one highest version per domain,
    /// so the demo bundle's build-time version never blocks an admin's.
    trust_domain: &'static str,
}

#[wasm_bindgen]
impl Deployment {
    /// `raw`: what `chrome.storage.managed.get()` returned (null or `{}`:
    /// no policy). `demo_key`: the built-in demo public key (base64).
    #[wasm_bindgen(constructor)]
    pub fn new(raw: JsValue, demo_key: Option<String>) -> Deployment {
        let json = if raw.is_null() || raw.is_undefined() {
            Json::Null
        } else {
            serde_wasm_bindgen::from_value::<Json>(raw).unwrap_or_else(|e| {
                log(&format!(
                    "waymark: policy is not plain JSON ({e}); trusting nothing"
                ));
                Json::Bool(false)
            })
        };
        Deployment {
            policy: Policy::from_json(&json),
            demo_key,
        }
    }

    /// The checked policy, for the worker and the options page.
    pub fn policy(&self) -> JsValue {
        let p = &self.policy;
        to_js(&PolicyView {
            managed: p.managed,
            values: p.masked(),
            problems: &p.problems,
            bundle_url: match &p.bundle {
                BundleSource::Remote { url } => Some(url),
                _ => None,
            },
            bundle_source: &p.bundle,
            interval_ms: f64::from(p.update_interval_minutes) * 60_000.0,
            allowed_origins: &p.allowed_origins,
            user: &p.user,
            features: p.features,
            support: &p.support,
            record_incognito: p.record_incognito,
            trust_domain: if p.trusted_keys.is_some() {
                "policy"
            } else {
                "demo"
            },
        })
    }

    /// When to check `url` as the worker starts. `state`: the stored
    /// `FetchState` (or null). Returns `{ state, at }` (Unix ms).
    #[wasm_bindgen(js_name = scheduleStart)]
    pub fn schedule_start(
        &self,
        state: JsValue,
        url: &str,
        now_ms: f64,
        have_bundle: bool,
        r: f64,
    ) -> JsValue {
        let mut s = fetch_state(state);
        let at = s.start(url, now_ms as i64, self.interval_ms(), have_bundle, r);
        to_js(&Scheduled {
            state: s,
            at: at as f64,
        })
    }

    /// The conditional-GET headers for a check, as `[[name, value], ...]`.
    #[wasm_bindgen(js_name = requestHeaders)]
    pub fn request_headers(&self, state: JsValue, url: &str, have_bundle: bool) -> JsValue {
        to_js(&fetch_state(state).headers(url, have_bundle))
    }

    /// Records how a check ended (`outcome`: `{ kind: "not_modified" |
    /// "fetched" | "failed", etag, last_modified, accepted, retry_after }`);
    /// returns `{ state, at }`.
    #[wasm_bindgen(js_name = scheduleFinish)]
    pub fn schedule_finish(
        &self,
        state: JsValue,
        now_ms: f64,
        outcome: JsValue,
        r: f64,
    ) -> JsValue {
        let mut s = fetch_state(state);
        let o: JsOutcome = serde_wasm_bindgen::from_value(outcome).unwrap_or(JsOutcome {
            kind: "failed".into(),
            etag: None,
            last_modified: None,
            accepted: false,
            retry_after: None,
        });
        let outcome = match o.kind.as_str() {
            "not_modified" => Outcome::NotModified,
            "fetched" => Outcome::Fetched {
                etag: o.etag,
                last_modified: o.last_modified,
                accepted: o.accepted,
            },
            _ => Outcome::Failed {
                retry_after_ms: update::retry_after_ms(o.retry_after.as_deref()),
            },
        };
        let at = s.finish(now_ms as i64, self.interval_ms(), outcome, r);
        to_js(&Scheduled {
            state: s,
            at: at as f64,
        })
    }

    /// The stored state with its validators forgotten (after a policy
    /// change, a refused bundle may pass).
    #[wasm_bindgen(js_name = forgetValidators)]
    pub fn forget_validators(&self, state: JsValue) -> JsValue {
        let mut s = fetch_state(state);
        s.forget_validators();
        to_js(&s)
    }
}

impl Deployment {
    fn interval_ms(&self) -> i64 {
        i64::from(self.policy.update_interval_minutes) * 60_000
    }
}

#[derive(serde::Serialize)]
struct Scheduled {
    state: FetchState,
    at: f64,
}

#[derive(serde::Deserialize)]
struct JsOutcome {
    kind: String,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default)]
    accepted: bool,
    #[serde(default)]
    retry_after: Option<String>,
}

fn fetch_state(v: JsValue) -> FetchState {
    if v.is_null() || v.is_undefined() {
        return FetchState::default();
    }
    serde_wasm_bindgen::from_value(v).unwrap_or_else(|e| {
        log(&format!(
            "waymark: stored update state unreadable ({e}); starting afresh"
        ));
        FetchState::default()
    })
}
