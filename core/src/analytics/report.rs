//! The figures behind `waymark report`: statements in, one at a time
//! ([`Tally::add`]); [`Figures`] out ([`Tally::finish`]), joined with the
//! content library when there is one (titles, step order, owners, review
//! dates).
//!
//! ```text
//!   statement ─▶ classify (verb + object IRI) ─▶ Tally ─┬─ per walkthrough: days, steps, checks, offers
//!                                                      ├─ per (step, day): shown / missing / first 2 users
//!                                                      ├─ searches: top-K (Space-Saving)
//!                                                      └─ people: HyperLogLog
//!   Tally + Library + today ─▶ Figures (serde: the --json output; HTML reads it too)
//! ```
//!
//! Memory is bounded whatever the number of statements: counters are keyed
//! by content, step and day (what the library and the period hold), never
//! by person, attempt or statement; distinct people are estimated
//! (HyperLogLog, about 1.6 % standard error, exact-ish below a few hundred)
//! and queries are kept to the [`QUERY_SLOTS`] most frequent (Space-Saving:
//! any query asked more than `1/QUERY_SLOTS` of the time is kept, with an
//! upper bound on how far its count may be over).
//!
//! It reads the statement shape [`super::xapi`] writes; statements it does
//! not know (another tool's, in a shared LRS) are counted and skipped. It
//! does no I/O: the CLI reads files and LRSs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::xapi::{self, ext, Statement, NS};
use crate::content::{Date, Library, Status};

/// How many distinct queries the search tables keep (each list).
pub const QUERY_SLOTS: usize = 2000;
/// How many rows the top-search tables show.
pub const TOP: usize = 25;
/// A step "fails" on a day when at least this many people miss its target…
pub const ALERT_PEOPLE: usize = 2;
/// …and more than half of its showings that day ended with a missing target.
pub const ALERT_RATE: f64 = 0.5;

/// What one statement says, in the report's terms.
#[derive(Clone, Debug, PartialEq)]
enum Fact {
    Launched(String),
    StepShown,
    StepCompleted,
    StepSkipped,
    Missing,
    Ambiguous,
    Completed,
    /// At the step with this index and id.
    Abandoned(Option<u64>, Option<String>),
    Viewed,
    Offered,
    Taken,
    Declined,
    Answered(bool),
    CheckDone {
        passed: bool,
        score: Option<f64>,
    },
    Stopped,
    Searched,
}

/// Where in the content a statement points: `(kind, id, step)`.
struct Place {
    kind: Kind,
    id: String,
    step: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Walkthrough,
    Article,
}

fn unescape(seg: &str) -> String {
    let b = seg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn place(iri: &str) -> Option<Place> {
    let rest = iri.strip_prefix(NS)?.strip_prefix("/content/")?;
    let mut parts = rest.split('/');
    let kind = match parts.next()? {
        "walkthroughs" => Kind::Walkthrough,
        "articles" => Kind::Article,
        _ => return None,
    };
    let id = unescape(parts.next()?);
    let step = match (parts.next(), parts.next()) {
        (Some("steps"), Some(s)) => Some(unescape(s)),
        _ => None,
    };
    Some(Place { kind, id, step })
}

fn text<'a>(m: &'a BTreeMap<String, xapi::Ext>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(xapi::Ext::as_str)
}

fn int(m: &BTreeMap<String, xapi::Ext>, key: &str) -> Option<u64> {
    m.get(key).and_then(xapi::Ext::as_u64)
}

