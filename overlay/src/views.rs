//! The overlay frame's views (yew): the launcher menu, the step card and the
//! completion card. They render exactly the `View` the engine sent and report
//! the user's intents as core `Event`s; they keep no walkthrough state.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use waymark_core::engine::{Card, Event, MenuItem, View};
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
}

pub enum Msg {
    Show(View),
}

impl Component for App {
    type Message = Msg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let mut inbox = ctx.props().inbox.0.borrow_mut();
        inbox.deliver = Some(ctx.link().callback(Msg::Show));
        App {
            view: inbox.pending.take().unwrap_or(View::Hidden),
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Msg) -> bool {
        let Msg::Show(view) = msg;
        let changed = self.view != view;
        self.view = view;
        changed
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let send = &ctx.props().send;
        match &self.view {
            View::Hidden => html! {},
            View::Menu { items } => menu(items, send),
            View::Card(card) => step_card(card, send),
            View::Done { title } => done(title, send),
        }
    }
}

fn intent(send: &Callback<Event>, event: Event) -> Callback<MouseEvent> {
    let send = send.clone();
    Callback::from(move |_| send.emit(event.clone()))
}

fn menu(items: &[MenuItem], send: &Callback<Event>) -> Html {
    html! {
        <section class="panel menu" aria-label="Waymark help">
            <header>
                <h1>{ "Help for this page" }</h1>
                <button class="icon" aria-label="Close help" onclick={intent(send, Event::Dismiss)}>{ "×" }</button>
            </header>
            if items.is_empty() {
                <p class="empty">{ "No walkthroughs for this page yet." }</p>
            } else {
                <ul class="items">
                    { for items.iter().map(|item| html! {
                        <li key={item.id.clone()}>
                            <button class="item" data-walkthrough={item.id.clone()}
                                onclick={intent(send, Event::Start { id: item.id.clone() })}>
                                <span class="item-title">{ &item.title }</span>
                                <span class="meta">
                                    <span class={classes!("badge", format!("moment-{}", item.moment.as_str()))}>
                                        { item.moment.as_str() }
                                    </span>
                                    { format!("{} steps", item.steps) }
                                </span>
                            </button>
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}

fn step_card(card: &Card, send: &Callback<Event>) -> Html {
    let pct = (card.index * 100).checked_div(card.count).unwrap_or(0);
    html! {
        <section class="panel card" role="dialog" aria-label={card.walkthrough.clone()}>
            <header>
                <span class="walkthrough">{ &card.walkthrough }</span>
                <span class="progress">{ format!("{} of {}", card.index, card.count) }</span>
                <button class="icon" aria-label="End walkthrough" onclick={intent(send, Event::Close)}>{ "×" }</button>
            </header>
            <div class="bar"><div class="fill" style={format!("width:{pct}%")}></div></div>
            <h2>{ &card.title }</h2>
            <div class="body">{ rich_text(&card.body) }</div>
            if let Some(hint) = &card.hint {
                <p class="hint">{ hint }</p>
            }
            <footer>
                <button class="secondary" disabled={!card.can_back} onclick={intent(send, Event::Back)}>{ "Back" }</button>
                <button class="primary" disabled={!card.can_next} onclick={intent(send, Event::Next)}>
                    { if card.last { "Finish" } else { "Next" } }
                </button>
            </footer>
        </section>
    }
}

fn done(title: &str, send: &Callback<Event>) -> Html {
    html! {
        <section class="panel done" role="status">
            <p class="done-title">{ "✓ Done: " }<strong>{ title }</strong></p>
            <p>{ "You completed this walkthrough." }</p>
            <footer>
                <button class="primary" onclick={intent(send, Event::Dismiss)}>{ "Close" }</button>
            </footer>
        </section>
    }
}

/// Renders the compiled rich-text tree node by node. No author string is ever
/// parsed as HTML.
pub fn rich_text(t: &RichText) -> Html {
    html! { for b in t.0.iter() { { block(b) } } }
}

fn block(b: &Block) -> Html {
    match b {
        Block::Paragraph(i) => html! { <p>{ inlines(i) }</p> },
        Block::Heading(_, i) => html! { <h3>{ inlines(i) }</h3> },
        Block::List {
            ordered: true,
            items,
        } => html! { <ol>{ for items.iter().map(|i| list_item(i)) }</ol> },
        Block::List {
            ordered: false,
            items,
        } => html! { <ul>{ for items.iter().map(|i| list_item(i)) }</ul> },
        Block::Code(c) => html! { <pre><code>{ c }</code></pre> },
        Block::Quote(bs) => html! { <blockquote>{ for bs.iter().map(block) }</blockquote> },
    }
}

fn list_item(blocks: &[Block]) -> Html {
    html! { <li>{ for blocks.iter().map(block) }</li> }
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
        // App-relative links would resolve against the extension origin inside
        // this frame, so only absolute ones are live links here.
        Inline::Link { href, children } if allowed_href(href) && !href.starts_with('/') => html! {
            <a href={href.clone()} target="_blank" rel="noopener noreferrer">{ inlines(children) }</a>
        },
        Inline::Link { children, .. } => html! { <span class="link">{ inlines(children) }</span> },
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
