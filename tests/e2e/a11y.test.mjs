// Accessibility (issue 12): axe-core (npm, pinned) over every surface an
// employee or admin sees: the help panel (what applies here, results, no
// results, an article), each kind of card (click step, next step, decision,
// missing target, check, completion) and the options page. Zero violations
// of WCAG 2.2 A/AA and axe's best practices.
//
//   demo library + a step whose target never appears ──waymark build──▶ dist copy ──▶ Chromium
//   each surface ──axe.run in the overlay frame / options page──▶ violations (must be none)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  axeViolations as audit, clickInCard, distWithContent, clickLauncher, frameBox, launch, overlayFrame, settled, shadowBox, startDemoApp, until, watchConsole,
} from './harness.mjs';

const ROOT = join(import.meta.dirname, '../..');

const GHOST = `id = "ghost"
title = "Find a missing button"
moment = "more"
owner = "qa"
status = "approved"
applies_to = ["/crm/deals*"]

[[steps]]
id = "ghost-step"
title = "Press the export button"
target = ["[data-testid=export-deals]"]
timeout = 1
`;

describe('accessibility (axe-core)', () => {
  let app;
  let browser;
  let dir;
  let dist;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    // The demo library, a step whose target never appears, and an Arabic
    // translation (right to left), English where none is written.
    dist = distWithContent({
      'ghost.toml': GHOST,
      'waymark.toml': (text) => text
        .replace('translations = ["fr"]', 'translations = ["fr", "ar"]')
        .replace('fr = "en"', 'fr = "en"\nar = "en"'),
      'create-deal.toml': (text) => `${text}
[translations.ar]
title = "إنشاء صفقة"

[translations.ar.steps.open-form]
title = "ابدأ صفقة جديدة"
body = "كل فرصة تبدأ هنا. انقر على **New deal** لفتح النموذج."
`,
    }, { library: join(ROOT, 'walkthroughs/library') });
    dir = dist.dir;
    browser = await launch({ dist: dir });
  });
  after(async () => {
    await browser?.close();
    app?.stop();
    dist?.remove();
  });

  test('every surface has zero axe violations', async () => {
    const found = [];
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();

    // The panel: what applies here, results, no results, an article.
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    await frame.getByRole('heading', { name: 'For this page' }).waitFor();
    found.push(...await audit(frame, 'panel (for this page)'));
    await frame.locator('input.search').fill('deal stages');
    await frame.getByRole('heading', { name: 'Results' }).waitFor();
    found.push(...await audit(frame, 'panel (results)'));
    await frame.locator('input.search').fill('xyzzy plugh');
    await frame.getByText('No results for “xyzzy plugh”').waitFor();
    found.push(...await audit(frame, 'panel (no results)'));
    await frame.locator('input.search').fill('deal stages');
    const article = frame.locator('button.item', { hasText: 'Deal stages explained' });
    await article.waitFor();
    await settled(frame, 'opening the article');
    await article.click();
    await frame.getByRole('heading', { name: 'Deal stages explained' }).waitFor();
    found.push(...await audit(frame, 'article'));
    await clickInCard(frame, 'Back to results');

    // A missing target, then the walkthrough's cards to the end.
    await frame.locator('input.search').fill('');
    const ghost = frame.locator('button.item', { hasText: 'Find a missing button' });
    await ghost.waitFor();
    await settled(frame, 'choosing the walkthrough');
    await ghost.click();
    await frame.getByRole('heading', { name: "Can't find this on the page" }).waitFor();
    found.push(...await audit(frame, 'card (missing target)'));
    await clickInCard(frame, 'End walkthrough');
    await until(async () => (await frameBox(frame)) === null, 'the card to close');

    await clickLauncher(page);
    const deal = frame.locator('button.item', { hasText: 'Create a deal' });
    await deal.waitFor();
    await settled(frame, 'choosing the walkthrough');
    await deal.click();
    await frame.getByText('1 of 5').waitFor();
    found.push(...await audit(frame, 'card (click step)'));
    await page.getByTestId('new-deal').click();
    await frame.getByText('2 of 5').waitFor();
    await page.getByLabel('Deal name').fill('Globex – 40 POS terminals');
    await page.getByLabel('Deal name').press('Tab');
    await frame.getByText('3 of 5').waitFor();
    found.push(...await audit(frame, 'card (next step)'));
    await page.getByLabel('Company').fill('Globex');
    await page.getByLabel('Amount').fill('48000');
    await clickInCard(frame, 'Next');
    await frame.getByText('4 of 5').waitFor();
    await clickInCard(frame, 'Next');
    await frame.getByText('5 of 5').waitFor();
    await page.getByTestId('save-deal').click();
    await frame.getByText('Question 1 of 1').waitFor();
    found.push(...await audit(frame, 'check'));
    await settled(frame, 'answering');
    await frame.getByLabel('Prospecting').check();
    await clickInCard(frame, 'Submit');
    await frame.getByText('You completed this walkthrough.').waitFor();
    found.push(...await audit(frame, 'completion'));
    await clickInCard(frame, 'Close');

    // A decision (the POS's declined-card tree).
    await page.goto(`${app.url}/pos/checkout`);
    await page.getByTestId('charge').waitFor();
    await clickLauncher(page);
    const pos = await overlayFrame(page);
    const tree = pos.locator('button.item', { hasText: 'Take payment after a declined card' });
    await tree.waitFor();
    await settled(pos, 'choosing the walkthrough');
    await tree.click();
    await pos.getByRole('heading', { name: 'Can the customer pay another way?' }).waitFor();
    found.push(...await audit(pos, 'card (decision)'));

    // The options page.
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    await options.getByRole('heading').first().waitFor();
    found.push(...await audit(options, 'options page'));
    await options.close();

    assert.deepEqual(found, [], `axe violations:\n${found.join('\n')}`);
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('keyboard only: a walkthrough and its check, focus into the card and back', async () => {
    // A fresh profile: the walkthrough left open above would take the
    // shortcut (it goes to a showing card first).
    const keys = await launch({ dist: dir });
    const page = await keys.context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();
    const inPage = () => page.evaluate(() => {
      const el = document.activeElement;
      return el?.dataset?.testid ?? el?.labels?.[0]?.textContent?.trim() ?? el?.localName;
    });
    const inFrame = (frame) => frame.evaluate(() => (document.hasFocus() ? document.activeElement?.textContent?.trim() || document.activeElement?.localName : null));

    // The user has tabbed to New deal; the shortcut opens help, Enter starts
    // the first result.
    await page.getByTestId('new-deal').focus();
    await page.keyboard.press('Alt+Shift+H');
    const frame = await overlayFrame(page);
    await until(() => frame.evaluate(() => document.activeElement?.matches('input.search')), 'focus in the search box');
    await page.keyboard.type('create a deal');
    await until(async () => (await frame.locator('.item-title').first().textContent()) === 'Create a deal', 'the walkthrough first');
    await page.keyboard.press('Enter');
    await frame.getByText('1 of 5').waitFor();
    // Escape: back to New deal, which Enter presses (a click step).
    await page.keyboard.press('Escape');
    await until(async () => (await inPage()) === 'new-deal', 'focus back on New deal');
    await page.keyboard.press('Enter');
    await frame.getByText('2 of 5').waitFor();
    await page.getByLabel('Deal name').focus();
    await page.keyboard.type('Globex – 40 POS terminals');
    await page.keyboard.press('Tab');
    await frame.getByText('3 of 5').waitFor();
    await page.getByLabel('Amount').focus();
    await page.keyboard.type('48000');

    // A "Next" step: the shortcut takes the keyboard into the card, on Next.
    await page.keyboard.press('Alt+Shift+H');
    await until(async () => (await inFrame(frame)) === 'Next', 'focus on Next in the card');
    assert.equal(await frame.locator('input.search').count(), 0, 'no panel over the card');
    await page.keyboard.press('Enter');
    await frame.getByText('4 of 5').waitFor();
    await until(async () => (await inFrame(frame)) === 'Next', 'focus still on Next').catch(async (e) => {
      throw new Error(`${e.message}; focus: ${await inFrame(frame)} / ${await frame.evaluate(() => document.activeElement?.outerHTML?.slice(0, 120))} / ${await frame.evaluate(() => document.hasFocus())}`);
    });
    await page.keyboard.press('Enter');
    await frame.getByText('5 of 5').waitFor();
    // Escape: back to Amount, where the user was.
    await page.keyboard.press('Escape');
    await until(async () => (await inPage()) === 'Amount', 'focus back in Amount').catch(async (e) => {
      throw new Error(`${e.message}; page: ${await inPage()}; frame: ${await inFrame(frame)}`);
    });
    await page.getByTestId('save-deal').focus();
    await page.keyboard.press('Enter');

    // The check, by keyboard: into it, Space picks the first answer, Tab to
    // Submit, Enter.
    await frame.getByText('Question 1 of 1').waitFor();
    await page.keyboard.press('Alt+Shift+H');
    await until(() => frame.evaluate(() => document.activeElement?.matches('.check input')), 'focus on the first answer');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await until(async () => (await inFrame(frame)) === 'Submit', 'focus on Submit');
    await page.keyboard.press('Enter');
    await frame.getByText('Check: 1 of 1 right. Passed.').waitFor();
    await page.keyboard.press('Alt+Shift+H');
    await until(async () => (await inFrame(frame)) === 'Close', 'focus on Close');
    await page.keyboard.press('Enter');
    await until(async () => (await frameBox(frame)) === null, 'the card to close');
    await until(() => page.evaluate(() => document.hasFocus()), 'focus back in the page');
    assert.deepEqual(problems, [], 'host console is clean');
    await keys.close();
  });

  test('reduced motion: the spotlight jumps instead of gliding', async () => {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    const cdp = await page.context().newCDPSession(page);
    const transition = async () => {
      const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
      const find = (n, f) => (f(n) ? n : [...(n.children ?? []), ...(n.shadowRoots ?? [])].map((c) => find(c, f)).find(Boolean));
      const spot = find(root, (n) => n.attributes?.includes('spot') && n.attributes?.[n.attributes.indexOf('class') + 1] === 'spot');
      await cdp.send('CSS.enable').catch(() => {});
      const { computedStyle } = await cdp.send('CSS.getComputedStyleForNode', { nodeId: spot.nodeId });
      return computedStyle.find((p) => p.name === 'transition-duration')?.value;
    };
    await page.goto(`${app.url}/crm/deals`);
    await page.getByTestId('new-deal').waitFor();
    await until(() => shadowBox(page, 'button.launcher:not([hidden])'), 'the launcher');
    assert.notEqual(await transition(), '0s', 'it glides by default');
    await cdp.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-reduced-motion', value: 'reduce' }] });
    await until(async () => (await transition()) === '0s', 'no transition with prefers-reduced-motion');
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('a right-to-left language renders mirrored', async () => {
    const rtl = await launch({ dist: dir, locale: 'ar-EG' });
    try {
      const page = await rtl.context.newPage();
      const problems = watchConsole(page);
      await page.goto(`${app.url}/crm/deals`);
      await page.getByTestId('new-deal').waitFor();
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      const item = frame.locator('button.item', { hasText: 'إنشاء صفقة' });
      await item.waitFor();
      await settled(frame, 'choosing the walkthrough');
      await item.click();
      await frame.getByRole('heading', { name: 'ابدأ صفقة جديدة' }).waitFor();
      assert.deepEqual(await frame.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['ar', 'rtl']);
      // (Where "beside" starts, left in RTL, is core's: engine tests.)
      // Mirrored inside: the header runs right to left.
      const title = await frame.locator('header .walkthrough').boundingBox();
      const end = await frame.getByRole('button', { name: 'End walkthrough' }).boundingBox();
      assert.ok(end.x < title.x, 'End (last in the header) sits on the left');
      assert.deepEqual(problems, [], 'host console is clean');
    } finally {
      await rtl.close();
    }
  });
});
