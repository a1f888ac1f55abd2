// A text/ target that is missing on a big page costs no full-document scan
// per batch of mutations (issue 12): the agent starts from the text nodes
// that carry pieces of the text. Counted, not timed: every textContent read
// in the agent's isolated world goes through a counting getter installed
// over the DevTools protocol (the page's own world is untouched).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { distWithContent, clickLauncher, launch, overlayFrame, settled, startDemoApp, until, watchConsole } from './harness.mjs';

const MISSING = `id = "missing-text"
title = "Export the ledger"
moment = "more"
owner = "qa"
status = "approved"
applies_to = ["/crm/deals*"]

[[steps]]
id = "export"
title = "Export everything"
target = ["text/Export everything to the ledger"]
timeout = 120
`;

describe('text targets on a big page', () => {
  let app;
  let browser;
  let dist;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    dist = distWithContent({ 'waymark.toml': '[bundle]\nscope = ["http://127.0.0.1:*"]\n', 'missing.toml': MISSING });
    browser = await launch({ dist: dist.dir });
  });
  after(async () => {
    await browser?.close();
    app?.stop();
    dist?.remove();
  });

  test('a missing text/ target reads a few elements per mutation batch, not every element', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    const cdp = await page.context().newCDPSession(page);
    const worlds = [];
    cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
    await cdp.send('Runtime.enable');
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();
    // 4,000 more elements, some nested 40 deep, all with text.
    const elements = await page.evaluate(() => {
      const box = document.createElement('section');
      for (let i = 0; i < 100; i++) {
        let at = box;
        for (let d = 0; d < 40; d++) {
          const div = document.createElement('div');
          div.textContent = `Row ${i} level ${d} `;
          at.append(div);
          at = div;
        }
      }
      document.body.append(box);
      return document.querySelectorAll('*').length;
    });
    const agent = await until(() => worlds.find((w) => w.auxData?.type === 'isolated' && w.name === 'Waymark'), "the agent's world");
    const inAgent = async (expression) => (await cdp.send('Runtime.evaluate', { expression, contextId: agent.id, returnByValue: true })).result.value;
    // Counts textContent reads, and searches (tree walks, selector queries)
    // to know the agent is looking.
    await inAgent(`(() => {
      const d = Object.getOwnPropertyDescriptor(Node.prototype, 'textContent');
      globalThis.__reads = 0;
      globalThis.__searches = 0;
      Object.defineProperty(Node.prototype, 'textContent', { ...d, get() { globalThis.__reads++; return d.get.call(this); } });
      const walk = Document.prototype.createTreeWalker;
      Document.prototype.createTreeWalker = function (...a) { globalThis.__searches++; return walk.apply(this, a); };
      const all = Document.prototype.querySelectorAll;
      Document.prototype.querySelectorAll = function (...a) { globalThis.__searches++; return all.apply(this, a); };
    })()`);

    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: 'Export the ledger' });
    await item.waitFor();
    await settled(frame, 'starting');
    await item.click();
    await until(async () => (await inAgent('globalThis.__searches')) > 0, 'the agent to look for the text');

    // Twenty batches of mutations while the target is missing.
    const before = await inAgent('globalThis.__reads');
    const searchesBefore = await inAgent('globalThis.__searches');
    for (let i = 0; i < 20; i++) {
      await page.evaluate(() => new Promise((done) => {
        const p = document.createElement('p');
        p.textContent = 'Unrelated news';
        document.body.append(p);
        requestAnimationFrame(() => requestAnimationFrame(done));
      }));
    }
    const reads = (await inAgent('globalThis.__reads')) - before;
    const searches = (await inAgent('globalThis.__searches')) - searchesBefore;
    console.log(`# ${reads} textContent reads in ${searches} searches over 20 mutation batches, on a page of ${elements} elements`);
    assert.ok(searches > 0, 'the agent kept looking');
    assert.ok(reads < elements, `${reads} reads: a full scan (${elements} elements) per batch or more`);
    assert.deepEqual(problems, [], 'host console is clean');
  });
});