fn classify(st: &Statement) -> Option<Fact> {
    let on_step = st.object.id.contains("/steps/");
    let x = &st.context.extensions;
    let r = st.result.as_ref();
    Some(match st.verb.id.as_str() {
        v if v == xapi::LAUNCHED.iri => {
            Fact::Launched(text(x, ext::FROM).unwrap_or("panel").to_string())
        }
        v if v == xapi::EXPERIENCED.iri && on_step => Fact::StepShown,
        v if v == xapi::COMPLETED.iri && on_step => Fact::StepCompleted,
        v if v == xapi::COMPLETED.iri => Fact::Completed,
        v if v == xapi::SKIPPED.iri => Fact::StepSkipped,
        v if v == xapi::TARGET_MISSING.iri => Fact::Missing,
        v if v == xapi::TARGET_AMBIGUOUS.iri => Fact::Ambiguous,
        v if v == xapi::ABANDONED.iri => Fact::Abandoned(
            int(x, ext::STEP_INDEX),
            text(x, ext::OPENED).map(str::to_string),
        ),
        v if v == xapi::VIEWED.iri => Fact::Viewed,
        v if v == xapi::OFFERED.iri => Fact::Offered,
        v if v == xapi::ACCEPTED.iri => Fact::Taken,
        v if v == xapi::DECLINED.iri => Fact::Declined,
        v if v == xapi::ANSWERED.iri => Fact::Answered(r.and_then(|r| r.success) == Some(true)),
        v if v == xapi::PASSED.iri || v == xapi::FAILED.iri => Fact::CheckDone {
            passed: v == xapi::PASSED.iri,
            score: r.and_then(|r| r.score.as_ref()).map(|s| s.scaled),
        },
        v if v == xapi::STOPPED.iri => Fact::Stopped,
        v if v == xapi::SEARCHED.iri => Fact::Searched,
        _ => return None,
    })
}

/// `YYYY-MM-DD` of an xAPI timestamp (its own offset's day).
fn day_of(timestamp: &str) -> Option<Date> {
    Date::parse(timestamp.get(..10)?)
}

/// Distinct values, estimated in 4 KiB (HyperLogLog, 2^12 registers).
#[derive(Clone, Debug)]
pub struct Distinct {
    regs: Vec<u8>,
}

const HLL_BITS: u32 = 12;

impl Default for Distinct {
    fn default() -> Self {
        Distinct {
            regs: vec![0; 1 << HLL_BITS],
        }
    }
}

/// FNV-1a, then the MurmurHash3 finaliser so every bit depends on every
/// input bit (HyperLogLog reads the top bits and counts leading zeros).
fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl Distinct {
    pub fn insert(&mut self, s: &str) {
        let h = hash(s);
        let i = (h >> (64 - HLL_BITS)) as usize;
        let rest = h << HLL_BITS;
        let rank = (rest.leading_zeros().min(64 - HLL_BITS) + 1) as u8;
        if let Some(r) = self.regs.get_mut(i) {
            *r = (*r).max(rank);
        }
    }

    pub fn estimate(&self) -> u64 {
        let m = self.regs.len() as f64;
        let zeros = self.regs.iter().filter(|&&r| r == 0).count();
        let sum: f64 = self.regs.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
        let raw = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
        let e = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        e.round() as u64
    }
}

/// The most frequent strings in bounded space (Space-Saving, Metwally et
/// al. 2005): `slots` counters; a new string when all are taken replaces
/// the smallest and inherits its count as its possible error.
#[derive(Clone, Debug)]
pub struct TopK {
    slots: usize,
    counts: HashMap<String, Slot>,
    order: BTreeSet<(u64, String)>,
}

#[derive(Clone, Debug, Default)]
struct Slot {
    count: u64,
    over: u64,
    opened: u64,
    results: u64,
}

impl TopK {
    pub fn new(slots: usize) -> TopK {
        TopK {
            slots: slots.max(1),
            counts: HashMap::new(),
            order: BTreeSet::new(),
        }
    }

    fn add(&mut self, key: &str, opened: bool, results: u64) {
        let slot = match self.counts.get_mut(key) {
            Some(s) => {
                self.order.remove(&(s.count, key.to_string()));
                s
            }
            None => {
                let mut fresh = Slot::default();
                if self.counts.len() >= self.slots {
                    if let Some((min, gone)) = self.order.pop_first() {
                        self.counts.remove(&gone);
                        fresh.count = min;
                        fresh.over = min;
                    }
                }
                self.counts.entry(key.to_string()).or_insert(fresh)
            }
        };
        slot.count += 1;
        slot.opened += u64::from(opened);
        slot.results = results;
        self.order.insert((slot.count, key.to_string()));
    }

