// Options page: shows which bundle the service worker loaded, or why none.
// The status is written by sw.js; this page only displays it.
const box = document.getElementById('status');

function line(text, tag = 'p') {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

function show(status) {
  if (!status) {
    box.replaceChildren(line('The service worker has not reported yet. Open a page where Waymark runs, then reload this page.'));
    return;
  }
  const when = new Date(status.at).toLocaleString();
  if (status.ok) {
    box.className = 'ok';
    const list = document.createElement('ul');
    for (const t of status.titles ?? []) list.append(line(t, 'li'));
    const parts = [];
    if (status.refused) {
      parts.push(line('A new content bundle was refused; the last good bundle stays in use.', 'strong'), line(`Reason: ${status.refused}`));
    }
    box.className = status.refused ? 'warn' : 'ok';
    box.replaceChildren(
      ...parts,
      line(`Bundle version ${status.bundle_version} (${status.env}, format v${status.format}, ${status.bytes} bytes) loaded at ${when}: ${status.walkthroughs} walkthroughs, ${status.steps} steps, ${status.articles} articles.`),
      list,
      line(`Signature verified against the ${status.keys}. Expires ${status.expires}.`),
      line(`Acts only on: ${(status.scope ?? []).join(', ')}.`),
      line(status.search_error ? `Search is off: ${status.search_error}` : 'Search is on.'),
    );
  } else {
    box.className = 'error';
    box.replaceChildren(
      line('No guidance is shown: the content bundle could not be used.', 'strong'),
      line(`Reason: ${status.error}`),
      line(`Checked at ${when}.`),
    );
  }
}

chrome.storage.local.get('status').then(({ status }) => show(status));
chrome.storage.onChanged.addListener((changes) => {
  if (changes.status) show(changes.status.newValue);
});
