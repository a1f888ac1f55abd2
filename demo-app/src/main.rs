//! Acme Suite: a fake third-party web app (CRM / point of sale / HR) that
//! Waymark's end-to-end tests guide users through.
//!
//! This crate deliberately shares no code with Waymark: it stands in for "some
//! SaaS app the customer already uses". It is a tiny std-only HTTP/1.1 server
//! that serves a vanilla-JS single-page app embedded in the binary.
//!
//! ```text
//! demo-app [--port N] [--csp strict|off] [--release current|next] [--exit-on-stdin-eof]
//! ```
//!
//! After binding (127.0.0.1 only) it prints exactly one line,
//! `listening on http://127.0.0.1:PORT`, to stdout.

use std::io::{self, BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

/// The Content-Security-Policy sent on every HTML response with `--csp strict`.
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
frame-src 'self'; object-src 'none'; require-trusted-types-for 'script'";

/// Where the single-page app lives; `/` redirects here.
const HOME: &str = "/crm/deals";

const INDEX_HTML: &[u8] = include_bytes!("../static/index.html");

const APP_JS: &[u8] = include_bytes!("../static/app.js");

/// Every file the server can serve, by URL path. To add a fixture, drop the
/// file in `static/fixtures/` and add one line here.
const ASSETS: &[(&str, &[u8])] = &[
    ("/index.html", INDEX_HTML),
    ("/app.js", APP_JS),
    ("/app.css", include_bytes!("../static/app.css")),
    ("/favicon.svg", include_bytes!("../static/favicon.svg")),
    (
        "/fixtures/blank.html",
        include_bytes!("../static/fixtures/blank.html"),
    ),
    (
        "/fixtures/bench.html",
        include_bytes!("../static/fixtures/bench.html"),
    ),
    (
        "/fixtures/bench.js",
        include_bytes!("../static/fixtures/bench.js"),
    ),
    (
        "/fixtures/chaos.html",
        include_bytes!("../static/fixtures/chaos.html"),
    ),
    (
        "/fixtures/chaos.js",
        include_bytes!("../static/fixtures/chaos.js"),
    ),
    (
        "/fixtures/chaos.css",
        include_bytes!("../static/fixtures/chaos.css"),
    ),
    (
        "/fixtures/frame.html",
        include_bytes!("../static/fixtures/frame.html"),
    ),
];

/// Which release of the app to serve. `next` stands for the host app's
/// next release, the one that breaks guidance: the deal list's **New deal**
/// button gets another test id (its name stays, so a fallback still finds
/// it) and the form's **Save deal** button another test id and text (no
/// alternative of the sample walkthrough finds it). `waymark check` is
/// tested against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    Current,
    Next,
}

/// What `--release next` changes in `app.js`: each pair is found exactly
/// once (a unit test says so, so an edit of app.js cannot silently undo it).
pub const NEXT_RELEASE: &[(&str, &str)] = &[
    ("'data-testid': 'new-deal'", "'data-testid': 'deal-create'"),
    (
        "'data-testid': 'save-deal', text: 'Save deal'",
        "'data-testid': 'deal-submit', text: 'Create deal'",
    ),
];

impl Release {
    /// The route as this release serves it.
    pub fn apply(self, route: Route) -> Route {
        static NEXT_APP_JS: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        match (self, &route) {
            (Release::Next, Route::Asset { body, .. }) if std::ptr::eq(*body, APP_JS) => {
                let next = NEXT_APP_JS.get_or_init(|| {
                    let mut js = String::from_utf8_lossy(APP_JS).into_owned();
                    for (from, to) in NEXT_RELEASE {
                        js = js.replacen(from, to, 1);
                    }
                    js.into_bytes()
                });
                Route::Asset {
                    content_type: content_type_for("/app.js"),
                    body: next.as_slice(),
                }
            }
            _ => route,
        }
    }
}

/// Whether HTML responses carry the strict CSP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Csp {
    Strict,
    Off,
}

/// What the router decided for a request path. Pure data, no I/O.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// 200 with this embedded file.
    Asset {
        content_type: &'static str,
        body: &'static [u8],
    },
    /// 302 to this location.
    Redirect(&'static str),
    /// 404.
    NotFound,
}

impl Route {
    fn is_html(&self) -> bool {
        matches!(self, Route::Asset { content_type, .. } if content_type.starts_with("text/html"))
    }
}

fn content_type_for(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Decides what to serve for a request target (query and fragment ignored).
pub fn route(target: &str) -> Route {
    let path = target
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    if path == "/" {
        return Route::Redirect(HOME);
    }
    if let Some((name, body)) = ASSETS.iter().find(|(name, _)| *name == path) {
        return Route::Asset {
            content_type: content_type_for(name),
            body,
        };
    }
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') {
        return Route::NotFound;
    }
    // SPA fallback: every extension-less path loads the app, which renders
    // its own "Page not found" view for routes it does not know.
    Route::Asset {
        content_type: "text/html; charset=utf-8",
        body: INDEX_HTML,
    }
}

