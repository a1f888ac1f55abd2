//! wasm-bindgen tests of the overlay views, in headless Chromium
//! (`cargo xtask test` runs them through wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use waymark_core::content::Moment;
use waymark_core::engine::{
    ArticleView, CardView, ChecklistItem, ChecklistView, ItemKind, PanelItem, PanelView, View,
};
use waymark_core::richtext::{Block, Inline, RichText};
use waymark_overlay::views::mount_overlay;

wasm_bindgen_test_configure!(run_in_browser);

fn js<T: Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

async fn tick() {
    yew::platform::time::sleep(Duration::from_millis(0)).await;
}

struct Mounted {
    root: web_sys::Element,
    overlay: waymark_overlay::views::Overlay,
    sent: Rc<RefCell<Vec<String>>>,
    _closure: Closure<dyn Fn(JsValue)>,
}

fn mount() -> Mounted {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let sent = Rc::new(RefCell::new(Vec::new()));
    let log = sent.clone();
    let closure = Closure::<dyn Fn(JsValue)>::new(move |v: JsValue| {
        log.borrow_mut()
            .push(js_sys::JSON::stringify(&v).unwrap().as_string().unwrap());
    });
    let overlay = mount_overlay(
        root.clone(),
        closure.as_ref().unchecked_ref::<js_sys::Function>().clone(),
    );
    Mounted {
        root,
        overlay,
        sent,
        _closure: closure,
    }
}

fn click(root: &web_sys::Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
}

fn card() -> CardView {
    CardView {
        walkthrough: "Create a deal".into(),
        title: "Name the deal".into(),
        body: RichText(vec![Block::Paragraph(vec![
            Inline::Text("Use <b>the</b> ".into()),
            Inline::Strong(vec![Inline::Text("customer".into())]),
        ])]),
        index: 2,
        count: 5,
        can_back: true,
        can_next: true,
        last: false,
        hint: None,
        choices: vec![],
        under_review: false,
        missing: false,
        ambiguous: false,
        support: None,
        preview: false,
        auto: false,
    }
}

#[wasm_bindgen_test]
async fn card_renders_the_rich_text_tree_and_reports_intents() {
    let m = mount();
    m.overlay.render(js(&View::Card(card())));
    tick().await;
    let text = m.root.text_content().unwrap();
    assert!(text.contains("Name the deal"), "{text}");
    assert!(text.contains("2 of 5"), "{text}");
    // Author text is text: markup in it is shown, never parsed.
    assert!(text.contains("Use <b>the</b> customer"), "{text}");
    assert!(m.root.query_selector("b").unwrap().is_none());
    assert_eq!(
        m.root
            .query_selector(".body strong")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "customer"
    );

    click(&m.root, "button.primary");
    click(&m.root, "button.secondary");
    click(&m.root, "button[aria-label='End walkthrough']");
    assert_eq!(
        *m.sent.borrow(),
        [
            r#"{"type":"next"}"#,
            r#"{"type":"back"}"#,
            r#"{"type":"close"}"#
        ]
    );
}

