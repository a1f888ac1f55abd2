// A small static server of the kind an admin puts bundles on, for the policy
// tests: serves published files with ETag and Last-Modified (answering 304 to
// a matching conditional GET), counts what it sent, and can be switched per
// path to misbehave the ways real servers do.
//
//   publish(path, bytes)  ──▶ GET path ──▶ 200 + ETag  |  304 (If-None-Match / If-Modified-Since)
//   misbehave(path, mode) ──▶ 404 · 500 · huge (2 GB Content-Length) · slow (a byte a second)
//                             html (a login page) · redirect (to http://localhost:PORT, another origin)
//
// It binds 127.0.0.1 on a free port and stops with stop() (or when the test
// process exits).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

export async function startBundleServer() {
  const files = new Map(); // path -> { body, type, etag, modified }
  const modes = new Map(); // path -> misbehaviour
  const log = []; // { path, status, bytes, conditional }
  const sockets = new Set();
  const timers = new Set();
  let port = 0;

  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const entry = { path, status: 0, bytes: 0, conditional: Boolean(req.headers['if-none-match'] || req.headers['if-modified-since']), host: req.headers.host };
    log.push(entry);
    const send = (status, headers, body) => {
      entry.status = status;
      entry.bytes = body ? body.length : 0;
      res.writeHead(status, headers);
      res.end(body);
    };
    const mode = modes.get(path);
    if (mode === 404) return send(404, { 'content-type': 'text/plain' }, Buffer.from('not found'));
    if (mode === 500) return send(500, { 'content-type': 'text/plain', 'retry-after': '120' }, Buffer.from('server error'));
    if (mode === 'html') return send(200, { 'content-type': 'text/html' }, Buffer.from('<!doctype html><title>Sign in</title><form>Sign in</form>'));
    if (mode === 'redirect' && req.headers.host?.startsWith('127.0.0.1')) {
      return send(302, { location: `http://localhost:${port}${path}` });
    }
    if (mode === 'huge') {
      // Says 2 GB and trickles: a client that trusts the length or reads on
      // would hang or run out of memory.
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(2 * 1024 ** 3) });
      const chunk = Buffer.alloc(64 * 1024);
      res.write(chunk);
      entry.bytes += chunk.length;
      const t = setInterval(() => {
        if (res.destroyed) return clearInterval(t);
        res.write(chunk);
        entry.bytes += chunk.length;
      }, 1000);
      timers.add(t);
      return undefined;
    }
    if (mode === 'slow') {
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const t = setInterval(() => {
        if (res.destroyed) return clearInterval(t);
        res.write(Buffer.from([0x57]));
        entry.bytes += 1;
      }, 1000);
      timers.add(t);
      return undefined;
    }
    const file = files.get(path);
    if (!file) return send(404, { 'content-type': 'text/plain' }, Buffer.from('not found'));
    const headers = {
      'content-type': file.type,
      etag: file.etag,
      'last-modified': file.modified,
      'cache-control': 'no-cache',
    };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if ((inm && inm.split(/\s*,\s*/).includes(file.etag)) || (!inm && ims && ims === file.modified)) {
      return send(304, headers);
    }
    return send(200, { ...headers, 'content-length': String(file.body.length) }, file.body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  port = server.address().port;
  // Also reachable as localhost (another origin), for the redirect case.
  const stop = () => {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
    server.close();
  };
  process.once('exit', stop);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    publish(path, body, type = 'application/octet-stream') {
      const bytes = Buffer.from(body);
      files.set(path, {
        body: bytes,
        type,
        etag: `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`,
        // Whole seconds, as HTTP dates are; a later publish gets a later date.
        modified: new Date(Math.max(Date.now(), (files.get(path)?.mtime ?? 0) + 1000)).toUTCString(),
        mtime: Math.max(Date.now(), (files.get(path)?.mtime ?? 0) + 1000),
      });
      modes.delete(path);
    },
    /** Switches `path` to misbehave (`null` to behave again). */
    misbehave(path, mode) {
      if (mode === null) modes.delete(path);
      else modes.set(path, mode);
    },
    /** What was served for `path`: requests, full bodies (200), 304s, body bytes. */
    stats(path) {
      const hits = log.filter((e) => e.path === path);
      return {
        requests: hits.length,
        bodies: hits.filter((e) => e.status === 200).length,
        notModified: hits.filter((e) => e.status === 304).length,
        bytes: hits.reduce((n, e) => n + e.bytes, 0),
      };
    },
    stop,
  };
}
