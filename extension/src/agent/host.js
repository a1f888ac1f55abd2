// The one element Waymark adds to the page: a plain <div> (the host), a
// top-layer popover whose closed shadow root holds the launcher, the
// spotlight and the overlay <iframe> (an extension page where the Rust
// views run).
//
// A <div>, never a custom-element name: a page that defines that name first
// would have its constructor run by our createElement, and
// `this.attachInternals().shadowRoot` hands it the "closed" root (found by a
// security review; tests/e2e/hostile-page.test.mjs). A built-in element is never
// upgraded, and `attachInternals` throws on it.
// Owns S.host, S.root, S.launcher, S.spot, S.frame and the frame flags.
// No global CSS (adoptedStyleSheets in the shadow root), no HTML parsing.
import { send } from './port.js';
import { S } from './state.js';
import { raise, unwatchDialogs, watchDialogs } from './stacking.js';
import { stopWatch } from './target.js';

const HOST_TAG = 'div';
const CSS = `
  :host { all: initial; }
  .launcher {
    position: fixed; box-sizing: border-box; border-radius: 50%; border: 0; cursor: pointer;
    background: #1d4ed8; color: #fff; font: 600 20px/1 system-ui, sans-serif;
    box-shadow: 0 4px 14px rgba(15, 23, 42, .35); pointer-events: auto;
  }
  .launcher:hover { background: #1e40af; }
  .launcher:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
  .spot {
    position: fixed; left: 0; top: 0; border-radius: 6px; pointer-events: none;
    box-shadow: 0 0 0 3px #2563eb, 0 0 0 100vmax rgba(15, 23, 42, .40);
    transition: transform .12s ease-out, width .12s, height .12s;
  }
  .frame {
    position: fixed; left: 0; top: 0; border: 0; background: transparent;
    color-scheme: light; pointer-events: auto;
  }
  [hidden], .frame.off { visibility: hidden !important; pointer-events: none !important; }
  @media (prefers-reduced-motion: reduce) { .spot { transition: none; } }
`;

// The overlay frame, created hidden. A walkthrough's watch creates it ahead
// of its first card, so that card does not wait for the frame's document
// and wasm to load.
export function ensureFrame() {
  if (S.frame) return;
  ensureHost();
  const frame = document.createElement('iframe');
  frame.className = 'frame off';
  frame.title = 'Waymark guidance';
  // The token in the fragment: never sent over the network, and the page
  // cannot read a frame inside a closed shadow root (tested).
  frame.src = `${chrome.runtime.getURL('overlay.html')}#${S.frameToken}`;
  frame.addEventListener('load', () => {
    S.frameLoaded = true;
    if (S.focusOnLoad) frame.contentWindow?.focus();
    S.focusOnLoad = false;
  });
  S.frame = frame;
  S.root.append(frame);
}

export function ensureHost() {
  if (S.host) {
    // The page may have removed or replaced our element: put it back.
    if (!S.host.isConnected) {
      document.documentElement.append(S.host);
      raise();
    }
    return;
  }
  const host = document.createElement(HOST_TAG);
  pin(host);
  if ('popover' in host) host.popover = 'manual';
  const root = host.attachShadow({ mode: 'closed' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];

  const launcher = document.createElement('button');
  launcher.className = 'launcher';
  launcher.type = 'button';
  launcher.hidden = true;
  launcher.textContent = '?';
  launcher.setAttribute('aria-label', 'Waymark help');
  launcher.title = 'Waymark help';
  // Only a real user's click: a page cannot open help in the user's name
  // (isTrusted is false for click() and dispatchEvent).
  launcher.addEventListener('click', (e) => {
    if (e.isTrusted) send({ type: 'launcher_clicked' });
  });

  const spot = document.createElement('div');
  spot.className = 'spot';
  spot.hidden = true;
  root.append(spot, launcher);
  Object.assign(S, { host, root, launcher, spot });
  document.documentElement.append(host);
  raise();
  watchDialogs();
}

// The host's own style, inline and !important: that beats any page
// stylesheet, !important or layered (element-attached declarations win,
// https://www.w3.org/TR/css-cascade-5/#cascade-sort). The UA styles a
// popover as a centred, bordered box: undo all of it. And a page must not
// make the card invisible, see-through, moved or clipped (a review hid it
// with opacity, filter, transform, clip-path and visibility), so those are
// pinned too; stacking.js puts them back if the page edits the attribute.
// (One declaration list, each made !important: shorter in every page
// than a table of pairs.)
const PINNED_TEXT = ('position:fixed;inset:0 auto auto 0;width:0;height:0;margin:0;padding:0;border:0;'
  + 'background:transparent;overflow:visible;z-index:2147483647;display:block;pointer-events:none;'
  + 'opacity:1;visibility:visible;filter:none;backdrop-filter:none;'
  + 'transform:none;translate:none;scale:none;rotate:none;zoom:1;'
  + 'clip-path:none;mask:none;mix-blend-mode:normal;content-visibility:visible;'
  + 'contain:none;transition:none;animation:none;').replaceAll(';', '!important;');

export function pin(host) {
  if (host.getAttribute('style') !== PINNED_TEXT) host.setAttribute('style', PINNED_TEXT);
  // Attributes that would hide it or make it unusable.
  for (const a of ['hidden', 'inert', 'class', 'id', 'dir']) if (host.hasAttribute(a)) host.removeAttribute(a);
}

export function place(el, rect, keepVisible) {
  if (!rect) {
    el.hidden = true;
    return;
  }
  const s = el.style;
  s.transform = `translate(${rect.x}px, ${rect.y}px)`;
  s.width = `${rect.width}px`;
  s.height = `${rect.height}px`;
  if (!keepVisible || el.hidden) el.hidden = false;
}

/** Removes everything drawn (the engine will decide afresh). */
export function resetHost() {
  unwatchDialogs();
  S.host?.remove();
  Object.assign(S, { host: null, root: null, launcher: null, spot: null, frame: null, frameShown: false, frameLoaded: false, focusOnLoad: false });
}

/** The extension went away, or the page won: stop for good. */
export function teardown() {
  S.dead = true;
  if (Object.hasOwn(globalThis, '__waymarkTips')) globalThis.__waymarkTips(null);
  unwatchDialogs();
  S.sentinels = null;
  stopWatch();
  S.host?.remove();
  S.host = null;
}
