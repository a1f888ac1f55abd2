//! `waymark import`, data-driven: each folder under `tests/imports/`
//! holds `input.json` (a DevTools Recorder, Shepherd or driver.js file
//! written for this repository) and the expected `output.toml` and
//! `stderr.txt`. Every imported file must pass `waymark validate` and
//! `waymark fmt --check` unchanged. `UPDATE_SNAPSHOTS=1` rewrites the
//! expectations after a deliberate change; review the diff.
//!
//! Also `waymark export --devtools`: the sample walkthrough as a recording
//! that imports back to the same targets.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn waymark() -> Command {
    Command::new(env!("CARGO_BIN_EXE_waymark"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waymark-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("waymark.toml"),
        "[bundle]\nscope = [\"http://127.0.0.1:*\"]\n",
    )
    .unwrap();
    dir
}

fn check_folder(dir: &Path) {
    let v = waymark().arg("validate").arg(dir).output().unwrap();
    assert!(
        v.status.success(),
        "waymark validate refused the import:\n{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let f = waymark()
        .args(["fmt", "--check"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        f.status.success(),
        "waymark fmt --check would change the import:\n{}{}",
        String::from_utf8_lossy(&f.stdout),
        String::from_utf8_lossy(&f.stderr)
    );
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/imports");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 3);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let dir = scratch(&name);
        let out = waymark()
            .arg("import")
            .arg(case.join("input.json"))
            .args(["--owner", "sales-ops", "--review-by", "2027-06-01", "--out"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let written: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != "waymark.toml"))
            .collect();
        assert_eq!(written.len(), 1, "{name}: {written:?}");
        let toml = std::fs::read_to_string(&written[0]).unwrap();
        let stderr =
            String::from_utf8_lossy(&out.stderr).replace(&case.display().to_string(), "$CASE");
        check_folder(&dir);
        for (file, got) in [("output.toml", &toml), ("stderr.txt", &stderr)] {
            let path = case.join(file);
            if update {
                std::fs::write(&path, got).unwrap();
            } else if std::fs::read_to_string(&path).unwrap_or_default() != *got {
                failures.push(format!("{name}/{file} differs; got:\n{got}"));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_walkthrough_exports_to_devtools_and_imports_back() {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let out = waymark()
        .args([
            "export",
            "--devtools",
            "--id",
            "create-deal",
            "--url",
            "http://127.0.0.1:8080",
        ])
        .arg(&library)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rec: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = rec["steps"].as_array().unwrap();
    assert_eq!(steps[1]["type"], "navigate");
    assert_eq!(steps[1]["url"], "http://127.0.0.1:8080/crm/deals");
    let kinds: Vec<&str> = steps[2..]
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "click",
            "change",
            "waitForElement",
            "waitForElement",
            "click"
        ]
    );
    assert_eq!(steps[2]["selectors"][0][0], "[data-testid=new-deal]");

    // Back again: the same targets, click and change steps.
    let dir = scratch("roundtrip");
    let file = dir.join("recording.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let back = waymark()
        .arg("import")
        .arg(&file)
        .args([
            "--owner",
            "sales-ops",
            "--review-by",
            "2027-06-01",
            "--id",
            "create-deal-again",
            "--out",
        ])
        .arg(dir.join("content"))
        .output()
        .unwrap();
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    std::fs::rename(dir.join("waymark.toml"), dir.join("content/waymark.toml")).unwrap();
    let text = std::fs::read_to_string(dir.join("content/create-deal-again.toml")).unwrap();
    assert!(text.contains("target = [\"[data-testid=new-deal]\", \"aria/New deal[role=\\\"button\\\"]\", \"text/New deal\"]"), "{text}");
    assert!(text.contains("applies_to = [\"/crm/deals*\"]"), "{text}");
    check_folder(&dir.join("content"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_of_no_known_shape_says_so() {
    let dir = scratch("unknown");
    let file = dir.join("x.json");
    std::fs::write(&file, "{\"steps\": [{\"what\": 1}]}").unwrap();
    let out = waymark()
        .arg("import")
        .arg(&file)
        .args(["--owner", "x", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("say which with --from"));
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"steps\": [,]\n}").unwrap();
    let out = waymark()
        .arg("import")
        .arg(&bad)
        .args(["--owner", "x", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.json:2:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
