//! `waymark keygen`, `sign`, `verify`: Ed25519 keys as base64 text files.
//! The bundle module owns what a signature covers; this only moves keys
//! between files and the terminal.

use std::path::Path;
use std::process::ExitCode;

use waymark_core::bundle;

pub fn read_secret(path: &Path) -> Result<[u8; 32], String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the key {}: {e}", path.display()))?;
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("");
    bundle::decode_key(line).map_err(|e| {
        format!(
            "{}: not a secret key from `waymark keygen` ({e})",
            path.display()
        )
    })
}

pub fn keygen(out: &Path) -> ExitCode {
    if out.exists() {
        eprintln!(
            "error: {} exists; refusing to overwrite a key (delete it first if you mean to)",
            out.display()
        );
        return ExitCode::FAILURE;
    }
    let mut secret = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut secret) {
        eprintln!("error: no randomness from the operating system: {e}");
        return ExitCode::FAILURE;
    }
    let public = bundle::encode_key(&bundle::public_key(&secret));
    let text = format!(
        "# Waymark bundle signing key (Ed25519 secret). Keep it secret.\n# Public key, for policy `trusted_keys`: {public}\n{}\n",
        bundle::encode_key(&secret)
    );
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    if let Err(e) = write_private(out, &text) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!("secret key written to {}", out.display());
    println!("public key: {public}");
    ExitCode::SUCCESS
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

pub fn sign_file(path: &Path, key: &Path) -> ExitCode {
    let result = read_secret(key).and_then(|secret| {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let signed =
            bundle::sign(&bytes, &secret).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::write(path, signed)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(bundle::encode_key(&bundle::public_key(&secret)))
    });
    match result {
        Ok(public) => {
            println!("signed {} (public key {public})", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn verify_file(path: &Path, public_keys: &[String], in_use: Option<u64>) -> ExitCode {
    let mut keys = Vec::new();
    for k in public_keys {
        match bundle::decode_key(k) {
            Ok(key) => keys.push(key),
            Err(e) => {
                eprintln!("error: public key {k:?}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    // The same checks the extension makes: signature, then the manifest.
    let now = crate::author::now_unix();
    let checked = bundle::read_trusted(&bytes, &keys)
        .and_then(|b| bundle::check_manifest(&b.manifest, now, in_use).map(|()| b));
    match checked {
        Ok(b) => {
            let m = &b.manifest;
            println!(
                "ok: {} verifies ({} walkthroughs, {} articles; bundle version {}, {}, expires {}, scope {})",
                path.display(),
                b.library.walkthroughs.len(),
                b.library.articles.len(),
                m.bundle_version,
                m.env.as_str(),
                bundle::Manifest::expiry_date(m),
                m.scope.join(" ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
