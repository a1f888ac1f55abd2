//! Data-driven CLI tests: each folder under `tests/fixtures/` is a case with a
//! `content/` folder and the expected `waymark build` output beside it
//! (`expected.txt`: exit code, then stdout and stderr with the case folder
//! replaced by `$CASE`). Run with `UPDATE_SNAPSHOTS=1` to rewrite them after a
//! deliberate change, then review the diff. A case may hold `args.txt`: the
//! command line to run instead of `build CONTENT --env staging --out OUT`
//! (`$CONTENT` and `$OUT` are substituted), e.g. to run `validate`.
//! Builds run at a fixed `SOURCE_DATE_EPOCH`, so snapshots are stable.

use std::path::Path;
use std::process::Command;

fn run_case(case: &Path) -> String {
    let out_file = std::env::temp_dir().join(format!(
        "waymark-cli-{}-{}.wmb",
        case.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&out_file);
    let content = case.join("content").display().to_string();
    let args: Vec<String> = match std::fs::read_to_string(case.join("args.txt")) {
        Ok(line) => line
            .split_whitespace()
            .map(|a| {
                a.replace("$CONTENT", &content)
                    .replace("$OUT", &out_file.display().to_string())
            })
            .collect(),
        Err(_) => vec![
            "build".into(),
            content.clone(),
            "--env".into(),
            "staging".into(),
            "--out".into(),
            out_file.display().to_string(),
        ],
    };
    let out = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(&args)
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    // A failed build must never leave a bundle behind.
    if args[0] == "build" {
        assert_eq!(
            code == 0,
            out_file.exists(),
            "{}: exit {code} but bundle exists = {}",
            case.display(),
            out_file.exists()
        );
    }
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
        .args(["--env", "production"])
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
        c.arg("import-articles")
            .arg(&export)
            .args(["--owner", "it-service-desk"])
            .arg("--out")
            .arg(&out);
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
    std::fs::write(
        out.join("waymark.toml"),
        "[bundle]\nscope = [\"https://help.acme.example\"]\n",
    )
    .unwrap();
    let b = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("build")
        .arg(&out)
        .args(["--env", "staging"])
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
        .args(["--env", "production"])
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

fn waymark(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(args)
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("waymark-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn init_then_validate_fmt_and_build_for_both_environments() {
    let dir = temp_dir("init");
    let out = waymark(&["init".as_ref(), dir.as_os_str()]);
    assert!(out.status.success(), "{out:?}");
    // Never over an existing folder's files.
    assert!(!waymark(&["init".as_ref(), dir.as_os_str()])
        .status
        .success());
    assert!(dir.join(".waymark/walkthrough.schema.json").exists());
    assert!(dir.join(".taplo.toml").exists());
    let out = waymark(&["validate".as_ref(), dir.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = waymark(&["fmt".as_ref(), dir.as_os_str(), "--check".as_ref()]);
    assert!(out.status.success(), "the templates are canonical: {out:?}");
    let bundle = dir.join("staging.wmb");
    let out = waymark(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--env".as_ref(),
        "staging".as_ref(),
        "--out".as_ref(),
        bundle.as_os_str(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 walkthroughs, 4 steps, 1 articles"),
        "{text}"
    );
    // The examples are drafts: production leaves them out and says so.
    let prod = dir.join("production.wmb");
    let out = waymark(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--env".as_ref(),
        "production".as_ref(),
        "--out".as_ref(),
        prod.as_os_str(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0 walkthroughs")
            && text.contains(
                "`first-walkthrough` left out of production: draft content ships to staging only"
            ),
        "{text}"
    );
    let out = waymark(&["diff".as_ref(), prod.as_os_str(), bundle.as_os_str()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("+ walkthrough first-walkthrough")
            && text.contains("2 added, 0 changed, 0 retired"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_rewrites_and_then_checks_clean() {
    let dir = temp_dir("fmt");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.toml");
    std::fs::write(&file, "id=\"a\"\r\ntitle = \"A\"  \r\nmoment=\"more\"\r\nowner = \"x\"\r\n[[steps]]\r\nid = \"s\"\r\ntitle = \"S\"\r\n").unwrap();
    assert!(
        !waymark(&["fmt".as_ref(), dir.as_os_str(), "--check".as_ref()])
            .status
            .success()
    );
    assert!(waymark(&["fmt".as_ref(), dir.as_os_str()]).status.success());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "id = \"a\"\ntitle = \"A\"\nmoment = \"more\"\nowner = \"x\"\n\n[[steps]]\nid = \"s\"\ntitle = \"S\"\n"
    );
    assert!(
        waymark(&["fmt".as_ref(), dir.as_os_str(), "--check".as_ref()])
            .status
            .success()
    );
    // The shipped library is kept canonical.
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let out = waymark(&["fmt".as_ref(), lib.as_os_str(), "--check".as_ref()]);
    assert!(
        out.status.success(),
        "run `waymark fmt walkthroughs/library`: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it() {
    let dir = temp_dir("huge");
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::File::create(dir.join("huge.toml")).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let out = waymark(&["validate".as_ref(), dir.as_os_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("huge.toml:1:1: error: file is 52428800 bytes; content files are at most"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The checked-in schemas are what the Rust types generate; regenerate with
/// `cargo run -p waymark -- schema --out walkthroughs/schema`.
#[test]
fn checked_in_schemas_are_current() {
    let dir = temp_dir("schema");
    assert!(
        waymark(&["schema".as_ref(), "--out".as_ref(), dir.as_os_str()])
            .status
            .success()
    );
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        let fresh = std::fs::read_to_string(&path).unwrap();
        if update {
            std::fs::create_dir_all(&checked_in).unwrap();
            std::fs::write(checked_in.join(name), &fresh).unwrap();
            continue;
        }
        let old = std::fs::read_to_string(checked_in.join(name)).unwrap_or_default();
        assert!(
            old == fresh,
            "{} is stale: run `cargo run -p waymark -- schema --out walkthroughs/schema`",
            name.to_string_lossy()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
