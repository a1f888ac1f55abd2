// A real Learning Record Store for the analytics tests: Ralph (openfun,
// `ralph-malph` from PyPI, installed by `cargo xtask test` into
// target/tools/ralph), on its `fs` backend, on 127.0.0.1 and a free port,
// with credentials made by `ralph auth` (served by ralph-lrs.py). And a scripted fake for the
// answers a real LRS gives only when something is wrong (401, 413, 500,
// silence, a malformed body).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './harness.mjs';

const ROOT = join(import.meta.dirname, '../..');
export const RALPH = process.env.RALPH_BIN ?? join(ROOT, 'target/tools/ralph/bin/ralph');

/** Why Ralph cannot run here (null: it can). */
export function lrsUnavailable() {
  return existsSync(RALPH) ? null : `${RALPH} is missing (cargo xtask test installs it)`;
}

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** Starts Ralph. `statements()` reads back everything stored (following
 * `more`); `stop()` and `start()` take it down and up on the same port and
 * store; `close()` stops it for good and removes its files. */
export async function startLrs() {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-lrs-'));
  const password = randomBytes(12).toString('hex');
  const env = { ...process.env, RALPH_APP_DIR: dir, RALPH_RUNSERVER_BACKEND: 'fs', RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH: dir };
  execFileSync(RALPH, ['auth', '-u', 'waymark', '-p', password, '-s', 'all', '-M', 'mailto:waymark@example.com', '-w'], { env, stdio: 'pipe' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const auth = `Basic ${Buffer.from(`waymark:${password}`).toString('base64')}`;
  let child = null;
  let log = '';
  const start = async () => {
    // ralph-lrs.py: Ralph's app on its fs backend, appending (see there why
    // not `ralph runserver`).
    const python = join(RALPH, '..', 'python');
    child = spawn(python, [join(import.meta.dirname, 'ralph-lrs.py'), String(port)], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`ralph runserver exited: ${log.slice(-2000)}`);
      return fetch(`${base}/__heartbeat__`).then((r) => r.ok, () => false);
    }, 'Ralph to answer its heartbeat', 60_000);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await gone;
  };
  await start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    url: `${base}/xAPI/`,
    auth,
    file: join(dir, 'fs_lrs.jsonl'),
    start,
    stop,
    log: () => log,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    /** Every statement stored, oldest first, read through the xAPI. */
    async statements() {
      const all = [];
      let next = `${base}/xAPI/statements?limit=100&ascending=true`;
      while (next) {
        const res = await fetch(next, { headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3' } });
        if (!res.ok) throw new Error(`GET statements: ${res.status} ${await res.text()}`);
        const page = await res.json();
        all.push(...page.statements);
        next = page.more ? new URL(page.more, base).href : null;
      }
      return all;
    },
    /** The store's own file, line by line (what `waymark report --statements` reads). */
    lines: () => (existsSync(join(dir, 'fs_lrs.jsonl')) ? readFileSync(join(dir, 'fs_lrs.jsonl'), 'utf8').split('\n').filter(Boolean) : []),
  };
}

/** A fake LRS answering each POST with the next of `script`: `{ status,
 * body }` or `'hang'` (no answer). After the script it stores each batch
 * and answers 200 with the ids, except that a batch holding a statement
 * `refuse(statement)` is true of gets 400. While `hold` is set it answers
 * 503 and keeps its script. Records every batch it got. */
export async function fakeLrs(script = [], { refuse = () => false } = {}) {
  const batches = [];
  const stored = new Map();
  const api = { hold: false };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      let statements = [];
      try {
        statements = JSON.parse(body);
      } catch {
        // Counted as an empty batch.
      }
      batches.push({ statements, auth: req.headers.authorization, version: req.headers['x-experience-api-version'] });
      if (api.hold) {
        res.writeHead(503);
        return res.end();
      }
      let step = script.shift() ?? null;
      if (!step && statements.some(refuse)) step = { status: 400, body: 'one is bad' };
      if (step === 'hang') return; // never answers
      if (step) {
        res.writeHead(step.status, { 'Content-Type': 'application/json' });
        return res.end(step.body ?? '');
      }
      for (const s of statements) stored.set(s.id, s);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(statements.map((s) => s.id)));
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return Object.assign(api, {
    url: `http://127.0.0.1:${port}/xAPI/`,
    batches,
    stored,
    script,
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(ok));
    },
  });
}
