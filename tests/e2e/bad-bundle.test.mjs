// A missing or unusable built-in bundle, in Chromium and Firefox ESR (one
// scenario, two drivers): the agent is not registered anywhere, nothing in
// the host page or its console, and the options page says what is wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoApp } from './harness.mjs';
import { BROWSERS, distFor, launchIn } from './browsers.mjs';

const cases = {
  missing: { spoil: (dir) => rmSync(join(dir, 'content.wmb')), reason: /content\.wmb could not be read/ },
  truncated: {
    spoil: (dir) => {
      const p = join(dir, 'content.wmb');
      const bytes = readFileSync(p);
      writeFileSync(p, bytes.subarray(0, bytes.length - 100));
    },
    reason: /truncated/,
  },
  'not a bundle': { spoil: (dir) => writeFileSync(join(dir, 'content.wmb'), '<html>404</html>'), reason: /not a Waymark bundle/ },
  // Built by the CLI without --sign-key: well formed, but nobody vouches for it.
  unsigned: { spoil: (dir) => build(dir, []), reason: /not signed/ },
  // Signed, but by a key the extension does not trust.
  'signed by another key': { spoil: (dir) => build(dir, ['--sign-key', otherKey()]), reason: /does not verify against any trusted key/ },
  // One byte of the signed bundle changed after signing.
  tampered: {
    spoil: (dir) => {
      const p = join(dir, 'content.wmb');
      const bytes = readFileSync(p);
      bytes[40] ^= 1;
      writeFileSync(p, bytes);
    },
    reason: /signature does not verify|corrupt/,
  },
};

const WAYMARK = process.env.WAYMARK_BIN ?? join(import.meta.dirname, '../../target/debug/waymark');
function build(dir, extra) {
  execFileSync(WAYMARK, ['build', join(import.meta.dirname, '../../walkthroughs/library'), '--env', 'production', '--out', join(dir, 'content.wmb'), ...extra]);
}
let keyFile;
function otherKey() {
  if (!keyFile) {
    keyFile = join(mkdtempSync(join(tmpdir(), 'waymark-key-')), 'other.key');
    execFileSync(WAYMARK, ['keygen', '--out', keyFile]);
  }
  return keyFile;
}

for (const kind of BROWSERS) {
  describe(`${kind}: bad bundles`, () => {
    let app;
    before(async () => {
      app = await startDemoApp({ csp: 'strict' });
    });
    after(() => app?.stop());

    for (const [name, { spoil, reason }] of Object.entries(cases)) {
      test(`${name}: no agent, clean console, reason on the options page`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'waymark-dist-'));
        cpSync(distFor(kind), dir, { recursive: true });
        spoil(dir);
        const browser = await launchIn(kind, { dist: dir, ready: false });
        try {
          const text = await browser.optionsText([/No guidance is shown:/, reason]);
          assert.match(text, /Where Waymark runs\s+Nowhere/);
          assert.deepEqual(await browser.registered(), []);
          await browser.expectNoAgent(`${app.url}/crm/deals`);
        } finally {
          await browser.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
