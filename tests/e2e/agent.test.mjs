// The agent's pure helpers, in Node (no browser): its value matcher agrees
// with core's reference on the shared cases (core/tests/glob.rs runs the
// same file), and stays linear on a hostile pattern.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globMatch } from '../../extension/src/agent/target.js';

const ROOT = join(import.meta.dirname, '../..');

test('globMatch agrees with core on every shared case', () => {
  const cases = JSON.parse(readFileSync(join(ROOT, 'core/tests/fixtures/glob/cases.json'), 'utf8'));
  assert.ok(cases.length > 20);
  for (const [pattern, value, want] of cases) {
    assert.equal(globMatch(pattern, value), want, `glob ${JSON.stringify(pattern)} on ${JSON.stringify(value)}`);
  }
});

test('globMatch is linear on a pattern built to backtrack', () => {
  const pattern = `${'*a'.repeat(200)}*b`;
  const text = 'a'.repeat(1000);
  // One indexOf per piece, no backtracking (a regex of .* would backtrack).
  assert.equal(globMatch(pattern, text), false);
  assert.equal(globMatch(pattern, `${text}b`), true);
});
