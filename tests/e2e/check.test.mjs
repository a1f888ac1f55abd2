// `waymark check` (issue 14), end to end: the real CLI drives headless
// Chromium through chromedriver against demo-app (strict CSP + Trusted
// Types) with the bundle the extension ships. On today's app every step of
// every sample walkthrough is found by its first target; on the app's next
// release (demo-app --release next: New deal's test id changed, Save deal's
// test id and text changed) the check says which step now hangs on a
// fallback, which is missing, and fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DIST, startDemoApp } from './harness.mjs';

const WAYMARK = process.env.WAYMARK_BIN ?? join(import.meta.dirname, '../../target/debug/waymark');
const BUNDLE = join(DIST, 'content.wmb');

function check(url, ...more) {
  const r = spawnSync(WAYMARK, ['check', '--url', url, '--bundle', BUNDLE, '--extension', DIST, '--timeout', '4', ...more], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const step = (report, walkthrough, id) => report.walkthroughs.find((w) => w.id === walkthrough).steps.find((s) => s.id === id);

describe('waymark check', () => {
  let today;
  let next;
  before(async () => {
    today = await startDemoApp({ csp: 'strict' });
    next = await startDemoApp({ csp: 'strict', release: 'next' });
  });
  after(() => {
    today?.stop();
    next?.stop();
  });

  test('on today\'s app every step is found by its first target', () => {
    const r = check(today.url, '--json');
    assert.equal(r.code, 0, r.err + r.out);
    const report = JSON.parse(r.out);
    assert.deepEqual(report.walkthroughs.map((w) => w.id).sort(), ['create-deal', 'declined-card', 'refund-partial-order', 'request-time-off']);
    for (const w of report.walkthroughs) {
      assert.equal(w.stopped, null, `${w.id}: ${w.stopped}`);
      for (const s of w.steps) assert.ok(['first', 'no_target'].includes(s.outcome), `${w.id}/${s.id}: ${JSON.stringify(s)}`);
    }
    const t = report.totals;
    assert.equal(t.first + t.no_target, t.steps);
    assert.equal(t.steps, 13);
    // It acted as an employee would: clicked, typed a value the field takes, ticked a row.
    assert.deepEqual(step(report, 'create-deal', 'open-form').notes, ['clicked']);
    assert.deepEqual(step(report, 'create-deal', 'name').notes, ['entered “Waymark check”']);
    assert.deepEqual(step(report, 'refund-partial-order', 'pick-items').notes, ['ticked it']);
  });

  test('on the next release it names the fallback to promote and the missing step, and fails', () => {
    const r = check(next.url, '--json');
    assert.equal(r.code, 1, r.err + r.out);
    const report = JSON.parse(r.out);
    assert.deepEqual(step(report, 'create-deal', 'open-form'), {
      id: 'open-form', title: 'Start a new deal', outcome: 'fallback', target: 'aria/New deal[role="button"]', alternative: 2, alternatives: 3, notes: ['clicked'],
    });
    assert.deepEqual(step(report, 'create-deal', 'save'), { id: 'save', title: 'Save the deal', outcome: 'missing', alternatives: 3, notes: [] });
    assert.match(report.walkthroughs.find((w) => w.id === 'create-deal').stopped, /stopped at `save`/);
    assert.equal(report.totals.missing, 1);
    assert.equal(report.totals.fallback, 1);
    // The other walkthroughs are untouched by this release.
    for (const id of ['declined-card', 'refund-partial-order', 'request-time-off']) {
      assert.equal(report.walkthroughs.find((w) => w.id === id).stopped, null);
    }

    // The same as text, for a CI log: what broke and what to do.
    const text = check(next.url, '--walkthrough', 'create-deal');
    assert.equal(text.code, 1);
    assert.match(text.out, /FALLBACK +1 open-form — only alternative 2 of 3 found it: aria\/New deal\[role="button"\]; promote it/);
    assert.match(text.out, /MISSING +5 save — none of its 3 targets found anything/);
    // Untouched walkthroughs pass even with --strict (which also fails on fallbacks).
    assert.equal(check(next.url, '--walkthrough', 'refund-partial-order', '--strict').code, 0);
  });

  test('a check that cannot run says why and exits 2', () => {
    const r = spawnSync(WAYMARK, ['check', '--url', today.url, '--bundle', BUNDLE, '--extension', '/nonexistent'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /checker\.js.*--extension names the built extension folder/);
    const bad = spawnSync(WAYMARK, ['check', '--url', today.url, '--bundle', BUNDLE, '--extension', DIST, '--driver', '/nonexistent/chromedriver'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /cannot start \/nonexistent\/chromedriver.*apt-get install chromium-driver/);
  });
});
