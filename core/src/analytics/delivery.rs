//! Delivery to the LRS: what to do with a batch after the LRS answered
//! ([`Delivery::answer`]), and when to try again. The worker does the I/O
//! (extension/src/outbox.js); every rule is here.
//!
//! ```text
//!   POST batch ──2xx, no body or ids────────▶ Delete (sent; the batch size recovers)
//!              ──409 / 400 / 413, n > 1───▶ Split (halves, at once; 413 also halves the batch size)
//!              ──409, one statement────────▶ Delete (its id is stored already: a resend)
//!              ──400 / 413, one statement─▶ Drop (counted as rejected, with the LRS's words)
//!              ──401 / 403─────────────────▶ Pause 30 min (credentials; policy may change)
//!              ──429, 5xx, network, timeout, malformed 2xx──▶ Retry after backoff
//! ```
//!
//! Statement ids are name-based ([`super::statement_id`]), so resending a
//! batch the LRS already stored changes nothing there: when in doubt (a 2xx
//! whose body is not the list of ids), the batch stays and is sent again.

use serde::{Deserialize, Serialize};

/// First retry after this; doubled per failure up to [`MAX_BACKOFF_MS`].
pub const BASE_BACKOFF_MS: i64 = 5_000;
pub const MAX_BACKOFF_MS: i64 = 15 * 60_000;
/// After the LRS refused the credentials.
pub const AUTH_PAUSE_MS: i64 = 30 * 60_000;

/// How the LRS answered one POST.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// A 2xx with no body, or a JSON array of the `ids` statement ids the
    /// LRS stored now. xAPI POSTs are all or nothing; ids the LRS had
    /// already are left out of the list (Ralph answers a batch it had
    /// entirely with 204 and no body).
    Stored { ids: usize },
    /// A 2xx whose body is something else.
    Malformed,
    /// Any other status; `body` is the start of what the LRS said.
    Status {
        status: u16,
        #[serde(default)]
        body: String,
        /// The `Retry-After` header, in ms, if any.
        #[serde(default)]
        retry_after_ms: Option<i64>,
    },
    /// No answer: the network failed or the request timed out.
    Unreachable { why: String },
}

/// What to do with the batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Next {
    /// It is stored: delete it from the queue.
    Delete,
    /// Send each half on its own, now.
    Split,
    /// The one statement is refused for good: delete it, count it.
    Drop { why: String },
    /// Keep it; try again at `at` (Unix ms).
    Retry { at: i64 },
}

/// The sender's state, kept by the worker between batches (IndexedDB).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Statements per POST now: policy `batch_size`, halved by 413s.
    pub batch: u32,
    /// Failures in a row (the backoff's exponent).
    pub failures: u32,
    /// Not before this (Unix ms).
    pub next_at: i64,
    pub sent: u64,
    /// Refused for good (400 or 413 on one statement).
    pub rejected: u64,
    /// The last failure, as the options page shows it.
    pub last_error: Option<String>,
    /// The last time a batch was stored (Unix ms).
    pub last_sent_at: Option<i64>,
}

impl Delivery {
    pub fn new(batch_size: u32) -> Delivery {
        Delivery {
            batch: batch_size.max(1),
            failures: 0,
            next_at: 0,
            sent: 0,
            rejected: 0,
            last_error: None,
            last_sent_at: None,
        }
    }

    /// May a batch go now?
    pub fn due(&self, now: i64) -> bool {
        now >= self.next_at
    }

    /// The batch size policy asks for changed (or the state is new).
    pub fn set_batch_size(&mut self, batch_size: u32) {
        self.batch = self.batch.clamp(1, batch_size.max(1));
    }

    /// The LRS answered `answer` to a batch of `n` statements at `now`;
    /// `max_batch` is policy's size; `r` in [0, 1) jitters the backoff.
    pub fn answer(&mut self, n: usize, answer: Answer, now: i64, max_batch: u32, r: f64) -> Next {
        match answer {
            Answer::Stored { .. } => {
                self.failures = 0;
                self.next_at = 0;
                self.sent += n as u64;
                self.last_error = None;
                self.last_sent_at = Some(now);
                // Recover from a split, slowly.
                self.batch = (self.batch.saturating_mul(2)).min(max_batch.max(1));
                Next::Delete
            }
            Answer::Malformed => self.retry(
                now,
                "the LRS answered without the list of stored statement ids".into(),
                None,
                r,
            ),
            Answer::Unreachable { why } => {
                self.retry(now, format!("the LRS could not be reached: {why}"), None, r)
            }
            Answer::Status {
                status,
                body,
                retry_after_ms,
            } => {
                let said = said(&body);
                match status {
                    409 if n > 1 => Next::Split,
                    // One statement whose id is there already: a resend.
                    409 => {
                        self.sent += 1;
                        Next::Delete
                    }
                    400 | 413 if n > 1 => {
                        if status == 413 {
                            self.batch = ((n / 2) as u32).max(1);
                        }
                        Next::Split
                    }
                    400 | 413 => {
                        self.rejected += 1;
                        let why = if status == 413 {
                            format!("the LRS refused a statement as too large (413){said}")
                        } else {
                            format!("the LRS refused a statement (400){said}")
                        };
                        self.last_error = Some(why.clone());
                        Next::Drop { why }
                    }
                    401 | 403 => {
                        self.failures = self.failures.saturating_add(1);
                        self.next_at = now + AUTH_PAUSE_MS;
                        self.last_error = Some(format!(
                            "the LRS refused the credentials ({status}){said}: check policy analytics.auth"
                        ));
                        Next::Retry { at: self.next_at }
                    }
                    _ => self.retry(
                        now,
                        format!("the LRS answered {status}{said}"),
                        retry_after_ms,
                        r,
                    ),
                }
            }
        }
    }

