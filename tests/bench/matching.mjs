// `cargo xtask bench matching`, the Node half: what watching 1,000 targets
// costs a 5,000-element page, for Waymark (the packed extension: the engine's
// bucketed watch list, executed by the agent) and, in the same run on the
// same page, for Shepherd.js (npm, pinned in package.json) with the usual
// `waitForElement` (one MutationObserver and `querySelector` per target, as
// in Shepherd's `beforeShowPromise` examples).
//
// Per system it prints one JSON line:
//   batch_p50_ms / batch_p99_ms  main-thread time the watcher spent per
//                                50-element mutation batch (observer + frame
//                                callbacks; demo-app/static/fixtures/bench.js
//                                says how it is isolated)
//   latency_*                    from inserting the step's target to its card
//                                being on screen, in ms and in frames (1 =
//                                painted in the frame that follows the
//                                insertion); `cold` is the first card (the
//                                overlay frame loads), the rest are warm
// A `baseline` line (no watcher) shows what the probes themselves cost.
//
//   node tests/bench/matching.mjs [--batches 200] [--trials 20] [--json-out F]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, pct, plainBrowser, r3 } from './common.mjs';
import { DIST, launch, startDemoApp } from '../e2e/harness.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const WAYMARK = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');
const DEMO_KEY = join(ROOT, 'extension/keys/demo-signing-key.txt');
const SHEPHERD = join(ROOT, 'node_modules/shepherd.js/dist');

const TARGETS = 1000;
const BATCHES = Number(arg('batches', 200));
const TRIALS = Number(arg('trials', 20));
const PAGE = '/fixtures/bench.html';

// ---- the content: 1,000 triggers and one walkthrough waiting for its target

function library(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'waymark.toml'), '[bundle]\nscope = ["http://127.0.0.1:*"]\n');
  for (let i = 0; i < TARGETS; i++) {
    writeFileSync(join(dir, `trigger-${i}.toml`), [
      `id = "trigger-${i}"`, `title = "Fix problem ${i}"`, 'moment = "solve"', 'owner = "bench"',
      'status = "approved"', 'review_by = 2099-01-01', `applies_to = ["${PAGE}*"]`,
      `trigger = { type = "on_element", target = ["[data-testid=trigger-${i}]"] }`,
      '', '[[steps]]', 'id = "fix"', `title = "Fix problem ${i}"`, '',
    ].join('\n'));
  }
  writeFileSync(join(dir, 'bench-card.toml'), [
    'id = "bench-card"', 'title = "Late target card"', 'moment = "apply"', 'owner = "bench"',
    'status = "approved"', 'review_by = 2099-01-01', `applies_to = ["${PAGE}*"]`,
    '', '[[steps]]', 'id = "late"', 'title = "The late target"', 'body = "It was inserted after the page loaded."',
    'target = ["[data-testid=late-target]"]', 'placement = "right"', 'timeout = 600', '',
    '[[steps]]', 'id = "after"', 'title = "Done"', '',
  ].join('\n'));
}

function distWithBundle() {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-'));
  const dist = join(dir, 'dist');
  cpSync(DIST, dist, { recursive: true });
  library(join(dir, 'library'));
  execFileSync(WAYMARK, ['build', join(dir, 'library'), '--env', 'production', '--sign-key', DEMO_KEY,
    '--out', join(dist, 'content.wmb')], { stdio: 'pipe' });
  return { dir, dist };
}

// ---- measuring ------------------------------------------------------------


async function batches(page) {
  const out = [];
  // A few unmeasured batches first, so every system runs warmed-up code.
  for (let i = 0; i < 10; i++) await page.evaluate(() => window.bench.batch());
  for (let i = 0; i < BATCHES; i++) {
    const b = await page.evaluate(() => window.bench.batch());
    out.push(b.mo + b.raf);
  }
  return out;
}

function summary(system, page, times, latencies, extra = {}) {
  const warm = latencies.slice(1).filter(Boolean);
  return {
    system,
    targets: TARGETS,
    page_elements: page,
    batch_elements: 50,
    batches: times.length,
    batch_p50_ms: r3(pct(times, 0.5)),
    batch_p99_ms: r3(pct(times, 0.99)),
    batch_max_ms: r3(Math.max(...times)),
    latency_cold_ms: r3(latencies[0]?.ms),
    latency_cold_frames: latencies[0]?.frames ?? null,
    latency_p50_ms: r3(pct(warm.map((l) => l.ms), 0.5)),
    latency_p99_ms: r3(pct(warm.map((l) => l.ms), 0.99)),
    latency_frames_p50: pct(warm.map((l) => l.frames), 0.5),
    latency_frames_max: warm.length ? Math.max(...warm.map((l) => l.frames)) : null,
    latency_missed: latencies.filter((l) => !l).length,
    ...extra,
  };
}

async function baseline(app) {
  const browser = await plainBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(app.url + PAGE);
    await page.waitForFunction(() => window.bench);
    await page.evaluate(() => window.bench.arm());
    const size = await page.evaluate(() => window.bench.count());
    return summary('baseline', size, await batches(page), []);
  } finally {
    await browser.close();
  }
}

