// A hostile host page tries to steer, forge, read or reach into Waymark, as
// a security review did with proofs of concept (issue 12). Each test is one
// finding: it failed on the code before the fix and passes after it. All
// under the strict CSP + Trusted Types, each with a clean host console.
//
//   finding                                         defence (where)
//   page defines the host's element name first ──▶  host is a <div> (agent/host.js)
//   page frames its own copy of overlay.html   ──▶  frame token + sender checks (sw.js acceptFrame)
//   page dispatches clicks, change, Alt+Shift+H ──▶ isTrusted everywhere (agent/target.js, main.js, host.js)
//   page puts secrets in its URL / search box  ──▶  records carry origin + pattern, text scrubbed (core engine, scrub)
//   page hides, moves, clips or covers the card ──▶ inline !important pins, re-pin, re-raise (agent/host.js, stacking.js)
//   page keeps a click-through decoy over it   ──▶  clicks taken only while really visible (overlay.js, IntersectionObserver v2)
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HOST, clickInCard, clickLauncher, frameBox, isOverlay, launch, overlayFrame, settled, startDemoApp, until, watchConsole,
} from './harness.mjs';

describe('hostile page (security review findings)', () => {
  let app;
  let browser;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
  });
  after(() => app?.stop());
  // A fresh profile per finding: a walkthrough left open by one test would
  // resume in the next (progress is kept per origin).
  beforeEach(async () => {
    browser = await launch();
  });
  afterEach(async () => {
    await browser?.close();
  });

  async function open(path = '/crm/deals', init = null) {
    const page = await browser.context.newPage();
    const problems = watchConsole(page);
    if (init) await page.addInitScript(init);
    await page.goto(`${app.url}${path}`);
    await page.getByTestId('new-deal').waitFor();
    return { page, problems };
  }

  async function startCreateDeal(page) {
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    const item = frame.locator('button.item', { hasText: 'Create a deal' });
    await item.waitFor();
    await settled(frame, 'choosing a walkthrough');
    await item.click();
    await frame.getByText('1 of 5').waitFor();
    return frame;
  }

  test('a page that defines the host element name first cannot open the closed shadow root', async () => {
    // Runs before the agent (document_idle): every name Waymark ever used,
    // each constructor keeping its ElementInternals, whose shadowRoot would
    // be the "closed" root.
    const { page, problems } = await open('/crm/deals', () => {
      window.caught = [];
      for (const name of ['waymark-host', 'waymark-root', 'waymark-overlay', 'waymark-frame']) {
        customElements.define(name, class extends HTMLElement {
          constructor() {
            super();
            window.caught.push(this.attachInternals());
          }
        });
      }
    });
    await startCreateDeal(page);
    const seen = await page.evaluate((HOST) => ({
      constructed: window.caught.length,
      roots: window.caught.filter((i) => i.shadowRoot).length,
      host: document.querySelector(HOST)?.localName ?? null,
      open: document.querySelector(HOST)?.shadowRoot ?? null,
      internals: (() => {
        try {
          document.querySelector(HOST).attachInternals();
          return 'attached';
        } catch {
          return 'refused';
        }
      })(),
    }), HOST);
    assert.deepEqual(seen, { constructed: 0, roots: 0, host: 'div', open: null, internals: 'refused' });
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('a page that frames its own copy of overlay.html gets no view and cannot act', async () => {
    const { page, problems } = await open();
    await clickLauncher(page);
    const ours = await overlayFrame(page);
    await ours.locator('input.search').waitFor();
    const token = new URL(ours.url()).hash.slice(1);
    assert.ok(token.length >= 32, 'our frame carries a token');
    // The page knows nothing of the token: not in its DOM, its performance
    // entries or anything it can enumerate.
    const leaked = await page.evaluate((t) => [
      document.documentElement.outerHTML,
      JSON.stringify(performance.getEntries().map((e) => e.name)),
      [...document.querySelectorAll('iframe')].map((f) => f.src).join(' '),
    ].some((s) => s.includes(t)), token);
    assert.equal(leaked, false, 'the token is out of the page\'s reach');
    await ours.locator('input.search').press('Escape');
    await until(async () => (await frameBox(ours)) === null, 'the panel to close');

    // The review read the frame's URL (the same GUID on every site) and
    // framed copies, nearly transparent, over the page: without a token,
    // with a forged one.
    // (The test asks the worker for that URL, as the review's page got it.)
    const base = await browser.worker.evaluate(() => chrome.runtime.getURL('overlay.html'));
    await page.evaluate((urls) => {
      for (const src of urls) {
        const f = document.createElement('iframe');
        f.src = src;
        f.className = 'copy';
        f.style.cssText = 'position:fixed;left:0;top:0;width:400px;height:400px;opacity:.01;border:0';
        document.body.append(f);
      }
    }, [base, `${base}#${'0'.repeat(36)}`]);
    const copies = await until(() => {
      const c = page.frames().filter((f) => f !== ours && isOverlay(f));
      return c.length === 2 ? c : null;
    }, 'the page\'s two copies to load');
    await Promise.all(copies.map((c) => c.waitForLoadState('load')));

    // The user opens help: it renders in our frame, and nothing in theirs
    // (before the fix the last frame to connect got every view).
    await clickLauncher(page);
    await ours.locator('input.search').waitFor();
    for (const c of copies) {
      assert.equal(await c.locator('input.search, button.item, .card').count(), 0, `the copy at ${c.url()} shows nothing`);
    }
    // A walkthrough started in our frame still works.
    const item = ours.locator('button.item', { hasText: 'Create a deal' });
    await settled(ours, 'choosing a walkthrough');
    await item.click();
    await ours.getByText('1 of 5').waitFor();
    for (const c of copies) assert.equal(await c.locator('.card, button').count(), 0);
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('synthetic clicks, input, change and shortcuts are not the user\'s', async () => {
    const { page, problems } = await open();
    const frame = await startCreateDeal(page);

    // A dispatched Alt+Shift+H is not taken, and not even cancelled: the
    // page cannot learn from preventDefault that Waymark is there.
    const taken = await page.evaluate(() => !document.body.dispatchEvent(new KeyboardEvent('keydown', {
      key: 'H', code: 'KeyH', altKey: true, shiftKey: true, bubbles: true, cancelable: true,
    })));
    assert.equal(taken, false, 'a synthetic shortcut is not cancelled');

    // To the last step as a user, then the page clicks Save itself. Had
    // that click counted, the walkthrough would be over (the check card);
    // Back from step 5 is step 4.
    await page.getByTestId('new-deal').click();
    await frame.getByText('2 of 5').waitFor();
    await page.getByLabel('Deal name').fill('Initech – 3 kiosks');
    await page.keyboard.press('Tab');
    await frame.getByText('3 of 5').waitFor();
    await clickInCard(frame, 'Next');
    await frame.getByText('4 of 5').waitFor();
    await clickInCard(frame, 'Next');
    await frame.getByText('5 of 5').waitFor();
    await page.evaluate(() => document.querySelector('[data-testid=save-deal]').click());
    await clickInCard(frame, 'Back');
    await frame.getByText('4 of 5').waitFor();

    // Back to step 2, which moves on when the name is committed (`change`):
    // the page commits one itself, then the user presses Back. From step 2
    // that is step 1 (had the forged change counted, step 2).
    await clickInCard(frame, 'Back');
    await frame.getByText('3 of 5').waitFor();
    await clickInCard(frame, 'Back');
    await frame.getByText('2 of 5').waitFor();
    await (await page.getByLabel('Deal name').elementHandle()).evaluate((input) => {
      input.value = 'Forged by the page';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await clickInCard(frame, 'Back');
    await frame.getByText('1 of 5').waitFor();
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('secrets in the URL and the search box never reach the record queue', async () => {
    const { page, problems } = await open('/crm/deals?reset_token=RT-7f3a9c2e#access_token=AT-5b8d1e4f');
    await clickLauncher(page);
    const frame = await overlayFrame(page);
    await frame.locator('input.search').waitFor();
    await frame.locator('input.search').fill('xyzzy zzqx@zzqx.invalid 4111 1111 1111 1111');
    await frame.getByText(/^No results for/).waitFor();
    await frame.locator('input.search').press('Escape');
    const record = await until(async () => {
      const all = await browser.worker.evaluate(() => waymark.records());
      return all.find((r) => r.kind === 'search_zero' && r.query.startsWith('xyzzy'));
    }, 'the zero-result record');
    const json = JSON.stringify(record);
    for (const secret of ['RT-7f3a9c2e', 'AT-5b8d1e4f', 'reset_token', 'access_token', 'zzqx', '4111']) {
      assert.ok(!json.includes(secret), `${secret} in ${json}`);
    }
    assert.equal(record.query, 'xyzzy [email] [number]');
    assert.equal(record.origin, new URL(app.url).origin);
    assert.equal(record.screen, '/crm/deals*');
    // Nothing is kept where a content script could read it.
    const local = await browser.worker.evaluate(() => chrome.storage.local.get(null));
    assert.ok(!JSON.stringify(local).includes('xyzzy'), 'no records in storage.local');
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('a page that hides, moves, clips or covers the card gets it back, on top and usable', async () => {
    const { page, problems } = await open();
    const frame = await startCreateDeal(page);
    await page.getByTestId('new-deal').click();
    await frame.getByText('2 of 5').waitFor();
    await page.getByLabel('Deal name').fill('Initech – 3 kiosks');
    await page.keyboard.press('Tab');
    await frame.getByText('3 of 5').waitFor();
    await settled(frame, 'the page attacks');
    const card = await frameBox(frame);

    // Everything the review tried, at once: a stylesheet aimed at the host
    // (!important), edits to its own style and attributes, closing its
    // popover, and a see-through popover of the page's own over the card.
    await page.evaluate(({ HOST, card }) => {
      const host = document.querySelector(HOST);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(`${HOST}, div:popover-open { opacity: 0 !important; visibility: hidden !important;
        filter: opacity(0) !important; transform: translateX(-5000px) !important; clip-path: inset(50%) !important;
        display: none !important; mix-blend-mode: multiply !important; }`);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      host.style.opacity = '0';
      host.style.setProperty('transform', 'scale(0)', 'important');
      host.setAttribute('hidden', '');
      host.setAttribute('inert', '');
      host.hidePopover();
      const cover = document.createElement('div');
      cover.id = 'cover';
      cover.popover = 'manual';
      Object.assign(cover.style, {
        position: 'fixed', inset: 'auto', margin: '0', padding: '0', border: '0', opacity: '0.01', background: '#fff',
        left: `${card.x}px`, top: `${card.y}px`, width: `${card.width}px`, height: `${card.height}px`,
      });
      document.body.append(cover);
      cover.showPopover();
    }, { HOST, card });

    const state = () => page.evaluate(({ HOST, card }) => {
      const host = document.querySelector(HOST);
      const cs = getComputedStyle(host);
      const hit = document.elementFromPoint(card.x + card.width / 2, card.y + card.height / 2);
      return {
        shown: host.matches(':popover-open'),
        opacity: cs.opacity, visibility: cs.visibility, filter: cs.filter, transform: cs.transform,
        clip: cs.clipPath, display: cs.display, blend: cs.mixBlendMode,
        hidden: host.hidden, inert: host.inert,
        onTop: hit === host,
        coverOpen: document.getElementById('cover').matches(':popover-open'),
      };
    }, { HOST, card });
    const want = {
      shown: true, opacity: '1', visibility: 'visible', filter: 'none', transform: 'none', clip: 'none',
      display: 'block', blend: 'normal', hidden: false, inert: false, onTop: true, coverOpen: true,
    };
    let seen = null;
    await until(async () => {
      seen = await state();
      return JSON.stringify(seen) === JSON.stringify(want);
    }, 'the card to be back on top', 10_000).catch(() => assert.deepEqual(seen, want));
    assert.deepEqual(await frameBox(frame), card, 'the card did not move');

    // And it still works: a real click on Next moves on.
    await clickInCard(frame, 'Next');
    await frame.getByText('4 of 5').waitFor();
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });

  test('a click through a see-through cover the page keeps on top is not taken', async () => {
    const { page, problems } = await open();
    const frame = await startCreateDeal(page);
    await page.getByTestId('new-deal').click();
    await frame.getByText('2 of 5').waitFor();
    await page.getByLabel('Deal name').fill('Initech – 3 kiosks');
    await page.keyboard.press('Tab');
    await frame.getByText('3 of 5').waitFor();
    await settled(frame, 'the page covers it');
    const next = await frame.getByRole('button', { name: 'Next', exact: true }).boundingBox();

    // The page reopens its own popover over the card until Waymark stops
    // re-raising (a page that fights for the top layer wins it), and lets
    // clicks through: the user sees the page's decoy, the click lands on
    // the card.
    await page.evaluate(async () => {
      const cover = document.createElement('div');
      cover.id = 'cover';
      cover.popover = 'manual';
      cover.textContent = 'Click to claim your prize';
      Object.assign(cover.style, {
        position: 'fixed', inset: '0', width: '100vw', height: '100vh', margin: '0', border: '0',
        background: 'rgba(255,255,255,.97)', pointerEvents: 'none',
      });
      document.body.append(cover);
      // One reopening per task, so each of Waymark's re-raises has
      // happened before the next.
      for (let i = 0; i < 30; i++) {
        if (cover.matches(':popover-open')) cover.hidePopover();
        cover.showPopover();
        await new Promise((r) => setTimeout(r, 0));
      }
    });
    await frame.locator('body:not([data-armed])').waitFor({ state: 'attached' });
    await page.mouse.click(next.x + next.width / 2, next.y + next.height / 2);
    await frame.locator('body[data-dropped="1"]').waitFor({ state: 'attached' });
    assert.equal(await frame.getByText('3 of 5').count(), 1, 'the click through the cover was not taken');

    // The cover goes: the card takes clicks again.
    await page.evaluate(() => document.getElementById('cover').remove());
    await clickInCard(frame, 'Next');
    await frame.getByText('4 of 5').waitFor();
    assert.deepEqual(problems, [], 'host console is clean');
    await page.close();
  });
});
