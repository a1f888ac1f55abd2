// Record mode (docs/architecture.md, "Recording"): injected by the worker
// into a tab only while its author records, so no guided page carries it.
// It reports what the author points at and picks, and counts targets; the
// engine decides everything else (core::targeting::suggest, core::recorder).
//
//   worker ──{type: recording, on, roles}──▶ recorder: listen, or stop
//   recorder ──{type: hovered, rect}──────────▶ worker (the spotlight follows)
//   recorder ──{type: picked, facts, action, url}▶ worker (a step, suggestions)
//   worker ──{type: count_targets, step, queries}▶ recorder
//   recorder ──{type: counted, step, counts}───▶ worker (the targets kept)
//
// Clicks and values go through to the app (nothing is prevented), so the
// author works through the real flow. Only the user's own events count
// (isTrusted); a typed value never leaves the page: a `change` reports
// which field, not what is in it.
import { accessibleName, matchesIn, norm, rectOf, scopesFor } from '../agent/dom.js';

const TEST_IDS = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy', 'data-automation-id'];
const TYPED = /^(text|email|number|password|search|tel|url|date|datetime-local|month|time|week)$/;

function start() {
  let port = null;
  let roles = [];
  let on = false;
  let hovered = null;
  let frame = 0;

  const send = (msg) => {
    try {
      port?.postMessage(msg);
    } catch {
      stop();
    }
  };

  // Waymark's own host (the agent's popover under <html>): never recorded.
  const ours = (el) => el.parentElement === document.documentElement && el.hasAttribute('popover');

  const node = (el) => {
    const same = el.parentElement ? [...el.parentElement.children].filter((c) => c.tagName === el.tagName) : [el];
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id || null,
      classes: [...el.classList],
      test_ids: TEST_IDS.filter((a) => el.hasAttribute(a)).map((a) => [a, el.getAttribute(a)]),
      attrs: ['name', 'type'].filter((a) => el.hasAttribute(a)).map((a) => [a, el.getAttribute(a)]),
      nth_of_type: Math.max(1, same.indexOf(el) + 1),
      of_type: Math.max(1, same.length),
    };
  };
  const ancestors = (el) => {
    const out = [];
    for (let p = el.parentElement; p && out.length < 8; p = p.parentElement) out.push(node(p));
    return out;
  };
  // Shadow hosts and same-origin frames from the top document down.
  const scopesOf = (el) => {
    const out = [];
    for (let cur = el; ;) {
      const root = cur.getRootNode();
      if (root instanceof ShadowRoot) {
        out.unshift(['shadow', node(root.host), ancestors(root.host)]);
        cur = root.host;
        continue;
      }
      const fe = root.defaultView?.frameElement;
      if (!fe) break;
      out.unshift(['frame', node(fe), ancestors(fe)]);
      cur = fe;
    }
    return out;
  };
  const roleOf = (el) => el.getAttribute('role') || roles.find(([, css]) => {
    try {
      return el.matches(css);
    } catch {
      return false;
    }
  })?.[0] || null;
  const facts = (el) => ({
    node: node(el),
    role: roleOf(el),
    name: accessibleName(el).slice(0, 200),
    labelled: Boolean(el.labels?.length) && !el.hasAttribute('aria-label') && !el.hasAttribute('aria-labelledby'),
    text: norm(el.textContent).slice(0, 200),
    ancestors: ancestors(el),
    scopes: scopesOf(el),
  });

  // nodeType, not instanceof: an element of a frame is another window's.
  const elementOf = (e) => {
    const el = e.composedPath?.()[0] ?? e.target;
    return el?.nodeType === Node.ELEMENT_NODE && !ours(el) ? el : null;
  };

  const onMove = (e) => {
    const el = elementOf(e);
    if (!el || el === hovered) return;
    hovered = el;
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      if (hovered?.isConnected) send({ type: 'hovered', rect: rectOf(hovered) });
    });
  };
  const onClick = (e) => {
    if (!e.isTrusted) return;
    const el = elementOf(e);
    if (!el) return;
    // A text field is a step when its value is committed (onChange).
    if ((el.tagName === 'INPUT' && TYPED.test(el.type)) || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable) return;
    // The element that acts: the button around an icon, the link around a label.
    const act = el.closest('button, a[href], [role=button], [role=link], [role=tab], [role=menuitem], input, label, summary') ?? el;
    send({ type: 'picked', facts: facts(act), action: 'click', url: location.href });
  };
  const onChange = (e) => {
    if (!e.isTrusted) return;
    const el = elementOf(e);
    if (!el || !/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return;
    if (el.tagName === 'INPUT' && !TYPED.test(el.type)) return; // checkboxes: their click
    send({ type: 'picked', facts: facts(el), action: 'change', url: location.href });
  };

  // Uniqueness is all the engine asks: each query stops at its third
  // match, and runs in a task of its own, so a big page keeps its frames
  // (tests/bench/recorder.mjs).
  const count = async (cmd) => {
    const counts = [];
    for (const q of cmd.queries) {
      let n = 0;
      try {
        for (const scope of scopesFor(q)) n += matchesIn(scope, q, null, 3 - n).length;
      } catch {
        n = 0;
      }
      counts.push(n);
      await new Promise((done) => setTimeout(done, 0));
    }
    send({ type: 'counted', step: cmd.step, counts });
  };

  // This window and every same-origin frame's (their events do not reach
  // this window's listeners), including frames that load later.
  // Keyed by document: a frame that navigates keeps its window proxy but
  // gets a new window, without our listeners.
  const windows = new Map();
  const hook = (win) => {
    let doc = null;
    try {
      doc = win?.document; // throws for a cross-origin frame
    } catch {
      return;
    }
    if (!doc || windows.has(doc)) return;
    windows.set(doc, win);
    win.addEventListener('pointermove', onMove, { capture: true, passive: true });
    win.addEventListener('click', onClick, true);
    win.addEventListener('change', onChange, true);
    win.addEventListener('load', onLoad, true);
    for (const f of win.document.querySelectorAll('iframe, frame')) hook(f.contentWindow);
  };
  const onLoad = (e) => {
    if (e.target?.tagName === 'IFRAME' || e.target?.tagName === 'FRAME') hook(e.target.contentWindow);
  };

  function listen() {
    if (on) return;
    on = true;
    hook(window);
  }
  function stop() {
    on = false;
    for (const win of windows.values()) {
      try {
        win.removeEventListener('pointermove', onMove, { capture: true });
        win.removeEventListener('click', onClick, true);
        win.removeEventListener('change', onChange, true);
        win.removeEventListener('load', onLoad, true);
      } catch {
        // a frame that has gone
      }
    }
    windows.clear();
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    try {
      port?.disconnect();
    } catch {
      // already gone
    }
    port = null;
    globalThis.waymarkRecorder = null;
  }

  try {
    port = chrome.runtime.connect({ name: 'recorder' });
  } catch {
    return null; // the extension was reloaded
  }
  port.onMessage.addListener((cmd) => {
    if (cmd?.type === 'recording' && cmd.on) {
      roles = Array.isArray(cmd.roles) ? cmd.roles : [];
      listen();
    } else if (cmd?.type === 'recording') {
      stop();
    } else if (cmd?.type === 'count_targets' && Array.isArray(cmd.queries)) {
      count(cmd);
    }
  });
  port.onDisconnect.addListener(() => {
    void chrome.runtime.lastError;
    port = null;
    stop();
  });
  return { stop };
}

// Injected again (a second "record" in the same page): one recorder only.
if (!globalThis.waymarkRecorder) globalThis.waymarkRecorder = start();
