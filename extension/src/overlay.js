// Overlay frame glue: connects this extension page to the service worker and
// mounts the Rust views. It forwards views in and intents out; it decides
// nothing.
//
//   service worker ──{type:"render", view}──▶ overlay.js ──▶ Overlay.render (yew)
//   service worker ◀──intents / card_resized── overlay.js ◀── mount_overlay's send callback
//   pointer click ──▶ guard (visible long enough? not just changed?) ──▶ yew handlers, or dropped
import init, { mount_overlay } from './wasm/waymark_overlay.js';

const root = document.getElementById('root');
let port = null;
let overlay = null;
let pending = null; // a view that arrived before the wasm was ready
let visible = false;

// Clickjacking guard. The page cannot reach into this frame, but it can try
// to make the user click in it unknowingly: cover it with something
// see-through, fade or filter it, or have it move under the pointer just
// before a click. A pointer click counts only while Chromium says the frame
// is really visible (IntersectionObserver v2 `trackVisibility`: nothing
// painted over it, opacity 1, no filter, no transform beyond a translation;
// https://w3c.github.io/IntersectionObserver/v2/#calculate-visibility-algo)
// and has been for ARM_MS, with no resize or move (the agent posts
// `waymark:moved`) in that time. A new view in the same place keeps it
// armed. A keyboard activation (pointerType '') is the user's own focus and
// always counts. Where v2 is missing (Firefox) the agent's word stands in
// for it: the worker says `covered` while the page holds the top layer over
// ours (agent/stacking.js), on the extension's port, which the page cannot
// post to.
const ARM_MS = 300;
let visibleNow = !('isVisible' in (globalThis.IntersectionObserverEntry?.prototype ?? {}));
let coveredNow = false;
let armed = false;
let armTimer = 0;

function disarm() {
  armed = false;
  delete document.body.dataset.armed;
  clearTimeout(armTimer);
  if (!visibleNow || coveredNow) return;
  armTimer = setTimeout(() => {
    armed = true;
    // For tests and support: "this card takes clicks now".
    document.body.dataset.armed = '';
  }, ARM_MS);
}

let dropped = 0;
function guard(e) {
  if (armed || (e.type === 'click' && e.pointerType === '')) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  // For tests and support: how many clicks were not taken.
  document.body.dataset.dropped = String(++dropped);
}

for (const type of ['click', 'auxclick', 'dblclick', 'contextmenu']) addEventListener(type, guard, true);
addEventListener('resize', disarm);
addEventListener('message', (e) => {
  // Anyone in the page's window can post this; all it does is make us wait.
  if (e.source === parent && e.data === 'waymark:moved') disarm();
});
// Chromium recomputes visibility only on a rendering update: a "hidden"
// seen mid-transition can stay stale on a page that then goes idle
// (measured: the card stayed disarmed). While a shown card reads as hidden,
// observe afresh every RECHECK_MS for a new answer.
const RECHECK_MS = 250;
let recheck = 0;
let io = null;
function lookAgain() {
  io?.unobserve(document.documentElement);
  io?.observe(document.documentElement);
}
if (!visibleNow) {
  io = new IntersectionObserver((entries) => {
    visibleNow = entries.at(-1).isVisible;
    disarm();
    clearTimeout(recheck);
    if (!visibleNow) {
      recheck = setTimeout(() => {
        if (visible) lookAgain();
      }, RECHECK_MS);
    }
  }, { trackVisibility: true, delay: 100 });
  io.observe(document.documentElement);
}
disarm();

function connect() {
  port = chrome.runtime.connect({ name: 'overlay' });
  port.onMessage.addListener((msg) => {
    if (msg?.type === 'covered') {
      coveredNow = msg.covered === true;
      // For tests and support: "the page covers this card".
      if (coveredNow) document.body.dataset.covered = '';
      else delete document.body.dataset.covered;
      disarm();
      return;
    }
    if (msg?.type !== 'render') return;
    visible = msg.view?.kind !== 'hidden';
    // The content's language and direction: an RTL card renders mirrored.
    if (msg.lang) document.documentElement.lang = msg.lang;
    document.documentElement.dir = msg.rtl ? 'rtl' : 'ltr';
    // A card shown again: look again (see RECHECK_MS).
    if (visible && !visibleNow) lookAgain();
    if (overlay) overlay.render(msg.view);
    else pending = msg.view;
  });
  port.onDisconnect.addListener(() => {
    void chrome.runtime.lastError;
    port = null;
    // The service worker stopped while something is on screen: reconnect so
    // the engine's repaint reaches this frame.
    if (visible) connect();
  });
}

function post(msg) {
  if (!port) connect();
  port.postMessage(msg);
}

// The agent focuses this frame when the user opens help, or presses the
// shortcut while a card is showing: pass focus on to the first control that
// moves them on (search box, Back from an article, the first answer, Next,
// a choice, Close), else the card's first enabled button.
const FIRST = ['input.search', 'button.back', '.check input', 'button.primary:not([disabled])', 'button.choice',
  'section button:not([disabled])'];
addEventListener('focus', () => {
  if (document.activeElement && document.activeElement !== document.body) return;
  for (const s of FIRST) {
    const el = document.querySelector(s);
    if (el) {
      el.focus();
      return;
    }
  }
});

connect();
init().then(() => {
  overlay = mount_overlay(root, post);
  if (pending) overlay.render(pending);
  pending = null;
  // Report the rendered size so the engine can place the frame around it.
  let last = '';
  new ResizeObserver(() => {
    const r = root.getBoundingClientRect();
    const size = { width: Math.ceil(r.width), height: Math.ceil(r.height) };
    const key = `${size.width}x${size.height}`;
    if (size.height > 0 && key !== last) {
      last = key;
      post({ type: 'card_resized', ...size });
    }
  }).observe(root);
});