/// The full response (status line, headers and, unless `head_only`, body).
pub fn render_response(route: &Route, csp: Csp, head_only: bool) -> Vec<u8> {
    let (status, content_type, body): (&str, &str, &[u8]) = match route {
        Route::Asset { content_type, body } => ("200 OK", content_type, body),
        Route::Redirect(_) => ("302 Found", "text/plain; charset=utf-8", b"Found\n"),
        Route::NotFound => ("404 Not Found", "text/plain; charset=utf-8", b"Not found\n"),
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        body.len()
    );
    if let Route::Redirect(location) = route {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    if route.is_html() && csp == Csp::Strict {
        head.push_str(&format!("Content-Security-Policy: {STRICT_CSP}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    out
}

fn simple_response(status: &str, extra_headers: &str) -> Vec<u8> {
    let body = format!("{status}\n");
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads the request head (up to the blank line), at most 16 KiB.
fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(buf);
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > 16 * 1024 {
            return Ok(buf);
        }
    }
}

fn handle(mut stream: TcpStream, csp: Csp, release: Release) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let head = read_head(&mut stream)?;
    if head.is_empty() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&head);
    let request_line = text.lines().next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next(), parts.next());
    let response = match (method, target) {
        (Some(m @ ("GET" | "HEAD")), Some(target)) => {
            render_response(&release.apply(route(target)), csp, m == "HEAD")
        }
        (Some(_), Some(_)) => simple_response("405 Method Not Allowed", "Allow: GET, HEAD\r\n"),
        _ => simple_response("400 Bad Request", ""),
    };
    stream.write_all(&response)?;
    stream.flush()
}

/// Accepts connections forever, one thread each.
pub fn serve(listener: TcpListener, csp: Csp, release: Release) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                thread::spawn(move || {
                    // A client that hangs up early is not our problem.
                    let _ = handle(stream, csp, release);
                });
            }
            Err(err) => eprintln!("demo-app: accept failed: {err}"),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Args {
    port: u16,
    csp: Csp,
    release: Release,
    exit_on_stdin_eof: bool,
}

