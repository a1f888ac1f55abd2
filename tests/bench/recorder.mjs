// `cargo xtask bench recorder`: what recording a click costs, on the
// 5,000-element benchmark page (demo-app/static/fixtures/bench.html), with
// the packed extension in headless Chromium.
//
// Prints one JSON line per figure:
//   main_thread_ms   the page's main-thread script time per recorded click
//                    (the pointer moving onto the element and the click:
//                    the recorder's facts and its counting of the
//                    suggested targets), minus the same clicks with
//                    recording off, in the same run (CDP Performance
//                    ScriptDuration); goal: within one frame (16 ms)
//   step_ms          from the click to the step shown counted in the
//                    recorder card: the worker (suggestions, engine) and
//                    the round trips, p50 / p90
//   worker_ms        the worker's own part of a click: the engine (the same
//                    wasm module, loaded in an extension page of the same
//                    browser) handling `picked` (suggestions, the step, the
//                    recorder card's view), p50 / p90 over recordings of
//                    20 steps
//
//   node tests/bench/recorder.mjs [--clicks 40]
import { clickLauncher, launch, overlayFrame, settled, startDemoApp, until } from '../e2e/harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const CLICKS = Number(arg('clicks', 40));

const app = await startDemoApp({ csp: 'off' });
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.goto(`${app.url}/fixtures/bench.html`);
  await page.getByTestId('open-0').waitFor();
  const elements = await page.evaluate(() => document.querySelectorAll('*').length);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const script = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value * 1000;

  // Clicks with recording off: the page's own cost of a click.
  const clickRow = async (r) => {
    const b = page.getByTestId(`open-${r}`);
    await b.scrollIntoViewIfNeeded();
    await b.click();
  };
  let before = await script();
  for (let i = 0; i < CLICKS; i++) await clickRow(100 + i);
  const off = (await script() - before) / CLICKS;

  await clickLauncher(page);
  const frame = await overlayFrame(page);
  const record = frame.getByRole('button', { name: 'Record a walkthrough' });
  await record.waitFor();
  await settled(frame, 'recording');
  await record.click();
  await frame.getByRole('heading', { name: 'Recording' }).waitFor();
  const steps = frame.locator('li.rec-step');
  const latencies = [];
  let on = 0;
  for (let i = 0; i < CLICKS; i++) {
    before = await script();
    const t0 = Date.now();
    await clickRow(200 + i);
    await until(async () => (await steps.count()) === i + 1 && !(await frame.getByText('checking…').count()), `step ${i + 1}`);
    latencies.push(Date.now() - t0);
    on += await script() - before;
  }
  on /= CLICKS;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(JSON.stringify({ bench: 'recorder', figure: 'main_thread_ms', page_elements: elements, clicks: CLICKS, value: +(on - off).toFixed(2), recording_on_ms: +on.toFixed(2), recording_off_ms: +off.toFixed(2), goal_ms: 16 }));
  console.log(JSON.stringify({ bench: 'recorder', figure: 'step_ms', clicks: CLICKS, p50: q(0.5), p90: q(0.9) }));

  // The worker's part, on its own: the worker's wasm in an extension page.
  const ext = await browser.context.newPage();
  await ext.goto(`chrome-extension://${browser.extensionId}/options.html`);
  const worker = await ext.evaluate(async (n) => {
    const m = await import(chrome.runtime.getURL('wasm/waymark_worker.js'));
    await m.default();
    const key = (await (await fetch(chrome.runtime.getURL('demo-public-key.txt'))).text()).trim();
    const d = new m.Deployment(null, key);
    const e = new m.WaymarkEngine();
    e.load(d, new Uint8Array(await (await fetch(chrome.runtime.getURL('content.wmb'))).arrayBuffer()), 'built_in', undefined, Date.now(), false);
    const url = 'http://127.0.0.1:8080/fixtures/bench.html';
    e.handle(1, 'agent', { type: 'attached', url, viewport: { width: 1280, height: 800 }, locale: 'en' });
    e.handle(1, 'storage', { type: 'restored', tour: null });
    const node = (tag, extra = {}) => ({ tag, id: null, classes: [], test_ids: [], attrs: [], nth_of_type: 1, of_type: 1, ...extra });
    // A recording of 20 steps, picked one after the other, timed as a
    // whole (performance.now() is coarse outside cross-origin isolation):
    // the mean pick of each recording is one sample.
    const times = [];
    let last = null;
    for (let r = 0; r < n / 20; r++) {
      e.handle(1, 'frame', { type: 'record_discard' });
      e.handle(1, 'frame', { type: 'record_start' });
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) {
        const facts = {
          node: node('button', { classes: ['btn', 'btn-sm'], test_ids: [['data-testid', `open-${i}`]], nth_of_type: 1, of_type: 2 }),
          role: 'button', name: `Open row ${i}`, labelled: false, text: 'Open',
          ancestors: [node('td', { nth_of_type: 4, of_type: 5 }), node('tr', { nth_of_type: i + 1, of_type: 1000 }), node('tbody'), node('table', { classes: ['grid'] }), node('main', { id: 'bench' }), node('body'), node('html')],
          scopes: [],
        };
        last = e.handle(1, 'recorder', { type: 'picked', facts, action: 'click', url });
      }
      times.push((performance.now() - t0) / 20);
    }
    // It did record: the card lists the 20 steps.
    const card = last.find((c) => c.type === 'render');
    if (card?.view?.kind !== 'recorder' || card.view.steps?.length !== 20) throw new Error(`the engine did not record: ${JSON.stringify(last).slice(0, 300)}`);
    times.sort((a, b) => a - b);
    const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    return { p50: q(0.5), p90: q(0.9) };
  }, 200);
  console.log(JSON.stringify({ bench: 'recorder', figure: 'worker_ms', picks: 200, p50: +worker.p50.toFixed(3), p90: +worker.p90.toFixed(3) }));
} finally {
  await browser.close();
  app.stop();
}
