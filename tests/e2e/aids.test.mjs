// Job aids and articles offered beside an error (issue 15), end to end on
// demo-app under the strict CSP + Trusted Types, with a clean host console:
// - Apply: "Close the till" is an article with boxes to tick; the ticks
//   stay across reloads until the user clears them;
// - Solve: the refund form's error banner offers "What can be refunded"
//   beside the banner (not in a corner); "Read it" opens the article.
// - Apply: the new-deal form's smart tips show on focus and on hover, stay
//   while hovered, close with Escape; its beacon opens a card whose "Got
//   it" puts it away for good.
// The role checklists need a known user (policy `user.from_page`), so
// they are tested in policy.test.mjs with the demo app's role switch.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clickLauncher, frameBox, gap, launch, overlayFrame, settled, shadowBox, shadowText, startDemoApp, until, watchConsole,
} from './harness.mjs';

describe('job aids and errors', () => {
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

  /** Opens help on `path` and the article titled `title`. */
  async function openArticle(page, path, title) {
    await page.goto(`${app.url}${path}`);
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: title });
    await item.waitFor();
    await settled(frame, 'opening the article');
    await item.click();
    await frame.getByRole('heading', { name: title }).waitFor();
    return frame;
  }

  test('a job aid keeps its ticks across reloads until they are cleared', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    const title = 'Close the till at the end of the day';
    let frame = await openArticle(page, '/pos/checkout', title);
    const boxes = frame.getByRole('checkbox');
    assert.equal(await boxes.count(), 5);
    await frame.getByText('0 of 5 done').waitFor();
    // Each box is named by what it ticks.
    await settled(frame, 'ticking');
    await frame.getByRole('checkbox', { name: 'Count the cash drawer and write the total on the report.' }).click();
    await frame.getByText('1 of 5 done').waitFor();
    await frame.getByRole('checkbox', { name: /^Log the bag number in the cash book/ }).click();
    await frame.getByText('2 of 5 done').waitFor();

    await page.reload();
    frame = await openArticle(page, '/pos/checkout', title);
    await frame.getByText('2 of 5 done').waitFor();
    await settled(frame, 'clearing');
    assert.equal(await frame.getByRole('checkbox', { name: 'Count the cash drawer and write the total on the report.' }).isChecked(), true);
    assert.equal(await frame.getByRole('checkbox', { name: /^Print the Z report/ }).isChecked(), false);
    await frame.getByRole('button', { name: 'Clear ticks' }).click();
    await frame.getByText('0 of 5 done').waitFor();
    assert.equal(await frame.getByRole('checkbox', { checked: true }).count(), 0);
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('an error on screen offers its article beside it', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/pos/refunds`);
    const frame = await overlayFrame(page);
    // This screen's walkthrough changed: that card comes first.
    await frame.getByRole('status', { name: 'What changed' }).waitFor();
    await settled(frame, 'got it');
    await frame.getByRole('button', { name: 'Got it' }).click();
    await until(async () => (await frameBox(frame)) === null, 'the change card to close');

    await page.getByRole('button', { name: /^Refund order/ }).first().click();
    await page.getByRole('button', { name: 'Refund selected items' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'before refunding' });
    await banner.waitFor();
    const offer = frame.getByRole('status', { name: 'Help for what is on screen' });
    await offer.getByText('What can be refunded').waitFor();
    // Beside the banner, not above the launcher in the corner.
    const near = await until(async () => {
      const f = await frameBox(frame);
      const b = await banner.boundingBox();
      return f && b && gap(f, b) < 40 && f;
    }, 'the offer to sit beside the error');
    // A beacon on the error itself points at the help.
    const dot = await until(() => shadowBox(page, '.tip-dot.beacon[aria-label="Help for this: What can be refunded"]:not([hidden])'), 'the dot beside the error');
    assert.ok(gap(dot, await banner.boundingBox()) < 10, 'the dot is on the error');
    const vp = page.viewportSize();
    assert.ok(near.y + near.height < vp.height - 80, `not in the launcher's corner: ${JSON.stringify(near)}`);
    await settled(frame, 'reading it');
    await frame.getByRole('button', { name: 'Read it' }).click();
    await frame.getByRole('heading', { name: 'What can be refunded' }).waitFor();
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('smart tips show on focus and hover and close with Escape; a beacon opens its card', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    // Elements named like Waymark's isolated-world handles (named
    // properties of every world's window) stop neither agent nor tips.
    await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
      for (const id of ['__waymarkAgent', '__waymarkTips']) {
        const d = document.createElement('div');
        d.id = id;
        document.body.append(d);
      }
    }));
    await page.goto(`${app.url}/crm/deals/new`);
    const amount = page.getByRole('spinbutton', { name: 'Amount' });
    await amount.waitFor();
    // A marker beside each field with a tip, and the beacon.
    const marker = await until(() => shadowBox(page, '.tip-dot[aria-label="Tip: Amount"]:not([hidden])'), 'the Amount marker');
    const field = await amount.boundingBox();
    assert.ok(marker.x >= field.x + field.width && marker.x - (field.x + field.width) < 12, 'just right of its field');
    const card = () => shadowBox(page, '.tip-card:not([hidden])');
    const cardText = () => shadowText(page, '.tip-card');

    // Focus: the tip shows; Escape closes it, focus stays in the field.
    await amount.focus();
    await until(async () => (await card()) && /before tax/.test(await cardText()), 'the tip on focus');
    await page.keyboard.press('Escape');
    await until(async () => !(await card()), 'Escape to close the tip');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'amount');

    // Hover: the tip shows, can be hovered itself, and goes when the pointer leaves.
    await page.getByRole('textbox', { name: 'Deal name' }).focus();
    const close = page.getByLabel('Close date');
    await close.hover();
    await until(async () => (await card()) && /Forecasts read it/.test(await cardText()), 'the tip on hover');
    const box = await card();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.ok(await card(), 'the tip stays while the pointer is on it');
    await page.mouse.move(5, 5);
    await until(async () => !(await card()), 'the tip to go once the pointer left');

    // The beacon: its card opens on click; Got it puts it away, for good.
    const beacon = await until(() => shadowBox(page, '.tip-dot.beacon:not([hidden])'), 'the beacon');
    await page.mouse.click(beacon.x + beacon.width / 2, beacon.y + beacon.height / 2);
    await until(async () => (await card()) && /the Qualified stage/.test(await cardText()), 'the beacon card');
    const got = await shadowBox(page, '.tip-card button');
    await page.mouse.click(got.x + got.width / 2, got.y + got.height / 2);
    await until(async () => !(await shadowBox(page, '.tip-dot.beacon')), 'the beacon to go');
    await page.reload();
    await amount.waitFor();
    await until(() => shadowBox(page, '.tip-dot[aria-label="Tip: Amount"]:not([hidden])'), 'the markers after a reload');
    assert.equal(await shadowBox(page, '.tip-dot.beacon'), null, 'a closed beacon stays closed');
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});
