//! `waymark check`: plays every walkthrough against the running app in a
//! headless Chromium and says, step by step, whether its target is still
//! found, and how: by its first alternative, only by a fallback (promote
//! it), ambiguously, or not at all. What an author runs in CI after the
//! host app's release, before employees meet a broken step.
//!
//! ```text
//!   waymark check ──spawns──▶ chromedriver ──▶ headless Chromium ──▶ the app (--url)
//!        │  per step: execute(checker.js: candidates of the step's queries)
//!        │            core targeting::pick ──▶ first / fallback / ambiguous / missing
//!        │            act as the employee would: click it, fill it, wait for the page
//!        └─ report (text or --json); exit 1 when a step is missing or ambiguous
//! ```
//!
//! Targets are found by the agent's own code (`checker.js`, bundled from
//! `extension/src/agent` by `cargo xtask dist` into the extension folder) and
//! chosen by the engine's own rule (`targeting::pick`), so a check agrees with
//! what the extension would do. This module owns the WebDriver conversation
//! and the report; it must not decide what a target matches.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use waymark_core::content::{Advance, Branch, Library, Step, Target, Walkthrough};
use waymark_core::targeting::{pick, ElementFacts, Pick, Query};
use waymark_core::urlmatch;

/// How often a step's target is looked for while waiting.
const POLL: Duration = Duration::from_millis(100);

/// The W3C WebDriver element reference key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Options {
    pub url: String,
    pub library: Library,
    pub walkthroughs: Vec<String>,
    pub values: Vec<String>,
    pub extension: PathBuf,
    pub browser: PathBuf,
    pub driver: PathBuf,
    /// Overrides each step's own `timeout_ms`.
    pub timeout: Option<Duration>,
    pub json: bool,
    pub strict: bool,
}

/// What became of one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Found by its first alternative.
    First {
        target: String,
    },
    /// Found only by a later alternative: promote it.
    Fallback {
        target: String,
        /// 1-based, as the author counts them.
        alternative: usize,
        alternatives: usize,
    },
    /// Several elements match and none stands out.
    Ambiguous {
        count: usize,
    },
    Missing {
        alternatives: usize,
    },
    /// The step has no target (a Next-only card).
    NoTarget,
    /// The step's `url` never matched where the steps before led.
    OtherPage {
        want: String,
        at: String,
    },
    /// An earlier step stopped the walkthrough.
    NotReached,
}

