//! wasm-bindgen tests of the options page (yew), in headless Chromium: it
//! shows what the worker reports, masks nothing itself (the worker sends
//! masked values), and reports its two intents.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use waymark_options::mount_options;

wasm_bindgen_test_configure!(run_in_browser);

async fn tick() {
    yew::platform::time::sleep(Duration::from_millis(0)).await;
}

fn diagnostics(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

struct Mounted {
    root: web_sys::Element,
    page: waymark_options::page::Options,
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
    let page = mount_options(
        root.clone(),
        closure.as_ref().unchecked_ref::<js_sys::Function>().clone(),
    );
    Mounted {
        root,
        page,
        sent,
        _closure: closure,
    }
}

fn text(root: &web_sys::Element) -> String {
    root.dyn_ref::<web_sys::HtmlElement>().unwrap().inner_text()
}

const IN_USE: &str = r#"{
  "generated_at": 1796000000000,
  "extension": { "id": "fjcgfleoefnhjmcheoalfgcpafphemah", "version": "0.1.0" },
  "policy": {
    "managed": true, "read": "fresh",
    "values": { "allowed_origins": ["https://crm.acme.example"], "analytics": { "auth": "Basic ••••••• (20 characters)" } },
    "problems": [{ "key": "update_interval_minutes", "message": "was set but did not arrive: Chromium dropped it for not matching the schema (it must be a whole number from 5 to 1440)" }]
  },
  "runs_on": ["https://crm.acme.example"],
  "bundle": {
    "bundle_version": 42, "env": "production", "created": 1796000000000, "expires": "2027-06-01",
    "scope": ["https://*.acme.example"], "keys": "policy", "signer": "oix2wKww", "bytes": 10186,
    "walkthroughs": 3, "steps": 12, "articles": 5, "titles": ["Create a deal"],
    "source": "downloaded", "fetched_at": 1796000000000, "since": 1796000000000, "etag": "\"abc\""
  },
  "updates": { "url": "https://cdn.acme.example/c.wmb", "interval_minutes": 60, "last_check": 1796000000000, "last_result": "not modified (scheduled)", "next_check": 1796003000000, "failures": 0 },
  "refusal": { "at": 1796000500000, "reason": "the bundle was built for staging but policy `environment` is production", "source": "downloaded" },
  "user": { "id": "jordan.diaz", "roles": ["store-manager"], "region": "emea", "source": "page", "page": "https://crm.acme.example" },
  "support": { "name": "IT service desk", "url": "mailto:it@acme.example" },
  "checking": false
}"#;

#[wasm_bindgen_test]
async fn shows_policy_bundle_refusal_and_user() {
    let m = mount();
    m.page.render(diagnostics(IN_USE));
    tick().await;
    let t = text(&m.root);
    for want in [
        "A new content bundle was refused; the last good bundle stays in use.",
        "https://crm.acme.example",
        "key oix2wKww (a key in policy trusted_keys)",
        "\"abc\"",
        "not modified (scheduled)",
        "the bundle was built for staging",
        "update_interval_minutes was set but did not arrive",
        "Basic ••••••• (20 characters)",
        "jordan.diaz",
        "page (https://crm.acme.example)",
        "IT service desk",
    ] {
        assert!(t.contains(want), "missing {want:?} in:\n{t}");
    }
    // The support contact is a real link.
    let link = m
        .root
        .query_selector("a[href='mailto:it@acme.example']")
        .unwrap();
    assert!(link.is_some());
}

#[wasm_bindgen_test]
async fn check_now_and_copy_are_buttons_that_report_intents() {
    let m = mount();
    m.page.render(diagnostics(IN_USE));
    tick().await;
    for id in ["#check-now", "#copy"] {
        let b = m
            .root
            .query_selector(id)
            .unwrap()
            .unwrap()
            .dyn_into::<web_sys::HtmlButtonElement>()
            .unwrap();
        // Real buttons: reachable by Tab, activated by Enter and Space.
        assert_eq!(b.tab_index(), 0);
        b.click();
    }
    assert_eq!(
        *m.sent.borrow(),
        vec![r#"{"type":"check_now"}"#, r#"{"type":"copy"}"#]
    );
    // While a check runs, the button says so and cannot be pressed again.
    let checking = IN_USE.replace("\"checking\": false", "\"checking\": true");
    m.page.render(diagnostics(&checking));
    tick().await;
    let b = m
        .root
        .query_selector("#check-now")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlButtonElement>()
        .unwrap();
    assert!(b.disabled());
    assert_eq!(b.inner_text(), "Checking…");
}

#[wasm_bindgen_test]
async fn without_a_bundle_it_says_why_and_who_helps() {
    let m = mount();
    m.page.render(diagnostics(
        r#"{ "error": "policy names no `trusted_keys`, so no downloaded bundle can be trusted",
             "policy": { "managed": true, "read": "fresh", "values": {}, "problems": [] },
             "support": { "name": "IT service desk", "url": "https://help.acme.example" } }"#,
    ));
    tick().await;
    let t = text(&m.root);
    assert!(
        t.contains("No guidance is shown: policy names no `trusted_keys`"),
        "{t}"
    );
    assert!(t.contains("For help, contact IT service desk"), "{t}");
    assert!(t.contains("Nowhere"), "{t}");
    // Malformed diagnostics are ignored, not fatal.
    m.page.render(JsValue::from_str("nonsense"));
    tick().await;
    assert!(text(&m.root).contains("No guidance is shown"));
}
