// Policy `user.from_page`: what the page shows about its signed-in user.
// Each field is { selector, attribute } (the attribute's value, or the
// element's text without one). Single-page apps render their header late:
// look again on the next frames, for up to 5 s, until every field is found.
import { send } from './port.js';
import { S, norm } from './state.js';

export function readUser(fields, tries) {
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
  if (missing && tries < 300 && !S.dead) {
    requestAnimationFrame(() => readUser(fields, tries + 1));
    return;
  }
  send({ type: 'user', user });
}
