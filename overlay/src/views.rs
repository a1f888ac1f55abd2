//! The overlay frame's views (yew): the launcher menu, the step card and the
//! completion card. They render exactly the `View` the engine sent and report
//! the user's intents as core `Event`s; they keep no walkthrough state.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use waymark_core::content::{Moment, Placement};
use waymark_core::deploy::policy::Support;
use waymark_core::engine::{
    ArticleView, CardView, ChangeView, CheckOutcome, CheckView, ChecklistView, Event, ItemKind,
    PanelItem, PanelView, RecorderView, View,
};
use waymark_core::recorder::Moves;
use waymark_core::richtext::{allowed_href, Block, Inline, RichText};
use yew::prelude::*;

use crate::{log, to_js};

/// Hands views from JS to the mounted component. If a view arrives before the
/// component exists, the latest one waits here.
#[derive(Clone, Default)]
pub struct Inbox(Rc<RefCell<InboxState>>);

#[derive(Default)]
struct InboxState {
    deliver: Option<Callback<View>>,
    pending: Option<View>,
}

impl PartialEq for Inbox {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Inbox {
    pub fn deliver(&self, view: View) {
        let deliver = self.0.borrow().deliver.clone();
        match deliver {
            Some(cb) => cb.emit(view),
            None => self.0.borrow_mut().pending = Some(view),
        }
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    pub send: Callback<Event>,
    pub inbox: Inbox,
}

pub struct App {
    view: View,
    /// Keyboard selection in the panel's list (view-local, not engine state).
    selected: usize,
    input: NodeRef,
    back: NodeRef,
    /// The check question's choices, read when the answer is submitted.
    answers: NodeRef,
    /// Focus the search box (or the article's back button) after the next
    /// render, if this frame has focus.
    focus_next: bool,
    /// Put this query back in the search box after returning from an article.
    restore_query: Option<String>,
}

pub enum Msg {
    Show(Box<View>),
    Select(usize),
}

impl Component for App {
    type Message = Msg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let mut inbox = ctx.props().inbox.0.borrow_mut();
        inbox.deliver = Some(ctx.link().callback(|v: View| Msg::Show(Box::new(v))));
        let view = inbox.pending.take().unwrap_or(View::Hidden);
        App {
            focus_next: true,
            view,
            selected: 0,
            input: NodeRef::default(),
            back: NodeRef::default(),
            answers: NodeRef::default(),
            restore_query: None,
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Show(view) => {
                let view = *view;
                if self.view == view {
                    return false;
                }
                let was_panel = matches!(self.view, View::Panel(_));
                match (&self.view, &view) {
                    (View::Article(_), View::Panel(p)) => {
                        self.restore_query = Some(p.query.clone());
                        self.focus_next = true;
                    }
                    (_, View::Article(_)) => self.focus_next = true,
                    (_, View::Panel(_)) if !was_panel => self.focus_next = true,
                    // The next card, check or completion: a keyboard user who
                    // pressed Next goes on from its new first control.
                    (_, View::Card(_) | View::Check(_) | View::Done { .. }) => {
                        self.focus_next = true
                    }
                    _ => {}
                }
                if let (View::Panel(old), View::Panel(new)) = (&self.view, &view) {
                    if old.items != new.items {
                        self.selected = 0;
                    }
                } else {
                    self.selected = 0;
                }
                self.view = view;
                true
            }
            Msg::Select(i) => {
                let changed = self.selected != i;
                self.selected = i;
                changed
            }
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        if let Some(q) = self.restore_query.take() {
            if let Some(input) = self.input.cast::<web_sys::HtmlInputElement>() {
                input.set_value(&q);
            }
        }
        if !self.focus_next {
            return;
        }
        self.focus_next = false;
        // Only when the user is already in this frame (they opened the panel
        // with a click or the shortcut and the agent focused the frame):
        // focus is never taken from the host page.
        let has_focus = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.has_focus().unwrap_or(false));
        if !has_focus {
            return;
        }
        let target = match self.view {
            View::Article(_) => self.back.cast::<web_sys::HtmlElement>(),
            View::Card(_) | View::Check(_) | View::Done { .. } => first_control(),
            _ => self.input.cast::<web_sys::HtmlElement>(),
        };
        if let Some(el) = target {
            let _ = el.focus();
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let send = &ctx.props().send;
        match &self.view {
            View::Hidden => html! {},
            View::Panel(p) => self.panel(ctx, p),
            View::Article(a) => article(a, send, &self.back),
            View::Card(card) => step_card(card, send),
            View::Check(c) => check(c, send, &self.answers),
            View::Done {
                title,
                result,
                related,
            } => done(title, result.as_ref(), related, send),
            View::Offer { item } => offer(item, send),
            View::Recorder(r) => recorder(r, send),
            View::Change(c) => change(c, send),
        }
    }
}

impl App {
    fn panel(&self, ctx: &Context<Self>, p: &PanelView) -> Html {
        let send = ctx.props().send.clone();
        let ids: Vec<String> = p.items.iter().map(|i| i.id.clone()).collect();
        let selected = self.selected.min(ids.len().saturating_sub(1));
        let oninput = {
            let send = send.clone();
            Callback::from(move |e: InputEvent| {
                if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                    send.emit(Event::Search {
                        query: input.value(),
                    });
                }
            })
        };
        let onkeydown = {
            let send = send.clone();
            let ids = ids.clone();
            ctx.link().batch_callback(move |e: KeyboardEvent| {
                let last = ids.len().saturating_sub(1);
                match e.key().as_str() {
                    "ArrowDown" => {
                        e.prevent_default();
                        Some(Msg::Select((selected + 1).min(last)))
                    }
                    "ArrowUp" => {
                        e.prevent_default();
                        Some(Msg::Select(selected.saturating_sub(1)))
                    }
                    "Enter" => {
                        e.prevent_default();
                        if let Some(id) = ids.get(selected) {
                            send.emit(Event::Open { id: id.clone() });
                        }
                        None
                    }
                    "Escape" => {
                        send.emit(Event::Dismiss);
                        None
                    }
                    _ => None,
                }
            })
        };
        let active = (!ids.is_empty()).then(|| format!("result-{selected}"));
        let split = if p.query.trim().is_empty() {
            p.items
                .iter()
                .position(|i| i.moment == Moment::More)
                .unwrap_or(p.items.len())
        } else {
            p.items.len()
        };
        html! {
            <section class="panel help" aria-label="Waymark help">
                <header>
                    <h1>{ "Help" }</h1>
                    <button class="icon" aria-label="Close help" onclick={intent(&send, Event::Dismiss)}>{ "×" }</button>
                </header>
                if p.search {
                    <input ref={self.input.clone()} class="search" type="search" placeholder="Search help…"
                        aria-label="Search help" role="combobox" aria-expanded="true" aria-controls="results"
                        aria-autocomplete="list" aria-activedescendant={active} autocomplete="off" spellcheck="false"
                        {oninput} {onkeydown} />
                }
                if !p.moments.is_empty() {
                    { moment_filter(p, &send) }
                }
                if let Some(notice) = &p.notice {
                    <p class="notice" role="status">{ notice }</p>
                }
                if let Some(err) = &p.search_error {
                    <p class="error" role="status">{ err }{ support_note(p.support.as_ref()) }</p>
                }
                { for p.checklists.iter().map(|c| checklist(c, &send)) }
                <h2 class={classes!("heading", p.no_results.then_some("none"))} aria-live="polite">{ &p.heading }</h2>
                // Before a search, "learn more" content (the More moment,
                // put last by the engine) is its own group.
                <div id="results" class="items" role="listbox" aria-label={p.heading.clone()}>
                    <ul role="group" class="group" aria-label={p.heading.clone()}>
                        { for p.items.iter().enumerate().take(split).map(|(i, item)| result(i, item, i == selected, &send)) }
                    </ul>
                    if split < p.items.len() {
                        <ul role="group" class="group more" aria-label="Learn more">
                            { for p.items.iter().enumerate().skip(split).map(|(i, item)| result(i, item, i == selected, &send)) }
                        </ul>
                    }
                </div>
                if p.recorder {
                    <footer class="record">
                        <button class="secondary record-start" onclick={intent(&send, Event::RecordStart)}>{ "Record a walkthrough" }</button>
                    </footer>
                }
                if let Some(s) = &p.support {
                    <footer class="support">{ "Help from people: " }{ support_link(s) }</footer>
                }
            </section>
        }
    }
}

/// Record mode: the steps captured so far (title editable, moved, deleted),
/// then the exported file to save.
fn recorder(r: &RecorderView, send: &Callback<Event>) -> Html {
    if let Some(x) = &r.export {
        let href = format!(
            "data:text/plain;charset=utf-8,{}",
            String::from(js_sys::encode_uri_component(&x.text))
        );
        return html! {
            <section class="panel recorder" aria-label="Recorded walkthrough">
                <h1 class="recorder-title">{ "Your walkthrough file" }</h1>
                <p>{ "Save it into your content folder, then run " }<code>{ "waymark validate" }</code>{ ". It is a draft until reviewed." }</p>
                <textarea class="export" readonly=true aria-label={x.file.clone()} value={x.text.clone()} rows="10" />
                <footer>
                    <a class="primary button" href={href} download={x.file.clone()}>{ format!("Download {}", x.file) }</a>
                    <button class="secondary" onclick={intent(send, Event::RecordDiscard)}>{ "Done" }</button>
                </footer>
            </section>
        };
    }
    let n = r.steps.len();
    html! {
        <section class="panel recorder" aria-label="Recording a walkthrough">
            <h1 class="recorder-title">{ "Recording" }</h1>
            if let Some(i) = r.repick {
                <p class="hint repick" role="status">{ format!("Click the element for step {} in the page.", i + 1) }</p>
            } else {
                <p class="hint">{ "Work through the app as an employee would: each click, and each value you enter, becomes a step." }</p>
            }
            <ol class="rec-steps">
                { for r.steps.iter().enumerate().map(|(i, st)| {
                    let onchange = {
                        let send = send.clone();
                        Callback::from(move |e: web_sys::Event| {
                            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                                send.emit(Event::RecordEdit { index: i, title: input.value() });
                            }
                        })
                    };
                    let placement = st.placement;
                    let body = st.body.clone();
                    let onbody = {
                        let send = send.clone();
                        Callback::from(move |e: web_sys::Event| {
                            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                                send.emit(Event::RecordDetails { index: i, body: t.value(), placement });
                            }
                        })
                    };
                    let onplace = {
                        let send = send.clone();
                        Callback::from(move |e: web_sys::Event| {
                            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                                // The text as it is in the box now, not as last rendered
                                // (an edit may still be on its way to the engine).
                                let now = sel
                                    .closest("details")
                                    .ok()
                                    .flatten()
                                    .and_then(|d| d.query_selector("textarea").ok().flatten())
                                    .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                                    .map_or_else(|| body.clone(), |t| t.value());
                                if let Some(p) = Placement::parse(&sel.value()) {
                                    send.emit(Event::RecordDetails { index: i, body: now, placement: p });
                                }
                            }
                        })
                    };
                    let onadvance = {
                        let send = send.clone();
                        let choices = st.advances.clone();
                        Callback::from(move |e: web_sys::Event| {
                            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                                if let Some(m) = choices.iter().find(|m| m.name() == sel.value()) {
                                    send.emit(Event::RecordAdvance { index: i, advance: *m });
                                }
                            }
                        })
                    };
                    let place_name = |p: Placement| match p {
                        Placement::Auto => "auto",
                        Placement::Top => "top",
                        Placement::Bottom => "bottom",
                        Placement::Left => "left",
                        Placement::Right => "right",
                    };
                    html! {
                        <li class="rec-step">
                            <input class="rec-title" aria-label={format!("Title of step {}", i + 1)} value={st.title.clone()} {onchange} />
                            <span class="meta rec-target">
                                { st.target.first().cloned().unwrap_or_default() }
                                if st.ambiguous {
                                    <span class="warn">{ " · found more than once: pick it again or edit the file" }</span>
                                } else if st.unchecked {
                                    <span class="warn">{ " · the page changed before it could be checked" }</span>
                                } else if !st.counted {
                                    <span>{ " · checking…" }</span>
                                }
                                { format!(" · on {}", st.page) }
                            </span>
                            <details class="rec-details">
                                <summary>{ format!("Text, placement and advance of step {}", i + 1) }</summary>
                                <label>{ "Text (Markdown)" }
                                    <textarea class="rec-body" rows="3" value={st.body.clone()} onchange={onbody} />
                                </label>
                                <label>{ "Card goes " }
                                    <select class="rec-placement" onchange={onplace}>
                                        { for [Placement::Auto, Placement::Top, Placement::Bottom, Placement::Left, Placement::Right].into_iter().map(|p| html! {
                                            <option value={place_name(p)} selected={p == st.placement}>{ place_name(p) }</option>
                                        }) }
                                    </select>
                                </label>
                                <label>{ "Moves on when " }
                                    <select class="rec-advance" onchange={onadvance}>
                                        { for st.advances.iter().map(|m| html! {
                                            <option value={m.name()} selected={*m == st.advance}>{ moves_label(*m) }</option>
                                        }) }
                                    </select>
                                </label>
                                <button class="secondary rec-repick" onclick={intent(send, Event::RecordRepick { index: i })}>{ "Pick the element again" }</button>
                            </details>
                            <span class="rec-actions">
                                <button class="icon" aria-label={format!("Move step {} up", i + 1)} disabled={i == 0}
                                    onclick={intent(send, Event::RecordMove { from: i, to: i.saturating_sub(1) })}>{ "↑" }</button>
                                <button class="icon" aria-label={format!("Delete step {}", i + 1)}
                                    onclick={intent(send, Event::RecordDelete { index: i })}>{ "✕" }</button>
                            </span>
                        </li>
                    }
                }) }
            </ol>
            { pages(r, send) }
            <footer>
                <button class="secondary" onclick={intent(send, Event::RecordDiscard)}>{ "Discard" }</button>
                <button class="secondary rec-preview" disabled={n == 0} onclick={intent(send, Event::RecordPreview)}>{ "Preview" }</button>
                <button class="primary rec-export" disabled={n == 0} onclick={intent(send, Event::RecordExport)}>{ format!("Finish ({n} steps)") }</button>
            </footer>
        </section>
    }
}