#[wasm_bindgen_test]
async fn a_preview_card_says_so_and_ends_the_preview() {
    let m = mount();
    m.overlay.render(js(&View::Card(CardView {
        preview: true,
        ..card()
    })));
    tick().await;
    let badge = m.root.query_selector(".badge.preview").unwrap().unwrap();
    assert_eq!(badge.text_content().unwrap(), "Preview");
    assert!(m
        .root
        .query_selector("button[aria-label='End walkthrough']")
        .unwrap()
        .is_none());
    click(&m.root, "button[aria-label='End preview']");
    assert_eq!(*m.sent.borrow(), [r#"{"type":"close"}"#]);
}

#[wasm_bindgen_test]
async fn a_card_that_started_by_itself_offers_not_now_and_never() {
    let m = mount();
    m.overlay.render(js(&View::Card(card())));
    tick().await;
    assert!(m.root.query_selector("button.not-now").unwrap().is_none());
    m.overlay.render(js(&View::Card(CardView {
        auto: true,
        ..card()
    })));
    tick().await;
    click(&m.root, "button.not-now");
    click(&m.root, "button.never");
    assert_eq!(
        *m.sent.borrow(),
        [r#"{"type":"not_now"}"#, r#"{"type":"never_again"}"#]
    );
}

#[wasm_bindgen_test]
async fn a_change_card_says_what_changed_and_offers_the_walkthrough() {
    use waymark_core::engine::ChangeView;
    let m = mount();
    m.overlay.render(js(&View::Change(ChangeView {
        id: "create-deal".into(),
        title: "Create a deal".into(),
        note: "Deals now need a stage.".into(),
    })));
    tick().await;
    let text = m.root.text_content().unwrap();
    assert!(
        text.contains("What changed") && text.contains("Deals now need a stage."),
        "{text}"
    );
    click(&m.root, "button.primary");
    click(&m.root, "button.secondary");
    assert_eq!(
        *m.sent.borrow(),
        [
            r#"{"type":"start","id":"create-deal"}"#,
            r#"{"type":"dismiss"}"#
        ]
    );
}

#[wasm_bindgen_test]
async fn click_steps_disable_next_and_show_the_hint() {
    let m = mount();
    let c = CardView {
        can_next: false,
        can_back: false,
        hint: Some("Click the highlighted element to continue.".into()),
        ..card()
    };
    m.overlay.render(js(&View::Card(c)));
    tick().await;
    let next = m.root.query_selector("button.primary").unwrap().unwrap();
    assert!(next.has_attribute("disabled"));
    assert!(m
        .root
        .text_content()
        .unwrap()
        .contains("Click the highlighted element"));
}

#[wasm_bindgen_test]
async fn decisions_offer_their_choices_and_media_renders_as_elements() {
    let m = mount();
    let c = CardView {
        can_next: false,
        choices: vec!["Another card".into(), "Cash".into()],
        under_review: true,
        body: RichText(vec![Block::Paragraph(vec![
            Inline::Image {
                src: "https://media.acme.example/terminal.png".into(),
                alt: "The terminal".into(),
            },
            Inline::Image {
                src: "javascript:alert(1)".into(),
                alt: "not loaded".into(),
            },
        ])]),
        ..card()
    };
    m.overlay.render(js(&View::Card(c)));
    tick().await;
    let imgs = m.root.query_selector_all("img").unwrap();
    assert_eq!(imgs.length(), 1, "only https media becomes an element");
    assert!(m.root.text_content().unwrap().contains("not loaded"));
    assert!(m.root.text_content().unwrap().contains("under review"));
    click(&m.root, "button.choice:nth-of-type(2)");
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"choose","index":1}"#
    );
}

#[wasm_bindgen_test]
async fn a_check_question_submits_the_chosen_answers() {
    let m = mount();
    m.overlay
        .render(js(&View::Check(waymark_core::engine::CheckView {
            walkthrough: "Create a deal".into(),
            index: 1,
            count: 2,
            prompt: "Which apply?".into(),
            choices: vec!["a".into(), "b".into(), "c".into()],
            multiple: true,
        })));
    tick().await;
    assert_eq!(
        m.root
            .query_selector_all("input[type=checkbox]")
            .unwrap()
            .length(),
        3
    );
    click(&m.root, "button.primary");
    assert!(m.sent.borrow().is_empty(), "nothing chosen, nothing sent");
    click(&m.root, "label.answer:nth-of-type(1) input");
    click(&m.root, "label.answer:nth-of-type(3) input");
    click(&m.root, "button.primary");
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"answer","choices":[0,2]}"#
    );
    m.overlay.render(js(&View::Done {
        title: "Create a deal".into(),
        result: Some(waymark_core::engine::CheckOutcome {
            correct: 1,
            total: 2,
            passed: false,
            pass_percent: 80,
        }),
        related: vec![item("deal-stages", "article", "Deal stages explained")],
    }));
    tick().await;
    let text = m.root.text_content().unwrap();
    assert!(text.contains("1 of 2 right. Not passed (80% needed)."));
    // More: what next, opened from the card.
    assert!(text.contains("What next"), "{text}");
    click(&m.root, "button.related-item");
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"open","id":"deal-stages"}"#
    );
}

