//! The wasm reader of `waymark_core::search`: JS hands in index bytes once,
//! then asks queries. Used by the help panel and by `cargo xtask bench search`
//! (under Node). Decides nothing: ranking is the core's.

use wasm_bindgen::prelude::*;
use waymark_core::search::{SearchIndex, SearchOptions};

use crate::to_js;

#[wasm_bindgen]
pub struct WaymarkSearch {
    index: SearchIndex<Vec<u8>>,
}

#[derive(serde::Serialize)]
struct JsHit {
    id: String,
    title: String,
    kind: String,
    moment: Option<String>,
    score: f32,
    matched: Vec<String>,
}

#[wasm_bindgen]
impl WaymarkSearch {
    /// Opens index bytes; throws an `Error` saying what is wrong.
    pub fn open(bytes: Vec<u8>) -> Result<WaymarkSearch, JsError> {
        SearchIndex::open(bytes)
            .map(|index| WaymarkSearch { index })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Top `limit` ids, best first (the benchmark's hot path: no objects).
    pub fn ids(&self, query: &str, limit: usize) -> Vec<String> {
        let opts = SearchOptions {
            limit,
            ..Default::default()
        };
        self.index
            .search(query, &opts)
            .into_iter()
            .filter_map(|h| self.index.doc(h.doc))
            .map(|d| d.id)
            .collect()
    }

    /// Full results for display; `url` boosts content for the current page.
    pub fn search(&self, query: &str, limit: usize, url: Option<String>) -> JsValue {
        let opts = SearchOptions {
            limit,
            url,
            ..Default::default()
        };
        let hits: Vec<JsHit> = self
            .index
            .search(query, &opts)
            .into_iter()
            .filter_map(|h| {
                let d = self.index.doc(h.doc)?;
                Some(JsHit {
                    id: d.id,
                    title: d.title,
                    kind: d.kind,
                    moment: d.moment,
                    score: h.score,
                    matched: h.matched,
                })
            })
            .collect();
        to_js(&hits)
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}