/// The panel's filter: all content, or one moment of need.
/// One panel result: the button is the option (an option holding a button
/// nests interactive controls: axe nested-interactive).
fn result(i: usize, item: &PanelItem, selected: bool, send: &Callback<Event>) -> Html {
    html! {
        <li key={item.id.clone()} role="none">
            <button class={classes!("item", selected.then_some("selected"))} tabindex="-1"
                id={format!("result-{i}")} role="option" aria-selected={selected.to_string()}
                data-id={item.id.clone()} data-kind={item.kind.as_str()}
                onclick={intent(send, Event::Open { id: item.id.clone() })}>
                <span class="item-title">{ &item.title }</span>
                <span class="meta">
                    <span class={classes!("badge", format!("moment-{}", item.moment.as_str()))}>{ item.moment.as_str() }</span>
                    { item.kind.as_str() }
                    if item.under_review {
                        { under_review() }
                    }
                </span>
                if !item.snippet.is_empty() {
                    <span class="snippet">
                        { for item.snippet.iter().map(|(text, hit)| if *hit {
                            html! { <mark>{ text }</mark> }
                        } else {
                            html! { { text } }
                        }) }
                    </span>
                }
            </button>
        </li>
    }
}

/// An onboarding checklist: its progress, then its items in order, each
/// opening its walkthrough or article.
fn checklist(c: &ChecklistView, send: &Callback<Event>) -> Html {
    let total = c.items.len();
    html! {
        <section class="checklist" aria-label={c.title.clone()} data-id={c.id.clone()}>
            <h2 class="checklist-title">{ &c.title }</h2>
            <p class="checklist-progress">
                <progress max={total.to_string()} value={c.done.to_string()} aria-hidden="true"></progress>
                { format!(" {} of {total} done", c.done) }
            </p>
            <ol class="checklist-items">
                { for c.items.iter().map(|i| html! {
                    <li class={classes!(i.done.then_some("done"))}>
                        <button class="link checklist-item" data-id={i.id.clone()} data-done={i.done.to_string()}
                            onclick={intent(send, Event::Open { id: i.id.clone() })}>
                            <span class="mark" aria-hidden="true">{ if i.done { "✓" } else { "○" } }</span>
                            { &i.title }
                            if i.done { <span class="sr">{ " (done)" }</span> }
                        </button>
                    </li>
                }) }
            </ol>
        </section>
    }
}

