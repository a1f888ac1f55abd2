//! `cargo xtask fuzz [--minutes N] [target ...]`: runs each coverage-guided
//! fuzz target in `fuzz/` for N minutes (default 1) with cargo-fuzz and
//! libFuzzer, and prints what each run covered.
//!
//! ```text
//! fuzz/seeds/<t>/ ─┐
//! sample bundle ───┴─▶ target/fuzz/corpus/<t>/ ──cargo fuzz run -s none──▶ summary table
//!                                              └─▶ target/fuzz/artifacts/<t>/crash-* (if any)
//! ```
//!
//! `--sanitizer none`: the sanitizers need a nightly compiler and a fresh
//! machine has only stable (cargo-fuzz documents the reduced mode:
//! https://github.com/rust-fuzz/cargo-fuzz/pull/440). Safe Rust has no
//! memory errors for ASan to find; panics, overflows (debug assertions are
//! on), timeouts and out-of-memory are what this finds.
//!
//! It owns running and reporting; the target bodies and their invariants are
//! in `fuzz/targets.rs`, and a crash it finds becomes a regression input
//! under `core/tests/fixtures/fuzz/<t>/`.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{cargo, root, run, tools, Result};

const TARGETS: &[&str] = &["bundle", "compile", "target", "search", "urls"];

pub fn fuzz(args: &[String]) -> Result {
    let mut minutes = 1.0f64;
    let mut chosen = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--minutes" => {
                let v = it
                    .next()
                    .ok_or("--minutes needs a number, e.g. --minutes 10")?;
                minutes = v
                    .parse()
                    .map_err(|_| format!("--minutes {v}: not a number of minutes"))?;
            }
            t if TARGETS.contains(&t) => chosen.push(t),
            other => {
                return Err(format!(
                    "unknown argument {other:?}: expected --minutes N or a target ({})",
                    TARGETS.join(", ")
                ))
            }
        }
    }
    if chosen.is_empty() {
        chosen = TARGETS.to_vec();
    }
    let cargo_fuzz = tools::ensure_cargo_fuzz()?;
    let base = root().join("target/fuzz");
    seed(&base, &chosen)?;

    let mut rows = Vec::new();
    let mut crashed = Vec::new();
    for t in &chosen {
        let corpus = base.join("corpus").join(t);
        let artifacts = base.join("artifacts").join(t);
        fs::create_dir_all(&artifacts).map_err(|e| format!("{}: {e}", artifacts.display()))?;
        let log = base.join(format!("{t}.log"));
        let log_file = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let secs = (minutes * 60.0).round().max(1.0) as u64;
        let mut cmd = Command::new(&cargo_fuzz);
        cmd.args(["fuzz", "run", "--sanitizer", "none", "--fuzz-dir"])
            .arg(root().join("fuzz"))
            .arg("--target-dir")
            .arg(base.join("build"))
            .arg(t)
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={secs}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .args(["-timeout=10", "-rss_limit_mb=4096", "-print_final_stats=1"])
            .stdout(Stdio::inherit())
            .stderr(log_file);
        eprintln!("xtask: fuzzing {t} for {secs} s (log: {})", log.display());
        let started = Instant::now();
        let status = cmd
            .current_dir(root())
            .status()
            .map_err(|e| format!("cannot start cargo-fuzz: {e}"))?;
        let text = fs::read_to_string(&log).unwrap_or_default();
        let stats = Stats::read(&text);
        rows.push((t.to_string(), started.elapsed().as_secs(), stats));
        if !status.success() {
            crashed.push(format!(
                "{t}: {status}; input kept in {} (last lines of {}:\n{})",
                artifacts.display(),
                log.display(),
                text.lines()
                    .rev()
                    .take(25)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    let mut table =
        String::from("target    seconds        runs   runs/s   coverage  features  corpus\n");
    for (t, secs, s) in &rows {
        table.push_str(&format!(
            "{t:<9} {secs:>7} {:>11} {:>8} {:>10} {:>9} {:>7}\n",
            s.runs, s.per_sec, s.cov, s.ft, s.corpus
        ));
    }
    eprint!("{table}");
    let _ = fs::write(base.join("summary.txt"), &table);
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the fuzzer found {} crash(es). Reproduce with `target/tools/bin/cargo-fuzz fuzz run -s none --fuzz-dir fuzz <target> <input>`, fix, then keep the input as core/tests/fixtures/fuzz/<target>/<what-it-broke>:\n{}",
            crashed.len(),
            crashed.join("\n\n")
        ))
    }
}

/// Fills each corpus with the committed seeds, and the bundle corpus with the
/// sample library's bundle and its body (see `fuzz/targets.rs` bundle_bytes).
fn seed(base: &Path, targets: &[&str]) -> Result {
    for t in targets {
        let corpus = base.join("corpus").join(t);
        fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let seeds = root().join("fuzz/seeds").join(t);
        if let Ok(entries) = fs::read_dir(&seeds) {
            for e in entries.flatten() {
                let to = corpus.join(format!("seed-{}", e.file_name().to_string_lossy()));
                fs::copy(e.path(), &to).map_err(|err| format!("{}: {err}", to.display()))?;
            }
        }
    }
    if targets.contains(&"bundle") {
        let wmb = base.join("sample.wmb");
        run(cargo()
            .args([
                "run",
                "-q",
                "-p",
                "waymark",
                "--",
                "build",
                "walkthroughs/library",
                "--env",
                "staging",
                "--out",
            ])
            .arg(&wmb))?;
        let bytes = fs::read(&wmb).map_err(|e| format!("{}: {e}", wmb.display()))?;
        let corpus = base.join("corpus/bundle");
        let trailer = waymark_core::bundle::TRAILER_LEN;
        if bytes.len() > 16 + trailer {
            let body = &bytes[16..bytes.len() - trailer];
            fs::write(corpus.join("seed-sample-body"), body).map_err(|e| e.to_string())?;
        }
        fs::write(corpus.join("seed-sample-bundle"), &bytes).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What libFuzzer printed last: its progress lines end in
/// `cov: N ft: N corp: N/…`, and -print_final_stats adds `stat::` lines.
#[derive(Default)]
struct Stats {
    runs: String,
    per_sec: String,
    cov: String,
    ft: String,
    corpus: String,
}

impl Stats {
    fn read(log: &str) -> Stats {
        let mut s = Stats::default();
        let field = |line: &str, key: &str| {
            let mut words = line.split_whitespace();
            words.find(|w| *w == key)?;
            words
                .next()
                .map(|w| w.split('/').next().unwrap_or(w).to_string())
        };
        for line in log.lines() {
            if line.starts_with('#') && line.contains("cov:") {
                s.cov = field(line, "cov:").unwrap_or_default();
                s.ft = field(line, "ft:").unwrap_or_default();
                s.corpus = field(line, "corp:").unwrap_or_default();
            }
            if let Some(v) = line.strip_prefix("stat::number_of_executed_units:") {
                s.runs = v.trim().to_string();
            }
            if let Some(v) = line.strip_prefix("stat::average_exec_per_sec:") {
                s.per_sec = v.trim().to_string();
            }
        }
        s
    }
}
