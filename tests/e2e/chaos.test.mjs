// The chaos suite: one walkthrough through everything that breaks tour
// libraries, on demo-app's chaos fixture under the strict CSP + Trusted
// Types: a target under a fixed header; in a scroll container, removed and re-rendered as a new
// node; in a closed shadow root (pierce/); in a same-origin frame (a frame
// path, `iframe#frame >>> …`); in a list re-keyed
// under it while 1,000 mutations a second run for 10 s and 20,000 elements
// are added; a modal dialog opened over the card. The host console stays
// clean and the overlay host ends where it started.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DIST, clickInCard, clickLauncher, frameBox, gap, hostShape, launch, overlaps, overlayFrame, settled, shadowBox, startDemoApp, until, watchConsole,
} from './harness.mjs';

const ROOT = join(import.meta.dirname, '../..');
const WAYMARK = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');

const CHAOS = `id = "chaos"
title = "Survive the chaos"
moment = "more"
owner = "qa"
status = "approved"
applies_to = ["/fixtures/chaos*"]

[[steps]]
id = "sticky"
title = "Start here"
target = ["[data-testid=start-here]"]

[[steps]]
id = "deep"
title = "Press the deep button"
target = ["[data-testid=deep-target]"]

[[steps]]
id = "widget"
title = "Save the widget"
target = ["pierce/button.save"]

[[steps]]
id = "frame"
title = "Press the frame button"
# An explicit frame path: the frame, then the button inside it.
target = ["iframe#frame >>> [data-testid=frame-button]"]

[[steps]]
id = "list"
title = "Pick item B"
target = ["text/Item B"]

[[steps]]
id = "modal"
title = "Still here above the dialog"
body = "Press Next."

[[steps]]
id = "fin"
title = "All done"
`;

// Clicks the middle of the spotlight once it has stopped moving (it glides
// between targets), as a user would: for targets Playwright cannot locate,
// like one inside a closed shadow root.
async function clickSpot(page) {
  let last = null;
  const spot = await until(async () => {
    const s = await shadowBox(page, '.spot:not([hidden])');
    const still = s && last && s.x === last.x && s.y === last.y && s.width === last.width;
    last = s;
    if (!still) await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    return still ? s : null;
  }, 'the spotlight to settle');
  await page.mouse.click(spot.x + spot.width / 2, spot.y + spot.height / 2);
}

