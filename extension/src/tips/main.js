// Smart tips and beacons (docs/authoring.md, "Smart tips and beacons"):
// injected by the worker into a tab only when the engine has tips for its
// page, so no other page carries this code (the agent's budget stays for
// guidance). It draws in the agent's closed shadow root, through the
// isolated-world handle the agent leaves (`__waymarkAgent`; the page cannot
// see it), and reports through the agent's port.
//
//   engine ──Command::Tips {marks}──▶ agent (keeps the latest) ──▶ tips: draw them
//   agent reset or teardown ──▶ tips: take them all away
//   tips ──{type: beacon_done, key}─▶ agent port ──▶ engine (remembered; not drawn again)
//   tips ──{type: open_help}────────▶ (the dot beside an error: its offer takes the keyboard)
//
// Which tips a page has, their text and language, and what the user has
// seen are the engine's decisions; this script only places markers beside
// their elements and shows a tip's card while its field is focused or
// hovered (WCAG 2.2 SC 1.4.13: the card can be hovered, stays until the
// pointer or focus leaves, and Escape closes it without moving either).
//
// Cost per frame: one MutationObserver and one IntersectionObserver for
// all tips. The intersection observer keeps the set of elements within a
// screen of the viewport; once per frame with a change (scroll, resize,
// mutations) only those positions are read, then only moved markers are
// written (cargo xtask bench tips). Far ones cost nothing until they near.
import { rectOf, resolve } from '../agent/dom.js';

const CSS = `
  .tips { position: fixed; left: 0; top: 0; width: 0; height: 0; pointer-events: none; }
  .tip-dot {
    position: fixed; left: 0; top: 0; box-sizing: border-box; width: 18px; height: 18px; padding: 0;
    border-radius: 50%; border: 2px solid #fff; background: #1d4ed8; color: #fff; cursor: pointer;
    font: 700 11px/14px system-ui, sans-serif; text-align: center; pointer-events: auto;
    box-shadow: 0 1px 4px rgba(15, 23, 42, .35);
  }
  .tip-dot.beacon { width: 14px; height: 14px; background: #f97316; }
  .tip-dot.beacon::after {
    content: ''; position: absolute; inset: -6px; border-radius: 50%; border: 2px solid #f97316;
    animation: waymark-pulse 1.6s ease-out infinite;
  }
  .tip-dot:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
  .tip-dot[hidden], .tip-card[hidden] { display: none; }
  .tip-card {
    position: fixed; left: 0; top: 0; box-sizing: border-box; max-width: 300px; padding: 10px 12px;
    background: #0f172a; color: #f8fafc; border-radius: 8px; pointer-events: auto;
    font: 13px/1.45 system-ui, sans-serif; box-shadow: 0 6px 20px rgba(15, 23, 42, .35);
  }
  .tip-card strong.tip-title { display: block; font-size: 14px; margin-bottom: 2px; }
  .tip-card p, .tip-card ul, .tip-card ol { margin: 4px 0; }
  .tip-card ul, .tip-card ol { padding-left: 18px; }
  .tip-card code { font-family: ui-monospace, monospace; }
  .tip-card button {
    margin-top: 6px; border: 0; border-radius: 6px; padding: 4px 10px; background: #f8fafc; color: #0f172a;
    font: 600 12px system-ui, sans-serif; cursor: pointer;
  }
  @keyframes waymark-pulse { from { transform: scale(.6); opacity: 1; } to { transform: scale(1.6); opacity: 0; } }
  @media (prefers-reduced-motion: reduce) { .tip-dot.beacon::after { animation: none; } }
`;

// A pointer leaving the field or marker for the card crosses a gap: the
// card stays this long, so it can be hovered (SC 1.4.13).
const GRACE_MS = 300;
// Targets not on the page yet are looked for again at most this often.
const RETRY_MS = 250;

