//! `cargo xtask`: the project's build and test driver.
//!
//! - `cargo xtask demo`: build everything, serve demo-app with the bundled
//!   content, and open Chromium with the extension (headless without a display:
//!   screenshots of a guided walkthrough go to `target/demo/`).
//! - `cargo xtask test`: install what is missing, then fmt, clippy, unit, wasm
//!   and end-to-end tests.
//! - `cargo xtask dist`: the unpacked extension in `target/dist/chrome/`.
//! - `cargo xtask fuzz --minutes N`: each fuzz target in `fuzz/` for N minutes.
//!
//! It owns tool installation and orchestration; it must not contain product
//! logic (that is `core`) or test assertions (those are in the test suites).

mod dist;
mod firefox;
mod fleet;
mod fuzz;
mod report_bench;
mod tools;

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    // The first argument is the program itself.
    let args: Vec<String> = std::env::args().collect::<Vec<_>>().split_off(1);
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("dist") => dist::dist().map(|_| ()),
        Some("tools") => tools::ensure_all(),
        Some("test") => test(),
        Some("e2e") => tools::ensure_all()
            .and_then(|_| dist::dist())
            .and_then(|_| e2e()),
        Some("demo") => demo(match args.get(1..3) {
            Some([flag, b]) if flag == "--browser" => b.as_str(),
            _ => "chromium",
        }),
        // The Firefox build and its lint (target/dist/firefox, waymark.xpi).
        Some("firefox") => tools::ensure_all()
            .and_then(|_| dist::dist())
            .and_then(|_| firefox::lint()),
        Some("bench") if args.get(1).map(String::as_str) == Some("search") => bench_search(),
        Some("bench") if args.get(1).map(String::as_str) == Some("matching") => {
            bench_matching(&args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("tips") => bench_tips(&args[2..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("fleet") => {
            fleet::bench_fleet(&args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("analytics") => {
            bench_node("tests/bench/analytics.mjs", &args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("recorder") => {
            bench_node("tests/bench/recorder.mjs", &args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("report") => {
            report_bench::bench_report(&args[2..])
        }
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <demo [--browser firefox]|test|tools|dist|firefox|e2e|bench search|bench matching|bench tips|bench fleet|bench report|bench analytics|bench recorder|fuzz [--minutes N] [target..]>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => {
            eprintln!("xtask: done in {:.0} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Runs a command from the repository root, echoing it; fails on non-zero exit.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("xtask: $ {}", show(cmd));
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {}: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn test() -> Result {
    let t0 = Instant::now();
    tools::ensure_all()?;
    let mut timings = vec![("install", t0.elapsed())];
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result| -> Result {
        let t = Instant::now();
        f()?;
        timings.push((name, t.elapsed()));
        Ok(())
    };
    step(
        "fmt",
        &mut || run(cargo().args(["fmt", "--all", "--check"])),
    )?;
    step("clippy", &mut || {
        run(cargo().args([
            "clippy",
            "--workspace",
            "--exclude",
            "waymark-overlay",
            "--exclude",
            "waymark-worker",
            "--exclude",
            "waymark-options",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        run(cargo().args([
            "clippy",
            "-p",
            "waymark-overlay",
            "-p",
            "waymark-worker",
            "-p",
            "waymark-options",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("unit", &mut || {
        run(cargo().args([
            "test",
            "--workspace",
            "--exclude",
            "waymark-overlay",
            "--exclude",
            "waymark-worker",
            "--exclude",
            "waymark-options",
        ]))
    })?;
    // wasm-bindgen-test in headless Chromium, through wasm-pack (which runs
    // the pinned wasm-bindgen-test-runner and Debian's chromedriver).
    step("wasm", &mut || {
        for krate in dist::WASM_CRATES {
            run(tools::wasm_pack()
                .args([
                    "test",
                    "--headless",
                    "--chrome",
                    "--mode",
                    "no-install",
                    "--chromedriver",
                ])
                .arg(tools::CHROMEDRIVER)
                .arg(root().join(dist::crate_dir(krate)?))
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))?;
        }
        Ok(())
    })?;
    step("dist", &mut || dist::dist().map(|_| ()))?;
    step("firefox", &mut firefox::lint)?;
    step("e2e", &mut e2e)?;
    // The fleet benchmark keeps working: a short run (the figures come from
    // `cargo xtask bench fleet`).
    step("fleet", &mut || {
        fleet::bench_fleet(&["--clients".into(), "200".into(), "--check".into()])
    })?;
    for (name, d) in &timings {
        eprintln!("xtask: {name:<8} {:>6.1} s", d.as_secs_f64());
    }
    Ok(())
}

fn build_demo_app() -> Result {
    run(cargo().args(["build", "-q", "-p", "demo-app"]))
}

fn node_env(cmd: &mut Command) -> &mut Command {
    cmd.env("WAYMARK_DIST", dist::dist_dir())
        .env("DEMO_APP_BIN", root().join("target/debug/demo-app"))
        .env("WAYMARK_BIN", root().join("target/debug/waymark"))
        .env("CHROMIUM", tools::CHROMIUM)
}

fn e2e() -> Result {
    build_demo_app()?;
    run(node_env(
        Command::new("node")
            .args([
                "--test",
                "--test-concurrency=1",
                "--test-timeout=600000",
                "--test-reporter=spec",
            ])
            .arg("tests/e2e/"),
    ))
}

/// Search quality and speed against peers, on the shared corpora: prints one
/// JSON line per engine and corpus.
fn bench_search() -> Result {
    tools::ensure_all()?;
    let wasm = dist::build_wasm_for_node()?;
    run(cargo().args(["build", "-q", "--release", "-p", "waymark"]))?;
    let corpora = root().join("../shared/corpora");
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    for (corpus, queries) in [
        ("manpages", "queries-public"),
        ("packages", "queries-packages-public"),
    ] {
        let corpus_path = corpora.join(format!("{corpus}.jsonl"));
        let queries_path = corpora.join(format!("{queries}.jsonl"));
        let index = out.join(format!("{corpus}.wmsi"));
        let native = Command::new(root().join("target/release/waymark"))
            .arg("bench-search")
            .arg("--corpus")
            .arg(&corpus_path)
            .arg("--queries")
            .arg(&queries_path)
            .arg("--write-index")
            .arg(&index)
            .output()
            .map_err(|e| format!("cannot run waymark: {e}"))?;
        if !native.status.success() {
            return Err(format!(
                "waymark bench-search failed: {}",
                String::from_utf8_lossy(&native.stderr)
            ));
        }
        let line = String::from_utf8_lossy(&native.stdout).trim().to_string();
        println!("{line}");
        run(Command::new("node")
            .arg("tests/bench/search.mjs")
            .arg("--wasm")
            .arg(&wasm)
            .arg("--corpus")
            .arg(&corpus_path)
            .arg("--queries")
            .arg(&queries_path)
            .arg("--index")
            .arg(&index)
            .arg("--native")
            .arg(&line))?;
    }
    Ok(())
}

/// Targeting cost and card latency against Shepherd.js, in headless
/// Chromium: prints one JSON line per system (tests/bench/matching.mjs) and
/// writes them to `target/bench/matching.json`. Extra arguments
/// (`--batches N`, `--trials N`) go to the script.
fn bench_matching(extra: &[String]) -> Result {
    bench_json("matching", extra)
}

/// Runs `tests/bench/<name>.mjs` against a fresh dist, writing its JSON
/// lines to `target/bench/<name>.json`.
fn bench_json(name: &str, extra: &[String]) -> Result {
    tools::ensure_all()?;
    dist::dist()?;
    run(cargo().args(["build", "-q", "-p", "demo-app", "-p", "waymark"]))?;
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    run(node_env(
        Command::new("node")
            .arg(format!("tests/bench/{name}.mjs"))
            .arg("--json-out")
            .arg(out.join(format!("{name}.json")))
            .args(extra),
    ))
}

/// Smart tips and beacons against @floating-ui/dom's autoUpdate, in
/// headless Chromium (tests/bench/tips.mjs); writes `target/bench/tips.json`.
/// Extra arguments (`--frames N`, `--batches N`) go to the script.
fn bench_tips(extra: &[String]) -> Result {
    bench_json("tips", extra)
}

/// A benchmark run in headless Chromium with the packed extension:
/// tests/bench/analytics.mjs (what measurement costs the service worker)
/// or tests/bench/recorder.mjs (what recording a click costs the page).
fn bench_node(script: &str, extra: &[String]) -> Result {
    tools::ensure_all()?;
    dist::dist()?;
    run(cargo().args(["build", "-q", "-p", "demo-app", "-p", "waymark"]))?;
    run(node_env(Command::new("node").arg(script).args(extra)))
}

/// The demo in `browser` (`chromium`, the default, or `firefox`): a window
/// when there is a display, else played headless with screenshots.
fn demo(browser: &str) -> Result {
    let browser = match browser {
        "chromium" | "chrome" => "chromium",
        "firefox" => "firefox",
        other => {
            return Err(format!(
                "unknown browser `{other}`: use `--browser chromium` or `--browser firefox`"
            ))
        }
    };
    tools::ensure_all()?;
    dist::dist()?;
    build_demo_app()?;
    let windowed =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    run(node_env(
        Command::new("node")
            .args(["tests/demo.mjs", "--browser", browser])
            .arg(if windowed { "--window" } else { "--headless" }),
    ))
}
