//! `waymark`: the command line for content authors and admins.
//!
//! This file owns argument parsing and terminal output only. Parsing content,
//! checking it and writing bundles are `waymark_core`'s job (`source`,
//! `bundle`), so the extension and the CLI can never disagree on a format.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod author;
mod bench;
mod check;
mod import;
mod keys;
mod recording;
mod report;
mod verify;

use clap::{Parser, Subcommand};
use waymark_core::authoring as source;
use waymark_core::bundle;
use waymark_core::content::{Date, Env};
use waymark_core::search::{SearchIndex, SearchOptions};

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
    /// Start a new content folder with commented examples, JSON Schemas and
    /// editor settings.
    ///
    /// Example: waymark init help-content
    Init { dir: PathBuf },
    /// Check a content folder and report every problem at once (exit 1).
    ///
    /// Example: waymark validate walkthroughs/library
    Validate {
        /// The content folder.
        #[arg(default_value = "walkthroughs/library")]
        content: PathBuf,
    },
    /// Compile a content folder into one bundle file with a manifest.
    ///
    /// Example: waymark build walkthroughs/library --env production --out content.wmb --sign-key ~/.waymark/signing-key
    Build {
        /// The content folder.
        #[arg(default_value = "walkthroughs/library")]
        content: PathBuf,
        /// Which statuses ship: staging takes draft, in_review and approved;
        /// production only approved. Retired content never ships.
        #[arg(long, value_parser = ["staging", "production"])]
        env: String,
        /// Where to write the bundle.
        #[arg(short, long, default_value = "content.wmb")]
        out: PathBuf,
        /// Sign the bundle with this secret key (from `waymark keygen`).
        #[arg(long)]
        sign_key: Option<PathBuf>,
        /// The manifest's bundle version; must grow with every release
        /// (default: the build time in seconds, which does).
        #[arg(long)]
        bundle_version: Option<u64>,
    },
    /// List content past its review date, grouped by owner; flags content
    /// two review cycles overdue.
    ///
    /// Example: waymark stale walkthroughs/library --today 2027-03-01
    Stale {
        #[arg(default_value = "walkthroughs/library")]
        content: PathBuf,
        /// The date to judge by (default: today, UTC).
        #[arg(long)]
        today: Option<String>,
    },
    /// What was added, changed or retired between two bundles.
    ///
    /// Example: waymark diff last-release.wmb content.wmb
    Diff { old: PathBuf, new: PathBuf },
    /// Rewrite content files in the canonical layout.
    ///
    /// Example: waymark fmt walkthroughs/library --check
    Fmt {
        #[arg(default_value = "walkthroughs/library")]
        content: PathBuf,
        /// Change nothing; list files that would change and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
    /// Write the JSON Schemas for content files (for editors and CI).
    ///
    /// Example: waymark schema --out walkthroughs/schema
    Schema {
        #[arg(long, default_value = ".waymark")]
        out: PathBuf,
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
    /// Check a bundle's signature against public keys (base64, as in
    /// policy), or run every check a browser under an admin policy file
    /// runs before using it (signature by `trusted_keys`, expiry,
    /// environment, scope covering `allowed_origins`).
    ///
    /// Examples: waymark verify content.wmb --public-key lYv...=
    ///           waymark verify content.wmb --policy /etc/chromium/policies/managed/waymark.json
    Verify {
        bundle: PathBuf,
        #[arg(long = "public-key", required_unless_present = "policy")]
        public_keys: Vec<String>,
        /// An admin policy: the extension's policy object, a Chromium policy
        /// file (3rdparty.extensions.<id>) or a Firefox policies.json.
        #[arg(long, conflicts_with = "public_keys")]
        policy: Option<PathBuf>,
        /// With --policy: which extension's entry, when the file names several.
        #[arg(long, requires = "policy")]
        extension_id: Option<String>,
        /// With --policy: check it as the bundle packed in the extension
        /// (not downloaded from bundle_url).
        #[arg(long, requires = "policy")]
        built_in: bool,
        /// Also refuse a bundle older than this bundle version (rollback).
        #[arg(long)]
        in_use: Option<u64>,
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
    /// Example: waymark import-articles kb-export.jsonl --owner it-service-desk --out walkthroughs/library/kb
    ImportArticles {
        file: PathBuf,
        /// Folder to write the article .md files into.
        #[arg(long, default_value = "imported")]
        out: PathBuf,
        /// Moment for imported articles.
        #[arg(long, default_value = "more")]
        moment: String,
        /// The team that owns the imported articles.
        #[arg(long)]
        owner: String,
        /// Their first review date (required for apply and solve).
        #[arg(long)]
        review_by: Option<String>,
        /// Stop at the first bad line instead of reporting it and going on.
        #[arg(long)]
        strict: bool,
    },
    /// Turn a Chrome DevTools Recorder recording, or Shepherd.js or driver.js
    /// tour steps (JSON), into a draft walkthrough file; every selector or
    /// step left out is named with the reason.
    ///
    /// Example: waymark import create-deal.json --owner sales-ops --out walkthroughs/library
    Import {
        file: PathBuf,
        /// The file's format (default: recognised from its shape).
        #[arg(long, value_parser = ["devtools", "shepherd", "driver"])]
        from: Option<String>,
        /// The team that owns the walkthrough.
        #[arg(long)]
        owner: String,
        /// Its first review date (default: in 90 days).
        #[arg(long)]
        review_by: Option<String>,
        /// Its id (default: from the recording's title).
        #[arg(long)]
        id: Option<String>,
        /// The content folder to write `<id>.toml` into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Write a walkthrough as a Chrome DevTools Recorder recording (JSON on
    /// standard output), to replay it with @puppeteer/replay as a smoke test.
    ///
    /// Example: waymark export --devtools --id create-deal --url https://crm.acme.example walkthroughs/library > create-deal.json
    Export {
        /// The content folder or a built bundle.
        content: PathBuf,
        /// The walkthrough.
        #[arg(long)]
        id: String,
        /// The app's address the recording opens.
        #[arg(long)]
        url: String,
        /// DevTools Recorder JSON (the only export format).
        #[arg(long, required = true)]
        devtools: bool,
    },
    /// Play every walkthrough against the running app in headless Chromium
    /// and report, step by step, whether its target is found by its first
    /// alternative, only by a fallback (promote it), ambiguously, or not at
    /// all. Clicks targets and fills fields as an employee would; stops
    /// where a step needs a value it cannot know. Exit 1 when a step is
    /// missing or ambiguous (with --strict also on fallbacks), 2 when the
    /// check could not run.
    ///
    /// Example: waymark check --url https://crm.acme.example/ --bundle content.wmb
    #[command(group(clap::ArgGroup::new("source").required(true).args(["bundle", "content"])))]
    Check {
        /// The app's address; each walkthrough starts on its first
        /// `applies_to` screen there (or here, if this is one).
        #[arg(long)]
        url: String,
        /// A built bundle.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// A content folder (drafts included).
        #[arg(long)]
        content: Option<PathBuf>,
        /// Only this walkthrough (repeat for more; default: all).
        #[arg(long = "walkthrough")]
        walkthroughs: Vec<String>,
        /// What to enter in a step's field: STEP=VALUE or
        /// WALKTHROUGH/STEP=VALUE (repeat). Without one, a field gets a
        /// value its type accepts, or the value its rule names.
        #[arg(long = "value")]
        values: Vec<String>,
        /// Seconds to look for each target (default: the step's timeout).
        #[arg(long)]
        timeout: Option<f64>,
        /// The built extension folder (its checker.js finds targets with
        /// the agent's own code).
        #[arg(long, env = "WAYMARK_EXTENSION", default_value = "target/dist/chrome")]
        extension: PathBuf,
        /// The Chromium to drive.
        #[arg(long, env = "WAYMARK_CHROMIUM", default_value = "/usr/bin/chromium")]
        browser: PathBuf,
        /// Its chromedriver.
        #[arg(long, env = "WAYMARK_CHROMEDRIVER", default_value = "chromedriver")]
        driver: PathBuf,
        /// Write the report as JSON.
        #[arg(long)]
        json: bool,
        /// Fail (exit 1) on fallbacks and steps not reached too.
        #[arg(long)]
        strict: bool,
    },
    /// What employees did with the content, from xAPI statements: writes a
    /// static HTML dashboard (launches and completions over time, drop-off
    /// per step, steps whose target broke, searches that found nothing,
    /// check pass rates per version, stale content by owner), or the same
    /// figures as JSON. Streams: any number of statements in little memory.
    ///
    /// Examples: waymark report --statements statements.jsonl --content walkthroughs/library
    ///           WAYMARK_LRS_AUTH=user:password waymark report --lrs https://lrs.example/xAPI/ --since 2026-11-01 --json
    #[command(group(clap::ArgGroup::new("from").required(true).args(["statements", "lrs"])))]
    Report {
        /// Statements as JSON lines (an LRS export; `-` reads standard input).
        #[arg(long)]
        statements: Option<PathBuf>,
        /// An xAPI LRS to read from: its base, the address before
        /// `/statements` (as policy `analytics.endpoint`).
        #[arg(long)]
        lrs: Option<String>,
        /// The LRS's Authorization header value (`Basic …`) or
        /// user:password.
        #[arg(long, env = "WAYMARK_LRS_AUTH", hide_env_values = true)]
        auth: Option<String>,
        /// The content folder or a built bundle: titles, step order, owners
        /// and review dates.
        #[arg(long)]
        content: Option<PathBuf>,
        /// Only statements from this day on (YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// Only statements up to this day, inclusive.
        #[arg(long)]
        until: Option<String>,
        /// Only statements from bundles built for this environment.
        #[arg(long, value_parser = ["staging", "production"])]
        env: Option<String>,
        /// The day content is judged stale on (default: today, UTC).
        #[arg(long)]
        today: Option<String>,
        /// Write the figures as JSON (to standard output unless --out).
        #[arg(long)]
        json: bool,
        /// Where to write (default: report.html; with --json, standard output).
        #[arg(short, long)]
        out: Option<PathBuf>,
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
    // `waymark stale | head` must end quietly when the reader goes away, as
    // Unix tools do, instead of panicking on a closed stdout.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any
    // other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir } => author::init(&dir),
        Command::Validate { content } => match source::load_project(&content) {
            Ok(p) => {
                let lib = &p.library;
                let steps: usize = lib.walkthroughs.iter().map(|w| w.steps.len()).sum();
                println!(
                    "ok: {} walkthroughs, {steps} steps, {} articles",
                    lib.walkthroughs.len(),
                    lib.articles.len()
                );
                let today = Date::from_unix(author::now_unix());
                print!("{}", author::summary(lib, &p.config, today, &[], None));
                ExitCode::SUCCESS
            }
            Err(diags) => report(&diags, "nothing was written"),
        },
        Command::Build {
            content,
            env,
            out,
            sign_key,
            bundle_version,
        } => {
            let env = Env::parse(&env).unwrap_or(Env::Staging);
            build(&content, env, &out, sign_key.as_deref(), bundle_version)
        }
        Command::Stale { content, today } => {
            let today = match today.as_deref().map(author::parse_date) {
                None => Date::from_unix(author::now_unix()),
                Some(Ok(d)) => d,
                Some(Err(e)) => {
                    eprintln!("error: --today {e}");
                    return ExitCode::FAILURE;
                }
            };
            match source::load_project(&content) {
                Ok(p) => author::stale(&p, today),
                Err(diags) => report(&diags, "fix them first: `waymark validate`"),
            }
        }
        Command::Diff { old, new } => author::diff(&old, &new),
        Command::Fmt { content, check } => author::fmt(&content, check),
        Command::Schema { out } => match author::write_schemas(&out) {
            Ok(paths) => {
                for p in paths {
                    println!("wrote {}", p.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Keygen { out } => keys::keygen(&out),
        Command::Sign { bundle: path, key } => keys::sign_file(&path, &key),
        Command::Verify {
            bundle: path,
            public_keys,
            policy,
            extension_id,
            built_in,
            in_use,
        } => match policy {
            Some(policy) => verify::verify_with_policy(&verify::Options {
                policy: &policy,
                bundle: &path,
                extension_id: extension_id.as_deref(),
                in_use,
                built_in,
            }),
            None => keys::verify_file(&path, &public_keys, in_use),
        },
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
            owner,
            review_by,
            strict,
        } => import::import_articles(
            &file,
            &out,
            &moment,
            &import::Governance {
                owner: &owner,
                review_by: review_by.as_deref(),
            },
            strict,
        ),
        Command::Import {
            file,
            from,
            owner,
            review_by,
            id,
            out,
        } => {
            let review_by = match review_by.as_deref().map(author::parse_date) {
                None => Date(Date::from_unix(author::now_unix()).0 + 90),
                Some(Ok(d)) => d,
                Some(Err(e)) => {
                    eprintln!("error: --review-by {e}");
                    return ExitCode::FAILURE;
                }
            };
            recording::import(
                &file,
                from.as_deref().and_then(recording::Format::parse),
                &out,
                &recording::Import {
                    id: id.as_deref(),
                    owner: &owner,
                    review_by,
                },
            )
        }
        Command::Check {
            url,
            bundle,
            content,
            walkthroughs,
            values,
            timeout,
            extension,
            browser,
            driver,
            json,
            strict,
        } => {
            let Some(path) = bundle.or(content) else {
                return ExitCode::from(2);
            };
            let library = match load_library(&path) {
                Ok(l) => l,
                Err(code) => return code,
            };
            check::run(&check::Options {
                url,
                library,
                walkthroughs,
                values,
                extension,
                browser,
                driver,
                timeout: timeout
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .map(std::time::Duration::from_secs_f64),
                json,
                strict,
            })
        }
        Command::Export {
            content,
            id,
            url,
            devtools: _,
        } => {
            let library = match load_library(&content) {
                Ok(l) => l,
                Err(code) => return code,
            };
            let Some(w) = library.walkthrough(&id) else {
                let ids: Vec<&str> = library.walkthroughs.iter().map(|w| w.id.as_str()).collect();
                eprintln!(
                    "error: no walkthrough `{id}` in {}; it has: {}",
                    content.display(),
                    ids.join(", ")
                );
                return ExitCode::FAILURE;
            };
            match serde_json::to_string_pretty(&recording::to_devtools(w, &url)) {
                Ok(j) => {
                    println!("{j}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Report {
            statements,
            lrs,
            auth,
            content,
            since,
            until,
            env,
            today,
            json,
            out,
        } => {
            let date = |flag: &str, v: Option<String>| match v.as_deref().map(author::parse_date) {
                None => Ok(None),
                Some(Ok(d)) => Ok(Some(d)),
                Some(Err(e)) => {
                    eprintln!("error: --{flag} {e}");
                    Err(ExitCode::FAILURE)
                }
            };
            let (since, until, today) = match (
                date("since", since),
                date("until", until),
                date("today", today),
            ) {
                (Ok(a), Ok(b), Ok(c)) => (a, b, c),
                _ => return ExitCode::FAILURE,
            };
            let source = match (statements, lrs) {
                (Some(path), _) => report::Source::File(path),
                (None, Some(base)) => report::Source::Lrs { base, auth },
                (None, None) => return ExitCode::FAILURE,
            };
            report::run(&report::Options {
                source,
                content,
                filter: waymark_core::analytics::report::Filter {
                    since,
                    until,
                    environment: env,
                },
                today: today.unwrap_or_else(|| Date::from_unix(author::now_unix())),
                json,
                out,
            })
        }
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

fn report(diags: &[waymark_core::authoring::Diagnostic], tail: &str) -> ExitCode {
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

fn build(
    content: &Path,
    env: Env,
    out: &Path,
    sign_key: Option<&Path>,
    bundle_version: Option<u64>,
) -> ExitCode {
    let bar = progress_bar();
    let loaded = source::load_project_with(content, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    let project = match loaded {
        Ok(p) => p,
        Err(diags) => {
            bar.finish_and_clear();
            return report(&diags, "no bundle written");
        }
    };
    if project.config.scope.is_empty() {
        bar.finish_and_clear();
        eprintln!(
            "error: {}: the bundle has no scope, so the extension would act nowhere; add `[bundle] scope = [\"https://your-app.example\"]` to {}",
            content.join(source::CONFIG_FILE).display(),
            source::CONFIG_FILE
        );
        return ExitCode::FAILURE;
    }
    bar.set_message("indexing");
    let (lib, left_out) = project.library.for_env(env);
    let now = author::now_unix();
    let manifest = bundle::Manifest::describe(
        &lib,
        bundle_version.unwrap_or(now.max(0) as u64),
        now,
        now + i64::from(project.config.expires_after_days) * 86_400,
        env,
        project.config.scope.clone(),
    );
    let bytes = match bundle::write_with(&lib, &manifest) {
        Ok(b) => b,
        Err(e) => {
            bar.finish_and_clear();
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    bar.finish_and_clear();
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
        "built {} for {}: {} walkthroughs, {steps} steps, {} articles, {} bytes (format v{}, bundle version {}, expires {}, {})",
        out.display(),
        env.as_str(),
        lib.walkthroughs.len(),
        lib.articles.len(),
        bytes.len(),
        bundle::FORMAT_VERSION,
        manifest.bundle_version,
        Date::from_unix(manifest.expires),
        if sign_key.is_some() { "signed" } else { "unsigned: sign it before shipping" }
    );
    print!(
        "{}",
        author::summary(
            &lib,
            &project.config,
            Date::from_unix(now),
            &left_out,
            Some(env)
        )
    );
    ExitCode::SUCCESS
}

/// A progress bar on stderr; hidden when stderr is not a terminal (CI,
/// tests), so logs stay clean.
fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// A content folder (`waymark.toml` and sources) or a built bundle.
fn load_library(path: &Path) -> Result<waymark_core::content::Library, ExitCode> {
    if path.is_dir() {
        return source::load_project(path)
            .map(|p| p.library)
            .map_err(|d| report(&d, "fix them first: `waymark validate`"));
    }
    read_bundle(path).map(|(b, _)| b.library)
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
            let m = &b.manifest;
            println!(
                "  manifest: bundle version {}, {}, created {}, expires {}, scope {}",
                m.bundle_version,
                m.env.as_str(),
                Date::from_unix(m.created),
                Date::from_unix(m.expires),
                m.scope.join(" ")
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