function start(agent) {
  let marks = [];
  const byEl = new Map();
  let layer = null;
  let card = null;
  let open = null; // { mark, why: 'hover' | 'focus' | 'click' }
  let muted = null; // Escape closed this one: not again until its field is left
  let hideTimer = 0;
  let observer = null;
  let scheduled = false;
  let lastRetry = 0;
  let retryTimer = 0;
  // Elements within a screen of the viewport (read every frame); the rest
  // are not read until they come near.
  const near = new Set();
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) near.add(e.target);
      else near.delete(e.target);
    }
    schedule();
  }, { rootMargin: '100% 0px 100% 0px' });

  const send = (msg) => agent.send(msg);

  function ensureLayer() {
    const root = agent.root();
    if (!root) return false;
    if (layer?.getRootNode() === root) return true;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    layer = document.createElement('div');
    layer.className = 'tips';
    card = document.createElement('div');
    card.className = 'tip-card';
    card.id = 'waymark-tip';
    card.setAttribute('role', 'tooltip');
    card.setAttribute('aria-live', 'polite');
    card.hidden = true;
    card.addEventListener('pointerenter', () => clearTimeout(hideTimer));
    card.addEventListener('pointerleave', () => later());
    layer.append(card);
    root.append(layer);
    for (const m of marks) layer.append(m.dot);
    return true;
  }

  // A new list: marks with the same key and queries keep their marker
  // and element (an offer appearing, or a beacon put away, redraws
  // nothing else); the rest go.
  function apply(c) {
    close();
    const old = new Map(marks.map((m) => [m.key, m]));
    const same = (m, t) => m && JSON.stringify(m.queries) === JSON.stringify(t.queries) && m.beacon === t.beacon && m.pointer === t.pointer;
    marks = (c?.marks ?? []).map((t) => {
      const m = old.get(t.key);
      if (same(m, t)) {
        old.delete(t.key);
        return Object.assign(m, { title: t.title, body: t.body });
      }
      return { ...t, el: null, dot: dot(t), x: NaN, y: NaN };
    });
    for (const m of old.values()) {
      m.dot.remove();
      if (m.el) {
        byEl.delete(m.el);
        io.unobserve(m.el);
        near.delete(m.el);
      }
    }
    if (!marks.length) {
      observer?.disconnect();
      observer = null;
      return;
    }
    if (!ensureLayer()) return;
    for (const m of marks) if (!m.dot.isConnected) layer.append(m.dot);
    if (!observer) {
      observer = new MutationObserver(onMutations);
      observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    }
    find();
    schedule();
  }

  function dot(t) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = t.beacon ? 'tip-dot beacon' : 'tip-dot';
    b.textContent = t.beacon ? '' : 'i';
    b.setAttribute('aria-label', t.pointer ? `Help for this: ${t.title}` : `Tip: ${t.title}`);
    b.setAttribute('aria-describedby', 'waymark-tip');
    b.hidden = true;
    b.addEventListener('click', (e) => {
      if (!e.isTrusted) return;
      const m = marks.find((x) => x.dot === b);
      if (!m) return;
      if (m.pointer) send({ type: 'open_help' });
      else if (open?.mark === m && open.why === 'click') close();
      else {
        show(m, 'click');
        // Opened from the keyboard (Enter or Space: no pointer, detail 0):
        // the keyboard goes to the card's button.
        if (e.detail === 0) card.querySelector('button')?.focus();
      }
    });
    b.addEventListener('pointerenter', () => {
      const m = marks.find((x) => x.dot === b);
      if (m && !m.beacon && !m.pointer) show(m, 'hover');
    });
    b.addEventListener('pointerleave', () => later());
    return b;
  }

  // Elements for marks that have none (or lost theirs).
  function find() {
    for (const m of marks) {
      if (m.el?.isConnected) continue;
      if (m.el) {
        byEl.delete(m.el);
        io.unobserve(m.el);
        near.delete(m.el);
      }
      m.el = resolve(m.queries);
      if (m.el) {
        // Focus and hover show quiet tips only (a beacon opens on click),
        // so a beacon on the same field does not hide its tip.
        if (!m.beacon && !m.pointer) byEl.set(m.el, m);
        io.observe(m.el);
      }
    }
  }

  // A batch: positions may have changed. Elements not found yet (or
  // lost) are looked for again, at most every RETRY_MS; found ones cost
  // an isConnected each.
  function onMutations() {
    if (marks.some((m) => !m.el?.isConnected)) {
      const wait = RETRY_MS - (performance.now() - lastRetry);
      if (wait <= 0) {
        lastRetry = performance.now();
        find();
      } else if (!retryTimer) {
        retryTimer = setTimeout(() => {
          retryTimer = 0;
          lastRetry = performance.now();
          find();
          schedule();
        }, wait);
      }
    }
    schedule();
  }

  function schedule() {
    if (scheduled || !marks.length) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      layout();
    });
  }

  // Reads every marker's position first, then writes only the moved ones:
  // one layout per frame, not one per marker.
  function layout() {
    const vw = innerWidth;
    const vh = innerHeight;
    const at = marks.map((m) => (m.el?.isConnected && near.has(m.el) ? rectOf(m.el) : null));
    marks.forEach((m, i) => {
      const r = at[i];
      const on = r && (r.width || r.height) && r.y + r.height > 0 && r.y < vh && r.x + r.width > 0 && r.x < vw;
      if (!on) {
        if (!m.dot.hidden) m.dot.hidden = true;
        m.x = NaN;
        return;
      }
      // A tip sits just right of its field, a beacon on its top-right corner.
      const x = Math.round(m.beacon ? r.x + r.width - 7 : Math.min(r.x + r.width + 4, vw - 20));
      const y = Math.round(m.beacon ? r.y - 7 : r.y + (r.height - 18) / 2);
      if (x !== m.x || y !== m.y) {
        m.dot.style.transform = `translate(${x}px, ${y}px)`;
        m.x = x;
        m.y = y;
      }
      if (m.dot.hidden) m.dot.hidden = false;
    });
    if (open) place(open.mark, at[marks.indexOf(open.mark)] ?? (open.mark.el?.isConnected ? rectOf(open.mark.el) : null));
  }

  // Beside the marker, right of the field, where it covers the least of
  // the form; else below it, else above.
  function place(m, r) {
    if (!r) return close();
    const w = card.offsetWidth;
    const h = card.offsetHeight;
    const right = r.x + r.width + 28;
    let x;
    let y;
    if (right + w <= innerWidth - 8) {
      x = right;
      y = Math.max(8, Math.min(r.y + r.height / 2 - h / 2, innerHeight - h - 8));
    } else {
      x = Math.max(8, Math.min(r.x, innerWidth - w - 8));
      const below = r.y + r.height + 8;
      y = below + h <= innerHeight - 8 ? below : Math.max(8, r.y - h - 8);
    }
    card.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  function show(m, why) {
    clearTimeout(hideTimer);
    if (muted === m || m.pointer) return;
    if (open?.mark !== m) {
      card.replaceChildren(title(m.title), ...render(m.body));
      // A tip describes its field; a beacon's card holds a button, so it
      // is a (non-modal) dialog, right after its dot in the tab order.
      card.setAttribute('role', m.beacon ? 'dialog' : 'tooltip');
      if (m.beacon) card.setAttribute('aria-label', m.title);
      else card.removeAttribute('aria-label');
      m.dot.after(card);
      if (m.beacon) {
        const done = document.createElement('button');
        done.type = 'button';
        done.textContent = 'Got it';
        done.addEventListener('click', (e) => {
          if (!e.isTrusted) return;
          close();
          send({ type: 'beacon_done', key: m.key });
        });
        card.append(done);
      }
      card.hidden = false;
      m.dot.setAttribute('aria-expanded', 'true');
    }
    open = { mark: m, why: open?.mark === m && open.why === 'click' ? 'click' : why };
    place(m, m.el?.isConnected ? rectOf(m.el) : null);
  }

  function close() {
    clearTimeout(hideTimer);
    if (!open) return;
    open.mark.dot.removeAttribute('aria-expanded');
    open = null;
    card.hidden = true;
  }

  // Hide after the grace period, unless the pointer is on the card, the
  // marker or the field, or the field has focus.
  function later() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => {
      if (!open || open.why === 'click') return;
      const m = open.mark;
      if (card.matches(':hover') || m.dot.matches(':hover') || m.el?.matches(':hover')) return;
      if (m.el?.matches(':focus-within')) return;
      close();
    }, GRACE_MS);
  }

  const markOf = (n) => {
    for (let i = 0; n && i < 6; n = n.parentElement, i++) {
      const m = byEl.get(n);
      if (m) return m;
    }
    return null;
  };

  addEventListener('focusin', (e) => {
    const m = markOf(e.composedPath()[0] ?? e.target);
    if (m && !m.beacon && !m.pointer) show(m, 'focus');
  }, true);
  addEventListener('focusout', (e) => {
    const m = markOf(e.composedPath()[0] ?? e.target);
    if (!m) return;
    if (muted === m) muted = null;
    if (open?.mark === m && open.why !== 'click') later();
  }, true);
  addEventListener('pointerover', (e) => {
    const m = markOf(e.composedPath()[0] ?? e.target);
    if (m && !m.beacon && !m.pointer && open?.mark !== m) show(m, 'hover');
  }, { capture: true, passive: true });
  addEventListener('pointerout', (e) => {
    const m = markOf(e.composedPath()[0] ?? e.target);
    if (!m) return;
    if (muted === m && !m.el?.matches(':focus-within')) muted = null;
    if (open?.mark === m && open.why !== 'click') later();
  }, { capture: true, passive: true });
  addEventListener('pointerdown', (e) => {
    // A click elsewhere in the page closes a beacon's card. (One in our
    // closed shadow root reaches this window retargeted to its host.)
    if (open?.why === 'click' && e.target !== layer?.getRootNode().host) close();
  }, { capture: true, passive: true });
  // Escape closes the card, with neither focus nor pointer moved; the app
  // gets the key as well (nothing is prevented).
  addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !open || !e.isTrusted) return;
    const m = open.mark;
    const inCard = e.target === layer?.getRootNode().host && card.matches(':focus-within');
    muted = open.why === 'click' ? null : m;
    close();
    if (inCard) m.dot.focus();
  }, true);
  addEventListener('scroll', schedule, { capture: true, passive: true });
  addEventListener('resize', schedule, { passive: true });

  Object.defineProperty(globalThis, '__waymarkTips', { value: apply });
  apply(agent.tips());
}

