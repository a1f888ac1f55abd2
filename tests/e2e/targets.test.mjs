// Waiting for and reaching targets, end to end, in Chromium and Firefox ESR
// (one scenario, two drivers). A step whose element never shows up says so
// after its timeout (no silent centring, no dead tour), offers Try again,
// Skip and End, records each miss with the step and content version, and a
// skip carries on to the next step, which is found and spotlit: among many
// matching buttons, the one the engine's scoring picks. Targets inside a
// page's closed shadow root and a same-origin frame are found and the
// user's clicks there are seen (Firefox reaches closed roots through
// `element.openOrClosedShadowRoot`, Chromium through `chrome.dom`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoApp, until } from './harness.mjs';
import { BROWSERS, distWithContentFor, launchIn } from './browsers.mjs';

const SCOPE = '[bundle]\nscope = ["http://127.0.0.1:*"]\n';

const GHOST = `id = "ghost"
title = "Find a missing button"
moment = "more"
owner = "qa"
status = "approved"
applies_to = ["/crm/deals*"]

[[steps]]
id = "ghost-step"
title = "Press the export button"
target = ["[data-testid=export-deals]", "text/Export"]
timeout = 1

# The second alternative matches every button on the page: the agent
# reports them all and the engine's scoring picks the one the test id names.
[[steps]]
id = "open-form"
title = "Start a new deal"
target = ["[data-testid=new-deal]", "button"]
`;

const DEEP = `id = "deep"
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

for (const kind of BROWSERS) {
  describe(`${kind}: waiting for and reaching targets`, () => {
    let app;
    let browser;
    let dist;
    before(async () => {
      app = await startDemoApp({ csp: 'strict' });
      dist = distWithContentFor(kind, { 'waymark.toml': SCOPE, 'ghost.toml': GHOST, 'deep.toml': DEEP });
      browser = await launchIn(kind, { dist: dist.dir });
    });
    after(async () => {
      await browser?.close();
      app?.stop();
      dist?.remove();
    });

    test('a target that never appears: the card says so, Try again, Skip', async () => {
      const tab = await browser.tab();
      await tab.goto(`${app.url}/crm/deals`);
      await tab.waitFor('[data-testid=new-deal]');
      await tab.launcher();
      const frame = await tab.overlay('Find a missing button');
      await frame.click('button.item[data-id="ghost"]');

      await frame.waitText("Can't find this on the page");
      await frame.waitText('“Press the export button”');
      if (browser.can.pierce) assert.equal(await tab.spotBox(), null, 'no spotlight on nothing');
      await frame.button('Try again');
      await until(async () => !(await frame.text()).includes("Can't find this"), 'the step to be looked for again');
      await frame.waitText("Can't find this on the page");
      await frame.button('Skip step');
      await frame.waitText('Start a new deal');
      if (browser.can.pierce) {
        const target = await tab.box('[data-testid=new-deal]');
        await until(async () => {
          const spot = await tab.spotBox();
          return spot && Math.abs(spot.x + 4 - target.x) <= 2 && Math.abs(spot.y + 4 - target.y) <= 2;
        }, 'the spotlight on New deal, chosen among all the buttons');
      }
      // The pick, in either browser: clicking New deal (and no other
      // button) completes the walkthrough.
      await tab.click('[data-testid=new-deal]');
      await frame.waitText('You completed this walkthrough.');

      const queue = await until(async () => {
        const got = await browser.records();
        return got.filter((r) => r.kind === 'target_missing').length >= 2 ? got : null;
      }, 'two target_missing records');
      const missed = queue.filter((r) => r.kind === 'target_missing');
      assert.deepEqual(missed.map((r) => [r.content.id, r.step]), [['ghost', 'ghost-step'], ['ghost', 'ghost-step']]);
      assert.ok(missed.every((r) => /^[0-9a-f]{16}$/.test(r.content.version) && r.origin === new URL(app.url).origin && r.screen === '/crm/deals*' && r.url === undefined));
      assert.deepEqual(tab.problems, [], 'host console is clean');
      await tab.close();
    });

    test('targets in a closed shadow root and a same-origin frame, and the user\'s clicks there', async () => {
      const tab = await browser.tab();
      await tab.goto(`${app.url}/fixtures/chaos.html`);
      await tab.launcher();
      const panel = await tab.overlay('Reach the deep ones');
      await panel.click('button.item[data-id="deep"]');
      await panel.waitText('1 of 3');
      // The button is inside the page's closed shadow root, where neither
      // the page nor a driver reaches: the keyboard does (Tab from the
      // element before it, then Enter: a trusted click).
      await tab.focus('[data-testid=deep-target]');
      await tab.press('Tab');
      await until(() => tab.evaluate(() => document.activeElement?.id === 'widget'), 'focus in the widget');
      await tab.press('Enter');
      await panel.waitText('2 of 3');
      const inner = await tab.frame('/fixtures/frame.html');
      await inner.click('[data-testid=frame-button]');
      await panel.waitText('3 of 3');
      assert.deepEqual(tab.problems, [], 'host console is clean');
      await tab.close();
    });
  });
}
