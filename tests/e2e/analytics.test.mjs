// Analytics end to end (issue 13): what employees do reaches a real LRS
// (Ralph) as xAPI statements, each exactly once, through an outage and a
// browser restart; the answers only a broken LRS gives (401, 413, 500,
// silence, a malformed body) are handled without losing the queue.
//
//   page ──agent──▶ worker: engine records ──▶ statements (Rust) ──▶ outbox (IndexedDB)
//                                                                      │ POST batches
//   policy file (/etc/chromium/policies/managed) ── analytics.endpoint ─▶ Ralph / fake LRS
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clickInCard, clickLauncher, extensionIdOf, launch, overlayFrame, policyUnavailable, removePolicy, settled, startDemoApp,
  axeViolations, until, waymarkCli, watchConsole, writePolicy,
} from './harness.mjs';
import { fakeLrs, lrsUnavailable, startLrs } from './lrs.mjs';

const skip = policyUnavailable() ?? lrsUnavailable();
if (skip) console.log(`# analytics e2e skipped: ${skip}`);

const NS = 'https://waymark.dev/xapi';
const USER = 'ana@acme.example';

/** A statement as `verb object` with the object's IRI after the namespace. */
const short = (s) => `${s.verb.display['en-US']} ${s.object.id.replace(`${NS}/content/`, '').replace(`${NS}/`, '')}`;

