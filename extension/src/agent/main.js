/* Waymark agent: the content script. This module is its entry; `cargo xtask
 * dist` bundles extension/src/agent/*.js into the one agent.js (esbuild,
 * minified; comments stay here). It executes what the engine asks and
 * decides nothing: which walkthrough, which step, where the card goes and
 * what is remembered are all the Rust engine's calls (core/src/engine/).
 *
 *   host page DOM ──facts──────────────────────────────▶ agent ──port "agent"──▶ service worker (engine)
 *    (target rect, lost, clicked, input/change value,         target / target_lost / target_clicked /
 *     appeared, not found in time, trigger on screen,         target_input / appeared / target_missing /
 *     URL, gave up)                                           present / url_changed / gave_up
 *                 ◀──draws────────────────────────────  agent ◀──commands─────── launcher / watch / unwatch /
 *                                                                                sentinels / select / spotlight /
 *                                                                                frame / focus
 *
 * It adds exactly one element to the page: a <div> host, whose closed shadow
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

import { ensureHost } from './host.js';
import { connect, send } from './port.js';
import { S, viewport } from './state.js';

// Modules (each says what it owns in its header):
//   main      this: the guard, page-level listeners, the first connect
//   port      the port to the worker; commands dispatched by type
//   commands  one handler per engine Command
//   host      the host <div>, launcher, spotlight, overlay frame
//   stacking  top layer, modal dialogs, a page that removes the host
//   observer  one MutationObserver, batched per animation frame
//   watchlist the compiled watch list (buckets, matches)
//   target    the step's target: found, lost, clicked, typed, missing
//   sentinels the page's triggers: present / absent
//   dom       queries, scopes, visibility, geometry, facts
//   user      policy user.from_page

function start() {
  // The top frame's agent also reaches into same-origin frames (deep queries).
  if (window.top !== window) return;
  // Once per page: the worker also injects into tabs that were open before
  // the agent was registered for their origin. (This global lives in the
  // content scripts' isolated world; the page cannot see or set it.)
  // Own property: a page element with that id is a named property of the
  // window in this world too, and must not stop the agent.
  if (Object.hasOwn(globalThis, '__waymarkAgent')) return;
  // Also the handle the tips script draws and reports through (the
  // isolated world's global: the page cannot reach it).
  globalThis.__waymarkAgent = { root: () => (ensureHost(), S.root), send, tips: () => S.tips };

  const urlChanged = () => {
    if (S.port || S.watch || S.frameShown) send({ type: 'url_changed', url: location.href });
  };
  // The Navigation API reports the page's own pushState/replaceState without
  // patching history (https://developer.chrome.com/docs/web-platform/navigation-api).
  if (window.navigation) navigation.addEventListener('currententrychange', urlChanged);
  else {
    addEventListener('popstate', urlChanged);
    addEventListener('hashchange', urlChanged);
  }
  // Nothing starts by itself while the user types or a modal dialog of the
  // app is open: the engine waits for `busy: false`. showModal() moves
  // focus into the dialog, and closing it moves focus out, so focus
  // changes are enough to notice both.
  let busy = false;
  const checkBusy = () => {
    const el = document.activeElement;
    const now = !!(el?.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el?.tagName) || document.querySelector('dialog:modal, [aria-modal=true]:not([hidden])'));
    if (now !== busy && S.port) send({ type: 'busy', busy: (busy = now) });
  };
  addEventListener('focusin', checkBusy, true);
  addEventListener('focusout', () => setTimeout(checkBusy), true);
  addEventListener('resize', () => {
    if (S.frameShown && !S.watch) send({ type: 'resized', viewport: viewport() });
  }, { passive: true });
  // The help shortcut, for when the browser does not route it to the
  // extension's `commands` (it matches manifest.json's suggested key).
  // Only a real key press, and only where help is offered (the launcher or
  // a card is showing): elsewhere the app keeps its own Alt+Shift+H, and a
  // page that dispatches one learns nothing (not even whether
  // preventDefault ran: that would tell it Waymark is installed).
  addEventListener('keydown', (e) => {
    if (!e.isTrusted || !(e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyH')) return;
    if (!(S.frameShown || (S.launcher && !S.launcher.hidden))) return;
    e.preventDefault();
    send({ type: 'open_help' });
  }, true);

  connect();
}

start();
