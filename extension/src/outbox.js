// What the engine records (Command::Record), kept and delivered.
//
//   engine record + its statement (made beside the engine, in Rust: core
//   analytics::xapi, the id named by the record; none without an LRS)
//        ──▶ record(): incognito? policy? ──▶ records (local history, bounded)
//                                   │ a statement
//                                   ▼
//                    outbox (IndexedDB, bounded, oldest dropped first and counted)
//                                   ▼ flush(): a batch, oldest first
//                    POST endpoint/statements ──answer──▶ Rust: analytics::delivery
//                        Delete │ Split (halves, at once) │ Drop (counted) │ Retry at (timer + alarm)
//
// Every rule is Rust's (core/src/analytics/); this file does the I/O. The
// outbox survives worker and browser restarts; statement ids are fixed when
// a statement is made, so a batch sent twice (a crash between the LRS's
// answer and the delete) is stored once.
import { get, put, tx } from './db.js';

/** Local history: most records kept, and for how long. */
export const MAX_RECORDS = 5000;
const MAX_RECORD_AGE_MS = 90 * 24 * 3600 * 1000;
/** Statements waiting for the LRS, at most (then the oldest go first). */
export const MAX_OUTBOX = 10_000;
/** Records made within this of each other go in one batch. */
const GATHER_MS = 1000;
const POST_TIMEOUT_MS = 10_000;
const ALARM = 'waymark-outbox';

let env = null; // { deployment, policy, userId }: set by sw.js
let flushing = null;
let timer = null;

/** sw.js tells the outbox the checked policy and how to learn the user. */
export function configure(deployment, policy, userId) {
  env = { deployment, policy, userId };
  schedule(0);
}

/** This browser's random secret: the pseudonym key without a policy key,
 * and the subject when no user id is known. Never leaves the worker. */
async function secret() {
  let s = await get('browser-secret');
  if (!s) {
    const b = crypto.getRandomValues(new Uint8Array(32));
    s = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    await put('browser-secret', s);
  }
  return s;
}

/** Who statements are about (for `WaymarkEngine.setActor`): null when
 * policy names no LRS, so none are made. */
export async function actor() {
  if (!env?.deployment.analyticsTarget()) return null;
  return env.deployment.actor(env.userId() ?? undefined, await secret());
}

/** Keeps a `record` command's record (from a tab; `incognito` as the
 * browser says) in the local history and queues its statement, if any. */
export async function record(cmd, incognito) {
  if (!env) return;
  if (incognito && !env.policy?.record_incognito) return;
  const { record: rec, at } = cmd;
  const st = env.deployment.analyticsTarget() ? cmd.statement : null;
  let dropped = 0;
  await tx(['records', 'outbox', 'trust'], 'readwrite', (records, outbox, trust) => {
    records.add({ ...rec, at });
    trim(records, MAX_RECORDS, (v) => v.at < at - MAX_RECORD_AGE_MS);
    if (st) {
      outbox.add({ id: st.id, at, statement: st });
      trim(outbox, MAX_OUTBOX, () => false, () => { dropped += 1; });
      // Counted in the same transaction as the drop.
      const c = trust.get('outbox-dropped');
      c.onsuccess = () => {
        if (dropped) trust.put((c.result ?? 0) + dropped, 'outbox-dropped');
      };
    }
  });
  if (st) schedule(GATHER_MS);
}

/** Deletes the oldest entries past `max`, and any the `old` test says are
 * too old (oldest first, so it stops at the first young one). */
function trim(store, max, old, onDrop = () => {}) {
  const count = store.count();
  count.onsuccess = () => {
    let excess = count.result - max;
    store.openCursor().onsuccess = (ev) => {
      const cur = ev.target.result;
      if (!cur || (excess <= 0 && !old(cur.value))) return;
      cur.delete();
      if (excess > 0) onDrop();
      excess -= 1;
      cur.continue();
    };
  };
}

/** Flushes in `ms` (or at once), unless a flush is sooner. */
function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => flush().catch((e) => console.warn('waymark: outbox:', e)), Math.max(0, ms));
}

chrome.alarms.onAlarm.addListener((a) => {
  if (a.name === ALARM) schedule(0);
});

/** Sends what is queued, batch by batch, while the LRS takes it. `force`
 * ignores the backoff (Check now on the options page, and tests). */
export function flush(force = false) {
  // A forced flush never rides on a scheduled one (which may wait out the
  // backoff): it runs after it.
  if (flushing) return force ? flushing.then(() => flush(true)) : flushing;
  flushing = run(force).finally(() => { flushing = null; });
  return flushing;
}

