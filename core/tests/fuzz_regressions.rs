//! Replays every input kept for the fuzz targets on each `cargo test`: the
//! seeds in `fuzz/seeds/<target>/` and each crash `cargo xtask fuzz` found,
//! kept under `core/tests/fixtures/fuzz/<target>/<what-it-broke>` once fixed.
//! The target bodies are the fuzzers' own (`fuzz/targets.rs`), so a replay
//! here is exactly what libFuzzer ran.
#![cfg(feature = "authoring")]

#[path = "../../fuzz/targets.rs"]
#[allow(dead_code)]
mod targets;

use std::path::Path;

fn replay(dir: &Path, run: fn(&[u8])) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{} panicked (see above)", path.display());
        n += 1;
    }
    n
}

#[test]
fn every_kept_fuzz_input_runs_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut total = 0;
    for (name, run) in targets::TARGETS {
        total += replay(&root.join("../fuzz/seeds").join(name), *run);
        total += replay(&root.join("tests/fixtures/fuzz").join(name), *run);
    }
    assert!(
        total >= 10,
        "only {total} inputs found: are the seeds there?"
    );
}

#[test]
fn the_reseal_makes_a_bundle_the_reader_accepts() {
    // The bundle target feeds mutations past the checksum through `seal`; if
    // sealing drifted from bundle::write_with, the fuzzer would test only
    // the checksum.
    let bytes = waymark_core::bundle::write(&Default::default()).unwrap();
    let body = &bytes[16..bytes.len() - waymark_core::bundle::TRAILER_LEN];
    assert_eq!(targets::seal(body), bytes);
}
