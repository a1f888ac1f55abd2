// Waymark service worker: glue between policy, the network, storage, ports
// and the Rust engine. Every decision is Rust's: which policy values hold
// and which bundle is trusted (core/src/deploy/), when to check for a new one
// (deploy::update), what to show (core/src/engine/). This file routes
// messages, performs I/O and keeps state where pages cannot reach it.
//
//   chrome.storage.managed ──▶ Deployment (policy checked key by key)
//                                   │
//   content.wmb (package) ─┐        ▼
//   bundle_url (fetch) ────┼─▶ WaymarkEngine.load: signature, expiry, rollback,
//   last good (IndexedDB) ─┘    environment, scope ──▶ engine + where it runs
//                                                        │
//                        chrome.scripting.registerContentScripts(matches)
//
//   agent (content script) ──port "agent"───▶┐                 ┌──▶ agent: launcher/watch/spotlight/frame
//   overlay frame (yew)    ──port "overlay"──▶├─ engine.handle ─┼──▶ frame: render
//   chrome.storage.local   ──restored────────▶┘  (Rust/wasm)    └──▶ storage: load/save
//   options page (yew)     ──port "options"──▶ diagnostics, Check now
//
// Trust state (the version in use, the last good and previous bundles, the
// update schedule, the last refusal) lives in this
// extension origin's IndexedDB: content scripts run in the page's renderer
// and can read and write chrome.storage.local (../shared/PLATFORM.md), but
// not another origin's IndexedDB. So does the record queue (see below).
// storage.local (tour progress) is also closed to content scripts where
// Chromium allows it (setAccessLevel on storage.local, Chromium 140+).
//
// Listeners are registered synchronously at the top level, as MV3 requires;
// the wasm and the state load once, and each handler awaits that promise.
import init, { Deployment, WaymarkEngine } from './wasm/waymark_worker.js';
import { get, put } from './db.js';
import { actor, configure as configureOutbox, flush, queued, record, records, status } from './outbox.js';

const BUILT_IN = 'content.wmb';
const ALARM = 'waymark-update';
/// Checked before the body is read (Content-Length) and while it is.
const MAX_BYTES = 20 * 1024 * 1024;
/// A download slower than this after the grace period is given up
/// (a server that sends a byte a second must not hold the check forever).
const GRACE_MS = 15_000;
const MIN_RATE = 8 * 1024; // bytes per second
const HARD_TIMEOUT_MS = 300_000;

const agents = new Map(); // tabId -> Port of the top-frame agent
const frames = new Map(); // tabId -> Port of the overlay frame
// Record mode: the recorder script is injected into a tab only while its
// author records (docs/architecture.md, "Recording"). tabId -> its Port,
// and the implicit-role table it is started with.
const recorders = new Map();
const recorderRoles = new Map();
const views = new Map(); // tabId -> last render command, replayed when a frame (re)connects
const queues = new Map(); // tabId -> promise chain: one tab's events run in order
const options = new Set(); // Ports of open options pages

let deployment = null; // Deployment: the checked policy
let policy = null; // its plain view (policy())
let policyRead = 'pending';
let engine = null; // WaymarkEngine
let bundleInfo = null; // summary of the bundle in use, for the options page
let lastError = null; // why no bundle is in use
let registration = { matches: [], exclude_matches: [] };
let pageUser = null; // the user a page showed (user.from_page)
let profileEmail = null;
let checking = null; // the update check under way
// What start() is waiting for, and since when: shown on the options page
// while no bundle is in use, so a slow start says where it is slow.
let phase = { what: 'loading the engine', since: Date.now() };
const step = (what) => {
  phase = { what, since: Date.now() };
  broadcast();
};

// ---- trust state and records: IndexedDB (db.js, outbox.js) ------------------

// For an admin in the worker's DevTools console, and for the tests:
// `await waymark.records()`, `waymark.queued()`, `waymark.flush()`,
// `waymark.status()`. A service worker's globals are not reachable from
// any page. `bench` is the outbox itself, for tests/bench/analytics.mjs.
globalThis.waymark = { records, queued, flush: () => flush(true), status, bench: { record, flush } };

