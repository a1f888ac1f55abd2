//! Installs what the build and tests need, pinned, so `cargo xtask test`
//! works on a fresh machine: the wasm32 target, wasm-bindgen-cli and
//! wasm-pack (cached under `target/tools`), the npm tools in `package.json`, and Debian's Chromium
//! with its driver and nginx.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run, Result};

/// Must equal the `wasm-bindgen` pin in the workspace Cargo.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// wasm-pack builds and tests the wasm crates with the two above.
pub const WASM_PACK_VERSION: &str = "0.15.0";
/// `cargo xtask fuzz` only: `--sanitizer none` runs on the stable toolchain.
pub const CARGO_FUZZ_VERSION: &str = "0.13.1";
/// The LRS the analytics e2e tests send to (PyPI, into a venv).
const RALPH_REQUIREMENTS: [&str; 2] = [
    "ralph-malph[backend-lrs,lrs,cli]==5.1.0",
    "requests==2.34.2",
];
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn ensure_all() -> Result {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_pack()?;
    ensure_npm()?;
    ensure_browser()?;
    ensure_ralph()
}

/// tests/e2e/lrs.mjs runs it from here.
fn ralph() -> PathBuf {
    tools_dir().join("ralph/bin/ralph")
}

/// Ralph, the xAPI LRS (openfun), in a venv under `target/tools/ralph`,
/// pinned; a stamp file names the version installed.
fn ensure_ralph() -> Result {
    let venv = tools_dir().join("ralph");
    let stamp = venv.join("waymark-stamp");
    let want = RALPH_REQUIREMENTS.join(" ");
    if ralph().exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    let make = || {
        run(Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv))
    };
    if make().is_err() {
        // Debian's python3 leaves ensurepip out of the base package.
        if !is_root() {
            return Err(
                "python3 cannot make a venv; run: sudo apt-get install -y python3-venv".into(),
            );
        }
        run(Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                "python3-venv",
                "python3-pip",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
        make()?;
    }
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "--disable-pip-version-check"])
        .args(RALPH_REQUIREMENTS))?;
    std::fs::write(&stamp, want).map_err(|e| format!("{}: {e}", stamp.display()))
}

fn tools_dir() -> PathBuf {
    root().join("target/tools")
}

pub fn wasm_bindgen() -> PathBuf {
    tools_dir().join("bin/wasm-bindgen")
}

pub fn wasm_bindgen_test_runner() -> PathBuf {
    tools_dir().join("bin/wasm-bindgen-test-runner")
}

/// `wasm-pack`, with the pinned wasm-bindgen and npm's wasm-opt first on
/// PATH: with `--mode no-install` it uses those and downloads nothing
/// (../shared/PLATFORM.md: no internet here).
pub fn wasm_pack() -> Command {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![tools_dir().join("bin"), root().join("node_modules/.bin")];
    dirs.extend(std::env::split_paths(&path));
    let mut cmd = Command::new(tools_dir().join("bin/wasm-pack"));
    if let Ok(joined) = std::env::join_paths(dirs) {
        cmd.env("PATH", joined);
    }
    cmd
}

pub fn wasm_opt() -> PathBuf {
    root().join("node_modules/.bin/wasm-opt")
}

pub fn esbuild() -> PathBuf {
    root().join("node_modules/.bin/esbuild")
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ensure_wasm_target() -> Result {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_wasm_bindgen() -> Result {
    let have = output(Command::new(wasm_bindgen()).arg("--version")).unwrap_or_default();
    if have.contains(WASM_BINDGEN_VERSION) && wasm_bindgen_test_runner().exists() {
        return Ok(());
    }
    eprintln!("xtask: installing wasm-bindgen-cli {WASM_BINDGEN_VERSION} into target/tools (a few minutes, once)");
    run(cargo()
        .args(["install", "--force", "--root"])
        .arg(tools_dir())
        .args(["wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION]))
}

fn ensure_wasm_pack() -> Result {
    let have = output(Command::new(tools_dir().join("bin/wasm-pack")).arg("--version"))
        .unwrap_or_default();
    if have.contains(WASM_PACK_VERSION) {
        return Ok(());
    }
    eprintln!(
        "xtask: installing wasm-pack {WASM_PACK_VERSION} into target/tools (a few minutes, once)"
    );
    run(cargo()
        .args(["install", "--force", "--locked", "--root"])
        .arg(tools_dir())
        .args(["wasm-pack", "--version", WASM_PACK_VERSION]))
}

/// Installed by `cargo xtask fuzz` only (`cargo xtask test` does not fuzz).
pub fn ensure_cargo_fuzz() -> Result<PathBuf> {
    let bin = tools_dir().join("bin/cargo-fuzz");
    let have = output(Command::new(&bin).args(["fuzz", "--version"])).unwrap_or_default();
    if have.contains(CARGO_FUZZ_VERSION) {
        return Ok(bin);
    }
    eprintln!(
        "xtask: installing cargo-fuzz {CARGO_FUZZ_VERSION} into target/tools (a few minutes, once)"
    );
    run(cargo()
        .args(["install", "--force", "--locked", "--root"])
        .arg(tools_dir())
        .args(["cargo-fuzz", "--version", CARGO_FUZZ_VERSION]))?;
    Ok(bin)
}

fn ensure_npm() -> Result {
    let stamp = root().join("node_modules/.package-lock.json");
    let lock = root().join("package-lock.json");
    if stamp.exists() && newer(&stamp, &lock) && wasm_opt().exists() && esbuild().exists() {
        return Ok(());
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}

fn newer(a: &Path, b: &Path) -> bool {
    let m = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    matches!((m(a), m(b)), (Some(x), Some(y)) if x >= y)
}

/// Installing Debian packages needs root (CI runs as root).
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0")
}

pub const NGINX: &str = "/usr/sbin/nginx";

/// Debian's Firefox ESR.
pub const FIREFOX: &str = "/usr/bin/firefox-esr";

/// Debian's Chromium and its driver (browser tests), Firefox ESR (its e2e)
/// and nginx (the static server `bench fleet` and its smoke run serve
/// bundles from, as an admin would), installed together when any is
/// missing.
fn ensure_browser() -> Result {
    let missing: Vec<&str> = [
        (CHROMIUM, "chromium"),
        (CHROMEDRIVER, "chromium-driver"),
        (NGINX, "nginx"),
        // The e2e scenarios run in Firefox too (tests/e2e/browsers.mjs), driven by
        // puppeteer-core (npm) over WebDriver BiDi: no driver binary.
        (FIREFOX, "firefox-esr"),
    ]
    .iter()
    .filter(|(path, _)| !Path::new(path).exists())
    .map(|&(_, package)| package)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "Debian packages are missing: {}; run: sudo apt-get update && sudo apt-get install -y {}",
            missing.join(", "),
            missing.join(" ")
        ));
    }
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
