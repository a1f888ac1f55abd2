// One harness, two drivers (issue 16): the e2e scenarios that matter are
// written once against the small API below and run in Debian Chromium
// (playwright-core, over the DevTools protocol) and in Debian Firefox ESR
// (puppeteer-core, over WebDriver BiDi). playwright-core cannot drive stock
// Firefox nor install add-ons; puppeteer-core can (../shared/PLATFORM.md,
// "Firefox ESR").
//
//   test ── for (kind of BROWSERS) ──▶ launchIn(kind, opts) ──▶ Session
//                                         │ chromium: harness.launch (unpacked, worker)
//                                         │ firefox:  temporary add-on, event page
//   Session: tab() · records() · registered() · storageLocal() · optionsText()
//            extensionUrl() · expectNoAgent() · can.* · close()
//   Tab:     goto · waitFor · click · fill · value · press · type · focus
//            evaluate · initScript · launcher · overlay(text) · overlays() · frame(path)
//   Overlay: text · url · waitText · click(selector) · button(name) · focused
//            count · settled · box (null while hidden)
//
// What only one driver can do is behind `session.can`: Chromium's DevTools
// protocol reaches into Waymark's closed shadow root (the spotlight's box)
// and names the agent's isolated world; BiDi in Firefox does neither, and
// reports the overlay frame (an extension page in a closed shadow root) as
// about:blank, so Firefox finds it by what it shows. BiDi does find a
// frame's element by its context (browsingContext.locateNodes), so the
// card's place in the page is checked in both. Firefox clicks are aimed
// from BiDi sandboxes (Xray wrappers: a hostile page's redefinitions do not
// reach them), as Playwright aims from its utility world.
//
// The extension's own pages: Chromium opens them by URL; Firefox's remote
// agent refuses to navigate to moz-extension:// (measured, ESR 153), so the
// Firefox session opens them as a new tab from the browser's own chrome
// (`--remote-allow-system-access`, BiDi `moz:scope: chrome`), the way
// about:addons' Preferences would, and reaches the event page through
// `runtime.getBackgroundPage()` there. The add-on's UUID is pinned
// (`extensions.webextensions.uuids`) so its URLs are known.
//
// Every helper waits on a condition with a timeout; nothing sleeps.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import * as harness from './harness.mjs';

const { until, watchConsole } = harness;
const ROOT = resolve(import.meta.dirname, '../..');

/** The browsers this run covers: both, or those `WAYMARK_BROWSERS` names
 * (comma separated), e.g. to rerun one side while working on it. */
export const BROWSERS = (process.env.WAYMARK_BROWSERS ?? 'chromium,firefox').split(',').map((s) => s.trim()).filter(Boolean);

export const FIREFOX_DIST = process.env.WAYMARK_FIREFOX_DIST ?? join(ROOT, 'target/dist/firefox');
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const GECKO_ID = 'waymark@waymark.dev';
const GECKO_UUID = '5a7e0f4e-1b7c-4c55-9a55-77a9c0de0001';

/** The build of the extension for `kind` (from `cargo xtask dist`). */
export const distFor = (kind) => (kind === 'firefox' ? FIREFOX_DIST : harness.DIST);

/** `harness.distWithContent` for `kind`'s build. */
export const distWithContentFor = (kind, files, opts = {}) => harness.distWithContent(files, { ...opts, base: distFor(kind) });

/** Starts `kind` with the extension from `dist` (default: its build).
 * `policy`: values for Waymark's managed storage, set before the browser
 * starts and taken away at close: from `policyFrom` 'file' (Chromium:
 * /etc/chromium/policies/managed, root; Firefox: ~/.mozilla/managed-storage,
 * no root) or 'policies.json' (Firefox's enterprise policy file, root). */
export async function launchIn(kind, opts = {}) {
  if (kind === 'chromium') return chromiumSession(opts);
  if (kind === 'firefox') return firefoxSession(opts);
  throw new Error(`unknown browser ${kind}: WAYMARK_BROWSERS takes chromium and firefox`);
}

