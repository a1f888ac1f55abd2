// `cargo xtask demo --browser firefox`: demo-app (strict CSP) + Firefox ESR
// with the Firefox build installed (target/dist/firefox).
//   --window    a real window; runs until you close the browser.
//   --headless  no display: plays "Create a deal" and saves screenshots under
//               target/demo/firefox-*.png, printing their paths.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDemoApp } from './e2e/harness.mjs';
import { clickInFrame, clickLauncher, launchFirefox, overlayWith } from './e2e/firefox.mjs';

const windowed = process.argv.includes('--window');
const out = resolve(import.meta.dirname, '../target/demo');
const app = await startDemoApp({ csp: 'strict' });
console.log(`demo-app (strict CSP) at ${app.url}/crm/deals`);
const browser = await launchFirefox({ headless: !windowed });
const page = (await browser.pages())[0] ?? (await browser.newPage());
await page.goto(`${app.url}/crm/deals`);

if (windowed) {
  console.log('Click the blue ? button at the bottom right, then "Create a deal". Close the browser to stop.');
  await new Promise((done) => browser.on('disconnected', done));
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
  await page.waitForSelector('[data-testid=new-deal]');
  await clickLauncher(page);
  let frame = await overlayWith(page, 'For this page');
  await shot('firefox-1-help-panel.png');
  await clickInFrame(frame, 'button.item[data-id="create-deal"]');
  frame = await overlayWith(page, '1 of 5');
  await shot('firefox-2-card-on-new-deal.png');
  await page.click('[data-testid=new-deal]');
  frame = await overlayWith(page, '2 of 5');
  await shot('firefox-3-card-on-deal-name.png');
} finally {
  await browser.close();
  app.stop();
}
console.log('screenshots:');
for (const s of shots) console.log(`  ${s}`);
