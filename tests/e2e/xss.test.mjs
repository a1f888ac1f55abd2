// The XSS corpus, end to end (issue 12): every payload in xss-corpus.mjs is
// put in every place an author's text reaches (walkthrough and step titles,
// step bodies, choice labels, synonyms, URL patterns, article titles and
// bodies, link texts and targets, image alt texts and sources, code) and
// built through the real CLI; what the CLI accepts is played in the
// extension under the strict CSP, and every payload is also typed as a
// search. Nothing may run (a trap in the host page and in the overlay
// frame), no `javascript:`/`data:` URL may become a link or source, and no
// attribute or element may appear that the views do not make.
//
//   corpus × contexts ──one file each──▶ waymark validate ──refused (file:line:col)──▶ counted
//                                             └─accepted──▶ one library ──waymark build (demo key)──▶ dist copy ──▶ Chromium
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, clickInCard, clickLauncher, launch, overlayFrame, settled, startDemoApp, until, watchConsole } from './harness.mjs';
import { PAYLOADS } from './xss-corpus.mjs';

const ROOT = join(import.meta.dirname, '../..');
const WAYMARK = process.env.WAYMARK_BIN ?? join(ROOT, 'target/debug/waymark');
const toml = (s) => JSON.stringify(s); // a JSON string is a valid TOML basic string

const HEAD = (id, title, extra = '') => `id = "${id}"
title = ${toml(title)}
moment = "more"
owner = "security-review"
status = "approved"
review_by = 2027-05-31
applies_to = ["/crm/deals*"${extra}]
`;

// Where a payload can go, and the file that puts it there.
const WALKTHROUGH = {
  walkthrough_title: (id, p) => `${HEAD(id, p)}\n[[steps]]\nid = "s"\ntitle = "t"\nbody = "b"\n`,
  step_title: (id, p) => `${HEAD(id, 'x')}\n[[steps]]\nid = "s"\ntitle = ${toml(p)}\nbody = "b"\n`,
  step_body: (id, p) => `${HEAD(id, 'x')}\n[[steps]]\nid = "s"\ntitle = "t"\nbody = ${toml(p)}\n`,
  choice_label: (id, p) => `${HEAD(id, 'x')}\n[[steps]]\nid = "s"\ntitle = "t"\nbody = "b"\n\n[[steps.choices]]\nlabel = ${toml(p)}\ngoto = "e"\n\n[[steps.choices]]\nlabel = "Other"\ngoto = "e"\n\n[[steps]]\nid = "e"\ntitle = "e"\nbody = "e"\n`,
  synonym: (id, p) => `${HEAD(id, 'x')}synonyms = [${toml(p)}]\n\n[[steps]]\nid = "s"\ntitle = "t"\nbody = "b"\n`,
  url_pattern: (id, p) => `${HEAD(id, 'x', `, ${toml(p)}`)}\n[[steps]]\nid = "s"\ntitle = "t"\nbody = "b"\n`,
};
const ARTICLE = {
  article_title: (p) => ({ title: p, body: 'b' }),
  article_body: (p) => ({ body: p }),
  link_text: (p) => ({ body: `[${p}](https://help.acme.example/x)` }),
  link_target: (p) => ({ body: `[open](<${p}>)` }),
  image_alt: (p) => ({ body: `![${p}](https://media.acme.example/a.png)` }),
  image_src: (p) => ({ body: `![image](<${p}>)` }),
  code: (p) => ({ body: `\`\` ${p} \`\`` }),
};
const article = (id, { title = 'x', body }) => `+++\n${HEAD(id, title)}+++\n\n${body}\n`;

const CONFIG = `review_cycle_days = 90

[locales]
source = "en"

[media]
allow = ["media.acme.example"]

[bundle]
scope = ["http://127.0.0.1:*", "http://localhost:*"]
`;

