//! Glue only: Waymark's views compiled to WebAssembly, for the documents
//! that show something (SPEC §8). The service worker loads the other wasm
//! (`waymark-worker`: engine, policy, search, signatures), so the frame that
//! every guided tab loads carries only the views:
//! - the overlay frame uses [`views::mount_overlay`]: yew renders the view the
//!   engine chose and reports the user's intents;
//! - the options page has a module of its own (`waymark-options`), so this
//!   one stays within the frame's budget.
//!
//! Nothing here decides anything a test would want to check natively; that
//! belongs in `waymark-core`. Nothing here may panic on bad input: it logs and
//! degrades, because a panic would break guidance on a real page.
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod views;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: a panic (a bug) then says where,
/// in the frame's or options page's console, before the module traps.
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

/// Logs to the console of the extension document (frame or options page),
/// never the host page's.
pub(crate) fn log(msg: &str) {
    gloo_console::warn!(msg);
}
