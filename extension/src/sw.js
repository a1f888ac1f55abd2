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
//
// Which bundle is used (the checks themselves are Rust: bundle::read_trusted,
// bundle::check_manifest):
//
//   content.wmb ──verify signature, expiry, not older than `inUse`──▶ use it;
//        │                                                          save as last good,
//        │ refused                                                  inUse = its version
//        ▼
//   last good bundle (storage.local) ──verify again──▶ use it, options page says why
//        │ none, or refused too                         the new one was refused
//        ▼
//   no guidance; the options page says why
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
  const trust = await trustedKeys();
  const { inUse = null, lastGood = null } = await chrome.storage.local.get(['inUse', 'lastGood']);
  let refused;
  try {
    const bytes = await readBuiltIn();
    const loaded = verify(bytes, trust, inUse);
    const version = loaded.bundleVersion();
    if (inUse === null || version >= inUse) {
      await chrome.storage.local.set({ inUse: version, lastGood: toBase64(bytes) });
    }
    await report(loaded, bytes, trust, null);
    return loaded;
  } catch (e) {
    refused = e.message;
  }
  // Keep the last good bundle: a refused update must not switch guidance off.
  if (lastGood) {
    try {
      const bytes = fromBase64(lastGood);
      const loaded = verify(bytes, trust, inUse);
      console.warn('waymark: new bundle refused, using the last good one:', refused);
      await report(loaded, bytes, trust, refused);
      return loaded;
    } catch (e) {
      refused += `; the last good bundle is unusable too: ${e.message}`;
    }
  }
  throw new Error(refused);
}

async function readBuiltIn() {
  try {
    const res = await fetch(chrome.runtime.getURL(BUNDLE));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(`the built-in bundle ${BUNDLE} could not be read (${e.message}); rebuild the extension with \`cargo xtask dist\``);
  }
}

function verify(bytes, trust, inUse) {
  try {
    // Signature, format, expiry and rollback: all checked in Rust; throws with the reason.
    return WaymarkEngine.fromBundle(bytes, trust.keys, Date.now(), inUse ?? undefined);
  } catch (e) {
    throw new Error(`${e.message} (trusted keys: ${trust.source})`);
  }
}

async function report(loaded, bytes, trust, refused) {
  await chrome.storage.local.set({
    status: { ok: true, ...loaded.summary(), bytes: bytes.length, keys: trust.source, refused, at: Date.now() },
  });
}

// Bundles are kept in storage.local as base64 (the Cache API refuses
// chrome-extension: URLs; IndexedDB would be more code for the same result).
function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// Admin policy names the keys bundles must be signed with; without policy,
// the demo key shipped in the extension (for its built-in bundle).
//
// chrome.storage.managed.get() takes seconds at browser startup while
// Chromium's policy service initialises (measured here: 3 s, and up to 15 s
// right after another browser session; see
// https://github.com/ghostery/ghostery-extension/issues/3367 and
// https://github.com/EFForg/privacybadger/pull/2982). So the last policy
// read is cached in storage.local and used at once. On the very first start
// there is no cache: policy gets one second, after which "no policy" is
// assumed (only the bundle inside the extension package itself is then
// trusted, with the demo key). Whenever the fresh read differs from what was
// used, the extension restarts under the real policy.
async function trustedKeys() {
  const fresh = readPolicyKeys();
  let { policyKeys } = await chrome.storage.local.get('policyKeys');
  if (policyKeys === undefined) {
    const first = await Promise.race([fresh, new Promise((r) => setTimeout(r, 1000))]);
    if (first !== undefined) return resolveKeys(first);
    policyKeys = null;
  }
  fresh.then((keys) => {
    if (JSON.stringify(keys) !== JSON.stringify(policyKeys)) chrome.runtime.reload();
  });
  return resolveKeys(policyKeys);
}

// The policy's keys, or null without a policy; cached for the next start.
async function readPolicyKeys() {
  let keys = null;
  try {
    const { trusted_keys: k } = await chrome.storage.managed.get('trusted_keys');
    if (Array.isArray(k) && k.length) keys = k;
  } catch {
    // No managed storage (no policy support): no policy.
  }
  await chrome.storage.local.set({ policyKeys: keys });
  return keys;
}

async function resolveKeys(keys) {
  if (keys) return { keys, source: 'admin policy' };
  const res = await fetch(chrome.runtime.getURL('demo-public-key.txt'));
  return { keys: [(await res.text()).trim()], source: 'built-in demo key' };
}

// A policy change while running takes effect at once.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' && changes.trusted_keys) chrome.runtime.reload();
});

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

// Route changes the page makes with pushState/replaceState, as the browser
// sees them: the fallback where the agent has no Navigation API. The engine
// ignores a URL it already has, so both reporting the same change is fine.
chrome.webNavigation?.onHistoryStateUpdated?.addListener((d) => {
  if (d.frameId === 0 && agents.has(d.tabId)) {
    enqueue(d.tabId, (e) => run(d.tabId, e, 'browser', { type: 'url_changed', url: d.url }));
  }
});

// Verify the bundle when the browser starts, not at the first page that
// needs it, so the options page is current and a refused bundle is noticed.
chrome.runtime.onStartup.addListener(() => engine);

// The help shortcut (manifest `commands`): works wherever focus is in the tab.
chrome.commands?.onCommand?.addListener((command, tab) => {
  if (command === 'open-help' && tab?.id !== undefined && agents.has(tab.id)) {
    enqueue(tab.id, (e) => run(tab.id, e, 'browser', { type: 'open_help' }));
  }
});
