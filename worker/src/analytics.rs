//! Glue only: the worker's analytics calls (extension/src/outbox.js): who
//! statements are about, where they go, and what to do after each LRS
//! answer (`waymark_core::analytics::delivery`). Statements themselves are
//! made beside the engine (`engine::WaymarkEngine::handle`). The I/O is the
//! worker's.

use wasm_bindgen::prelude::*;
use waymark_core::analytics::delivery::{Answer, Delivery};
use waymark_core::analytics::Actor;

use crate::deploy::Deployment;
use crate::to_js;

#[derive(serde::Serialize)]
struct Answered {
    state: Delivery,
    next: waymark_core::analytics::delivery::Next,
}

#[wasm_bindgen]
impl Deployment {
    /// Who statements are about: the user id (`user_id`, if known) as a
    /// pseudonym under policy `analytics.key`, or as is when policy
    /// `analytics.identify` is on. Without a policy key the browser's own
    /// random `secret` is the key; without a user id the browser itself
    /// (its secret) is the subject. Returns `{ name, display }`.
    pub fn actor(&self, user_id: Option<String>, secret: &str) -> JsValue {
        let a = self.policy.analytics.as_ref();
        let user = user_id.filter(|u| !u.trim().is_empty());
        let actor = match (&user, a) {
            (Some(u), Some(a)) if a.identify => Actor::named(u),
            _ => {
                let key = a.and_then(|a| a.key.as_deref()).unwrap_or(secret);
                let subject = user.unwrap_or_else(|| format!("browser:{secret}"));
                Actor::pseudonym(key.as_bytes(), &subject)
            }
        };
        #[derive(serde::Serialize)]
        struct View {
            name: String,
            display: Option<String>,
        }
        to_js(&View {
            name: actor.name,
            display: actor.display,
        })
    }

    /// Where statements go: `{ url, auth, batch_size }` (unmasked, for the
    /// worker only), or null when policy names no endpoint.
    #[wasm_bindgen(js_name = analyticsTarget)]
    pub fn analytics_target(&self) -> JsValue {
        #[derive(serde::Serialize)]
        struct Target<'a> {
            url: String,
            auth: Option<&'a str>,
            batch_size: u32,
        }
        match &self.policy.analytics {
            Some(a) => to_js(&Target {
                url: format!("{}/statements", a.endpoint.trim_end_matches('/')),
                auth: a.auth.as_deref(),
                batch_size: a.batch_size,
            }),
            None => JsValue::NULL,
        }
    }

    /// The sender's state after the LRS answered `answer` (see
    /// `analytics::delivery::Answer`) to a batch of `n`: `{ state, next }`.
    /// `state`: the stored state, or null for a fresh one.
    #[wasm_bindgen(js_name = deliveryAnswer)]
    pub fn delivery_answer(
        &self,
        state: JsValue,
        n: u32,
        answer: JsValue,
        now_ms: f64,
        r: f64,
    ) -> JsValue {
        let max = self.policy.analytics.as_ref().map_or(50, |a| a.batch_size);
        let mut d = self.delivery_state(state);
        let answer: Answer = serde_wasm_bindgen::from_value(answer).unwrap_or(Answer::Malformed);
        let next = d.answer(n as usize, answer, now_ms as i64, max, r);
        to_js(&Answered { state: d, next })
    }

    /// The stored sender state (or a fresh one), with policy's batch size.
    #[wasm_bindgen(js_name = deliveryState)]
    pub fn delivery_state_js(&self, state: JsValue) -> JsValue {
        to_js(&self.delivery_state(state))
    }
}

impl Deployment {
    fn delivery_state(&self, state: JsValue) -> Delivery {
        let max = self.policy.analytics.as_ref().map_or(50, |a| a.batch_size);
        let mut d = if state.is_null() || state.is_undefined() {
            Delivery::new(max)
        } else {
            serde_wasm_bindgen::from_value(state).unwrap_or_else(|_| Delivery::new(max))
        };
        d.set_batch_size(max);
        d
    }
}
