// The walking skeleton, end to end: the packed extension in Debian Chromium
// guides "Create a deal" on demo-app, with and without a strict CSP +
// Trusted Types. Start from the launcher, card beside the right element,
// advance on the real click, resume after a reload, complete. The host console
// stays clean and the host DOM gains exactly one element.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clickInCard, clickLauncher, frameBox, gap, hostShape, launch, overlaps, overlayFrame, settled, shadowBox, startDemoApp, until, watchConsole,
} from './harness.mjs';

for (const csp of ['off', 'strict']) {
  describe(`create a deal (csp ${csp})`, () => {
    let app;
    let browser;
    before(async () => {
      app = await startDemoApp({ csp });
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      app?.stop();
    });

    test('guides the walkthrough from the launcher to completion', async () => {
      const page = await browser.context.newPage();
      const problems = watchConsole(page);
      const cspHeader = (await page.goto(`${app.url}/crm/deals`)).headers()['content-security-policy'];
      assert.equal(Boolean(cspHeader?.includes('require-trusted-types-for')), csp === 'strict');
      await page.getByTestId('new-deal').waitFor();
      const before = await hostShape(page);

      // The launcher lists what applies here, and starts it.
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      const item = frame.locator('button.item', { hasText: 'Create a deal' });
      await item.waitFor();
      assert.equal(await frame.locator('button.item', { hasText: 'Refund a partial order' }).count(), 0,
        'only walkthroughs that apply to /crm/deals are listed');
      await settled(frame, 'choosing a walkthrough');
      await item.click();

      // Step 1: the card sits beside "New deal", not on it, with a spotlight.
      await frame.getByText('1 of 5').waitFor();
      await frame.getByRole('heading', { name: 'Start a new deal' }).waitFor();
      const target = await page.getByTestId('new-deal').boundingBox();
      const card = await until(() => frameBox(frame), 'the card to be placed');
      assert.ok(!overlaps(card, target), `card ${JSON.stringify(card)} covers the target ${JSON.stringify(target)}`);
      assert.ok(gap(card, target) <= 24, `card ${JSON.stringify(card)} is not beside the target ${JSON.stringify(target)}`);
      const spot = await until(() => shadowBox(page, '.spot:not([hidden])'), 'the spotlight');
      assert.ok(Math.abs(spot.x - (target.x - 4)) <= 2 && Math.abs(spot.y - (target.y - 4)) <= 2, 'spotlight on the target');
      assert.equal(spot.shadowMode, 'closed');

      // Clicking the real target advances; the next target renders late on a new route.
      await page.getByTestId('new-deal').click();
      await frame.getByText('2 of 5').waitFor();
      const nameBox = await page.getByLabel('Deal name').boundingBox();
      const card2 = await until(async () => {
        const b = await frameBox(frame);
        return b && gap(b, nameBox) <= 24 && !overlaps(b, nameBox) ? b : null;
      }, 'the card beside the Deal name field');
      assert.ok(card2);
      // This step moves on when the name is entered: typing, then leaving the field.
      assert.ok(await frame.getByRole('button', { name: 'Next', exact: true }).isDisabled());
      await page.getByLabel('Deal name').fill('Globex – 40 POS terminals');
      await page.getByLabel('Deal name').press('Tab');
      await frame.getByText('3 of 5').waitFor();

      // A reload mid-walkthrough resumes at the same step.
      await page.reload();
      const frameAfter = await overlayFrame(page);
      await frameAfter.getByText('3 of 5').waitFor();
      await frameAfter.getByRole('heading', { name: 'Enter the amount' }).waitFor();
      await page.getByLabel('Deal name').fill('Globex – 40 POS terminals');
      await page.getByLabel('Company').fill('Globex');
      await page.getByLabel('Amount').fill('48000');
      await clickInCard(frameAfter, 'Next');
      await frameAfter.getByText('4 of 5').waitFor();
      await clickInCard(frameAfter, 'Next');
      await frameAfter.getByText('5 of 5').waitFor();

      // Back and Next work, and the last step completes on the real click.
      await clickInCard(frameAfter, 'Back');
      await frameAfter.getByText('4 of 5').waitFor();
      await clickInCard(frameAfter, 'Next');
      await frameAfter.getByText('5 of 5').waitFor();
      await until(() => frameBox(frameAfter), 'the card beside Save deal');
      await page.getByTestId('save-deal').click();

      // The comprehension check follows, is scored, and lands in the queue.
      await frameAfter.getByText('Question 1 of 1').waitFor();
      await settled(frameAfter, 'answering');
      await frameAfter.getByLabel('Prospecting').check();
      await clickInCard(frameAfter, 'Submit');
      await frameAfter.getByText('You completed this walkthrough.').waitFor();
      await frameAfter.getByText('Check: 1 of 1 right. Passed.').waitFor();
      const queue = await until(async () => {
        const queue = await browser.worker.evaluate(() => waymark.records());
        return queue.some((r) => r.kind === 'check_completed') ? queue : null;
      }, 'the check records');
      const answered = queue.find((r) => r.kind === 'answered');
      assert.deepEqual([answered.content.id, answered.question, answered.correct], ['create-deal', 0, true]);
      assert.match(answered.content.version, /^[0-9a-f]{16}$/);
      assert.equal(queue.find((r) => r.kind === 'check_completed').passed, true);
      await page.getByRole('heading', { name: 'Deals' }).waitFor();
      await page.getByRole('cell', { name: 'Globex – 40 POS terminals', exact: true }).waitFor();
      await clickInCard(frameAfter, 'Close');
      await until(async () => (await frameBox(frameAfter)) === null, 'the frame to hide');

      // Completed means gone: a reload starts nothing.
      await page.reload();
      await page.getByTestId('new-deal').waitFor();
      await until(() => shadowBox(page, 'button.launcher:not([hidden])'), 'the launcher after reload');
      const spotAfter = await shadowBox(page, '.spot:not([hidden])');
      assert.equal(spotAfter, null, 'no spotlight after completion');

      const afterShape = await hostShape(page);
      assert.deepEqual(afterShape.html, before.html, 'nothing beside the host element under <html>');
      assert.equal(afterShape.hostIsRootChild, true);
      assert.deepEqual(afterShape.body, before.body);
      assert.deepEqual(afterShape.head, before.head, 'nothing added to <head>');
      assert.deepEqual(afterShape.htmlAttrs, before.htmlAttrs);
      assert.deepEqual(afterShape.bodyAttrs, before.bodyAttrs);
      assert.equal(afterShape.styleSheets, before.styleSheets, 'no global CSS');
      assert.equal(afterShape.adopted, before.adopted, 'no global adopted sheets');
      assert.equal(afterShape.waymarkElements, 1);
      assert.equal(afterShape.shadowVisibleToPage, false, 'the shadow root is closed');
      assert.deepEqual(problems, [], 'host console is clean');
      await page.close();
    });
  });
}
