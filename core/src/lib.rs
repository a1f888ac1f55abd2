//! Waymark's pure core.
//!
//! Everything that decides something lives here, in plain Rust that builds and
//! tests natively with `cargo test`: the content model, the rich-text tree,
//! URL matching, card placement, the bundle format and the engine reducer.
//!
//! This crate must not touch a browser API (no `web-sys`, no `js-sys`): the
//! wasm crate (`overlay/`) is glue that feeds browser facts in as
//! [`engine::Event`]s and carries [`engine::Command`]s out.
//!
//! ```text
//!  author files ──(feature "authoring": authoring)──▶ content::Library
//!                                                        │
//!                            bundle::write, sign │ bundle::read_trusted
//!                                                        ▼
//!  agent facts ──▶ engine::Event ──▶ engine::Engine ──▶ engine::Command ──▶ agent / frame / storage
//! ```

pub mod analytics;
pub mod bundle;
pub mod content;
pub mod deploy;
pub mod draft;
pub mod engine;
pub mod geometry;
pub mod recorder;
pub mod richtext;
pub mod scrub;
pub mod search;
pub mod targeting;
pub mod urlmatch;

#[cfg(feature = "authoring")]
pub mod authoring;

pub use bundle::BundleError;
