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
} finally {
  await browser.close();
  app.stop();
}
