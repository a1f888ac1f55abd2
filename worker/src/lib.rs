//! Glue only: the service worker's wasm (extension/src/sw.js).
//!
//! - [`engine::WaymarkEngine`]: bundle bytes in (checked under policy by
//!   `waymark_core::deploy::admit`), events in, commands out, all decided by
//!   `waymark_core::engine`; walkthroughs finish on the bundle they began on;
//! - [`deploy::Deployment`]: admin policy checked by `waymark_core::deploy`,
//!   and the bundle update schedule;
//! - [`search::WaymarkSearch`]: the index reader (also used by
//!   `cargo xtask bench search` under Node).
//!
//! The overlay frame and the options page load the other wasm
//! (`waymark-overlay`, views only), so neither carries the engine, search or
//! signature code. Nothing here decides anything a test would want to check
//! natively; that belongs in `waymark-core`. Nothing here may panic on bad
//! input: it logs and degrades.
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod analytics;
pub mod deploy;
pub mod engine;
pub mod search;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: a panic (a bug) then says where,
/// in the worker's console, before the module traps.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Serialises for JS with `null` for `None` and plain objects for maps, so the
/// JS shims see exactly the JSON shapes the core's serde tests pin down.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&ser).unwrap_or_else(|e| {
        log(&format!("waymark: cannot serialise for JS: {e}"));
        JsValue::NULL
    })
}

/// Logs to the service worker's console, never the host page's.
pub(crate) fn log(msg: &str) {
    gloo_console::warn!(msg);
}
