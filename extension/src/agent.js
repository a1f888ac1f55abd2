/* Waymark agent: the content script. It executes what the engine asks and
 * decides nothing: which walkthrough, which step, where the card goes and
 * what is remembered are all the Rust engine's calls (core/src/engine.rs).
 *
 *   host page DOM ──facts (target rect, clicks, URL)──▶ agent ──port "agent"──▶ service worker (engine)
 *                 ◀──draws────────────────────────────  agent ◀──commands─────── launcher / watch /
 *                                                                                unwatch / spotlight / frame / focus
 *
 * It adds exactly one element to the page: <waymark-host>, whose closed shadow
 * root holds the launcher button, the spotlight and the overlay <iframe> (an
 * extension page, where the Rust views run). No global CSS, no page globals
 * (content scripts run in an isolated world), no HTML parsing, no console noise,
 * no focus taken. Everything here degrades silently if the extension goes
 * away (reload or update): the host page must never break.
 */
(() => {
  'use strict';
  if (window.top !== window) return; // the walking skeleton guides the top frame only

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
  let watch = null; // { key, queries, click, el, rect, revealed, timeoutMs, timer, appear, appeared }
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
      startWatch(c);
    },
    unwatch() {
      stopWatch();
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
    frame(c) {
      ensureHost();
      if (c.rect && !frame) {
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

  function ensureHost() {
    if (host) {
      // The page may have removed or replaced our element: put it back.
      if (!host.isConnected) document.documentElement.append(host);
      return;
    }
    host = document.createElement(HOST_TAG);
    const hs = host.style;
    for (const [k, v] of [['position', 'fixed'], ['top', '0'], ['left', '0'], ['width', '0'], ['height', '0'],
      ['z-index', '2147483647'], ['display', 'block'], ['pointer-events', 'none']]) {
      hs.setProperty(k, v, 'important');
    }
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
    stopWatch();
    host?.remove();
    host = null;
  }

  // ---- watching a target -----------------------------------------------------

  function startWatch(c) {
    stopWatch();
    watch = {
      key: c.watch, queries: c.queries ?? [], click: c.click, el: null, rect: null, revealed: false,
      timeoutMs: c.timeout_ms ?? 0, timer: null, appear: c.appear ?? [], appeared: false,
    };
    // One observer, batched per animation frame; it exists only while a
    // target is watched, so an idle page pays nothing.
    observer = new MutationObserver(schedule);
    observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    addEventListener('scroll', schedule, { capture: true, passive: true });
    addEventListener('resize', schedule, { passive: true });
    if (c.click) addEventListener('click', onClick, true);
    if (c.input) {
      addEventListener('input', onInput, true);
      addEventListener('change', onInput, true);
    }
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
    observer?.disconnect();
    observer = null;
    removeEventListener('scroll', schedule, { capture: true });
    removeEventListener('resize', schedule);
    removeEventListener('click', onClick, true);
    removeEventListener('input', onInput, true);
    removeEventListener('change', onInput, true);
    watch = null;
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
    if (!watch) return;
    if (watch.appear.length && !watch.appeared && resolve(watch.appear)) {
      watch.appeared = true;
      send({ type: 'appeared', watch: watch.key });
    }
    if (watch.el && !(watch.el.isConnected && visible(watch.el))) {
      watch.el = null;
      watch.rect = null;
      send({ type: 'target_lost', watch: watch.key });
      armTimer();
    }
    if (!watch.el) watch.el = resolve(watch.queries);
    if (!watch.el) return;
    disarmTimer();
    if (!watch.revealed) {
      // Part of the Watch contract: a found target is brought into view once.
      watch.revealed = true;
      const r = watch.el.getBoundingClientRect();
      if (r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) {
        const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
        watch.el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
      }
    }
    const r = watch.el.getBoundingClientRect();
    const rect = { x: r.x, y: r.y, width: r.width, height: r.height };
    const old = watch.rect;
    if (old && old.x === rect.x && old.y === rect.y && old.width === rect.width && old.height === rect.height) return;
    watch.rect = rect;
    send({ type: 'target', watch: watch.key, rect, viewport: viewport() });
  }

  function onClick(e) {
    if (watch?.el && e.composedPath().includes(watch.el)) send({ type: 'target_clicked', watch: watch.key });
  }

  // Typing (`input`) and committed values (`change`) in the target: the
  // engine matches the value against the step's pattern.
  function onInput(e) {
    if (!watch?.el || !e.composedPath().includes(watch.el)) return;
    send({ type: 'target_input', watch: watch.key, value: valueOf(e.target), committed: e.type === 'change' });
  }

  function valueOf(el) {
    if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return el.checked ? (el.value || 'on') : '';
    if ('value' in el && typeof el.value === 'string') return el.value;
    return norm(el.textContent);
  }

  // ---- executing queries (see engine::Query) ---------------------------------

  const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

  function visible(el) {
    if (host && (el === host || host.contains(el))) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    return getComputedStyle(el).visibility !== 'hidden';
  }

  function accessibleName(el) {
    const aria = el.getAttribute('aria-label');
    if (aria) return norm(aria);
    const by = el.getAttribute('aria-labelledby');
    if (by) return norm(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    if (el.labels?.length) return norm([...el.labels].map((l) => l.textContent).join(' '));
    if (el instanceof HTMLInputElement && /^(button|submit|reset)$/.test(el.type)) return norm(el.value);
    return norm(el.textContent) || norm(el.getAttribute('title') || el.getAttribute('placeholder') || el.getAttribute('alt'));
  }

  function resolve(queries) {
    for (const q of queries) {
      let list;
      try {
        list = document.querySelectorAll(q.css);
      } catch {
        continue; // the engine validated it; a browser difference must not stop the rest
      }
      let best = null;
      for (const el of list) {
        if (q.name != null && accessibleName(el) !== q.name) continue;
        if (q.text != null && norm(el.textContent) !== q.text) continue;
        if (!visible(el)) continue;
        if (!best) best = el;
        else if (best.contains(el)) best = el; // text: prefer the innermost element
        else if (q.text == null) break;
      }
      if (best) return best;
    }
    return null;
  }

  // ---- page facts -----------------------------------------------------------

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
