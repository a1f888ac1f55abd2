//! The Firefox build: `target/dist/firefox/` from the Chromium one, with
//! the manifest rewritten from the same source (Ruffle's way: one
//! manifest, rewritten per browser), and `target/dist/waymark.xpi`.
//!
//! ```text
//! extension/manifest.json ──dist (key)──────────▶ target/dist/chrome/manifest.json
//!                         └─firefox_manifest()──▶ target/dist/firefox/manifest.json
//! target/dist/chrome/* (code, wasm, bundle) ──copied──▶ target/dist/firefox/ ──zip──▶ waymark.xpi
//! ```
//!
//! What differs, and why (../shared/PLATFORM.md, "Firefox ESR"; measured
//! on firefox-esr 153):
//! - `background.service_worker` alone is refused: an event page
//!   (`background.scripts`, `type: module`) runs the same `sw.js`.
//! - `key` is Chromium's way to fix the id; Firefox takes
//!   `browser_specific_settings.gecko.id`.
//! - `storage.managed_schema`: Firefox needs no schema (and warns on it).
//! - `use_dynamic_url` does not exist (the frame's URL is per install:
//!   `moz-extension://<uuid>/`, and the frame token still guards it).
//! - `identity.email` and `getProfileUserInfo` do not exist: policy
//!   `user.from_profile` is Chromium only.
//! - `externally_connectable` is not supported (it allowed nothing anyway).
//! - `data_collection_permissions` (required by addons.mozilla.org and
//!   Firefox 140+): none is collected by Mozilla's definition; what an
//!   admin's policy sends to their own LRS is their data.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{root, Result};

/// The add-on id Firefox knows Waymark by (policies.json
/// `3rdparty.Extensions.<id>`, `ExtensionSettings.<id>`).
pub const GECKO_ID: &str = "waymark@waymark.dev";

/// Oldest Firefox the build is for: 142, the first (desktop and Android)
/// with `data_collection_permissions` (web-ext lint warns below it); the
/// ESR measured here is 153.
pub const MIN_VERSION: &str = "142.0";

pub fn dist_dir() -> PathBuf {
    root().join("target/dist/firefox")
}

pub fn xpi_path() -> PathBuf {
    root().join("target/dist/waymark.xpi")
}

/// The Firefox manifest from the source manifest (`extension/manifest.json`).
pub fn firefox_manifest(src: &serde_json::Value) -> Result<serde_json::Value> {
    let mut m = src.clone();
    let obj = m.as_object_mut().ok_or("manifest.json is not an object")?;
    for k in [
        "key",
        "minimum_chrome_version",
        "storage",
        "externally_connectable",
    ] {
        obj.remove(k);
    }
    let worker = obj
        .get("background")
        .and_then(|b| b.get("service_worker"))
        .and_then(|w| w.as_str())
        .ok_or("manifest.json has no background.service_worker")?
        .to_string();
    obj.insert(
        "background".into(),
        serde_json::json!({ "scripts": [worker], "type": "module" }),
    );
    if let Some(p) = obj.get_mut("permissions").and_then(|p| p.as_array_mut()) {
        p.retain(|x| !matches!(x.as_str(), Some("identity" | "identity.email")));
    }
    if let Some(w) = obj
        .get_mut("web_accessible_resources")
        .and_then(|w| w.as_array_mut())
    {
        for r in w.iter_mut().filter_map(|r| r.as_object_mut()) {
            r.remove("use_dynamic_url");
        }
    }
    obj.insert(
        "browser_specific_settings".into(),
        serde_json::json!({
            "gecko": {
                "id": GECKO_ID,
                "strict_min_version": MIN_VERSION,
                "data_collection_permissions": { "required": ["none"] }
            }
        }),
    );
    Ok(m)
}

