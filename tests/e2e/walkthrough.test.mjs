// The walking skeleton, end to end, in Chromium and in Firefox ESR (one
// scenario, two drivers: browsers.mjs): the packed extension guides "Create
// a deal" on demo-app, with and without a strict CSP + Trusted Types.
// Start from the launcher, card beside the right element, advance on the
// real click, resume after a reload, complete. The host console stays clean
// and the host DOM gains exactly one element. (Where a driver cannot see a
// box, `session.can` says so and that check is Chromium's alone.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST, gap, hostShape, overlaps, shadowBox, startDemoApp, until } from './harness.mjs';
import { BROWSERS, launchIn } from './browsers.mjs';

for (const kind of BROWSERS) {
  for (const csp of ['off', 'strict']) {
    describe(`${kind}: create a deal (csp ${csp})`, () => {
      let app;
      let browser;
      before(async () => {
        app = await startDemoApp({ csp });
        browser = await launchIn(kind);
      });
      after(async () => {
        await browser?.close();
        app?.stop();
      });

      test('guides the walkthrough from the launcher to completion', async () => {
        const tab = await browser.tab();
        const headers = await tab.goto(`${app.url}/crm/deals`);
        assert.equal(Boolean(headers['content-security-policy']?.includes('require-trusted-types-for')), csp === 'strict');
        await tab.waitFor('[data-testid=new-deal]');
        const before = await hostShape(tab.raw);

        // The launcher lists what applies here, and starts it.
        await tab.launcher();
        const frame = await tab.overlay('Create a deal');
        assert.doesNotMatch(await frame.text(), /Refund a partial order/, 'only walkthroughs that apply to /crm/deals are listed');
        await frame.click('button.item[data-id="create-deal"]');

        // Step 1: the card sits beside "New deal", not on it, with a spotlight.
        await frame.waitText('1 of 5');
        await frame.waitText('Start a new deal');
        const target = await tab.box('[data-testid=new-deal]');
        const card = await until(() => frame.box(), 'the card to be placed');
        assert.ok(!overlaps(card, target), `card ${JSON.stringify(card)} covers the target ${JSON.stringify(target)}`);
        assert.ok(gap(card, target) <= 24, `card ${JSON.stringify(card)} is not beside the target ${JSON.stringify(target)}`);
        if (browser.can.pierce) {
          const spot = await until(() => tab.spotBox(), 'the spotlight');
          assert.ok(Math.abs(spot.x - (target.x - 4)) <= 2 && Math.abs(spot.y - (target.y - 4)) <= 2, 'spotlight on the target');
          assert.equal(spot.shadowMode, 'closed');
        }

        // Clicking the real target advances; the next target renders late on a new route.
        await tab.click('[data-testid=new-deal]');
        await frame.waitText('2 of 5');
        const nameBox = await tab.box('input[name=name]');
        await until(async () => {
          const b = await frame.box();
          return b && gap(b, nameBox) <= 24 && !overlaps(b, nameBox) ? b : null;
        }, 'the card beside the Deal name field');
        // This step moves on when the name is entered: typing, then leaving the field.
        assert.equal(await frame.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Next')?.disabled), true);
        await tab.fill('input[name=name]', 'Globex – 40 POS terminals');
        await tab.press('Tab');
        await frame.waitText('3 of 5');

        // A reload mid-walkthrough resumes at the same step.
        await tab.reload();
        const again = await tab.overlay('3 of 5');
        await again.waitText('Enter the amount');
        await tab.fill('input[name=name]', 'Globex – 40 POS terminals');
        await tab.fill('input[name=company]', 'Globex');
        await tab.fill('input[name=amount]', '48000');
        await again.button('Next');
        await again.waitText('4 of 5');
        await again.button('Next');
        await again.waitText('5 of 5');

        // Back and Next work, and the last step completes on the real click.
        await again.button('Back');
        await again.waitText('4 of 5');
        await again.button('Next');
        await again.waitText('5 of 5');
        await tab.click('[data-testid=save-deal]');

        // The comprehension check follows, is scored, and lands in the queue.
        await again.waitText('Question 1 of 1');
        await again.click('input[type=radio][value="0"]'); // Prospecting
        await again.button('Submit');
        await again.waitText('You completed this walkthrough.');
        await again.waitText('Check: 1 of 1 right. Passed.');
        const queue = await until(async () => {
          const queue = await browser.records();
          return queue.some((r) => r.kind === 'check_completed') ? queue : null;
        }, 'the check records');
        const answered = queue.find((r) => r.kind === 'answered');
        assert.deepEqual([answered.content.id, answered.question, answered.correct], ['create-deal', 0, true]);
        assert.match(answered.content.version, /^[0-9a-f]{16}$/);
        assert.equal(queue.find((r) => r.kind === 'check_completed').passed, true);
        await until(() => tab.evaluate(() => [...document.querySelectorAll('td')].some((td) => td.textContent === 'Globex – 40 POS terminals')), 'the new deal in the list');
        await again.button('Close');
        await until(async () => !(await again.text()).includes('You completed'), 'the card to close');
        await until(async () => (await again.box()) === null, 'the frame to hide');

        // Completed means gone: a reload starts nothing (no card in either
        // browser; Chromium also checks the spotlight).
        await tab.reload();
        await tab.waitFor('[data-testid=new-deal]');
        await until(() => tab.evaluate((host) => !!document.querySelector(host), HOST), 'the Waymark host after reload');
        const frames = await tab.overlays();
        for (const o of frames) assert.doesNotMatch(await o.text(), /of 5/, 'no card after completion');
        if (browser.can.pierce) {
          await until(() => shadowBox(tab.raw, 'button.launcher:not([hidden])'), 'the launcher after reload');
          assert.equal(await tab.spotBox(), null, 'no spotlight after completion');
        }

        const afterShape = await hostShape(tab.raw);
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
        assert.deepEqual(tab.problems, [], 'host console is clean');
        await tab.close();
      });
    });
  }
}
