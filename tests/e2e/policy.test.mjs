// Admin policy, end to end, with real policy files: Chromium reads
// /etc/chromium/policies/managed/*.json into chrome.storage.managed, the
// worker checks it (core/src/deploy/), downloads the signed bundle from a
// static server, registers the agent where allowed_origins and the bundle's
// scope meet, and shows all of it on the options page.
//
//   bundle server (127.0.0.1) ──GET /waymark/content.wmb (ETag)──▶ worker ──▶ agent on crm.acme.test only
//   policy file ──Chromium──▶ storage.managed ──────────────────────┘
//
// crm.acme.test and hr.acme.test are other origins for the same demo app
// (--host-resolver-rules maps *.acme.test to 127.0.0.1), so "allowed" and
// "not allowed" are real origins, not ports.
//
// Needs root (CI runs as root): without it, one line says why and the
// tests are skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBundleServer } from './bundle-server.mjs';
import {
  DIST, clickInCard, clickLauncher, expectNoAgent, extensionIdOf, launch, overlayFrame, policyUnavailable, removePolicy,
  settled, startDemoApp, until, watchConsole, writePolicy,
} from './harness.mjs';

const ROOT = join(import.meta.dirname, '../..');
const WAYMARK = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');
const LIBRARY = join(ROOT, 'walkthroughs/library');
const RESOLVE = '--host-resolver-rules=MAP *.acme.test 127.0.0.1';
const BUNDLE = '/waymark/content.wmb';

const skip = policyUnavailable();
if (skip) console.log(`# policy e2e skipped: ${skip}`);

/** A content folder: the demo library with `scope` and optional edits. */
function content(work, name, { scope, edit } = {}) {
  const dir = join(work, name);
  cpSync(LIBRARY, dir, { recursive: true });
  const config = join(dir, 'waymark.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^scope = .*$/m, `scope = ${JSON.stringify(scope)}`));
  edit?.(dir);
  return dir;
}

/** Builds and signs a bundle; returns its bytes. */
function build(work, dir, { key, version, env = 'production', epoch }) {
  const out = join(work, `v${version}-${env}-${Math.random().toString(36).slice(2)}.wmb`);
  execFileSync(WAYMARK, ['build', dir, '--env', env, '--out', out, '--sign-key', key, '--bundle-version', String(version)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...(epoch ? { SOURCE_DATE_EPOCH: String(epoch) } : {}) },
  });
  return readFileSync(out);
}

function keygen(work, name) {
  const file = join(work, name);
  const out = execFileSync(WAYMARK, ['keygen', '--out', file], { encoding: 'utf8' });
  return { file, public: out.match(/[A-Za-z0-9+/]{43}=/)[0] };
}

/** The options page, kept open; `shows` waits until every regexp matches. */
async function optionsPage(browser) {
  const page = await browser.context.newPage();
  const problems = watchConsole(page);
  const said = [];
  page.on('console', (m) => said.push(`${m.type()}: ${m.text()}`));
  await page.goto(`chrome-extension://${browser.extensionId}/options.html`);
  let text = '';
  const shows = async (expect, timeout = 30_000) => {
    await until(async () => {
      text = await page.locator('body').innerText();
      return expect.every((re) => re.test(text));
    }, `the options page to show ${expect.join(' and ')}`, timeout).catch((e) => {
      throw new Error(`${e.message}; it shows:\n${text}\nits console:\n${said.join('\n')}`);
    });
    return text;
  };
  const checkNow = async () => {
    const button = page.getByRole('button', { name: 'Check now' });
    await button.waitFor();
    await until(() => button.isEnabled(), 'Check now to be enabled');
    // The options page may be re-rendered between the wait and the click.
    await button.click();
  };
  return { page, shows, checkNow, problems };
}

