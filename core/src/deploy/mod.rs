//! Deploying to a fleet (SPEC §6): admin policy, where Waymark runs, which
//! bundle is trusted, and when to look for a new one.
//!
//! ```text
//!  chrome.storage.managed ─▶ policy::Policy::from_json ─┬─▶ admit::admit(bytes) ─▶ Admitted { bundle, origins }
//!                                                       │        ▲                         │
//!  bundle_url ─▶ update::FetchState (when, validators) ─┘   bytes│                         ▼
//!                                                                │          origins::registration ─▶ registerContentScripts
//! ```
//!
//! The service worker (through the wasm glue), `waymark verify --policy`
//! and `cargo xtask bench fleet` all run this code, so what an admin checks
//! and what is benchmarked is what the browser does. Nothing here touches a
//! browser API or a clock.

pub mod admit;
pub mod json;
pub mod origins;
pub mod policy;
pub mod update;

pub use admit::{admit, Admitted, Refusal, Source};
pub use json::Json;
pub use policy::Policy;