    fn retry(&mut self, now: i64, why: String, retry_after_ms: Option<i64>, r: f64) -> Next {
        let exp = self.failures.min(20);
        self.failures = self.failures.saturating_add(1);
        let backoff = BASE_BACKOFF_MS
            .saturating_mul(1_i64 << exp)
            .min(MAX_BACKOFF_MS);
        // Full jitter on the upper half: many browsers that failed together
        // do not come back together.
        let wait = backoff / 2 + (backoff as f64 / 2.0 * r.clamp(0.0, 1.0)) as i64;
        let wait = retry_after_ms.map_or(wait, |ra| ra.clamp(0, MAX_BACKOFF_MS).max(wait));
        self.next_at = now + wait;
        self.last_error = Some(why);
        Next::Retry { at: self.next_at }
    }
}

/// `: "what the LRS said"`, trimmed, or nothing.
fn said(body: &str) -> String {
    let t: String = body.trim().chars().take(200).collect();
    if t.is_empty() {
        String::new()
    } else {
        format!(": {t}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn status(s: u16) -> Answer {
        Answer::Status {
            status: s,
            body: String::new(),
            retry_after_ms: None,
        }
    }

    #[test]
    fn a_stored_batch_is_deleted_and_resets_the_backoff() {
        let mut d = Delivery::new(50);
        assert_eq!(
            d.answer(10, status(503), NOW, 50, 0.0),
            Next::Retry { at: NOW + 2_500 }
        );
        assert!(!d.due(NOW + 2_499) && d.due(NOW + 2_500));
        assert_eq!(
            d.answer(10, Answer::Stored { ids: 10 }, NOW, 50, 0.0),
            Next::Delete
        );
        assert_eq!((d.failures, d.sent, d.next_at), (0, 10, 0));
        assert_eq!(d.last_error, None);
    }

    #[test]
    fn failures_back_off_exponentially_with_jitter_up_to_a_cap() {
        let mut d = Delivery::new(50);
        let mut waits = vec![];
        for _ in 0..12 {
            let Next::Retry { at } = d.answer(
                5,
                Answer::Unreachable {
                    why: "timeout".into(),
                },
                NOW,
                50,
                1.0,
            ) else {
                panic!()
            };
            waits.push(at - NOW);
        }
        assert_eq!(&waits[..4], [5_000, 10_000, 20_000, 40_000]);
        assert_eq!(*waits.last().unwrap(), MAX_BACKOFF_MS);
        // Jitter keeps at least half.
        let mut d = Delivery::new(50);
        let Next::Retry { at } = d.answer(5, status(500), NOW, 50, 0.0) else {
            panic!()
        };
        assert_eq!(at - NOW, 2_500);
        assert!(d.last_error.as_deref().unwrap().contains("500"));
        // Retry-After is honoured when longer.
        let mut d = Delivery::new(50);
        let a = Answer::Status {
            status: 429,
            body: String::new(),
            retry_after_ms: Some(60_000),
        };
        assert_eq!(
            d.answer(5, a, NOW, 50, 0.0),
            Next::Retry { at: NOW + 60_000 }
        );
    }

    #[test]
    fn refused_batches_split_down_to_the_statement_at_fault() {
        let mut d = Delivery::new(50);
        assert_eq!(d.answer(8, status(400), NOW, 50, 0.0), Next::Split);
        assert_eq!(d.answer(8, status(413), NOW, 50, 0.0), Next::Split);
        assert_eq!(d.batch, 4, "413 halves the batch size");
        let body = Answer::Status {
            status: 400,
            body: "  object.id is not an IRI ".into(),
            retry_after_ms: None,
        };
        match d.answer(1, body, NOW, 50, 0.0) {
            Next::Drop { why } => assert_eq!(
                why,
                "the LRS refused a statement (400): object.id is not an IRI"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(d.rejected, 1);
        // Recovers towards policy's size as batches go through.
        d.answer(4, Answer::Stored { ids: 4 }, NOW, 50, 0.0);
        d.answer(8, Answer::Stored { ids: 8 }, NOW, 50, 0.0);
        assert_eq!(d.batch, 16);
    }

    #[test]
    fn conflicts_are_resends_and_credentials_pause() {
        let mut d = Delivery::new(50);
        assert_eq!(d.answer(3, status(409), NOW, 50, 0.0), Next::Split);
        assert_eq!(d.answer(1, status(409), NOW, 50, 0.0), Next::Delete);
        assert_eq!(
            d.answer(3, status(401), NOW, 50, 0.5),
            Next::Retry {
                at: NOW + AUTH_PAUSE_MS
            }
        );
        assert!(d.last_error.as_deref().unwrap().contains("analytics.auth"));
    }

    #[test]
    fn a_malformed_answer_keeps_the_batch_and_a_resend_is_stored() {
        let mut d = Delivery::new(50);
        assert!(matches!(
            d.answer(3, Answer::Malformed, NOW, 50, 0.0),
            Next::Retry { .. }
        ));
        assert_eq!(d.sent, 0);
        // Sent again after the LRS had stored it: fewer ids (or a 204).
        assert_eq!(
            d.answer(3, Answer::Stored { ids: 0 }, NOW, 50, 0.0),
            Next::Delete
        );
        assert_eq!(d.sent, 3);
    }
}
