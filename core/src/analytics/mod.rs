//! Analytics: what the engine records ([`Record`]) and how a record becomes
//! an xAPI 1.0.3 statement ([`xapi::statement`]) for a Learning Record
//! Store, with a pseudonymous actor ([`Actor`]) and an id that is the same
//! every time the same record is made into a statement ([`statement_id`]),
//! so a resend after a crash is a no-op at the LRS.
//!
//! ```text
//!   engine ──Command::Record(Record)──▶ worker glue ──(at, seq, actor)──▶ xapi::statement
//!                                                   └──▶ outbox (IndexedDB) ──batches──▶ LRS
//!   LRS / statements.jsonl ──▶ waymark report (report::Figures) ──▶ HTML + SVG, JSON
//! ```
//!
//! This module owns the statement shape (verbs, activity IRIs, extension
//! keys): `docs/analytics.md` documents it, the report reads it back. It
//! must not do I/O or read a clock: the glue stamps the time.

pub mod delivery;
mod ids;
mod record;
pub mod report;
pub mod xapi;

pub use ids::{statement_id, timestamp, Actor};
pub use record::*;