fn moment_filter(p: &PanelView, send: &Callback<Event>) -> Html {
    let onchange = {
        let send = send.clone();
        Callback::from(move |e: web_sys::Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let v = sel.value();
                let moment = Moment::ALL.into_iter().find(|m| m.as_str() == v);
                send.emit(Event::FilterMoment { moment });
            }
        })
    };
    let label = |m: Moment| match m {
        Moment::New => "New to this",
        Moment::Apply => "How to",
        Moment::Solve => "Fix a problem",
        Moment::More => "Learn more",
        Moment::Change => "What changed",
    };
    html! {
        <label class="moment-filter">{ "Show " }
            <select {onchange}>
                <option value="" selected={p.moment.is_none()}>{ "Everything" }</option>
                { for p.moments.iter().map(|m| html! {
                    <option value={m.as_str()} selected={p.moment == Some(*m)}>{ label(*m) }</option>
                }) }
            </select>
        </label>
    }
}

/// What the card offers as a step's advance rule.
fn moves_label(m: Moves) -> &'static str {
    match m {
        Moves::Click => "they click it",
        Moves::Change => "they enter a value and leave the field",
        Moves::Input => "they type in it",
        Moves::Next => "they press Next",
    }
}

/// Where the walkthrough will be offered (`applies_to`): each pattern with
/// the pages visited while recording that it matches, the visited pages it
/// would not be offered on, and the patterns to edit.
fn pages(r: &RecorderView, send: &Callback<Event>) -> Html {
    let onchange = {
        let send = send.clone();
        Callback::from(move |e: web_sys::Event| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                send.emit(Event::RecordPages { text: t.value() });
            }
        })
    };
    let text = r
        .pages
        .iter()
        .map(|p| p.pattern.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    html! {
        <details class="rec-pages">
            <summary>{ "Where it is offered" }
                { for r.pages.iter().map(|p| html! { <code class="rec-pattern">{ &p.pattern }</code> }) }
            </summary>
            <ul class="rec-matches">
                { for r.pages.iter().map(|p| html! {
                    <li>
                        <code>{ &p.pattern }</code>
                        { if p.matches.is_empty() {
                            " matches none of the pages you visited".to_string()
                        } else {
                            format!(" matches {}", p.matches.join(", "))
                        } }
                    </li>
                }) }
                if !r.unmatched.is_empty() {
                    <li class="warn">{ format!("Not offered on {}", r.unmatched.join(", ")) }</li>
                }
            </ul>
            <label>{ if r.pages_custom { "Pages (yours; empty it for the recorded ones)" } else { "Pages (from the ones you visited; ids made *)" } }
                <textarea class="rec-pages-edit" rows="2" value={text} onchange={onchange} />
            </label>
            if let Some(e) = &r.pages_error {
                <p class="warn" role="alert">{ e }</p>
            }
        </details>
    }
}

