/* Waymark agent: the content script. It executes what the engine asks and
 * decides nothing: which walkthrough, which step, where the card goes and
 * what is remembered are all the Rust engine's calls (core/src/engine.rs).
 *
 *   host page DOM ──facts──────────────────────────────▶ agent ──port "agent"──▶ service worker (engine)
 *    (target rect, lost, clicked, input/change value,         target / target_lost / target_clicked /
 *     appeared, not found in time, trigger on screen,         target_input / appeared / target_missing /
 *     URL, gave up)                                           present / url_changed / gave_up
 *                 ◀──draws────────────────────────────  agent ◀──commands─────── launcher / watch / unwatch /
 *                                                                                sentinels / select / spotlight /
 *                                                                                frame / focus
 *
 * It adds exactly one element to the page: <waymark-host>, whose closed shadow
 * root holds the launcher button, the spotlight and the overlay <iframe> (an
 * extension page, where the Rust views run). No global CSS, no page globals
 * (content scripts run in an isolated world), no HTML parsing, no console noise,
 * no focus taken. Everything here degrades silently if the extension goes
 * away (reload or update): the host page must never break.
 *
 * The host is a `popover="manual"` shown with showPopover(), so it sits in
 * the top layer above any z-index. A modal <dialog> the page opens later
 * covers the top layer and makes the rest of the page inert; the host then
 * moves into that dialog and is shown again (../shared/PLATFORM.md,
 * "Stacking"), and moves back when the dialog closes.
 */
