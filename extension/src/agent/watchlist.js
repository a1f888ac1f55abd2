// The compiled watch list (engine Command::Watch `list`, Command::Sentinels;
// built by core/src/targeting/watchlist.rs): every query bucketed by the most
// selective part of its subject, so a changed element is tested only
// against the few entries its buckets name.
import { accessibleName } from './dom.js';
import { norm } from './state.js';

const own = (o, k) => (o && Object.hasOwn(o, k) ? o[k] : undefined);

export function matcher(list) {
  if (!list?.entries?.length) return null;
  // Entries whose selector has a combinator can start matching when an
  // ancestor changes: those are also looked for under changed elements.
  const complex = [];
  list.entries.forEach((e, i) => {
    if (/[\s>+~]/.test(e.query.css.trim().replace(/\[[^\]]*\]|\([^)]*\)/g, ''))) complex.push(i);
  });
  return {
    list, complex, attrNames: Object.keys(list.attrs ?? {}),
    deep: list.entries.some((e) => e.query.deep || e.query.path?.length), stamp: new Uint32Array(list.entries.length), gen: 0,
  };
}

// The entries `el` could match: the buckets of what it has (ids, classes,
// attribute values and tags are bucketed lower-cased).
export function lookup(m, el) {
  const L = m.list;
  const out = [];
  const gen = (m.gen = (m.gen + 1) >>> 0 || 1);
  const add = (ids) => {
    if (!Array.isArray(ids)) return;
    for (const i of ids) {
      if (m.stamp[i] !== gen) {
        m.stamp[i] = gen;
        out.push(i);
      }
    }
  };
  add(L.any);
  add(own(L.tags, el.localName));
  if (el.id) add(own(L.ids, el.id.toLowerCase()));
  for (const c of el.classList) add(own(L.classes, c.toLowerCase()));
  for (const n of m.attrNames) {
    const v = el.getAttribute(n);
    if (v === null) continue;
    const b = own(L.attrs, n);
    add(b?.present);
    add(own(b?.values, v.toLowerCase()));
  }
  return out;
}

// Does `el` satisfy the query (engine::Query), visibility aside?
export function satisfies(el, q) {
  try {
    if (!el.matches(q.css)) return false;
  } catch {
    return false; // the engine validated it; a browser difference must not stop the rest
  }
  return conditions(el, q);
}

export function conditions(el, q) {
  if (q.name != null && accessibleName(el) !== q.name) return false;
  if (q.text != null && norm(el.textContent) !== q.text) return false;
  if (q.contains != null && !norm(el.textContent).toLowerCase().includes(q.contains)) return false;
  return true;
}
