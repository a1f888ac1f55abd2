//! wasm-bindgen tests of the worker's search reader, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use waymark_core::search::{IndexBuilder, SearchDoc};
use waymark_worker::search::WaymarkSearch;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn search_reader_opens_bundle_index_and_refuses_garbage() {
    let mut b = IndexBuilder::new();
    b.add(SearchDoc {
        id: "vpn".into(),
        title: "Fix a VPN timeout error".into(),
        body: "Renew the token.".into(),
        kind: "article".into(),
        ..Default::default()
    });
    b.add(SearchDoc {
        id: "deal".into(),
        title: "Create a deal".into(),
        kind: "walkthrough".into(),
        ..Default::default()
    });
    let bytes = b.build().unwrap();
    let search = WaymarkSearch::open(bytes.clone()).unwrap();
    assert_eq!(search.ids("vpn timout", 10), vec!["vpn".to_string()]);
    assert_eq!(search.ids("crea", 10), vec!["deal".to_string()]);
    assert!(search.ids("", 10).is_empty());
    let cut = bytes[..bytes.len() / 2].to_vec();
    assert!(WaymarkSearch::open(cut).is_err());
}
