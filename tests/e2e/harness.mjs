// Shared end-to-end harness: starts demo-app, launches Debian Chromium with the
// packed extension (playwright-core, never a downloaded browser), and gives
// tests the few things they cannot reach with ordinary locators: the launcher
// inside Waymark's closed shadow root, and the overlay frame.
//
// Every helper waits on a condition with a timeout; nothing sleeps.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = process.env.WAYMARK_DIST ?? join(ROOT, 'target/dist/chrome');
const DEMO_APP = process.env.DEMO_APP_BIN ?? join(ROOT, 'target/debug/demo-app');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Starts demo-app on a free port; it exits by itself when our stdin closes.
 * `release: 'next'` serves the app's next release (demo-app --release). */
export function startDemoApp({ csp = 'strict', release = 'current' } = {}) {
  const child = spawn(DEMO_APP, ['--port', '0', '--csp', csp, '--release', release, '--exit-on-stdin-eof'], {
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
/// `ready` (default): wait until the worker has registered the agent, so
/// the first page the test opens gets it (the worker registers it once it
/// has read policy and checked the bundle: about 3 s on a first start).
/// `developer`: profile in developer mode, which an unpacked extension with
/// `3rdparty` policy needs (../shared/PLATFORM.md, "Browser policy").
/// `args`: extra Chromium switches (e.g. --host-resolver-rules).
///
/// Under policy, Chromium's policy service now and then answers the
/// worker's first `chrome.storage.managed.get` only after tens of seconds
/// when a browser session has just closed (measured: 2 of 7 full runs, the
/// policy suite right after another suite's browser; ghostery#3367 saw 15 s).
/// Waymark rightly waits for the admin's policy; the harness then starts
/// the browser once more, once, and says so, rather than fail the suite on
/// Chromium's start-up.
export async function launch(opts = {}) {
  try {
    return await launchOnce(opts);
  } catch (e) {
    if (!/the agent to be registered/.test(e.message ?? '')) throw e;
    console.log(`# launch: ${e.message.split('\n')[0]}; starting the browser once more`);
    return launchOnce(opts);
  }
}

async function launchOnce({ dist = DIST, headless = true, profile: keep, locale, ready = true, developer = false, forceInstalled = null, incognito = false, args: extra = [] } = {}) {
  const profile = keep ?? mkdtempSync(join(tmpdir(), 'waymark-e2e-'));
  if (developer) developerMode(profile);
  if (incognito) await allowIncognito(profile, dist);
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-sync',
    '--disable-dev-shm-usage',
    ...extra,
  ];
  // A force-installed extension is fetched by Chromium's extension updater,
  // which --disable-background-networking turns off (measured, Chromium 156).
  if (!forceInstalled) {
    args.push(`--disable-extensions-except=${dist}`, `--load-extension=${dist}`, '--disable-background-networking', '--disable-component-update');
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless,
    ignoreDefaultArgs: ['--disable-extensions', '--disable-background-networking', '--disable-component-update'],
    args,
    viewport: { width: 1280, height: 800 },
    ...(locale ? { locale } : {}),
  });
  const close = async () => {
    await context.close();
    if (!keep) rmSync(profile, { recursive: true, force: true });
  };
  if (forceInstalled) {
    // Chromium installs it from the policy's update URL at startup. DevTools
    // (and so Playwright) sees a policy-installed extension only when policy
    // DeveloperToolsAvailability is 1 (its default keeps DevTools off them:
    // measured, Chromium 156); the caller's policy sets it.
    const id = forceInstalled;
    const mine = (w) => w.url().startsWith(`chrome-extension://${id}/`);
    const worker = context.serviceWorkers().find(mine)
      ?? (await context.waitForEvent('serviceworker', { predicate: mine, timeout: 60_000 }).catch(async (e) => {
        await close();
        throw new Error(`Chromium did not force-install extension ${id} within 60 s (${e.message.split('\n')[0]})`);
      }));
    if (ready) await agentRegistered(worker).catch(async (e) => {
      await close().catch(() => {});
      throw e;
    });
    return { context, worker, extensionId: id, close };
  }
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    if (ready) await agentRegistered(worker);
    return { context, worker, extensionId: new URL(worker.url()).host, close };
  } catch (e) {
    // A browser left running keeps the test file's process alive until
    // the 10-minute file timeout: close it, then fail.
    await close().catch(() => {});
    throw e;
  }
}

// ---- real admin policy ------------------------------------------------------

/** The extension id Chromium derives from the manifest `key` in `dist`:
 * the first 16 bytes of its SHA-256, each hex digit written a..p. */
