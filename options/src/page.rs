//! The options page (yew): what the service worker reports about policy,
//! the bundle in use, where Waymark runs, updates and refusals, for an admin
//! or a help desk looking at one browser. It renders the worker's
//! diagnostics and reports two intents (`check_now`, `copy`); it decides
//! nothing and reads no storage.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use waymark_core::deploy::policy::{Problem, Support};
use waymark_core::deploy::Json;
use yew::prelude::*;

use crate::{log, to_js};

/// What the worker sends (`extension/src/sw.js`, `diagnostics()`); every
/// field may be missing.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Diagnostics {
    pub generated_at: f64,
    pub extension: ExtensionInfo,
    pub policy: PolicyInfo,
    pub runs_on: Vec<String>,
    pub registration: Registration,
    pub bundle: Option<BundleInfo>,
    pub updates: Option<Updates>,
    pub refusal: Option<RefusalInfo>,
    /// No bundle is in use: why.
    pub error: Option<String>,
    pub user: Option<UserInfo>,
    pub support: Option<Support>,
    /// A check is running (Check now).
    pub checking: bool,
    /// Where statements go and how delivery stands.
    pub analytics: Option<AnalyticsInfo>,
    /// What this employee did (the local history).
    pub history: History,
    /// Feedback after an intent ("Copied", "No change", ...).
    pub note: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ExtensionInfo {
    pub id: String,
    pub version: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PolicyInfo {
    pub managed: bool,
    /// `fresh`, `cached` (managed storage was slow) or `pending`.
    pub read: String,
    pub values: Option<Json>,
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Registration {
    pub matches: Vec<String>,
    pub exclude_matches: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct BundleInfo {
    pub bundle_version: f64,
    pub env: String,
    pub created: Option<f64>,
    pub expires: Option<String>,
    pub scope: Vec<String>,
    pub keys: String,
    pub signer: String,
    pub bytes: f64,
    pub walkthroughs: f64,
    pub steps: f64,
    pub articles: f64,
    pub titles: Vec<String>,
    pub search_error: Option<String>,
    /// `built_in` or `downloaded`.
    pub source: String,
    pub fetched_at: Option<f64>,
    /// When it became the bundle in use (Unix ms).
    pub since: Option<f64>,
    pub etag: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Updates {
    pub url: String,
    pub interval_minutes: f64,
    pub last_check: Option<f64>,
    pub last_result: Option<String>,
    pub next_check: Option<f64>,
    pub failures: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RefusalInfo {
    pub at: f64,
    pub reason: String,
    /// `downloaded`, `built_in` or `stored`.
    pub source: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AnalyticsInfo {
    /// Masked; null when policy names no LRS.
    pub endpoint: Option<String>,
    pub queued: u64,
    pub sent: u64,
    pub rejected: u64,
    /// Dropped, oldest first, because the queue was full.
    pub dropped: u64,
    pub last_error: Option<String>,
    pub last_sent_at: Option<f64>,
    pub next_at: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct History {
    pub completed: Vec<Done>,
    pub checks: Vec<Done>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Done {
    pub id: String,
    pub title: String,
    pub at: f64,
    pub score: Option<f64>,
    pub passed: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    pub id: Option<String>,
    pub roles: Vec<String>,
    pub region: Option<String>,
    pub locale: Option<String>,
    /// Where each came from: `policy`, `page` or `profile`.
    pub source: String,
    pub page: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Default)]
struct Inbox(Rc<RefCell<Mailbox>>);

/// Where diagnostics wait for the component: its callback once mounted,
/// or the last diagnostics that arrived before it was.
#[derive(Default)]
struct Mailbox {
    deliver: Option<Callback<Diagnostics>>,
    waiting: Option<Diagnostics>,
}

impl PartialEq for Inbox {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq, Clone)]
struct Props {
    send: Callback<&'static str>,
    inbox: Inbox,
}

struct OptionsPage {
    d: Option<Diagnostics>,
}

impl Component for OptionsPage {
    type Message = Diagnostics;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let mut inbox = ctx.props().inbox.0.borrow_mut();
        inbox.deliver = Some(ctx.link().callback(|d| d));
        OptionsPage {
            d: inbox.waiting.take(),
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, d: Diagnostics) -> bool {
        let changed = self.d.as_ref() != Some(&d);
        self.d = Some(d);
        changed
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let Some(d) = &self.d else {
            return html! { <main><h1>{ "Waymark" }</h1><p role="status">{ "Asking the extension for its status…" }</p></main> };
        };
        let send = ctx.props().send.clone();
        let check = {
            let send = send.clone();
            Callback::from(move |_: MouseEvent| send.emit("check_now"))
        };
        let copy = Callback::from(move |_: MouseEvent| send.emit("copy"));
        html! {
            <main>
                <h1>{ "Waymark" }</h1>
                { status(d) }
                <section aria-labelledby="h-runs">
                    <h2 id="h-runs">{ "Where Waymark runs" }</h2>
                    if d.runs_on.is_empty() {
                        <p id="runs-on">{ "Nowhere: no usable bundle, or its scope and policy allowed_origins do not meet." }</p>
                    } else {
                        <ul id="runs-on">{ for d.runs_on.iter().map(|o| html! { <li><code>{ o }</code></li> }) }</ul>
                    }
                </section>
                { bundle(d) }
                { updates(d, check) }
                if let Some(r) = &d.refusal {
                    <section aria-labelledby="h-refusal" class="warn">
                        <h2 id="h-refusal">{ "Last refused bundle" }</h2>
                        <p id="refusal">{ format!("{} ({} bundle, {})", r.reason, r.source.replace('_', "-"), when(r.at)) }</p>
                    </section>
                }
                { history(d) }
                { analytics(d) }
                { policy(d) }
                { user(d) }
                <footer>
                    { support_line(d.support.as_ref(), "Need help? Contact") }
                    <p>
                        <button id="copy" onclick={copy}>{ "Copy diagnostics" }</button>
                        <span class="note" role="status">{ d.note.clone().unwrap_or_default() }</span>
                    </p>
                    <p class="meta">{ format!("Extension {} {}", d.extension.id, d.extension.version) }</p>
                </footer>
            </main>
        }
    }
}

fn status(d: &Diagnostics) -> Html {
    let (class, text) = match (&d.bundle, &d.error, &d.refusal) {
        (None, Some(e), _) => ("error", format!("No guidance is shown: {e}")),
        (None, None, _) => (
            "error",
            "No guidance is shown: no content bundle is in use yet.".to_string(),
        ),
        (Some(_), _, Some(r))
            if r.at
                > d.bundle
                    .as_ref()
                    .and_then(|b| b.since.or(b.fetched_at))
                    .unwrap_or(0.0) =>
        {
            (
                "warn",
                "A new content bundle was refused; the last good bundle stays in use.".to_string(),
            )
        }
        (Some(b), _, _) => (
            "ok",
            format!(
                "Guidance is on: bundle version {} is in use.",
                b.bundle_version
            ),
        ),
    };
    html! {
        <section id="status" class={class} role="status" aria-live="polite">
            <p><strong>{ text }</strong></p>
            if class != "ok" {
                { support_line(d.support.as_ref(), "For help, contact") }
            }
        </section>
    }
}

fn support_line(s: Option<&Support>, lead: &str) -> Html {
    match s {
        Some(s) => html! {
            <p class="support">{ format!("{lead} ") }
                <a href={s.url.clone()} target="_blank" rel="noopener noreferrer">{ &s.name }</a>
            </p>
        },
        None => html! {},
    }
}

fn bundle(d: &Diagnostics) -> Html {
    let Some(b) = &d.bundle else {
        return html! {};
    };
    let signed = match b.keys.as_str() {
        "demo" => "the built-in demo key: no policy names keys".to_string(),
        _ => "a key in policy trusted_keys".to_string(),
    };
    html! {
        <section aria-labelledby="h-bundle">
            <h2 id="h-bundle">{ "Bundle in use" }</h2>
            <dl id="bundle">
                <dt>{ "Version" }</dt><dd>{ b.bundle_version }</dd>
                <dt>{ "Environment" }</dt><dd>{ &b.env }</dd>
                <dt>{ "Signed by" }</dt><dd>{ format!("key {} ({signed})", b.signer) }</dd>
                <dt>{ "Created" }</dt><dd>{ b.created.map(when).unwrap_or_default() }</dd>
                <dt>{ "Expires" }</dt><dd>{ b.expires.clone().unwrap_or_default() }</dd>
                <dt>{ "From" }</dt><dd>{ if b.source == "downloaded" {
                    format!("bundle_url, fetched {}", b.fetched_at.map(when).unwrap_or_default())
                } else {
                    "the extension package".to_string()
                } }</dd>
                if let Some(e) = &b.etag {
                    <dt>{ "ETag" }</dt><dd><code>{ e }</code></dd>
                }
                <dt>{ "Scope" }</dt><dd>{ b.scope.join(", ") }</dd>
                <dt>{ "Content" }</dt><dd>{ format!("{} walkthroughs ({} steps), {} articles; {} bytes", b.walkthroughs, b.steps, b.articles, b.bytes) }</dd>
                <dt>{ "Search" }</dt><dd>{ b.search_error.as_ref().map_or_else(|| "on".to_string(), |e| format!("off: {e}")) }</dd>
            </dl>
            <ul class="titles">{ for b.titles.iter().map(|t| html! { <li>{ t }</li> }) }</ul>
        </section>
    }
}

fn updates(d: &Diagnostics, check: Callback<MouseEvent>) -> Html {
    let Some(u) = &d.updates else {
        return html! {
            <section aria-labelledby="h-updates">
                <h2 id="h-updates">{ "Updates" }</h2>
                <p>{ "Policy sets no bundle_url: the bundle packed in the extension is used." }</p>
            </section>
        };
    };
    html! {
        <section aria-labelledby="h-updates">
            <h2 id="h-updates">{ "Updates" }</h2>
            <dl id="updates">
                <dt>{ "From" }</dt><dd><code>{ &u.url }</code></dd>
                <dt>{ "Every" }</dt><dd>{ format!("{} minutes (with jitter)", u.interval_minutes) }</dd>
                <dt>{ "Last check" }</dt><dd>{ match (u.last_check, &u.last_result) {
                    (Some(t), Some(r)) => format!("{} ({r})", when(t)),
                    (Some(t), None) => when(t),
                    _ => "not yet".to_string(),
                } }</dd>
                <dt>{ "Next check" }</dt><dd>{ u.next_check.map(when).unwrap_or_else(|| "not scheduled".into()) }</dd>
            </dl>
            <button id="check-now" onclick={check} disabled={d.checking}>
                { if d.checking { "Checking…" } else { "Check now" } }
            </button>
        </section>
    }
}

fn policy(d: &Diagnostics) -> Html {
    let p = &d.policy;
    let rows: Vec<(String, String)> = match &p.values {
        Some(Json::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                let shown = match v {
                    Json::Null => "not set".to_string(),
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), shown)
            })
            .collect(),
        _ => Vec::new(),
    };
    html! {
        <section aria-labelledby="h-policy">
            <h2 id="h-policy">{ "Admin policy" }</h2>
            if !p.managed {
                <p>{ "No admin policy is set: demo mode (the bundle packed in the extension, on 127.0.0.1 and localhost)." }</p>
            } else if p.read == "cached" {
                <p>{ "Managed storage has not answered yet; showing the policy last read." }</p>
            }
            if !p.problems.is_empty() {
                <div id="policy-problems" class="warn">
                    <h3>{ "Values not used" }</h3>
                    <ul>{ for p.problems.iter().map(|x| html! { <li><code>{ &x.key }</code>{ format!(" {}", x.message) }</li> }) }</ul>
                </div>
            }
            <table id="policy">
                <thead><tr><th scope="col">{ "Key" }</th><th scope="col">{ "In effect" }</th></tr></thead>
                <tbody>{ for rows.iter().map(|(k, v)| html! { <tr><th scope="row"><code>{ k }</code></th><td><code>{ v }</code></td></tr> }) }</tbody>
            </table>
        </section>
    }
}

/// The employee's own view: what they finished, how their checks went.
fn history(d: &Diagnostics) -> Html {
    let h = &d.history;
    html! {
        <section aria-labelledby="h-history">
            <h2 id="h-history">{ "Your walkthroughs" }</h2>
            if h.completed.is_empty() && h.checks.is_empty() {
                <p id="history">{ "None finished in this browser yet." }</p>
            } else {
                <ul id="history">{ for h.completed.iter().map(|c| html! {
                    <li>{ format!("{}: finished {}", c.title, when(c.at)) }</li>
                }) }</ul>
            }
            if !h.checks.is_empty() {
                <h3>{ "Check results" }</h3>
                <ul id="checks">{ for h.checks.iter().map(|c| html! {
                    <li>{ format!(
                        "{}: {}% ({}), {}",
                        c.title,
                        (c.score.unwrap_or(0.0) * 100.0).round(),
                        if c.passed == Some(true) { "passed" } else { "not passed" },
                        when(c.at),
                    ) }</li>
                }) }</ul>
            }
        </section>
    }
}

/// For the admin: where statements go and whether they get there.
fn analytics(d: &Diagnostics) -> Html {
    let Some(a) = &d.analytics else {
        return html! {};
    };
    let Some(endpoint) = &a.endpoint else {
        return html! {
            <section aria-labelledby="h-analytics">
                <h2 id="h-analytics">{ "Analytics" }</h2>
                <p id="analytics">{ "Policy names no LRS (analytics.endpoint): nothing is sent; the history above stays in this browser." }</p>
            </section>
        };
    };
    html! {
        <section aria-labelledby="h-analytics" class={if a.last_error.is_some() { "warn" } else { "" }}>
            <h2 id="h-analytics">{ "Analytics" }</h2>
            <dl id="analytics">
                <dt>{ "Sent to" }</dt><dd><code>{ endpoint }</code></dd>
                <dt>{ "Stored by the LRS" }</dt><dd>{ format!("{} statements{}", a.sent, a.last_sent_at.map(|t| format!(", last {}", when(t))).unwrap_or_default()) }</dd>
                <dt>{ "Waiting" }</dt><dd>{ a.queued }</dd>
                if a.dropped > 0 {
                    <dt>{ "Dropped (queue full)" }</dt><dd id="dropped">{ a.dropped }</dd>
                }
                if a.rejected > 0 {
                    <dt>{ "Refused by the LRS" }</dt><dd>{ a.rejected }</dd>
                }
                if let Some(e) = &a.last_error {
                    <dt>{ "Last problem" }</dt><dd>{ e }</dd>
                }
                if let (Some(t), true) = (a.next_at, a.queued > 0) {
                    <dt>{ "Next try" }</dt><dd>{ when(t) }</dd>
                }
            </dl>
        </section>
    }
}

fn user(d: &Diagnostics) -> Html {
    let Some(u) = &d.user else {
        return html! {};
    };
    html! {
        <section aria-labelledby="h-user">
            <h2 id="h-user">{ "User" }</h2>
            <dl id="user">
                <dt>{ "Id" }</dt><dd>{ u.id.clone().unwrap_or_else(|| "unknown".into()) }</dd>
                <dt>{ "Roles" }</dt><dd>{ if u.roles.is_empty() { "none".to_string() } else { u.roles.join(", ") } }</dd>
                <dt>{ "Region" }</dt><dd>{ u.region.clone().unwrap_or_else(|| "none".into()) }</dd>
                <dt>{ "From" }</dt><dd>{ match &u.page {
                    Some(page) => format!("{} ({page})", u.source),
                    None => u.source.clone(),
                } }</dd>
            </dl>
            if let Some(n) = &u.note {
                <p>{ n }</p>
            }
        </section>
    }
}

/// A Unix-ms time in the browser's locale.
fn when(ms: f64) -> String {
    js_sys::Date::new(&JsValue::from_f64(ms))
        .to_locale_string("default", &JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default()
}

/// The options page's handle: JS passes diagnostics in through `render`.
#[wasm_bindgen]
pub struct Options {
    inbox: Inbox,
    _app: yew::AppHandle<OptionsPage>,
}

#[wasm_bindgen]
impl Options {
    /// Shows the worker's diagnostics; malformed ones are logged and ignored.
    pub fn render(&self, diagnostics: JsValue) {
        match serde_wasm_bindgen::from_value::<Diagnostics>(diagnostics) {
            Ok(d) => {
                let deliver = self.inbox.0.borrow().deliver.clone();
                match deliver {
                    Some(cb) => cb.emit(d),
                    None => self.inbox.0.borrow_mut().waiting = Some(d),
                }
            }
            Err(e) => log(&format!("waymark: ignoring malformed diagnostics: {e}")),
        }
    }
}

/// Mounts the options page into `root`; `send` receives each intent as
/// `{type: "check_now"}` or `{type: "copy"}`.
#[wasm_bindgen]
pub fn mount_options(root: web_sys::Element, send: js_sys::Function) -> Options {
    let send = Callback::from(move |kind: &'static str| {
        let msg = Json::object([("type", Json::str(kind))]);
        if let Err(e) = send.call1(&JsValue::NULL, &to_js(&msg)) {
            log(&format!("waymark: sending an intent failed: {e:?}"));
        }
    });
    let inbox = Inbox::default();
    let app = yew::Renderer::<OptionsPage>::with_root_and_props(
        root,
        Props {
            send,
            inbox: inbox.clone(),
        },
    )
    .render();
    Options { inbox, _app: app }
}