#[wasm_bindgen_test]
async fn a_missing_target_offers_retry_skip_and_end() {
    let m = mount();
    m.overlay.render(js(&View::Card(CardView {
        missing: true,
        ..card()
    })));
    tick().await;
    let text = m.root.text_content().unwrap();
    assert!(
        text.contains("Can't find this on the page") && text.contains("“Name the deal”"),
        "{text}"
    );
    click(&m.root, "button.primary");
    click(&m.root, "footer button.secondary:nth-of-type(2)");
    click(&m.root, "footer button.secondary:nth-of-type(1)");
    assert_eq!(
        *m.sent.borrow(),
        [
            r#"{"type":"retry"}"#,
            r#"{"type":"skip"}"#,
            r#"{"type":"close"}"#
        ]
    );
}

fn item(id: &str, kind: &str, title: &str) -> PanelItem {
    PanelItem {
        id: id.into(),
        kind: if kind == "article" {
            ItemKind::Article
        } else {
            ItemKind::Walkthrough
        },
        title: title.into(),
        moment: Moment::Apply,
        snippet: vec![
            ("Renew your ".into(), false),
            ("token".into(), true),
            (" and reconnect".into(), false),
        ],
        under_review: false,
    }
}

fn key(target: &web_sys::Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let e = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

#[wasm_bindgen_test]
async fn panel_lists_results_and_is_keyboard_driven() {
    let m = mount();
    let items = vec![
        item("create-deal", "walkthrough", "Create a deal"),
        item("vpn", "article", "Fix a VPN timeout error"),
    ];
    let view = View::Panel(PanelView {
        query: String::new(),
        heading: "Results".into(),
        items,
        no_results: false,
        search_error: None,
        search: true,
        support: None,
        recorder: true,
        notice: None,
        moment: None,
        moments: vec![Moment::Apply, Moment::More],
        checklists: vec![ChecklistView {
            id: "week".into(),
            title: "Your first week".into(),
            items: vec![
                ChecklistItem {
                    id: "create-deal".into(),
                    kind: ItemKind::Walkthrough,
                    title: "Create a deal".into(),
                    done: true,
                },
                ChecklistItem {
                    id: "vpn".into(),
                    kind: ItemKind::Article,
                    title: "Fix a VPN timeout error".into(),
                    done: false,
                },
            ],
            done: 1,
        }],
    });
    m.overlay.render(js(&view));
    tick().await;
    assert_eq!(
        m.root.query_selector_all("button.item").unwrap().length(),
        2
    );
    // The checklist: its progress and its items, each opening its content.
    let list = m.root.query_selector(".checklist").unwrap().unwrap();
    assert!(list.text_content().unwrap().contains("1 of 2 done"));
    assert!(list
        .query_selector("button[data-id=create-deal][data-done=true]")
        .unwrap()
        .is_some());
    // Policy allows recording: the panel offers it.
    assert!(m
        .root
        .query_selector("button.record-start")
        .unwrap()
        .is_some());
    // Matched words are marked, as elements, never as parsed HTML.
    assert_eq!(
        m.root
            .query_selector("mark")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "token"
    );
    let input = m.root.query_selector("input.search").unwrap().unwrap();
    key(&input, "ArrowDown");
    tick().await;
    assert!(m
        .root
        .query_selector("button#result-1[aria-selected=true]")
        .unwrap()
        .is_some());
    key(&input, "Enter");
    key(&input, "Escape");
    assert_eq!(
        *m.sent.borrow(),
        [r#"{"type":"open","id":"vpn"}"#, r#"{"type":"dismiss"}"#]
    );
    click(&m.root, "button[data-id=create-deal]");
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"open","id":"create-deal"}"#
    );
    // The moment filter offers the moments there are.
    let filter = m
        .root
        .query_selector(".moment-filter select")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlSelectElement>()
        .unwrap();
    assert_eq!(filter.length(), 3);
    filter.set_value("more");
    filter
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"filter_moment","moment":"More"}"#
    );

    let article = View::Article(ArticleView {
        id: "vpn".into(),
        title: "Fix a VPN timeout error".into(),
        moment: Moment::Solve,
        body: RichText(vec![
            Block::Paragraph(vec![Inline::Text("Renew the token.".into())]),
            Block::List {
                ordered: false,
                items: vec![
                    vec![Block::Paragraph(vec![
                        Inline::Task(0),
                        Inline::Text("Log out".into()),
                    ])],
                    vec![Block::Paragraph(vec![
                        Inline::Task(1),
                        Inline::Text("Log in".into()),
                    ])],
                ],
            },
        ]),
        under_review: true,
        ticked: vec![1],
    });
    m.overlay.render(js(&article));
    tick().await;
    assert!(m.root.text_content().unwrap().contains("Renew the token."));
    assert!(m
        .root
        .query_selector(".badge.under-review")
        .unwrap()
        .is_some());
    // A job aid: boxes named by their text, this user's ticks, a tick sent.
    let boxes = m.root.query_selector_all("input.task-box").unwrap();
    assert_eq!(boxes.length(), 2);
    let ticked = m
        .root
        .query_selector("input.task-box[data-task='1']")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlInputElement>()
        .unwrap();
    assert!(ticked.checked());
    assert!(m.root.text_content().unwrap().contains("1 of 2 done"));
    click(&m.root, "input.task-box[data-task='0']");
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"tick","article":"vpn","index":0,"on":true}"#
    );
    click(&m.root, "button.tasks-reset");
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"reset_ticks","article":"vpn"}"#
    );
    click(&m.root, "button.back");
    assert_eq!(
        m.sent.borrow().last().unwrap(),
        r#"{"type":"close_article"}"#
    );

    m.overlay.render(js(&View::Hidden));
    tick().await;
    assert_eq!(m.root.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn malformed_views_are_ignored() {
    let m = mount();
    m.overlay.render(js(&View::Done {
        result: None,
        title: "Create a deal".into(),
        related: vec![],
    }));
    m.overlay.render(JsValue::from_str("not a view"));
    tick().await;
    assert!(m.root.text_content().unwrap().contains("Create a deal"));
}

#[wasm_bindgen_test]
async fn policy_support_shows_beside_problems_and_search_can_be_off() {
    use waymark_core::deploy::policy::Support;
    let support = Support {
        name: "IT service desk".into(),
        url: "mailto:it@acme.example".into(),
    };
    let m = mount();
    m.overlay.render(js(&View::Card(CardView {
        missing: true,
        support: Some(support.clone()),
        ..card()
    })));
    tick().await;
    let link = m
        .root
        .query_selector("a[href='mailto:it@acme.example']")
        .unwrap();
    assert_eq!(link.unwrap().text_content().unwrap(), "IT service desk");

    m.overlay.render(js(&View::Panel(PanelView {
        query: String::new(),
        heading: "For this page".into(),
        items: vec![],
        no_results: false,
        search_error: None,
        search: false,
        support: Some(support),
        recorder: false,
        notice: Some("The link you followed asks for “x”".into()),
        moment: None,
        moments: vec![],
        checklists: vec![],
    })));
    tick().await;
    assert!(
        m.root.query_selector("input.search").unwrap().is_none(),
        "search is off"
    );
    assert!(m.root.query_selector("footer.support a").unwrap().is_some());
    let notice = m
        .root
        .query_selector("p.notice[role=status]")
        .unwrap()
        .unwrap();
    assert_eq!(
        notice.text_content().unwrap(),
        "The link you followed asks for “x”"
    );
}

#[wasm_bindgen_test]
async fn the_recorder_lists_steps_and_shows_the_exported_file() {
    use waymark_core::engine::{ExportView, RecStepView, RecorderView};
    use waymark_core::recorder::{Moves, PagePreview};
    let m = mount();
    let step = |title: &str, ambiguous: bool| RecStepView {
        title: title.into(),
        action: "click".into(),
        target: vec!["[data-testid=\"new-deal\"]".into()],
        counted: true,
        ambiguous,
        page: "/crm/deals".into(),
        body: String::new(),
        placement: waymark_core::content::Placement::Auto,
        unchecked: false,
        advance: Moves::Click,
        advances: vec![Moves::Click, Moves::Next],
    };
    m.overlay.render(js(&View::Recorder(RecorderView {
        steps: vec![step("Click New deal", false), step("Click Save", true)],
        export: None,
        repick: None,
        owner: String::new(),
        pages: vec![PagePreview {
            pattern: "/crm/deals*".into(),
            matches: vec!["/crm/deals".into(), "/crm/deals/new".into()],
        }],
        unmatched: vec!["/reports".into()],
        pages_custom: false,
        pages_error: Some("`x` is not a page pattern".into()),
    })));
    tick().await;
    assert_eq!(
        m.root.query_selector_all("li.rec-step").unwrap().length(),
        2
    );
    let text = m.root.text_content().unwrap();
    assert!(text.contains("found more than once"), "{text}");
    assert!(
        text.contains("/crm/deals* matches /crm/deals, /crm/deals/new"),
        "{text}"
    );
    assert!(text.contains("Not offered on /reports"), "{text}");
    let alert = m.root.query_selector("[role=alert]").unwrap().unwrap();
    assert_eq!(alert.text_content().unwrap(), "`x` is not a page pattern");
    let pages = m
        .root
        .query_selector("textarea.rec-pages-edit")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .unwrap();
    assert_eq!(pages.value(), "/crm/deals*");
    pages.set_value("/crm/deals\n/reports*");
    pages
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    let adv = m
        .root
        .query_selector("select.rec-advance")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlSelectElement>()
        .unwrap();
    adv.set_value("next");
    adv.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    click(&m.root, "button[aria-label='Move step 2 up']");
    click(&m.root, "button[aria-label='Delete step 1']");
    click(&m.root, "button.rec-repick");
    click(&m.root, "button.rec-preview");
    click(&m.root, "button.rec-export");
    assert_eq!(
        *m.sent.borrow(),
        [
            r#"{"type":"record_pages","text":"/crm/deals\n/reports*"}"#,
            r#"{"type":"record_advance","index":0,"advance":"next"}"#,
            r#"{"type":"record_move","from":1,"to":0}"#,
            r#"{"type":"record_delete","index":0}"#,
            r#"{"type":"record_repick","index":0}"#,
            r#"{"type":"record_preview"}"#,
            r#"{"type":"record_export"}"#
        ]
    );
    m.overlay.render(js(&View::Recorder(RecorderView {
        steps: vec![],
        repick: None,
        owner: String::new(),
        pages: vec![],
        unmatched: vec![],
        pages_custom: false,
        pages_error: None,
        export: Some(ExportView {
            file: "create-a-deal.toml".into(),
            text: "id = \"create-a-deal\"\n".into(),
        }),
    })));
    tick().await;
    let area = m
        .root
        .query_selector("textarea.export")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .unwrap();
    assert_eq!(area.value(), "id = \"create-a-deal\"\n");
    let link = m.root.query_selector("a[download]").unwrap().unwrap();
    assert_eq!(
        link.get_attribute("download").as_deref(),
        Some("create-a-deal.toml")
    );
}