export function extensionIdOf(dist = DIST) {
  const { key } = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
  const hex = createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

export const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = join(POLICY_DIR, 'waymark-e2e.json');

/** Why real policy files cannot be written here (null: they can). */
export function policyUnavailable() {
  if (process.getuid?.() !== 0) return 'not root: real policy files under /etc/chromium/policies/managed cannot be written';
  try {
    mkdirSync(POLICY_DIR, { recursive: true });
  } catch (e) {
    return `cannot create ${POLICY_DIR}: ${e.message}`;
  }
  return null;
}

/** Writes the policy file Chromium reads: `extension` values for `id`
 * (under 3rdparty) plus any `chromium` policies (ExtensionInstallForcelist). */
export function writePolicy(id, extension, chromiumPolicies = {}) {
  const body = { ...chromiumPolicies };
  if (extension) body['3rdparty'] = { extensions: { [id]: extension } };
  // Written beside the folder and renamed into place: Chromium's directory
  // watcher never sees half a file (it reads every file in the folder).
  const tmp = join(POLICY_DIR, '..', '.waymark-e2e.json.tmp');
  writeFileSync(tmp, JSON.stringify(body, null, 2));
  renameSync(tmp, POLICY_FILE);
}

export function removePolicy() {
  rmSync(POLICY_FILE, { force: true });
}
process.once('exit', () => {
  if (process.getuid?.() === 0) rmSync(POLICY_FILE, { force: true });
});

/** Waits until the worker has registered the agent for some origin. */
// 40 s: under policy the worker first reads chrome.storage.managed, which
// took 3 s at every start here and up to 15 s right after another browser
// session closed (ghostery#3367, privacybadger#2982); a loaded CI machine
// adds to that.
export async function agentRegistered(worker, timeout = 40_000) {
  await until(async () => (await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts())).length > 0, 'the agent to be registered', timeout);
}

function developerMode(profile) {
  const dir = join(profile, 'Default');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'Preferences');
  let prefs = {};
  try {
    prefs = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // A new profile.
  }
  prefs.extensions = { ...prefs.extensions, ui: { ...prefs.extensions?.ui, developer_mode: true } };
  writeFileSync(file, JSON.stringify(prefs));
}

/** Turns on "Allow in Incognito" for the extension in `profile`, as a user
 * would on chrome://extensions: Chromium keeps it in the profile's
 * Preferences (extensions.settings.<id>.incognito), which it writes when it
 * first loads the extension, so the profile is started once to make them.
 * (Toggling it on chrome://extensions instead reloads a command-line
 * extension and leaves it blocked: measured, Chromium 156. On Linux these
 * preferences carry no enforced MAC.) */
async function allowIncognito(profile, dist) {
  const first = await launch({ dist, profile, ready: false });
  await first.context.close();
  const file = join(profile, 'Default', 'Preferences');
  const prefs = JSON.parse(readFileSync(file, 'utf8'));
  const id = extensionIdOf(dist);
  const mine = prefs.extensions?.settings?.[id];
  if (!mine) throw new Error(`Chromium wrote no settings for extension ${id} in ${file}`);
  mine.incognito = true;
  writeFileSync(file, JSON.stringify(prefs));
}

/** Opens `url` in a new incognito window (the worker asks for it, as only
 * an extension or the user can) and returns its page: Playwright lists the
 * off-the-record page among the context's pages. */