/// Policy `support`: who to contact, as a link that opens outside the page.
fn support_link(s: &Support) -> Html {
    html! { <a href={s.url.clone()} target="_blank" rel="noopener noreferrer">{ &s.name }</a> }
}

/// " Contact X." beside a problem the user sees, when policy names support.
fn support_note(s: Option<&Support>) -> Html {
    match s {
        Some(s) => html! { <span class="support">{ " Contact " }{ support_link(s) }{ "." }</span> },
        None => html! {},
    }
}

fn article(a: &ArticleView, send: &Callback<Event>, back: &NodeRef) -> Html {
    let tasks = a.body.tasks();
    let onkeydown = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                send.emit(Event::CloseArticle);
            }
        })
    };
    html! {
        <section class="panel article" aria-label={a.title.clone()} {onkeydown}>
            <header>
                <button ref={back.clone()} class="icon back" aria-label="Back to results"
                    onclick={intent(send, Event::CloseArticle)}>{ "←" }</button>
                <span class={classes!("badge", format!("moment-{}", a.moment.as_str()))}>{ a.moment.as_str() }</span>
                if a.under_review {
                    { under_review() }
                }
                <span class="spacer"></span>
                <button class="icon" aria-label="Close help" onclick={intent(send, Event::Dismiss)}>{ "×" }</button>
            </header>
            <h1>{ &a.title }</h1>
            <div class="body">{ rich_text_with(&a.body, Some(&Tasks { article: &a.id, ticked: &a.ticked, send })) }</div>
            if tasks > 0 {
                <footer class="tasks">
                    <span class="tasks-done" role="status">{ format!("{} of {tasks} done", a.ticked.len()) }</span>
                    <button class="secondary tasks-reset" disabled={a.ticked.is_empty()}
                        onclick={intent(send, Event::ResetTicks { article: a.id.clone() })}>{ "Clear ticks" }</button>
                </footer>
            }
        </section>
    }
}

