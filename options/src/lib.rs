//! Glue only: the options page's wasm (extension/src/options.js), for an
//! admin or a help desk looking at one browser. It renders the service
//! worker's diagnostics with yew ([`page::mount_options`]) and reports two
//! intents; every decision shown there was made by `waymark_core::deploy`
//! in the worker.
//!
//! A module of its own, so neither the frame that every guided tab loads
//! (`waymark-overlay`) nor the worker carries the options page. Nothing here
//! may panic on bad input: it logs and degrades.
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod page;

pub use page::mount_options;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: a panic (a bug) then says where,
/// in the options page's console, before the module traps.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Serialises for JS with `null` for `None` and plain objects for maps.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&ser).unwrap_or_else(|e| {
        log(&format!("waymark: cannot serialise for JS: {e}"));
        JsValue::NULL
    })
}

/// Logs to the options page's console.
pub(crate) fn log(msg: &str) {
    gloo_console::warn!(msg);
}
