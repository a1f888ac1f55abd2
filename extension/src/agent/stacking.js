// Stacking: the host is a `popover="manual"` shown with showPopover(), so
// it sits in the top layer above any z-index. A modal <dialog> the page
// opens later covers the top layer and makes the rest of the page inert;
// the host then moves into that dialog and is shown again
// (../shared/PLATFORM.md, "Stacking"), and moves back when it closes.
// A page that removes the host gets it back; one that keeps removing it
// (more than 20 times in 10 s) wins, and guidance stops with a reason.
// Owns S.dialogObserver, S.rootObserver and S.removals.
import { teardown } from './host.js';
import { send } from './port.js';
import { S } from './state.js';

export function raise() {
  const host = S.host;
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

export function watchDialogs() {
  if (S.dialogObserver) return;
  // Only `open` attributes: quiet unless a dialog opens or closes.
  S.dialogObserver = new MutationObserver(raise);
  S.dialogObserver.observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ['open'] });
  document.addEventListener('close', raise, true);
  // Only <html>'s own children: a page that removes our element gets it
  // back; one that keeps removing it wins, and guidance stops with a reason.
  S.rootObserver = new MutationObserver(() => {
    const host = S.host;
    if (!host || host.isConnected) return;
    const now = Date.now();
    S.removals = S.removals.filter((t) => now - t < 10_000);
    S.removals.push(now);
    if (S.removals.length > 20) {
      send({ type: 'gave_up', reason: 'the page keeps removing the guidance overlay' });
      teardown();
      return;
    }
    document.documentElement.append(host);
    raise();
  });
  S.rootObserver.observe(document.documentElement, { childList: true });
}

export function unwatchDialogs() {
  S.dialogObserver?.disconnect();
  S.rootObserver?.disconnect();
  S.dialogObserver = S.rootObserver = null;
  document.removeEventListener('close', raise, true);
}
