//! `waymark report` end to end: a million statements through standard
//! input in bounded memory, the HTML joined with the sample library, an
//! LRS that pages with `more`, and lines that are not statements.
//! Figures are checked against `analytics::report::synthetic`, whose
//! counts are known by construction (and by hand in core's tests).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;
use waymark_core::analytics::report::synthetic;

fn waymark() -> Command {
    Command::new(env!("CARGO_BIN_EXE_waymark"))
}

fn library() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("library")
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("waymark-report-{}-{name}", std::process::id()))
}

fn jsonl(people: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for st in synthetic::statements(people) {
        serde_json::to_writer(&mut out, &st).unwrap();
        out.push(b'\n');
    }
    out
}

fn walk<'a>(f: &'a Value, id: &str) -> &'a Value {
    f["walkthroughs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .unwrap()
}

/// Peak resident memory of a finished child, in KiB (Linux `wait4`).
#[cfg(target_os = "linux")]
fn wait_with_peak(child: std::process::Child) -> (i32, i64) {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain syscall on our own child, with valid pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid);
    std::mem::forget(child);
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

#[cfg(target_os = "linux")]
#[test]
fn a_million_statements_stream_through_in_bounded_memory() {
    let mut people = 70_000;
    while synthetic::expected(people).statements < 1_000_000 {
        people += 100;
    }
    let e = synthetic::expected(people);
    let mut child = waymark()
        .args([
            "report",
            "--statements",
            "-",
            "--json",
            "--today",
            "2026-12-04",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut stdin);
        let mut bytes = 0usize;
        for st in synthetic::statements(people) {
            let line = serde_json::to_vec(&st).unwrap();
            bytes += line.len() + 1;
            w.write_all(&line).unwrap();
            w.write_all(b"\n").unwrap();
        }
        w.flush().unwrap();
        bytes
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let bytes = feeder.join().unwrap();
    let (code, peak_kib) = wait_with_peak(child);
    assert_eq!(code, 0);
    let f: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(f["statements"], e.statements);
    assert!(e.statements >= 1_000_000);
    let w = walk(&f, "create-deal");
    assert_eq!(w["launched"], e.launched);
    assert_eq!(w["completed"], e.completed);
    assert_eq!(w["abandoned"], e.abandoned);
    let save = w["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "save")
        .unwrap();
    assert_eq!(save["missing"], e.missing_save);
    assert_eq!(f["searches"]["total"], e.searches);
    assert_eq!(f["searches"]["zero"], e.zero);
    // People estimated within 5 %.
    let est = f["people"].as_f64().unwrap();
    assert!(
        (est / people as f64 - 1.0).abs() < 0.05,
        "{est} of {people}"
    );
    // The input is hundreds of megabytes; the report keeps counters only.
    eprintln!(
        "{} statements, {} MiB in, peak {} MiB resident",
        e.statements,
        bytes >> 20,
        peak_kib >> 10
    );
    assert!(bytes > 500 << 20, "{bytes}");
    assert!(peak_kib < 64 * 1024, "peak {peak_kib} KiB");
}

#[test]
fn the_html_report_joins_the_library_and_escapes_what_people_typed() {
    // 90 people: days 0-29 have 3 each; on days with p % 4 == 1 two of
    // the three miss "save" (p and p + 60), the third (p + 30) finds it.
    let mut lines = jsonl(90);
    let mut hostile = synthetic::person(0, 90).pop().unwrap();
    hostile.result.as_mut().unwrap().response = Some("<script>alert(1)</script>".into());
    lines.extend(serde_json::to_vec(&hostile).unwrap());
    lines.extend(b"\n");
    let input = temp("in.jsonl");
    std::fs::write(&input, &lines).unwrap();
    let html = temp("out.html");
    let out = waymark()
        .args(["report", "--statements"])
        .arg(&input)
        .arg("--content")
        .arg(library())
        .args(["--today", "2027-06-15", "--out"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("8 alerts"), "{stdout}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("<script"),
        "markup from a query reached the page"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("default-src 'none'"));
    // Titles and the funnel in the library's order, from the library.
    assert!(page.contains("Create a deal"), "no title from the library");
    assert!(page.contains("Steps that broke"));
    assert!(page.contains("<svg"));
    // create-deal is due 2027-05-31: stale on 2027-06-15, under sales-ops.
    assert!(page.contains("sales-ops"));

    let json = waymark()
        .args(["report", "--json", "--statements"])
        .arg(&input)
        .arg("--content")
        .arg(library())
        .args(["--today", "2027-06-15"])
        .output()
        .unwrap();
    let f: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(f["alerts"].as_array().unwrap().len(), 8);
    assert_eq!(f["alerts"][0]["day"], "2026-11-02");
    assert_eq!(
        f["alerts"][0]["step_title"].as_str().map(|s| !s.is_empty()),
        Some(true)
    );
    let steps: Vec<&str> = walk(&f, "create-deal")["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["open-form", "name", "amount", "stage", "save"]);
    let stale = f["stale"].as_array().unwrap();
    assert!(stale.iter().any(|o| o["owner"] == "sales-ops"));
    // Content nobody opened: the other two walkthroughs, say.
    let unused: Vec<&str> = f["unused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(unused.contains(&"declined-card"), "{unused:?}");
    assert!(!unused.contains(&"create-deal"));
    // To look at it: WAYMARK_KEEP_REPORT=/tmp/report.html cargo test -p waymark --test report
    if let Some(keep) = std::env::var_os("WAYMARK_KEEP_REPORT") {
        std::fs::copy(&html, keep).unwrap();
    }
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&html);
}

#[test]
fn lines_that_are_not_statements_are_named_and_skipped() {
    let mut lines = jsonl(2);
    lines.extend(b"{\"not\": \"a statement\"}\nnot json at all\n\n");
    let input = temp("bad.jsonl");
    std::fs::write(&input, &lines).unwrap();
    let out = waymark()
        .args(["report", "--json", "--statements"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let n = lines.iter().filter(|b| **b == b'\n').count();
    assert!(
        stderr.contains(&format!("bad.jsonl:{}: not an xAPI statement", n - 2)),
        "{stderr}"
    );
    let f: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(f["skipped"], 2);
    assert_eq!(f["statements"], synthetic::expected(2).statements);
    let _ = std::fs::remove_file(&input);
}

/// Serves `pages` in turn (each answer names the next with a relative
/// `more`), after checking the request carries the version header and
/// `auth`; answers 401 to anything else.
fn fake_lrs(
    pages: Vec<Vec<u8>>,
    auth: &'static str,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/xAPI", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut asked = Vec::new();
        let mut i = 0;
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                head.push(line.trim_end().to_string());
            }
            asked.push(head[0].clone());
            let has = |h: &str| head.iter().any(|l| l.eq_ignore_ascii_case(h));
            let ok =
                has(&format!("authorization: {auth}")) && has("x-experience-api-version: 1.0.3");
            let body: Vec<u8> = if !ok {
                b"{}".to_vec()
            } else {
                let mut page = serde_json::json!({ "statements": serde_json::from_slice::<Value>(&pages[i]).unwrap() });
                if i + 1 < pages.len() {
                    page["more"] = format!("/xAPI/statements?page={}", i + 1).into();
                }
                i += 1;
                serde_json::to_vec(&page).unwrap()
            };
            let status = if ok { "200 OK" } else { "401 Unauthorized" };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
            if !ok || i == pages.len() {
                break;
            }
        }
        asked
    });
    (base, handle)
}

#[test]
fn an_lrs_is_read_page_after_page() {
    let all: Vec<Value> = synthetic::statements(10)
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    let pages: Vec<Vec<u8>> = all
        .chunks(50)
        .map(|c| serde_json::to_vec(c).unwrap())
        .collect();
    let n = pages.len();
    assert!(n >= 3);
    let (base, lrs) = fake_lrs(pages, "Basic dXNlcjpwYXNz");
    let out = waymark()
        .args(["report", "--json", "--lrs", &base, "--since", "2026-11-01"])
        .env("WAYMARK_LRS_AUTH", "user:pass")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let asked = lrs.join().unwrap();
    assert_eq!(asked.len(), n);
    assert!(
        asked[0].starts_with(
            "GET /xAPI/statements?limit=500&ascending=true&since=2026-11-01T00:00:00Z "
        ),
        "{}",
        asked[0]
    );
    assert!(
        asked[1].starts_with("GET /xAPI/statements?page=1 "),
        "{}",
        asked[1]
    );
    let f: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(f["statements"], synthetic::expected(10).statements);

    // Wrong credentials: a message that says what to fix.
    let (base, lrs) = fake_lrs(vec![b"[]".to_vec()], "Basic dXNlcjpwYXNz");
    let out = waymark()
        .args(["report", "--json", "--lrs", &base, "--auth", "user:wrong"])
        .output()
        .unwrap();
    lrs.join().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("answered 401: check --auth"), "{stderr}");
}
