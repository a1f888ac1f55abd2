// Executing queries (engine::Query) and reading facts off the page: scopes
// (the document, shadow roots, same-origin frames, explicit paths),
// visibility, geometry through frames, accessible names, candidates with
// the facts the engine scores. Reads the page; changes nothing in it
// (observeRoot only starts observing a scope it finds).
import { observeRoot } from './observer.js';
import { S, norm } from './state.js';
import { conditions } from './watchlist.js';

export { norm };

// The element's box in this window's viewport, through same-origin frames.
export function rectOf(el) {
  const r = el.getBoundingClientRect();
  let x = r.x;
  let y = r.y;
  let win = el.ownerDocument.defaultView;
  while (win && win !== window) {
    const fe = win.frameElement;
    if (!fe) break;
    const fr = fe.getBoundingClientRect();
    x += fr.x + fe.clientLeft;
    y += fr.y + fe.clientTop;
    win = fe.ownerDocument.defaultView;
  }
  return { x, y, width: r.width, height: r.height };
}

// Fully inside every scroll container and the viewport?
export function inView(el) {
  const r = rectOf(el);
  if (r.y < 0 || r.x < 0 || r.y + r.height > innerHeight || r.x + r.width > innerWidth) return false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    if (p.scrollHeight > p.clientHeight || p.scrollWidth > p.clientWidth) {
      const pr = p.getBoundingClientRect();
      const er = el.getBoundingClientRect();
      if (er.top < pr.top || er.bottom > pr.bottom || er.left < pr.left || er.right > pr.right) return false;
    }
  }
  return true;
}

// Is the element's middle under something else, like a sticky header?
// Only for elements of this document: a hit test cannot see into frames or
// closed shadow roots.
export function covered(el) {
  if (el.getRootNode() !== document) return false;
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + Math.min(r.height / 2, 8));
  if (!hit || hit === S.host) return false;
  return !(hit === el || el.contains(hit) || hit.contains(el));
}

export function visible(el) {
  const host = S.host;
  if (host && (el === host || host.contains(el))) return false;
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false;
  const view = el.ownerDocument.defaultView ?? window;
  return view.getComputedStyle(el).visibility !== 'hidden';
}

export function accessibleName(el) {
  const aria = el.getAttribute('aria-label');
  if (aria) return norm(aria);
  const by = el.getAttribute('aria-labelledby');
  if (by) {
    const scope = el.getRootNode();
    return norm(by.split(/\s+/).map((id) => scope.getElementById?.(id)?.textContent ?? '').join(' '));
  }
  if (el.labels?.length) return norm([...el.labels].map((l) => l.textContent).join(' '));
  if (el.tagName === 'INPUT' && /^(button|submit|reset)$/.test(el.type)) return norm(el.value);
  return norm(el.textContent) || norm(el.getAttribute('title') || el.getAttribute('placeholder') || el.getAttribute('alt'));
}

/** Fields whose value is a secret: never matched against a pattern. */
export function sensitive(el) {
  const auto = (el.getAttribute?.('autocomplete') ?? '').toLowerCase();
  return (el.tagName === 'INPUT' && el.type === 'password') || /\b(cc-|one-time-code|current-password|new-password)/.test(auto);
}

export function valueOf(el) {
  // Tag names, not instanceof: elements of a frame come from another realm.
  if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) return el.checked ? (el.value || 'on') : '';
  if ('value' in el && typeof el.value === 'string') return el.value;
  return norm(el.textContent);
}

// A shadow root the page closed is still reachable by the extension:
// chrome.dom in Chromium (https://developer.chrome.com/docs/extensions/reference/api/dom),
// the element's own property in Firefox content scripts
// (https://developer.mozilla.org/docs/Web/API/Element/openOrClosedShadowRoot).
// BROWSER is set by `cargo xtask dist` (esbuild --define) per build, so
// each build carries its own browser's call only.
export const shadowOf = (el) => {
  // Never Waymark's own root: its launcher is no target, and in Firefox
  // the agent can read its own overlay frame's documents (an extension
  // page), which die as the frame loads: "can't access dead object"
  // (found by tests/e2e/walkthrough.test.mjs in Firefox after a reload).
  if (el === S.host) return null;
  try {
    // eslint-disable-next-line no-undef
    // (Firefox's is a property, not a method: found by tests/e2e/targets.test.mjs in Firefox.)
    const root = BROWSER === 'firefox' ? el.openOrClosedShadowRoot : chrome.dom?.openOrClosedShadowRoot?.(el);
    return root ?? el.shadowRoot;
  } catch {
    return el.shadowRoot;
  }
};

// The document, then (for deep queries) every shadow root and same-origin
// frame document under it, breadth first. Each is observed, so a target
// that renders there later is noticed.
export function* scopes(deep) {
  yield document;
  if (!deep) return;
  const queue = [document];
  let seen = 0;
  while (queue.length && seen < 200) {
    const scope = queue.shift();
    for (const el of scope.querySelectorAll('*')) {
      const sr = shadowOf(el);
      if (sr) {
        seen++;
        observeRoot(sr);
        queue.push(sr);
        yield sr;
      }
      if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
        const doc = frameDoc(el);
        if (doc) {
          seen++;
          observeRoot(doc);
          queue.push(doc);
          yield doc;
        }
      }
    }
  }
}

