//! Targeting: how an authored target becomes something the agent can look
//! for, how many targets are watched cheaply, and which element a step
//! means. Data flows one way: `content` → `targeting` → `engine`; nothing
//! here knows about sessions or views.
//!
//! ```text
//!  content::Target ─query::Query::from_target─▶ Query ─watchlist::WatchList─▶ agent (buckets)
//!                       (aria: the role table)                 │
//!  agent's ElementFacts of the candidates ───────pick::pick─────▶ Found / Ambiguous / Missing
//!  recorder: agent's facts of the picked element ─suggest::suggest─▶ ranked alternatives
//!            (the agent counts each) ─suggest::choose─▶ the step's `target`
//! ```

pub mod aria;
pub mod pick;
pub mod query;
pub mod suggest;
pub mod watchlist;

pub use pick::{pick, ElementFacts, Pick};
pub use query::Query;