const USAGE: &str =
    "usage: demo-app [--port N] [--csp strict|off] [--release current|next] [--exit-on-stdin-eof]";

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: 0,
        csp: Csp::Strict,
        release: Release::Current,
        exit_on_stdin_eof: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let v = value("--port")?;
                parsed.port = v.parse().map_err(|_| format!("bad --port value: {v}"))?;
            }
            "--csp" => {
                parsed.csp = match value("--csp")?.as_str() {
                    "strict" => Csp::Strict,
                    "off" => Csp::Off,
                    other => return Err(format!("bad --csp value: {other} (strict|off)")),
                };
            }
            "--release" => {
                parsed.release = match value("--release")?.as_str() {
                    "current" => Release::Current,
                    "next" => Release::Next,
                    other => return Err(format!("bad --release value: {other} (current|next)")),
                };
            }
            "--exit-on-stdin-eof" => parsed.exit_on_stdin_eof = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let mut argv = std::env::args();
    argv.next(); // the program itself
    let args = match parse_args(argv) {
        Ok(args) => args,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("demo-app: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", args.port)) {
        Ok(l) => l,
        Err(err) => {
            eprintln!("demo-app: cannot bind 127.0.0.1:{}: {err}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(err) => {
            eprintln!("demo-app: {err}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "listening on http://127.0.0.1:{port}");
        let _ = out.flush();
    }
    if args.exit_on_stdin_eof {
        thread::spawn(|| {
            let mut stdin = io::stdin().lock();
            loop {
                match stdin.fill_buf() {
                    Ok([]) | Err(_) => std::process::exit(0),
                    Ok(buf) => {
                        let n = buf.len();
                        stdin.consume(n);
                    }
                }
            }
        });
    }
    serve(listener, args.csp, args.release);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html_body(r: &Route) -> &'static [u8] {
        match r {
            Route::Asset { content_type, body } => {
                assert!(content_type.starts_with("text/html"), "{content_type}");
                body
            }
            other => panic!("expected html asset, got {other:?}"),
        }
    }

    #[test]
    fn root_redirects_to_deals() {
        assert_eq!(route("/"), Route::Redirect("/crm/deals"));
        assert_eq!(route("/?x=1"), Route::Redirect("/crm/deals"));
        assert_eq!(route(""), Route::Redirect("/crm/deals"));
    }

    #[test]
    fn app_routes_fall_back_to_index() {
        for path in [
            "/crm/deals",
            "/crm/deals/new",
            "/pos/checkout",
            "/pos/refunds",
            "/pos/refunds?order=1042",
            "/hr/time-off",
            "/hr/time-off/",
            "/no/such/route",
            "/crm/deals#frag",
        ] {
            assert_eq!(html_body(&route(path)), INDEX_HTML, "{path}");
        }
    }

    #[test]
    fn static_assets_have_content_types() {
        let cases = [
            ("/app.js", "text/javascript; charset=utf-8"),
            ("/app.css", "text/css; charset=utf-8"),
            ("/favicon.svg", "image/svg+xml"),
            ("/index.html", "text/html; charset=utf-8"),
            ("/fixtures/blank.html", "text/html; charset=utf-8"),
            ("/app.js?v=2", "text/javascript; charset=utf-8"),
        ];
        for (path, want) in cases {
            match route(path) {
                Route::Asset { content_type, body } => {
                    assert_eq!(content_type, want, "{path}");
                    assert!(!body.is_empty(), "{path}");
                }
                other => panic!("{path}: {other:?}"),
            }
        }
        assert_eq!(content_type_for("x.json"), "application/json");
        assert_eq!(content_type_for("x.png"), "image/png");
    }

    #[test]
    fn unknown_assets_are_404() {
        for path in [
            "/missing.js",
            "/fixtures/nope.html",
            "/crm/deals/export.csv",
            "/favicon.ico",
        ] {
            assert_eq!(route(path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn fixture_is_a_plain_page() {
        let body = std::str::from_utf8(html_body(&route("/fixtures/blank.html"))).unwrap();
        assert!(body.contains("data-testid=\"fixture-button\""));
        assert!(!body.contains("<script"));
    }

    fn header_text(route: &Route, csp: Csp) -> String {
        String::from_utf8(render_response(route, csp, true)).unwrap()
    }

    #[test]
    fn csp_header_switch() {
        let page = route("/crm/deals");
        let strict = header_text(&page, Csp::Strict);
        assert!(strict.contains(&format!("Content-Security-Policy: {STRICT_CSP}\r\n")));
        assert!(strict.contains("require-trusted-types-for 'script'"));
        assert!(!header_text(&page, Csp::Off).contains("Content-Security-Policy"));
        // Only HTML responses carry the policy.
        assert!(!header_text(&route("/app.js"), Csp::Strict).contains("Content-Security-Policy"));
        assert!(header_text(&route("/fixtures/blank.html"), Csp::Strict)
            .contains("Content-Security-Policy"));
    }

    #[test]
    fn response_heads() {
        let redirect = header_text(&route("/"), Csp::Strict);
        assert!(redirect.starts_with("HTTP/1.1 302 Found\r\n"));
        assert!(redirect.contains("Location: /crm/deals\r\n"));
        let missing = header_text(&route("/x.js"), Csp::Strict);
        assert!(missing.starts_with("HTTP/1.1 404 Not Found\r\n"));
        let js = header_text(&route("/app.js"), Csp::Off);
        assert!(js.contains("Cache-Control: no-store\r\n"));
        assert!(js.ends_with("\r\n\r\n"), "HEAD has no body");
        let full = render_response(&route("/app.js"), Csp::Off, false);
        assert!(full.len() > js.len());
    }

    #[test]
    fn args() {
        let parse = |v: &[&str]| parse_args(v.iter().map(|s| s.to_string()));
        assert_eq!(
            parse(&[]).unwrap(),
            Args {
                port: 0,
                csp: Csp::Strict,
                release: Release::Current,
                exit_on_stdin_eof: false
            }
        );
        assert_eq!(
            parse(&["--port", "8080", "--csp", "off", "--exit-on-stdin-eof"]).unwrap(),
            Args {
                port: 8080,
                csp: Csp::Off,
                release: Release::Current,
                exit_on_stdin_eof: true
            }
        );
        assert_eq!(
            parse(&["--release", "next"]).unwrap().release,
            Release::Next
        );
        assert!(parse(&["--release", "later"]).is_err());
        assert_eq!(parse(&["--csp=strict"]).unwrap().csp, Csp::Strict);
        assert!(parse(&["--csp", "lax"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }

    #[test]
    fn the_next_release_changes_what_it_says_and_only_that() {
        let js = String::from_utf8_lossy(APP_JS);
        for (from, to) in NEXT_RELEASE {
            assert_eq!(js.matches(from).count(), 1, "{from} once in app.js");
            assert_eq!(js.matches(to).count(), 0, "{to} not yet in app.js");
        }
        let Route::Asset { body, .. } = Release::Next.apply(route("/app.js")) else {
            panic!("app.js is an asset");
        };
        let next = String::from_utf8_lossy(body);
        for (from, to) in NEXT_RELEASE {
            assert!(!next.contains(from) && next.contains(to));
        }
        assert_eq!(next.len() as isize - js.len() as isize, {
            NEXT_RELEASE
                .iter()
                .map(|(f, t)| t.len() as isize - f.len() as isize)
                .sum::<isize>()
        });
        assert_eq!(Release::Current.apply(route("/app.js")), route("/app.js"));
        assert_eq!(Release::Next.apply(route("/app.css")), route("/app.css"));
    }

    #[test]
    fn serves_over_tcp_with_csp() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || serve(listener, Csp::Strict, Release::Current));
        let get = |path: &str| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            response
        };
        let page = get("/pos/refunds?order=1042");
        assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
        assert!(page.contains(&format!("Content-Security-Policy: {STRICT_CSP}\r\n")));
        assert!(page.contains("<div id=\"app\">"));
        let js = get("/app.js");
        assert!(js.contains("Content-Type: text/javascript"));
        assert!(!js.contains("Content-Security-Policy"));
    }
}