describe('analytics to an LRS', { skip: Boolean(skip) }, () => {
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

  function policy(lrs, extra = {}) {
    writePolicy(extensionIdOf(), {
      analytics: { endpoint: lrs.url, auth: lrs.auth ?? 'Basic ZmFrZTpmYWtl', batch_size: 5, key: 'e2e-pseudonym-key', ...extra },
      user: { id: USER },
    });
  }

  async function open(path = '/crm/deals') {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}${path}`);
    await page.getByTestId('new-deal').waitFor();
    return { page, problems };
  }

  const status = () => browser.worker.evaluate(() => waymark.status());

  test('a session of work lands in Ralph as exactly the statements it should, with versions', async () => {
    const lrs = await startLrs();
    try {
      policy(lrs);
      browser = await launch();
      const { page, problems } = await open();

      // Search with results, open an article from them.
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      await frame.locator('input.search').fill('stages');
      const hit = frame.locator('button.item', { hasText: 'Deal stages explained' });
      await hit.waitFor();
      await settled(frame, 'opening a result');
      await hit.click();
      await frame.getByRole('heading', { name: 'Deal stages explained' }).waitFor();
      await clickLauncher(page);
      // A search that finds nothing, left with Escape.
      await clickLauncher(page);
      await frame.locator('input.search').fill('xyzzy');
      await frame.getByText(/^No results for/).waitFor();
      await frame.locator('input.search').press('Escape');

      // Create a deal, to the end, and its check.
      await clickLauncher(page);
      const item = frame.locator('button.item', { hasText: 'Create a deal' });
      await item.waitFor();
      await settled(frame, 'choosing a walkthrough');
      await item.click();
      await frame.getByText('1 of 5').waitFor();
      await page.getByTestId('new-deal').click();
      await frame.getByText('2 of 5').waitFor();
      await page.getByLabel('Deal name').fill('Initech – 3 kiosks');
      await page.getByLabel('Deal name').press('Tab');
      await frame.getByText('3 of 5').waitFor();
      await page.getByLabel('Company').fill('Initech');
      await page.getByLabel('Amount').fill('9000');
      await clickInCard(frame, 'Next');
      await frame.getByText('4 of 5').waitFor();
      await clickInCard(frame, 'Next');
      await frame.getByText('5 of 5').waitFor();
      await settled(frame, 'saving');
      await page.getByTestId('save-deal').click();
      await frame.getByText('Question 1 of 1').waitFor();
      await settled(frame, 'answering');
      await frame.getByLabel('Prospecting').check();
      await clickInCard(frame, 'Submit');
      await frame.getByText('Check: 1 of 1 right. Passed.').waitFor();
      await clickInCard(frame, 'Close');

      // Again, given up at step 2.
      await page.getByRole('heading', { name: 'Deals' }).waitFor();
      await clickLauncher(page);
      await item.waitFor();
      await settled(frame, 'choosing a walkthrough');
      await item.click();
      await frame.getByText('1 of 5').waitFor();
      await page.getByTestId('new-deal').click();
      await frame.getByText('2 of 5').waitFor();
      await settled(frame, 'ending');
      await frame.getByRole('button', { name: 'End walkthrough' }).click();

      const expected = [
        'searched search', 'viewed articles/deal-stages', 'searched search',
        'launched walkthroughs/create-deal',
        ...['open-form', 'name', 'amount', 'stage', 'save'].flatMap((s) => [`experienced walkthroughs/create-deal/steps/${s}`, `completed walkthroughs/create-deal/steps/${s}`]),
        'completed walkthroughs/create-deal', 'answered walkthroughs/create-deal/check/1', 'passed walkthroughs/create-deal/check',
        'launched walkthroughs/create-deal', 'experienced walkthroughs/create-deal/steps/open-form',
        'completed walkthroughs/create-deal/steps/open-form', 'experienced walkthroughs/create-deal/steps/name',
        'abandoned walkthroughs/create-deal',
      ];
      await browser.worker.evaluate(() => waymark.flush());
      const stored = await until(async () => {
        const all = await lrs.statements();
        return all.length >= expected.length ? all : null;
      }, `${expected.length} statements in the LRS`, 30_000).catch(async (e) => {
        throw new Error(`${e.message}; delivery: ${JSON.stringify(await status())}; LRS log: ${lrs.log().slice(-1500)}`);
      });
      assert.deepEqual(stored.map(short).sort(), [...expected].sort(), 'exactly these statements, and nothing else');
      assert.equal(new Set(stored.map((s) => s.id)).size, stored.length, 'no statement twice');
      assert.equal((await status()).queued, 0);

      // Each carries the pseudonym (never the user id), the content version
      // and the bundle version; one attempt, one registration.
      const json = JSON.stringify(stored);
      assert.ok(!json.includes(USER) && !json.includes('acme'), 'no user id in the LRS');
      const names = new Set(stored.map((s) => s.actor.account.name));
      assert.equal(names.size, 1);
      assert.match([...names][0], /^[0-9a-f]{64}$/);
      for (const s of stored) {
        const x = s.context.extensions;
        assert.equal(typeof x[`${NS}/extensions/bundle-version`], 'number', short(s));
        assert.equal(x[`${NS}/extensions/origin`], new URL(app.url).origin);
        if (!s.object.id.endsWith('/search')) assert.match(x[`${NS}/extensions/content-version`], /^[0-9a-f]{16}$/, short(s));
      }
      const regs = (verb) => new Set(stored.filter((s) => s.object.id.includes('create-deal') && s.verb.display['en-US'] === verb).map((s) => s.context.registration));
      assert.equal(regs('launched').size, 2, 'two attempts');
      assert.equal(new Set(stored.filter((s) => s.context.registration).map((s) => s.context.registration)).size, 2);
      const opened = stored.find((s) => s.verb.display['en-US'] === 'searched' && s.result.extensions[`${NS}/extensions/opened`]);
      assert.equal(opened.result.response, 'stages');
      assert.equal(opened.result.extensions[`${NS}/extensions/position`], 1);
      // The employee sees their own history on the options page.
      const options = await browser.context.newPage();
      await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
      await options.locator('#history').getByText(/^Create a deal: finished/).waitFor();
      await options.locator('#checks').getByText(/^Create a deal: 100% \(passed\)/).waitFor();
      await options.locator('#analytics').getByText(new RegExp(`^${expected.length} statements`)).waitFor();
      assert.deepEqual(problems, [], 'host console is clean');

      // `waymark report` over the LRS, and over its export, says what
      // happened: the same figures both ways.
      const library = join(import.meta.dirname, '../../walkthroughs/library');
      const day = new Date().toISOString().slice(0, 10);
      const fromLrs = JSON.parse(waymarkCli(['report', '--json', '--lrs', lrs.url, '--auth', lrs.auth, '--content', library, '--today', day]));
      const dir = mkdtempSync(join(tmpdir(), 'waymark-report-'));
      try {
        const file = join(dir, 'statements.jsonl');
        writeFileSync(file, lrs.lines().join('\n') + '\n');
        const fromFile = JSON.parse(waymarkCli(['report', '--json', '--statements', file, '--content', library, '--today', day]));
        assert.deepEqual(fromFile, fromLrs, 'the export reads as the LRS does');
        assert.equal(fromLrs.statements, expected.length);
        assert.equal(fromLrs.skipped, 0);
        assert.equal(fromLrs.people, 1);
        const deal = fromLrs.walkthroughs.find((w) => w.id === 'create-deal');
        assert.equal(deal.title, 'Create a deal');
        assert.deepEqual([deal.launched, deal.completed, deal.abandoned], [2, 1, 1]);
        assert.deepEqual(deal.launched_from, { panel: 2 });
        const funnel = Object.fromEntries(deal.steps.map((s) => [s.id, [s.shown, s.completed, s.abandoned]]));
        assert.deepEqual(funnel, { 'open-form': [2, 2, 0], name: [2, 1, 1], amount: [1, 1, 0], stage: [1, 1, 0], save: [1, 1, 0] });
        assert.equal(deal.checks.length, 1);
        assert.deepEqual([deal.checks[0].taken, deal.checks[0].passed, deal.checks[0].mean_score], [1, 1, 1]);
        assert.equal(deal.checks[0].version, deal.current_version, 'checks per the version people saw');
        assert.deepEqual([fromLrs.searches.total, fromLrs.searches.zero, fromLrs.searches.opened], [2, 1, 1]);
        assert.deepEqual(fromLrs.searches.top_zero.map((q) => q.query), ['xyzzy']);
        assert.deepEqual(fromLrs.articles.map((a) => [a.id, a.views]), [['deal-stages', 1]]);
        assert.deepEqual(fromLrs.alerts, []);

        // The HTML dashboard opens in Chromium without a console message.
        const html = join(dir, 'report.html');
        waymarkCli(['report', '--statements', file, '--content', library, '--out', html]);
        const view = await browser.context.newPage();
        const said = watchConsole(view);
        await view.goto(`file://${html}`);
        await view.getByRole('heading', { name: 'Waymark report' }).waitFor();
        await view.locator('#walkthroughs svg[role=img]').first().waitFor();
        assert.ok(await view.locator('#zero').getByRole('cell', { name: 'xyzzy' }).isVisible(), 'the zero-result query is listed');
        assert.equal(await view.locator('script').count(), 0);
        assert.deepEqual(await axeViolations(view, 'report.html'), [], 'the report is accessible (axe-core)');
        assert.deepEqual(said, [], 'the report page says nothing in the console');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await lrs.close();
    }
  });

  test('the LRS down, the browser restarted with the queue full, the LRS back: every statement stored once', async () => {
    const lrs = await startLrs();
    const profile = mkdtempSync(join(tmpdir(), 'waymark-e2e-profile-'));
    try {
      policy(lrs);
      browser = await launch({ profile });
      await lrs.stop();
      const { page, problems } = await open();
      // Start and end a walkthrough three times: 3 × (launched, shown, abandoned).
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      for (let i = 0; i < 3; i++) {
        if (i) await clickLauncher(page);
        const item = frame.locator('button.item', { hasText: 'Create a deal' });
        await item.waitFor();
        await settled(frame, 'choosing a walkthrough');
        await item.click();
        await frame.getByText('1 of 5').waitFor();
        await settled(frame, 'ending');
        await frame.getByRole('button', { name: 'End walkthrough' }).click();
        await until(async () => (await frame.locator('.card').count()) === 0, 'the card to go');
      }
      await until(async () => (await status()).queued === 9, '9 statements queued');
      await browser.worker.evaluate(() => waymark.flush());
      const down = await until(async () => {
        const s = await status();
        return s.last_error ? s : null;
      }, 'the failed send to be reported');
      assert.match(down.last_error, /could not be reached/);
      assert.equal(down.queued, 9, 'nothing lost while the LRS is down');
      // A send whose answer was lost (a crash after the LRS stored it): the
      // same statements reach the LRS outside the queue.
      const queued = await browser.worker.evaluate(() => waymark.queued());
      assert.deepEqual(problems, [], 'host console is clean');
      await browser.close();
      browser = null;

      await lrs.start();
      const res = await fetch(`${lrs.url}statements`, {
        method: 'POST',
        headers: { Authorization: lrs.auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
        body: JSON.stringify(queued.slice(0, 4)),
      });
      assert.equal(res.status, 200, await res.text());
      // The browser comes back with the same profile: its worker sends the
      // queue by itself (after the backoff).
      browser = await launch({ profile });
      const stored = await until(async () => {
        const s = await status();
        return s.queued === 0 ? lrs.statements() : null;
      }, 'the queue to drain into the LRS', 60_000);
      assert.equal(stored.length, 9, stored.map(short).join('\n'));
      assert.deepEqual(new Set(stored.map((s) => s.id)), new Set(queued.map((s) => s.id)), 'the same statements, each once');
    } finally {
      await lrs.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  test('401, 403, 413, 500, silence and a malformed answer: nothing lost, nothing twice', async () => {
    // Answers in order of the POSTs; after the script, the fake stores.
    const fake = await fakeLrs([
      { status: 500, body: '{"detail":"database down"}' },
      { status: 200, body: '<html>maintenance</html>' },
      { status: 401, body: '{"detail":"Invalid authentication credentials"}' },
      { status: 403, body: '' },
      'hang',
      // The batch of 5 is too large; its halves then go through, except
      // one statement the LRS refuses for good (found by splitting).
      { status: 413, body: 'too large' },
    ], { refuse: (st) => st.verb.display['en-US'] === 'abandoned' });
    // Until the five statements are queued, the fake answers 503 and keeps
    // its script: then each answer goes to one forced flush.
    fake.hold = true;
    try {
      policy(fake);
      browser = await launch();
      const { page, problems } = await open();
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      const item = frame.locator('button.item', { hasText: 'Create a deal' });
      await item.waitFor();
      await settled(frame, 'choosing a walkthrough');
      await item.click();
      await frame.getByText('1 of 5').waitFor();
      await page.getByTestId('new-deal').click();
      await frame.getByText('2 of 5').waitFor();
      await settled(frame, 'ending');
      await frame.getByRole('button', { name: 'End walkthrough' }).click();
      // launched, shown, completed, shown, abandoned
      await until(async () => (await status()).queued === 5, '5 statements queued');
      await browser.worker.evaluate(() => waymark.flush());
      assert.match((await status()).last_error ?? '', /answered 503/);
      fake.hold = false;
      const before = fake.batches.length;
      const expectError = async (re, what) => {
        await browser.worker.evaluate(() => waymark.flush());
        const s = await status();
        assert.match(s.last_error ?? '', re, what);
        assert.equal(s.queued, 5, `${what}: the queue is kept`);
      };
      await expectError(/answered 500: \{"detail":"database down"\}/, '500');
      await expectError(/without the list of stored statement ids/, 'malformed 200');
      await expectError(/refused the credentials \(401\).*analytics\.auth/, '401');
      await expectError(/refused the credentials \(403\)/, '403');
      await expectError(/no answer within \d+ s/, 'timeout');
      await browser.worker.evaluate(() => waymark.flush());
      const s = await until(async () => {
        const st = await status();
        return st.queued === 0 ? st : null;
      }, 'the queue to drain');
      // 413 split the 5 into 3 + 2; the 2 held the bad one (400), split
      // again: 1 stored, 1 refused for good.
      assert.equal(s.rejected, 1, 'one refused for good');
      assert.equal(fake.stored.size, 4);
      assert.ok(![...fake.stored.values()].some((st) => st.verb.display['en-US'] === 'abandoned'));
      assert.match(s.last_error ?? '', /refused a statement \(400\): one is bad/);
      const sizes = fake.batches.slice(before).map((b) => b.statements.length);
      assert.deepEqual(sizes, [5, 5, 5, 5, 5, 5, 3, 2, 1, 1], 'whole until the 413, then halves');
      assert.ok(fake.batches.every((b) => b.auth === 'Basic ZmFrZTpmYWtl' && b.version === '1.0.3'));
      assert.deepEqual(problems, [], 'host console is clean');
    } finally {
      await fake.close();
    }
  });
});
