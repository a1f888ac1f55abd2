// Moments of need at runtime (issue 15), end to end on demo-app under the
// strict CSP + Trusted Types, each with a clean host console:
// - New: the sample "Your first time-off request" starts by itself on the
//   first visit to Time off, and not again for that version;
// - More: a finished walkthrough's card suggests what next, and opens it;
//   the panel filters by moment;
// - Change: the refund walkthrough's change note shows once as "What
//   changed", and not again for that version;
// - audiences: content for a role is absent from the panel, search and
//   links while nobody is known;
// - deep links: a link that names a walkthrough starts it, one that names
//   an article opens it, one that names nothing here says so; the
//   parameter leaves the address bar.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clickLauncher, distWithContent, frameBox, launch, overlayFrame, settled, startDemoApp, until, watchConsole } from './harness.mjs';

describe('moments of need', () => {
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

  test('a first visit starts the onboarding walkthrough once, and never again for that version', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/hr/time-off`);
    const frame = await overlayFrame(page);
    await frame.getByRole('heading', { name: 'Ask for time off here' }).waitFor();
    await frame.getByText('1 of 2').waitFor();
    // It started by itself: the card offers the ways out.
    await frame.getByRole('button', { name: 'Not now' }).waitFor();
    await frame.getByRole('button', { name: "Don't show again" }).waitFor();
    await settled(frame, 'ending it');
    await frame.getByRole('button', { name: 'End walkthrough' }).click();
    await until(async () => (await frameBox(frame)) === null, 'the card to close');

    // The next visit: nothing starts. Open and close help to be sure the
    // engine has had the page (a walkthrough would show once help closes).
    await page.reload();
    await page.getByRole('button', { name: 'Request time off' }).waitFor();
    await clickLauncher(page);
    const f2 = await overlayFrame(page);
    await f2.getByRole('heading', { name: 'Help' }).waitFor();
    await f2.locator('button.item', { hasText: 'Your first time-off request' }).waitFor();
    await settled(f2, 'closing help');
    await f2.getByRole('button', { name: 'Close help' }).click();
    await until(async () => (await frameBox(f2)) === null, 'help to close, and nothing to start');
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('a finished walkthrough suggests what next; the panel filters by moment', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/hr/time-off#waymark=request-time-off`);
    const frame = await overlayFrame(page);
    await frame.getByText('1 of 2').waitFor();
    await page.getByRole('button', { name: 'Request time off' }).click();
    await frame.getByText('2 of 2').waitFor();
    await settled(frame, 'finishing');
    await frame.getByRole('button', { name: 'Finish' }).click();
    await frame.getByText('You completed this walkthrough.').waitFor();
    const next = frame.getByRole('button', { name: 'How much time off you can take' });
    await next.waitFor();
    await settled(frame, 'what next');
    await next.click();
    await frame.getByRole('heading', { name: 'How much time off you can take' }).waitFor();

    // The panel: everything for this page, then only "Learn more".
    await settled(frame, 'back to the list');
    await frame.getByRole('button', { name: 'Back to results' }).click();
    const filter = frame.getByRole('combobox', { name: 'Show' });
    await filter.waitFor();
    await frame.locator('button.item', { hasText: 'Your first time-off request' }).waitFor();
    await filter.selectOption('more');
    await until(async () => !(await frame.locator('button.item', { hasText: 'Your first time-off request' }).count()), 'the filter to apply');
    await frame.locator('button.item', { hasText: 'How much time off you can take' }).waitFor();
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('a change note shows once as "What changed", and leads to the walkthrough', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/pos/refunds`);
    const frame = await overlayFrame(page);
    const card = frame.getByRole('status', { name: 'What changed' });
    await card.getByText('You now tick returned items in the order\'s table, then choose a reason.').waitFor();
    await card.getByText('Refund a partial order').waitFor();
    await settled(frame, 'got it');
    await frame.getByRole('button', { name: 'Got it' }).click();
    await until(async () => (await frameBox(frame)) === null, 'the card to close');

    await page.reload();
    await page.getByRole('heading', { name: 'Refunds' }).waitFor();
    await clickLauncher(page);
    const f2 = await overlayFrame(page);
    await f2.getByRole('heading', { name: 'Help' }).waitFor();
    await settled(f2, 'closing help');
    await f2.getByRole('button', { name: 'Close help' }).click();
    await until(async () => (await frameBox(f2)) === null, 'help to close, and no change card again');
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('content for a role is absent from the panel, search and links while nobody is known', async () => {
    const dist = distWithContent({
      'articles/manager-overrides.md': '+++\nid = "manager-overrides"\ntitle = "Approving a discount override"\nmoment = "apply"\nowner = "sales-ops"\nstatus = "approved"\nreview_by = 2027-05-31\napplies_to = ["/crm/*"]\ntags = ["discount"]\n[audience]\nroles = ["sales-manager"]\n+++\n\nOnly managers approve discount overrides above 20 %.\n',
    }, { library: join(import.meta.dirname, '../../walkthroughs/library') });
    const other = await launch({ dist: dist.dir });
    try {
      const page = await other.context.newPage();
      const problems = watchConsole(page);
      await page.goto(`${app.url}/crm/deals`);
      await page.getByTestId('new-deal').waitFor();
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      await frame.locator('button.item', { hasText: 'Create a deal' }).waitFor();
      assert.equal(await frame.locator('button.item', { hasText: 'Approving a discount override' }).count(), 0, 'not listed');
      await frame.getByRole('combobox', { name: 'Search help' }).fill('discount override');
      await frame.getByRole('heading', { name: /No results|Results/ }).waitFor();
      assert.equal(await frame.locator('button.item', { hasText: 'Approving a discount override' }).count(), 0, 'not found');
      await page.goto(`${app.url}/crm/deals#waymark=manager-overrides`);
      const f2 = await overlayFrame(page);
      await f2.getByRole('status').filter({ hasText: '“manager-overrides”, which is not in the help available to you here' }).waitFor();
      assert.deepEqual(problems, [], 'host console is clean');
    } finally {
      await other.close();
      dist.remove();
    }
  });

  test('a deep link starts its walkthrough and leaves the address bar', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals?view=mine#waymark=create-deal`);
    const frame = await overlayFrame(page);
    await frame.getByText('1 of 5').waitFor();
    await frame.getByRole('heading', { name: 'Start a new deal' }).waitFor();
    await until(async () => page.url() === `${app.url}/crm/deals?view=mine`, 'the link to leave the address bar');
    // The walkthrough goes on as any other.
    await page.getByTestId('new-deal').click();
    await frame.getByText('2 of 5').waitFor();
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('a deep link opens an article, and one to nothing here says so', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals?waymark=deal-stages`);
    const frame = await overlayFrame(page);
    await frame.getByRole('heading', { name: 'Deal stages explained' }).waitFor();
    await until(async () => page.url() === `${app.url}/crm/deals`, 'the link to leave the address bar');

    await page.goto(`${app.url}/crm/deals#waymark=no-such-guide`);
    const f2 = await overlayFrame(page);
    await f2.getByRole('status').filter({ hasText: '“no-such-guide”, which is not in the help available to you here' }).waitFor();
    // With what there is.
    await f2.locator('button.item', { hasText: 'Create a deal' }).waitFor();
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});