// ---- start ------------------------------------------------------------------

const ready = start().catch((e) => {
  lastError = `the extension could not start: ${e?.message ?? e}`;
  console.warn('waymark:', lastError);
  broadcast();
  return null;
});

async function start() {
  // Close storage.local to content scripts (Chromium 140+; older ones
  // refuse, and nothing trusted is kept there anyway).
  chrome.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })?.catch?.(() => {});
  await init();
  step('reading admin policy (chrome.storage.managed)');
  const { raw, read } = await readPolicy();
  step('checking the bundle');
  await apply(raw, read);
  phase = null;
  return engine;
}

// chrome.storage.managed.get() takes seconds at browser startup while
// Chromium's policy service initialises (measured here: 2.7 to 4.7 s after
// the worker starts; https://github.com/ghostery/ghostery-extension/issues/3367).
// Waymark waits for it and acts on nothing meanwhile (agents' events queue
// behind `ready`; the options page says what it waits for): a remembered
// policy could be looser than the admin's current one (a key removed while
// the browser was closed), and no guess stands in for the admin's policy.
async function readPolicy() {
  return { raw: await readManaged(), read: 'fresh' };
}

async function readManaged() {
  let raw = null;
  try {
    raw = await chrome.storage.managed.get(null);
  } catch {
    // No managed storage (Firefox without a policies.json entry): no policy.
  }
  return raw;
}

async function demoKey() {
  const res = await fetch(chrome.runtime.getURL('demo-public-key.txt'));
  return (await res.text()).trim();
}

/// (Re)builds everything from a policy: which bundle, where the agent runs,
/// when to check. Tabs re-attach to the new engine.
async function apply(raw, read) {
  const previousUrl = policy?.bundle_url ?? null;
  const changed = policy !== null && JSON.stringify(raw) !== JSON.stringify(policy.raw);
  deployment = new Deployment(raw ?? null, await demoKey());
  policy = { ...deployment.policy(), raw };
  policyRead = read;
  configureOutbox(deployment, policy, () => user()?.id ?? null);
  const e = new WaymarkEngine();
  const inUse = (await get(inUseKey())) ?? undefined;
  lastError = null;
  bundleInfo = null;
  if (policy.bundle_source.kind === 'built_in') {
    try {
      const bytes = await readBuiltIn();
      bundleInfo = { ...e.load(deployment, bytes, 'built_in', inUse, Date.now(), false), source: 'built_in', since: Date.now() };
      await raiseInUse(bundleInfo.bundle_version);
    } catch (err) {
      lastError = err.message;
      await put('refusal', { at: Date.now(), reason: err.message, source: 'built_in' });
    }
  } else {
    const [current, previous] = [await get('current'), await get('previous')];
    if (current) {
      try {
        bundleInfo = {
          ...e.load(deployment, current.bytes, 'stored', inUse, Date.now(), false),
          source: 'downloaded',
          fetched_at: current.fetched_at,
          since: current.fetched_at,
          etag: current.etag,
        };
      } catch (err) {
        lastError = `the last good bundle is not usable under this policy: ${err.message}`;
      }
    }
    if (previous && bundleInfo) {
      try {
        e.load(deployment, previous.bytes, 'stored', undefined, Date.now(), true);
      } catch {
        // Only kept for tours that started on it.
      }
    }
    if (!current) lastError = policy.bundle_url ? 'no bundle has been downloaded from bundle_url yet' : 'policy bundle_url is not usable (see the policy problems below)';
  }
  engine = e;
  await register(e.registration());
  resetAgents();
  await resolveProfile();
  e.setActor(await actor());
  if (policy.bundle_url) {
    let st = (await get('fetch')) ?? null;
    if (changed) st = deployment.forgetValidators(st);
    const { state, at } = deployment.scheduleStart(st, policy.bundle_url, Date.now(), Boolean(bundleInfo), Math.random());
    await put('fetch', { ...state, last_result: st?.last_result ?? null });
    if (changed && policy.bundle_url !== previousUrl) schedule(Date.now());
    else schedule(at);
  } else {
    await chrome.alarms.clear(ALARM);
  }
  broadcast();
}

