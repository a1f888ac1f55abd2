//! `cargo xtask bench fleet`: a simulated day of a fleet of browsers
//! checking `bundle_url`, against a real static server of the kind an admin
//! deploys (Debian's nginx on 127.0.0.1), beside a naive client.
//!
//! ```text
//!  virtual clock (a day, ms) ──▶ event queue (when each browser checks next)
//!        │                              │ due checks, one virtual second at a time
//!        ▼                              ▼
//!  publish v1 at 11:00, v2 at 15:00   GET (keep-alive, 8 connections) ──▶ nginx ──▶ 200 body | 304
//!  (the file on nginx's disk)           │
//!                                       ▼
//!         Waymark: waymark_core::deploy::update::FetchState (start / headers / finish)
//!         naive:   full GET at start, then every interval exactly, no validators
//! ```
//!
//! Each simulated browser runs the worker's own scheduling and validator
//! code (`FetchState`, the same Rust the service worker runs as wasm), so
//! the figures describe the extension, not a model of it. Only time is
//! simulated: every request is real HTTP to nginx, and bytes are counted
//! off the wire.
//!
//! The morning: browsers start between 08:50 and 09:10 with yesterday's
//! bundle (their last check was overdue overnight), and run to midnight.
//!
//! Printed, for each client kind: bytes served per publish ÷ (clients ×
//! bundle size) (goal ≤ 1.05), peak ÷ mean requests per second over 60-s
//! windows (goal ≤ 2; the 1-s figure is printed too), and the delay of the
//! latest browser to get each publish (goal ≤ one interval).
//!
//! It owns the simulation and the nginx it starts; it must not hold update
//! logic of its own (that is `core`).

use std::collections::{BinaryHeap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use waymark_core::deploy::update::{FetchState, Outcome};

use crate::{root, Result};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const CONNECTIONS: usize = 8;

struct Settings {
    clients: usize,
    interval_minutes: i64,
    json_out: Option<PathBuf>,
    /// Fail unless Waymark meets the byte and delay goals (those are
    /// properties of the schedule, not timings; peak ÷ mean needs a large
    /// fleet to mean anything and is only printed).
    check: bool,
}

fn settings(args: &[String]) -> Result<Settings> {
    let mut s = Settings {
        clients: 10_000,
        interval_minutes: 60,
        json_out: None,
        check: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--clients" => s.clients = value()?.parse().map_err(|e| format!("--clients: {e}"))?,
            "--interval-minutes" => {
                s.interval_minutes = value()?
                    .parse()
                    .map_err(|e| format!("--interval-minutes: {e}"))?
            }
            "--json-out" => s.json_out = Some(PathBuf::from(value()?)),
            "--check" => s.check = true,
            other => {
                return Err(format!(
                "unknown argument {other}; use --clients N, --interval-minutes M, --json-out FILE, --check"
            ))
            }
        }
    }
    if s.clients == 0 || s.interval_minutes < 5 {
        return Err("--clients must be at least 1 and --interval-minutes at least 5".into());
    }
    Ok(s)
}

