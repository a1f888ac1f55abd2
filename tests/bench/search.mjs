// `cargo xtask bench search`, the Node half: runs known-item queries through
// Waymark's search compiled to wasm (the module the extension ships) and, in
// the same process and run, through MiniSearch, FlexSearch, lunr and Fuse.js.
// Prints one JSON line per engine with the fields of `waymark bench-search`.
//
//   node tests/bench/search.mjs --wasm DIR --corpus C.jsonl --queries Q.jsonl --index I.wmsi --native '{json}'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import Fuse from 'fuse.js';
import FlexSearch from 'flexsearch';
import lunr from 'lunr';
import MiniSearch from 'minisearch';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const lines = (p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const docs = lines(args.corpus);
const queries = lines(args.queries);
const corpus = basename(args.corpus);
const now = () => Number(process.hrtime.bigint()) / 1e3; // µs
const round = (v) => (v == null ? null : Math.round(v * 1000) / 1000);

function measure(engine, search, extra) {
  // Warm up on made-up queries (not the measured ones) so V8 has tiered the
  // wasm and the JS up, as it has after a user's first few keystrokes.
  for (let i = 0; i < 40; i++) search(['warming searchng xqzvwkjhgf', 'file sys', 'network confguration', 'lib'][i % 4]);
  const lat = [];
  let found = 0;
  let rr = 0;
  for (const q of queries) {
    const t = now();
    const ids = search(q.q);
    lat.push(now() - t);
    const rank = ids.slice(0, 10).findIndex((id) => q.expect.includes(id));
    if (rank >= 0) {
      found += 1;
      rr += 1 / (rank + 1);
    }
  }
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.round((lat.length - 1) * p)];
  console.log(JSON.stringify({
    engine, corpus, docs: docs.length, ...extra,
    recall_at_10: round(found / queries.length), mrr_at_10: round(rr / queries.length),
    p50_us: round(pct(0.5)), p99_us: round(pct(0.99)),
  }));
}

function timed(f) {
  const t = now();
  const v = f();
  return [v, (now() - t) / 1e3];
}

// Waymark, wasm: the index was built natively by `waymark bench-search`.
{
  const require = createRequire(import.meta.url);
  const { WaymarkSearch } = require(join(args.wasm, 'waymark_worker.js'));
  const bytes = readFileSync(args.index);
  const native = JSON.parse(args.native);
  const [index, openMs] = timed(() => WaymarkSearch.open(bytes));
  measure('waymark-wasm', (q) => index.ids(q, 10), {
    build_ms: native.build_ms, index_bytes: bytes.length, open_ms: round(openMs),
  });
  index.free();
}

// MiniSearch 7.2: fuzzy 0.2, prefix, title boost 2 (as in PLATFORM.md).
{
  const opts = { fields: ['title', 'body'], searchOptions: { fuzzy: 0.2, prefix: true, boost: { title: 2 } } };
  const [ms, buildMs] = timed(() => {
    const m = new MiniSearch(opts);
    m.addAll(docs);
    return m;
  });
  const json = JSON.stringify(ms);
  const [loaded, openMs] = timed(() => MiniSearch.loadJSON(json, opts));
  measure('minisearch', (q) => loaded.search(q).slice(0, 10).map((r) => r.id), {
    build_ms: round(buildMs), index_bytes: Buffer.byteLength(json), open_ms: round(openMs),
  });
}

// FlexSearch 0.8: document index, forward tokenizer; lives in memory only.
{
  const [fx, buildMs] = timed(() => {
    const d = new FlexSearch.Document({ document: { id: 'id', index: ['title', 'body'] }, tokenize: 'forward' });
    for (const doc of docs) d.add(doc);
    return d;
  });
  measure('flexsearch', (q) => {
    const seen = [];
    for (const field of fx.search(q, { limit: 10 })) for (const id of field.result) if (!seen.includes(id)) seen.push(id);
    return seen;
  }, { build_ms: round(buildMs), index_bytes: null, open_ms: null });
}

// lunr 2.3: every word as `word~1` and `word*`.
{
  const [idx, buildMs] = timed(() => lunr(function () {
    this.ref('id');
    this.field('title', { boost: 2 });
    this.field('body');
    for (const d of docs) this.add(d);
  }));
  const json = JSON.stringify(idx);
  const [loaded, openMs] = timed(() => lunr.Index.load(JSON.parse(json)));
  measure('lunr', (q) => {
    const words = lunr.tokenizer(q).map((t) => t.toString()).filter(Boolean);
    if (!words.length) return [];
    return loaded.query((query) => {
      for (const w of words) {
        query.term(w, { editDistance: 1 });
        query.term(w, { wildcard: lunr.Query.wildcard.TRAILING });
      }
    }).slice(0, 10).map((r) => r.ref);
  }, { build_ms: round(buildMs), index_bytes: Buffer.byteLength(json), open_ms: round(openMs) });
}

// Fuse.js 7.5: a linear scan; minutes per query set on the large corpus.
if (docs.length <= 10_000) {
  const [fuse, buildMs] = timed(() => new Fuse(docs, { keys: ['title', 'body'], threshold: 0.4, ignoreLocation: true }));
  measure('fuse', (q) => fuse.search(q, { limit: 10 }).map((r) => r.item.id), {
    build_ms: round(buildMs), index_bytes: null, open_ms: null,
  });
} else {
  console.log(JSON.stringify({ engine: 'fuse', corpus, docs: docs.length, skipped: 'a linear scan: minutes per query set at this size' }));
}
