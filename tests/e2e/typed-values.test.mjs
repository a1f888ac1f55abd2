// What a user types stays in the page (issue 12, finding 4). A step that
// moves on when a value is typed gets the value rule from the engine; the
// agent matches it in the page and says only "it matches", once. Password,
// card and one-time-code fields count only "something was typed". Proved
// by listening to every message the extension's worker receives, from the
// agent and the overlay frame, while a user types a reference, a password
// and a card number into the app: none of them arrives, and none is kept.
//
//   page field ──input/change──▶ agent (matches here) ──"target_input"──▶ worker
//                                 value stays here          no value
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clickLauncher, distWithContent, launch, overlayFrame, settled, startDemoApp, until, watchConsole,
} from './harness.mjs';

const PAY = `id = "pay-invoice"
title = "Pay an invoice"
moment = "apply"
owner = "qa"
status = "approved"
review_by = "2099-01-01"
applies_to = ["/crm/deals*"]

[[steps]]
id = "reference"
title = "Type the invoice reference"
target = ["[data-testid=pay-ref]"]
advance = "input"
value = "INV-*"

[[steps]]
id = "password"
title = "Confirm with your password"
target = ["[data-testid=pay-password]"]
advance = "input"

[[steps]]
id = "card"
title = "Enter the card number"
target = ["[data-testid=pay-card]"]
advance = "change"

[[steps]]
id = "done"
title = "Check and pay"
`;

// What the user types. None of these may reach the extension.
const REFERENCE = 'INV-90210-Zq7Kx';
const PASSWORD = 'hunter2-Sekr3t!';
const CARD = '4111 1111 1111 1111';
const WRONG = 'nope-Wr0ngRef';

describe('typed values never leave the page', () => {
  let app;
  let browser;
  let dist;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    dist = distWithContent({ 'waymark.toml': '[bundle]\nscope = ["http://127.0.0.1:*"]\n', 'pay.toml': PAY });
    browser = await launch({ dist: dist.dir });
  });
  after(async () => {
    await browser?.close();
    app?.stop();
    dist?.remove();
  });

  test('a reference, a password and a card number typed in guided fields reach no extension context', async () => {
    // Every message the worker receives from now on, from every port (the
    // agent's and the frame's), as the worker's own listeners get them.
    await browser.worker.evaluate(() => {
      globalThis.heard = [];
      chrome.runtime.onConnect.addListener((port) => {
        port.onMessage.addListener((m) => globalThis.heard.push(JSON.stringify(m)));
      });
      chrome.runtime.onMessage.addListener((m) => { globalThis.heard.push(JSON.stringify(m)); });
    });
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();
    // The app's payment form (as a POS would show it).
    await page.evaluate(() => {
      const form = document.createElement('form');
      form.setAttribute('aria-label', 'Payment');
      const field = (testid, label, attrs) => {
        const l = document.createElement('label');
        l.textContent = `${label} `;
        const input = document.createElement('input');
        input.dataset.testid = testid;
        for (const [k, v] of Object.entries(attrs)) input.setAttribute(k, v);
        l.append(input);
        form.append(l);
      };
      field('pay-ref', 'Invoice reference', { type: 'text' });
      field('pay-password', 'Password', { type: 'password', autocomplete: 'current-password' });
      field('pay-card', 'Card number', { type: 'text', autocomplete: 'cc-number', inputmode: 'numeric' });
      form.addEventListener('submit', (e) => e.preventDefault());
      document.querySelector('main')?.prepend(form) ?? document.body.prepend(form);
    });

    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: 'Pay an invoice' });
    await item.waitFor();
    await settled(frame, 'choosing a walkthrough');
    await item.click();
    await frame.getByText('1 of 4').waitFor();

    // A value the rule does not take is typed first (and must not leak
    // either), then the one it takes.
    await page.getByTestId('pay-ref').pressSequentially(WRONG);
    await page.getByTestId('pay-ref').fill('');
    await page.getByTestId('pay-ref').pressSequentially(REFERENCE);
    await frame.getByText('2 of 4').waitFor();
    await page.getByTestId('pay-password').pressSequentially(PASSWORD);
    await frame.getByText('3 of 4').waitFor();
    await page.getByTestId('pay-card').pressSequentially(CARD);
    await page.keyboard.press('Tab');
    await frame.getByText('4 of 4').waitFor();

    const heard = await browser.worker.evaluate(() => globalThis.heard);
    assert.ok(heard.some((m) => m.includes('"target_input"')), `the agent reported matches: ${heard.length} messages`);
    const kept = JSON.stringify({
      heard,
      records: await browser.worker.evaluate(() => waymark.records()),
      local: await browser.worker.evaluate(() => chrome.storage.local.get(null)),
      session: await browser.worker.evaluate(() => chrome.storage.session.get(null)),
    });
    for (const secret of [REFERENCE, PASSWORD, CARD, WRONG, '90210', 'Sekr3t', '4111', 'Wr0ng']) {
      assert.ok(!kept.includes(secret), `"${secret}" reached the extension`);
    }
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});
