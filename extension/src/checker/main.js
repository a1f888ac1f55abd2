// `waymark check` (docs/authoring.md, "Checking walkthroughs against a
// release"): the agent's own target finder, run by the command line through
// WebDriver in a headless Chromium, so a check finds exactly what the
// extension would find. Not part of the extension: it is never injected
// into a guided page. The command line decides everything (core
// targeting::pick); this only reads the page and acts on it when asked.
//
//   waymark check ──execute(candidates, queries)──▶ checker: facts of every match
//   waymark check ──execute(element, i)───────────▶ checker: that element (a WebDriver reference)
//   waymark check ──execute(fill, i, value)───────▶ checker: value set, input + change fired
import { candidates, sensitive } from '../agent/dom.js';

let last = [];

// The first value a field accepts when the author gave none.
function sample(el) {
  if (el.tagName === 'SELECT') {
    const opt = [...el.options].find((o) => !o.disabled && o.value && !o.selected) ?? [...el.options].find((o) => !o.disabled && o.value);
    return opt ? opt.value : '';
  }
  switch (el.type) {
    case 'number':
    case 'range':
      return String(Math.max(Number(el.min) || 0, 1));
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'email':
      return 'check@example.com';
    case 'url':
      return 'https://example.com/';
    case 'tel':
      return '5550100';
    default:
      return 'Waymark check';
  }
}

globalThis.__waymarkCheck = {
  // Every visible element matching any of the step's alternatives, with the
  // facts the engine scores (engine::Event::Candidates).
  candidates(queries) {
    const found = candidates(queries, []);
    last = found.map((c) => c.el);
    return found.map((c) => c.facts);
  },
  element(i) {
    const el = last[i];
    el?.scrollIntoView?.({ block: 'center', inline: 'center' });
    return el ?? null;
  },
  // A click through the DOM, for elements WebDriver cannot reach (inside a
  // frame or a shadow root).
  click(i) {
    const el = last[i];
    if (!el) return false;
    el.scrollIntoView?.({ block: 'center', inline: 'center' });
    el.click();
    return true;
  },
  // Sets a field as a user would (the native setter, so frameworks that
  // track values see it), fires input and change; a checkbox or radio is
  // clicked instead. Returns what was done, or null for a secret field
  // (left to a person) or a group with no field.
  fill(i, value) {
    let el = last[i];
    if (!el) return null;
    // A step on a group (a table of rows to tick): its first field that
    // takes a value.
    if (!/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
      el = el.querySelector('input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])');
      if (!el) return null;
    }
    if (value == null && sensitive(el)) return null;
    if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) {
      el.click();
      return { ticked: el.checked };
    }
    const v = value ?? sample(el);
    const proto = Object.getPrototypeOf(el);
    const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
    el.focus?.();
    if (setter) setter.call(el, v);
    else el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    el.blur?.();
    return { value: v };
  },
};