/** Why `kind` cannot take a policy from `from` here (null: it can). */
export function policyUnavailable(kind, from = 'file') {
  if (kind === 'firefox' && from === 'file') return existsSync(MANAGED_FILE) ? `${MANAGED_FILE} exists (this user's own Waymark policy): not overwritten` : null;
  // Firefox has one policies.json: a machine's own is never overwritten.
  if (kind === 'firefox' && existsSync(FIREFOX_POLICIES)) return `${FIREFOX_POLICIES} exists (this machine's own Firefox policy): not overwritten`;
  return harness.policyUnavailable();
}

// ---- Chromium: playwright-core ---------------------------------------------

async function chromiumSession({ dist = harness.DIST, policy = null, ready = true, headless = true } = {}) {
  const id = harness.extensionIdOf(dist);
  if (policy) harness.writePolicy(id, policy);
  let b;
  try {
    b = await harness.launch({ dist, ready, headless, developer: Boolean(policy) });
  } catch (e) {
    if (policy) harness.removePolicy();
    throw e;
  }
  return {
    kind: 'chromium',
    raw: b,
    can: { pierce: true },
    async tab() {
      return chromiumTab(await b.context.newPage());
    },
    records: () => b.worker.evaluate(() => waymark.records()),
    registered: () => b.worker.evaluate(() => chrome.scripting.getRegisteredContentScripts()),
    storageLocal: () => b.worker.evaluate(() => chrome.storage.local.get(null)),
    // The URL the extension's own code gets (dynamic: use_dynamic_url).
    extensionUrl: (path) => b.worker.evaluate((p) => chrome.runtime.getURL(p), path),
    optionsText: (expect, timeout) => harness.optionsText(b, expect, timeout),
    expectNoAgent: (url, testId) => harness.expectNoAgent(b, url, testId),
    /** Resolves when the user closes the browser (a windowed demo). */
    closed: () => new Promise((done) => b.context.on('close', done)),
    async close() {
      try {
        await b.close();
      } finally {
        if (policy) harness.removePolicy();
      }
    },
  };
}

function chromiumTab(page) {
  const problems = watchConsole(page);
  return {
    raw: page,
    problems,
    async goto(url) {
      return (await page.goto(url))?.headers() ?? {};
    },
    reload: () => page.reload(),
    waitFor: (sel, timeout = 10_000) => page.locator(sel).first().waitFor({ timeout }),
    click: (sel) => page.locator(sel).click(),
    fill: (sel, text) => page.locator(sel).fill(text),
    value: (sel) => page.locator(sel).inputValue(),
    focus: (sel) => page.locator(sel).focus(),
    press: (key) => page.keyboard.press(key),
    type: (text) => page.keyboard.type(text),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    initScript: (fn) => page.addInitScript(fn),
    box: (sel) => page.locator(sel).boundingBox(),
    launcher: () => harness.clickLauncher(page),
    spotBox: () => harness.shadowBox(page, '.spot:not([hidden])'),
    // Every overlay.html frame in the page (ours, or copies a page framed).
    overlays: () => page.frames().filter((f) => !f.isDetached() && harness.isOverlay(f)).map((f) => overlay(f, {
      box: () => harness.frameBox(f),
      press: (sel) => f.locator(sel).first().click(),
      pressButton: (name) => f.getByRole('button', { name, exact: true }).click(),
      detached: () => f.isDetached(),
    })),
    overlay(text, timeout) {
      return overlayShowing(this, text, timeout);
    },
    async frame(path) {
      const f = await until(() => page.frames().find((x) => x.url().endsWith(path)), `the frame at ${path}`);
      return { click: (sel) => f.locator(sel).click(), evaluate: (fn, arg) => f.evaluate(fn, arg) };
    },
    close: () => page.close(),
  };
}

// ---- Firefox ESR: puppeteer-core over WebDriver BiDi ------------------------

const FIREFOX_POLICIES = '/etc/firefox/policies/policies.json';
// Per user, no root (../shared/PLATFORM.md, "Firefox ESR").
const MANAGED_FILE = join(homedir(), `.mozilla/managed-storage/${GECKO_ID}.json`);