    fn top(&self, n: usize) -> Vec<Query> {
        let mut v: Vec<Query> = self
            .counts
            .iter()
            .map(|(q, s)| Query {
                query: q.clone(),
                count: s.count,
                over_by: s.over,
                opened: s.opened,
                results: s.results,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.query.cmp(&b.query)));
        v.truncate(n);
        v
    }
}

/// Lowercase, single spaces: "Refund  Order" and "refund order" are one.
fn normalise(q: &str) -> String {
    q.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[derive(Clone, Debug, Default)]
struct StepTally {
    index: u64,
    shown: u64,
    completed: u64,
    skipped: u64,
    missing: u64,
    ambiguous: u64,
    abandoned: u64,
}

#[derive(Clone, Debug, Default)]
struct CheckTally {
    answered: u64,
    correct: u64,
    passed: u64,
    failed: u64,
    score_sum: f64,
    scored: u64,
}

#[derive(Clone, Debug, Default)]
struct DayTally {
    launched: u64,
    completed: u64,
    abandoned: u64,
    views: u64,
}

#[derive(Clone, Debug, Default)]
struct ContentTally {
    days: BTreeMap<Date, DayTally>,
    from: BTreeMap<String, u64>,
    steps: BTreeMap<String, StepTally>,
    checks: BTreeMap<String, CheckTally>,
    versions: BTreeMap<String, u64>,
    people: Distinct,
    launched: u64,
    completed: u64,
    abandoned: u64,
    views: u64,
    offered: u64,
    taken: u64,
    declined: u64,
    stopped: u64,
}

#[derive(Clone, Debug, Default)]
struct StepDay {
    shown: u64,
    missing: u64,
    /// The first [`ALERT_PEOPLE`] different people who missed it.
    people: Vec<String>,
}

/// Statements folded so far. Feed it with [`Tally::add`], in any order.
#[derive(Clone, Debug)]
pub struct Tally {
    statements: u64,
    skipped: u64,
    first: Option<Date>,
    last: Option<Date>,
    people: Distinct,
    content: BTreeMap<(Kind, String), ContentTally>,
    step_days: BTreeMap<(String, String, Date), StepDay>,
    searches: u64,
    searches_zero: u64,
    searches_opened: u64,
    queries: TopK,
    zero: TopK,
    search_days: BTreeMap<Date, (u64, u64)>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally::new()
    }
}

/// What narrows a report: a period and an environment.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// `production` or `staging`: statements from bundles of that
    /// environment only.
    pub environment: Option<String>,
}

