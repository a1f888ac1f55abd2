// The content format, end to end in the extension: a decision step offers its
// choices and branches on the answer (Back retraces the path), and a French
// browser gets the French strings, with English where none were written; an
// error on screen that matches a trigger offers its fix at once (Solve).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickInCard, clickLauncher, launch, overlayFrame, settled, startDemoApp, watchConsole } from './harness.mjs';

describe('content format', () => {
  let app;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
  });
  after(() => app?.stop());

  test('a decision tree branches on the answer and Back retraces it', async () => {
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      const problems = watchConsole(page);
      await page.goto(`${app.url}/pos/checkout`);
      await page.getByTestId('charge').waitFor();
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      const item = frame.locator('button.item', { hasText: 'Take payment after a declined card' });
      await item.waitFor();
      await settled(frame, 'choosing the walkthrough');
      await item.click();
      await frame.getByRole('heading', { name: 'Can the customer pay another way?' }).waitFor();
      const choices = await frame.locator('button.choice').allInnerTexts();
      assert.deepEqual(choices, ['Another card', 'Cash', 'Neither']);
      assert.ok(await frame.getByRole('button', { name: 'Next', exact: true }).isDisabled(), 'a decision waits for an answer');
      await clickInCard(frame, 'Cash');
      await frame.getByRole('heading', { name: 'Take cash' }).waitFor();
      await clickInCard(frame, 'Back');
      await frame.getByRole('heading', { name: 'Can the customer pay another way?' }).waitFor();
      await clickInCard(frame, 'Neither');
      await frame.getByRole('heading', { name: 'Park the sale' }).waitFor();
      await clickInCard(frame, 'Finish');
      await frame.getByText('Take payment after a declined card').waitFor();
      assert.deepEqual(problems, [], 'host console is clean');
    } finally {
      await browser.close();
    }
  });

  test('a French browser sees the French translation, with English fallback', async () => {
    const browser = await launch({ locale: 'fr-FR' });
    try {
      const page = await browser.context.newPage();
      const problems = watchConsole(page);
      await page.goto(`${app.url}/crm/deals`);
      await page.getByTestId('new-deal').waitFor();
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      const item = frame.locator('button.item', { hasText: 'Créer une affaire' });
      await item.waitFor();
      await settled(frame, 'choosing the walkthrough');
      await item.click();
      await frame.getByRole('heading', { name: 'Commencer une nouvelle affaire' }).waitFor();
      await frame.getByText('Cliquez sur').waitFor();
      await page.getByTestId('new-deal').click();
      // Step 2 has no French text: the English source fills in.
      await frame.getByRole('heading', { name: 'Name the deal' }).waitFor();
      assert.deepEqual(problems, [], 'host console is clean');
    } finally {
      await browser.close();
    }
  });

  test('a declined card on screen offers its fix, which starts on "Show me"', async () => {
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      const problems = watchConsole(page);
      await page.goto(`${app.url}/pos/checkout`);
      await page.getByTestId('charge').waitFor();
      // Two grinders are over the demo card's limit: the terminal declines.
      const grinder = page.getByRole('button', { name: /^Burr grinder/ });
      await grinder.click();
      await grinder.click();
      await page.getByTestId('charge').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('alert').filter({ hasText: 'Card declined' }).waitFor();
      const frame = await overlayFrame(page);
      await frame.getByText('Need help with this?').waitFor();
      await frame.getByText('Take payment after a declined card').waitFor();
      await settled(frame, 'the offer');
      await clickInCard(frame, 'Show me');
      await frame.getByRole('heading', { name: 'Can the customer pay another way?' }).waitFor();
      await clickInCard(frame, 'Cash');
      await frame.getByRole('heading', { name: 'Take cash' }).waitFor();
      assert.deepEqual(problems, [], 'host console is clean');
    } finally {
      await browser.close();
    }
  });
});