function title(text) {
  const t = document.createElement('strong');
  t.className = 'tip-title';
  t.textContent = text;
  return t;
}

// The compiled rich-text tree (core::richtext, serde's JSON), element by
// element: no author text is ever parsed as HTML. Links show as their text
// (a tip is not a place to navigate from); media as their text alternative.
function render(blocks) {
  const out = [];
  for (const b of blocks ?? []) {
    const [kind, v] = Object.entries(b)[0] ?? [];
    if (kind === 'Paragraph') out.push(el('p', inlines(v)));
    else if (kind === 'Heading') out.push(el('p', [el('strong', inlines(v[1]))]));
    else if (kind === 'List') out.push(el(v.ordered ? 'ol' : 'ul', v.items.map((item) => el('li', render(item)))));
    else if (kind === 'Code') out.push(el('pre', [text(v)]));
    else if (kind === 'Quote') out.push(...render(v));
  }
  return out;
}

function inlines(list) {
  return (list ?? []).map((i) => {
    if (i === 'Break') return document.createElement('br');
    const [kind, v] = Object.entries(i)[0] ?? [];
    if (kind === 'Text') return text(v);
    if (kind === 'Strong') return el('strong', inlines(v));
    if (kind === 'Emphasis') return el('em', inlines(v));
    if (kind === 'Code') return el('code', [text(v)]);
    if (kind === 'Link') return el('span', inlines(v.children));
    if (kind === 'Image') return text(v.alt);
    if (kind === 'Video') return text(v.title);
    return text('');
  });
}

function el(tag, children) {
  const e = document.createElement(tag);
  e.append(...children);
  return e;
}

const text = (s) => document.createTextNode(String(s ?? ''));

// Own properties only: a page element with id="__waymarkAgent" shows up
// as a named property of every world's window (not an own one), and must
// neither stand in for the agent nor stop the script.
const agent = Object.hasOwn(globalThis, '__waymarkAgent') ? globalThis.__waymarkAgent : null;
if (typeof agent?.root === 'function' && !Object.hasOwn(globalThis, '__waymarkTips')) start(agent);
