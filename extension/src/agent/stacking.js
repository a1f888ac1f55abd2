// Stacking: the host is a `popover="manual"` shown with showPopover(), so
// it sits in the top layer above any z-index. A modal <dialog> the page
// opens later covers the top layer and makes the rest of the page inert;
// the host then moves into that dialog and is shown again
// (../shared/PLATFORM.md, "Stacking"), and moves back when it closes.
// A page that removes the host gets it back; one that keeps removing it
// (more than 20 times in 10 s) wins, and guidance stops with a reason.
// A page that restyles the host (its style attribute, `hidden`, `inert`)
// gets it pinned again; a popover the page opens later is put back under it.
// A page that fights for the top layer wins it; the card then takes no
// pointer clicks until ours is on top again (see `cover`).
// Owns S.dialogObserver, S.rootObserver, S.hostObserver, S.removals,
// S.raises and S.covered.
import { pin, teardown } from './host.js';
import { send } from './port.js';
import { S } from './state.js';

export function raise() {
  const host = S.host;
  // (No host: a covered state ends with it.)
  if (!host) return (S.covered = null);
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
  // Shown last, so on top again.
  if (S.covered) cover(false);
}

// The page's own popover stays over ours (it won the fight below). The
// card must not take a click the user aims at what they see, the page's
// see-through decoy: the worker tells the overlay frame to drop pointer
// clicks until ours is on top again. Chromium's frame also sees this
// through IntersectionObserver v2; Firefox has no v2
// (https://bugzilla.mozilla.org/show_bug.cgi?id=1529080), so this is what
// holds there. The message goes through the extension's port, not
// postMessage: the page could post "uncovered" to the frame itself. While
// covered, look again every COVER_MS: once the page has stopped fighting
// (under 20 raises in the last second: its popover closed, or left open but
// no longer reopened), raise ours, which ends it; a page still fighting
// covers it again. (raise() with no host ends it too.)
const COVER_MS = 250;

// 20 raises in the last second: the page is fighting us for the top layer.
function fighting() {
  const now = performance.now();
  S.raises = S.raises.filter((t) => now - t < 1000);
  return S.raises.length >= 20;
}
function cover(on) {
  clearTimeout(S.covered);
  const look = () => (fighting() ? (S.covered = setTimeout(look, COVER_MS)) : raise());
  S.covered = on ? setTimeout(look, COVER_MS) : null;
  send({ type: 'covered', covered: on });
}

// Another popover opened after ours sits above it in the top layer: show
// ours again on top (toggle does not bubble; a capturing listener sees it).
// A page (or another extension) that answers in kind would ping-pong with
// us: after 20 raises in a second, it keeps the top until things calm down.
// The page may also close ours (hidePopover() on it): show it again. (Our
// own raise() closes and reopens at once; by the time its "closed" event
// arrives the host is open again, and nothing happens.)
function onToggle(e) {
  const host = S.host;
  if (!host) return;
  const ours = e.target === host;
  if (ours ? e.newState !== 'closed' || host.matches(':popover-open') : e.newState !== 'open') return;
  if (fighting()) {
    if (!S.covered) cover(true);
    return;
  }
  S.raises.push(performance.now());
  raise();
}

export function watchDialogs() {
  if (S.dialogObserver) return;
  document.addEventListener('toggle', onToggle, true);
  S.hostObserver = new MutationObserver(() => {
    const host = S.host;
    if (!host) return;
    pin(host);
    if ('popover' in host && host.getAttribute('popover') !== 'manual') {
      host.popover = 'manual';
      raise();
    }
  });
  S.hostObserver.observe(S.host, { attributes: true, attributeFilter: ['style', 'hidden', 'inert', 'class', 'id', 'dir', 'popover'] });
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
  S.hostObserver?.disconnect();
  S.dialogObserver = S.rootObserver = S.hostObserver = null;
  document.removeEventListener('close', raise, true);
  document.removeEventListener('toggle', onToggle, true);
}
