//! `waymark`: the command line for content authors and admins.
//!
//! This file owns argument parsing and terminal output only. Parsing content,
//! checking it and writing bundles are `waymark_core`'s job (`source`,
//! `bundle`), so the extension and the CLI can never disagree on a format.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod import;
mod keys;

use clap::{Parser, Subcommand};
use waymark_core::search::{SearchIndex, SearchOptions};
use waymark_core::{bundle, source};

#[derive(Parser)]
#[command(
    name = "waymark",
    version,
    about = "Build and check Waymark content bundles."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a content folder and report every problem at once.
    ///
    /// Example: waymark validate walkthroughs/library
    Validate {
        /// Folder of walkthrough .toml files.
        #[arg(default_value = "walkthroughs/library")]
        content: PathBuf,
    },
    /// Compile a content folder into one bundle file.
    ///
    /// Example: waymark build walkthroughs/library --out target/content.wmb
    Build {
        /// Folder of walkthrough .toml files.
        #[arg(default_value = "walkthroughs/library")]
        content: PathBuf,
        /// Where to write the bundle.
        #[arg(short, long, default_value = "content.wmb")]
        out: PathBuf,
        /// Sign the bundle with this secret key (from `waymark keygen`).
        #[arg(long)]
        sign_key: Option<PathBuf>,
    },
    /// Make a new Ed25519 signing key: the secret goes to FILE (keep it out
    /// of the content repository), the public key is printed for policy.
    ///
    /// Example: waymark keygen --out ~/.waymark/signing-key
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a bundle in place with a secret key from `waymark keygen`.
    ///
    /// Example: waymark sign content.wmb --key ~/.waymark/signing-key
    Sign {
        bundle: PathBuf,
        #[arg(long)]
        key: PathBuf,
    },
    /// Check a bundle's signature against public keys (base64, as in policy).
    ///
    /// Example: waymark verify content.wmb --public-key lYv...=
    Verify {
        bundle: PathBuf,
        #[arg(long = "public-key", required = true)]
        public_keys: Vec<String>,
    },
    /// Print what a bundle holds.
    ///
    /// Example: waymark inspect target/content.wmb
    Inspect { bundle: PathBuf },
    /// Search a bundle as the help panel does; prints ranked results with scores.
    ///
    /// Example: waymark search --bundle content.wmb "refund partial ordr"
    Search {
        #[arg(long)]
        bundle: PathBuf,
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Turn a knowledge-base export (JSONL of id, title, body, tags) into
    /// article files, so it becomes searchable content.
    ///
    /// Example: waymark import-articles kb-export.jsonl --out walkthroughs/library/kb
    ImportArticles {
        file: PathBuf,
        /// Folder to write the article .md files into.
        #[arg(long, default_value = "imported")]
        out: PathBuf,
        /// Moment for imported articles.
        #[arg(long, default_value = "more")]
        moment: String,
        /// Stop at the first bad line instead of reporting it and going on.
        #[arg(long)]
        strict: bool,
    },
    /// Measure search quality and speed on a JSONL corpus; prints one JSON line.
    ///
    /// Example: waymark bench-search --corpus ../shared/corpora/manpages.jsonl --queries ../shared/corpora/queries-public.jsonl
    BenchSearch {
        /// Lines of {"id", "title", "body", "tags"}.
        #[arg(long)]
        corpus: PathBuf,
        /// Lines of {"q", "expect": [ids]}.
        #[arg(long)]
        queries: PathBuf,
        /// Also print every query whose expected document is not first.
        #[arg(long)]
        misses: bool,
        /// Also write the built index to this file (for the wasm benchmark).
        #[arg(long)]
        write_index: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { content } => match source::load_dir(&content) {
            Ok(lib) => {
                let steps: usize = lib.walkthroughs.iter().map(|w| w.steps.len()).sum();
                println!(
                    "ok: {} walkthroughs, {steps} steps, {} articles",
                    lib.walkthroughs.len(),
                    lib.articles.len()
                );
                ExitCode::SUCCESS
            }
            Err(diags) => report(&diags, "no problems were fixed; nothing was written"),
        },
        Command::Build {
            content,
            out,
            sign_key,
        } => build(&content, &out, sign_key.as_deref()),
        Command::Keygen { out } => keys::keygen(&out),
        Command::Sign { bundle: path, key } => keys::sign_file(&path, &key),
        Command::Verify {
            bundle: path,
            public_keys,
        } => keys::verify_file(&path, &public_keys),
        Command::Inspect { bundle: path } => inspect(&path),
        Command::Search {
            bundle: path,
            query,
            limit,
        } => search(&path, &query, limit),
        Command::ImportArticles {
            file,
            out,
            moment,
            strict,
        } => import::import_articles(&file, &out, &moment, strict),
        Command::BenchSearch {
            corpus,
            queries,
            misses,
            write_index,
        } => match bench::bench_search(&corpus, &queries, misses, write_index.as_deref()) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn report(diags: &[waymark_core::diagnostics::Diagnostic], tail: &str) -> ExitCode {
    for d in diags {
        eprintln!("{d}");
    }
    let n = diags.len();
    eprintln!(
        "error: {n} problem{} found; {tail}",
        if n == 1 { "" } else { "s" }
    );
    ExitCode::FAILURE
}

fn build(content: &Path, out: &Path, sign_key: Option<&Path>) -> ExitCode {
    let lib = match source::load_dir(content) {
        Ok(lib) => lib,
        Err(diags) => return report(&diags, "no bundle written"),
    };
    let bytes = match bundle::write(&lib) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = match sign_key {
        None => bytes,
        Some(key) => match keys::read_secret(key)
            .and_then(|k| bundle::sign(&bytes, &k).map_err(|e| e.to_string()))
        {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    // Write beside the target and rename, so a failed write never leaves a
    // half bundle where the old one was.
    let tmp = out.with_extension("wmb.tmp");
    let written = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(&tmp, &bytes))
        .and_then(|_| std::fs::rename(&tmp, out));
    if let Err(e) = written {
        eprintln!("error: cannot write {}: {e}", out.display());
        let _ = std::fs::remove_file(&tmp);
        return ExitCode::FAILURE;
    }
    let steps: usize = lib.walkthroughs.iter().map(|w| w.steps.len()).sum();
    println!(
        "built {}: {} walkthroughs, {steps} steps, {} articles, {} bytes (format v{})",
        out.display(),
        lib.walkthroughs.len(),
        lib.articles.len(),
        bytes.len(),
        bundle::FORMAT_VERSION
    );
    ExitCode::SUCCESS
}

fn read_bundle(path: &Path) -> Result<(bundle::Bundle, usize), ExitCode> {
    let bytes = std::fs::read(path).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        ExitCode::FAILURE
    })?;
    bundle::read_unverified(&bytes)
        .map(|b| (b, bytes.len()))
        .map_err(|e| {
            eprintln!("error: {}: {e}", path.display());
            ExitCode::FAILURE
        })
}

fn search(path: &Path, query: &str, limit: usize) -> ExitCode {
    let (b, _) = match read_bundle(path) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let index = match SearchIndex::open(&b.search[..]) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let hits = index.search(
        query,
        &SearchOptions {
            limit,
            ..Default::default()
        },
    );
    if hits.is_empty() {
        println!("no results for {query:?}");
    }
    for (i, h) in hits.iter().enumerate() {
        if let Some(d) = index.doc(h.doc) {
            println!(
                "{:>2}. {:>7.3}  {:<11} {:<28} {}   [{}]",
                i + 1,
                h.score,
                d.kind,
                d.id,
                d.title,
                h.matched.join(" ")
            );
        }
    }
    ExitCode::SUCCESS
}

fn inspect(path: &Path) -> ExitCode {
    match read_bundle(path) {
        Ok((b, len)) => {
            let lib = b.library;
            println!(
                "{}: format v{}, {} bytes (search index {} bytes), {}",
                path.display(),
                bundle::FORMAT_VERSION,
                len,
                b.search.len(),
                match b.signer {
                    Some(hint) => format!("signed by a key starting {}", bundle::encode_key(&hint)),
                    None => "unsigned".to_string(),
                }
            );
            for a in &lib.articles {
                println!(
                    "  {:<28} {:<6} article  v{}  {}",
                    a.id,
                    a.moment.as_str(),
                    a.version,
                    a.title
                );
            }
            for w in &lib.walkthroughs {
                println!(
                    "  {:<28} {:<6} {} steps  v{}  {}",
                    w.id,
                    w.moment.as_str(),
                    w.steps.len(),
                    w.version,
                    w.title
                );
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
