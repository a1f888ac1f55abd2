// Overlay frame glue: connects this extension page to the service worker and
// mounts the Rust views. It forwards views in and intents out; it decides
// nothing.
//
//   service worker ──{type:"render", view}──▶ overlay.js ──▶ Overlay.render (yew)
//   service worker ◀──intents / card_resized── overlay.js ◀── mount_overlay's send callback
import init, { mount_overlay } from './wasm/waymark_overlay.js';

const root = document.getElementById('root');
let port = null;
let overlay = null;
let pending = null; // a view that arrived before the wasm was ready
let visible = false;

function connect() {
  port = chrome.runtime.connect({ name: 'overlay' });
  port.onMessage.addListener((msg) => {
    if (msg?.type !== 'render') return;
    visible = msg.view?.kind !== 'hidden';
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

// The agent focuses this frame when the user opens help: pass focus on to
// the search box (or whatever the view marks as its first control).
addEventListener('focus', () => {
  const first = document.querySelector('input.search, button.back');
  if (first && !first.contains(document.activeElement)) first.focus();
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