/// `forceInstall`: an install_url; Firefox installs the add-on itself from
/// policies.json (ExtensionSettings) instead of the driver (root).
async function firefoxSession({ dist = FIREFOX_DIST, policy = null, policyFrom = 'file', forceInstall = null, headless = true, ready = true } = {}) {
  if (forceInstall && policyFrom !== 'policies.json') throw new Error('forceInstall needs policyFrom: \'policies.json\'');
  const undo = policy || forceInstall ? firefoxPolicy(policy, policyFrom, forceInstall) : () => {};
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless,
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: GECKO_UUID }) },
      defaultViewport: { width: 1280, height: 800 },
    });
    if (!forceInstall) {
      const id = await browser.installExtension(dist);
      if (id !== GECKO_ID) throw new Error(`the add-on installed as ${id}, not ${GECKO_ID}`);
    }
  } catch (e) {
    await browser?.close();
    undo();
    throw e;
  }
  const bidi = browser.connection;
  const extensionUrl = (path) => `moz-extension://${GECKO_UUID}/${path}`; // per install, pinned

  // The browser window's chrome context (privileged: gBrowser, Services).
  async function chromeContext() {
    const { result: tree } = await bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
    return tree.contexts[0].context;
  }
  // The add-on as Firefox's add-on manager holds it.
  const addon = async () => evalIn(await chromeContext(), `(async () => {
    const { AddonManager } = ChromeUtils.importESModule('resource://gre/modules/AddonManager.sys.mjs');
    const a = await AddonManager.getAddonByID(${JSON.stringify(GECKO_ID)});
    return a && {
      active: a.isActive,
      source: a.installTelemetryInfo?.source ?? null,
      canUninstall: Boolean(a.permissions & AddonManager.PERM_CAN_UNINSTALL),
      canDisable: Boolean(a.permissions & AddonManager.PERM_CAN_DISABLE),
      signed: a.isCorrectlySigned,
    };
  })()`);
  // An extension page opened from the browser's chrome; its BiDi context.
  async function openExtensionPage(path) {
    const url = extensionUrl(path);
    const chrome = await chromeContext();
    const before = new Set((await bidi.send('browsingContext.getTree', {})).result.contexts.map((c) => c.context));
    await evalIn(chrome, `(gBrowser.addTab(${JSON.stringify(url)}, { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() }), 0)`);
    return until(async () => {
      const { result } = await bidi.send('browsingContext.getTree', {});
      return result.contexts.find((c) => !before.has(c.context) && c.url === url)?.context;
    }, `Firefox to open ${path}`);
  }
  // Evaluates `expression` (a promise of JSON-able data) in `context`.
  async function evalIn(context, expression) {
    const { result } = await bidi.send('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${expression})))()`,
      target: { context },
      awaitPromise: true,
    });
    if (result.type === 'exception') throw new Error(`in ${context}: ${result.exceptionDetails.text}`);
    return JSON.parse(result.result.value ?? 'null');
  }
  let background = null;
  async function inBackground(expression) {
    background ??= await openExtensionPage('options.html');
    return evalIn(background, `browser.runtime.getBackgroundPage().then((bg) => (${expression})(bg))`);
  }

  const session = {
    kind: 'firefox',
    raw: browser,
    can: { pierce: false },
    async tab() {
      return firefoxTab(await browser.newPage(), bidi);
    },
    records: () => inBackground('(bg) => bg.waymark.records()'),
    registered: () => inBackground('(bg) => browser.scripting.getRegisteredContentScripts()'),
    addon,
    storageLocal: () => inBackground('(bg) => browser.storage.local.get(null)'),
    extensionUrl: async (path) => extensionUrl(path),
    async optionsText(expect, timeout = 30_000) {
      const context = await openExtensionPage('options.html');
      let text = '';
      try {
        await until(async () => {
          text = await evalIn(context, 'document.body?.innerText ?? ""');
          return expect.every((re) => re.test(text));
        }, `the options page to show ${expect.join(' and ')}`, timeout);
      } catch (e) {
        throw new Error(`${e.message}; it shows:\n${text}`);
      } finally {
        await bidi.send('browsingContext.close', { context }).catch(() => {});
      }
      return text;
    },
    async expectNoAgent(url, testId = 'new-deal') {
      // No isolated worlds to list over BiDi: what the page shows is the
      // proof (nothing drawn a few frames after load), with the event
      // page's registrations checked by the caller.
      const tab = await session.tab();
      await tab.goto(url);
      await tab.waitFor(`[data-testid=${testId}]`);
      await tab.evaluate(() => new Promise((r) => (document.readyState === 'complete' ? r() : addEventListener('load', () => r()))));
      for (let i = 0; i < 10; i++) await tab.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
      const drawn = await tab.evaluate((host) => document.querySelectorAll(host).length, harness.HOST);
      if (drawn !== 0) throw new Error(`${drawn} Waymark elements drawn on ${url}`);
      if (tab.problems.length) throw new Error(`host console: ${tab.problems.join('; ')}`);
      await tab.close();
    },
    closed: () => new Promise((done) => browser.on('disconnected', done)),
    async close() {
      try {
        await browser.close();
      } finally {
        undo();
      }
    },
  };
  try {
    if (forceInstall) await until(async () => (await addon())?.active, 'Firefox to install the add-on from policy', 60_000);
    // The event page has read policy and registered the agent.
    if (ready) await until(async () => (await session.registered()).length > 0, 'the agent to be registered', 40_000);
  } catch (e) {
    await session.close();
    throw e;
  }
  return session;
}

