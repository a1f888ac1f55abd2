// The help panel, keyboard only, in Chromium and Firefox ESR (one scenario,
// two drivers): open it with the shortcut, search with a typo, open the
// article, go back, close. A query that finds nothing is queued for
// analytics. Strict CSP + Trusted Types; the host console stays clean.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoApp, until } from './harness.mjs';
import { BROWSERS, launchIn } from './browsers.mjs';

for (const kind of BROWSERS) {
  describe(`${kind}: help panel (csp strict)`, () => {
    let app;
    let browser;
    before(async () => {
      app = await startDemoApp({ csp: 'strict' });
      browser = await launchIn(kind);
    });
    after(async () => {
      await browser?.close();
      app?.stop();
    });

    test('keyboard only: shortcut, typo search, article, back, close', async () => {
      const tab = await browser.tab();
      await tab.goto(`${app.url}/crm/deals`);
      await tab.waitFor('[data-testid=new-deal]');
      // The page is ready for the shortcut once Waymark's host is in it.
      await until(() => tab.evaluate(() => !!document.querySelector('html > div[popover]')), 'the Waymark host');

      await tab.press('Alt+Shift+H');
      const frame = await tab.overlay('For this page');
      await until(() => frame.focused('input.search'), 'focus in the search box');

      // Before typing: what applies to this page.
      const titles = () => frame.evaluate(() => [...document.querySelectorAll('.item-title')].map((e) => e.textContent));
      const shown = await titles();
      assert.ok(shown.includes('Create a deal') && shown.includes('Deal stages explained'), shown.join(', '));
      assert.ok(!shown.includes('Refund a partial order'), 'POS content is not offered on the CRM screen');

      // Results as you type, through a typo.
      await tab.type('deal stgaes');
      await frame.waitText('Results');
      await until(async () => (await titles())[0] === 'Deal stages explained', 'the article first');
      assert.ok((await frame.count('.item mark')) > 0, 'matched words are marked');

      // ↓ then ↑ moves the selection; Enter opens the selected article.
      await tab.press('ArrowDown');
      await until(() => frame.count('#result-1[aria-selected=true]'), 'the second result selected');
      await tab.press('ArrowUp');
      await until(() => frame.count('#result-0[aria-selected=true]'), 'the first result selected');
      await tab.press('Enter');
      // (The results' excerpts carry the article's words too: wait for its heading.)
      await until(() => frame.evaluate(() => [...document.querySelectorAll('h1, h2, h3')].some((h) => h.textContent === 'Deal stages explained')), 'the article\'s heading');
      await frame.waitText('a possible customer, not yet contacted');
      await until(() => frame.focused('button.back'), 'focus on Back');

      // Esc goes back to the results, with the query kept; Esc again closes.
      await tab.press('Escape');
      await frame.waitText('Results');
      assert.equal(await frame.evaluate(() => document.querySelector('input.search').value), 'deal stgaes');
      await until(() => frame.focused('input.search'), 'focus back in the search box');
      await tab.press('Escape');
      await until(async () => (await frame.text()).trim() === '', 'the panel to close');
      await until(async () => (await frame.box()) === null, 'the frame to hide');

      // Nothing found: related content is offered and the query is queued.
      await tab.press('Alt+Shift+H');
      await until(() => frame.focused('input.search'), 'focus in the search box again');
      await tab.type('xyzzy plugh');
      await frame.waitText('No results for “xyzzy plugh”');
      assert.ok((await frame.count('.item-title')) > 0, 'related content is suggested');
      await tab.press('Escape');
      const queue = await until(async () => {
        const queue = await browser.records();
        return queue?.some((r) => r.kind === 'search_zero') ? queue : null;
      }, 'the zero-result query in the queue');
      const zero = queue.findLast((r) => r.kind === 'search_zero');
      assert.equal(zero.query, 'xyzzy plugh');
      // The page as origin + matched pattern, never its URL.
      assert.equal(zero.origin, new URL(app.url).origin);
      assert.equal(zero.url, undefined);

      assert.deepEqual(tab.problems, [], 'host console is clean');
      await tab.close();
    });
  });
}
