//! `waymark verify --policy`: an admin checks a bundle against the policy
//! file they deploy, and gets the answer a browser under it would give.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn waymark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

struct Fixture {
    dir: PathBuf,
    public: String,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let dir =
            std::env::temp_dir().join(format!("waymark-verify-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("signing-key");
        let out = waymark(&["keygen", "--out", key.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        let public = text(&out)
            .split_whitespace()
            .find(|w| w.len() == 44 && w.ends_with('='))
            .expect("keygen prints the public key")
            .to_string();
        Fixture { dir, public }
    }

    fn build(&self, env: &str) -> PathBuf {
        let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
        let out = self.dir.join(format!("content-{env}.wmb"));
        let o = waymark(&[
            "build",
            library.to_str().unwrap(),
            "--env",
            env,
            "--out",
            out.to_str().unwrap(),
            "--sign-key",
            self.dir.join("signing-key").to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        out
    }

    fn policy(&self, name: &str, body: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, body.replace("$KEY", &self.public)).unwrap();
        p
    }

    fn verify(&self, bundle: &Path, policy: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "verify",
            bundle.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        waymark(&args)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_bundle_the_policy_trusts_runs_where_both_allow() {
    let f = Fixture::new("ok");
    let bundle = f.build("production");
    let policy = f.policy(
        "chromium.json",
        r#"{ "3rdparty": { "extensions": { "fjcgfleoefnhjmcheoalfgcpafphemah": {
            "allowed_origins": ["http://127.0.0.1:8080", "http://localhost:*"],
            "bundle_url": "https://cdn.acme.example/waymark/content.wmb",
            "trusted_keys": ["$KEY"]
        } } } }"#,
    );
    let o = f.verify(&bundle, &policy, &[]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("Chromium policy file, extension fjcgfleoefnhjmcheoalfgcpafphemah"),
        "{t}"
    );
    assert!(t.contains("ok: "), "{t}");
    assert!(
        t.contains("runs on: http://127.0.0.1:8080, http://localhost:*"),
        "{t}"
    );
}

#[test]
fn each_refusal_says_what_to_fix() {
    let f = Fixture::new("refusals");
    let production = f.build("production");
    let staging = f.build("staging");
    let cases: [(&str, &str, &Path, &str); 5] = [
        (
            "wrong-env.json",
            r#"{ "trusted_keys": ["$KEY"], "allowed_origins": ["http://127.0.0.1:*"], "environment": "staging" }"#,
            &production,
            "built for production but policy `environment` is staging",
        ),
        (
            "scope.json",
            r#"{ "trusted_keys": ["$KEY"], "allowed_origins": ["https://crm.acme.example"], "environment": "staging" }"#,
            &staging,
            "does not cover https://crm.acme.example",
        ),
        (
            "other-key.json",
            r#"{ "trusted_keys": ["8A5QbBvGDs8lbYCXEIcm23R22tlFsVBk+2yp1B9uoAM="], "allowed_origins": ["http://127.0.0.1:*"], "environment": "staging" }"#,
            &staging,
            "signed by",
        ),
        (
            "no-keys.json",
            r#"{ "allowed_origins": ["http://127.0.0.1:*"], "environment": "staging" }"#,
            &staging,
            "policy names no `trusted_keys`",
        ),
        (
            // Chromium drops trusted_keys of the wrong type: nothing is trusted.
            "dropped.json",
            r#"{ "_keys": ["trusted_keys"], "trusted_keys": "$KEY", "environment": "staging" }"#,
            &staging,
            "names no usable key",
        ),
    ];
    for (name, body, bundle, want) in cases {
        let o = f.verify(bundle, &f.policy(name, body), &[]);
        let t = text(&o);
        assert!(!o.status.success(), "{name}: {t}");
        assert!(t.contains(want), "{name}: wanted {want:?} in:\n{t}");
    }
    // The dropped key is named, as the browser's options page names it.
    let o = f.verify(
        &staging,
        &f.policy(
            "dropped.json",
            r#"{ "_keys": ["trusted_keys"], "trusted_keys": "$KEY", "environment": "staging" }"#,
        ),
        &[],
    );
    let t = text(&o);
    assert!(
        t.contains("dropped by Chromium: `trusted_keys` (trusted_keys must be array, not string)"),
        "{t}"
    );
    assert!(
        t.contains("not used: trusted_keys: was set but did not arrive"),
        "{t}"
    );
    // Rollback against a version in use.
    let o = f.verify(
        &staging,
        &f.policy(
            "ok.json",
            r#"{ "trusted_keys": ["$KEY"], "allowed_origins": ["http://127.0.0.1:*"], "environment": "staging" }"#,
        ),
        &["--in-use", "99999999999"],
    );
    assert!(text(&o).contains("older than"), "{}", text(&o));
}

#[test]
fn the_demo_key_vouches_only_for_the_packed_bundle() {
    let f = Fixture::new("demo");
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let demo_key =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension/keys/demo-signing-key.txt");
    let bundle = f.dir.join("demo.wmb");
    let o = waymark(&[
        "build",
        library.to_str().unwrap(),
        "--env",
        "production",
        "--out",
        bundle.to_str().unwrap(),
        "--sign-key",
        demo_key.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let none = f.policy("none.json", "{}");
    let o = f.verify(&bundle, &none, &["--built-in"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("signed by a demo key"), "{}", text(&o));
    let o = f.verify(&bundle, &none, &[]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("only vouches for the bundle packed in the extension"),
        "{}",
        text(&o)
    );
}
