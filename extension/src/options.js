// Options page glue: connects to the service worker and mounts the Rust view
// (options/src/page.rs). It forwards diagnostics in and two intents out
// (Check now; Copy diagnostics, done here because it needs the clipboard);
// it decides nothing and reads no storage.
//
//   service worker ──{type:"diagnostics"}──▶ options.js ──▶ Options.render (yew)
//   service worker ◀──{type:"check_now"}─── options.js ◀── mount_options's send callback
import init, { mount_options } from './wasm/waymark_options.js';

let port = null;
let view = null;
let last = null;

function connect() {
  port = chrome.runtime.connect({ name: 'options' });
  port.onMessage.addListener((msg) => {
    if (msg?.type !== 'diagnostics') return;
    last = msg.diagnostics;
    view?.render(last);
  });
  // The worker stopped (idle): reconnect, so the page stays current.
  port.onDisconnect.addListener(() => {
    void chrome.runtime.lastError;
    port = null;
    setTimeout(connect, 500);
  });
}

async function intent(msg) {
  if (msg?.type === 'check_now') {
    if (!port) connect();
    port.postMessage(msg);
  } else if (msg?.type === 'copy' && last) {
    const text = JSON.stringify({ ...last, note: undefined }, null, 2);
    let note = 'Copied to the clipboard.';
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      note = 'The clipboard is not available; the diagnostics are below.';
      document.getElementById('copied')?.remove();
      const pre = document.createElement('pre');
      pre.id = 'copied';
      pre.textContent = text;
      document.body.append(pre);
    }
    view?.render({ ...last, note });
  }
}

await init();
const root = document.getElementById('root');
root.replaceChildren();
view = mount_options(root, (msg) => void intent(msg));
if (last) view.render(last);
connect();
