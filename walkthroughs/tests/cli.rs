//! Data-driven CLI tests: each folder under `tests/fixtures/` is a case with a
//! `content/` folder and the expected `waymark build` output beside it
//! (`expected.txt`: exit code, then stdout and stderr with the case folder
//! replaced by `$CASE`). Run with `UPDATE_SNAPSHOTS=1` to rewrite them after a
//! deliberate change, then review the diff.

use std::path::Path;
use std::process::Command;

fn run_case(case: &Path) -> String {
    let out_file = std::env::temp_dir().join(format!(
        "waymark-cli-{}-{}.wmb",
        case.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&out_file);
    let out = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("build")
        .arg(case.join("content"))
        .arg("--out")
        .arg(&out_file)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    // A failed build must never leave a bundle behind.
    assert_eq!(
        code == 0,
        out_file.exists(),
        "{}: exit {code} but bundle exists = {}",
        case.display(),
        out_file.exists()
    );
    let _ = std::fs::remove_file(&out_file);
    let text = format!(
        "exit: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.replace(&case.display().to_string(), "$CASE")
        .replace(&out_file.display().to_string(), "$OUT")
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let got = run_case(&case);
        let expected_path = case.join("expected.txt");
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{got}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn validate_and_inspect() {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let out = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("validate")
        .arg(&lib)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bundle = std::env::temp_dir().join(format!("waymark-inspect-{}.wmb", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("build")
        .arg(&lib)
        .arg("-o")
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("inspect")
        .arg(&bundle)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("create-deal") && text.contains("Refund a partial order"),
        "{text}"
    );
    // A truncated bundle is refused with a reason.
    let bytes = std::fs::read(&bundle).unwrap();
    std::fs::write(&bundle, &bytes[..bytes.len() - 10]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("inspect")
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"));
    let _ = std::fs::remove_file(&bundle);
}