export async function incognitoPage(browser, url) {
  const before = new Set(browser.context.pages());
  await browser.worker.evaluate((u) => chrome.windows.create({ incognito: true, url: u }), url);
  return until(() => browser.context.pages().find((p) => !before.has(p) && p.url() === url), `the incognito page at ${url}`);
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

/** Waymark's host element as the page sees it: a plain <div> popover under
 * <html> (or inside an open modal dialog); demo-app has no popovers. */
export const HOST = ':is(html, dialog) > div[popover]';

/** What the host document looks like outside the app's own root. */
export function hostShape(page) {
  return page.evaluate((HOST) => ({
    html: [...document.documentElement.children].filter((e) => !e.matches(HOST)).map((e) => e.localName),
    hostIsRootChild: document.querySelector(HOST)?.parentNode === document.documentElement,
    body: [...document.body.children].map((e) => `${e.localName}#${e.id}`),
    head: [...document.head.children].map((e) => e.outerHTML.length),
    htmlAttrs: [...document.documentElement.attributes].map((a) => `${a.name}=${a.value}`),
    bodyAttrs: [...document.body.attributes].map((a) => `${a.name}=${a.value}`),
    styleSheets: document.styleSheets.length,
    adopted: document.adoptedStyleSheets.length,
    waymarkElements: document.querySelectorAll(HOST).length,
    shadowVisibleToPage: document.querySelector(HOST)?.shadowRoot !== null && document.querySelector(HOST) !== null,
  }), HOST);
}

/** Box of an element inside Waymark's closed shadow root, via the DevTools protocol. */
export async function shadowBox(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    // The host: the element whose closed shadow root holds the launcher.
    const host = find(root, (n) => n.shadowRoots?.some((s) => s.shadowRootType === 'closed' && find(s, (k) => k.attributes?.includes('launcher'))));
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

/** Text of an element inside Waymark's closed shadow root (null if none). */
export async function shadowText(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = find(root, (n) => n.shadowRoots?.some((s) => s.shadowRootType === 'closed' && find(s, (k) => k.attributes?.includes('launcher'))));
    const shadow = host?.shadowRoots?.[0];
    if (!shadow) return null;
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: shadow.nodeId, selector });
    if (!nodeId) return null;
    const { object } = await cdp.send('DOM.resolveNode', { nodeId });
    const { result } = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { return this.textContent; }', returnByValue: true });
    return result.value;
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
    // A short pause between polls, not setImmediate: a stream of DevTools
    // calls with no gap starves Chromium's UI thread, and managed storage
    // then does not answer for over 30 s (measured: a policy read that takes
    // 3 s never finished while the options page was polled back to back).
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Clicks the Waymark launcher like a user would (it lives in a closed shadow root). */
export async function clickLauncher(page) {
  const box = await until(() => shadowBox(page, 'button.launcher:not([hidden])'), 'the Waymark launcher');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Is this frame an overlay.html (ours or a copy a page framed)? Its URL
 * carries the agent's token in the fragment. */
export const isOverlay = (f) => f.url().startsWith('chrome-extension://') && new URL(f.url()).pathname === '/overlay.html';

/** The overlay frame (an extension page inside the host page). */
export async function overlayFrame(page) {
  return until(() => page.frames().find(isOverlay), 'the overlay frame');
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

/** Waits until the overlay frame is shown and still, and takes clicks: its
 * clickjacking guard (extension/src/overlay.js) drops a pointer click until
 * the frame has been visible and in place for a moment, as a user's would. */
export async function settled(frame, why = 'a click') {
  let last = null;
  await until(async () => {
    const b = await frameBox(frame);
    const still = b && last && b.x === last.x && b.y === last.y && b.width === last.width && b.height === last.height;
    last = b;
    return still;
  }, `the overlay frame to show and settle before ${why}`);
  await frame.locator('body[data-armed]').waitFor({ state: 'attached', timeout: 10_000 });
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


/** Opens `url` in a new page and checks that no agent ran there at all (no
 * isolated world: the agent is not registered for this origin, or not at
 * all), nothing was drawn and the console is clean. */
export async function expectNoAgent(browser, url, testId = 'new-deal') {
  const page = await browser.context.newPage();
  const problems = watchConsole(page);
  const cdp = await page.context().newCDPSession(page);
  const worlds = [];
  cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
  await cdp.send('Runtime.enable');
  await page.goto(url);
  await page.getByTestId(testId).waitFor();
  // document_idle has passed once the page's own script has rendered and a
  // few frames went by; an agent would have been injected by then.
  await page.evaluate(() => new Promise((r) => (document.readyState === 'complete' ? r() : addEventListener('load', () => r()))));
  for (let i = 0; i < 10; i++) await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  if (worlds.some((w) => w.auxData?.type === 'isolated' && w.name === 'Waymark')) throw new Error(`the agent was injected on ${url}`);
  const shape = await hostShape(page);
  if (shape.waymarkElements !== 0) throw new Error(`${shape.waymarkElements} Waymark elements drawn on ${url}`);
  if (problems.length) throw new Error(`host console: ${problems.join('; ')}`);
  await cdp.detach();
  await page.close();
}

/** The options page's text once `expect` (regexps) all match it. */
export async function optionsText(browser, expect, timeout = 30_000) {
  const page = await browser.context.newPage();
  const said = [];
  page.on('console', (m) => said.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => said.push(`uncaught: ${e.message}`));
  await page.goto(`chrome-extension://${browser.extensionId}/options.html`);
  let text = '';
  try {
    await until(async () => {
      text = await page.locator('body').innerText();
      return expect.every((re) => re.test(text));
    }, `the options page to show ${expect.join(' and ')}`, timeout);
  } catch (e) {
    throw new Error(`${e.message}; it shows:\n${text}\nits console:\n${said.join('\n')}`);
  } finally {
    await page.close();
  }
  return text;
}

/** Runs the `waymark` CLI (the one `cargo xtask test` built) with `args`;
 * its standard output. Throws with its standard error if it fails. */
export function waymarkCli(args) {
  const bin = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A copy of the extension whose built-in bundle is `files` (name -> text),
 * on top of a copy of `library` if given, built by the real CLI and signed
 * with the demo key; `base`: the build to copy (default Chromium's). Returns the dist folder; `remove()` deletes it. */
export function distWithContent(files, { library = null, base = DIST } = {}) {
  const root = join(import.meta.dirname, '../..');
  const waymark = process.env.WAYMARK_BIN ?? join(root, 'target/debug/waymark');
  const content = mkdtempSync(join(tmpdir(), 'waymark-content-'));
  if (library) cpSync(library, content, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const file = join(content, name);
    writeFileSync(file, typeof text === 'function' ? text(existsSync(file) ? readFileSync(file, 'utf8') : '') : text);
  }
  const dir = mkdtempSync(join(tmpdir(), 'waymark-dist-'));
  cpSync(base, dir, { recursive: true });
  execFileSync(waymark, ['build', content, '--env', 'production', '--sign-key', join(root, 'extension/keys/demo-signing-key.txt'), '--out', join(dir, 'content.wmb')], { stdio: 'pipe' });
  rmSync(content, { recursive: true, force: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations in `frame` (a Playwright Frame or Page), one line
 * each: WCAG 2.2 A/AA and axe's best practices. */
export async function axeViolations(frame, surface) {
  if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(AXE);
  const result = await frame.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations.map((v) => `${surface}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}: ${v.help}`);
}
