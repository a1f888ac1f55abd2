//! `waymark bench-search`: builds an index from a JSONL corpus, runs known-item
//! queries through it natively, and reports quality and speed as one JSON line
//! (the same fields `cargo xtask bench search` prints for every engine).

use std::path::Path;
use std::time::Instant;

use serde::Deserialize;
use waymark_core::search::{IndexBuilder, SearchDoc, SearchIndex, SearchOptions};

#[derive(Deserialize)]
struct CorpusLine {
    id: String,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct QueryLine {
    q: String,
    expect: Vec<String>,
}

fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

pub fn bench_search(
    corpus: &Path,
    queries: &Path,
    misses: bool,
    write_index: Option<&Path>,
) -> Result<String, String> {
    let docs: Vec<CorpusLine> = read_lines(corpus)?;
    let queries: Vec<QueryLine> = read_lines(queries)?;

    let t = Instant::now();
    let mut b = IndexBuilder::new();
    for d in &docs {
        b.add(SearchDoc {
            id: d.id.clone(),
            title: d.title.clone(),
            body: d.body.clone(),
            tags: d.tags.clone(),
            kind: "article".into(),
            ..Default::default()
        });
    }
    let bytes = b.build().map_err(|e| e.to_string())?;
    let build_ms = t.elapsed().as_secs_f64() * 1e3;
    if let Some(path) = write_index {
        std::fs::write(path, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }

    let t = Instant::now();
    let index = SearchIndex::open(&bytes[..]).map_err(|e| e.to_string())?;
    let open_ms = t.elapsed().as_secs_f64() * 1e3;

    let opts = SearchOptions {
        limit: 10,
        ..Default::default()
    };
    // Warm up once (lazy automata), as a panel does on first keystroke.
    for q in [
        "warming searchng xqzvwkjhgf",
        "file sys",
        "network confguration",
        "lib",
    ] {
        let _ = index.search(q, &opts);
    }
    let mut lat = Vec::with_capacity(queries.len());
    let (mut found, mut rr) = (0usize, 0f64);
    for q in &queries {
        let t = Instant::now();
        let hits = index.search(&q.q, &opts);
        lat.push(t.elapsed().as_secs_f64() * 1e6);
        let rank = hits
            .iter()
            .position(|h| index.doc(h.doc).is_some_and(|d| q.expect.contains(&d.id)));
        if let Some(rank) = rank {
            found += 1;
            rr += 1.0 / (rank as f64 + 1.0);
        }
        if misses && rank != Some(0) {
            let top: Vec<String> = hits
                .iter()
                .take(3)
                .filter_map(|h| index.doc(h.doc))
                .map(|d| d.title)
                .collect();
            eprintln!(
                "{:?} expected {:?} at {:?}; top: {:?}",
                q.q,
                q.expect,
                rank.map(|r| r + 1),
                top
            );
        }
    }
    if misses {
        let mut slow: Vec<(f64, &str)> = lat
            .iter()
            .copied()
            .zip(queries.iter().map(|q| q.q.as_str()))
            .collect();
        slow.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (us, q) in slow.iter().take(8) {
            eprintln!("slow: {us:>8.1} µs  {q:?}");
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let n = queries.len().max(1) as f64;
    Ok(serde_json::json!({
        "engine": "waymark-native",
        "corpus": corpus.file_name().map(|f| f.to_string_lossy().into_owned()),
        "docs": docs.len(),
        "build_ms": round(build_ms),
        "index_bytes": bytes.len(),
        "open_ms": round(open_ms),
        "recall_at_10": round(found as f64 / n),
        "mrr_at_10": round(rr / n),
        "p50_us": round(pct(0.5)),
        "p99_us": round(pct(0.99)),
    })
    .to_string())
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}
