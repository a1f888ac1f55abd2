// Watching: one observer, batched per frame. Owns S.observer, S.scheduled,
// S.roots, S.rootSet, S.listened and S.dirty.
//
//   MutationObserver ─records─▶ dirty sets (added subtrees, changed elements,
//     (document, shadow roots,      parents of changed text)
//      same-origin frames)               │ requestAnimationFrame
//                                        ▼
//   check(): each changed element ─buckets─▶ the few watch-list entries it
//            could match (core/src/targeting/watchlist.rs) ─matches()─▶ sentinels
//            present/absent; the step's target looked up only on a hit
//
// The observer exists only while something is watched (a step's target or
// the page's triggers), so an idle page pays nothing. Roots (shadow roots,
// frame documents) it also watches get their own click/input listeners
// during a step: a listener on this window sees neither events inside a
// frame nor, for a closed shadow root, the element inside it.
import { frameDoc, shadowOf, visible } from './dom.js';
import { checkSentinels } from './sentinels.js';
import { S } from './state.js';
import { checkTarget, onClick, onInput } from './target.js';
import { lookup } from './watchlist.js';

export function ensureObserver() {
  if (S.observer) return;
  S.observer = new MutationObserver(onMutations);
  S.observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
}

export function maybeStopObserver() {
  if (S.watch || S.sentinels || !S.observer) return;
  S.observer.disconnect();
  S.observer = null;
  S.roots = [];
  S.rootSet = new WeakSet();
  S.dirty.added.clear();
  S.dirty.changed.clear();
  S.dirty.attrs.clear();
}

function onMutations(records) {
  const { dirty, watch, host } = S;
  let quick = false;
  const waiting = watch?.m && !watch.el && !watch.pending;
  for (const r of records) {
    if (r.type === 'childList') {
      for (const n of r.addedNodes) {
        if (n.nodeType === 1) {
          if (n === host) continue;
          dirty.added.add(n);
          if (waiting && !quick) quick = arrived(n);
        } else if (r.target.nodeType === 1) dirty.changed.add(r.target); // its text changed
      }
      if (r.removedNodes.length) dirty.removed = true;
    } else if (r.type === 'attributes') {
      if (r.target !== host) dirty.attrs.add(r.target);
    } else {
      const p = r.target.parentElement;
      if (p) dirty.changed.add(p);
    }
  }
  // The awaited target just arrived: look now, not at the next frame, so
  // the service worker's answer can be drawn in the frame that follows the
  // insertion. Everything else waits for the frame.
  if (quick) check();
  else schedule();
}

// Is (or holds) `n` a match for the step's target? A light-DOM test with
// the step's few selectors; deep queries wait for the frame's full look.
function arrived(n) {
  for (const q of S.watch.queries) {
    if (q.deep || q.path?.length) continue;
    try {
      if (n.matches(q.css) || n.querySelector(q.css)) return true;
    } catch {
      // a selector this browser rejects: the full look reports nothing either
    }
  }
  return false;
}

export function observeRoot(r) {
  if (!S.observer || S.rootSet.has(r)) return;
  S.rootSet.add(r);
  S.roots.push(r);
  S.observer.observe(r, { childList: true, subtree: true, attributes: true, characterData: true });
  listenOn(r);
}

export function listenOn(r) {
  const watch = S.watch;
  if (!watch || S.listened.includes(r)) return;
  S.listened.push(r);
  if (watch.click) r.addEventListener('click', onClick, true);
  if (watch.input) {
    r.addEventListener('input', onInput, true);
    r.addEventListener('change', onInput, true);
  }
  const win = r.defaultView;
  if (win && win !== window) win.addEventListener('scroll', schedule, { capture: true, passive: true });
}

// A same-origin frame finished loading: its document is new.
export function onFrameLoad(e) {
  const t = e.target;
  if (t?.tagName !== 'IFRAME' && t?.tagName !== 'FRAME') return;
  if (S.watch) S.watch.fresh = true;
  if (S.sentinels?.m.deep) S.dirty.added.add(t);
  schedule();
}

// The elements a batch changed: added subtrees (and shadow roots in them,
// when a deep query wants them), changed elements, parents of changed text.
// More than LIMIT: the caller looks everything up afresh instead.
const LIMIT = 50_000;
function changedElements(deep) {
  const { dirty, host } = S;
  const out = new Set();
  let overflow = false;
  const tree = (n) => {
    if (overflow || n === host) return;
    out.add(n);
    const all = n.querySelectorAll('*');
    if (out.size + all.length > LIMIT) {
      overflow = true;
      return;
    }
    for (const d of all) out.add(d);
    if (!deep) return;
    for (const d of [n, ...all]) {
      const sr = shadowOf(d);
      if (sr) {
        observeRoot(sr);
        for (const c of sr.children) tree(c);
      }
      if (d.tagName === 'IFRAME' || d.tagName === 'FRAME') {
        const doc = frameDoc(d);
        if (doc) {
          observeRoot(doc);
          tree(doc.documentElement);
        }
      }
    }
  };
  for (const n of dirty.added) if (n.isConnected) tree(n);
  for (const n of dirty.changed) {
    out.add(n);
    // Text decides `text/` and `contains`: the parent's ancestors too.
    for (let p = n.parentElement, i = 0; p && i < 3; p = p.parentElement, i++) out.add(p);
  }
  for (const n of dirty.attrs) out.add(n);
  return { els: out, overflow };
}

export function schedule() {
  if (S.scheduled) return;
  S.scheduled = true;
  requestAnimationFrame(() => {
    S.scheduled = false;
    check();
  });
}

// One batch: the page's triggers first, then whether the batch touched
// anything the step's target could match (target.js decides what to send).
export function check() {
  const { dirty, watch, sentinels } = S;
  let changed = null;
  let overflow = false;
  if (dirty.added.size || dirty.changed.size || dirty.attrs.size) {
    ({ els: changed, overflow } = changedElements(Boolean(watch?.m?.deep || sentinels?.m.deep)));
  }
  if (sentinels && (changed || dirty.removed)) checkSentinels(changed ?? [], overflow);
  // Did the batch touch anything the step could match?
  let hit = Boolean(watch?.fresh) || overflow;
  if (watch?.m && changed && !hit) {
    for (const el of changed) {
      if (lookup(watch.m, el).length) {
        hit = true;
        break;
      }
    }
    if (!hit && watch.m.complex.length) {
      for (const a of dirty.attrs) if (a.firstElementChild) hit = true;
    }
  }
  // A match that was hidden may have been shown by an ancestor's change.
  if (watch && !hit && watch.hidden.length && (changed || dirty.removed)) {
    hit = watch.hidden.some((el) => el.isConnected && visible(el));
  }
  dirty.added.clear();
  dirty.changed.clear();
  dirty.attrs.clear();
  dirty.removed = false;
  if (watch) checkTarget(hit);
}
