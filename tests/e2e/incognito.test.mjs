// Nothing is recorded in an incognito window unless admin policy says so
// (issue 12, finding 3; `analytics.incognito`). Guidance itself works there
// (the extension is allowed in incognito, as a user would allow it); only
// the record queue stays empty. The same search in a normal window is
// recorded, so the empty queue is not an accident of the setup.
//
//   incognito tab ──port (sender.tab.incognito)──▶ worker: addRecord skips
//                                                  unless policy allows it
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clickLauncher, extensionIdOf, incognitoPage, launch, overlayFrame, policyUnavailable, removePolicy, startDemoApp,
  until, watchConsole, writePolicy,
} from './harness.mjs';

/** Searches for `query` (which finds nothing) in the panel of `page` and
 * leaves it, which records it (where recording is on). */
async function searchNothing(page, query) {
  await clickLauncher(page);
  const frame = await overlayFrame(page);
  await frame.locator('input.search').fill(query);
  await frame.getByText(/^No results for/).waitFor();
  await frame.locator('input.search').press('Escape');
}

const recorded = (browser, query) => browser.worker.evaluate(
  (q) => waymark.records().then((all) => all.some((r) => r.kind === 'search_zero' && r.query === q)),
  query,
);

async function isIncognito(browser, url) {
  return browser.worker.evaluate((u) => chrome.tabs.query({ url: u }).then((t) => t.map((x) => x.incognito)), url);
}

describe('incognito windows', () => {
  let app;
  let browser;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
  });
  after(() => app?.stop());
  afterEach(async () => {
    await browser?.close();
    browser = null;
    removePolicy();
  });

  test('guidance works in incognito, and nothing from it is recorded', async () => {
    browser = await launch({ incognito: true });
    const url = `${app.url}/crm/deals`;
    const secret = await incognitoPage(browser, url);
    const problems = watchConsole(secret);
    await secret.getByTestId('new-deal').waitFor();
    assert.deepEqual(await isIncognito(browser, url), [true], 'the page is in an incognito window');
    await searchNothing(secret, 'xyzzyincognito');

    const normal = await browser.context.newPage();
    await normal.goto(`${app.url}/crm/deals?normal`);
    await normal.getByTestId('new-deal').waitFor();
    await searchNothing(normal, 'xyzzynormal');
    await until(() => recorded(browser, 'xyzzynormal'), 'the normal window\'s search record');
    // Both searches went through the same worker in order; the normal one is
    // kept, the incognito one (left first) is not.
    assert.equal(await recorded(browser, 'xyzzyincognito'), false, 'the incognito search was recorded');
    assert.deepEqual(problems, [], 'host console is clean');
  });

  test('policy analytics.incognito = true records incognito windows too', { skip: policyUnavailable() ?? false }, async () => {
    writePolicy(extensionIdOf(), { analytics: { incognito: true } });
    browser = await launch({ incognito: true });
    const secret = await incognitoPage(browser, `${app.url}/crm/deals`);
    const problems = watchConsole(secret);
    await secret.getByTestId('new-deal').waitFor();
    await searchNothing(secret, 'xyzzyallowed');
    await until(() => recorded(browser, 'xyzzyallowed'), 'the incognito search record, which policy allows');
    assert.deepEqual(problems, [], 'host console is clean');
  });
});
