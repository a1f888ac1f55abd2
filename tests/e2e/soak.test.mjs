// Soak: 1,000 route changes and 500 walkthroughs started and ended on the
// demo app, then the host page's DOM node and event-listener counts must be
// back at their baseline (DevTools Protocol, after a forced GC; see
// ../shared/PLATFORM.md, "Leak checks"). The walkthroughs are driven from the
// overlay frame's side of the port, as its buttons would, so 500 of them take
// seconds; the agent still mounts and unmounts everything each time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickLauncher, launch, overlayFrame, settled, startDemoApp, until, watchConsole } from './harness.mjs';

async function counts(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => metrics.find((m) => m.name === name)?.value;
  return { nodes: get('Nodes'), listeners: get('JSEventListeners') };
}

describe('soak', () => {
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

  test('1,000 route changes and 500 walkthroughs leave no nodes or listeners behind', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();
    // Warm up: the launcher, the frame, one walkthrough, so that what is
    // created once (and kept) is in the baseline.
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: 'Create a deal' });
    await item.waitFor();
    await settled(frame, 'starting');
    await item.click();
    await frame.getByText('1 of 5').waitFor();
    await frame.evaluate(() => {
      // A second port from the frame document: the service worker now sends
      // views here, and the test sends the frame's intents.
      const port = chrome.runtime.connect({ name: 'overlay' });
      const waiters = [];
      port.onMessage.addListener((m) => {
        for (const w of waiters.splice(0)) w(m.view?.kind);
      });
      // Each intent changes the view, so each is answered by one render;
      // a missing answer fails the test instead of hanging it.
      const send = (msg) => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no render after ${JSON.stringify(msg)}`)), 5000);
        waiters.push((kind) => {
          clearTimeout(timer);
          resolve(kind);
        });
        port.postMessage(msg);
      });
      // Starts with the walkthrough on screen; ends with it closed.
      globalThis.soak = async (n) => {
        for (let i = 0; i < n; i++) {
          await send({ type: 'close' });
          await send({ type: 'start', id: 'create-deal' });
        }
        await send({ type: 'close' });
        await send({ type: 'start', id: 'create-deal' });
      };
    });
    await frame.evaluate(() => globalThis.soak(1));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const base = await counts(cdp);

    const t0 = Date.now();
    await page.evaluate(async () => {
      for (let i = 0; i < 1000; i++) {
        history.pushState({}, '', i % 2 ? '/crm/deals?page=2' : '/crm/deals');
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 0));
      }
    });
    await frame.evaluate(() => globalThis.soak(500));
    const took = Date.now() - t0;

    // Let the last commands land, then measure.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200))));
    const end = await counts(cdp);
    const delta = { nodes: end.nodes - base.nodes, listeners: end.listeners - base.listeners };
    console.log(`soak: 1000 route changes + 500 walkthroughs in ${took} ms; baseline ${JSON.stringify(base)}, after ${JSON.stringify(end)}, delta ${JSON.stringify(delta)}`);
    assert.ok(delta.listeners <= 0, `event listeners grew by ${delta.listeners}`);
    assert.ok(delta.nodes <= 20, `DOM nodes grew by ${delta.nodes}`);
    assert.deepEqual(problems, [], 'host console is clean');
  });
});
