// `cargo xtask bench tips`: what 100 smart tips and 200 beacons cost the
// main thread of a 5,000-element page (demo-app/static/fixtures/bench.html),
// for Waymark (the packed extension: the engine's Command::Tips, drawn by
// extension/src/tips/main.js) and, in the same run on the same page, for
// the usual way to keep 300 markers beside their elements: a floating
// element per anchor kept in place by @floating-ui/dom's `autoUpdate` +
// `computePosition` (the positioning library Shepherd.js and most tooltip
// libraries build on; installed with shepherd.js, version printed).
//
// Per system it prints one JSON line:
//   scroll_p50_ms / scroll_p99_ms  main-thread time the markers' code spent
//                                  per scroll frame (40 px, down then up;
//                                  scroll listeners + the frame callbacks
//                                  they request; bench.js says how it is
//                                  isolated)
//   batch_p50_ms / batch_p99_ms    the same per 50-element mutation batch
// A `baseline` line (nothing drawn) shows what the probes themselves cost,
// and `one layout read` what any script pays that reads one element's
// position per frame: after a mutation batch that forces the page's own
// layout early (work the frame would do anyway, but inside the window
// measured), the floor for anything that keeps markers beside elements.
// `cargo xtask bench matching` gives the agent's figures for the same page
// (1,000 triggers and a step's target) to read these beside.
//
//   node tests/bench/tips.mjs [--frames 300] [--batches 200] [--json-out F]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, pct, plainBrowser, r3 } from './common.mjs';
import { DIST, launch, shadowBox, startDemoApp, until } from '../e2e/harness.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const WAYMARK = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');
const DEMO_KEY = join(ROOT, 'extension/keys/demo-signing-key.txt');
const FLOATING = join(ROOT, 'node_modules/@floating-ui');

const TIPS = 100;
const BEACONS = 200;
const FRAMES = Number(arg('frames', 300));
const BATCHES = Number(arg('batches', 200));
const PAGE = '/fixtures/bench.html';

// Tips on the first 100 rows' Open buttons, beacons on the next 200 rows'
// totals: markers all down the page, as many on screen as a long form has.
const anchors = () => [
  ...Array.from({ length: TIPS }, (_, i) => ({ css: `[data-testid=open-${i}]`, beacon: false })),
  ...Array.from({ length: BEACONS }, (_, i) => ({ css: `#order-${TIPS + i} .total`, beacon: true })),
];

function library(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'waymark.toml'), '[bundle]\nscope = ["http://127.0.0.1:*"]\n');
  const tips = anchors().map((a, i) => [
    '[[tips]]', `id = "t${i}"`, `target = [${JSON.stringify(a.css)}]`, `title = "Tip ${i}"`,
    'body = "What this field is for, and what to put in it."', `beacon = ${a.beacon}`, '',
  ].join('\n'));
  writeFileSync(join(dir, 'bench.tips.toml'), [
    'id = "bench"', 'title = "Bench tips"', 'owner = "bench"', 'status = "approved"', 'review_by = 2099-01-01',
    `applies_to = ["${PAGE}*"]`, '', ...tips,
  ].join('\n'));
}

function distWithBundle() {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-tips-'));
  const dist = join(dir, 'dist');
  cpSync(DIST, dist, { recursive: true });
  library(join(dir, 'library'));
  execFileSync(WAYMARK, ['build', join(dir, 'library'), '--env', 'production', '--sign-key', DEMO_KEY,
    '--out', join(dist, 'content.wmb')], { stdio: 'pipe' });
  return { dir, dist };
}


async function measure(page) {
  await page.evaluate(() => {
    window.bench.arm();
    window.bench.armScroll();
  });
  // Unmeasured rounds first, so every system runs warmed-up code.
  // Scrolling stays where the markers are (the first 300 rows), and the
  // batches run with the page at its top, with a screenful of markers.
  const limit = await page.evaluate(() => document.getElementById('order-299').getBoundingClientRect().top + scrollY - innerHeight / 2);
  for (let i = 0; i < 10; i++) await page.evaluate((l) => window.bench.scrollFrame(40, l), limit);
  const scroll = [];
  for (let i = 0; i < FRAMES; i++) {
    const f = await page.evaluate((l) => window.bench.scrollFrame(40, l), limit);
    scroll.push(f.scroll + f.raf);
  }
  await page.evaluate(() => new Promise((r) => {
    scrollTo(0, 0);
    requestAnimationFrame(() => requestAnimationFrame(r));
  }));
  for (let i = 0; i < 10; i++) await page.evaluate(() => window.bench.batch());
  const batch = [];
  for (let i = 0; i < BATCHES; i++) {
    const b = await page.evaluate(() => window.bench.batch());
    batch.push(b.mo + b.raf);
  }
  const onScreen = await page.evaluate((list) => list.map((a) => document.querySelector(a.css))
    .filter((e) => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }).length, anchors());
  return { scroll, batch, onScreen };
}

