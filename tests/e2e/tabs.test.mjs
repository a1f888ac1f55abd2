// A walkthrough continues in another tab of the same origin: progress is
// kept per origin, so a tab the user opens while following a step picks the
// walkthrough up at the same step.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickLauncher, launch, overlayFrame, settled, startDemoApp, watchConsole } from './harness.mjs';

describe('tabs', () => {
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

  test('a second tab of the same origin continues the walkthrough', async () => {
    const first = await browser.context.newPage();
    const problems = watchConsole(first);
    await first.goto(`${app.url}/crm/deals`);
    await first.getByTestId('new-deal').waitFor();
    await clickLauncher(first);
    const frame = await overlayFrame(first);
    const item = frame.locator('button.item', { hasText: 'Create a deal' });
    await item.waitFor();
    await settled(frame, 'starting');
    await item.click();
    await frame.getByText('1 of 5').waitFor();
    await first.getByTestId('new-deal').click();
    await frame.getByText('2 of 5').waitFor();

    const second = await browser.context.newPage();
    const problems2 = watchConsole(second);
    await second.goto(`${app.url}/crm/deals/new`);
    const frame2 = await overlayFrame(second);
    await frame2.getByText('2 of 5').waitFor();
    await frame2.getByRole('heading', { name: 'Name the deal' }).waitFor();
    assert.deepEqual([...problems, ...problems2], [], 'host consoles are clean');
  });
});