/// Writes `target/dist/firefox/` from the Chromium build in `chrome`, and
/// the `.xpi` beside it.
pub fn write(chrome: &Path) -> Result<PathBuf> {
    let out = dist_dir();
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    copy_tree(chrome, &out)?;
    for chromium_only in ["managed_schema.json", "manifest.json"] {
        let _ = fs::remove_file(out.join(chromium_only));
    }
    // The content scripts again, with Firefox's branches.
    crate::dist::content_scripts(&out, crate::dist::Browser::Firefox)?;
    let src = root().join("extension/manifest.json");
    let text =
        fs::read_to_string(&src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", src.display()))?;
    let json =
        serde_json::to_string_pretty(&firefox_manifest(&manifest)?).map_err(|e| e.to_string())?;
    fs::write(out.join("manifest.json"), json + "\n").map_err(|e| e.to_string())?;
    let xpi = xpi_path();
    write_zip(&out, &xpi)?;
    eprintln!(
        "xtask: Firefox add-on {GECKO_ID} written to {} and {}",
        out.display(),
        xpi.display()
    );
    Ok(out)
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let dest = to.join(path.file_name().ok_or("a file without a name")?);
        if path.is_dir() {
            copy_tree(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Every file under `dir`, relative, `/`-separated, sorted (a stable
/// archive for the same input).
fn files(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) -> Result {
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            files(&path, base, out)?;
        } else {
            let rel = path
                .strip_prefix(base)
                .map_err(|e| e.to_string())?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    out.sort();
    Ok(())
}

/// A zip archive (deflate, no timestamps: 1980-01-01) of `dir`, as
/// Firefox reads an `.xpi`.
pub fn write_zip(dir: &Path, to: &Path) -> Result {
    let mut list = Vec::new();
    files(dir, dir, &mut list)?;
    let mut body: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    let n = u16::try_from(list.len()).map_err(|_| "too many files for a zip")?;
    for (name, path) in &list {
        let data = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut crc = flate2::Crc::new();
        crc.update(&data);
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&data).map_err(|e| e.to_string())?;
        let packed = enc.finish().map_err(|e| e.to_string())?;
        let size = |x: usize| u32::try_from(x).map_err(|_| format!("{name} is too big for a zip"));
        let (csize, usize_) = (size(packed.len())?, size(data.len())?);
        let offset = size(body.len())?;
        let fname = u16::try_from(name.len()).map_err(|_| "a file name too long")?;
        // Local file header.
        le32(&mut body, 0x0403_4b50);
        for x in [20u16, 0, 8, 0, 0x21] {
            le16(&mut body, x); // version, flags, deflate, time, date (1980-01-01)
        }
        le32(&mut body, crc.sum());
        le32(&mut body, csize);
        le32(&mut body, usize_);
        le16(&mut body, fname);
        le16(&mut body, 0);
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(&packed);
        // Central directory entry.
        le32(&mut central, 0x0201_4b50);
        for x in [20u16, 20, 0, 8, 0, 0x21] {
            le16(&mut central, x);
        }
        le32(&mut central, crc.sum());
        le32(&mut central, csize);
        le32(&mut central, usize_);
        le16(&mut central, fname);
        for x in [0u16, 0, 0, 0] {
            le16(&mut central, x); // extra, comment, disk, internal attributes
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(body.len()).map_err(|_| "the archive is too big")?;
    let cd_size = u32::try_from(central.len()).map_err(|_| "the archive is too big")?;
    body.extend_from_slice(&central);
    le32(&mut body, 0x0605_4b50);
    for x in [0u16, 0, n, n] {
        le16(&mut body, x);
    }
    le32(&mut body, cd_size);
    le32(&mut body, cd_offset);
    le16(&mut body, 0);
    fs::write(to, body).map_err(|e| format!("{}: {e}", to.display()))
}

/// The `web-ext lint` warnings the Firefox build is allowed, each
/// explained in docs/admin.md ("Firefox"): `(code, file, what it is)`.
const EXPLAINED: [(&str, &str, &str); 3] = [
    (
        "UNSUPPORTED_API",
        "sw.js",
        "identity.getProfileUserInfo, feature-detected: policy user.from_profile is Chromium only",
    ),
    (
        "UNSAFE_VAR_ASSIGNMENT",
        "wasm/waymark_overlay.js",
        "wasm-bindgen's binding for Element.innerHTML that yew links for raw HTML, which Waymark never uses",
    ),
    (
        "UNSAFE_VAR_ASSIGNMENT",
        "wasm/waymark_options.js",
        "the same binding in the options page's views",
    ),
];

/// `web-ext lint` (Mozilla's addons-linter, pinned in package.json) on
/// `target/dist/firefox/`: no errors, and no warning but the explained
/// ones. Also: no Waymark source asks yew or web-sys for raw HTML, which
/// is what keeps the `innerHTML` binding unused.
pub fn lint() -> Result {
    for dir in ["overlay/src", "options/src", "worker/src"] {
        let mut sources = Vec::new();
        files(&root().join(dir), &root().join(dir), &mut sources)?;
        for (name, path) in sources {
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            for raw in ["from_html_unchecked", "set_inner_html", "innerHTML"] {
                if text.contains(raw) {
                    return Err(format!(
                        "{dir}/{name} uses `{raw}`: author text is rendered node by node, never as HTML (docs/architecture.md)"
                    ));
                }
            }
        }
    }
    let out = std::process::Command::new(root().join("node_modules/.bin/web-ext"))
        .args(["lint", "--no-input", "--output", "json", "--source-dir"])
        .arg(dist_dir())
        .output()
        .map_err(|e| format!("cannot run web-ext (npm ci installs it): {e}"))?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "web-ext lint did not print JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let list = |k: &str| report[k].as_array().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    for m in list("errors") {
        problems.push(format!(
            "error {} in {}: {}",
            m["code"], m["file"], m["message"]
        ));
    }
    let warnings = list("warnings");
    for m in &warnings {
        let (code, file) = (
            m["code"].as_str().unwrap_or(""),
            m["file"].as_str().unwrap_or(""),
        );
        if !EXPLAINED.iter().any(|(c, f, _)| *c == code && *f == file) {
            problems.push(format!(
                "unexplained warning {code} in {file}: {}",
                m["message"]
            ));
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "web-ext lint on {}:\n  {}\n(fix it, or explain it in docs/admin.md and in firefox.rs EXPLAINED)",
            dist_dir().display(),
            problems.join("\n  ")
        ));
    }
    eprintln!(
        "xtask: web-ext lint: 0 errors, {} warnings, all explained (docs/admin.md, \"Firefox\")",
        warnings.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> serde_json::Value {
        let text = fs::read_to_string(root().join("extension/manifest.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_firefox_manifest_is_the_same_source_rewritten() {
        let src = source();
        let ff = firefox_manifest(&src).unwrap();
        assert_eq!(ff["background"]["scripts"][0], "sw.js");
        assert_eq!(ff["background"]["type"], "module");
        assert!(ff["background"].get("service_worker").is_none());
        assert_eq!(ff["browser_specific_settings"]["gecko"]["id"], GECKO_ID);
        assert!(ff.get("storage").is_none() && ff.get("key").is_none());
        assert!(ff["web_accessible_resources"][0]
            .get("use_dynamic_url")
            .is_none());
        let perms: Vec<&str> = ff["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        assert!(perms.contains(&"scripting") && !perms.contains(&"identity.email"));
        // Everything else is the source's, unchanged.
        for k in [
            "name",
            "version",
            "content_security_policy",
            "commands",
            "host_permissions",
        ] {
            assert_eq!(ff[k], src[k], "{k}");
        }
    }

    #[test]
    fn a_zip_that_unzip_reads_back() {
        let dir = std::env::temp_dir().join(format!("waymark-zip-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("a.txt"), "hello hello hello").unwrap();
        fs::write(dir.join("sub/b.bin"), [0u8, 1, 2, 255]).unwrap();
        let zip = dir.with_extension("zip");
        write_zip(&dir, &zip).unwrap();
        let bytes = fs::read(&zip).unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        // Python's zipfile (always on this machine kind) checks the CRCs.
        let out = std::process::Command::new("python3")
            .args(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(sorted(z.namelist())); print(z.read('a.txt').decode())"])
            .arg(&zip)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("['a.txt', 'sub/b.bin']") && text.contains("hello hello hello"),
            "{text}"
        );
        let _ = fs::remove_dir_all(&dir);
        let _ = fs::remove_file(&zip);
    }
}
