// Waymark in Firefox ESR (issue 16): the same extension, built for Firefox
// by `cargo xtask dist` (target/dist/firefox), guides "Create a deal" on
// demo-app with its CSP off and strict: the engine runs in the event page
// (wasm), the agent in the page, the views in the overlay frame. The host
// console stays clean.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoApp, watchConsole } from './harness.mjs';
import { clickInFrame, clickLauncher, launchFirefox, overlayWith } from './firefox.mjs';

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
