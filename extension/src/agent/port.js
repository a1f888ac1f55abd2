// The port to the service worker ("agent"): events out, commands in.
// Owns S.port and S.dead. A command is run by the handler of its `type` in
// commands.js; an unknown type is ignored.
//
//   agent ──{type: attached | target | target_clicked | ...}──▶ service worker (engine)
//   agent ◀──{type: launcher | watch | frame | ...}──────────── service worker
import { commands } from './commands.js';
import { teardown } from './host.js';
import { S, viewport } from './state.js';

export const attached = () => ({ type: 'attached', url: location.href, viewport: viewport(), locale: navigator.language ?? '', frame_token: S.frameToken });

export function connect() {
  if (S.dead) return false;
  try {
    S.port = chrome.runtime.connect({ name: 'agent' });
  } catch {
    teardown(); // "Extension context invalidated": the extension was reloaded
    return false;
  }
  S.port.onMessage.addListener((cmd) => {
    const run = Object.hasOwn(commands, cmd?.type) ? commands[cmd.type] : null;
    if (run) run(cmd);
  });
  S.port.onDisconnect.addListener(() => {
    void chrome.runtime.lastError; // read, so Chrome does not log it
    S.port = null;
    // The service worker stopped while guidance is on screen: re-attach
    // now so the engine restores it. Otherwise wait for the next event.
    if (S.watch || S.frameShown) send(null);
  });
  S.port.postMessage(attached());
  return true;
}

export function send(msg) {
  if (!S.port && !connect()) return;
  if (msg) {
    try {
      S.port.postMessage(msg);
    } catch {
      S.port = null;
    }
  }
}
