// `cargo xtask demo [--browser firefox]`: demo-app (strict CSP) + Chromium
// (or Firefox ESR) with the packed extension, through the e2e harness's two
// drivers (tests/e2e/browsers.mjs).
//   --browser B  chromium (default) or firefox
//   --window     a real window; runs until you close the browser.
//   --headless   no display: plays "Create a deal" and saves screenshots under
//                target/demo/ (firefox-*.png for Firefox), printing their paths.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDemoApp } from './e2e/harness.mjs';
import { launchIn } from './e2e/browsers.mjs';

const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const kind = process.argv.includes('--browser') ? arg('--browser') : 'chromium';
const windowed = process.argv.includes('--window');
const out = resolve(import.meta.dirname, '../target/demo');
const app = await startDemoApp({ csp: 'strict' });
console.log(`demo-app (strict CSP) at ${app.url}/crm/deals`);
const browser = await launchIn(kind, { headless: !windowed });
const tab = await browser.tab();
await tab.goto(`${app.url}/crm/deals`);

if (windowed) {
  console.log('Click the blue ? button at the bottom right, then "Create a deal". Close the browser to stop.');
  await browser.closed();
  app.stop();
  process.exit(0);
}

mkdirSync(out, { recursive: true });
const prefix = kind === 'chromium' ? '' : `${kind}-`;
const shots = [];
const shot = async (name) => {
  const path = join(out, `${prefix}${name}`);
  await tab.raw.screenshot({ path });
  shots.push(path);
};
try {
  await tab.waitFor('[data-testid=new-deal]');
  await tab.launcher();
  const frame = await tab.overlay('Create a deal');
  await frame.settled('the help panel');
  await shot('1-help-panel.png');
  await frame.click('button.item[data-id="create-deal"]');
  await frame.waitText('1 of 5');
  await frame.settled('the card');
  await shot('2-card-on-new-deal.png');
  await tab.click('[data-testid=new-deal]');
  await frame.waitText('2 of 5');
  await tab.waitFor('input[name=name]');
  await frame.settled('the card');
  await shot('3-card-on-deal-name.png');
} finally {
  await browser.close();
  app.stop();
}
console.log('screenshots:');
for (const s of shots) console.log(`  ${s}`);
