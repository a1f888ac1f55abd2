// The recorder, end to end (issue 14): an author records "Create a deal" on
// demo-app (strict CSP + Trusted Types) through the real recorder UI:
// clicks and a typed value through a route change, a title edited and steps
// moved in the card. The exported file passes `waymark validate`, builds,
// and plays to completion in the extension; before that, Preview plays the
// recording at once. The value typed never leaves
// the page, and the host console stays clean.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  axeViolations, clickLauncher, distWithContent, launch, overlayFrame, settled, shadowBox, startDemoApp, until, waymarkCli, watchConsole,
} from './harness.mjs';

describe('recorder', () => {
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

  test('record "Create a deal", export it, validate it, build it and play it', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();

    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const record = frame.getByRole('button', { name: 'Record a walkthrough' });
    await record.waitFor();
    await settled(frame, 'starting to record');
    await record.click();
    await frame.getByRole('heading', { name: 'Recording' }).waitFor();
    const steps = frame.locator('li.rec-step');
    const counted = async (n) => {
      await until(async () => (await steps.count()) === n, `${n} recorded steps`);
      await until(async () => !(await frame.getByText('checking…').count()), 'the page to count the targets');
    };

    // Hovering: the spotlight follows the pointer.
    const box = await page.getByTestId('new-deal').boundingBox();
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.move(box.x + 10, box.y + 8);
    const spot = await until(() => shadowBox(page, '.spot:not([hidden])'), 'the spotlight to follow the pointer');
    assert.ok(Math.abs(spot.x - (box.x - 4)) <= 2 && Math.abs(spot.y - (box.y - 4)) <= 2, `spotlight ${JSON.stringify(spot)} on ${JSON.stringify(box)}`);

    // A click, through to the app (a route change), a typed value, a click.
    await page.getByTestId('new-deal').click();
    await counted(1);
    await page.getByLabel('Deal name').fill('Initech – secret 4111 1111 1111 1111');
    await page.getByLabel('Deal name').press('Tab');
    await counted(2);
    await page.getByLabel('Company').fill('Initech');
    await page.getByLabel('Company').press('Tab');
    await counted(3);
    await page.getByLabel('Amount').fill('9000');
    // Leaving the amount for Save commits it: a step, then the click.
    await page.getByTestId('save-deal').click();
    await counted(5);
    await page.getByRole('heading', { name: 'Deals' }).waitFor();

    // The card: the company and amount steps are not wanted; the last
    // title is better put; a step moved up and back.
    const titles = async () => frame.locator('input.rec-title').evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(await titles(), ['Click New deal', 'Fill in Deal name', 'Fill in Company', 'Fill in Amount', 'Click Save deal']);
    await settled(frame, 'editing');
    await frame.getByRole('button', { name: 'Delete step 3' }).click();
    await until(async () => (await steps.count()) === 4, 'a step deleted');
    // The card changed size: clicks count once it is still again (the
    // frame's click guard, issue 12).
    await settled(frame, 'deleting again');
    await frame.getByRole('button', { name: 'Delete step 3' }).click();
    await until(async () => (await steps.count()) === 3, 'another step deleted');
    await settled(frame, 'editing a title');
    const last = frame.getByRole('textbox', { name: 'Title of step 3' });
    await last.fill('Save the deal');
    await last.press('Tab');
    await until(async () => (await titles())[2] === 'Save the deal', 'the title edited');
    // Step 1's text and placement, in the step's details.
    await settled(frame, 'opening details');
    await frame.getByText('Text, placement and advance of step 1').click();
    const body = frame.locator('textarea.rec-body').first();
    await body.fill('Every deal starts here: click **New deal**.');
    await body.press('Tab');
    await frame.locator('select.rec-placement').first().selectOption('bottom');
    // Step 2 moves on as soon as a name is typed.
    await settled(frame, 'opening step 2');
    await frame.getByText('Text, placement and advance of step 2').click();
    const advance = frame.locator('select.rec-advance').nth(1);
    assert.deepEqual(await advance.locator('option').allTextContents(), ['they enter a value and leave the field', 'they type in it', 'they press Next']);
    await advance.selectOption('input');
    // Where it will be offered: the pattern, what it matches of the pages
    // visited, and a rewrite refused with the reason.
    await settled(frame, 'opening the pages');
    await frame.getByText('Where it is offered').click();
    await frame.getByText('/crm/deals* matches /crm/deals, /crm/deals/new').waitFor();
    const pagesBox = frame.getByRole('textbox', { name: /^Pages/ });
    await pagesBox.fill('crm/deals');
    await pagesBox.press('Tab');
    await frame.getByRole('alert').filter({ hasText: '`crm/deals` is not a page pattern' }).waitFor();
    await pagesBox.fill('/crm/deals');
    await pagesBox.press('Tab');
    await frame.getByText('Not offered on /crm/deals/new').waitFor();
    await pagesBox.fill('');
    await pagesBox.press('Tab');
    await frame.getByText('/crm/deals* matches /crm/deals, /crm/deals/new').waitFor();
    await settled(frame, 'moving');
    await frame.getByRole('button', { name: 'Move step 2 up' }).click();
    await until(async () => (await titles())[0] === 'Fill in Deal name', 'step 2 moved up');
    await settled(frame, 'moving back');
    await frame.getByRole('button', { name: 'Move step 2 up' }).click();
    await until(async () => (await titles())[0] === 'Click New deal', 'and back');

    assert.deepEqual(await axeViolations(frame, 'recorder card'), []);

    // Preview: the recording plays at once, as employees will see it (the
    // body's Markdown rendered), and nothing done in it is recorded.
    await settled(frame, 'previewing');
    await frame.getByRole('button', { name: 'Preview' }).click();
    await frame.locator('.badge.preview').waitFor();
    await frame.getByText('1 of 3').waitFor();
    assert.equal(await frame.locator('.body strong').textContent(), 'New deal');
    assert.deepEqual(await axeViolations(frame, 'preview card'), []);
    await page.getByTestId('new-deal').click();
    await frame.getByText('2 of 3').waitFor();
    await page.getByLabel('Deal name').fill('Umbrella');
    await page.getByLabel('Deal name').press('Tab');
    await frame.getByText('3 of 3').waitFor();
    await page.getByLabel('Company').fill('Umbrella');
    await page.getByLabel('Amount').fill('5');
    await settled(frame, 'saving in the preview');
    await page.getByTestId('save-deal').click();
    await frame.getByText('You completed this walkthrough.').waitFor();
    await settled(frame, 'closing the preview');
    await frame.getByRole('button', { name: 'Close' }).click();
    await frame.getByRole('heading', { name: 'Recording' }).waitFor();
    assert.deepEqual(await titles(), ['Click New deal', 'Fill in Deal name', 'Save the deal'], 'the preview recorded nothing');
    await page.getByRole('heading', { name: 'Deals' }).waitFor();

    await settled(frame, 'finishing');
    await frame.getByRole('button', { name: /^Finish/ }).click();
    const area = frame.locator('textarea.export');
    await area.waitFor();
    const text = await area.inputValue();
    assert.deepEqual(await axeViolations(frame, 'recorder export'), []);
    assert.ok(!text.includes('4111') && !text.includes('secret'), 'the typed value is in no file');
    assert.match(text, /status = "draft"/);
    assert.match(text, /applies_to = \["\/crm\/deals\*"\]/);
    assert.match(text, /target = \["\[data-testid=\\"new-deal\\"\]", "aria\/New deal\[role=\\"button\\"\]", "text\/New deal"\]/);
    assert.match(text, /title = "Save the deal"/);
    assert.match(text, /body = "Every deal starts here: click \*\*New deal\*\*\."/);
    assert.match(text, /placement = "bottom"/);
    assert.match(text, /advance = "input"/);
    // demo-app gives the save button a new random id (`btn-` + 7 base-36
    // characters) on every render: never a target.
    assert.ok(!/#btn-(?!primary)[a-z0-9]{7}"/.test(text), 'the save button\'s generated id is not a target');
    assert.equal(await frame.locator('a[download]').getAttribute('download'), 'recorded-walkthrough.toml');
    await settled(frame, 'done');
    await frame.getByRole('button', { name: 'Done' }).click();
    await until(async () => !(await frame.locator('section.recorder').count()), 'record mode ended');
    assert.deepEqual(problems, [], 'host console is clean');

    // The file as an author saves it: validate, then (approved by a
    // reviewer) build and play it in the extension.
    const dir = mkdtempSync(join(tmpdir(), 'waymark-recorded-'));
    try {
      writeFileSync(join(dir, 'waymark.toml'), '[bundle]\nscope = ["http://127.0.0.1:*"]\n');
      writeFileSync(join(dir, 'recorded-walkthrough.toml'), text);
      assert.match(waymarkCli(['validate', dir]), /^ok: 1 walkthroughs, 3 steps/);
      waymarkCli(['fmt', '--check', dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const dist = distWithContent({ 'recorded-walkthrough.toml': text.replace('status = "draft"', 'status = "approved"') }, {
      library: join(import.meta.dirname, '../../walkthroughs/library'),
    });
    const player = await launch({ dist: dist.dir });
    try {
      const p = await player.context.newPage();
      const said = watchConsole(p);
      await p.goto(`${app.url}/crm/deals`);
      await p.getByTestId('new-deal').waitFor();
      await clickLauncher(p);
      const f = await overlayFrame(p);
      const item = f.locator('button.item', { hasText: 'Recorded walkthrough' });
      await item.waitFor();
      await settled(f, 'choosing it');
      await item.click();
      await f.getByText('1 of 3').waitFor();
      await p.getByTestId('new-deal').click();
      await f.getByText('2 of 3').waitFor();
      await p.getByLabel('Deal name').fill('Globex');
      await p.getByLabel('Deal name').press('Tab');
      await f.getByText('3 of 3').waitFor();
      await p.getByLabel('Company').fill('Globex');
      await p.getByLabel('Amount').fill('100');
      await settled(f, 'saving');
      await p.getByTestId('save-deal').click();
      await f.getByText('You completed this walkthrough.').waitFor();
      assert.deepEqual(said, [], 'host console is clean when playing');
    } finally {
      await player.close();
      dist.remove();
    }
  });

  test('a click inside a same-origin frame is recorded with its frame hop', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/fixtures/chaos.html`);
    const inFrame = page.frameLocator('#frame').getByTestId('frame-button');
    await inFrame.waitFor();
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const record = frame.getByRole('button', { name: 'Record a walkthrough' });
    await record.waitFor();
    await settled(frame, 'recording');
    await record.click();
    await frame.getByRole('heading', { name: 'Recording' }).waitFor();
    await inFrame.click();
    await until(async () => (await frame.locator('li.rec-step').count()) === 1
      && !(await frame.getByText('checking…').count()), 'the click in the frame recorded');
    await settled(frame, 'finishing');
    await frame.getByRole('button', { name: /^Finish/ }).click();
    const text = await frame.locator('textarea.export').inputValue();
    assert.match(text, /target = \["#frame >>> \[data-testid=\\"frame-button\\"\]"/, text);
    await settled(frame, 'done');
    await frame.getByRole('button', { name: 'Done' }).click();
    assert.deepEqual(problems, [], 'host console is clean');
  });
});