impl Outcome {
    fn failed(&self) -> bool {
        matches!(
            self,
            Outcome::Ambiguous { .. } | Outcome::Missing { .. } | Outcome::OtherPage { .. }
        )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    pub id: String,
    pub title: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// What the check did there, and anything the author should know.
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WalkthroughReport {
    pub id: String,
    pub title: String,
    pub start: String,
    pub steps: Vec<StepReport>,
    /// Why the walkthrough stopped before its end, if it did.
    pub stopped: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub steps: usize,
    pub first: usize,
    pub fallback: usize,
    pub ambiguous: usize,
    pub missing: usize,
    pub other_page: usize,
    pub not_reached: usize,
    pub no_target: usize,
}

pub fn run(o: &Options) -> ExitCode {
    match check(o) {
        Ok(reports) => {
            let totals = totals(&reports);
            if o.json {
                let out = json!({ "url": o.url, "walkthroughs": reports, "totals": totals });
                println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            } else {
                print!("{}", render(&o.url, &reports, &totals));
            }
            ExitCode::from(exit_code(&totals, o.strict))
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// 1 when an employee would be stuck (a step missing, ambiguous or on
/// another page); with `strict` also when a step hangs on a fallback or was
/// not reached.
fn exit_code(t: &Totals, strict: bool) -> u8 {
    let failed = t.missing + t.ambiguous + t.other_page > 0;
    let warned = t.fallback + t.not_reached > 0;
    u8::from(failed || (strict && warned))
}

fn check(o: &Options) -> Result<Vec<WalkthroughReport>, String> {
    let chosen: Vec<&Walkthrough> = if o.walkthroughs.is_empty() {
        o.library.walkthroughs.iter().collect()
    } else {
        o.walkthroughs
            .iter()
            .map(|id| {
                o.library.walkthrough(id).ok_or_else(|| {
                    let ids: Vec<&str> = o
                        .library
                        .walkthroughs
                        .iter()
                        .map(|w| w.id.as_str())
                        .collect();
                    format!("no walkthrough `{id}`; the content has: {}", ids.join(", "))
                })
            })
            .collect::<Result<_, _>>()?
    };
    if chosen.is_empty() {
        return Err("the content has no walkthroughs to check".into());
    }
    let values = parse_values(&o.values)?;
    let checker_path = o.extension.join("checker.js");
    let checker = std::fs::read_to_string(&checker_path).map_err(|e| {
        format!(
            "cannot read {}: {e}; --extension names the built extension folder (`cargo xtask dist` writes target/dist/chrome)",
            checker_path.display()
        )
    })?;
    let driver = Driver::start(&o.driver, &o.browser)?;
    let page = Page {
        driver: &driver,
        script: format!(
            "if (!globalThis.__waymarkCheck) {{ {checker}\n}} return globalThis.__waymarkCheck[arguments[0]](...arguments[1]);"
        ),
    };
    let mut out = Vec::new();
    for w in chosen {
        out.push(play(&page, o, w, &values)?);
    }
    Ok(out)
}

/// `STEP=VALUE` or `WALKTHROUGH/STEP=VALUE`.
fn parse_values(raw: &[String]) -> Result<Vec<(Option<String>, String, String)>, String> {
    raw.iter()
        .map(|v| {
            let (key, value) = v.split_once('=').ok_or_else(|| {
                format!("--value {v}: write STEP=VALUE or WALKTHROUGH/STEP=VALUE")
            })?;
            Ok(match key.split_once('/') {
                Some((w, s)) => (Some(w.to_string()), s.to_string(), value.to_string()),
                None => (None, key.to_string(), value.to_string()),
            })
        })
        .collect()
}

/// Where a walkthrough starts: `--url` if it is one of the walkthrough's
/// screens, else the first `applies_to` pattern up to its first wildcard.
pub fn start_url(base: &str, w: &Walkthrough) -> String {
    if w.applies_to.is_empty() || urlmatch::any_matches(&w.applies_to, base) {
        return base.to_string();
    }
    let origin = urlmatch::origin(base);
    for p in &w.applies_to {
        let literal = p.split('*').next().unwrap_or_default();
        if literal.starts_with('/') {
            return format!("{origin}{literal}");
        }
        let full = literal
            .find("://")
            .is_some_and(|i| literal[i + 3..].contains('/'));
        if full {
            return literal.to_string();
        }
    }
    base.to_string()
}

fn play(
    page: &Page,
    o: &Options,
    w: &Walkthrough,
    values: &[(Option<String>, String, String)],
) -> Result<WalkthroughReport, String> {
    let start = start_url(&o.url, w);
    page.driver.navigate(&start)?;
    let mut steps: Vec<StepReport> = Vec::new();
    let mut stopped = None;
    let mut i = Some(0);
    while let Some(at) = i {
        let Some(st) = w.steps.get(at) else { break };
        if steps.iter().any(|r| r.id == st.id) {
            stopped = Some(format!("step `{}` comes round again: stopped there", st.id));
            break;
        }
        let timeout = o
            .timeout
            .unwrap_or(Duration::from_millis(u64::from(st.timeout_ms.max(1000))));
        let mut notes = Vec::new();
        let (outcome, found) = find(page, st, timeout)?;
        let failed = outcome.failed();
        steps.push(StepReport {
            id: st.id.clone(),
            title: st.title.clone(),
            outcome,
            notes: Vec::new(),
        });
        if failed {
            if st.optional {
                notes.push("optional: the extension skips it when it is not found".into());
                if let Some(r) = steps.last_mut() {
                    r.notes = notes;
                }
                i = next(w, at, st, &mut Vec::new());
                continue;
            }
            stopped = Some(format!(
                "stopped at `{}`: the employee would be stuck there",
                st.id
            ));
            break;
        }
        let acted = act(page, w, st, found, values, timeout, &mut notes)?;
        if let Some(r) = steps.last_mut() {
            r.notes = notes;
        }
        if let Err(why) = acted {
            stopped = Some(why);
            break;
        }
        let mut choice_notes = Vec::new();
        i = next(w, at, st, &mut choice_notes);
        if let Some(r) = steps.last_mut() {
            r.notes.extend(choice_notes);
        }
    }
    for st in &w.steps {
        if !steps.iter().any(|r| r.id == st.id) && stopped.is_some() {
            steps.push(StepReport {
                id: st.id.clone(),
                title: st.title.clone(),
                outcome: Outcome::NotReached,
                notes: Vec::new(),
            });
        }
    }
    Ok(WalkthroughReport {
        id: w.id.clone(),
        title: w.title.clone(),
        start,
        steps,
        stopped,
    })
}

/// The step after `at` on the path the check takes: the first of its
/// successors (a decision: its first answer, said in a note).
fn next(w: &Walkthrough, at: usize, st: &Step, notes: &mut Vec<String>) -> Option<usize> {
    if let Branch::Choices(cs) = &st.branch {
        if let (Some(c), true) = (cs.first(), cs.len() > 1) {
            notes.push(format!(
                "a decision: took the first answer, “{}” (the others are not checked)",
                c.label
            ));
        }
    }
    w.successors(at).first().copied()
}

/// Waits (up to `timeout`) for the step's page and its target. Returns the
/// outcome and, when found, the candidate's index for `act`.
fn find(page: &Page, st: &Step, timeout: Duration) -> Result<(Outcome, Option<usize>), String> {
    let deadline = Instant::now() + timeout;
    if let Some(want) = &st.url {
        loop {
            let at = page.driver.url().unwrap_or_default();
            if urlmatch::matches(want, &at) {
                break;
            }
            if Instant::now() >= deadline {
                return Ok((
                    Outcome::OtherPage {
                        want: want.clone(),
                        at,
                    },
                    None,
                ));
            }
            std::thread::sleep(POLL);
        }
    }
    if st.target.is_empty() {
        return Ok((Outcome::NoTarget, None));
    }
    let queries: Vec<Query> = st.target.iter().map(Query::from_target).collect();
    let mut last = Pick::Missing;
    loop {
        // A page between two documents answers with an error: look again.
        if let Ok(facts) = page.candidates(&queries) {
            last = pick(st.target.len(), &facts, None);
            if let Pick::Found(k) = last {
                let alt = facts[k].matched.iter().copied().min().unwrap_or(0);
                let target = st
                    .target
                    .get(alt)
                    .map(Target::to_string)
                    .unwrap_or_default();
                let outcome = if alt == 0 {
                    Outcome::First { target }
                } else {
                    Outcome::Fallback {
                        target,
                        alternative: alt + 1,
                        alternatives: st.target.len(),
                    }
                };
                return Ok((outcome, Some(k)));
            }
        }
        if Instant::now() >= deadline {
            return Ok((
                match last {
                    Pick::Ambiguous(v) => Outcome::Ambiguous { count: v.len() },
                    _ => Outcome::Missing {
                        alternatives: st.target.len(),
                    },
                },
                None,
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// Does what the step asks of the employee. `Err(why)` stops the
/// walkthrough there without failing it (input the check cannot know, a
/// change only a person makes).
fn act(
    page: &Page,
    w: &Walkthrough,
    st: &Step,
    found: Option<usize>,
    values: &[(Option<String>, String, String)],
    timeout: Duration,
    notes: &mut Vec<String>,
) -> Result<Result<(), String>, String> {
    let given = values
        .iter()
        .find(|(wid, sid, _)| sid == &st.id && wid.as_deref().is_none_or(|x| x == w.id))
        .map(|(_, _, v)| v.clone());
    match (&st.advance, found) {
        (Advance::Next, _) => notes.push("Next".into()),
        (Advance::Click, Some(k)) => match page.click(k)? {
            None => notes.push("clicked".into()),
            Some(why) => notes.push(format!(
                "clicked through the page's DOM: WebDriver could not ({why})"
            )),
        },
        (Advance::Input(rule) | Advance::Change(rule), Some(k)) => {
            let value = match (given, rule) {
                (Some(v), _) => Some(v),
                (None, Some(p)) if !p.contains('*') => Some(p.clone()),
                (None, Some(p)) => {
                    return Ok(Err(format!(
                        "stopped at `{}`: it needs a value matching `{p}`; run again with --value {}/{}=…",
                        st.id, w.id, st.id
                    )))
                }
                (None, None) => None,
            };
            match page.fill(k, value.as_deref())? {
                Some(done) => notes.push(done),
                None => {
                    return Ok(Err(format!(
                        "stopped at `{}`: no field to fill, or a secret one (password, card, one-time code) left to a person; run again with --value {}/{}=…",
                        st.id, w.id, st.id
                    )))
                }
            }
        }
        (Advance::Appear(targets), _) => {
            let queries: Vec<Query> = targets.iter().map(Query::from_target).collect();
            if !page.wait(timeout, || Ok(!page.candidates(&queries)?.is_empty()))? {
                return Ok(Err(format!(
                    "stopped at `{}`: nothing it waits for appeared by itself; a person does something here",
                    st.id
                )));
            }
            notes.push("it appeared".into());
        }
        (Advance::Url(p), _) => {
            let p = p.clone();
            if !page.wait(timeout, || Ok(urlmatch::matches(&p, &page.driver.url()?)))? {
                return Ok(Err(format!(
                    "stopped at `{}`: the page did not reach `{p}` by itself; a person does something here",
                    st.id
                )));
            }
            notes.push("the page moved on".into());
        }
        (Advance::Disappear, _) => {
            let queries: Vec<Query> = st.target.iter().map(Query::from_target).collect();
            if !page.wait(timeout, || Ok(page.candidates(&queries)?.is_empty()))? {
                return Ok(Err(format!(
                    "stopped at `{}`: its target did not go away by itself; a person does something here",
                    st.id
                )));
            }
            notes.push("it went away".into());
        }
        // Click, input or change without a target: nothing to act on.
        (_, None) => notes.push("no target to act on".into()),
    }
    Ok(Ok(()))
}

fn totals(reports: &[WalkthroughReport]) -> Totals {
    let mut t = Totals::default();
    for s in reports.iter().flat_map(|r| &r.steps) {
        t.steps += 1;
        match s.outcome {
            Outcome::First { .. } => t.first += 1,
            Outcome::Fallback { .. } => t.fallback += 1,
            Outcome::Ambiguous { .. } => t.ambiguous += 1,
            Outcome::Missing { .. } => t.missing += 1,
            Outcome::NoTarget => t.no_target += 1,
            Outcome::OtherPage { .. } => t.other_page += 1,
            Outcome::NotReached => t.not_reached += 1,
        }
    }
    t
}

/// The report as an author reads it in a terminal or a CI log.
pub fn render(url: &str, reports: &[WalkthroughReport], t: &Totals) -> String {
    let mut out = format!("waymark check {url}\n");
    for r in reports {
        out.push_str(&format!("\n{} “{}” from {}\n", r.id, r.title, r.start));
        for (n, s) in r.steps.iter().enumerate() {
            let (mark, what) = match &s.outcome {
                Outcome::First { target } => ("ok", format!("found by its first target {target}")),
                Outcome::Fallback {
                    target,
                    alternative,
                    alternatives,
                } => (
                    "FALLBACK",
                    format!(
                        "only alternative {alternative} of {alternatives} found it: {target}; promote it (move it first in `target`) and fix or drop the ones before it"
                    ),
                ),
                Outcome::Ambiguous { count } => (
                    "AMBIGUOUS",
                    format!("{count} elements match and none stands out: make the first target name one"),
                ),
                Outcome::Missing { alternatives } => (
                    "MISSING",
                    format!("none of its {alternatives} targets found anything"),
                ),
                Outcome::NoTarget => ("ok", "a card with no target".to_string()),
                Outcome::OtherPage { want, at } => (
                    "ELSEWHERE",
                    format!("the step is on `{want}` but the steps before it led to {at}"),
                ),
                Outcome::NotReached => ("not reached", "an earlier step stopped the walkthrough".to_string()),
            };
            out.push_str(&format!("  {mark:<11} {:>2} {} — {what}", n + 1, s.id));
            if !s.notes.is_empty() {
                out.push_str(&format!(" ({})", s.notes.join("; ")));
            }
            out.push('\n');
        }
        if let Some(why) = &r.stopped {
            out.push_str(&format!("  {why}\n"));
        }
    }
    out.push_str(&format!(
        "\n{} steps: {} found by their first target, {} only by a fallback, {} ambiguous, {} missing, {} on another page, {} not reached, {} without a target\n",
        t.steps, t.first, t.fallback, t.ambiguous, t.missing, t.other_page, t.not_reached, t.no_target
    ));
    out
}

/// The page, through the checker script.
struct Page<'a> {
    driver: &'a Driver,
    script: String,
}

impl Page<'_> {
    fn call(&self, method: &str, args: Value) -> Result<Value, String> {
        self.driver.execute(&self.script, json!([method, args]))
    }

    fn candidates(&self, queries: &[Query]) -> Result<Vec<ElementFacts>, String> {
        let v = self.call("candidates", json!([queries]))?;
        serde_json::from_value(v).map_err(|e| format!("checker.js answered oddly: {e}"))
    }

    /// Clicks candidate `k` as a person would (WebDriver's click: scrolled
    /// to, hit-tested, trusted events); where WebDriver cannot (an element
    /// of a frame, a covered one) through the DOM, and says why.
    fn click(&self, k: usize) -> Result<Option<String>, String> {
        let el = self.call("element", json!([k]))?;
        let id = el.get(ELEMENT).and_then(Value::as_str).map(str::to_string);
        let why = match id {
            Some(id) => match self.driver.post(&format!("/element/{id}/click"), json!({})) {
                Ok(_) => return Ok(None),
                Err(e) => e,
            },
            None => "no element reference".into(),
        };
        self.call("click", json!([k]))?;
        Ok(Some(why.lines().next().unwrap_or_default().to_string()))
    }

    /// What was entered (as a note), or None for a secret field left to a
    /// person or a group with no field in it.
    fn fill(&self, k: usize, value: Option<&str>) -> Result<Option<String>, String> {
        let v = self.call("fill", json!([k, value]))?;
        Ok(
            match (v.get("value").and_then(Value::as_str), v.get("ticked")) {
                (Some(s), _) => Some(format!("entered “{s}”")),
                (None, Some(Value::Bool(true))) => Some("ticked it".into()),
                (None, Some(_)) => Some("unticked it".into()),
                (None, None) => None,
            },
        )
    }

    /// Polls `cond` until it holds or `timeout` passes.
    fn wait(
        &self,
        timeout: Duration,
        mut cond: impl FnMut() -> Result<bool, String>,
    ) -> Result<bool, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if cond().unwrap_or(false) {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(POLL);
        }
    }
}

/// chromedriver and one headless Chromium session; both go away on drop.
struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
    session: String,
    profile: PathBuf,
}

impl Driver {
    fn start(driver: &Path, browser: &Path) -> Result<Driver, String> {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for chromedriver: {e}"))?
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {}: {e}; install it (Debian: apt-get install chromium-driver) or name it with --driver",
                    driver.display()
                )
            })?;
        let profile =
            std::env::temp_dir().join(format!("waymark-check-{}-{port}", std::process::id()));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
            session: String::new(),
            profile,
        };
        let ready = Instant::now() + Duration::from_secs(20);
        loop {
            let status = d.raw("GET", "/status", None);
            if status.is_ok_and(|v| v.get("ready").and_then(Value::as_bool) == Some(true)) {
                break;
            }
            if Instant::now() >= ready {
                return Err(format!(
                    "{} did not answer on port {port} within 20 s",
                    driver.display()
                ));
            }
            std::thread::sleep(POLL);
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", d.profile.display()),
                ],
            },
        }}});
        let v = d.raw("POST", "/session", Some(caps)).map_err(|e| {
            format!(
                "cannot open {} through chromedriver: {e}; name the browser with --browser",
                browser.display()
            )
        })?;
        d.session = v
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or("chromedriver gave no session id")?
            .to_string();
        Ok(d)
    }

    /// One WebDriver command; the `value` of its answer, or the error's
    /// message.
    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let res = match body {
            Some(b) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(b.to_string().as_bytes()),
            None if method == "DELETE" => self.agent.delete(&url).call(),
            None => self.agent.get(&url).call(),
        };
        let mut res = res.map_err(|e| format!("{url}: {e}"))?;
        let ok = res.status().is_success();
        let text = res
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("{url}: {e}"))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| format!("{url}: {e}"))?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if ok {
            Ok(value)
        } else {
            Err(format!(
                "{}: {}",
                value
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("error"),
                value.get("message").and_then(Value::as_str).unwrap_or("")
            ))
        }
    }

    fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.raw(
            "POST",
            &format!("/session/{}{path}", self.session),
            Some(body),
        )
    }

    fn navigate(&self, url: &str) -> Result<(), String> {
        self.post("/url", json!({ "url": url }))
            .map(drop)
            .map_err(|e| format!("cannot open {url}: {e}"))
    }

    fn url(&self) -> Result<String, String> {
        let v = self.raw("GET", &format!("/session/{}/url", self.session), None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    fn execute(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walkthrough(applies_to: &[&str]) -> Walkthrough {
        let mut lib = waymark_core::authoring::load_project(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/library"
        )))
        .map(|p| p.library)
        .unwrap_or_default();
        let mut w = lib.walkthroughs.remove(0);
        w.applies_to = applies_to.iter().map(|s| s.to_string()).collect();
        w
    }

    #[test]
    fn a_walkthrough_starts_on_its_own_screen() {
        let base = "http://127.0.0.1:8080/";
        assert_eq!(
            start_url(base, &walkthrough(&["/crm/deals*"])),
            "http://127.0.0.1:8080/crm/deals"
        );
        assert_eq!(start_url(base, &walkthrough(&["/*"])), base);
        assert_eq!(start_url(base, &walkthrough(&[])), base);
        assert_eq!(
            start_url(base, &walkthrough(&["https://crm.acme.example/deals/*"])),
            "https://crm.acme.example/deals/"
        );
        assert_eq!(
            start_url(
                "http://127.0.0.1:8080/crm/deals/7",
                &walkthrough(&["/crm/deals*"])
            ),
            "http://127.0.0.1:8080/crm/deals/7"
        );
    }

    #[test]
    fn values_name_a_step_or_a_walkthroughs_step() {
        let v = parse_values(&["name=Globex".into(), "create-deal/amount=40".into()]).unwrap();
        assert_eq!(v[0], (None, "name".into(), "Globex".into()));
        assert_eq!(
            v[1],
            (Some("create-deal".into()), "amount".into(), "40".into())
        );
        assert!(parse_values(&["name".into()]).is_err());
    }

    #[test]
    fn the_report_says_what_to_fix() {
        let reports = vec![WalkthroughReport {
            id: "create-deal".into(),
            title: "Create a deal".into(),
            start: "http://x/crm/deals".into(),
            steps: vec![
                StepReport {
                    id: "open-form".into(),
                    title: "Start".into(),
                    outcome: Outcome::Fallback {
                        target: "aria/New deal[role=\"button\"]".into(),
                        alternative: 2,
                        alternatives: 3,
                    },
                    notes: vec!["clicked".into()],
                },
                StepReport {
                    id: "save".into(),
                    title: "Save".into(),
                    outcome: Outcome::Missing { alternatives: 3 },
                    notes: vec![],
                },
            ],
            stopped: Some("stopped at `save`".into()),
        }];
        let t = totals(&reports);
        assert_eq!((t.steps, t.fallback, t.missing), (2, 1, 1));
        assert_eq!(exit_code(&t, false), 1);
        let only_fallback = Totals {
            steps: 1,
            fallback: 1,
            ..Totals::default()
        };
        assert_eq!(exit_code(&only_fallback, false), 0);
        assert_eq!(exit_code(&only_fallback, true), 1);
        assert_eq!(exit_code(&Totals::default(), true), 0);
        let text = render("http://x/", &reports, &t);
        assert!(text.contains("FALLBACK     1 open-form — only alternative 2 of 3 found it: aria/New deal[role=\"button\"]; promote it"), "{text}");
        assert!(
            text.contains("MISSING      2 save — none of its 3 targets found anything"),
            "{text}"
        );
    }
}
