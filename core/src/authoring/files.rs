//! The content folder on disk: which files are content, reading them
//! (size limit, UTF-8), loading a project, and TOML errors explained.

use super::*;

/// Largest content file we read: anything bigger is a mistake (a log file,
/// a video) and would only slow the build down.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// The shared synonym list's file name, in the content folder.
pub const SYNONYMS_FILE: &str = "synonyms.toml";

/// The content folder's settings.
pub const CONFIG_FILE: &str = "waymark.toml";

/// Reads every content file under `dir` (recursively, in path order).
/// Returns the library, or every diagnostic found.
pub fn load_dir(dir: &Path) -> Result<Library, Vec<Diagnostic>> {
    load_project(dir).map(|p| p.library)
}

/// Every content file under `dir`: `.toml` and `.md`, in path order.
pub fn content_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut files = Vec::new();
    if let Err(e) = collect(dir, &mut files) {
        return Err(Diagnostic::file(
            &dir.display().to_string(),
            format!("cannot read the content folder: {e}"),
            Some("pass the folder that holds your walkthrough .toml files".into()),
        ));
    }
    files.sort();
    Ok(files)
}

/// Reads and compiles a content folder, calling `progress` after each file.
pub fn load_project_with(
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Project, Vec<Diagnostic>> {
    let files = content_files(dir).map_err(|d| vec![d])?;
    let mut sources = Vec::new();
    let mut diags = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let name = f.display().to_string();
        match read_text(f) {
            Ok(text) => sources.push((name, text)),
            Err(d) => diags.push(d),
        }
        progress(i + 1, files.len());
    }
    match compile_project(&sources) {
        Ok(p) if diags.is_empty() => Ok(p),
        Ok(_) => Err(diags),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}

pub fn load_project(dir: &Path) -> Result<Project, Vec<Diagnostic>> {
    load_project_with(dir, &mut |_, _| {})
}

pub(super) fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            // `.waymark/` (schemas), editor and VCS folders.
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml" || e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a content file as UTF-8, refusing oversized files before reading.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let meta = fs::metadata(path)
        .map_err(|e| Diagnostic::file(&name, format!("cannot read: {e}"), None))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            &name,
            format!(
                "file is {} bytes; content files are at most {MAX_FILE_BYTES}",
                meta.len()
            ),
            Some("split it, or move large media out of the content folder".into()),
        ));
    }
    let bytes =
        fs::read(path).map_err(|e| Diagnostic::file(&name, format!("cannot read: {e}"), None))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        Diagnostic::at(
            &name,
            &valid,
            at..at,
            "file is not valid UTF-8",
            Some("save the file as UTF-8".into()),
        )
    })
}

pub(super) fn is_named(file: &str, name: &str) -> bool {
    Path::new(file).file_name().is_some_and(|n| n == name)
}

/// Turns serde/toml messages into author language with a hint.
pub(super) fn explain_toml_error(msg: &str) -> (String, Option<String>) {
    let msg = msg.trim().to_string();
    if msg.starts_with("unknown field") {
        let hint = "check the spelling; the fields are listed in the README's content reference"
            .to_string();
        return (msg, Some(hint));
    }
    if msg.starts_with("missing field") {
        return (
            msg,
            Some("add the field; see walkthroughs/library for complete examples".into()),
        );
    }
    (
        msg,
        Some("this is not valid TOML for a walkthrough; compare with walkthroughs/library".into()),
    )
}