/** Runs `waymark validate` once over one file per (context, payload). */
function probe(work) {
  const dir = join(work, 'probe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'waymark.toml'), CONFIG);
  const files = [];
  PAYLOADS.forEach((p, i) => {
    for (const [ctx, make] of Object.entries(WALKTHROUGH)) {
      const name = `${ctx}-${i}.toml`;
      writeFileSync(join(dir, name), make(`${ctx.replaceAll('_', '-')}-${i}`, p));
      files.push({ name, ctx, p });
    }
    for (const [ctx, make] of Object.entries(ARTICLE)) {
      const name = `${ctx}-${i}.md`;
      writeFileSync(join(dir, name), article(`${ctx.replaceAll('_', '-')}-${i}`, make(p)));
      files.push({ name, ctx, p });
    }
  });
  const out = spawnSync(WAYMARK, ['validate', dir], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const refused = new Set();
  for (const m of out.stderr.matchAll(/^(?:.*\/)?([a-z_]+-\d+\.(?:toml|md)):\d+:\d+: error/gm)) refused.add(m[1]);
  // Anything the CLI printed that does not name one of the probe files
  // would be a problem with the probe itself.
  assert.ok(out.status === 0 || refused.size > 0, `waymark validate failed without naming a file:\n${out.stderr.slice(0, 2000)}`);
  return files.map((f) => ({ ...f, accepted: !refused.has(f.name) }));
}

/** One library with every accepted payload, in as few screens as possible. */
function library(work, probed) {
  const dir = join(work, 'library');
  mkdirSync(join(dir, 'articles'), { recursive: true });
  writeFileSync(join(dir, 'waymark.toml'), CONFIG);
  const ok = (ctx) => probed.filter((f) => f.ctx === ctx && f.accepted).map((f) => f.p);
  const chunks = (list, n) => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, i * n + n));

  const titles = chunks(ok('step_title'), 30);
  const bodies = chunks(ok('step_body'), 30);
  const choices = chunks(ok('choice_label'), 30);
  const steps = Math.max(titles.length, bodies.length, choices.length, 1);
  let w = `${HEAD('xss-tour', ['XSS tour', ...ok('walkthrough_title')].join(' ¦ '), ok('url_pattern').map((u) => `, ${toml(u)}`).join(''))}`;
  w += `synonyms = [${ok('synonym').map(toml).join(', ')}]\n`;
  for (let s = 0; s < steps; s++) {
    const next = s + 1 < steps ? `s${s + 1}` : null;
    w += `\n[[steps]]\nid = "s${s}"\ntitle = ${toml([`Step ${s + 1}`, ...(titles[s] ?? [])].join(' ¦ '))}\n`;
    w += `body = ${toml((bodies[s] ?? ['-']).join('\n\n'))}\n`;
    // A decision needs two choices at least: "Other" is always there.
    if (next && choices[s]) for (const label of [...choices[s], 'Other']) w += `\n[[steps.choices]]\nlabel = ${toml(label)}\ngoto = "${next}"\n`;
  }
  writeFileSync(join(dir, 'xss-tour.toml'), w);

  const titleChunks = chunks(ok('article_title'), Math.ceil(ok('article_title').length / Object.keys(ARTICLE).length) || 1);
  const articles = [];
  Object.keys(ARTICLE).forEach((ctx, i) => {
    const accepted = probed.filter((f) => f.ctx === ctx && f.accepted);
    const body = ctx === 'article_title' ? 'Titles only.' : accepted.map((f) => ARTICLE[ctx](f.p).body).join('\n\n');
    const title = [`XSS ${ctx}`, ...(titleChunks[i] ?? [])].join(' ¦ ');
    writeFileSync(join(dir, 'articles', `${ctx}.md`), article(`xss-${ctx.replaceAll('_', '-')}`, { title, body }));
    articles.push(`XSS ${ctx}`);
  });
  return { dir, articles };
}

