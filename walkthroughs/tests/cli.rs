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

#[test]
fn import_articles_names_bad_lines_and_builds() {
    let dir = std::env::temp_dir().join(format!("waymark-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let export = dir.join("kb.jsonl");
    std::fs::write(
        &export,
        concat!(
            r#"{"id": "kb/42", "title": "Fix a VPN timeout error", "body": "Renew the <token> and reconnect.", "tags": ["it"]}"#, "\n",
            "{not json\n",
            r#"{"id": "kb/43", "body": "no title"}"#, "\n",
            r#"{"id": "kb/44", "title": "Reset your \"password\"", "body": "Use the forgot-password link."}"#, "\n",
        ),
    )
    .unwrap();
    let out = dir.join("articles");
    let run = |strict: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_waymark"));
        c.arg("import-articles").arg(&export).arg("--out").arg(&out);
        if strict {
            c.arg("--strict");
        }
        c.output().unwrap()
    };
    let r = run(false);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{err}");
    assert!(
        err.contains("kb.jsonl:2: skipped")
            && err.contains("kb.jsonl:3: skipped: missing field `title`"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&r.stdout).contains("imported 2 articles"));
    // The imported folder builds, and search finds the article through a typo.
    let bundle = dir.join("kb.wmb");
    let b = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("build")
        .arg(&out)
        .arg("-o")
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let s = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(["search", "--bundle"])
        .arg(&bundle)
        .arg("vpn timout")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&s.stdout);
    assert!(
        text.lines().next().unwrap_or("").contains("kb-42"),
        "{text}"
    );
    let r = run(true);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("kb.jsonl:2: skipped"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keygen_sign_verify() {
    let dir = std::env::temp_dir().join(format!("waymark-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let bin = env!("CARGO_BIN_EXE_waymark");
    let key = dir.join("signing.key");
    let out = Command::new(bin)
        .arg("keygen")
        .arg("--out")
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .unwrap()
        .to_string();
    // Never overwrites a key.
    assert!(!Command::new(bin)
        .arg("keygen")
        .arg("--out")
        .arg(&key)
        .status()
        .unwrap()
        .success());

    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let bundle = dir.join("b.wmb");
    assert!(Command::new(bin)
        .arg("build")
        .arg(&lib)
        .arg("-o")
        .arg(&bundle)
        .status()
        .unwrap()
        .success());
    let verify = |k: &str| {
        Command::new(bin)
            .arg("verify")
            .arg(&bundle)
            .arg("--public-key")
            .arg(k)
            .output()
            .unwrap()
    };
    let unsigned = verify(&public);
    assert!(
        String::from_utf8_lossy(&unsigned.stderr).contains("not signed"),
        "{unsigned:?}"
    );
    assert!(Command::new(bin)
        .arg("sign")
        .arg(&bundle)
        .arg("--key")
        .arg(&key)
        .status()
        .unwrap()
        .success());
    let ok = verify(&public);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let other = verify("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("does not verify against any trusted key")
    );
    let inspect = Command::new(bin)
        .arg("inspect")
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&inspect.stdout).contains("signed by a key starting"));
    let _ = std::fs::remove_dir_all(&dir);
}
