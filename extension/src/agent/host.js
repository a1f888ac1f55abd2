// The one element Waymark adds to the page: <waymark-host>, a top-layer
// popover whose closed shadow root holds the launcher, the spotlight and
// the overlay <iframe> (an extension page where the Rust views run).
// Owns S.host, S.root, S.launcher, S.spot, S.frame and the frame flags.
// No global CSS (adoptedStyleSheets in the shadow root), no HTML parsing.
import { send } from './port.js';
import { S } from './state.js';
import { raise, unwatchDialogs, watchDialogs } from './stacking.js';
import { stopWatch } from './target.js';

const HOST_TAG = 'waymark-host';
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
  frame.src = chrome.runtime.getURL('overlay.html');
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
  const hs = host.style;
  // The UA styles a popover as a centred, bordered box: undo all of it.
  for (const [k, v] of [['position', 'fixed'], ['inset', '0 auto auto 0'], ['width', '0'], ['height', '0'],
    ['margin', '0'], ['padding', '0'], ['border', '0'], ['background', 'transparent'], ['overflow', 'visible'],
    ['z-index', '2147483647'], ['display', 'block'], ['pointer-events', 'none']]) {
    hs.setProperty(k, v, 'important');
  }
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
  launcher.addEventListener('click', () => send({ type: 'launcher_clicked' }));

  const spot = document.createElement('div');
  spot.className = 'spot';
  spot.hidden = true;
  root.append(spot, launcher);
  Object.assign(S, { host, root, launcher, spot });
  document.documentElement.append(host);
  raise();
  watchDialogs();
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
  unwatchDialogs();
  S.sentinels = null;
  stopWatch();
  S.host?.remove();
  S.host = null;
}