pub fn bench_fleet(args: &[String]) -> Result {
    let s = settings(args)?;
    let nginx = ensure_nginx()?;
    let work = root().join("target/bench/fleet");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("www")).map_err(|e| e.to_string())?;
    let bundle = sample_bundle();
    let server = Nginx::start(&nginx, &work)?;
    let mut lines = Vec::new();
    for kind in [Kind::Waymark, Kind::Naive] {
        let r = simulate(kind, &s, &server, &work, &bundle)?;
        let line = r.json(kind, &s);
        println!("{line}");
        r.print(kind, &s);
        lines.push(line);
        if s.check && kind == Kind::Waymark {
            for v in [1, 2] {
                let bytes = r.byte_ratio(v, s.clients);
                let late = r.latest_delay_minutes(v);
                if bytes > 1.05 || late > s.interval_minutes as f64 {
                    return Err(format!(
                        "publish {v}: {bytes:.3} × the bundle per client (goal ≤ 1.05), latest browser {late:.0} min late (goal ≤ {})",
                        s.interval_minutes
                    ));
                }
            }
        }
    }
    drop(server);
    if let Some(out) = &s.json_out {
        std::fs::write(out, lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The demo bundle as built by `cargo xtask dist`, or 150 KiB of stand-in
/// bytes (the size only scales the byte counts).
fn sample_bundle() -> Vec<u8> {
    std::fs::read(root().join("target/dist/chrome/content.wmb"))
        .unwrap_or_else(|_| (0..150 * 1024).map(|i| (i % 251) as u8).collect())
}

// ---- nginx -------------------------------------------------------------------

fn ensure_nginx() -> Result<PathBuf> {
    crate::tools::ensure_all()?;
    Ok(PathBuf::from(crate::tools::NGINX))
}

struct Nginx {
    child: Child,
    port: u16,
    www: PathBuf,
}

impl Nginx {
    fn start(bin: &Path, work: &Path) -> Result<Nginx> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let conf = work.join("nginx.conf");
        let p = work.display();
        std::fs::write(
            &conf,
            format!(
                "master_process off;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\n\
                 events {{ worker_connections 1024; }}\n\
                 http {{\n  access_log off;\n  sendfile on;\n  keepalive_requests 1000000;\n  keepalive_timeout 600s;\n\
                 client_body_temp_path {p}/tmp; proxy_temp_path {p}/tmp; fastcgi_temp_path {p}/tmp; uwsgi_temp_path {p}/tmp; scgi_temp_path {p}/tmp;\n\
                 server {{\n    listen 127.0.0.1:{port};\n    root {p}/www;\n    \
                 location / {{ default_type application/octet-stream; add_header Cache-Control no-cache; }}\n  }}\n}}\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(work.join("tmp")).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .arg("-p")
            .arg(work)
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            // One process (master_process off), so killing it stops nginx;
            // no inherited pipes, so nothing outlives the benchmark.
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!(
                    "nginx did not listen on 127.0.0.1:{port} within 10 s (see {}/error.log)",
                    work.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("xtask: nginx on 127.0.0.1:{port}");
        Ok(Nginx {
            child,
            port,
            www: work.join("www"),
        })
    }

    /// Publishes `body` as version `v`: written beside and renamed into
    /// place, as a deploy would. Each version has its own size, so nginx's
    /// ETag (mtime-size) changes even within one second.
    fn publish(&self, bundle: &[u8], v: u8) -> Result<usize> {
        let mut body = bundle.to_vec();
        body.extend(std::iter::repeat_n(v, v as usize + 1));
        let tmp = self.www.join(".content.wmb.tmp");
        std::fs::write(&tmp, &body).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, self.www.join("content.wmb")).map_err(|e| e.to_string())?;
        Ok(body.len())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- HTTP ----------------------------------------------------------------------

/// One keep-alive connection; just enough HTTP/1.1 for nginx's answers to a
/// GET of a static file (Content-Length bodies, 304 without one).
struct Conn {
    port: u16,
    stream: Option<BufReader<TcpStream>>,
}

struct Response {
    status: u16,
    etag: Option<String>,
    last_modified: Option<String>,
    /// Body bytes read off the wire.
    bytes: usize,
    /// The last byte of the body: the version marker `publish` appended.
    version: Option<u8>,
}

impl Conn {
    fn get(&mut self, headers: &[(String, String)]) -> Result<Response> {
        for attempt in 0..2 {
            match self.try_get(headers) {
                Ok(r) => return Ok(r),
                Err(e) if attempt == 1 => return Err(e),
                Err(_) => self.stream = None,
            }
        }
        Err("unreachable".into())
    }

    fn try_get(&mut self, headers: &[(String, String)]) -> Result<Response> {
        if self.stream.is_none() {
            let s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
            s.set_nodelay(true).map_err(|e| e.to_string())?;
            self.stream = Some(BufReader::with_capacity(256 * 1024, s));
        }
        let r = self.stream.as_mut().ok_or("no connection")?;
        let mut req = format!(
            "GET /content.wmb HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n",
            self.port
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        r.get_mut()
            .write_all(req.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        r.read_line(&mut line).map_err(|e| e.to_string())?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let (mut etag, mut last_modified, mut length) = (None, None, 0usize);
        loop {
            line.clear();
            r.read_line(&mut line).map_err(|e| e.to_string())?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let v = v.trim().to_string();
                match k.to_ascii_lowercase().as_str() {
                    "etag" => etag = Some(v),
                    "last-modified" => last_modified = Some(v),
                    "content-length" => length = v.parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut version = None;
        if status == 200 && length > 0 {
            let mut body = vec![0u8; length];
            r.read_exact(&mut body).map_err(|e| e.to_string())?;
            version = body.last().copied();
        } else if length > 0 {
            std::io::copy(&mut r.by_ref().take(length as u64), &mut std::io::sink())
                .map_err(|e| e.to_string())?;
        }
        Ok(Response {
            status,
            etag,
            last_modified,
            bytes: if status == 200 { length } else { 0 },
            version,
        })
    }
}

// ---- the simulation --------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Waymark,
    Naive,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Waymark => "waymark",
            Kind::Naive => "naive (no ETag, no jitter)",
        }
    }
}

struct Client {
    state: FetchState,
    /// The version it holds.
    version: u8,
}

#[derive(Default)]
struct Report {
    requests: usize,
    /// Virtual second of each request.
    per_second: HashMap<i64, u32>,
    /// Per published version (1, 2): body bytes served, bundle size.
    served: HashMap<u8, (usize, usize)>,
    /// Per published version: when it was published, and each client's
    /// delay until it held it.
    delays: HashMap<u8, Vec<i64>>,
    published_at: HashMap<u8, i64>,
    wall: Duration,
}

/// A deterministic uniform number in [0, 1) (xorshift), so runs compare.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn simulate(
    kind: Kind,
    s: &Settings,
    server: &Nginx,
    _work: &Path,
    bundle: &[u8],
) -> Result<Report> {
    let started = Instant::now();
    let url = "http://127.0.0.1/content.wmb";
    let interval = s.interval_minutes * MINUTE;
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut report = Report::default();
    // Yesterday's bundle, version 0, as every browser holds it.
    server.publish(bundle, 0)?;
    let mut conns: Vec<Conn> = (0..CONNECTIONS)
        .map(|_| Conn {
            port: server.port,
            stream: None,
        })
        .collect();
    let first = conns[0].get(&[])?;
    let mut clients: Vec<Client> = (0..s.clients)
        .map(|_| Client {
            state: FetchState {
                url: url.into(),
                etag: first.etag.clone(),
                last_modified: first.last_modified.clone(),
                last_check: Some(-6 * HOUR),
                next_check: Some(-5 * HOUR),
                ..FetchState::default()
            },
            version: 0,
        })
        .collect();
    // Browser starts: the morning rush, 08:50 to 09:10.
    let mut queue: BinaryHeap<std::cmp::Reverse<(i64, usize)>> = BinaryHeap::new();
    for (i, c) in clients.iter_mut().enumerate() {
        let start = 8 * HOUR + 50 * MINUTE + (dice.next() * 20.0 * MINUTE as f64) as i64;
        let at = match kind {
            Kind::Waymark => c.state.start(url, start, interval, true, dice.next()),
            Kind::Naive => start,
        };
        queue.push(std::cmp::Reverse((at, i)));
    }
    let publishes = [(1u8, 11 * HOUR), (2u8, 15 * HOUR)];
    let mut next_publish = 0;
    let mut version_now = 0u8;
    while let Some(&std::cmp::Reverse((t, _))) = queue.peek() {
        if t >= DAY {
            break;
        }
        let second = t / 1000;
        // Publish when the clock passes its time.
        while next_publish < publishes.len() && publishes[next_publish].1 <= t {
            let (v, at) = publishes[next_publish];
            let size = server.publish(bundle, v)?;
            report.served.insert(v, (0, size));
            report.published_at.insert(v, at);
            report.delays.insert(v, Vec::new());
            version_now = v;
            next_publish += 1;
        }
        // Every check due in this virtual second, spread over the connections.
        let mut due = Vec::new();
        while let Some(&std::cmp::Reverse((t2, i))) = queue.peek() {
            if t2 / 1000 != second {
                break;
            }
            queue.pop();
            due.push((t2, i));
        }
        let requests: Vec<(usize, Vec<(String, String)>)> = due
            .iter()
            .map(|&(_, i)| {
                let h = match kind {
                    Kind::Waymark => clients[i].state.headers(url, true),
                    Kind::Naive => Vec::new(),
                };
                (i, h)
            })
            .collect();
        let answers = fetch_all(&mut conns, &requests)?;
        for ((t2, i), res) in due.into_iter().zip(answers) {
            report.requests += 1;
            *report.per_second.entry(t2 / 1000).or_default() += 1;
            let c = &mut clients[i];
            let outcome = match res.status {
                304 => Outcome::NotModified,
                200 => {
                    let v = res.version.unwrap_or(0);
                    if let Some(e) = report.served.get_mut(&v) {
                        e.0 += res.bytes;
                    }
                    if v > c.version {
                        for w in (c.version + 1)..=v {
                            if let (Some(at), Some(d)) =
                                (report.published_at.get(&w), report.delays.get_mut(&w))
                            {
                                d.push(t2 - at);
                            }
                        }
                        c.version = v;
                    }
                    Outcome::Fetched {
                        etag: res.etag,
                        last_modified: res.last_modified,
                        accepted: true,
                    }
                }
                _ => Outcome::Failed {
                    retry_after_ms: None,
                },
            };
            let next = match kind {
                Kind::Waymark => c.state.finish(t2, interval, outcome, dice.next()),
                Kind::Naive => t2 + interval,
            };
            queue.push(std::cmp::Reverse((next, i)));
        }
    }
    // Browsers that never got a version count as a day late.
    for (v, d) in report.delays.iter_mut() {
        let at = report.published_at.get(v).copied().unwrap_or(0);
        let missing = s.clients - d.len();
        d.extend(std::iter::repeat_n(DAY - at, missing));
    }
    let _ = version_now;
    report.wall = started.elapsed();
    Ok(report)
}

/// Runs each request on one of the connections (in parallel threads);
/// answers come back in request order.
fn fetch_all(
    conns: &mut [Conn],
    requests: &[(usize, Vec<(String, String)>)],
) -> Result<Vec<Response>> {
    let per = requests.len().div_ceil(conns.len()).max(1);
    let results: Vec<Result<Vec<Response>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = conns
            .iter_mut()
            .zip(requests.chunks(per))
            .map(|(conn, chunk)| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(_, h)| conn.get(h))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a fetch thread panicked".into()))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(requests.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

impl Report {
    /// Bytes served for version `v` ÷ (clients × its size).
    fn byte_ratio(&self, v: u8, clients: usize) -> f64 {
        let (served, size) = self.served.get(&v).copied().unwrap_or((0, 1));
        served as f64 / (clients as f64 * size as f64)
    }

    /// Peak ÷ mean requests per `window` seconds, from the first request
    /// to the last.
    fn peak_ratio(&self, window: i64) -> f64 {
        let mut buckets: HashMap<i64, u32> = HashMap::new();
        for (s, n) in &self.per_second {
            *buckets.entry(s / window).or_default() += n;
        }
        let (Some(lo), Some(hi)) = (buckets.keys().min(), buckets.keys().max()) else {
            return 0.0;
        };
        let span = (hi - lo + 1) as f64;
        let mean = self.requests as f64 / span;
        let peak = buckets.values().copied().max().unwrap_or(0) as f64;
        peak / mean
    }

    fn latest_delay_minutes(&self, v: u8) -> f64 {
        self.delays
            .get(&v)
            .and_then(|d| d.iter().max())
            .map_or(0.0, |&ms| ms as f64 / MINUTE as f64)
    }

    fn json(&self, kind: Kind, s: &Settings) -> String {
        serde_json::json!({
            "client": kind.name(),
            "clients": s.clients,
            "interval_minutes": s.interval_minutes,
            "requests": self.requests,
            "bytes_per_publish_ratio": [self.byte_ratio(1, s.clients), self.byte_ratio(2, s.clients)],
            "peak_over_mean_60s": self.peak_ratio(60),
            "peak_over_mean_1s": self.peak_ratio(1),
            "latest_delay_minutes": [self.latest_delay_minutes(1), self.latest_delay_minutes(2)],
            "wall_seconds": self.wall.as_secs_f64(),
        })
        .to_string()
    }

    fn print(&self, kind: Kind, s: &Settings) {
        eprintln!(
            "xtask: {:<28} {:>7} requests · bytes/publish ÷ (clients × size) {:.3} / {:.3} (goal ≤ 1.05) · peak ÷ mean req/s {:.2} over 60 s, {:.2} over 1 s (goal ≤ 2) · latest client {:.0} / {:.0} min after a publish (goal ≤ {}) · {:.0} s",
            kind.name(),
            self.requests,
            self.byte_ratio(1, s.clients),
            self.byte_ratio(2, s.clients),
            self.peak_ratio(60),
            self.peak_ratio(1),
            self.latest_delay_minutes(1),
            self.latest_delay_minutes(2),
            s.interval_minutes,
            self.wall.as_secs_f64()
        );
    }
}