// Runs in the overlay frame: everything our views did not make.
function inspect() {
  const TAGS = new Set(['div', 'section', 'header', 'footer', 'h1', 'h2', 'h3', 'p', 'span', 'button', 'input', 'ul', 'ol',
    'li', 'strong', 'em', 'code', 'pre', 'blockquote', 'a', 'img', 'video', 'br', 'mark', 'label', 'fieldset', 'legend']);
  const ATTRS = new Set(['class', 'id', 'type', 'href', 'src', 'alt', 'title', 'role', 'tabindex', 'disabled', 'target', 'rel',
    'name', 'value', 'placeholder', 'autocomplete', 'spellcheck', 'loading', 'referrerpolicy', 'controls', 'preload', 'style',
    'data-id', 'data-kind']);
  const bad = [];
  const root = document.getElementById('root');
  for (const el of root.querySelectorAll('*')) {
    if (!TAGS.has(el.localName)) bad.push(`element <${el.localName}>`);
    for (const a of el.attributes) {
      if (!ATTRS.has(a.name) && !a.name.startsWith('aria-')) bad.push(`attribute ${a.name} on <${el.localName}>`);
      if ((a.name === 'href' || a.name === 'src') && !/^(https:|mailto:)/i.test(a.value.trim())) bad.push(`${a.name}=${a.value.slice(0, 80)}`);
      if (a.name === 'style' && /url\(|expression|javascript/i.test(a.value)) bad.push(`style=${a.value.slice(0, 80)}`);
    }
  }
  return { bad, hit: window.__xssHit ?? null, links: root.querySelectorAll('a[href]').length };
}

describe('XSS corpus', () => {
  let app;
  let work;
  let probed;
  let built;
  before(async () => {
    app = await startDemoApp({ csp: 'strict' });
    work = mkdtempSync(join(tmpdir(), 'waymark-xss-'));
    probed = probe(work);
    built = library(work, probed);
    const dist = join(work, 'dist');
    cpSync(DIST, dist, { recursive: true });
    execFileSync(WAYMARK, ['build', built.dir, '--env', 'production', '--out', join(dist, 'content.wmb'),
      '--sign-key', join(ROOT, 'extension/keys/demo-signing-key.txt')], { stdio: ['ignore', 'ignore', 'inherit'] });
    built.dist = dist;
  });
  after(() => {
    app?.stop();
    if (work && !process.env.KEEP) rmSync(work, { recursive: true, force: true });
  });

  test('the corpus is large and the CLI refuses raw HTML and script URLs with file:line:col', () => {
    assert.ok(PAYLOADS.length >= 100, `${PAYLOADS.length} payloads`);
    const by = (ctx, p) => probed.find((f) => f.ctx === ctx && f.p === p);
    // Markdown that would be HTML, and links or images to script URLs, never
    // reach a bundle.
    // (`<img src=x onerror=a=1>` is not HTML to CommonMark: an unquoted
    // attribute value cannot hold `=`; it is shown as the text it is.)
    for (const p of ['<script>window.__xssHit=1</script>', '<img src="x" onerror="window.__xssHit=1">', '<svg><script>window.__xssHit=1</script></svg>']) {
      assert.equal(by('article_body', p).accepted, false, `raw HTML accepted in a body: ${p}`);
    }
    for (const p of PAYLOADS.filter((x) => /^\s*(javascript|vbscript|data):/i.test(x))) {
      assert.equal(by('link_target', p).accepted, false, `link to ${p} accepted`);
      assert.equal(by('image_src', p).accepted, false, `image from ${p} accepted`);
    }
    // Plain-text places take any text: it is shown as text.
    for (const ctx of ['walkthrough_title', 'step_title', 'choice_label', 'article_title']) {
      const refused = probed.filter((f) => f.ctx === ctx && !f.accepted).length;
      assert.equal(refused, 0, `${refused} payloads refused as ${ctx}`);
    }
    const played = probed.filter((f) => f.accepted).length;
    console.log(`# ${PAYLOADS.length} payloads × ${Object.keys(WALKTHROUGH).length + Object.keys(ARTICLE).length} places: ${played} built and played, ${probed.length - played} refused by waymark validate`);
  });

  test('no payload runs, links or injects anything in the panel, articles, cards or search', async () => {
    const browser = await launch({ dist: built.dist });
    try {
      const page = await browser.context.newPage();
      const problems = watchConsole(page);
      await page.addInitScript(() => {
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      await page.goto(`${app.url}/crm/deals`);
      await page.getByTestId('new-deal').waitFor();
      await clickLauncher(page);
      const frame = await overlayFrame(page);
      await frame.locator('input.search').waitFor();
      const findings = [];
      const check = async (where) => {
        const seen = await frame.evaluate(inspect);
        if (seen.bad.length || seen.hit !== null) findings.push({ where, ...seen });
        return seen;
      };

      // Every article: its payload-laden title and body.
      for (const title of built.articles) {
        const item = frame.locator('button.item', { hasText: title });
        await item.waitFor();
        await settled(frame, `opening ${title}`);
        await item.click();
        await frame.locator('section.panel.article').waitFor();
        await check(title);
        await clickInCard(frame, 'Back to results');
        await frame.locator('input.search').waitFor();
      }

      // Every search: the query is shown back (in the box, in "No results
      // for ...") and matched against synonyms carrying payloads.
      let searches = 0;
      for (const p of PAYLOADS) {
        await frame.locator('input.search').fill(p);
        let last = null;
        await until(async () => {
          const now = await frame.evaluate(() => document.getElementById('root').textContent);
          const same = now === last;
          last = now;
          return same;
        }, 'the results to settle');
        await check(`search ${JSON.stringify(p.slice(0, 40))}`);
        searches++;
      }
      await frame.locator('input.search').fill('XSS tour');

      // The walkthrough: each card, taking the first choice where offered.
      const tour = frame.locator('button.item', { hasText: 'XSS tour' });
      await tour.waitFor();
      await settled(frame, 'starting the tour');
      await tour.click();
      let cards = 0;
      for (;;) {
        const card = frame.locator('section.panel.card');
        await card.waitFor();
        const heading = await frame.locator('h1').first().textContent();
        await check(`card ${cards + 1}`);
        cards++;
        const choice = frame.locator('button.choice').first();
        if (await choice.count()) {
          await settled(frame, 'a choice');
          await choice.click();
        } else {
          const finish = frame.getByRole('button', { name: 'Finish', exact: true });
          if (await finish.count()) {
            await clickInCard(frame, 'Finish');
            break;
          }
          await clickInCard(frame, 'Next');
        }
        await until(async () => (await frame.locator('h1').first().textContent().catch(() => null)) !== heading, 'the next card');
      }

      assert.deepEqual(findings, [], 'nothing the views do not make');
      assert.equal(await page.evaluate(() => window.__xssHit ?? null), null, 'no script ran in the host page');
      assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation in the host page');
      // The one allowed media host does not exist on this machine: its
      // images fail to load, which is all they may do.
      const unexpected = problems.filter((p) => !/^error: Failed to load resource: .*\(https:\/\/media\.acme\.example\//.test(p));
      assert.deepEqual(unexpected, [], 'host console is clean');
      console.log(`# played: ${built.articles.length} articles, ${cards} cards, ${searches} searches`);
    } finally {
      await browser.close();
    }
  });
});