/// Content two review cycles overdue: still shown, with a warning that it
/// may be out of date.
fn under_review() -> Html {
    html! {
        <span class="badge under-review" title="This content is overdue for review and may be out of date">
            { "under review" }
        </span>
    }
}

fn intent(send: &Callback<Event>, event: Event) -> Callback<MouseEvent> {
    let send = send.clone();
    Callback::from(move |_| send.emit(event.clone()))
}

/// The control a keyboard user goes on from in a card, check or completion:
/// the first answer, else Next (or Finish, Close), else the first choice,
/// else the first enabled button. The same order as overlay.js uses when the
/// frame is focused from the page.
fn first_control() -> Option<web_sys::HtmlElement> {
    let doc = web_sys::window()?.document()?;
    [
        ".check input",
        "button.primary:not([disabled])",
        "button.choice",
        "section button:not([disabled])",
    ]
    .iter()
    .find_map(|s| doc.query_selector(s).ok().flatten())
    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Escape in a card, check or completion: the keyboard goes back to where it
/// was in the page (the card stays).
fn escape_returns_focus(send: &Callback<Event>) -> Callback<KeyboardEvent> {
    let send = send.clone();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            e.prevent_default();
            send.emit(Event::ReturnFocus);
        }
    })
}

/// The card's way to the help panel (the shortcut, pressed while a card is
/// showing, takes the keyboard into the card instead).
fn help_button(send: &Callback<Event>) -> Html {
    html! { <button class="icon" aria-label="Open help" onclick={intent(send, Event::OpenPanel)}>{ "?" }</button> }
}