/** Writes a Firefox policy for Waymark; returns what takes it away. With
 * `installUrl`, policies.json also installs it (docs/admin.md, "Firefox"):
 * force_installed from that URL, and signatures not required, which
 * Debian's ESR accepts for an unsigned build (Mozilla's own builds do not;
 * measured, ESR 153). */
function firefoxPolicy(values, from, installUrl = null) {
  if (from === 'file') {
    if (!wroteManaged && policyUnavailable('firefox', 'file')) throw new Error(policyUnavailable('firefox', 'file'));
    mkdirSync(join(MANAGED_FILE, '..'), { recursive: true });
    writeFileSync(MANAGED_FILE, JSON.stringify({ name: GECKO_ID, description: 'Waymark policy (e2e)', type: 'storage', data: values }));
    wroteManaged = true;
    return () => {
      rmSync(MANAGED_FILE, { force: true });
      wroteManaged = false;
    };
  }
  if (from === 'policies.json') {
    mkdirSync(join(FIREFOX_POLICIES, '..'), { recursive: true });
    const policies = values ? { '3rdparty': { Extensions: { [GECKO_ID]: values } } } : {};
    if (installUrl) {
      policies.ExtensionSettings = { [GECKO_ID]: { installation_mode: 'force_installed', install_url: installUrl } };
      policies.Preferences = { 'xpinstall.signatures.required': { Value: false, Status: 'locked' } };
    }
    if (!wrotePolicies && existsSync(FIREFOX_POLICIES)) throw new Error(policyUnavailable('firefox', 'policies.json'));
    writeFileSync(FIREFOX_POLICIES, JSON.stringify({ policies }, null, 2));
    wrotePolicies = true;
    return () => {
      rmSync(FIREFOX_POLICIES, { force: true });
      wrotePolicies = false;
    };
  }
  throw new Error(`unknown policy source ${from}: 'file' or 'policies.json'`);
}
// Ours are in place (removed by their undo, else at exit: also on Ctrl-C
// or a kill, so no machine keeps a test's policy, signatures off and all).
let wrotePolicies = false;
let wroteManaged = false;
process.once('exit', () => {
  if (wroteManaged) rmSync(MANAGED_FILE, { force: true });
  if (wrotePolicies) rmSync(FIREFOX_POLICIES, { force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** Keys as playwright names them ('Alt+Shift+H') pressed with puppeteer. */
async function chord(keyboard, keys) {
  const parts = keys.split('+');
  const key = parts.pop();
  for (const m of parts) await keyboard.down(m);
  await keyboard.press(key.length === 1 && /[A-Z]/.test(key) ? `Key${key}` : key);
  for (const m of parts.reverse()) await keyboard.up(m);
}

const visible = (frame, sel) => frame.waitForSelector(sel, { visible: true, timeout: 10_000 });

// BiDi sandboxes see the DOM through Xray wrappers, like Playwright's
// utility world: what a hostile page redefines does not reach them.
const SANDBOX = 'waymark-e2e';

/** `fn` (source text) called in a sandbox of `frame` with `args` (BiDi
 * values); its JSON string result parsed, or null. */
async function inSandbox(bidi, frame, fn, args = []) {
  const { result } = await bidi.send('script.callFunction', {
    functionDeclaration: fn,
    arguments: args,
    target: { context: frame._id, sandbox: SANDBOX },
    awaitPromise: true,
  });
  if (result.type === 'exception') throw new Error(result.exceptionDetails.text);
  return result.result.type === 'string' ? JSON.parse(result.result.value) : null;
}

/** The box of `frame`'s element in its parent's viewport, null while
 * hidden. BiDi finds a frame's container even inside a closed shadow root
 * (browsingContext.locateNodes by context); the box is read in a sandbox. */
async function containerBox(bidi, frame) {
  const parent = frame.parentFrame();
  if (!parent) return null;
  const { nodes } = await bidi.send('browsingContext.locateNodes', { context: parent._id, locator: { type: 'context', value: { context: frame._id } } })
    .then((r) => r.result);
  if (!nodes?.[0]?.sharedId) return null;
  return inSandbox(bidi, parent, `(el) => {
    const r = el.getBoundingClientRect();
    if (getComputedStyle(el).visibility === 'hidden' || !r.width || !r.height) return null;
    return JSON.stringify({ x: r.x + el.clientLeft, y: r.y + el.clientTop, width: el.clientWidth, height: el.clientHeight });
  }`, [{ sharedId: nodes[0].sharedId }]);
}

/** Clicks the centre of `sel` (or of the enabled button named `name`) in
 * `frame` (any depth) with the mouse, aimed from sandboxes: the element's
 * box in its frame, plus each frame's box. */
async function mouseClick(bidi, page, frame, sel, name = null) {
  const at = await until(async () => {
    const p = await inSandbox(bidi, frame, `(sel, name) => {
      const e = name === null ? document.querySelector(sel)
        : [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === name && !b.disabled);
      if (!e || e.disabled) return null;
      e.scrollIntoView({ block: 'nearest' });
      const r = e.getBoundingClientRect();
      return r.width && r.height ? JSON.stringify({ x: r.x + r.width / 2, y: r.y + r.height / 2 }) : null;
    }`, [{ type: 'string', value: sel ?? '' }, name === null ? { type: 'null' } : { type: 'string', value: name }]);
    if (!p) return null;
    for (let f = frame; f.parentFrame(); f = f.parentFrame()) {
      const b = await containerBox(bidi, f);
      if (!b) return null;
      p.x += b.x;
      p.y += b.y;
    }
    return p;
  }, `${name === null ? sel : `the button “${name}”`} to have a box`);
  await page.mouse.click(at.x, at.y);
}

function firefoxTab(page, bidi) {
  const problems = watchConsole(page);
  return {
    raw: page,
    problems,
    async goto(url) {
      return (await page.goto(url))?.headers() ?? {};
    },
    reload: () => page.reload(),
    waitFor: (sel, timeout = 10_000) => page.waitForSelector(sel, { timeout }),
    // Like playwright's locators, each waits for its element first.
    // Clicks are aimed from a sandbox: puppeteer's own aiming reads boxes
    // in the page's world, where a hostile page redefined them.
    async click(sel) {
      await visible(page, sel);
      await mouseClick(bidi, page, page.mainFrame(), sel);
    },
    async fill(sel, text) {
      const el = await visible(page, sel);
      await el.evaluate((e) => {
        e.focus();
        e.select?.();
      });
      await page.keyboard.type(text);
    },
    value: async (sel) => (await visible(page, sel)).evaluate((e) => e.value),
    focus: async (sel) => (await visible(page, sel)).focus(),
    press: (key) => chord(page.keyboard, key),
    type: (text) => page.keyboard.type(text),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    initScript: (fn) => page.evaluateOnNewDocument(fn),
    box: async (sel) => (await visible(page, sel)).boundingBox(),
    async launcher() {
      // Where the engine places it (bottom right, 44 px, 20 px margin):
      // neither the page nor BiDi sees into its closed shadow root.
      await until(() => page.evaluate((host) => !!document.querySelector(host), harness.HOST), 'the Waymark host');
      const { w, h } = await page.evaluate(() => ({ w: innerWidth, h: innerHeight }));
      await page.mouse.click(w - 20 - 22, h - 20 - 22);
    },
    spotBox: () => {
      throw new Error('the spotlight is in a closed shadow root BiDi cannot pierce (check session.can.pierce)');
    },
    // Every overlay.html frame in the page (ours, or copies a page framed):
    // BiDi reports them as about:blank, so each is asked where it is.
    async overlays() {
      const all = [];
      for (const f of page.frames()) {
        if (f === page.mainFrame() || f.detached) continue;
        const url = await f.evaluate(() => location.href).catch(() => '');
        if (!url.startsWith('moz-extension://') || new URL(url).pathname !== '/overlay.html') continue;
        all.push(overlay(f, {
          box: () => containerBox(bidi, f),
          press: (sel) => mouseClick(bidi, page, f, sel),
          pressButton: (name) => mouseClick(bidi, page, f, null, name),
          detached: () => f.detached,
        }));
      }
      return all;
    },
    overlay(text, timeout) {
      return overlayShowing(this, text, timeout);
    },
    async frame(path) {
      const f = await until(() => page.frames().find((x) => x.url().endsWith(path)), `the frame at ${path}`);
      return { click: (sel) => mouseClick(bidi, page, f, sel), evaluate: (fn, arg) => f.evaluate(fn, arg) };
    },
    close: () => page.close(),
  };
}

// ---- the overlay frame, either driver ---------------------------------------

/** The overlay frame in `tab` showing `text` (any, if undefined). */
function overlayShowing(tab, text, timeout) {
  return until(async () => {
    for (const o of await tab.overlays()) {
      if (text === undefined || (await o.text().catch(() => '')).includes(text)) return o;
    }
    return null;
  }, `the overlay to show “${text ?? 'anything'}”`, timeout);
}

const bodyText = (f) => f.evaluate(() => document.body?.innerText ?? '');

function overlay(f, driver) {
  const o = {
    raw: f,
    detached: driver.detached,
    box: driver.box,
    text: () => bodyText(f),
    url: () => f.evaluate(() => location.href),
    waitText: (text, timeout) => until(async () => (await bodyText(f)).includes(text), `the overlay to show “${text}”`, timeout),
    evaluate: (fn, arg) => f.evaluate(fn, arg),
    focused: (sel) => f.evaluate((s) => document.activeElement?.matches(s) ?? false, sel),
    count: (sel) => f.evaluate((s) => document.querySelectorAll(s).length, sel),
    /** Waits until the frame is shown, still, and takes clicks: its
     * clickjacking guard (extension/src/overlay.js) drops a pointer click
     * until the frame has been visible and in place for a moment. */
    async settled(why = 'a click') {
      let last = null;
      await until(async () => {
        const b = await driver.box();
        const still = b && last && b.x === last.x && b.y === last.y && b.width === last.width && b.height === last.height;
        last = b;
        return still;
      }, `the overlay frame to show and settle before ${why}`);
      await until(() => f.evaluate(() => document.body?.hasAttribute('data-armed')), `the overlay to arm before ${why}`);
    },
    /** Clicks in the frame as a user would, once settled; a click the
     * guard dropped (the frame moved between the settle and the click) is
     * made again, as a user would, up to 5 times; then it fails. */
    async press(why, act) {
      const dropped = () => f.evaluate(() => document.body?.dataset.dropped ?? '0');
      for (let i = 0; ; i++) {
        await o.settled(why);
        const before = await dropped();
        await act();
        if ((await dropped().catch(() => before)) === before) return;
        if (i === 4) throw new Error(`the overlay dropped 5 clicks on ${why}`);
      }
    },
    /** Clicks `selector` in the frame. */
    click: (sel) => o.press(sel, () => driver.press(sel)),
    /** Clicks the enabled button whose accessible name is `name`. */
    async button(name) {
      await until(() => f.evaluate((n) => [...document.querySelectorAll('button')].some((b) => b.textContent.trim() === n && !b.disabled), name), `the button “${name}”`);
      await o.press(name, () => driver.pressButton(name));
    },
  };
  return o;
}
