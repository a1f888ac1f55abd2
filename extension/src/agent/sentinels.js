// Sentinels: the page's triggers (engine Command::Sentinels). An element
// that matches a trigger and is visible is reported `present` once, and
// `present: false` when it goes. Owns S.sentinels.
import { matchesIn, scopes, scopesFor, visible } from './dom.js';
import { ensureObserver, maybeStopObserver } from './observer.js';
import { send } from './port.js';
import { S } from './state.js';
import { lookup, matcher, satisfies } from './watchlist.js';

export function setSentinels(list) {
  const before = S.sentinels?.present ?? new Map();
  const m = matcher(list);
  S.sentinels = m ? { m, present: new Map(), hidden: [] } : null;
  if (!S.sentinels) {
    maybeStopObserver();
    return;
  }
  ensureObserver();
  if (m.deep) for (const scope of scopes(true)) scan(scope.querySelectorAll('*'));
  else scan(document.querySelectorAll('*'));
  const keys = new Set(list.entries.map((e) => e.key));
  for (const key of S.sentinels.present.keys()) if (!before.has(key)) send({ type: 'present', key, present: true });
  for (const key of before.keys()) {
    if (keys.has(key) && !S.sentinels.present.has(key)) send({ type: 'present', key, present: false });
  }
}

function scan(els, report) {
  const { m, present, hidden } = S.sentinels;
  for (const el of els) {
    for (const idx of lookup(m, el)) {
      const entry = m.list.entries[idx];
      if (present.has(entry.key) || !satisfies(el, entry.query)) continue;
      if (visible(el)) {
        present.set(entry.key, { el, idx });
        if (report) send({ type: 'present', key: entry.key, present: true });
      } else if (hidden.length < 200) hidden.push({ el, idx });
    }
  }
}

export function checkSentinels(changed, overflow) {
  const sentinels = S.sentinels;
  const { m, present } = sentinels;
  const { dirty } = S;
  if (overflow) {
    scan(document.querySelectorAll('*'), true);
  } else {
    scan(changed, true);
    // Attribute changes on an ancestor can make a combinator selector match.
    if (m.complex.length && dirty.attrs.size) {
      for (const a of dirty.attrs) {
        if (!a.isConnected || !a.firstElementChild) continue;
        for (const idx of m.complex) {
          const entry = m.list.entries[idx];
          if (present.has(entry.key)) continue;
          let found = [];
          try {
            found = a.querySelectorAll(entry.query.css);
          } catch {
            found = [];
          }
          scan(found, true);
        }
      }
    }
  }
  // Matches that were hidden (an error banner waiting for its `hidden` to go).
  sentinels.hidden = sentinels.hidden.filter(({ el, idx }) => {
    if (!el.isConnected) return false;
    const key = m.list.entries[idx].key;
    if (present.has(key)) return true;
    if (!visible(el)) return true;
    if (!satisfies(el, m.list.entries[idx].query)) return false;
    present.set(key, { el, idx });
    send({ type: 'present', key, present: true });
    return false;
  });
  // Present ones still there? If not, another element of the same trigger
  // may stand in; else it is gone.
  for (const [key, { el, idx }] of present) {
    if (el.isConnected && visible(el) && satisfies(el, m.list.entries[idx].query)) continue;
    present.delete(key);
    let again = null;
    m.list.entries.forEach((e, i) => {
      if (again || e.key !== key) return;
      for (const scope of scopesFor(e.query)) {
        for (const c of matchesIn(scope, e.query)) {
          again = { el: c, idx: i };
          break;
        }
        if (again) break;
      }
    });
    if (again) present.set(key, again);
    else send({ type: 'present', key, present: false });
  }
}