fn step_card(card: &CardView, send: &Callback<Event>) -> Html {
    if card.missing {
        return missing_card(card, send);
    }
    let pct = (card.index * 100).checked_div(card.count).unwrap_or(0);
    html! {
        <section class="panel card" role="dialog" aria-label={card.walkthrough.clone()} onkeydown={escape_returns_focus(send)}>
            <header>
                if card.preview {
                    <span class="badge preview" title="What employees will see: end it to go back to your recording">{ "Preview" }</span>
                }
                <span class="walkthrough">{ &card.walkthrough }</span>
                <span class="progress">{ format!("{} of {}", card.index, card.count) }</span>
                { help_button(send) }
                <button class="icon" aria-label={if card.preview { "End preview" } else { "End walkthrough" }} onclick={intent(send, Event::Close)}>{ "×" }</button>
            </header>
            <div class="bar"><div class="fill" style={format!("width:{pct}%")}></div></div>
            if card.under_review {
                <p class="review">{ under_review() }</p>
            }
            <h1>{ &card.title }</h1>
            <div class="body">{ rich_text(&card.body) }</div>
            if let Some(hint) = &card.hint {
                <p class="hint">{ hint }</p>
            }
            if !card.choices.is_empty() {
                <div class="choices" role="group" aria-label={card.title.clone()}>
                    { for card.choices.iter().enumerate().map(|(index, label)| html! {
                        <button class="choice" onclick={intent(send, Event::Choose { index })}>{ label }</button>
                    }) }
                </div>
            }
            <footer>
                <button class="secondary" disabled={!card.can_back} onclick={intent(send, Event::Back)}>{ "Back" }</button>
                <button class="primary" disabled={!card.can_next} onclick={intent(send, Event::Next)}>
                    { if card.last { "Finish" } else { "Next" } }
                </button>
            </footer>
            if card.auto {
                <p class="auto-actions">
                    <button class="link not-now" onclick={intent(send, Event::NotNow)}>{ "Not now" }</button>
                    <button class="link never" onclick={intent(send, Event::NeverAgain)}>{ "Don't show again" }</button>
                </p>
            }
        </section>
    }
}

/// One comprehension question: radio buttons, or checkboxes when more than
/// one answer is right; the engine scores what is submitted.
fn check(c: &CheckView, send: &Callback<Event>, answers: &NodeRef) -> Html {
    let kind = if c.multiple { "checkbox" } else { "radio" };
    let submit = {
        let send = send.clone();
        let answers = answers.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(fieldset) = answers.cast::<web_sys::Element>() else {
                return;
            };
            let mut choices = Vec::new();
            if let Ok(checked) = fieldset.query_selector_all("input:checked") {
                for i in 0..checked.length() {
                    let value = checked
                        .item(i)
                        .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
                        .and_then(|input| input.value().parse::<usize>().ok());
                    choices.extend(value);
                }
            }
            if !choices.is_empty() {
                send.emit(Event::Answer { choices });
            }
        })
    };
    html! {
        <section class="panel check" role="dialog" aria-label={format!("Check: {}", c.walkthrough)} onkeydown={escape_returns_focus(send)}>
            <header>
                <span class="walkthrough">{ &c.walkthrough }</span>
                <span class="progress">{ format!("Question {} of {}", c.index, c.count) }</span>
                <button class="icon" aria-label="Skip the check" onclick={intent(send, Event::Close)}>{ "×" }</button>
            </header>
            <fieldset ref={answers.clone()} key={format!("q{}", c.index)}>
                <legend>{ &c.prompt }</legend>
                if c.multiple {
                    <p class="hint">{ "Select all that apply." }</p>
                }
                { for c.choices.iter().enumerate().map(|(i, label)| html! {
                    <label class="answer">
                        <input type={kind} name="answer" value={i.to_string()} />
                        { label }
                    </label>
                }) }
            </fieldset>
            <footer>
                <button class="primary" onclick={submit}>{ "Submit" }</button>
            </footer>
        </section>
    }
}