function summary(system, size, { scroll, batch, onScreen }, extra = {}) {
  return {
    system,
    tips: TIPS,
    beacons: BEACONS,
    page_elements: size,
    scroll_frames: scroll.length,
    scroll_p50_ms: r3(pct(scroll, 0.5)),
    scroll_p99_ms: r3(pct(scroll, 0.99)),
    scroll_max_ms: r3(Math.max(...scroll)),
    batches: batch.length,
    batch_p50_ms: r3(pct(batch, 0.5)),
    batch_p99_ms: r3(pct(batch, 0.99)),
    anchors_on_screen_at_top: onScreen,
    ...extra,
  };
}

async function baseline(app) {
  const browser = await plainBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(app.url + PAGE);
    await page.waitForFunction(() => window.bench);
    const size = await page.evaluate(() => window.bench.count());
    return summary('baseline', size, await measure(page));
  } finally {
    await browser.close();
  }
}

async function oneRead(app) {
  const browser = await plainBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(app.url + PAGE);
    await page.waitForFunction(() => window.bench);
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid=open-0]');
      let asked = false;
      const read = () => {
        if (asked) return;
        asked = true;
        requestAnimationFrame(() => {
          asked = false;
          window.benchSink = el.getBoundingClientRect().top;
        });
      };
      new MutationObserver(read).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
      addEventListener('scroll', read, { capture: true, passive: true });
    });
    const size = await page.evaluate(() => window.bench.count());
    return summary('one layout read', size, await measure(page));
  } finally {
    await browser.close();
  }
}

async function waymark(app) {
  const { dir, dist } = distWithBundle();
  const browser = await launch({ dist });
  try {
    const page = await browser.context.newPage();
    const problems = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
    await page.goto(app.url + PAGE);
    await page.waitForFunction(() => window.bench);
    // The tips script is in and has drawn (the first row's marker).
    await until(() => shadowBox(page, '.tip-dot:not([hidden])'), 'the tips to be drawn', 30_000);
    const size = await page.evaluate(() => window.bench.count());
    return summary('waymark', size, await measure(page), { host_console_problems: problems.length });
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function floatingUi(app) {
  const browser = await plainBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(app.url + PAGE);
    await page.waitForFunction(() => window.bench);
    await page.addScriptTag({ path: join(FLOATING, 'core/dist/floating-ui.core.umd.min.js') });
    await page.addScriptTag({ path: join(FLOATING, 'dom/dist/floating-ui.dom.umd.min.js') });
    const version = JSON.parse(readFileSync(join(FLOATING, 'dom/package.json'), 'utf8')).version;
    await page.evaluate(async (list) => {
      const { autoUpdate, computePosition, offset } = window.FloatingUIDOM;
      for (const a of list) {
        const anchor = document.querySelector(a.css);
        const dot = document.createElement('button');
        dot.className = a.beacon ? 'bench-beacon' : 'bench-tip';
        dot.style.cssText = 'position:fixed;left:0;top:0;width:16px;height:16px;border-radius:50%;border:0;background:#1d4ed8';
        document.body.append(dot);
        autoUpdate(anchor, dot, () => computePosition(anchor, dot, { strategy: 'fixed', placement: 'right', middleware: [offset(4)] })
          .then(({ x, y }) => Object.assign(dot.style, { left: `${x}px`, top: `${y}px` })));
      }
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }, anchors());
    const size = await page.evaluate(() => window.bench.count());
    return summary('floating-ui', size, await measure(page), { version, way: 'autoUpdate + computePosition per marker' });
  } finally {
    await browser.close();
  }
}

const app = await startDemoApp({ csp: 'off' });
const lines = [];
try {
  for (const run of [baseline, oneRead, waymark, floatingUi]) {
    const line = await run(app);
    lines.push(line);
    console.log(JSON.stringify(line));
  }
} finally {
  app.stop();
}
const [, , w, f] = lines;
// performance.now() is coarsened to 0.1 ms here: a 0 counts as 0.1.
const ratio = (a, b) => (a != null && b != null ? r3(b / Math.max(a, 0.1)) : null);
const verdict = {
  system: 'ratio (floating-ui / waymark)',
  scroll_p50: ratio(w.scroll_p50_ms, f.scroll_p50_ms),
  scroll_p99: ratio(w.scroll_p99_ms, f.scroll_p99_ms),
  batch_p99: ratio(w.batch_p99_ms, f.batch_p99_ms),
  goals: { scroll_p99_le_2ms: w.scroll_p99_ms <= 2 },
};
console.log(JSON.stringify(verdict));
const out = arg('json-out');
if (out) writeFileSync(out, `${[...lines, verdict].map((l) => JSON.stringify(l)).join('\n')}\n`);
