// The agent's state, one object shared by its modules. Every field is
// declared here, so a module never invents one; each module says which
// fields it owns (writes) in its header.
//
//   host page ──▶ host.js (host, root, launcher, spot, frame, frame*)
//             ──▶ port.js (port, dead)
//             ──▶ target.js (watch) · sentinels.js (sentinels)
//             ──▶ observer.js (observer, scheduled, roots, rootSet, listened, dirty)
//             ──▶ stacking.js (dialogObserver, rootObserver, removals)

export const S = {
  // <waymark-host> and what its closed shadow root holds.
  host: null,
  root: null,
  launcher: null,
  spot: null,
  frame: null,
  frameShown: false,
  frameLoaded: false,
  focusOnLoad: false,
  returnFocus: null,
  // The port to the service worker; `dead` once the extension went away.
  port: null,
  dead: false,
  // The step's target (see target.js newWatch) and the page's triggers.
  watch: null,
  sentinels: null, // { m, present: Map<key, {el, idx}>, hidden: [{el, idx}] }
  // One MutationObserver, batched per animation frame.
  observer: null,
  scheduled: false,
  roots: [],
  rootSet: new WeakSet(),
  listened: [],
  dirty: { added: new Set(), changed: new Set(), attrs: new Set(), removed: false },
  // Modal dialogs and a page that removes the host.
  dialogObserver: null,
  rootObserver: null,
  removals: [],
};

export const viewport = () => ({ width: innerWidth, height: innerHeight });
export const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