/// The step's target did not show up in time: say so plainly and let the
/// user decide, rather than pointing at nothing or ending by itself.
fn missing_card(card: &CardView, send: &Callback<Event>) -> Html {
    html! {
        <section class="panel card missing" role="alertdialog" aria-label={card.walkthrough.clone()} onkeydown={escape_returns_focus(send)}>
            <header>
                if card.preview {
                    <span class="badge preview" title="What employees will see: end it to go back to your recording">{ "Preview" }</span>
                }
                <span class="walkthrough">{ &card.walkthrough }</span>
                <span class="progress">{ format!("{} of {}", card.index, card.count) }</span>
                { help_button(send) }
                <button class="icon" aria-label={if card.preview { "End preview" } else { "End walkthrough" }} onclick={intent(send, Event::Close)}>{ "×" }</button>
            </header>
            if card.ambiguous {
                <h1>{ "More than one match on this page" }</h1>
                <p>{ format!("Several elements could be the one for “{}”, and none stands out, so Waymark will not guess.", card.title) }</p>
            } else {
                <h1>{ "Can't find this on the page" }</h1>
                <p>{ format!("The next step, “{}”, needs something that isn't on this page yet. It may still be loading, or the page may have changed.", card.title) }</p>
            }
            if card.support.is_some() {
                <p class="support-line">{ "If this keeps happening:" }{ support_note(card.support.as_ref()) }</p>
            }
            <footer>
                <button class="secondary" onclick={intent(send, Event::Close)}>{ "End" }</button>
                <button class="secondary" onclick={intent(send, Event::Skip)}>{ "Skip step" }</button>
                <button class="primary" onclick={intent(send, Event::Retry)}>{ "Try again" }</button>
            </footer>
        </section>
    }
}

fn done(
    title: &str,
    result: Option<&CheckOutcome>,
    related: &[PanelItem],
    send: &Callback<Event>,
) -> Html {
    html! {
        <section class="panel done" role="status" onkeydown={escape_returns_focus(send)}>
            <h1 class="done-title">{ "✓ Done: " }<strong>{ title }</strong></h1>
            <p>{ "You completed this walkthrough." }</p>
            if let Some(r) = result {
                <p class={classes!("score", if r.passed { "passed" } else { "failed" })}>
                    { format!("Check: {} of {} right. ", r.correct, r.total) }
                    { if r.passed { "Passed.".to_string() } else { format!("Not passed ({}% needed).", r.pass_percent) } }
                </p>
            }
            if !related.is_empty() {
                <h2 class="related-heading">{ "What next" }</h2>
                <ul class="related">
                    { for related.iter().map(|item| html! {
                        <li><button class="link related-item" onclick={intent(send, Event::Open { id: item.id.clone() })}>{ &item.title }</button></li>
                    }) }
                </ul>
            }
            <footer>
                <button class="primary" onclick={intent(send, Event::Dismiss)}>{ "Close" }</button>
            </footer>
        </section>
    }
}

/// Solve moment: something on screen matches a trigger; the fix is offered,
/// never started unasked.
fn offer(item: &PanelItem, send: &Callback<Event>) -> Html {
    html! {
        <section class="panel offer" role="status" aria-label="Help for what is on screen">
            <p class="offer-lead">{ "Need help with this?" }</p>
            <p class="offer-title"><strong>{ &item.title }</strong>
                if item.under_review { { under_review() } }
            </p>
            <footer>
                <button class="secondary" onclick={intent(send, Event::Dismiss)}>{ "Not now" }</button>
                if item.kind == ItemKind::Article {
                    <button class="primary" onclick={intent(send, Event::Open { id: item.id.clone() })}>{ "Read it" }</button>
                } else {
                    <button class="primary" onclick={intent(send, Event::Start { id: item.id.clone() })}>{ "Show me" }</button>
                }
            </footer>
        </section>
    }
}

/// Change moment: what changed in a walkthrough of this screen, once.
fn change(c: &ChangeView, send: &Callback<Event>) -> Html {
    html! {
        <section class="panel offer change" role="status" aria-label="What changed">
            <p class="offer-lead">{ "What changed" }</p>
            <p class="offer-title"><strong>{ &c.title }</strong></p>
            <p class="change-note">{ &c.note }</p>
            <footer>
                <button class="secondary" onclick={intent(send, Event::Dismiss)}>{ "Got it" }</button>
                <button class="primary" onclick={intent(send, Event::Start { id: c.id.clone() })}>{ "Show me" }</button>
            </footer>
        </section>
    }
}

/// Renders the compiled rich-text tree node by node. No author string is ever
/// parsed as HTML.
pub fn rich_text(t: &RichText) -> Html {
    rich_text_with(t, None)
}

/// A job aid's boxes: which article, what this user ticked, and where a
/// tick goes. Without it (a step card), boxes show but do nothing.
pub struct Tasks<'a> {
    pub article: &'a str,
    pub ticked: &'a [u32],
    pub send: &'a Callback<Event>,
}

pub fn rich_text_with(t: &RichText, tasks: Option<&Tasks>) -> Html {
    html! { for b in t.0.iter() { { block(b, tasks) } } }
}