async function waymark(app) {
  const { dir, dist } = distWithBundle();
  const browser = await launch({ dist });
  try {
    // Resume the walkthrough at its first step on the bench page's origin,
    // as after a reload: the agent then watches its target from the start.
    await browser.worker.evaluate(async (origin) => {
      await chrome.storage.local.set({ [`tour:${origin}`]: { walkthrough: 'bench-card', version: '', step: 0, history: [] } });
    }, app.url);
    const page = await browser.context.newPage();
    const problems = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
    await page.goto(app.url + PAGE);
    await page.waitForFunction(() => window.bench);
    // The launcher is drawn once the engine has answered the agent: the
    // first card then proves it is watching (triggers and the step), and
    // measures a cold overlay frame.
    await page.waitForFunction(() => document.querySelector('html > div[popover]'));
    const latencies = [await page.evaluate(() => window.bench.insertTarget('waymark'))];
    await page.evaluate(() => window.bench.removeTarget());
    await page.evaluate(() => window.bench.arm());
    const size = await page.evaluate(() => window.bench.count());
    const times = await batches(page);
    for (let i = 0; i < TRIALS; i++) {
      latencies.push(await page.evaluate(() => window.bench.insertTarget('waymark')));
      await page.evaluate(() => window.bench.removeTarget());
      // The card goes when its target does; wait for that before the next trial.
      await page.waitForFunction(() => {
        const s = document.getElementById('stage').getBoundingClientRect();
        return document.elementFromPoint(s.x + 160 + 12 + 40, s.y + 18)?.matches('html > div[popover]') !== true;
      });
    }
    return summary('waymark', size, times, latencies, { host_console_problems: problems.length });
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function shepherd(app) {
  const browser = await plainBrowser();
  try {
    const page = await browser.context.newPage();
    await page.route('**/bench-peer/shepherd.mjs', (route) =>
      route.fulfill({ path: join(SHEPHERD, 'js/shepherd.mjs'), contentType: 'text/javascript' }));
    await page.goto(app.url + PAGE);
    await page.waitForFunction(() => window.bench);
    await page.addStyleTag({ path: join(SHEPHERD, 'css/shepherd.css') });
    const version = JSON.parse(readFileSync(join(ROOT, 'node_modules/shepherd.js/package.json'), 'utf8')).version;
    await page.evaluate(async (targets) => {
      const { default: Shepherd } = await import('/bench-peer/shepherd.mjs');
      // The waitForElement people pair with Shepherd's beforeShowPromise.
      const waitForElement = (selector) => new Promise((resolve) => {
        const found = document.querySelector(selector);
        if (found) return resolve(found);
        const observer = new MutationObserver(() => {
          const el = document.querySelector(selector);
          if (el) {
            observer.disconnect();
            resolve(el);
          }
        });
        observer.observe(document.body, { childList: true, subtree: true });
      });
      // The triggers: one waiter per target, as many as Waymark watches.
      for (let i = 0; i < targets; i++) waitForElement(`[data-testid=trigger-${i}]`).then(() => {});
      window.startTour = () => {
        window.tour?.cancel();
        const tour = new Shepherd.Tour({ useModalOverlay: false, defaultStepOptions: { classes: 'bench-step' } });
        tour.addStep({
          id: 'late',
          title: 'The late target',
          text: 'It was inserted after the page loaded.',
          attachTo: { element: '[data-testid=late-target]', on: 'right' },
          beforeShowPromise: () => waitForElement('[data-testid=late-target]'),
          buttons: [{ text: 'Next', action: () => tour.next() }],
        });
        tour.start();
        window.tour = tour;
      };
      window.startTour();
    }, TARGETS);
    const latencies = [await page.evaluate(() => window.bench.insertTarget('shepherd'))];
    await page.evaluate(() => { window.bench.removeTarget(); window.startTour(); });
    await page.evaluate(() => window.bench.arm());
    const size = await page.evaluate(() => window.bench.count());
    const times = await batches(page);
    for (let i = 0; i < TRIALS; i++) {
      latencies.push(await page.evaluate(() => window.bench.insertTarget('shepherd')));
      await page.evaluate(() => { window.bench.removeTarget(); window.startTour(); });
    }
    return summary('shepherd.js', size, times, latencies, { version, waiter: 'waitForElement (MutationObserver + querySelector)' });
  } finally {
    await browser.close();
  }
}

const app = await startDemoApp({ csp: 'off' });
const lines = [];
try {
  for (const run of [baseline, waymark, shepherd]) {
    const line = await run(app);
    lines.push(line);
    console.log(JSON.stringify(line));
  }
} finally {
  app.stop();
}
const [, w, s] = lines;
const ratio = (a, b) => (a && b ? r3(b / a) : null);
const verdict = {
  system: 'ratio (shepherd.js / waymark)',
  batch_p50: ratio(w.batch_p50_ms, s.batch_p50_ms),
  batch_p99: ratio(w.batch_p99_ms, s.batch_p99_ms),
  latency_p50: ratio(w.latency_p50_ms, s.latency_p50_ms),
  goals: { batch_p99_le_2ms: w.batch_p99_ms <= 2, card_within_one_frame: w.latency_frames_p50 <= 1 },
};
console.log(JSON.stringify(verdict));
const out = arg('json-out');
if (out) writeFileSync(out, JSON.stringify([...lines, verdict], null, 2));
