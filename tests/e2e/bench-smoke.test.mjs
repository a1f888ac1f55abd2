// Keeps `cargo xtask bench matching` working: a short run (5 batches, 2
// trials) must measure all three systems, find every target, and leave the
// host console clean. The figures themselves belong to the full benchmark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('the matching benchmark runs end to end', () => {
  const out = execFileSync('node', [join(import.meta.dirname, '../bench/matching.mjs'), '--batches', '5', '--trials', '2'], {
    encoding: 'utf8',
    timeout: 170_000,
  });
  const lines = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.system), ['baseline', 'waymark', 'shepherd.js', 'ratio (shepherd.js / waymark)']);
  const [, waymark, shepherd] = lines;
  for (const l of [waymark, shepherd]) {
    assert.equal(l.batches, 5);
    assert.equal(l.latency_missed, 0, `${l.system} drew every card`);
    assert.ok(l.page_elements >= 5000, 'a 5,000-element page');
  }
  assert.equal(waymark.host_console_problems, 0);
});

// Keeps `cargo xtask bench tips` working the same way.
test('the tips benchmark runs end to end', () => {
  const out = execFileSync('node', [join(import.meta.dirname, '../bench/tips.mjs'), '--frames', '5', '--batches', '5'], {
    encoding: 'utf8',
    timeout: 170_000,
  });
  const lines = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.system), ['baseline', 'one layout read', 'waymark', 'floating-ui', 'ratio (floating-ui / waymark)']);
  const [, , waymark, floating] = lines;
  for (const l of [waymark, floating]) {
    assert.equal(l.scroll_frames, 5);
    assert.equal(l.batches, 5);
    assert.ok(l.page_elements >= 5000, 'a 5,000-element page');
  }
  assert.equal(waymark.host_console_problems, 0);
});
