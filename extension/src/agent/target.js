// The step's target (engine Command::Watch): find it, report it (rect,
// lost, clicked, typed or committed value, appeared, not found in time),
// bring it into view once. Several candidates go to the engine, which
// scores them (core/src/targeting/pick.rs) and answers `select`. Owns S.watch.
import { candidates, covered, inView, rectOf, resolve, sensitive, valueOf, visible } from './dom.js';
import { ensureObserver, listenOn, maybeStopObserver, onFrameLoad, schedule, check } from './observer.js';
import { send } from './port.js';
import { S, viewport } from './state.js';
import { matcher } from './watchlist.js';


/** A watch, every field declared. */
function newWatch(c) {
  return {
    key: c.watch,
    queries: c.queries ?? [],
    m: matcher(c.list),
    click: c.click,
    input: c.input ?? null, // { change_only, pattern }: the engine's value rule
    matched: false, // the value rule was met (reported once)
    timeoutMs: c.timeout_ms ?? 0,
    appear: c.appear ?? [],
    el: null, // the target found
    rect: null, // its last reported box
    revealed: c.reveal === false, // scrolled into view once (not an offer's)
    timer: null, // "not found in time"
    appeared: false,
    fresh: true, // look now, whatever the batch touched
    hidden: [], // matches that were hidden, looked at again on changes
    pending: null, // candidates sent to the engine, awaiting `select`
    clicked: null, // the last click event reported (one click, several listeners)
    inputSeen: null, // likewise for input/change
  };
}

export function startWatch(c) {
  stopWatch();
  S.watch = newWatch(c);
  ensureObserver();
  addEventListener('scroll', schedule, { capture: true, passive: true });
  addEventListener('resize', schedule, { passive: true });
  addEventListener('load', onFrameLoad, true);
  if (c.click) addEventListener('click', onClick, true);
  if (c.input) {
    addEventListener('input', onInput, true);
    addEventListener('change', onInput, true);
  }
  for (const r of S.roots) listenOn(r);
  check();
  if (!S.watch?.el) armTimer();
}

// One timer per watch, running only while the target is absent: the engine
// decides what "not found in time" means (engine::Event::TargetMissing).
function armTimer() {
  const watch = S.watch;
  if (!watch || watch.timer || !watch.timeoutMs || !watch.queries.length) return;
  const key = watch.key;
  watch.timer = setTimeout(() => {
    if (S.watch?.key !== key) return;
    S.watch.timer = null;
    if (!S.watch.el) send({ type: 'target_missing', watch: key });
  }, watch.timeoutMs);
}

function disarmTimer() {
  if (S.watch?.timer) clearTimeout(S.watch.timer);
  if (S.watch) S.watch.timer = null;
}

export function stopWatch() {
  disarmTimer();
  removeEventListener('scroll', schedule, { capture: true });
  removeEventListener('resize', schedule);
  removeEventListener('load', onFrameLoad, true);
  removeEventListener('click', onClick, true);
  removeEventListener('input', onInput, true);
  removeEventListener('change', onInput, true);
  for (const r of S.listened) {
    r.removeEventListener('click', onClick, true);
    r.removeEventListener('input', onInput, true);
    r.removeEventListener('change', onInput, true);
    r.defaultView?.removeEventListener('scroll', schedule, { capture: true });
  }
  S.listened = [];
  S.watch = null;
  maybeStopObserver();
}

/** After a batch (observer.js check): `hit` says whether it touched
 * anything the target could match. */
export function checkTarget(hit) {
  const watch = S.watch;
  watch.fresh = false;
  if (hit && watch.appear.length && !watch.appeared && resolve(watch.appear)) {
    watch.appeared = true;
    send({ type: 'appeared', watch: watch.key });
  }
  if (watch.el && !(watch.el.isConnected && visible(watch.el))) {
    watch.el = null;
    watch.rect = null;
    send({ type: 'target_lost', watch: watch.key });
    armTimer();
    hit = true;
  }
  if (!watch.el && !watch.pending && hit) {
    watch.hidden = [];
    const found = candidates(watch.queries, watch.hidden);
    // One candidate is what the engine's scoring would pick anyway; more
    // go to the engine (core/src/targeting/pick.rs), which answers `select`.
    if (found.length === 1) watch.el = found[0].el;
    else if (found.length > 1) {
      watch.pending = found.map((f) => f.el);
      send({ type: 'candidates', watch: watch.key, candidates: found.map((f) => f.facts) });
    }
  }
  if (!watch.el) return;
  disarmTimer();
  if (!watch.revealed) {
    // Part of the Watch contract: a found target is brought into view once
    // (its scroll containers too), unless it already is.
    watch.revealed = true;
    if (!inView(watch.el) || covered(watch.el)) {
      const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
      watch.el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
    }
  }
  const rect = rectOf(watch.el);
  const old = watch.rect;
  if (old && old.x === rect.x && old.y === rect.y && old.width === rect.width && old.height === rect.height) return;
  watch.rect = rect;
  send({ type: 'target', watch: watch.key, rect, viewport: viewport() });
}

// Events a page made (click(), dispatchEvent) are not the user's: they
// never advance a step (isTrusted).
export function onClick(e) {
  const watch = S.watch;
  if (!e.isTrusted || !watch?.el || !e.composedPath().includes(watch.el)) return;
  // One click can pass a shadow root's listener and this window's.
  if (watch.clicked === e) return;
  watch.clicked = e;
  send({ type: 'target_clicked', watch: watch.key });
}

// Typing (`input`) and committed values (`change`) in the target, matched
// here against the step's value rule: the value never leaves the page, only
// "it matches" does, once. Password, card and one-time-code fields are
// matched only by the "anything typed" rule (no pattern).
export const MAX_VALUE = 1000;

export function onInput(e) {
  const watch = S.watch;
  const rule = watch?.input;
  if (!e.isTrusted || !rule || watch.matched || !watch.el || !e.composedPath().includes(watch.el) || watch.inputSeen === e) return;
  watch.inputSeen = e;
  if (rule.change_only && e.type !== 'change') return;
  const value = valueOf(e.target).trim();
  const ok = rule.pattern == null ? value !== '' : !sensitive(e.target) && value.length <= MAX_VALUE && globMatch(rule.pattern, value);
  if (!ok) return;
  watch.matched = true;
  send({ type: 'target_input', watch: watch.key });
}

/** `*` matches any run of characters; everything else is literal (the
 * same rule as core's urlmatch::glob_matches, tested against it). Linear:
 * fixed pieces are found leftmost, in order. */
export function globMatch(pattern, text) {
  const parts = pattern.split('*');
  if (parts.length === 1) return text === pattern;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!text.startsWith(first) || text.length < first.length + last.length) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const piece of parts.slice(1, -1)) {
    const i = text.indexOf(piece, at);
    if (i < 0 || i + piece.length > end) return false;
    at = i + piece.length;
  }
  return text.endsWith(last);
}