export function frameDoc(el) {
  try {
    const doc = el.contentDocument; // null for cross-origin frames
    return doc?.documentElement ? doc : null;
  } catch {
    return null;
  }
}

// Where a query looks: an explicit path (engine::Query::path) names one
// scope, hop by hop: a frame's document, else an element's shadow root.
export function* scopesFor(q) {
  if (!q.path?.length) {
    yield* scopes(q.deep);
    return;
  }
  let scope = document;
  for (const hop of q.path) {
    let el = null;
    try {
      el = scope.querySelector(hop);
    } catch {
      return;
    }
    if (!el) return;
    const next = el.tagName === 'IFRAME' || el.tagName === 'FRAME' ? frameDoc(el) : shadowOf(el);
    if (!next) return;
    observeRoot(next);
    scope = next;
  }
  yield scope;
}

export function resolve(queries) {
  for (const q of queries) {
    for (const scope of scopesFor(q)) {
      const el = resolveIn(scope, q);
      if (el) return el;
    }
  }
  return null;
}

// Every visible element that satisfies any query, with the facts the
// engine scores (engine::Event::Candidates). At most 20 per query. Hidden
// matches go to `hidden`, to be looked at again when the page changes.
export function candidates(queries, hidden) {
  const byEl = new Map();
  queries.forEach((q, i) => {
    for (const scope of scopesFor(q)) {
      for (const el of matchesIn(scope, q, hidden)) {
        let entry = byEl.get(el);
        if (!entry) {
          entry = { el, facts: facts(el) };
          byEl.set(el, entry);
        }
        if (!entry.facts.matched.includes(i)) entry.facts.matched.push(i);
      }
    }
  });
  return [...byEl.values()];
}

// At most `limit` matches (the recorder needs only 0, 1 or "several").
export function matchesIn(scope, q, hidden, limit = 20) {
  const list = elementsFor(scope, q, limit);
  const out = [];
  for (const el of list) {
    if (!conditions(el, q)) continue;
    if (!visible(el)) {
      if (hidden && hidden.length < 20) hidden.push(el);
      continue;
    }
    out.push(el);
    if (out.length >= limit) break;
  }
  // Text: the innermost element carrying it, not each of its ancestors.
  return q.text == null ? out : out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
}

// What a query looks at in one scope. A `text/` query starts from the text
// nodes that carry pieces of its text, not from every element: reading each
// element's textContent costs the size of its subtree (quadratic in depth
// over a document), and a missing target is looked for again on every
// batch of mutations (found by a security review).
function elementsFor(scope, q, limit = Infinity) {
  try {
    if (q.text != null) return textMatches(scope, q.text, limit + 1).filter((el) => el.matches(q.css));
    return scope.querySelectorAll(q.css);
  } catch {
    return []; // the engine validated it; a browser difference must not stop the rest
  }
}

// At most this many text nodes per scope and search: a page bigger than
// that finds its text/ targets among its first TEXT_SCAN_LIMIT texts.
export const TEXT_SCAN_LIMIT = 20_000;

// Elements (document order) whose whitespace-normalised text is `text`:
// from each text node that is a piece of it, up through the ancestors
// until the text would be longer. Each element's textContent is read at
// most once per search.
export function textMatches(scope, text, limit = Infinity) {
  const doc = scope.ownerDocument ?? scope;
  const root = scope.nodeType === Node.DOCUMENT_NODE ? scope.documentElement : scope;
  if (!root) return [];
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const out = [];
  const seen = new Set();
  for (let t = walker.nextNode(), n = 0; t && n < TEXT_SCAN_LIMIT && out.length < limit; t = walker.nextNode(), n++) {
    const piece = norm(t.data);
    if (!piece || !text.includes(piece)) continue;
    for (let el = t.parentElement, up = 0; el && up < 12 && !seen.has(el); el = el.parentElement, up++) {
      seen.add(el);
      const whole = norm(el.textContent);
      if (whole === text) out.push(el);
      if (whole.length >= text.length) break;
    }
  }
  return out;
}

const summary = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + [...el.classList].slice(0, 3).map((c) => `.${c}`).join('');

function facts(el) {
  const ancestors = [];
  for (let p = el.parentElement; p && ancestors.length < 4; p = p.parentElement) ancestors.push(summary(p));
  return {
    tag: el.tagName.toLowerCase(),
    text: norm(el.textContent).slice(0, 200),
    role: el.getAttribute('role'),
    name: accessibleName(el).slice(0, 200),
    visible: true,
    ancestors,
    matched: [],
  };
}

function resolveIn(scope, q) {
  const list = elementsFor(scope, q);
  let best = null;
  for (const el of list) {
    if (!conditions(el, q) || !visible(el)) continue;
    if (!best) best = el;
    else if (best.contains(el)) best = el; // text: prefer the innermost element
    else if (q.text == null) break;
  }
  return best;
}
