// The extension origin's IndexedDB: trust state (sw.js), the local record
// history and the xAPI outbox (outbox.js). Content scripts run in the
// page's renderer and can read chrome.storage.local (../shared/PLATFORM.md),
// never another origin's IndexedDB: so nothing trusted or personal goes
// there.
//
//   trust    key → value: bundle versions, fetch state, refusal, the
//            outbox's delivery state and counters, this browser's secret
//   records  the local history (autoIncrement: oldest first)
//   outbox   statements not yet stored by the LRS (autoIncrement: oldest
//            first; unique index on the statement id)

export const db = new Promise((ok, fail) => {
  const req = indexedDB.open('waymark', 3);
  req.onupgradeneeded = () => {
    const d = req.result;
    if (!d.objectStoreNames.contains('trust')) d.createObjectStore('trust');
    if (!d.objectStoreNames.contains('records')) d.createObjectStore('records', { autoIncrement: true });
    if (!d.objectStoreNames.contains('outbox')) {
      d.createObjectStore('outbox', { autoIncrement: true }).createIndex('id', 'id', { unique: true });
    }
  };
  req.onsuccess = () => ok(req.result);
  req.onerror = () => fail(req.error);
});

/** Runs `fn(stores...)` in one transaction over `names`; resolves, once it
 * completed, with what `fn` returned: a request's result, a function's
 * value, or the value itself. */
export async function tx(names, mode, fn) {
  const d = await db;
  return new Promise((ok, fail) => {
    const t = d.transaction(names, mode);
    const out = fn(...names.map((n) => t.objectStore(n)));
    t.oncomplete = () => ok(out instanceof IDBRequest ? out.result : typeof out === 'function' ? out() : out);
    t.onerror = t.onabort = () => fail(t.error);
  });
}

export const get = (key) => tx(['trust'], 'readonly', (s) => s.get(key));
export const put = (key, value) => tx(['trust'], 'readwrite', (s) => s.put(value, key));
