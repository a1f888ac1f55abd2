//! When the service worker checks `bundle_url` again, and with which
//! validators (conditional GET). The same code drives every simulated
//! browser in `cargo xtask bench fleet`, so what is measured there is what
//! runs in the extension.
//!
//! ```text
//!  worker starts / installs / policy changes ──▶ start()  ──▶ when to check
//!  alarm fires / Check now ──▶ headers() ──▶ GET ──▶ finish(outcome) ──▶ when to check next
//! ```
//!
//! - Checks are spread: each next check is 80–100 % of the interval away, so
//!   a fleet that started together drifts apart instead of polling in step.
//! - A check that was due while the browser was closed runs within a random
//!   part of one interval after start (at once with no bundle at all), so a
//!   morning of browser starts does not become a burst of requests.
//! - Failures back off exponentially from a minute, with jitter, capped at
//!   the interval; a `Retry-After` is honoured up to the interval.
//! - `If-None-Match` / `If-Modified-Since` are sent for the bundle in use, and
//!   for one that was refused (so an unchanged bad file is not fetched again
//!   every interval); a policy change forgets them.
//!
//! Times are Unix milliseconds; `r` is a uniform random number in [0, 1)
//! from the caller (the core has no clock and no randomness).

use serde::{Deserialize, Serialize};

/// First retry after a failure.
pub const FIRST_RETRY_MS: i64 = 60_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchState {
    /// The `bundle_url` these validators belong to.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The response the validators describe was refused.
    #[serde(default)]
    pub refused: bool,
    #[serde(default)]
    pub last_check: Option<i64>,
    #[serde(default)]
    pub next_check: Option<i64>,
    /// Failures in a row.
    #[serde(default)]
    pub failures: u32,
}

/// How a check ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 304: the bundle in use (or the refused one) is current.
    NotModified,
    /// 200 with a body, which was then `accepted` or refused.
    Fetched {
        etag: Option<String>,
        last_modified: Option<String>,
        accepted: bool,
    },
    /// No usable answer (network, timeout, 4xx/5xx, too big, ...).
    Failed { retry_after_ms: Option<i64> },
}

/// The next check, `interval_ms` away give or take the jitter.
pub fn jittered(now: i64, interval_ms: i64, r: f64) -> i64 {
    now + (interval_ms as f64 * (0.8 + 0.2 * r.clamp(0.0, 1.0))) as i64
}

impl FetchState {
    /// When to check, as the worker starts (browser start, install, policy
    /// change, worker restart). `have_bundle`: a bundle is in use.
    pub fn start(
        &mut self,
        url: &str,
        now: i64,
        interval_ms: i64,
        have_bundle: bool,
        r: f64,
    ) -> i64 {
        if self.url != url {
            *self = FetchState {
                url: url.to_string(),
                ..FetchState::default()
            };
        }
        let at = match self.next_check {
            _ if !have_bundle && self.failures == 0 => now,
            // Scheduled and still ahead (a worker restart): keep it, unless
            // the interval shrank under it.
            Some(t) if t > now => t.min(jittered(now, interval_ms, r)),
            // Due while the browser was closed: spread over one interval.
            Some(_) => now + (interval_ms as f64 * r.clamp(0.0, 1.0)) as i64,
            None => now,
        };
        self.next_check = Some(at);
        at
    }

    /// Forget the validators (policy changed: a refused bundle may now pass).
    pub fn forget_validators(&mut self) {
        self.etag = None;
        self.last_modified = None;
        self.refused = false;
    }

    /// Request headers for a check of `url`.
    pub fn headers(&self, url: &str, have_bundle: bool) -> Vec<(String, String)> {
        let mut h = Vec::new();
        if self.url != url || !(have_bundle || self.refused) {
            return h;
        }
        if let Some(e) = &self.etag {
            h.push(("If-None-Match".to_string(), e.clone()));
        }
        if let Some(m) = &self.last_modified {
            h.push(("If-Modified-Since".to_string(), m.clone()));
        }
        h
    }

    /// Records how a check ended; returns when to check next.
    pub fn finish(&mut self, now: i64, interval_ms: i64, outcome: Outcome, r: f64) -> i64 {
        self.last_check = Some(now);
        let at = match outcome {
            Outcome::NotModified => {
                self.failures = 0;
                jittered(now, interval_ms, r)
            }
            Outcome::Fetched {
                etag,
                last_modified,
                accepted,
            } => {
                self.failures = 0;
                self.etag = etag;
                self.last_modified = last_modified;
                self.refused = !accepted;
                jittered(now, interval_ms, r)
            }
            Outcome::Failed { retry_after_ms } => {
                self.failures = self.failures.saturating_add(1);
                let exp = self.failures.saturating_sub(1).min(20);
                let mut base = FIRST_RETRY_MS.saturating_mul(1 << exp).min(interval_ms);
                if let Some(ra) = retry_after_ms {
                    base = base.max(ra.min(interval_ms));
                }
                now + (base as f64 * (0.5 + 0.5 * r.clamp(0.0, 1.0))) as i64
            }
        };
        self.next_check = Some(at);
        at
    }
}

