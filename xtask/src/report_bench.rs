//! `cargo xtask bench report`: `waymark report` (release) over a million
//! synthetic statements, beside peers run on the same file in the same run:
//! `wc -l` (reading the bytes, the floor) and a minimal Python reader that
//! parses each line and counts verbs (the least any JSON-reading report
//! does). Prints one JSON line per reader; ratios are to Python.
//!
//! Statements come from `waymark_core::analytics::report::synthetic`, so
//! the figures are checked too, not only timed.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use waymark_core::analytics::report::synthetic;

use crate::{cargo, root, run, Result};

const PYTHON_PEER: &str = r#"
import json, resource, sys
verbs = {}
with open(sys.argv[1], "rb") as f:
    for line in f:
        if line.strip():
            v = json.loads(line)["verb"]["id"]
            verbs[v] = verbs.get(v, 0) + 1
print(json.dumps({"statements": sum(verbs.values()), "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"#;

/// Runs `cmd`, returning (seconds, peak resident KiB, stdout).
fn measure(cmd: &mut Command) -> Result<(f64, i64, String)> {
    let started = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout {
        use std::io::Read;
        let _ = out.read_to_string(&mut stdout);
    }
    let mut status = 0;
    // SAFETY: wait4 on our own child with valid pointers; `child` was
    // consumed above, so nothing else reaps it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    if got != pid || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{cmd:?} failed (status {status})"));
    }
    Ok((secs, usage.ru_maxrss, stdout))
}

pub fn bench_report(args: &[String]) -> Result {
    let people: u64 = match args.iter().position(|a| a == "--people") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .ok_or("--people takes a number")?,
        // About 1,000,000 statements.
        None => 72_500,
    };
    run(cargo().args(["build", "-q", "--release", "-p", "waymark"]))?;
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let file = out.join(format!("statements-{people}.jsonl"));
    let expected = synthetic::expected(people);
    if !file.exists() {
        eprintln!("xtask: writing {}", file.display());
        write_statements(&file, people)?;
    }
    let bytes = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    let waymark = root().join("target/release/waymark");
    let (secs, peak, json) = measure(
        Command::new(&waymark)
            .args(["report", "--json", "--statements"])
            .arg(&file),
    )?;
    let figures: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    if figures["statements"] != expected.statements {
        return Err(format!(
            "waymark report counted {} statements, expected {}",
            figures["statements"], expected.statements
        ));
    }
    let (wc_secs, wc_peak, _) = measure(Command::new("wc").arg("-l").arg(&file))?;
    let (py_secs, _, py) = measure(Command::new("python3").args(["-c", PYTHON_PEER]).arg(&file))?;
    let py: serde_json::Value = serde_json::from_str(&py).map_err(|e| e.to_string())?;
    let line = |name: &str, s: f64, peak: i64| {
        serde_json::json!({
            "bench": "report",
            "reader": name,
            "statements": expected.statements,
            "mib_in": bytes >> 20,
            "seconds": (s * 100.0).round() / 100.0,
            "statements_per_s": (expected.statements as f64 / s).round(),
            "peak_mib": peak >> 10,
            "time_vs_python": (s / py_secs * 100.0).round() / 100.0,
        })
    };
    println!(
        "{}",
        line("waymark report (figures, HTML-ready)", secs, peak)
    );
    println!(
        "{}",
        line(
            "python3 json.loads + verb count",
            py_secs,
            py["peak_kib"].as_i64().unwrap_or(0)
        )
    );
    println!("{}", line("wc -l", wc_secs, wc_peak));
    Ok(())
}

fn write_statements(path: &Path, people: u64) -> Result {
    let tmp = path.with_extension("tmp");
    let f = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    for st in synthetic::statements(people) {
        serde_json::to_writer(&mut w, &st).map_err(|e| e.to_string())?;
        w.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}