async function readBuiltIn() {
  try {
    const res = await fetch(chrome.runtime.getURL(BUILT_IN));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(`the built-in bundle ${BUILT_IN} could not be read (${e.message}); rebuild the extension with \`cargo xtask dist\``);
  }
}

/// The highest bundle version trusted so far, per trust domain (`policy`
/// keys or the `demo` key): measured, a force-installed extension starts
/// once with empty managed storage before its policy arrives, and the
/// packed demo bundle (versioned by build time) must not then block the
/// admin's bundles as a "rollback".
const inUseKey = () => `inUse.${policy?.trust_domain ?? 'demo'}`;

async function raiseInUse(version) {
  const inUse = await get(inUseKey());
  if (inUse === undefined || version > inUse) await put(inUseKey(), version);
}

// ---- where the agent runs ---------------------------------------------------

/// Registers the agent for exactly the origins the bundle in use runs on
/// (none: unregistered), and starts it in tabs already open there.
async function register(reg) {
  const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  const have = await chrome.scripting.getRegisteredContentScripts();
  const agent = have.find((s) => s.id === 'agent');
  registration = reg;
  if (agent && same(agent.matches ?? [], reg.matches) && same(agent.excludeMatches ?? [], reg.exclude_matches)) return false;
  if (have.length) await chrome.scripting.unregisterContentScripts({ ids: have.map((s) => s.id) });
  if (!reg.matches.length) return true;
  await chrome.scripting.registerContentScripts([{
    id: 'agent',
    js: ['agent.js'],
    matches: reg.matches,
    excludeMatches: reg.exclude_matches,
    runAt: 'document_idle',
    persistAcrossSessions: true,
  }]);
  // Tabs open before registration get the agent now, not at their next load.
  const tabs = await chrome.tabs.query({ url: reg.matches }).catch(() => []);
  for (const tab of tabs) {
    if (agents.has(tab.id) || !tab.id) continue;
    chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ['agent.js'] }).catch(() => {});
  }
  return true;
}

/// Every tab forgets what it drew and attaches afresh (policy or scope
/// changed: the engine decides again, maybe nothing).
function resetAgents() {
  for (const [tab, port] of agents) {
    views.delete(tab);
    port.postMessage({ type: 'reset' });
  }
}

// ---- remote bundles ----------------------------------------------------------

function schedule(at) {
  chrome.alarms.create(ALARM, { when: Math.max(at, Date.now() + 1) });
}

/// Checks bundle_url once (conditional GET); the new bundle, if it passes
/// every check, is used from the next walkthrough on.
function check(why) {
  if (!checking) {
    checking = runCheck(why).finally(() => {
      checking = null;
      broadcast();
    });
    broadcast();
  }
  return checking;
}

async function runCheck(why) {
  const url = policy?.bundle_url;
  if (!url) return;
  const st = (await get('fetch')) ?? null;
  const have = Boolean(bundleInfo && bundleInfo.source === 'downloaded');
  const headers = deployment.requestHeaders(st, url, have);
  let outcome;
  let result;
  try {
    const res = await download(url, headers);
    if (res.status === 304) {
      outcome = { kind: 'not_modified' };
      result = 'not modified';
    } else {
      const base = { kind: 'fetched', etag: res.etag, last_modified: res.lastModified };
      try {
        const now = Date.now();
        const summary = engine.load(deployment, res.bytes, 'downloaded', (await get(inUseKey())) ?? undefined, now, false);
        const current = await get('current');
        if (current && current.version !== summary.bundle_version) await put('previous', current);
        await put('current', { bytes: res.bytes, version: summary.bundle_version, etag: res.etag, fetched_at: now });
        await raiseInUse(summary.bundle_version);
        bundleInfo = { ...summary, source: 'downloaded', fetched_at: now, since: now, etag: res.etag };
        lastError = null;
        if (await register(engine.registration())) resetAgents();
        outcome = { ...base, accepted: true };
        result = `new bundle version ${summary.bundle_version}`;
      } catch (err) {
        await put('refusal', { at: Date.now(), reason: err.message, source: 'downloaded' });
        outcome = { ...base, accepted: false };
        result = 'refused (see the last refused bundle)';
      }
    }
  } catch (err) {
    outcome = { kind: 'failed', retry_after: err.retryAfter ?? null };
    result = `failed: ${err.message}`;
  }
  const { state, at } = deployment.scheduleFinish(st, Date.now(), outcome, Math.random());
  await put('fetch', { ...state, last_result: `${result} (${why})` });
  schedule(at);
}

