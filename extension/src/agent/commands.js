// What the engine can ask of the agent (core Command, serde tag `type`),
// one handler per command. A test (core/tests/protocol_names.rs) fails when
// these names and the Rust tags differ.
import { ensureFrame, ensureHost, place, resetHost } from './host.js';
import { send, attached } from './port.js';
import { setSentinels } from './sentinels.js';
import { S } from './state.js';
import { schedule } from './observer.js';
import { startWatch, stopWatch } from './target.js';
import { readUser } from './user.js';

const FOCUS_BACK_MS = 1000;

// The tips script, if it runs in this page (an own property it defines).
export const tipsTo = (c) => Object.hasOwn(globalThis, '__waymarkTips') && globalThis.__waymarkTips(c);

// Focus leaves the frame for the page element it came from (or the page
// itself, if that element is gone).
function giveFocusBack() {
  S.frame?.blur();
  const back = S.returnFocus;
  S.returnFocus = null;
  if (back?.isConnected && back !== document.body && back !== S.host) back.focus({ preventScroll: true });
  else window.focus();
}

export const commands = {
  launcher(c) {
    ensureHost();
    S.launcher.hidden = !c.visible;
    const s = S.launcher.style;
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
    const w = S.watch;
    if (w?.key !== c.watch || !w.pending) return;
    const el = w.pending[c.index];
    w.pending = null;
    if (el?.isConnected) w.el = el;
    schedule();
  },
  spotlight(c) {
    ensureHost();
    place(S.spot, c.rect);
  },
  // Smart tips and beacons: drawn by the tips script (the worker injects
  // it), which reads the latest list from here when it starts.
  tips(c) {
    S.tips = c;
    tipsTo(c);
  },
  // Escape in a card, or the user closed what had their keyboard: back to
  // where they were in the page (only if the keyboard is in our frame).
  return_focus() {
    S.refocus = false;
    clearTimeout(S.focusBack);
    if (S.frame && S.root?.activeElement === S.frame) giveFocusBack();
  },
  focus() {
    // The user opened help (click or shortcut): their focus goes with it.
    // Focusing the element alone leaves a still-loading frame's document
    // unfocused, so focus its window, now if loaded, else once it loads.
    if (!S.frame) return;
    if (document.activeElement !== S.host) S.returnFocus = document.activeElement;
    if (S.frameLoaded) S.frame.contentWindow?.focus();
    else S.focusOnLoad = true;
  },
  // A deep link was read: the same address without its parameter, so a
  // reload or a copied URL does not start it again. Same origin only; the
  // isolated world's history is not the page's patched one.
  replace_url(c) {
    try {
      const u = new URL(c.url, location.href);
      if (u.origin === location.origin && u.href !== location.href) history.replaceState(history.state, '', u.href);
    } catch {
      // a URL this history will not take: the address stays as it is
    }
  },
  // Policy or bundle changed in the worker: forget everything drawn and
  // attach afresh, so the new engine decides (maybe: nothing here).
  reset() {
    tipsTo((S.tips = null));
    S.sentinels = null;
    stopWatch();
    resetHost();
    send(attached());
  },
  // Policy `user.from_page`: what the page shows about its signed-in user.
  read_user(c) {
    readUser(c.fields, 0);
  },
  frame(c) {
    ensureHost();
    if (c.rect) ensureFrame();
    S.frameShown = Boolean(c.rect);
    const frame = S.frame;
    if (!frame) return;
    if (c.rect) {
      // A card that moved under the pointer must not take the click meant
      // for what was there (the frame's clickjacking guard, overlay.js).
      const moved = frame.style.transform !== `translate(${c.rect.x}px, ${c.rect.y}px)`;
      place(frame, c.rect, true);
      if (moved && S.frameLoaded) frame.contentWindow?.postMessage('waymark:moved', chrome.runtime.getURL('').replace(/\/$/, ''));
    }
    frame.classList.toggle('off', !S.frameShown);
    // Hiding the frame while it has focus: between two steps it hides until
    // the next target is found, so keep the keyboard with the card if it
    // comes back within FOCUS_BACK_MS; else give focus back to where the
    // user was, so the page's keyboard use carries on.
    if (!S.frameShown && S.root.activeElement === frame) {
      S.refocus = true;
      clearTimeout(S.focusBack);
      S.focusBack = setTimeout(() => {
        S.refocus = false;
        if (!S.frameShown) giveFocusBack();
      }, FOCUS_BACK_MS);
    } else if (S.frameShown && S.refocus) {
      S.refocus = false;
      clearTimeout(S.focusBack);
      if (S.frameLoaded) frame.contentWindow?.focus();
    }
  },
};
