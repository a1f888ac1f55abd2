// The agent's state, one object shared by its modules. Every field is
// declared here, so a module never invents one; each module says which
// fields it owns (writes) in its header.
//
//   host page ──▶ host.js (host, root, launcher, spot, frame, frame*)
//             ──▶ port.js (port, dead)
//             ──▶ target.js (watch) · sentinels.js (sentinels)
//             ──▶ observer.js (observer, scheduled, roots, rootSet, listened, dirty)
//             ──▶ stacking.js (dialogObserver, rootObserver, hostObserver, removals, raises, covered)

export const S = {
  // The host <div> and what its closed shadow root holds.
  host: null,
  root: null,
  launcher: null,
  spot: null,
  frame: null,
  frameShown: false,
  frameLoaded: false,
  focusOnLoad: false,
  returnFocus: null,
  // The frame hid while it had focus: focus it again if it is shown soon
  // (commands.js frame); `focusBack` gives focus to the page otherwise.
  refocus: false,
  focusBack: 0,
  // The port to the service worker; `dead` once the extension went away.
  port: null,
  // Handed to the worker (attached) and to our own overlay frame (its URL
  // fragment, inside the closed shadow root): the worker accepts an overlay
  // port for this tab only from a frame that carries it. Not
  // crypto.randomUUID(): that exists only in secure contexts, and plain-http
  // intranet apps are not (https://w3c.github.io/webcrypto/#Crypto-method-randomUUID).
  frameToken: Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''),
  dead: false,
  // The latest Command::Tips, for the tips script (extension/src/tips/).
  tips: null,
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
  hostObserver: null,
  raises: [], // times a later popover was answered by raising ours (rate limit)
  covered: null, // the page holds the top layer over ours: a timer that looks again
  removals: [],
};

export const viewport = () => ({ width: innerWidth, height: innerHeight });
export const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