/** Opens a page on `origin` and waits for the launcher; returns the page. */
async function guided(browser, origin) {
  const page = await browser.context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${origin}/crm/deals`);
  await page.getByTestId('new-deal').waitFor();
  await clickLauncher(page);
  const frame = await overlayFrame(page);
  await frame.locator('button.item', { hasText: 'Create a deal' }).waitFor();
  return { page, frame, problems };
}

describe('admin policy', { skip: Boolean(skip) }, () => {
  let app;
  let server;
  let work;
  let key;
  let crm;
  let hr;
  let loopback;
  let good; // content folder whose scope covers every test origin
  const id = extensionIdOf();

  const policy = (over = {}) => ({
    allowed_origins: [crm.replace(/:\d+$/, ':*')],
    bundle_url: `${server.url}${BUNDLE}`,
    update_interval_minutes: 5,
    trusted_keys: [key.public],
    user: {
      from_page: {
        id: '[data-testid=current-user]@data-user-id',
        roles: '[data-testid=current-user]@data-roles',
        region: '[data-testid=current-user]@data-region',
      },
    },
    support: { name: 'Acme IT desk', url: 'mailto:it@acme.example' },
    _keys: ['allowed_origins', 'bundle_url', 'update_interval_minutes', 'trusted_keys', 'user', 'support'],
    ...over,
  });

  before(async () => {
    app = await startDemoApp();
    server = await startBundleServer();
    work = mkdtempSync(join(tmpdir(), 'waymark-policy-'));
    key = keygen(work, 'signing-key');
    const port = new URL(app.url).port;
    crm = `http://crm.acme.test:${port}`;
    hr = `http://hr.acme.test:${port}`;
    loopback = app.url;
    good = content(work, 'good', { scope: ['http://*.acme.test:*', 'http://127.0.0.1:*'] });
  });
  after(() => {
    removePolicy();
    server?.stop();
    app?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('one browser under a policy that changes', () => {
    let browser;
    let options;
    let profile;

    before(async () => {
      server.publish(BUNDLE, build(work, good, { key: key.file, version: 1 }));
      writePolicy(id, policy());
      profile = mkdtempSync(join(tmpdir(), 'waymark-policy-profile-'));
      browser = await launch({ developer: true, profile, args: [RESOLVE] });
      options = await optionsPage(browser);
    });
    after(async () => {
      await browser?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    test('the published bundle is downloaded and used where policy allows', async () => {
      const text = await options.shows([/Guidance is on: bundle version 1 is in use/, /Where Waymark runs\s+http:\/\/crm\.acme\.test:\*/]);
      assert.match(text, /bundle_url, fetched/);
      assert.match(text, /Signed by\s+key \S+ \(a key in policy trusted_keys\)/);
      assert.match(text, /Need help\? Contact Acme IT desk/);
      const { page, frame, problems } = await guided(browser, crm);
      // The panel names who helps.
      await frame.getByText('Acme IT desk').waitFor();
      assert.deepEqual(problems, []);
      await page.close();
      assert.equal(server.stats(BUNDLE).bodies, 1, 'one download');
    });

    test('origins outside allowed_origins get no agent at all', async () => {
      await expectNoAgent(browser, `${hr}/crm/deals`);
      await expectNoAgent(browser, `${loopback}/crm/deals`);
      const registered = await browser.worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
      assert.deepEqual(registered.map((s) => s.matches), [['http://crm.acme.test/*']]);
    });

    test('user.from_page reads the signed-in user from the host page', async () => {
      await options.shows([/Id\s+jordan\.diaz/, /Roles\s+store-manager, sales/, /Region\s+emea/, /From\s+page \(http:\/\/crm\.acme\.test:\d+\)/]);
    });

    test("each role sees its own onboarding checklist (the demo app's user switch)", async () => {
      const page = await browser.context.newPage();
      const problems = watchConsole(page);
      await page.goto(`${crm}/crm/deals`);
      await page.getByTestId('new-deal').waitFor();
      await clickLauncher(page);
      let frame = await overlayFrame(page);
      const sales = frame.getByRole('region', { name: 'Your first week in sales' });
      await sales.getByText('0 of 4 done').waitFor();
      assert.equal(await frame.getByText('Your first week in the people team').count(), 0);

      // Sam, of the people team, signs in: the app reloads as Sam.
      await settled(frame, 'closing help');
      await frame.getByRole('button', { name: 'Close help' }).click();
      await until(async () => !(await frame.frameElement().then((e) => e.isVisible())), 'help to close');
      await page.getByRole('button', { name: /Signed in as Jordan Diaz/ }).click();
      await page.getByTestId('switch-user-sam').click();
      await page.getByRole('button', { name: /Signed in as Sam Okafor/ }).waitFor();
      await clickLauncher(page);
      frame = await overlayFrame(page);
      const people = frame.getByRole('region', { name: 'Your first week in the people team' });
      await people.getByText('0 of 3 done').waitFor();
      assert.equal(await frame.getByText('Your first week in sales').count(), 0);
      // Reading an item ticks it.
      await settled(frame, 'opening a checklist item');
      await people.getByRole('button', { name: 'How much time off you can take' }).click();
      await frame.getByRole('heading', { name: 'How much time off you can take' }).waitFor();
      await settled(frame, 'going back');
      await frame.getByRole('button', { name: 'Back to results' }).click();
      await people.getByText('1 of 3 done').waitFor();
      await people.getByRole('button', { name: /How much time off you can take \(done\)/ }).waitFor();
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('Check now: an unchanged bundle is a 304 with no body; a newer one is used', async () => {
      const before = server.stats(BUNDLE);
      await options.checkNow();
      await options.shows([/not modified \(Check now\)/]);
      const after = server.stats(BUNDLE);
      assert.equal(after.notModified, before.notModified + 1);
      assert.equal(after.bytes, before.bytes, 'a 304 moves no body');

      server.publish(BUNDLE, build(work, good, { key: key.file, version: 2 }));
      await options.checkNow();
      await options.shows([/Guidance is on: bundle version 2 is in use/, /new bundle version 2 \(Check now\)/]);
    });

    test('the update alarm picks up a newer bundle', async () => {
      server.publish(BUNDLE, build(work, good, { key: key.file, version: 3 }));
      const next = await browser.worker.evaluate(async () => (await chrome.alarms.get('waymark-update'))?.scheduledTime);
      // The schedule is one interval away, give or take the jitter (5 min: 4-5 min).
      assert.ok(next > Date.now() + 3.5 * 60_000 && next <= Date.now() + 5 * 60_000, `next check at ${new Date(next).toISOString()}`);
      // Fire the worker's own alarm now (unpacked extensions may), instead of waiting minutes.
      await browser.worker.evaluate(() => chrome.alarms.create('waymark-update', { when: Date.now() }));
      await options.shows([/Guidance is on: bundle version 3 is in use/, /new bundle version 3 \(scheduled\)/]);
    });

    test('a walkthrough in progress finishes on the version it started on', async () => {
      const { page, frame, problems } = await guided(browser, crm);
      await settled(frame, 'starting');
      await frame.locator('button.item', { hasText: 'Create a deal' }).click();
      await frame.getByRole('heading', { name: 'Start a new deal' }).waitFor();
      // Version 4 renames the second step.
      const renamed = content(work, 'renamed', {
        scope: ['http://*.acme.test:*', 'http://127.0.0.1:*'],
        edit: (dir) => {
          const f = join(dir, 'create-deal.toml');
          writeFileSync(f, readFileSync(f, 'utf8').replace('title = "Name the deal"', 'title = "Give the deal a name"'));
        },
      });
      server.publish(BUNDLE, build(work, renamed, { key: key.file, version: 4 }));
      await options.checkNow();
      await options.shows([/Guidance is on: bundle version 4 is in use/]);
      await page.getByTestId('new-deal').click();
      await frame.getByText('2 of 5').waitFor();
      await frame.getByRole('heading', { name: 'Name the deal' }).waitFor();
      await clickInCard(frame, 'End walkthrough');
      // The next one runs on version 4.
      await page.goto(`${crm}/crm/deals`);
      await clickLauncher(page);
      const frame2 = await overlayFrame(page);
      await frame2.locator('button.item', { hasText: 'Create a deal' }).waitFor();
      await settled(frame2, 'starting');
      await frame2.locator('button.item', { hasText: 'Create a deal' }).click();
      await frame2.getByRole('heading', { name: 'Start a new deal' }).waitFor();
      await page.getByTestId('new-deal').click();
      await frame2.getByRole('heading', { name: 'Give the deal a name' }).waitFor();
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('bad bundles are refused with the reason shown; the last good one keeps serving', async () => {
      const expired = Math.floor(Date.now() / 1000) - 400 * 86400;
      const tampered = Buffer.from(build(work, good, { key: key.file, version: 10 }));
      tampered[60] ^= 1;
      const other = keygen(work, 'other-key');
      const narrow = content(work, 'narrow', { scope: ['http://hr.acme.test:*'] });
      const cases = [
        ['tampered', tampered, /signature|does not verify|damaged|corrupt/i],
        ['foreign key', build(work, good, { key: other.file, version: 11 }), /not signed by a trusted key|untrusted|signed by/i],
        ['rolled back', build(work, good, { key: key.file, version: 2 }), /version 2 is older than version 4/],
        ['expired', build(work, good, { key: key.file, version: 12, epoch: expired }), /expired on \d{4}-\d\d-\d\d/],
        ['staging', build(work, good, { key: key.file, version: 13, env: 'staging' }), /built for staging but policy `environment` is production/],
        ['out of scope', build(work, narrow, { key: key.file, version: 14 }), /does not cover http:\/\/crm\.acme\.test:\*/],
      ];
      for (const [name, bytes, reason] of cases) {
        server.publish(BUNDLE, bytes);
        await options.checkNow();
        const text = await options.shows([/A new content bundle was refused; the last good bundle stays in use/, reason]).catch((e) => {
          throw new Error(`${name}: ${e.message}`);
        });
        assert.match(text, /Version\s+4\b/, `${name}: version 4 stays in use`);
      }
      const { page, problems } = await guided(browser, crm);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('bad servers give a reason and the last good bundle keeps serving', async () => {
      server.publish(BUNDLE, build(work, good, { key: key.file, version: 20 }));
      await options.checkNow();
      await options.shows([/Guidance is on: bundle version 20 is in use/]);
      const cases = [
        [404, /failed: the server answered HTTP 404/],
        [500, /failed: the server answered HTTP 500/],
        ['html', /failed: the server sent text\/html, not a bundle/],
        ['huge', /failed: the bundle is 2147483648 bytes, more than the 20 MiB limit/],
        ['redirect', /failed: bundle_url redirected to another origin \(http:\/\/localhost:\d+\)/],
        ['slow', /failed: the download stalled or was too slow/],
      ];
      for (const [mode, reason] of cases) {
        server.misbehave(BUNDLE, mode);
        await options.checkNow();
        await options.shows([reason, /Guidance is on: bundle version 20 is in use/], mode === 'slow' ? 60_000 : 30_000).catch((e) => {
          throw new Error(`${mode}: ${e.message}`);
        });
      }
      server.misbehave(BUNDLE, null);
      const { page, problems } = await guided(browser, crm);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('the storage attack from the content-script world changes nothing', async () => {
      // The attack of the review: from code in the page's renderer (the
      // agent's isolated world), claim a huge version in use and plant a
      // bundle signed with the committed demo key.
      const demo = build(work, good, { key: join(ROOT, 'extension/keys/demo-signing-key.txt'), version: 2 ** 40 });
      const page = await browser.context.newPage();
      const cdp = await page.context().newCDPSession(page);
      const worlds = [];
      cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
      await cdp.send('Runtime.enable');
      await page.goto(`${crm}/crm/deals`);
      const world = await until(() => worlds.find((w) => w.auxData?.type === 'isolated' && w.name === 'Waymark'), 'the agent world');
      const { result } = await cdp.send('Runtime.evaluate', {
        contextId: world.id,
        awaitPromise: true,
        returnByValue: true,
        expression: `(async () => {
          const bytes = '${demo.toString('base64')}';
          const big = 2 ** 53 - 1;
          const out = {};
          try {
            await chrome.storage.local.set({ inUse: big, lastGood: bytes, current: { bytes, version: big }, policy: { raw: null }, trusted_keys: [] });
            out.write = 'written';
          } catch (e) { out.write = 'refused: ' + e.message; }
          try { out.read = Object.keys(await chrome.storage.local.get(null)); } catch (e) { out.read = 'refused: ' + e.message; }
          try { out.session = Object.keys(await chrome.storage.session.get(null)); } catch (e) { out.session = 'refused: ' + e.message; }
          return out;
        })()`,
      });
      console.log(`# storage from the content-script world: ${JSON.stringify(result.value)}`);
      await cdp.detach();
      await page.close();
      // A restart: everything is read back from storage.
      await browser.close();
      browser = await launch({ developer: true, profile, args: [RESOLVE] });
      options = await optionsPage(browser);
      await options.shows([/Guidance is on: bundle version 20 is in use/, /Signed by\s+key \S+ \(a key in policy trusted_keys\)/]);
      const g = await guided(browser, crm);
      assert.deepEqual(g.problems, []);
      await g.page.close();
    });

    test('a policy changed while the browser runs takes effect', async () => {
      writePolicy(id, policy({ allowed_origins: [hr.replace(/:\d+$/, ':*')] }));
      await options.shows([/Where Waymark runs\s+http:\/\/hr\.acme\.test:\*/], 60_000);
      await expectNoAgent(browser, `${crm}/crm/deals`);
      const g = await guided(browser, hr);
      assert.deepEqual(g.problems, []);
      await g.page.close();

      // Values of the wrong type: Chromium drops them, the page names them.
      writePolicy(id, { ...policy(), update_interval_minutes: '30', trusted_keys: key.public });
      const text = await options.shows([/Values not used/, /update_interval_minutes was set but did not arrive/, /trusted_keys was set but did not arrive/], 60_000);
      assert.match(text, /No guidance is shown|refused/);
      await expectNoAgent(browser, `${crm}/crm/deals`);

      // An unreachable bundle_url: the reason, and the last good bundle.
      writePolicy(id, policy({ bundle_url: 'http://127.0.0.1:9/waymark/content.wmb' }));
      await options.shows([/Guidance is on: bundle version 20 is in use/], 60_000);
      await options.checkNow();
      await options.shows([/failed: http:\/\/127\.0\.0\.1:9 could not be reached/]);
      const g2 = await guided(browser, crm);
      assert.deepEqual(g2.problems, []);
      await g2.page.close();
      assert.deepEqual(options.problems, []);
    });
  });
  describe('force-installed from a company web server', () => {
    let browser;
    after(async () => {
      await browser?.close();
    });

    test('ExtensionInstallForcelist installs Waymark, which then follows the policy', async () => {
      const crx = readFileSync(join(DIST, '..', 'waymark.crx'));
      const version = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8')).version;
      server.publish('/waymark.crx', crx, 'application/x-chrome-extension');
      server.publish('/updates.xml', Buffer.from(`<?xml version='1.0' encoding='UTF-8'?>
<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>
  <app appid='${id}'>
    <updatecheck codebase='${server.url}/waymark.crx' version='${version}' />
  </app>
</gupdate>
`), 'text/xml');
      server.publish(BUNDLE, build(work, good, { key: key.file, version: 30 }));
      // DeveloperToolsAvailability 1 lets the test driver see the
      // extension; it changes nothing Waymark does.
      writePolicy(id, policy(), { ExtensionInstallForcelist: [`${id};${server.url}/updates.xml`], DeveloperToolsAvailability: 1 });
      browser = await launch({ forceInstalled: id, args: [RESOLVE] });
      const options = await optionsPage(browser);
      await options.shows([/Guidance is on: bundle version 30 is in use/, /Where Waymark runs\s+http:\/\/crm\.acme\.test:\*/]);
      // How Chromium granted host access to this install (docs/admin.md).
      const grant = await options.page.evaluate(async () => ({
        installType: (await chrome.management.getSelf()).installType,
        origins: (await chrome.permissions.getAll()).origins,
      }));
      console.log(`# force-installed: ${JSON.stringify(grant)}`);
      assert.equal(grant.installType, 'admin');
      assert.ok(server.log.some((e) => e.path === '/waymark.crx' && e.status === 200), 'the CRX came from the company server');
      const g = await guided(browser, crm);
      assert.deepEqual(g.problems, []);
      await g.page.close();
      await expectNoAgent(browser, `${hr}/crm/deals`);
    });
  });
});