(() => {
  'use strict';
  // The top frame's agent also reaches into same-origin frames (deep queries).
  if (window.top !== window) return;
  // Once per page: the worker also injects into tabs that were open before
  // the agent was registered for their origin. (This global lives in the
  // content scripts' isolated world; the page cannot see or set it.)
  if (globalThis.__waymarkAgent) return;
  globalThis.__waymarkAgent = true;

  const HOST_TAG = 'waymark-host';
  const CSS = `
    :host { all: initial; }
    .launcher {
      position: fixed; box-sizing: border-box; border-radius: 50%; border: 0; cursor: pointer;
      background: #1d4ed8; color: #fff; font: 600 20px/1 system-ui, sans-serif;
      box-shadow: 0 4px 14px rgba(15, 23, 42, .35); pointer-events: auto;
    }
    .launcher:hover { background: #1e40af; }
    .launcher:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
    .spot {
      position: fixed; left: 0; top: 0; border-radius: 6px; pointer-events: none;
      box-shadow: 0 0 0 3px #2563eb, 0 0 0 100vmax rgba(15, 23, 42, .40);
      transition: transform .12s ease-out, width .12s, height .12s;
    }
    .frame {
      position: fixed; left: 0; top: 0; border: 0; background: transparent;
      color-scheme: light; pointer-events: auto;
    }
    [hidden], .frame.off { visibility: hidden !important; pointer-events: none !important; }
    @media (prefers-reduced-motion: reduce) { .spot { transition: none; } }
  `;

  let host = null;
  let root = null;
  let launcher = null;
  let spot = null;
  let frame = null;
  let frameShown = false;
  let frameLoaded = false;
  let focusOnLoad = false;
  let returnFocus = null;
  let port = null;
  let dead = false;
  let watch = null; // the step's target: { key, queries, m, click, el, rect, revealed, timer, appear, hidden, ... }
  let observer = null;
  let scheduled = false;

  const viewport = () => ({ width: innerWidth, height: innerHeight });

  // ---- messaging -------------------------------------------------------------

  function connect() {
    if (dead) return false;
    try {
      port = chrome.runtime.connect({ name: 'agent' });
    } catch {
      teardown(); // "Extension context invalidated": the extension was reloaded
      return false;
    }
    port.onMessage.addListener(execute);
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError; // read, so Chrome does not log it
      port = null;
      // The service worker stopped while guidance is on screen: re-attach
      // now so the engine restores it. Otherwise wait for the next event.
      if (watch || frameShown) send(null);
    });
    port.postMessage({ type: 'attached', url: location.href, viewport: viewport(), locale: navigator.language ?? '' });
    return true;
  }

  function send(msg) {
    if (!port && !connect()) return;
    if (msg) {
      try {
        port.postMessage(msg);
      } catch {
        port = null;
      }
    }
  }

  function execute(cmd) {
    const run = commands[cmd?.type];
    if (run) run(cmd);
  }

  const commands = {
    launcher(c) {
      ensureHost();
      launcher.hidden = !c.visible;
      const s = launcher.style;
      s.width = s.height = `${c.size}px`;
      s.right = s.bottom = `${c.margin}px`;
    },
    watch(c) {
      ensureFrame();
      startWatch(c);
    },
    unwatch() {
      stopWatch();
    },
    sentinels(c) {
      setSentinels(c.list);
    },
    select(c) {
      // The engine's choice among the candidates we reported.
      if (watch?.key !== c.watch || !watch.pending) return;
      const el = watch.pending[c.index];
      watch.pending = null;
      if (el?.isConnected) watch.el = el;
      schedule();
    },
    spotlight(c) {
      ensureHost();
      place(spot, c.rect);
    },
    focus() {
      // The user opened help (click or shortcut): their focus goes with it.
      // Focusing the element alone leaves a still-loading frame's document
      // unfocused, so focus its window, now if loaded, else once it loads.
      if (!frame) return;
      if (document.activeElement !== host) returnFocus = document.activeElement;
      if (frameLoaded) frame.contentWindow?.focus();
      else focusOnLoad = true;
    },
    // Policy or bundle changed in the worker: forget everything drawn and
    // attach afresh, so the new engine decides (maybe: nothing here).
    reset() {
      sentinels = null;
      stopWatch();
      dialogObserver?.disconnect();
      rootObserver?.disconnect();
      dialogObserver = rootObserver = null;
      document.removeEventListener('close', raise, true);
      host?.remove();
      host = root = launcher = spot = frame = null;
      frameShown = frameLoaded = focusOnLoad = false;
      send({ type: 'attached', url: location.href, viewport: viewport(), locale: navigator.language ?? '' });
    },
    // Policy `user.from_page`: what the page shows about its signed-in user.
    read_user(c) {
      readUser(c.fields, 0);
    },
    frame(c) {
      ensureHost();
      if (c.rect) ensureFrame();
      frameShown = Boolean(c.rect);
      if (frame) {
        if (c.rect) place(frame, c.rect, true);
        frame.classList.toggle('off', !frameShown);
        // Hiding the frame while it has focus: give focus back to where the
        // user was, so the page's keyboard use carries on.
        if (!frameShown && root.activeElement === frame) {
          frame.blur();
          if (returnFocus?.isConnected && returnFocus !== document.body) returnFocus.focus({ preventScroll: true });
          returnFocus = null;
        }
      }
    },
  };

  // ---- drawing ---------------------------------------------------------------

  // The overlay frame, created hidden. A walkthrough's watch creates it ahead
  // of its first card, so that card does not wait for the frame's document
  // and wasm to load.
  function ensureFrame() {
    if (frame) return;
    ensureHost();
    frame = document.createElement('iframe');
    frame.className = 'frame off';
    frame.title = 'Waymark guidance';
    frame.src = chrome.runtime.getURL('overlay.html');
    frame.addEventListener('load', () => {
      frameLoaded = true;
      if (focusOnLoad) frame.contentWindow?.focus();
      focusOnLoad = false;
    });
    root.append(frame);
  }

  function ensureHost() {
    if (host) {
      // The page may have removed or replaced our element: put it back.
      if (!host.isConnected) {
        document.documentElement.append(host);
        raise();
      }
      return;
    }
    host = document.createElement(HOST_TAG);
    const hs = host.style;
    // The UA styles a popover as a centred, bordered box: undo all of it.
    for (const [k, v] of [['position', 'fixed'], ['inset', '0 auto auto 0'], ['width', '0'], ['height', '0'],
      ['margin', '0'], ['padding', '0'], ['border', '0'], ['background', 'transparent'], ['overflow', 'visible'],
      ['z-index', '2147483647'], ['display', 'block'], ['pointer-events', 'none']]) {
      hs.setProperty(k, v, 'important');
    }
    if ('popover' in host) host.popover = 'manual';
    root = host.attachShadow({ mode: 'closed' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];

    launcher = document.createElement('button');
    launcher.className = 'launcher';
    launcher.type = 'button';
    launcher.hidden = true;
    launcher.textContent = '?';
    launcher.setAttribute('aria-label', 'Waymark help');
    launcher.title = 'Waymark help';
    launcher.addEventListener('click', () => send({ type: 'launcher_clicked' }));

    spot = document.createElement('div');
    spot.className = 'spot';
    spot.hidden = true;
    root.append(spot, launcher);
    document.documentElement.append(host);
    raise();
    watchDialogs();
  }

  // ---- stacking: the top layer, and modal dialogs ----------------------------

  function raise() {
    if (!host) return;
    const modals = [...document.querySelectorAll('dialog[open]')].filter((d) => d.matches(':modal'));
    const parent = modals.at(-1) ?? document.documentElement;
    if (host.parentNode !== parent) {
      // moveBefore keeps the overlay frame's document alive across the move
      // (https://developer.mozilla.org/docs/Web/API/Element/moveBefore).
      try {
        if (parent.moveBefore && host.isConnected) parent.moveBefore(host, null);
        else parent.append(host);
      } catch {
        parent.append(host);
      }
    }
    try {
      if (host.matches(':popover-open')) host.hidePopover();
      host.showPopover?.();
    } catch {
      // Not connected or not a popover (older browser): z-index still applies.
    }
  }

  let dialogObserver = null;
  let rootObserver = null;
  let removals = [];
  function watchDialogs() {
    if (dialogObserver) return;
    // Only `open` attributes: quiet unless a dialog opens or closes.
    dialogObserver = new MutationObserver(raise);
    dialogObserver.observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ['open'] });
    document.addEventListener('close', raise, true);
    // Only <html>'s own children: a page that removes our element gets it
    // back; one that keeps removing it wins, and guidance stops with a reason.
    rootObserver = new MutationObserver(() => {
      if (!host || host.isConnected) return;
      const now = Date.now();
      removals = removals.filter((t) => now - t < 10_000);
      removals.push(now);
      if (removals.length > 20) {
        send({ type: 'gave_up', reason: 'the page keeps removing the guidance overlay' });
        teardown();
        return;
      }
      document.documentElement.append(host);
      raise();
    });
    rootObserver.observe(document.documentElement, { childList: true });
  }

  function place(el, rect, keepVisible) {
    if (!rect) {
      el.hidden = true;
      return;
    }
    const s = el.style;
    s.transform = `translate(${rect.x}px, ${rect.y}px)`;
    s.width = `${rect.width}px`;
    s.height = `${rect.height}px`;
    if (!keepVisible || el.hidden) el.hidden = false;
  }

  function teardown() {
    dead = true;
    dialogObserver?.disconnect();
    rootObserver?.disconnect();
    document.removeEventListener('close', raise, true);
    sentinels = null;
    stopWatch();
    host?.remove();
    host = null;
  }

  // ---- watching: one observer, batched per frame ----------------------------
  //
  //   MutationObserver ─records─▶ dirty sets (added subtrees, changed elements,
  //     (document, shadow roots,      parents of changed text)
  //      same-origin frames)               │ requestAnimationFrame
  //                                        ▼
  //   check(): each changed element ─buckets─▶ the few watch-list entries it
  //            could match (core/src/watchlist.rs) ─matches()─▶ sentinels
  //            present/absent; the step's target looked up only on a hit
  //
  // The observer exists only while something is watched (a step's target or
  // the page's triggers), so an idle page pays nothing.

  // Roots (shadow roots, frame documents) the observer also watches. During
  // a step they get their own click/input listeners: a listener on this
  // window sees neither events inside a frame nor, for a closed shadow root,
  // the element inside it (the event is retargeted to the host).
  let roots = [];
  let rootSet = new WeakSet();
  let listened = [];
  let sentinels = null; // { m, present: Map<key, {el, idx}>, hidden: [{el, idx}] }
  const dirty = { added: new Set(), changed: new Set(), attrs: new Set(), removed: false };

  function ensureObserver() {
    if (observer) return;
    observer = new MutationObserver(onMutations);
    observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  }

  function maybeStopObserver() {
    if (watch || sentinels || !observer) return;
    observer.disconnect();
    observer = null;
    roots = [];
    rootSet = new WeakSet();
    dirty.added.clear();
    dirty.changed.clear();
    dirty.attrs.clear();
  }

  function onMutations(records) {
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
    for (const q of watch.queries) {
      if (q.deep || q.path?.length) continue;
      try {
        if (n.matches(q.css) || n.querySelector(q.css)) return true;
      } catch {
        // a selector this browser rejects: the full look reports nothing either
      }
    }
    return false;
  }

  function observeRoot(r) {
    if (!observer || rootSet.has(r)) return;
    rootSet.add(r);
    roots.push(r);
    observer.observe(r, { childList: true, subtree: true, attributes: true, characterData: true });
    listenOn(r);
  }

  function listenOn(r) {
    if (!watch || listened.includes(r)) return;
    listened.push(r);
    if (watch.click) r.addEventListener('click', onClick, true);
    if (watch.input) {
      r.addEventListener('input', onInput, true);
      r.addEventListener('change', onInput, true);
    }
    const win = r.defaultView;
    if (win && win !== window) win.addEventListener('scroll', schedule, { capture: true, passive: true });
  }

  // A same-origin frame finished loading: its document is new.
  function onFrameLoad(e) {
    const t = e.target;
    if (t?.tagName !== 'IFRAME' && t?.tagName !== 'FRAME') return;
    if (watch) watch.fresh = true;
    if (sentinels?.m.deep) dirty.added.add(t);
    schedule();
  }

  // ---- the watch list (engine Command::Watch `list`, Command::Sentinels) -----

  const own = (o, k) => (o && Object.hasOwn(o, k) ? o[k] : undefined);

  function matcher(list) {
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
  function lookup(m, el) {
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
  function satisfies(el, q) {
    try {
      if (!el.matches(q.css)) return false;
    } catch {
      return false; // the engine validated it; a browser difference must not stop the rest
    }
    return conditions(el, q);
  }

  function conditions(el, q) {
    if (q.name != null && accessibleName(el) !== q.name) return false;
    if (q.text != null && norm(el.textContent) !== q.text) return false;
    if (q.contains != null && !norm(el.textContent).toLowerCase().includes(q.contains)) return false;
    return true;
  }

  // The elements a batch changed: added subtrees (and shadow roots in them,
  // when a deep query wants them), changed elements, parents of changed text.
  // More than LIMIT: the caller looks everything up afresh instead.
  const LIMIT = 50_000;
  function changedElements(deep) {
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

  // ---- sentinels: the page's triggers ---------------------------------------

  function setSentinels(list) {
    const before = sentinels?.present ?? new Map();
    const m = matcher(list);
    sentinels = m ? { m, present: new Map(), hidden: [] } : null;
    if (!sentinels) {
      maybeStopObserver();
      return;
    }
    ensureObserver();
    if (m.deep) for (const scope of scopes(true)) scanSentinels(scope.querySelectorAll('*'));
    else scanSentinels(document.querySelectorAll('*'));
    const keys = new Set(list.entries.map((e) => e.key));
    for (const key of sentinels.present.keys()) if (!before.has(key)) send({ type: 'present', key, present: true });
    for (const key of before.keys()) {
      if (keys.has(key) && !sentinels.present.has(key)) send({ type: 'present', key, present: false });
    }
  }

  function scanSentinels(els, report) {
    const { m, present, hidden } = sentinels;
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

  function checkSentinels(changed, overflow) {
    const { m, present } = sentinels;
    if (overflow) {
      scanSentinels(document.querySelectorAll('*'), true);
    } else {
      scanSentinels(changed, true);
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
            scanSentinels(found, true);
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

  // ---- the step's target -----------------------------------------------------

  function startWatch(c) {
    stopWatch();
    watch = {
      key: c.watch, queries: c.queries ?? [], click: c.click, el: null, rect: null, revealed: false,
      timeoutMs: c.timeout_ms ?? 0, timer: null, appear: c.appear ?? [], appeared: false, input: c.input,
      m: matcher(c.list), fresh: true, hidden: [],
    };
    ensureObserver();
    addEventListener('scroll', schedule, { capture: true, passive: true });
    addEventListener('resize', schedule, { passive: true });
    addEventListener('load', onFrameLoad, true);
    if (c.click) addEventListener('click', onClick, true);
    if (c.input) {
      addEventListener('input', onInput, true);
      addEventListener('change', onInput, true);
    }
    for (const r of roots) listenOn(r);
    check();
    if (!watch?.el) armTimer();
  }

  // One timer per watch, running only while the target is absent: the engine
  // decides what "not found in time" means (engine::Event::TargetMissing).
  function armTimer() {
    if (!watch || watch.timer || !watch.timeoutMs || !watch.queries.length) return;
    const key = watch.key;
    watch.timer = setTimeout(() => {
      if (watch?.key !== key) return;
      watch.timer = null;
      if (!watch.el) send({ type: 'target_missing', watch: key });
    }, watch.timeoutMs);
  }

  function disarmTimer() {
    if (watch?.timer) clearTimeout(watch.timer);
    if (watch) watch.timer = null;
  }

  function stopWatch() {
    disarmTimer();
    removeEventListener('scroll', schedule, { capture: true });
    removeEventListener('resize', schedule);
    removeEventListener('load', onFrameLoad, true);
    removeEventListener('click', onClick, true);
    removeEventListener('input', onInput, true);
    removeEventListener('change', onInput, true);
    for (const r of listened) {
      r.removeEventListener('click', onClick, true);
      r.removeEventListener('input', onInput, true);
      r.removeEventListener('change', onInput, true);
      r.defaultView?.removeEventListener('scroll', schedule, { capture: true });
    }
    listened = [];
    watch = null;
    maybeStopObserver();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      check();
    });
  }

  function check() {
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
    if (!watch) return;
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
      // go to the engine (core/src/targeting.rs), which answers `select`.
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

  function onClick(e) {
    if (!watch?.el || !e.composedPath().includes(watch.el)) return;
    // One click can pass a shadow root's listener and this window's.
    if (watch.clicked === e) return;
    watch.clicked = e;
    send({ type: 'target_clicked', watch: watch.key });
  }

  // Typing (`input`) and committed values (`change`) in the target: the
  // engine matches the value against the step's pattern.
  function onInput(e) {
    if (!watch?.el || !e.composedPath().includes(watch.el) || watch.inputSeen === e) return;
    watch.inputSeen = e;
    send({ type: 'target_input', watch: watch.key, value: valueOf(e.target), committed: e.type === 'change' });
  }

  function valueOf(el) {
    // Tag names, not instanceof: elements of a frame come from another realm.
    if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) return el.checked ? (el.value || 'on') : '';
    if ('value' in el && typeof el.value === 'string') return el.value;
    return norm(el.textContent);
  }

  // ---- executing queries (see engine::Query) ---------------------------------

  const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

  // The element's box in this window's viewport, through same-origin frames.
  function rectOf(el) {
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
  function inView(el) {
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
  function covered(el) {
    if (el.getRootNode() !== document) return false;
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + Math.min(r.height / 2, 8));
    if (!hit || hit === host) return false;
    return !(hit === el || el.contains(hit) || hit.contains(el));
  }

  function visible(el) {
    if (host && (el === host || host.contains(el))) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    const view = el.ownerDocument.defaultView ?? window;
    return view.getComputedStyle(el).visibility !== 'hidden';
  }

  function accessibleName(el) {
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

  // A shadow root the page closed is still reachable by the extension
  // (https://developer.chrome.com/docs/extensions/reference/api/dom).
  const shadowOf = (el) => {
    try {
      return chrome.dom?.openOrClosedShadowRoot?.(el) ?? el.shadowRoot;
    } catch {
      return el.shadowRoot;
    }
  };

  // The document, then (for deep queries) every shadow root and same-origin
  // frame document under it, breadth first. Each is observed, so a target
  // that renders there later is noticed.
  function* scopes(deep) {
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

  function frameDoc(el) {
    try {
      const doc = el.contentDocument; // null for cross-origin frames
      return doc?.documentElement ? doc : null;
    } catch {
      return null;
    }
  }

  // Where a query looks: an explicit path (engine::Query::path) names one
  // scope, hop by hop: a frame's document, else an element's shadow root.
  function* scopesFor(q) {
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

  function resolve(queries) {
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
  function candidates(queries, hidden) {
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

  function matchesIn(scope, q, hidden) {
    let list;
    try {
      list = scope.querySelectorAll(q.css);
    } catch {
      return [];
    }
    const out = [];
    for (const el of list) {
      if (!conditions(el, q)) continue;
      if (!visible(el)) {
        if (hidden && hidden.length < 20) hidden.push(el);
        continue;
      }
      out.push(el);
      if (out.length >= 20) break;
    }
    // Text: the innermost element carrying it, not each of its ancestors.
    return q.text == null ? out : out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
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
    let list;
    try {
      list = scope.querySelectorAll(q.css);
    } catch {
      return null; // the engine validated it; a browser difference must not stop the rest
    }
    let best = null;
    for (const el of list) {
      if (!conditions(el, q) || !visible(el)) continue;
      if (!best) best = el;
      else if (best.contains(el)) best = el; // text: prefer the innermost element
      else if (q.text == null) break;
    }
    return best;
  }

  // ---- page facts -----------------------------------------------------------

  // Each field is { selector, attribute } (the attribute's value, or the
  // element's text without one). Single-page apps render their header late:
  // look again on the next frames, for up to 5 s, until every field is found.
  function readUser(fields, tries) {
    const read = (f) => {
      if (!f) return null;
      let el = null;
      try {
        el = document.querySelector(f.selector);
      } catch {
        return null;
      }
      if (!el) return undefined;
      const v = f.attribute ? el.getAttribute(f.attribute) : el.textContent;
      return v == null ? undefined : norm(v).slice(0, 200);
    };
    const user = {};
    let missing = false;
    for (const k of ['id', 'roles', 'region', 'locale']) {
      const v = read(fields?.[k]);
      if (v === undefined) missing = true;
      user[k] = v ?? null;
    }
    if (missing && tries < 300 && !dead) {
      requestAnimationFrame(() => readUser(fields, tries + 1));
      return;
    }
    send({ type: 'user', user });
  }

  const urlChanged = () => {
    if (port || watch || frameShown) send({ type: 'url_changed', url: location.href });
  };
  // The Navigation API reports the page's own pushState/replaceState without
  // patching history (https://developer.chrome.com/docs/web-platform/navigation-api).
  if (window.navigation) navigation.addEventListener('currententrychange', urlChanged);
  else {
    addEventListener('popstate', urlChanged);
    addEventListener('hashchange', urlChanged);
  }
  addEventListener('resize', () => {
    if (frameShown && !watch) send({ type: 'resized', viewport: viewport() });
  }, { passive: true });
  // The help shortcut, for when the browser does not route it to the
  // extension's `commands` (it matches manifest.json's suggested key).
  addEventListener('keydown', (e) => {
    if (e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyH') {
      e.preventDefault();
      send({ type: 'open_help' });
    }
  }, true);

  connect();
})();