async function run(force) {
  const target = env?.deployment.analyticsTarget();
  if (!target) return;
  const { deployment } = env;
  let state = deployment.deliveryState((await get('delivery')) ?? null);
  if (!force && Date.now() < state.next_at) return wake(state.next_at);
  for (;;) {
    const batch = await tx(['outbox'], 'readonly', (s) => s.getAll(null, state.batch));
    if (!batch.length) return;
    const r = await send(target, deployment, state, batch);
    state = r.state;
    await put('delivery', state);
    if (r.retryAt) return wake(r.retryAt);
  }
}

/** POSTs `batch` (outbox entries); on Split, each half in turn. */
async function send(target, deployment, state, batch) {
  const answer = await post(target, batch.map((e) => e.statement));
  const out = deployment.deliveryAnswer(state, batch.length, answer, Date.now(), Math.random());
  const next = out.next;
  if (next.kind === 'delete' || next.kind === 'drop') {
    if (next.kind === 'drop') console.warn('waymark: outbox:', next.why);
    await tx(['outbox'], 'readwrite', (s) => {
      const index = s.index('id');
      for (const e of batch) {
        index.getKey(e.id).onsuccess = (ev) => {
          if (ev.target.result !== undefined) s.delete(ev.target.result);
        };
      }
    });
    return { state: out.state };
  }
  if (next.kind === 'split') {
    const half = Math.ceil(batch.length / 2);
    const first = await send(target, deployment, out.state, batch.slice(0, half));
    if (first.retryAt) return first;
    return send(target, deployment, first.state, batch.slice(half));
  }
  return { state: out.state, retryAt: next.at };
}

/** One POST, its answer as core's `delivery::Answer`. */
async function post(target, statements) {
  const headers = { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3' };
  if (target.auth) headers.Authorization = target.auth;
  const abort = new AbortController();
  const t = setTimeout(() => abort.abort(), POST_TIMEOUT_MS);
  try {
    const res = await fetch(target.url, {
      method: 'POST', headers, body: JSON.stringify(statements), signal: abort.signal, credentials: 'omit', cache: 'no-store',
    });
    const text = await res.text();
    if (!res.ok) {
      const ra = res.headers.get('retry-after');
      const secs = ra && /^\d+$/.test(ra.trim()) ? Number(ra) * 1000 : null;
      return { kind: 'status', status: res.status, body: text.slice(0, 500), retry_after_ms: secs };
    }
    // 204 and no body: the LRS had every statement already (a resend).
    if (!text.trim()) return { kind: 'stored', ids: 0 };
    let ids;
    try {
      ids = JSON.parse(text);
    } catch {
      return { kind: 'malformed' };
    }
    return Array.isArray(ids) && ids.every((x) => typeof x === 'string') ? { kind: 'stored', ids: ids.length } : { kind: 'malformed' };
  } catch (e) {
    return { kind: 'unreachable', why: abort.signal.aborted ? `no answer within ${POST_TIMEOUT_MS / 1000} s` : String(e?.message ?? e) };
  } finally {
    clearTimeout(t);
  }
}

/** Flushes again at `at`: a timer while the worker lives, an alarm for
 * after (Chromium stops idle workers; alarms wake them). */
function wake(at) {
  schedule(at - Date.now());
  chrome.alarms.create(ALARM, { when: Math.max(at, Date.now() + 30_000) });
}

/** For the options page: where statements go and how delivery stands. */
export async function status() {
  const target = env?.deployment.analyticsTarget();
  const [queued, state, dropped] = await Promise.all([
    tx(['outbox'], 'readonly', (s) => s.count()),
    get('delivery'),
    get('outbox-dropped'),
  ]);
  return {
    endpoint: target ? env.policy.values?.analytics?.endpoint ?? null : null,
    queued,
    sent: state?.sent ?? 0,
    rejected: state?.rejected ?? 0,
    dropped: dropped ?? 0,
    last_error: state?.last_error ?? null,
    last_sent_at: state?.last_sent_at ?? null,
    next_at: state?.next_at || null,
  };
}

/** The local history, oldest first. */
export const records = () => tx(['records'], 'readonly', (s) => s.getAll());

/** The statements waiting, oldest first (tests, the worker's console). */
export const queued = () => tx(['outbox'], 'readonly', (s) => s.getAll()).then((all) => all.map((e) => e.statement));
