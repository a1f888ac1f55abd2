//! Glue only: Waymark's engine and views compiled to WebAssembly.
//!
//! One wasm module serves two extension-origin documents (SPEC §8):
//! - the service worker uses [`engine::WaymarkEngine`]: bundle bytes in,
//!   events in, commands out, all decided by `waymark_core::engine`;
//! - the overlay frame uses [`views::mount_overlay`]: yew renders the view the
//!   engine chose and reports the user's intents;
//! - the options page uses [`options::mount_options`]: yew renders the
//!   worker's diagnostics (policy, bundle, where Waymark runs, refusals).
//!
//! Nothing here decides anything a test would want to check natively; that
//! belongs in `waymark-core`. Nothing here may panic on bad input: it logs and
//! degrades, because a panic would break guidance on a real page.
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod deploy;
pub mod engine;
pub mod options;
pub mod search;
pub mod views;

use wasm_bindgen::JsValue;

/// Serialises for JS with `null` for `None` and plain objects for maps, so the
/// JS shims see exactly the JSON shapes the core's serde tests pin down.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&ser).unwrap_or_else(|e| {
        log(&format!("waymark: cannot serialise for JS: {e}"));
        JsValue::NULL
    })
}

/// Logs to the console of the extension document (service worker or frame),
/// never the host page's.
pub(crate) fn log(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}