describe('chaos suite', () => {
  let app;
  let browser;
  let dir;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    const content = mkdtempSync(join(tmpdir(), 'waymark-content-'));
    writeFileSync(join(content, 'waymark.toml'), '[bundle]\nscope = ["http://127.0.0.1:*"]\n');
    writeFileSync(join(content, 'chaos.toml'), CHAOS);
    dir = mkdtempSync(join(tmpdir(), 'waymark-dist-'));
    cpSync(DIST, dir, { recursive: true });
    execFileSync(WAYMARK, ['build', content, '--env', 'production', '--sign-key', join(ROOT, 'extension/keys/demo-signing-key.txt'), '--out', join(dir, 'content.wmb')], { stdio: 'pipe' });
    rmSync(content, { recursive: true, force: true });
    browser = await launch({ dist: dir });
  });
  after(async () => {
    await browser?.close();
    app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every hostile situation, one walkthrough', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/fixtures/chaos.html`);
    await page.getByTestId('start-here').waitFor();
    const before = await hostShape(page);
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: 'Survive the chaos' });
    await item.waitFor();
    await settled(frame, 'choosing the walkthrough');
    // 0. The first target sits under the page's fixed header: it is
    //    scrolled out from under it before the card points at it.
    await page.evaluate(() => {
      const b = document.querySelector('[data-testid=start-here]');
      window.scrollBy(0, b.getBoundingClientRect().top - 10);
    });
    assert.ok((await page.getByTestId('start-here').boundingBox()).y < 48, 'the button starts under the header');
    await item.click();
    await frame.getByRole('heading', { name: 'Start here' }).waitFor();
    await until(async () => (await page.getByTestId('start-here').boundingBox()).y >= 48, 'the button out from under the header');
    await page.getByTestId('start-here').click();

    // 1. Inside a scroll container, 900 px down: scrolled into view, card beside it.
    await frame.getByRole('heading', { name: 'Press the deep button' }).waitFor();
    const deep = page.getByTestId('deep-target');
    await until(async () => {
      const t = await deep.boundingBox();
      const s = await page.locator('#scroller').boundingBox();
      return t && s && t.y >= s.y && t.y + t.height <= s.y + s.height;
    }, 'the target scrolled into its container');
    const t1 = await deep.boundingBox();
    const card1 = await until(async () => {
      const b = await frameBox(frame);
      return b && !overlaps(b, t1) && gap(b, t1) <= 24 ? b : null;
    }, 'the card beside the deep button');
    assert.ok(card1);
    // Removed and re-rendered as a new node: the walkthrough follows the new one.
    await page.evaluate(() => window.chaos.rerender('[data-testid=deep-target]'));
    await until(async () => (await page.getByTestId('deep-target').count()) === 1 && page.evaluate(() => document.querySelector('[data-testid=deep-target]').isConnected), 'the re-rendered button');
    await until(() => shadowBox(page, '.spot:not([hidden])'), 'the spotlight back on the new node');
    await page.getByTestId('deep-target').click();

    // 2. Inside a closed shadow root.
    await frame.getByRole('heading', { name: 'Save the widget' }).waitFor();
    await clickSpot(page);

    // 3. Inside a same-origin frame.
    await frame.getByRole('heading', { name: 'Press the frame button' }).waitFor();
    const frameButton = page.frameLocator('#frame').getByTestId('frame-button');
    const fb = await frameButton.boundingBox();
    const spot3 = await until(async () => {
      const s = await shadowBox(page, '.spot:not([hidden])');
      return s && Math.abs(s.x + 4 - fb.x) <= 2 && Math.abs(s.y + 4 - fb.y) <= 2 ? s : null;
    }, 'the spotlight on the button inside the frame');
    assert.ok(spot3);
    await frameButton.click();

    // 4. A list re-keyed under the target, during a mutation flood and with
    //    20,000 more elements on the page.
    await frame.getByRole('heading', { name: 'Pick item B' }).waitFor();
    const mutations = await page.evaluate(() => window.chaos.flood(1000, 10_000));
    assert.ok(mutations >= 5000, `only ${mutations} mutations`);
    const elements = await page.evaluate(() => window.chaos.bulk(20_000));
    assert.ok(elements > 20_000);
    await page.evaluate(() => window.chaos.rekey());
    const itemB = page.getByRole('button', { name: 'Item B' });
    const b = await itemB.boundingBox();
    await until(async () => {
      const s = await shadowBox(page, '.spot:not([hidden])');
      return s && Math.abs(s.y + 4 - b.y) <= 2;
    }, 'the spotlight on the re-keyed item B');
    await itemB.click();

    // 5. A modal dialog opened over the card: the card stays on top and usable.
    await frame.getByRole('heading', { name: 'Still here above the dialog' }).waitFor();
    await page.evaluate(() => window.chaos.openModal());
    await until(() => page.evaluate(() => Boolean(document.querySelector('dialog[open] > div[popover]'))), 'the host inside the modal dialog');
    await clickInCard(frame, 'Next');
    await frame.getByRole('heading', { name: 'All done' }).waitFor();
    await clickInCard(frame, 'Finish');
    await frame.getByText('You completed this walkthrough.').waitFor();
    // The page's dialog still works, and closing it puts the host back.
    await page.locator('#close-modal').click();
    await until(() => page.evaluate(() => document.querySelector('html > div[popover]')?.parentElement === document.documentElement), 'the host back under <html>');

    const after = await hostShape(page);
    assert.equal(after.waymarkElements, 1);
    assert.equal(after.hostIsRootChild, true);
    assert.deepEqual(after.head, before.head, 'nothing added to <head>');
    assert.equal(after.shadowVisibleToPage, false, 'the shadow root is closed');
    assert.deepEqual(problems, [], 'host console is clean');
  });
});
