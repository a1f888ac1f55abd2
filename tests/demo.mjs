// `cargo xtask demo`: demo-app (strict CSP) + Chromium with the packed extension.
//   --window    a real window; runs until you close the browser.
//   --headless  no display: plays "Create a deal" and saves screenshots under
//               target/demo/, printing their paths.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clickLauncher, frameBox, launch, overlayFrame, settled, startDemoApp, until } from './e2e/harness.mjs';

const windowed = process.argv.includes('--window');
const out = resolve(import.meta.dirname, '../target/demo');
const app = await startDemoApp({ csp: 'strict' });
console.log(`demo-app (strict CSP) at ${app.url}/crm/deals`);
const browser = await launch({ headless: !windowed });
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
await page.goto(`${app.url}/crm/deals`);

if (windowed) {
  console.log('Click the blue ? button at the bottom right, then "Create a deal". Close the browser to stop.');
  await new Promise((done) => browser.context.on('close', done));
  app.stop();
  process.exit(0);
}

mkdirSync(out, { recursive: true });
const shots = [];
const shot = async (name) => {
  const path = join(out, name);
  await page.screenshot({ path });
  shots.push(path);
};
try {
  await page.getByTestId('new-deal').waitFor();
  await clickLauncher(page);
  const frame = await overlayFrame(page);
  await frame.locator('button.item', { hasText: 'Create a deal' }).waitFor();
  await until(() => frameBox(frame), 'the help panel');
  await shot('1-help-panel.png');
  await settled(frame);
  await frame.locator('button.item', { hasText: 'Create a deal' }).click();
  await frame.getByText('1 of 5').waitFor();
  await until(() => frameBox(frame), 'the card');
  await shot('2-card-on-new-deal.png');
  await page.getByTestId('new-deal').click();
  await frame.getByText('2 of 5').waitFor();
  await page.getByLabel('Deal name').waitFor();
  await until(() => frameBox(frame), 'the card');
  await shot('3-card-on-deal-name.png');
} finally {
  await browser.close();
  app.stop();
}
console.log('screenshots:');
for (const s of shots) console.log(`  ${s}`);
