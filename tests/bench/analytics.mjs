// `cargo xtask bench analytics`: what measurement costs the extension's
// service worker, in headless Chromium with the packed extension and a
// policy naming a local fake LRS. None of it runs on the host page: the
// agent (the only code there) does not change with analytics.
//
// Prints one JSON line per figure, with a peer measured in the same run:
//   enqueue_ms   one record kept and its statement queued (outbox.record:
//                one IndexedDB transaction over the history, the outbox and
//                the drop counter, with their bounds), per event
//   idb_put_ms   peer: one bare IndexedDB put of the same object in its own
//                transaction, in the same worker (the floor)
//   batch_ms     one batch of `batch_size` statements read, POSTed to the
//                LRS on 127.0.0.1, its answer decided in Rust and deleted
//
//   node tests/bench/analytics.mjs [--events 2000]
import { extensionIdOf, launch, removePolicy, writePolicy } from '../e2e/harness.mjs';
import { fakeLrs } from '../e2e/lrs.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const EVENTS = Number(arg('events', 2000));
const BATCH = 50;

const lrs = await fakeLrs();
writePolicy(extensionIdOf(), {
  analytics: { endpoint: lrs.url, auth: 'Basic YmVuY2g6YmVuY2g=', batch_size: BATCH, key: 'bench' },
  user: { id: 'bench@acme.example' },
});
const browser = await launch();
try {
  // The LRS answers 503 while events are queued (the outbox keeps them and
  // backs off), so the batches are all there to time afterwards.
  lrs.hold = true;
  const out = await browser.worker.evaluate(async ({ events }) => {
    const { record, flush } = waymark.bench;
    const statement = (i) => ({
      id: `00000000-0000-8000-8000-${String(i).padStart(12, '0')}`,
      actor: { objectType: 'Agent', account: { homePage: 'https://waymark.dev/xapi/accounts', name: 'f'.repeat(64) } },
      verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
      object: { objectType: 'Activity', id: 'https://waymark.dev/xapi/content/walkthroughs/create-deal/steps/save' },
      context: { registration: '564b71aa-f923-808c-878f-af31ad10a5b2', platform: 'Waymark', extensions: { 'https://waymark.dev/xapi/extensions/bundle-version': 12 } },
      timestamp: new Date(Date.UTC(2026, 11, 4) + i).toISOString(),
    });
    const cmd = (i) => ({
      type: 'record',
      at: Date.now(),
      record: { kind: 'step_shown', step: 'save', index: 4, of: 5, origin: 'https://crm.acme.example', screen: '/crm/deals*', bundle: 12 },
      statement: statement(i),
    });
    // Warm up (opens the database, JIT).
    for (let i = 0; i < 50; i++) await record(cmd(i), false);
    await flush(true);
    const t0 = performance.now();
    for (let i = 0; i < events; i++) await record(cmd(1000 + i), false);
    const enqueue = (performance.now() - t0) / events;

    // Peer: the same object, one bare put per transaction.
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open('waymark-bench-peer', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('s', { autoIncrement: true });
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const put = (v) => new Promise((ok, no) => {
      const t = db.transaction(['s'], 'readwrite');
      t.objectStore('s').add(v);
      t.oncomplete = ok;
      t.onerror = () => no(t.error);
    });
    const p0 = performance.now();
    for (let i = 0; i < events; i++) await put({ id: i, at: Date.now(), statement: statement(i) });
    const idb = (performance.now() - p0) / events;
    db.close();
    indexedDB.deleteDatabase('waymark-bench-peer');

    return { enqueue, idb };
  }, { events: EVENTS });
  lrs.hold = false;
  Object.assign(out, await browser.worker.evaluate(async () => {
    // Delivery: everything queued, sent in batches.
    const queued = (await waymark.queued()).length;
    const b0 = performance.now();
    while ((await waymark.queued()).length > 0) await waymark.bench.flush(true);
    const batches = Math.ceil(queued / 50);
    return { queued, batches, batch: (performance.now() - b0) / batches };
  }));
  const sent = [...lrs.stored.keys()].length;
  const line = (o) => console.log(JSON.stringify({ bench: 'analytics', ...o }));
  line({ figure: 'enqueue_ms', events: EVENTS, value: +out.enqueue.toFixed(3), vs_idb_put: +(out.enqueue / out.idb).toFixed(2) });
  line({ figure: 'idb_put_ms', events: EVENTS, value: +out.idb.toFixed(3), vs_idb_put: 1 });
  line({ figure: 'batch_ms', batches: out.batches, batch_size: BATCH, value: +out.batch.toFixed(2), per_statement_ms: +(out.batch / BATCH).toFixed(3), stored: sent });
  if (sent < EVENTS) throw new Error(`the LRS stored ${sent} statements of ${EVENTS}`);
} finally {
  await browser.close();
  removePolicy();
  await lrs.close();
}