impl Filter {
    fn keeps(&self, st: &Statement, day: Date) -> bool {
        self.since.is_none_or(|s| day >= s)
            && self.until.is_none_or(|u| day <= u)
            && self.environment.as_deref().is_none_or(|e| {
                text(&st.context.extensions, ext::ENVIRONMENT).is_none_or(|have| have == e)
            })
    }
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            statements: 0,
            skipped: 0,
            first: None,
            last: None,
            people: Distinct::default(),
            content: BTreeMap::new(),
            step_days: BTreeMap::new(),
            searches: 0,
            searches_zero: 0,
            searches_opened: 0,
            queries: TopK::new(QUERY_SLOTS),
            zero: TopK::new(QUERY_SLOTS),
            search_days: BTreeMap::new(),
        }
    }

    /// Statements read so far (kept or not).
    pub fn seen(&self) -> u64 {
        self.statements + self.skipped
    }

    /// Counts a statement that could not be read at all.
    pub fn unreadable(&mut self) {
        self.skipped += 1;
    }

    /// Folds one statement in; returns whether it counted (a statement
    /// Waymark does not write, or one outside `filter`, does not).
    pub fn add(&mut self, st: &Statement, filter: &Filter) -> bool {
        let (Some(fact), Some(day)) = (classify(st), day_of(&st.timestamp)) else {
            self.skipped += 1;
            return false;
        };
        if !filter.keeps(st, day) {
            self.skipped += 1;
            return false;
        }
        self.statements += 1;
        self.first = Some(self.first.map_or(day, |f| f.min(day)));
        self.last = Some(self.last.map_or(day, |l| l.max(day)));
        let who = st
            .actor
            .account
            .as_ref()
            .map(|a| a.name.as_str())
            .or(st.actor.mbox.as_deref())
            .unwrap_or("");
        self.people.insert(who);
        if fact == Fact::Searched {
            self.search(st, day);
            return true;
        }
        let Some(at) = place(&st.object.id) else {
            // Guidance stopped outside any content, say.
            return true;
        };
        let x = &st.context.extensions;
        let version = text(x, ext::CONTENT_VERSION).unwrap_or("").to_string();
        let c = self.content.entry((at.kind, at.id.clone())).or_default();
        *c.versions.entry(version.clone()).or_default() += 1;
        let d = c.days.entry(day).or_default();
        let index = int(x, ext::STEP_INDEX);
        let step = at.step.clone().map(|s| {
            let t = c.steps.entry(s).or_default();
            if let Some(i) = index {
                t.index = i;
            }
            t
        });
        match (fact, step) {
            (Fact::Launched(from), _) => {
                c.launched += 1;
                d.launched += 1;
                *c.from.entry(from).or_default() += 1;
                c.people.insert(who);
            }
            (Fact::Completed, _) => {
                c.completed += 1;
                d.completed += 1;
            }
            (Fact::Abandoned(i, step), _) => {
                c.abandoned += 1;
                d.abandoned += 1;
                // The statement is about the walkthrough; the step it was
                // left on is in its extensions (id, else index only).
                let key = step.or_else(|| i.map(|i| format!("#{i}")));
                if let Some(key) = key {
                    let t = c.steps.entry(key).or_default();
                    if let Some(i) = i {
                        t.index = i;
                    }
                    t.abandoned += 1;
                }
            }
            (Fact::Viewed, _) => {
                c.views += 1;
                d.views += 1;
                c.people.insert(who);
            }
            (Fact::Offered, _) => c.offered += 1,
            (Fact::Taken, _) => c.taken += 1,
            (Fact::Declined, _) => c.declined += 1,
            (Fact::Stopped, _) => c.stopped += 1,
            (Fact::Answered(ok), _) => {
                let k = c.checks.entry(version).or_default();
                k.answered += 1;
                k.correct += u64::from(ok);
            }
            (Fact::CheckDone { passed, score }, _) => {
                let k = c.checks.entry(version).or_default();
                k.passed += u64::from(passed);
                k.failed += u64::from(!passed);
                if let Some(s) = score {
                    k.score_sum += s;
                    k.scored += 1;
                }
            }
            (Fact::StepShown, Some(t)) => {
                t.shown += 1;
                if let Some(s) = &at.step {
                    self.step_days
                        .entry((at.id, s.clone(), day))
                        .or_default()
                        .shown += 1;
                }
            }
            (Fact::StepCompleted, Some(t)) => t.completed += 1,
            (Fact::StepSkipped, Some(t)) => t.skipped += 1,
            (Fact::Ambiguous, Some(t)) => t.ambiguous += 1,
            (Fact::Missing, Some(t)) => {
                t.missing += 1;
                if let Some(s) = &at.step {
                    let sd = self.step_days.entry((at.id, s.clone(), day)).or_default();
                    sd.missing += 1;
                    if sd.people.len() < ALERT_PEOPLE && !sd.people.iter().any(|p| p == who) {
                        sd.people.push(who.to_string());
                    }
                }
            }
            _ => {}
        }
        true
    }

    fn search(&mut self, st: &Statement, day: Date) {
        let r = st.result.as_ref();
        let query = normalise(r.and_then(|r| r.response.as_deref()).unwrap_or(""));
        let results = r
            .and_then(|r| int(&r.extensions, ext::RESULTS))
            .unwrap_or(0);
        let opened = r.is_some_and(|r| r.extensions.contains_key(ext::OPENED));
        self.searches += 1;
        self.searches_opened += u64::from(opened);
        let d = self.search_days.entry(day).or_default();
        d.0 += 1;
        if results == 0 {
            self.searches_zero += 1;
            d.1 += 1;
            if !query.is_empty() {
                self.zero.add(&query, false, 0);
            }
        }
        if !query.is_empty() {
            self.queries.add(&query, opened, results);
        }
    }

    /// The figures, joined with `library` when given (titles, step order,
    /// content nobody used, stale content as of `today`).
    pub fn finish(&self, library: Option<&Library>, today: Date) -> Figures {
        let mut walkthroughs = Vec::new();
        let mut articles = Vec::new();
        let mut seen = BTreeSet::new();
        for ((kind, id), c) in &self.content {
            seen.insert((*kind, id.clone()));
            match kind {
                Kind::Walkthrough => walkthroughs.push(walk_figures(id, c, library)),
                Kind::Article => articles.push(ArticleFigures {
                    id: id.clone(),
                    title: library
                        .and_then(|l| l.article(id))
                        .map(|a| a.title.clone())
                        .unwrap_or_default(),
                    current_version: library
                        .and_then(|l| l.article(id))
                        .map(|a| a.version.clone()),
                    views: c.views,
                    people: c.people.estimate(),
                    days: days(c),
                }),
            }
        }
        walkthroughs.sort_by(|a, b| b.launched.cmp(&a.launched).then(a.id.cmp(&b.id)));
        articles.sort_by(|a, b| b.views.cmp(&a.views).then(a.id.cmp(&b.id)));
        let mut unused = Vec::new();
        let mut stale: BTreeMap<String, Vec<StaleItem>> = BTreeMap::new();
        if let Some(lib) = library {
            for i in lib.items() {
                if i.meta.status == Status::Retired {
                    continue;
                }
                let kind = if i.kind == "article" {
                    Kind::Article
                } else {
                    Kind::Walkthrough
                };
                if !seen.contains(&(kind, i.id.to_string())) {
                    unused.push(Unused {
                        kind,
                        id: i.id.to_string(),
                        title: i.title.to_string(),
                        owner: i.meta.owner.clone(),
                    });
                }
                if let Some(due) = i.meta.review_by.filter(|d| *d < today) {
                    stale
                        .entry(i.meta.owner.clone())
                        .or_default()
                        .push(StaleItem {
                            kind,
                            id: i.id.to_string(),
                            title: i.title.to_string(),
                            review_by: due.to_string(),
                            days_overdue: (today.0 - due.0) as u64,
                            under_review: i.meta.under_review(today, lib.review_cycle_days),
                        });
                }
            }
        }
        let alerts = self
            .step_days
            .iter()
            .filter_map(|((w, step, day), sd)| {
                let attempts = sd.shown.max(sd.missing);
                let rate = sd.missing as f64 / attempts.max(1) as f64;
                (sd.people.len() >= ALERT_PEOPLE && rate > ALERT_RATE).then(|| Alert {
                    walkthrough: w.clone(),
                    step: step.clone(),
                    step_title: step_title(library, w, step),
                    day: day.to_string(),
                    missing: sd.missing,
                    shown: sd.shown,
                    rate,
                })
            })
            .collect();
        let search_days = self
            .search_days
            .iter()
            .map(|(d, (all, zero))| SearchDay {
                day: d.to_string(),
                searches: *all,
                zero: *zero,
            })
            .collect();
        Figures {
            format: FIGURES_FORMAT,
            today: today.to_string(),
            from: self.first.map(|d| d.to_string()),
            to: self.last.map(|d| d.to_string()),
            statements: self.statements,
            skipped: self.skipped,
            people: self.people.estimate(),
            walkthroughs,
            articles,
            searches: Searches {
                total: self.searches,
                zero: self.searches_zero,
                opened: self.searches_opened,
                top: self.queries.top(TOP),
                top_zero: self.zero.top(TOP),
                days: search_days,
                slots: QUERY_SLOTS,
            },
            alerts,
            stale: stale
                .into_iter()
                .map(|(owner, mut items)| {
                    items.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.id.cmp(&b.id)));
                    Owner { owner, items }
                })
                .collect(),
            unused,
        }
    }
}