/// GET with the size cap, the stall rule and the origin rule. Resolves to
/// `{ status: 304 }` or `{ status: 200, bytes, etag, lastModified }`;
/// rejects with a reason an admin can act on.
async function download(url, headers) {
  const origin = new URL(url).origin;
  const ctl = new AbortController();
  const hard = setTimeout(() => ctl.abort(), HARD_TIMEOUT_MS);
  try {
    let res;
    try {
      res = await fetch(url, {
        headers: Object.fromEntries(headers),
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'follow',
        signal: ctl.signal,
      });
    } catch (e) {
      throw new Error(`${origin} could not be reached (${e.message})`);
    }
    if (res.redirected && new URL(res.url).origin !== origin) {
      ctl.abort();
      throw new Error(`bundle_url redirected to another origin (${new URL(res.url).origin}); serve the bundle from ${origin} itself`);
    }
    if (res.status === 304) return { status: 304 };
    if (!res.ok) {
      ctl.abort();
      const e = new Error(`the server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
      e.retryAfter = res.headers.get('retry-after');
      throw e;
    }
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    if (/^text\/|html|json|xml|javascript/.test(type)) {
      ctl.abort();
      throw new Error(`the server sent ${type.split(';')[0]}, not a bundle (a login or error page?); serve .wmb files as application/octet-stream`);
    }
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (length > MAX_BYTES) {
      ctl.abort();
      throw new Error(`the bundle is ${length} bytes, more than the ${MAX_BYTES / 1048576} MiB limit`);
    }
    const started = Date.now();
    const reader = res.body.getReader();
    const chunks = [];
    let total = 0;
    const slow = setInterval(() => {
      const elapsed = Date.now() - started;
      if (elapsed > GRACE_MS && total / (elapsed / 1000) < MIN_RATE) ctl.abort();
    }, 1000);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > MAX_BYTES) {
          ctl.abort();
          throw new Error(`the bundle is larger than the ${MAX_BYTES / 1048576} MiB limit`);
        }
        chunks.push(value);
      }
    } catch (e) {
      if (total > MAX_BYTES) throw e;
      const secs = Math.round((Date.now() - started) / 1000);
      throw new Error(`the download stalled or was too slow (${total} bytes in ${secs} s)`);
    } finally {
      clearInterval(slow);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return { status: res.status, bytes, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
  } finally {
    clearTimeout(hard);
  }
}

chrome.alarms.onAlarm.addListener((a) => {
  if (a.name === ALARM) ready.then(() => check('scheduled'));
});

// A policy change while running takes effect at once.
chrome.storage.onChanged.addListener((_changes, area) => {
  if (area === 'managed') enqueueGlobal(async () => apply(await readManaged(), 'fresh'));
});

let global = Promise.resolve();
function enqueueGlobal(job) {
  global = global.then(() => ready).then(job).catch((e) => console.warn('waymark:', e));
}

// ---- the user -------------------------------------------------------------

async function resolveProfile() {
  profileEmail = null;
  if (!policy.user.from_profile) return;
  try {
    const info = await chrome.identity.getProfileUserInfo({ accountStatus: 'ANY' });
    profileEmail = info?.email || null;
  } catch {
    // No identity API (Firefox): the id stays unknown.
  }
}

/// Given fields win over the page's, the page's over the profile's.
function user() {
  const u = policy?.user;
  if (!u || !(u.id || u.roles || u.region || u.locale || u.from_page || u.from_profile)) return null;
  const page = pageUser ?? {};
  const split = (s) => (s ? s.split(/[,;\s]+/).filter(Boolean) : []);
  const id = u.id ?? page.id ?? profileEmail ?? null;
  const source = u.id ? 'policy' : page.id ? 'page' : profileEmail ? 'profile' : 'unknown';
  let note = null;
  if (!id && u.from_page) note = 'Not read from a page yet: open a page where Waymark runs.';
  if (!id && u.from_profile && !u.from_page) note = 'The browser profile has no signed-in account.';
  return {
    id,
    roles: u.roles ?? split(page.roles),
    region: u.region ?? page.region ?? null,
    locale: u.locale ?? page.locale ?? null,
    source,
    page: source === 'page' ? page.origin : null,
    note,
  };
}

// ---- diagnostics (options page) -------------------------------------------

async function diagnostics() {
  const st = policy?.bundle_url ? ((await get('fetch')) ?? null) : null;
  return {
    generated_at: Date.now(),
    extension: { id: chrome.runtime.id, version: chrome.runtime.getManifest().version },
    policy: policy
      ? { managed: policy.managed, read: policyRead, values: policy.values, problems: policy.problems }
      : { managed: false, read: 'pending', values: null, problems: [] },
    runs_on: bundleInfo?.runs_on ?? [],
    registration,
    bundle: bundleInfo,
    updates: policy?.bundle_url
      ? {
        url: policy.values.bundle_url,
        interval_minutes: policy.interval_ms / 60_000,
        last_check: st?.last_check ?? null,
        last_result: st?.last_result ?? null,
        next_check: st?.next_check ?? null,
        failures: st?.failures ?? 0,
      }
      : null,
    refusal: (await get('refusal')) ?? null,
    error: bundleInfo ? null : lastError ?? (phase ? `starting: ${phase.what} for ${Math.round((Date.now() - phase.since) / 1000)} s` : 'starting…'),
    user: user(),
    support: policy?.support ?? null,
    analytics: await status(),
    history: history(await records()),
    checking: Boolean(checking),
  };
}

/** The employee's own history for the options page: walkthroughs they
 * finished and their check results, newest first, with titles from the
 * bundle in use. */
function history(all) {
  const titles = engine?.titles() ?? {};
  const title = (r) => titles[r.content?.id] ?? r.content?.id ?? '';
  return {
    completed: all.filter((r) => r.kind === 'completed').reverse().slice(0, 50)
      .map((r) => ({ id: r.content?.id, title: title(r), at: r.at })),
    checks: all.filter((r) => r.kind === 'check_completed').reverse().slice(0, 50)
      .map((r) => ({ id: r.content?.id, title: title(r), at: r.at, score: r.score, passed: r.passed })),
  };
}

function broadcast() {
  if (!options.size) return;
  diagnostics().then((d) => {
    for (const p of options) p.postMessage({ type: 'diagnostics', diagnostics: d });
  }).catch((e) => console.warn('waymark:', e));
}

// ---- ports ------------------------------------------------------------------

function enqueue(tab, job) {
  const next = (queues.get(tab) ?? Promise.resolve())
    .then(() => ready)
    .then((e) => (e ? job(engine) : undefined))
    .catch((err) => console.warn('waymark:', err));
  queues.set(tab, next);
}

async function run(tab, e, source, event, port) {
  for (const cmd of e.handle(tab, source, event)) {
    switch (cmd.type) {
      case 'render':
        views.set(tab, cmd);
        frames.get(tab)?.postMessage(cmd);
        break;
      case 'load': {
        const got = await chrome.storage.local.get(cmd.key);
        await run(tab, e, 'storage', { type: 'restored', tour: got[cmd.key] ?? null }, port);
        break;
      }
      case 'save':
        if (cmd.tour) await chrome.storage.local.set({ [cmd.key]: cmd.tour });
        else await chrome.storage.local.remove(cmd.key);
        break;
      case 'load_seen': {
        const got = await chrome.storage.local.get(cmd.key);
        await run(tab, e, 'storage', { type: 'seen_restored', seen: got[cmd.key] ?? null }, port);
        break;
      }
      case 'save_seen':
        await chrome.storage.local.set({ [cmd.key]: cmd.seen });
        break;
      case 'record':
        await record(cmd, Boolean((port ?? agents.get(tab))?.sender?.tab?.incognito));
        break;
      case 'recording':
        await recordMode(tab, cmd);
        break;
      case 'tips':
        agents.get(tab)?.postMessage(cmd);
        // The tips script, into pages that have tips (it runs once per
        // document, and takes the list from the agent when it starts).
        if (cmd.marks.length) {
          chrome.scripting.executeScript({ target: { tabId: tab }, files: ['tips.js'] })
            .catch((err) => console.warn('waymark: cannot show tips in this tab:', err?.message ?? err));
        }
        break;
      case 'count_targets':
        recorders.get(tab)?.postMessage(cmd);
        break;
      case 'identified':
        pageUser = { ...cmd.user, origin: port?.sender?.origin ?? null };
        e.setActor(await actor());
        broadcast();
        break;
      default:
        agents.get(tab)?.postMessage(cmd);
    }
  }
}

const OPTIONS_URL = chrome.runtime.getURL('options.html');

chrome.runtime.onConnect.addListener((port) => {
  if (port.name === 'options') {
    // Only this extension's own options page (a content script's sender
    // carries the page's URL).
    if (!port.sender?.url?.startsWith(OPTIONS_URL)) return port.disconnect();
    options.add(port);
    port.onDisconnect.addListener(() => options.delete(port));
    port.onMessage.addListener((msg) => {
      if (msg?.type === 'check_now') {
        ready.then(() => check('Check now'));
        flush(true).then(broadcast, () => {});
      }
    });
    // At once (a slow start shows where it is), and again when started.
    broadcast();
    ready.then(broadcast);
    return;
  }
  const tab = port.sender?.tab?.id;
  if (tab === undefined) return port.disconnect();
  if (port.name === 'agent' && port.sender.frameId === 0) return acceptAgent(tab, port);
  if (port.name === 'overlay') return acceptFrame(tab, port);
  if (port.name === 'recorder' && port.sender.frameId === 0 && recorderRoles.has(tab)) return acceptRecorder(tab, port);
  return port.disconnect();
});

// Into record mode (inject the recorder; it connects and is started with
// the role table) or out of it (the recorder removes its listeners).
async function recordMode(tab, cmd) {
  if (!cmd.on) {
    recorderRoles.delete(tab);
    recorders.get(tab)?.postMessage({ type: 'recording', on: false, roles: [] });
    recorders.delete(tab);
    return;
  }
  recorderRoles.set(tab, cmd.roles);
  if (recorders.has(tab)) return recorders.get(tab).postMessage(cmd);
  try {
    await chrome.scripting.executeScript({ target: { tabId: tab }, files: ['recorder.js'] });
  } catch (e) {
    console.warn('waymark: cannot record in this tab:', e?.message ?? e);
  }
}

// The recorder's port: its messages go to the engine as the recorder's
// (Event::allowed_from says which those are), on the tab's own origin.
function acceptRecorder(tab, port) {
  recorders.set(tab, port);
  const origin = port.sender.origin ?? (port.sender.url ? new URL(port.sender.url).origin : null);
  port.postMessage({ type: 'recording', on: true, roles: recorderRoles.get(tab) ?? [] });
  port.onMessage.addListener((msg) => {
    if (!msg || typeof msg !== 'object') return;
    if ('url' in msg && !sameOrigin(msg.url, origin)) return;
    enqueue(tab, (e) => run(tab, e, 'recorder', msg, port));
  });
  port.onDisconnect.addListener(() => {
    if (recorders.get(tab) === port) recorders.delete(tab);
  });
}

// The agent's port. Every message it sends is checked against where it
// really comes from: a URL it reports must be on the port's own origin
// (`sender.origin`, set by the browser; a page can change its path with
// pushState but never its origin), else the message is dropped. The frame
// token it hands over (`attached`) is kept here and in storage.session
// (trusted contexts only), never passed to the engine.
function acceptAgent(tab, port) {
  agents.set(tab, port);
  const origin = port.sender.origin ?? (port.sender.url ? new URL(port.sender.url).origin : null);
  port.onMessage.addListener((msg) => {
    if (!msg || typeof msg !== 'object') return;
    if ('url' in msg && !sameOrigin(msg.url, origin)) return;
    // Presentation only, past the engine: the page holds the top layer
    // over the card, so the frame drops pointer clicks (agent/stacking.js).
    // Kept per tab, so a frame that connects later (a new or reloaded
    // frame) starts covered too; only the tab's current agent says so.
    if (msg.type === 'covered') {
      if (agents.get(tab) !== port) return;
      const on = msg.covered === true;
      covered.set(tab, on);
      frames.get(tab)?.postMessage({ type: 'covered', covered: on });
      return;
    }
    if (msg.type === 'attached') {
      const { frame_token: token, ...event } = msg;
      if (typeof token === 'string' && token.length >= 32) rememberToken(tab, token);
      msg = event;
    }
    enqueue(tab, (e) => run(tab, e, 'agent', msg, port));
  });
  port.onDisconnect.addListener(() => {
    if (agents.get(tab) !== port) return;
    agents.delete(tab);
    covered.delete(tab);
    views.delete(tab);
    enqueue(tab, (e) => e.forget(tab));
  });
}

function sameOrigin(url, origin) {
  try {
    return typeof url === 'string' && origin !== null && new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/// The frame token of each tab's agent (see acceptFrame).
const tokens = new Map();
/// Tabs whose page holds the top layer over the card (agent/stacking.js).
const covered = new Map();

function rememberToken(tab, token) {
  if (tokens.get(tab) === token) return;
  tokens.set(tab, token);
  chrome.storage.session.set({ [`frameToken.${tab}`]: token }).catch(() => {});
}

async function tokenOf(tab) {
  if (tokens.has(tab)) return tokens.get(tab);
  // The worker restarted: the agent's token is still in session storage.
  const key = `frameToken.${tab}`;
  const got = await chrome.storage.session.get(key).catch(() => ({}));
  if (typeof got[key] === 'string') tokens.set(tab, got[key]);
  return tokens.get(tab) ?? null;
}

// An overlay port is the tab's overlay only if it comes from a frame (not
// the top document) of that tab showing this extension's overlay.html, with
// the token that tab's agent handed its own frame in the URL fragment.
// Anything else (a page that framed its own copy of overlay.html, found by a
// security review: the last frame to connect used to win) is disconnected
// and gets nothing rendered.
function acceptFrame(tab, port) {
  const { url, frameId } = port.sender;
  let token = null;
  try {
    const u = new URL(url);
    if (u.protocol === location.protocol && u.pathname === '/overlay.html' && frameId !== 0) token = u.hash.slice(1);
  } catch {
    // not a URL: refused below
  }
  if (!token) return port.disconnect();
  // Messages that arrive while the token is looked up wait for it.
  const accepted = tokenOf(tab).then((want) => {
    if (want !== token) {
      port.disconnect();
      return false;
    }
    frames.set(tab, port);
    if (covered.get(tab)) port.postMessage({ type: 'covered', covered: true });
    const render = views.get(tab);
    if (render) port.postMessage(render);
    return true;
  });
  port.onMessage.addListener((msg) => accepted.then((ok) => {
    if (ok && frames.get(tab) === port) enqueue(tab, (e) => run(tab, e, 'frame', msg, port));
  }));
  port.onDisconnect.addListener(() => {
    if (frames.get(tab) === port) frames.delete(tab);
  });
}

chrome.tabs?.onRemoved?.addListener((tab) => {
  queues.delete(tab);
  tokens.delete(tab);
  chrome.storage.session.remove(`frameToken.${tab}`).catch(() => {});
});

// Install and browser start: verify the bundle and check bundle_url now,
// not at the first page that needs it (start() schedules the check).
chrome.runtime.onStartup.addListener(() => ready);
chrome.runtime.onInstalled.addListener(() => ready);

// The help shortcut (manifest `commands`): works wherever focus is in the tab.
chrome.commands?.onCommand?.addListener((command, tab) => {
  if (command === 'open-help' && tab?.id !== undefined && agents.has(tab.id)) {
    enqueue(tab.id, (e) => run(tab.id, e, 'browser', { type: 'open_help' }));
  }
});
