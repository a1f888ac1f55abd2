// Waymark in Firefox ESR (issue 16): the same extension, built for Firefox
// by `cargo xtask dist` (target/dist/firefox), guides "Create a deal" on
// demo-app with its CSP off and strict: the engine runs in the event page
// (wasm), the agent in the page, the views in the overlay frame. The host
// console stays clean. With no policy set, Firefox's managed storage
// throws (Chromium returns {}): that is "no policy". A policy in a
// managed-storage file (no root needed) reaches the panel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoApp, watchConsole } from './harness.mjs';
import { FIREFOX_DIST, GECKO_ID, clickInFrame, clickLauncher, launchFirefox, overlayWith, until } from './firefox.mjs';

const ROOT = join(import.meta.dirname, '../..');
const WAYMARK = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');

for (const csp of ['off', 'strict']) {
  describe(`Firefox ESR: create a deal (csp ${csp})`, () => {
    let app;
    let browser;
    before(async () => {
      app = await startDemoApp({ csp });
      browser = await launchFirefox();
    });
    after(async () => {
      await browser?.close();
      app?.stop();
    });

    test('the panel lists the page’s help and the walkthrough follows the user’s click', async () => {
      const page = await browser.newPage();
      const problems = watchConsole(page);
      await page.goto(`${app.url}/crm/deals`);
      await page.waitForSelector('[data-testid=new-deal]');
      await clickLauncher(page);
      let frame = await overlayWith(page, 'For this page');
      await clickInFrame(frame, 'button.item[data-id="create-deal"]');
      frame = await overlayWith(page, '1 of 5');
      assert.match(await frame.evaluate(() => document.body.innerText), /Start a new deal/);
      // The step waits for the user's own click on the app's button.
      await page.click('[data-testid=new-deal]');
      frame = await overlayWith(page, '2 of 5');
      assert.match(await frame.evaluate(() => document.body.innerText), /Name the deal/);
      assert.deepEqual(problems, [], 'host console is clean');
      await page.close();
    });
  });
}

describe('Firefox ESR: the help panel by keyboard (csp strict)', () => {
  let app;
  let browser;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    browser = await launchFirefox();
  });
  after(async () => {
    await browser?.close();
    app?.stop();
  });

  test('the shortcut opens help with the keyboard in its search box; typing searches; Escape closes it', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await until(() => page.evaluate(() => !!document.querySelector('html > div[popover]')), 'the Waymark host');
    await page.keyboard.down('Alt');
    await page.keyboard.down('Shift');
    await page.keyboard.press('KeyH');
    await page.keyboard.up('Shift');
    await page.keyboard.up('Alt');
    const frame = await overlayWith(page, 'For this page');
    await until(() => frame.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Search help'), 'the keyboard in the search box');
    await page.keyboard.type('deal');
    await overlayWith(page, 'Results');
    await page.keyboard.press('Escape');
    await until(async () => !(await frame.evaluate(() => document.body.innerText.includes('Results'))), 'Escape to close help');
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});

describe('Firefox ESR: targets in a closed shadow root and a same-origin frame', () => {
  const WALK = `id = "deep"
title = "Reach the deep ones"
moment = "apply"
owner = "qa"
status = "approved"
review_by = 2099-01-01
applies_to = ["/fixtures/chaos*"]

[[steps]]
id = "widget"
title = "Save the widget"
target = ["pierce/button.save"]

[[steps]]
id = "frame"
title = "Press the frame button"
target = ["iframe#frame >>> [data-testid=frame-button]"]

[[steps]]
id = "fin"
title = "All done"
`;
  let app;
  let browser;
  let dir;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    const content = mkdtempSync(join(tmpdir(), 'waymark-content-'));
    writeFileSync(join(content, 'waymark.toml'), '[bundle]\nscope = ["http://127.0.0.1:*"]\n');
    writeFileSync(join(content, 'deep.toml'), WALK);
    dir = mkdtempSync(join(tmpdir(), 'waymark-ffdist-'));
    cpSync(FIREFOX_DIST, dir, { recursive: true });
    execFileSync(WAYMARK, ['build', content, '--env', 'production', '--sign-key', join(ROOT, 'extension/keys/demo-signing-key.txt'), '--out', join(dir, 'content.wmb')], { stdio: 'pipe' });
    rmSync(content, { recursive: true, force: true });
    browser = await launchFirefox({ dist: dir });
  });
  after(async () => {
    await browser?.close();
    app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the Firefox agent finds them (openOrClosedShadowRoot, frame paths) and sees the user’s clicks there', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/fixtures/chaos.html`);
    await clickLauncher(page);
    const panel = await overlayWith(page, 'Reach the deep ones');
    await clickInFrame(panel, 'button.item[data-id="deep"]');
    await overlayWith(page, '1 of 3');
    // The button is inside the page's closed shadow root, where neither
    // the page nor the driver reaches: the keyboard does (Tab from the
    // element before it, then Enter: a trusted click).
    await page.focus('[data-testid=deep-target]');
    await page.keyboard.press('Tab');
    await until(() => page.evaluate(() => document.activeElement?.id === 'widget'), 'focus in the widget');
    await page.keyboard.press('Enter');
    await overlayWith(page, '2 of 3');
    const inner = await until(() => page.frames().find((f) => f.url().endsWith('/fixtures/frame.html')), 'the same-origin frame');
    await inner.click('[data-testid=frame-button]');
    await overlayWith(page, '3 of 3');
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});

describe('Firefox ESR: policy from a managed-storage file', () => {
  // Firefox reads $HOME/.mozilla/managed-storage/<add-on id>.json
  // (../shared/PLATFORM.md, "Firefox ESR"); removed after the test.
  const dir = join(homedir(), '.mozilla/managed-storage');
  const file = join(dir, `${GECKO_ID}.json`);
  let app;
  let browser;
  before(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify({
      name: GECKO_ID,
      description: 'Waymark policy (e2e)',
      type: 'storage',
      data: { support: { name: 'Acme IT desk', url: 'mailto:it@acme.example' } },
    }));
    app = await startDemoApp({ csp: 'strict' });
    browser = await launchFirefox();
  });
  after(async () => {
    await browser?.close();
    app?.stop();
    rmSync(file, { force: true });
  });

  test('the policy’s support contact shows in the help panel', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await clickLauncher(page);
    const frame = await overlayWith(page, 'Acme IT desk');
    assert.match(await frame.evaluate(() => document.body.innerText), /Help from people:\s*Acme IT desk/);
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});
