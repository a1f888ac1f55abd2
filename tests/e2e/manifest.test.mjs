// The signed manifest of the built-in bundle, end to end: a bundle older
// than the one in use (rollback) or past its expiry is refused and nothing
// runs (the built-in bundle has no "last good" copy: a stored bundle is only
// trusted under keys the admin names, see policy.test.mjs for last-good
// behaviour of downloaded bundles); a page outside the bundle's scope gets no
// agent at all. Each "release" is the built-in bundle swapped on disk
// between two starts of the same profile.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, clickLauncher, expectNoAgent, launch, optionsText, overlayFrame, startDemoApp, watchConsole } from './harness.mjs';

const ROOT = join(import.meta.dirname, '../..');
const WAYMARK = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');
const LIBRARY = join(ROOT, 'walkthroughs/library');
const DEMO_KEY = join(ROOT, 'extension/keys/demo-signing-key.txt');

function build(dir, { version, content = LIBRARY, epoch }) {
  const env = { ...process.env };
  if (epoch !== undefined) env.SOURCE_DATE_EPOCH = String(epoch);
  execFileSync(
    WAYMARK,
    ['build', content, '--env', 'production', '--bundle-version', String(version), '--sign-key', DEMO_KEY, '--out', join(dir, 'content.wmb')],
    { env, stdio: 'pipe' },
  );
}

async function guidanceWorks(browser, app) {
  const page = await browser.context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${app.url}/crm/deals`);
  await page.getByTestId('new-deal').waitFor();
  await clickLauncher(page);
  const frame = await overlayFrame(page);
  await frame.getByRole('option', { name: /Create a deal/ }).waitFor();
  assert.deepEqual(problems, [], 'host console is clean');
  await page.close();
}

describe('signed manifest', () => {
  let app;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
  });
  after(() => app?.stop());

  test('a rolled-back or expired built-in bundle is refused and nothing runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-dist-'));
    const profile = mkdtempSync(join(tmpdir(), 'waymark-profile-'));
    cpSync(DIST, dir, { recursive: true });
    try {
      build(dir, { version: 100 });
      let browser = await launch({ dist: dir, profile });
      await optionsText(browser, [/Guidance is on: bundle version 100 is in use/]);
      await guidanceWorks(browser, app);
      await browser.close();

      // An older release replayed: refused, version 100 still serves.
      build(dir, { version: 50 });
      browser = await launch({ dist: dir, profile, ready: false });
      await optionsText(browser, [/No guidance is shown/, /version 50 is older than version 100/, /Where Waymark runs\s+Nowhere/]);
      await expectNoAgent(browser, `${app.url}/crm/deals`);
      await browser.close();

      // A newer version, but built 400 days ago: expired (180-day expiry).
      build(dir, { version: 200, epoch: Math.floor(Date.now() / 1000) - 400 * 86400 });
      browser = await launch({ dist: dir, profile, ready: false });
      await optionsText(browser, [/No guidance is shown/, /expired on \d{4}-\d\d-\d\d/]);
      await expectNoAgent(browser, `${app.url}/crm/deals`);
      await browser.close();

      // A good newer release is used again.
      build(dir, { version: 300 });
      browser = await launch({ dist: dir, profile });
      await optionsText(browser, [/Guidance is on: bundle version 300 is in use/]);
      await guidanceWorks(browser, app);
      await browser.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    }
  });

  test('a page outside the bundle scope gets nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-dist-'));
    const content = mkdtempSync(join(tmpdir(), 'waymark-content-'));
    cpSync(DIST, dir, { recursive: true });
    cpSync(LIBRARY, content, { recursive: true });
    const config = join(content, 'waymark.toml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(/^scope = .*$/m, 'scope = ["https://crm.acme.example"]'),
    );
    build(dir, { version: 1, content });
    const browser = await launch({ dist: dir, ready: false });
    try {
      await optionsText(browser, [/Scope\s+https:\/\/crm\.acme\.example/, /Where Waymark runs\s+Nowhere/]);
      await expectNoAgent(browser, `${app.url}/crm/deals`);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(content, { recursive: true, force: true });
    }
  });
});
