// A hostile host page: it redefines DOM and observer APIs in its own world,
// floods events, and removes Waymark's overlay. Guidance runs in the
// extension's isolated world, so the redefinitions do not reach it; a removed
// overlay comes back; a page that keeps removing it wins, and guidance stops
// with a recorded reason. The page keeps working throughout. In Chromium
// and Firefox ESR (one scenario, two drivers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoApp, until } from './harness.mjs';
import { BROWSERS, launchIn } from './browsers.mjs';

for (const kind of BROWSERS) {
  describe(`${kind}: hostile page`, () => {
    let app;
    let browser;
    before(async () => {
      app = await startDemoApp({ csp: 'strict' });
      browser = await launchIn(kind);
    });
    after(async () => {
      await browser?.close();
      app?.stop();
    });

    test('redefined APIs, event floods and a removed overlay', async () => {
      const tab = await browser.tab();
      await tab.goto(`${app.url}/crm/deals`);
      await tab.waitFor('[data-testid=new-deal]');
      await tab.evaluate(() => {
        const boom = () => {
          throw new Error('hostile page');
        };
        Element.prototype.matches = boom;
        Element.prototype.getBoundingClientRect = boom;
        Document.prototype.querySelectorAll = boom;
        window.MutationObserver = boom;
        window.requestAnimationFrame = boom;
      });
      await tab.launcher();
      const frame = await tab.overlay('Create a deal');
      await frame.click('button.item[data-id="create-deal"]');
      await frame.waitText('1 of 5');

      // Floods of events the agent listens to.
      await tab.evaluate(() => {
        for (let i = 0; i < 5000; i++) {
          document.dispatchEvent(new Event('scroll'));
          document.body.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        }
      });
      // Removed once: it comes back, card and all.
      await tab.evaluate(() => document.querySelector('html > div[popover]').remove());
      // (The page broke querySelectorAll for itself, so count another way.)
      await until(() => tab.evaluate(() => [...document.documentElement.children].filter((e) => e.getAttribute('popover') === 'manual').length === 1), 'the overlay back');
      // The overlay frame was removed with it: a fresh one shows the same card.
      await until(() => frame.detached(), 'the first overlay frame to go');
      const again = await tab.overlay('1 of 5');
      await tab.click('[data-testid=new-deal]');
      await again.waitText('2 of 5');

      // Removed every time it appears: guidance stops, with the reason queued.
      await tab.evaluate(() => {
        // (The page broke its own MutationObserver above: a timer loop.)
        const kill = () => document.querySelector('html > div[popover]')?.remove();
        kill();
        window.hostileTimer = setInterval(kill, 5);
      });
      const queue = await until(async () => {
        const queue = await browser.records();
        return queue.some((r) => r.kind === 'guidance_stopped') ? queue : null;
      }, 'guidance to stop with a reason', 20_000);
      const stopped = queue.find((r) => r.kind === 'guidance_stopped');
      assert.match(stopped.reason, /keeps removing/);
      assert.equal(stopped.content?.id, 'create-deal');
      await tab.evaluate(() => clearInterval(window.hostileTimer));
      // The page itself still works.
      await tab.fill('input[name=name]', 'Still works');
      assert.equal(await tab.value('input[name=name]'), 'Still works');
      assert.deepEqual(tab.problems, [], 'host console is clean');
    });
  });
}
