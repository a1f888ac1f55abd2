// Moments of need at runtime (issue 15), end to end on demo-app under the
// strict CSP + Trusted Types: deep links into guidance. A link that names a
// walkthrough starts it, one that names an article opens it, one that names
// nothing here says so; the parameter leaves the address bar; the host
// console stays clean.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, overlayFrame, startDemoApp, until, watchConsole } from './harness.mjs';

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