/// `Retry-After` (seconds or an HTTP date we do not parse) in milliseconds.
pub fn retry_after_ms(header: Option<&str>) -> Option<i64> {
    header?.trim().parse::<i64>().ok().map(|s| s.max(0) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const H: i64 = 3_600_000;
    const URL: &str = "https://cdn.acme.example/c.wmb";

    #[test]
    fn first_check_is_at_once_and_conditional_after() {
        let mut s = FetchState::default();
        assert_eq!(s.start(URL, 1000, H, false, 0.5), 1000);
        assert!(s.headers(URL, false).is_empty());
        let next = s.finish(
            2000,
            H,
            Outcome::Fetched {
                etag: Some("\"v1\"".into()),
                last_modified: Some("Tue, 01 Dec 2026 10:00:00 GMT".into()),
                accepted: true,
            },
            0.0,
        );
        assert_eq!(next, 2000 + H * 8 / 10);
        assert_eq!(
            s.headers(URL, true),
            vec![
                ("If-None-Match".to_string(), "\"v1\"".to_string()),
                (
                    "If-Modified-Since".to_string(),
                    "Tue, 01 Dec 2026 10:00:00 GMT".to_string()
                )
            ]
        );
        // The bundle in use was lost: ask for the body again.
        assert!(s.headers(URL, false).is_empty());
        // Another URL starts afresh.
        assert!(s.headers("https://other.example/c.wmb", true).is_empty());
    }

    #[test]
    fn a_refused_file_is_not_fetched_again_until_policy_changes() {
        let mut s = FetchState::default();
        s.start(URL, 0, H, false, 0.0);
        s.finish(
            0,
            H,
            Outcome::Fetched {
                etag: Some("\"bad\"".into()),
                last_modified: None,
                accepted: false,
            },
            0.0,
        );
        assert_eq!(s.headers(URL, false).len(), 1);
        s.forget_validators();
        assert!(s.headers(URL, false).is_empty());
    }

    #[test]
    fn startup_spreads_overdue_checks_and_keeps_scheduled_ones() {
        let mut s = FetchState {
            url: URL.into(),
            next_check: Some(10 * H),
            ..FetchState::default()
        };
        // A worker restart before the check: unchanged.
        assert_eq!(s.start(URL, 9 * H, H, true, 0.3), 9 * H + H * 86 / 100);
        s.next_check = Some(10 * H);
        assert_eq!(s.start(URL, 10 * H - 1000, H, true, 0.3), 10 * H);
        // The browser was closed overnight: within one interval of start.
        s.next_check = Some(H);
        assert_eq!(s.start(URL, 20 * H, H, true, 0.25), 20 * H + H / 4);
    }

    #[test]
    fn failures_back_off_to_the_interval() {
        let mut s = FetchState::default();
        s.start(URL, 0, H, true, 0.0);
        let waits: Vec<i64> = (0..10)
            .map(|_| {
                s.finish(
                    0,
                    H,
                    Outcome::Failed {
                        retry_after_ms: None,
                    },
                    0.999_999,
                )
            })
            .collect();
        assert_eq!(waits[0], 59_999);
        assert_eq!(waits[1], 119_999);
        assert!(waits[9] <= H && waits[9] > H - 10);
        let at = s.finish(
            0,
            H,
            Outcome::Failed {
                retry_after_ms: Some(10 * H),
            },
            0.0,
        );
        assert_eq!(at, H / 2);
        assert_eq!(retry_after_ms(Some(" 120 ")), Some(120_000));
        assert_eq!(retry_after_ms(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        s.finish(0, H, Outcome::NotModified, 0.0);
        assert_eq!(s.failures, 0);
    }

    proptest! {
        /// However the dice fall, no gap between checks exceeds one
        /// interval, so every client has a publish within one interval.
        #[test]
        fn no_gap_exceeds_the_interval(rs in proptest::collection::vec(0.0f64..1.0, 1..50), start in 0i64..(10 * H)) {
            let mut s = FetchState { url: URL.into(), next_check: Some(start / 2), ..FetchState::default() };
            let mut t = s.start(URL, start, H, true, rs[0]);
            prop_assert!(t - start <= H);
            for r in &rs {
                let next = s.finish(t, H, Outcome::NotModified, *r);
                prop_assert!(next - t <= H && next - t >= H * 8 / 10);
                t = next;
            }
        }
    }
}