fn block(b: &Block, tasks: Option<&Tasks>) -> Html {
    match b {
        Block::Paragraph(i) => html! { <p>{ inlines(i) }</p> },
        Block::Heading(_, i) => html! { <h3>{ inlines(i) }</h3> },
        Block::List {
            ordered: true,
            items,
        } => html! { <ol>{ for items.iter().map(|i| list_item(i, tasks)) }</ol> },
        Block::List {
            ordered: false,
            items,
        } => html! { <ul>{ for items.iter().map(|i| list_item(i, tasks)) }</ul> },
        Block::Code(c) => html! { <pre><code>{ c }</code></pre> },
        Block::Quote(bs) => {
            html! { <blockquote>{ for bs.iter().map(|b| block(b, tasks)) }</blockquote> }
        }
    }
}

fn list_item(blocks: &[Block], tasks: Option<&Tasks>) -> Html {
    // `- [ ] text`: the box and its text are one label, so the box is
    // named by what it ticks.
    if let Some((Block::Paragraph(is), rest)) = blocks.split_first() {
        if let Some((Inline::Task(n), text)) = is.split_first() {
            let n = *n;
            let checked = tasks.is_some_and(|t| t.ticked.contains(&n));
            let onchange = tasks.map(|t| {
                let (send, article) = (t.send.clone(), t.article.to_string());
                Callback::from(move |e: yew::Event| {
                    if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                        send.emit(Event::Tick {
                            article: article.clone(),
                            index: n,
                            on: input.checked(),
                        });
                    }
                })
            });
            return html! {
                <li class={classes!("task", checked.then_some("ticked"))}>
                    <label>
                        <input type="checkbox" class="task-box" data-task={n.to_string()} {checked}
                            disabled={tasks.is_none()} {onchange} />
                        { inlines(text) }
                    </label>
                    { for rest.iter().map(|b| block(b, tasks)) }
                </li>
            };
        }
    }
    html! { <li>{ for blocks.iter().map(|b| block(b, tasks)) }</li> }
}

fn inlines(is: &[Inline]) -> Html {
    html! { for i in is.iter() { { inline(i) } } }
}

fn inline(i: &Inline) -> Html {
    match i {
        Inline::Text(t) => html! { t },
        Inline::Strong(c) => html! { <strong>{ inlines(c) }</strong> },
        Inline::Emphasis(c) => html! { <em>{ inlines(c) }</em> },
        Inline::Code(c) => html! { <code>{ c }</code> },
        Inline::Break => html! { <br /> },
        // A box not at the start of a list item: nothing to tick it with.
        Inline::Task(_) => html! {},
        // App-relative links would resolve against the extension origin inside
        // this frame, so only absolute ones are live links here.
        Inline::Link { href, children } if allowed_href(href) && !href.starts_with('/') => html! {
            <a href={href.clone()} target="_blank" rel="noopener noreferrer">{ inlines(children) }</a>
        },
        Inline::Link { children, .. } => html! { <span class="link">{ inlines(children) }</span> },
        // Hosts were allow-listed at build time; https is checked again here.
        Inline::Image { src, alt } if src.starts_with("https://") => html! {
            <img src={src.clone()} alt={alt.clone()} loading="lazy" referrerpolicy="no-referrer" />
        },
        Inline::Video { src, title } if src.starts_with("https://") => html! {
            <video src={src.clone()} title={title.clone()} aria-label={title.clone()} controls=true preload="metadata"></video>
        },
        Inline::Image { alt: t, .. } | Inline::Video { title: t, .. } => {
            html! { <span>{ t }</span> }
        }
    }
}

/// The frame's handle: JS passes views in through `render`.
#[wasm_bindgen]
pub struct Overlay {
    inbox: Inbox,
    _app: yew::AppHandle<App>,
}

#[wasm_bindgen]
impl Overlay {
    /// Shows a view the engine sent. A malformed view is logged and ignored.
    pub fn render(&self, view: JsValue) {
        match serde_wasm_bindgen::from_value::<View>(view) {
            Ok(v) => self.inbox.deliver(v),
            Err(e) => log(&format!("waymark: ignoring malformed view: {e}")),
        }
    }
}

/// Mounts the views into `root`; `send` receives each intent as a plain
/// object (`{type: "next"}`).
#[wasm_bindgen]
pub fn mount_overlay(root: web_sys::Element, send: js_sys::Function) -> Overlay {
    let send = Callback::from(move |event: Event| {
        if let Err(e) = send.call1(&JsValue::NULL, &to_js(&event)) {
            log(&format!("waymark: sending an intent failed: {e:?}"));
        }
    });
    let inbox = Inbox::default();
    let app = yew::Renderer::<App>::with_root_and_props(
        root,
        AppProps {
            send,
            inbox: inbox.clone(),
        },
    )
    .render();
    Overlay { inbox, _app: app }
}
