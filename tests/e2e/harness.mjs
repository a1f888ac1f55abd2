// Shared end-to-end harness: starts demo-app, launches Debian Chromium with the
// packed extension (playwright-core, never a downloaded browser), and gives
// tests the few things they cannot reach with ordinary locators: the launcher
// inside Waymark's closed shadow root, and the overlay frame.
//
// Every helper waits on a condition with a timeout; nothing sleeps.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = process.env.WAYMARK_DIST ?? join(ROOT, 'target/dist/chrome');
const DEMO_APP = process.env.DEMO_APP_BIN ?? join(ROOT, 'target/debug/demo-app');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Starts demo-app on a free port; it exits by itself when our stdin closes. */
export function startDemoApp({ csp = 'strict' } = {}) {
  const child = spawn(DEMO_APP, ['--port', '0', '--csp', csp, '--exit-on-stdin-eof'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('demo-app did not start within 10 s')), 10_000);
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        ok({ url: m[1], stop: () => { child.stdin.end(); child.kill(); } });
      }
    });
    child.on('exit', (code) => fail(new Error(`demo-app exited early (${code})`)));
  });
}

/** Launches Chromium with the unpacked extension from `dist`. */
/// `profile`: reuse a browser profile across launches (a restart); the
/// caller removes it. Without it, a fresh profile is made and removed.
export async function launch({ dist = DIST, headless = true, profile: keep, locale } = {}) {
  const profile = keep ?? mkdtempSync(join(tmpdir(), 'waymark-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    viewport: { width: 1280, height: 800 },
    ...(locale ? { locale } : {}),
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  return {
    context,
    worker,
    extensionId: new URL(worker.url()).host,
    async close() {
      await context.close();
      if (!keep) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects everything the host page's console says at error or warning level. */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

/** What the host document looks like outside the app's own root. */
export function hostShape(page) {
  return page.evaluate(() => ({
    html: [...document.documentElement.children].map((e) => e.localName).filter((n) => n !== 'waymark-host'),
    hostIsRootChild: document.querySelector('waymark-host')?.parentNode === document.documentElement,
    body: [...document.body.children].map((e) => `${e.localName}#${e.id}`),
    head: [...document.head.children].map((e) => e.outerHTML.length),
    htmlAttrs: [...document.documentElement.attributes].map((a) => `${a.name}=${a.value}`),
    bodyAttrs: [...document.body.attributes].map((a) => `${a.name}=${a.value}`),
    styleSheets: document.styleSheets.length,
    adopted: document.adoptedStyleSheets.length,
    waymarkElements: document.querySelectorAll('waymark-host').length,
    shadowVisibleToPage: document.querySelector('waymark-host')?.shadowRoot !== null && document.querySelector('waymark-host') !== null,
  }));
}

/** Box of an element inside Waymark's closed shadow root, via the DevTools protocol. */
export async function shadowBox(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = find(root, (n) => n.localName === 'waymark-host');
    const shadow = host?.shadowRoots?.[0];
    if (!shadow) return null;
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: shadow.nodeId, selector });
    if (!nodeId) return null;
    const { model } = await cdp.send('DOM.getBoxModel', { nodeId }).catch(() => ({ model: null }));
    if (!model) return null;
    const [x1, y1, , , x3, y3] = model.border;
    return { x: x1, y: y1, width: x3 - x1, height: y3 - y1, shadowMode: shadow.shadowRootType };
  } finally {
    await cdp.detach();
  }
}

function find(node, pred) {
  if (pred(node)) return node;
  for (const kids of [node.children, node.shadowRoots, node.contentDocument ? [node.contentDocument] : null]) {
    for (const k of kids ?? []) {
      const hit = find(k, pred);
      if (hit) return hit;
    }
  }
  return null;
}

/** Waits for `fn` to return a truthy value; fails with `what` after `timeout` ms. */
export async function until(fn, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Clicks the Waymark launcher like a user would (it lives in a closed shadow root). */
export async function clickLauncher(page) {
  const box = await until(() => shadowBox(page, 'button.launcher:not([hidden])'), 'the Waymark launcher');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** The overlay frame (an extension page inside the host page). */
export async function overlayFrame(page) {
  return until(() => page.frames().find((f) => f.url().startsWith('chrome-extension://') && f.url().endsWith('/overlay.html')), 'the overlay frame');
}

/** The frame element's box in the page, or null while hidden. */
export async function frameBox(frame) {
  const el = await frame.frameElement();
  const visible = await el.evaluate((e) => getComputedStyle(e).visibility !== 'hidden');
  return visible ? el.boundingBox() : null;
}

/** Gap between two boxes (0 if they touch or overlap). */
export function gap(a, b) {
  const dx = Math.max(0, a.x - (b.x + b.width), b.x - (a.x + a.width));
  const dy = Math.max(0, a.y - (b.y + b.height), b.y - (a.y + a.height));
  return Math.hypot(dx, dy);
}

export function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Waits until the overlay frame is shown and has stopped moving (as a user
 * would, before clicking in it), then clicks the button named `name`. */
export async function clickInCard(frame, name) {
  await settled(frame, name);
  await frame.getByRole('button', { name, exact: true }).click();
}

/** Waits until the overlay frame is shown and still. */
export async function settled(frame, why = 'a click') {
  let last = null;
  await until(async () => {
    const b = await frameBox(frame);
    const still = b && last && b.x === last.x && b.y === last.y && b.width === last.width && b.height === last.height;
    last = b;
    return still;
  }, `the overlay frame to show and settle before ${why}`);
}

/** Opens `url` in a new page and checks that the agent ran but drew nothing
 * (no usable bundle, or a page outside its scope), with a clean console. */
export async function expectNothingDrawn(browser, url, testId = 'new-deal') {
  const page = await browser.context.newPage();
  const problems = watchConsole(page);
  const cdp = await page.context().newCDPSession(page);
  const worlds = [];
  cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
  await cdp.send('Runtime.enable');
  await page.goto(url);
  await page.getByTestId(testId).waitFor();
  // The agent did run (its isolated world exists) ...
  await until(() => worlds.some((w) => w.auxData?.type === 'isolated' && w.name === 'Waymark'), 'the agent to be injected');
  // ... and a few frames later it has still drawn nothing.
  for (let i = 0; i < 10; i++) await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  const shape = await hostShape(page);
  if (shape.waymarkElements !== 0) throw new Error(`${shape.waymarkElements} Waymark elements drawn on ${url}`);
  if (problems.length) throw new Error(`host console: ${problems.join('; ')}`);
  await page.close();
}

