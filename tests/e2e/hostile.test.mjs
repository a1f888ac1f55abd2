// A hostile host page: it redefines DOM and observer APIs in its own world,
// floods events, and removes Waymark's overlay. Guidance runs in the
// extension's isolated world, so the redefinitions do not reach it; a removed
// overlay comes back; a page that keeps removing it wins, and guidance stops
// with a recorded reason. The page keeps working throughout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickLauncher, isOverlay, launch, overlayFrame, settled, startDemoApp, until, watchConsole } from './harness.mjs';

describe('hostile page', () => {
  let app;
  let browser;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    app?.stop();
  });

  test('redefined APIs, event floods and a removed overlay', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();
    await page.evaluate(() => {
      const boom = () => {
        throw new Error('hostile page');
      };
      Element.prototype.matches = boom;
      Element.prototype.getBoundingClientRect = boom;
      Document.prototype.querySelectorAll = boom;
      window.MutationObserver = boom;
      window.requestAnimationFrame = boom;
    });
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: 'Create a deal' });
    await item.waitFor();
    await settled(frame, 'starting');
    await item.click();
    await frame.getByText('1 of 5').waitFor();

    // Floods of events the agent listens to.
    await page.evaluate(() => {
      for (let i = 0; i < 5000; i++) {
        document.dispatchEvent(new Event('scroll'));
        document.body.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      }
    });
    // Removed once: it comes back, card and all.
    await page.evaluate(() => document.querySelector('html > div[popover]').remove());
    // (The page broke querySelectorAll for itself, so count another way.)
    await until(() => page.evaluate(() => [...document.documentElement.children].filter((e) => e.getAttribute('popover') === 'manual').length === 1), 'the overlay back');
    // The overlay frame was removed with it: a fresh one shows the same card.
    const again = await until(() => page.frames().find((f) => f !== frame && !f.isDetached() && isOverlay(f)), 'a fresh overlay frame');
    await again.getByText('1 of 5').waitFor();
    await page.getByTestId('new-deal').click();
    await again.getByText('2 of 5').waitFor();

    // Removed every time it appears: guidance stops, with the reason queued.
    await page.evaluate(() => {
      // (The page broke its own MutationObserver above: a timer loop.)
      const kill = () => document.querySelector('html > div[popover]')?.remove();
      kill();
      window.hostileTimer = setInterval(kill, 5);
    });
    const queue = await until(async () => {
      const queue = await browser.worker.evaluate(() => waymark.records());
      return queue.some((r) => r.kind === 'guidance_stopped') ? queue : null;
    }, 'guidance to stop with a reason', 20_000);
    const stopped = queue.find((r) => r.kind === 'guidance_stopped');
    assert.match(stopped.reason, /keeps removing/);
    assert.equal(stopped.content?.id, 'create-deal');
    await page.evaluate(() => clearInterval(window.hostileTimer));
    // The page itself still works.
    await page.getByLabel('Deal name').fill('Still works');
    assert.equal(await page.getByLabel('Deal name').inputValue(), 'Still works');
    assert.deepEqual(problems, [], 'host console is clean');
  });
});