fn step_title(library: Option<&Library>, w: &str, step: &str) -> String {
    library
        .and_then(|l| l.walkthrough(w))
        .and_then(|w| w.steps.iter().find(|s| s.id == step))
        .map(|s| s.title.clone())
        .unwrap_or_default()
}

fn days(c: &ContentTally) -> Vec<Day> {
    c.days
        .iter()
        .map(|(d, t)| Day {
            day: d.to_string(),
            launched: t.launched,
            completed: t.completed,
            abandoned: t.abandoned,
            views: t.views,
        })
        .collect()
}

fn walk_figures(id: &str, c: &ContentTally, library: Option<&Library>) -> WalkFigures {
    let w = library.and_then(|l| l.walkthrough(id));
    // Steps in the library's order; steps the statements name that the
    // library no longer has (renamed, removed) after them, by index.
    let mut steps: Vec<StepFigures> = Vec::new();
    let mut done = BTreeSet::new();
    let fig = |sid: &str, t: Option<&StepTally>, index: u64, title: String, current: bool| {
        let t = t.cloned().unwrap_or_default();
        StepFigures {
            index,
            id: sid.to_string(),
            title,
            in_library: current,
            shown: t.shown,
            completed: t.completed,
            skipped: t.skipped,
            abandoned: t.abandoned,
            missing: t.missing,
            ambiguous: t.ambiguous,
            missing_rate: if t.shown == 0 {
                0.0
            } else {
                (t.missing as f64 / t.shown as f64).min(1.0)
            },
        }
    };
    if let Some(w) = w {
        for (i, s) in w.steps.iter().enumerate() {
            done.insert(s.id.clone());
            let t = c.steps.get(&s.id);
            // A step renamed away keeps its index in the statements: an
            // abandonment recorded by index lands on the library step.
            let mut f = fig(&s.id, t, i as u64, s.title.clone(), true);
            if let Some(by_index) = c.steps.get(&format!("#{i}")) {
                f.abandoned += by_index.abandoned;
                done.insert(format!("#{i}"));
            }
            steps.push(f);
        }
    }
    let mut rest: Vec<(&String, &StepTally)> =
        c.steps.iter().filter(|(k, _)| !done.contains(*k)).collect();
    rest.sort_by_key(|(k, t)| (t.index, (*k).clone()));
    for (k, t) in rest {
        steps.push(fig(k, Some(t), t.index, String::new(), w.is_none()));
    }
    let checks = c
        .checks
        .iter()
        .map(|(v, k)| {
            let taken = k.passed + k.failed;
            CheckFigures {
                version: v.clone(),
                taken,
                passed: k.passed,
                failed: k.failed,
                pass_rate: if taken == 0 {
                    0.0
                } else {
                    k.passed as f64 / taken as f64
                },
                mean_score: (k.scored > 0).then(|| k.score_sum / k.scored as f64),
                answers: k.answered,
                correct: k.correct,
            }
        })
        .collect();
    WalkFigures {
        id: id.to_string(),
        title: w.map(|w| w.title.clone()).unwrap_or_default(),
        current_version: w.map(|w| w.version.clone()),
        versions: c.versions.clone(),
        launched: c.launched,
        completed: c.completed,
        abandoned: c.abandoned,
        completion_rate: if c.launched == 0 {
            0.0
        } else {
            (c.completed as f64 / c.launched as f64).min(1.0)
        },
        people: c.people.estimate(),
        launched_from: c.from.clone(),
        offers: Offers {
            offered: c.offered,
            taken: c.taken,
            declined: c.declined,
        },
        changes_seen: c.views,
        stopped: c.stopped,
        days: days(c),
        steps,
        checks,
    }
}

