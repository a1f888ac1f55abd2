// The Firefox half of the harness (issue 16): Debian's Firefox ESR driven
// by puppeteer-core over WebDriver BiDi (playwright-core cannot drive stock
// Firefox nor install add-ons; ../shared/PLATFORM.md, "Firefox ESR"), with
// the Firefox build (`target/dist/firefox`, from `cargo xtask dist`)
// installed as a temporary add-on. Helpers wait on conditions with a
// timeout; nothing sleeps.
import { join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import { until } from './harness.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
export const FIREFOX_DIST = process.env.WAYMARK_FIREFOX_DIST ?? join(ROOT, 'target/dist/firefox');
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const GECKO_ID = 'waymark@waymark.dev';

/** Firefox ESR (headless unless told), with the add-on installed. */
export async function launchFirefox({ dist = FIREFOX_DIST, headless = true } = {}) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless,
    defaultViewport: { width: 1280, height: 800 },
  });
  try {
    const id = await browser.installExtension(dist);
    if (id !== GECKO_ID) throw new Error(`the add-on installed as ${id}, not ${GECKO_ID}`);
  } catch (e) {
    await browser.close();
    throw e;
  }
  return browser;
}

// The harness's own condition wait, for both browsers.
export { until };

/** The overlay frame showing `text` (BiDi reports its URL as about:blank:
 * it is an extension page inside a closed shadow root). */
export async function overlayWith(page, text, timeout) {
  return until(async () => {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      const body = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (body.includes(text)) return f;
    }
    return null;
  }, `the overlay to show “${text}”`, timeout);
}

/** Clicks the launcher where the engine places it (bottom right, 44 px,
 * 20 px margin): the page cannot see into its closed shadow root, and
 * neither can the driver. */
export async function clickLauncher(page) {
  await until(() => page.evaluate(() => !!document.querySelector('html > div[popover]')), 'the Waymark host');
  const { w, h } = await page.evaluate(() => ({ w: innerWidth, h: innerHeight }));
  await page.mouse.click(w - 20 - 22, h - 20 - 22);
}

/** Clicks `selector` in the overlay frame once its clickjacking guard is
 * armed (the frame has been shown and still for a moment). */
export async function clickInFrame(frame, selector) {
  await frame.waitForSelector('body[data-armed]', { timeout: 10_000 });
  const el = await frame.waitForSelector(selector, { timeout: 10_000 });
  await el.click();
}
