// Waymark service worker: glue between ports, storage and the Rust engine.
//
//   agent (content script) ──port "agent"──▶┐                 ┌──▶ agent: launcher/watch/spotlight/frame
//   overlay frame (yew)    ──port "overlay"─▶├─ engine.handle ─┼──▶ frame: render
//   chrome.storage.local   ──restored───────▶┘  (Rust/wasm)    └──▶ storage: load/save
//
// Every decision is the engine's (core/src/engine.rs). This file only routes
// messages, keeps the ports, and performs the storage commands. Listeners are
// registered synchronously at the top level, as MV3 requires; the wasm and the
// bundle load once, and each handler awaits that promise.
import init, { WaymarkEngine } from './wasm/waymark_overlay.js';

const BUNDLE = 'content.wmb';
const agents = new Map(); // tabId -> Port of the top-frame agent
const frames = new Map(); // tabId -> Port of the overlay frame
const views = new Map(); // tabId -> last view, replayed when a frame (re)connects
const queues = new Map(); // tabId -> promise chain: one tab's events run in order

const engine = init().then(loadBundle).catch(async (e) => {
  const error = String(e?.message ?? e);
  console.warn('waymark: no bundle, guidance is off:', error);
  await chrome.storage.local.set({ status: { ok: false, error, at: Date.now() } });
  return null;
});

async function loadBundle() {
  let bytes;
  try {
    const res = await fetch(chrome.runtime.getURL(BUNDLE));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(`the built-in bundle ${BUNDLE} could not be read (${e.message}); rebuild the extension with \`cargo xtask dist\``);
  }
  const trust = await trustedKeys();
  let loaded;
  try {
    loaded = WaymarkEngine.fromBundle(bytes, trust.keys); // throws with the reason
  } catch (e) {
    throw new Error(`${e.message} (trusted keys: ${trust.source})`);
  }
  await chrome.storage.local.set({
    status: { ok: true, ...loaded.summary(), bytes: bytes.length, keys: trust.source, at: Date.now() },
  });
  return loaded;
}

// Admin policy names the keys bundles must be signed with; without policy,
// the demo key shipped in the extension (for its built-in bundle).
async function trustedKeys() {
  try {
    const { trusted_keys: keys } = await chrome.storage.managed.get('trusted_keys');
    if (Array.isArray(keys) && keys.length) return { keys, source: 'admin policy' };
  } catch {
    // No managed storage (no policy support): fall through to the demo key.
  }
  const res = await fetch(chrome.runtime.getURL('demo-public-key.txt'));
  return { keys: [(await res.text()).trim()], source: 'built-in demo key' };
}

function enqueue(tab, job) {
  const next = (queues.get(tab) ?? Promise.resolve())
    .then(() => engine)
    .then((e) => (e ? job(e) : undefined))
    .catch((err) => console.warn('waymark:', err));
  queues.set(tab, next);
}

async function run(tab, e, source, event) {
  for (const cmd of e.handle(tab, source, event)) {
    switch (cmd.type) {
      case 'render':
        views.set(tab, cmd.view);
        frames.get(tab)?.postMessage(cmd);
        break;
      case 'load': {
        const got = await chrome.storage.local.get(cmd.key);
        await run(tab, e, 'storage', { type: 'restored', tour: got[cmd.key] ?? null });
        break;
      }
      case 'save':
        if (cmd.tour) await chrome.storage.local.set({ [cmd.key]: cmd.tour });
        else await chrome.storage.local.remove(cmd.key);
        break;
      case 'record': {
        // The analytics queue; the analytics issue sends it to an LRS.
        const { queue = [] } = await chrome.storage.local.get('queue');
        queue.push({ ...cmd.record, at: Date.now() });
        await chrome.storage.local.set({ queue: queue.slice(-1000) });
        break;
      }
      default:
        agents.get(tab)?.postMessage(cmd);
    }
  }
}

chrome.runtime.onConnect.addListener((port) => {
  const tab = port.sender?.tab?.id;
  if (tab === undefined) return port.disconnect();
  let source;
  if (port.name === 'agent' && port.sender.frameId === 0) {
    source = 'agent';
    agents.set(tab, port);
  } else if (port.name === 'overlay' && port.sender.url?.startsWith(location.protocol)) {
    source = 'frame';
    frames.set(tab, port);
    const view = views.get(tab);
    if (view) port.postMessage({ type: 'render', view });
  } else {
    return port.disconnect();
  }
  port.onMessage.addListener((msg) => enqueue(tab, (e) => run(tab, e, source, msg)));
  port.onDisconnect.addListener(() => {
    const ports = source === 'agent' ? agents : frames;
    if (ports.get(tab) !== port) return;
    ports.delete(tab);
    if (source === 'agent') {
      views.delete(tab);
      enqueue(tab, (e) => e.forget(tab));
    }
  });
});

chrome.tabs?.onRemoved?.addListener((tab) => queues.delete(tab));

// The help shortcut (manifest `commands`): works wherever focus is in the tab.
chrome.commands?.onCommand?.addListener((command, tab) => {
  if (command === 'open-help' && tab?.id !== undefined && agents.has(tab.id)) {
    enqueue(tab.id, (e) => run(tab.id, e, 'browser', { type: 'open_help' }));
  }
});