/// Bumped when a field changes meaning or goes away (`--json` readers
/// check it).
pub const FIGURES_FORMAT: u32 = 1;

/// Everything the report shows; `waymark report --json` writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub format: u32,
    /// The day stale content is judged on.
    pub today: String,
    /// The first and last day with statements counted.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Statements counted.
    pub statements: u64,
    /// Statements read and not counted: unreadable, not Waymark's, or
    /// outside the period or environment asked for.
    pub skipped: u64,
    /// Distinct people (estimated).
    pub people: u64,
    /// Most launched first.
    pub walkthroughs: Vec<WalkFigures>,
    /// Most viewed first.
    pub articles: Vec<ArticleFigures>,
    pub searches: Searches,
    /// Steps whose target went missing for several people on one day.
    pub alerts: Vec<Alert>,
    /// Content past its review date, by owner.
    pub stale: Vec<Owner>,
    /// Content in the library that no statement mentions.
    pub unused: Vec<Unused>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WalkFigures {
    pub id: String,
    /// From the library (empty without one).
    pub title: String,
    pub current_version: Option<String>,
    /// Statements per content version seen.
    pub versions: BTreeMap<String, u64>,
    pub launched: u64,
    pub completed: u64,
    pub abandoned: u64,
    pub completion_rate: f64,
    /// Distinct people who launched it (estimated).
    pub people: u64,
    /// Launches by where from: panel, trigger, deep_link, auto_start.
    pub launched_from: BTreeMap<String, u64>,
    pub offers: Offers,
    /// Times its change card was seen.
    pub changes_seen: u64,
    /// Times guidance on it was stopped by the page (see docs).
    pub stopped: u64,
    pub days: Vec<Day>,
    /// The funnel, in the walkthrough's order.
    pub steps: Vec<StepFigures>,
    /// Per content version.
    pub checks: Vec<CheckFigures>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offers {
    pub offered: u64,
    pub taken: u64,
    pub declined: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Day {
    pub day: String,
    pub launched: u64,
    pub completed: u64,
    pub abandoned: u64,
    pub views: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepFigures {
    pub index: u64,
    pub id: String,
    pub title: String,
    /// Whether the library still has this step (false: renamed or removed
    /// since these statements were made).
    pub in_library: bool,
    pub shown: u64,
    pub completed: u64,
    pub skipped: u64,
    /// Walkthroughs closed on this step.
    pub abandoned: u64,
    pub missing: u64,
    pub ambiguous: u64,
    /// `missing / shown`, at most 1.
    pub missing_rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckFigures {
    pub version: String,
    pub taken: u64,
    pub passed: u64,
    pub failed: u64,
    pub pass_rate: f64,
    pub mean_score: Option<f64>,
    /// Questions answered, and answered right.
    pub answers: u64,
    pub correct: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleFigures {
    pub id: String,
    pub title: String,
    pub current_version: Option<String>,
    pub views: u64,
    pub people: u64,
    pub days: Vec<Day>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Searches {
    pub total: u64,
    /// Searches with no result.
    pub zero: u64,
    /// Searches after which a result was opened.
    pub opened: u64,
    pub top: Vec<Query>,
    pub top_zero: Vec<Query>,
    pub days: Vec<SearchDay>,
    /// Distinct queries tracked per list (counts are exact while fewer
    /// distinct queries than this were asked; `over_by` bounds the error).
    pub slots: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Scrubbed (as recorded), lowercased, spaces collapsed.
    pub query: String,
    pub count: u64,
    /// At most this much of `count` may belong to queries it replaced.
    pub over_by: u64,
    /// Times a result was opened after it.
    pub opened: u64,
    /// Results it had the last time it was asked.
    pub results: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchDay {
    pub day: String,
    pub searches: u64,
    pub zero: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub walkthrough: String,
    pub step: String,
    pub step_title: String,
    pub day: String,
    pub missing: u64,
    pub shown: u64,
    pub rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    pub owner: String,
    /// Most overdue first.
    pub items: Vec<StaleItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaleItem {
    pub kind: Kind,
    pub id: String,
    pub title: String,
    pub review_by: String,
    pub days_overdue: u64,
    /// Two review cycles overdue: employees see "under review".
    pub under_review: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unused {
    pub kind: Kind,
    pub id: String,
    pub title: String,
    pub owner: String,
}

pub mod synthetic;

#[cfg(test)]
mod tests;
