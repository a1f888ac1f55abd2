// The help panel, keyboard only: open it with the shortcut, search with a
// typo, open the article, go back, close. A query that finds nothing is
// queued for analytics. Strict CSP + Trusted Types; the host console stays clean.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { frameBox, launch, overlayFrame, startDemoApp, until, watchConsole } from './harness.mjs';

describe('help panel (csp strict)', () => {
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

  test('keyboard only: shortcut, typo search, article, back, close', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();

    await page.keyboard.press('Alt+Shift+H');
    const frame = await overlayFrame(page);
    const focused = (selector) => frame.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
    await until(() => focused('input.search'), 'focus in the search box');

    // Before typing: what applies to this page.
    await frame.getByRole('heading', { name: 'For this page' }).waitFor();
    const titles = await frame.locator('.item-title').allTextContents();
    assert.ok(titles.includes('Create a deal') && titles.includes('Deal stages explained'), titles.join(', '));
    assert.ok(!titles.includes('Refund a partial order'), 'POS content is not offered on the CRM screen');

    // Results as you type, through a typo.
    await page.keyboard.type('deal stgaes');
    await frame.getByRole('heading', { name: 'Results' }).waitFor();
    await until(async () => (await frame.locator('.item-title').first().textContent()) === 'Deal stages explained', 'the article first');
    assert.ok((await frame.locator('.item mark').count()) > 0, 'matched words are marked');

    // ↓ then ↑ moves the selection; Enter opens the selected article.
    await page.keyboard.press('ArrowDown');
    await frame.locator('#result-1[aria-selected=true]').waitFor();
    await page.keyboard.press('ArrowUp');
    await frame.locator('#result-0[aria-selected=true]').waitFor();
    await page.keyboard.press('Enter');
    await frame.getByRole('heading', { name: 'Deal stages explained' }).waitFor();
    await frame.getByText('a possible customer, not yet contacted').waitFor();
    await until(() => focused('button.back'), 'focus on Back');

    // Esc goes back to the results, with the query kept; Esc again closes.
    await page.keyboard.press('Escape');
    await frame.getByRole('heading', { name: 'Results' }).waitFor();
    assert.equal(await frame.locator('input.search').inputValue(), 'deal stgaes');
    await until(() => focused('input.search'), 'focus back in the search box');
    await page.keyboard.press('Escape');
    await until(async () => (await frameBox(frame)) === null, 'the panel to close');

    // Nothing found: related content is offered and the query is queued.
    await page.keyboard.press('Alt+Shift+H');
    await until(() => focused('input.search'), 'focus in the search box again');
    await page.keyboard.type('xyzzy plugh');
    await frame.getByText('No results for “xyzzy plugh”').waitFor();
    assert.ok((await frame.locator('.item-title').count()) > 0, 'related content is suggested');
    await page.keyboard.press('Escape');
    const queue = await until(async () => {
      const queue = await browser.worker.evaluate(() => waymark.records());
      return queue?.length ? queue : null;
    }, 'the zero-result query in the queue');
    assert.equal(queue.at(-1).kind, 'search_zero');
    assert.equal(queue.at(-1).query, 'xyzzy plugh');
    // The page as origin + matched pattern, never its URL.
    assert.equal(queue.at(-1).origin, new URL(app.url).origin);
    assert.equal(queue.at(-1).url, undefined);

    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});
