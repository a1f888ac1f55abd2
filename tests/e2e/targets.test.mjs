// Waiting for targets, end to end: a step whose element never shows up says
// so after its timeout (no silent centring, no dead tour), offers Try again,
// Skip and End, records each miss with the step and content version, and a
// skip carries on to the next step, which is found and spotlit: among many
// matching buttons, the one the engine's scoring picks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { distWithContent, clickInCard, clickLauncher, launch, overlayFrame, settled, shadowBox, startDemoApp, until, watchConsole } from './harness.mjs';

const GHOST = `id = "ghost"
title = "Find a missing button"
moment = "more"
owner = "qa"
status = "approved"
applies_to = ["/crm/deals*"]

[[steps]]
id = "ghost-step"
title = "Press the export button"
target = ["[data-testid=export-deals]", "text/Export"]
timeout = 1

# The second alternative matches every button on the page: the agent
# reports them all and the engine's scoring picks the one the test id names.
[[steps]]
id = "open-form"
title = "Start a new deal"
target = ["[data-testid=new-deal]", "button"]
`;

describe('waiting for targets', () => {
  let app;
  let browser;
  let dist;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    dist = distWithContent({ 'waymark.toml': '[bundle]\nscope = ["http://127.0.0.1:*"]\n', 'ghost.toml': GHOST });
    browser = await launch({ dist: dist.dir });
  });
  after(async () => {
    await browser?.close();
    app?.stop();
    dist?.remove();
  });

  test('a target that never appears: the card says so, Try again, Skip', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: 'Find a missing button' });
    await item.waitFor();
    await settled(frame, 'choosing the walkthrough');
    await item.click();

    await frame.getByRole('heading', { name: "Can't find this on the page" }).waitFor();
    await frame.getByText('“Press the export button”').waitFor();
    assert.equal(await shadowBox(page, '.spot:not([hidden])'), null, 'no spotlight on nothing');
    await clickInCard(frame, 'Try again');
    await frame.getByRole('heading', { name: 'Press the export button' }).waitFor();
    await frame.getByRole('heading', { name: "Can't find this on the page" }).waitFor();
    await clickInCard(frame, 'Skip step');
    await frame.getByRole('heading', { name: 'Start a new deal' }).waitFor();
    const target = await page.getByTestId('new-deal').boundingBox();
    await until(async () => {
      const spot = await shadowBox(page, '.spot:not([hidden])');
      return spot && Math.abs(spot.x + 4 - target.x) <= 2 && Math.abs(spot.y + 4 - target.y) <= 2;
    }, 'the spotlight on New deal, chosen among all the buttons');

    const queue = await until(async () => {
      const got = await browser.worker.evaluate(() => waymark.records());
      return got.filter((r) => r.kind === 'target_missing').length >= 2 ? got : null;
    }, 'two target_missing records');
    const missed = queue.filter((r) => r.kind === 'target_missing');
    assert.deepEqual(missed.map((r) => [r.content.id, r.step]), [['ghost', 'ghost-step'], ['ghost', 'ghost-step']]);
    assert.ok(missed.every((r) => /^[0-9a-f]{16}$/.test(r.content.version) && r.origin === new URL(app.url).origin && r.screen === '/crm/deals*' && r.url === undefined));
    assert.deepEqual(problems, [], 'host console is clean');
  });
});
