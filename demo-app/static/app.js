/*
 * Acme Suite — a FAKE third-party SaaS app (CRM / point of sale / HR).
 *
 * It exists only so Waymark's end-to-end tests and demo walkthroughs have a
 * realistic host app to guide users through; it shares no code with Waymark.
 *
 * Deliberately hostile-but-realistic behaviour the tests depend on:
 *  - LATE RENDERING: after every route change (and on first load) the main
 *    area shows a loading skeleton, and the real content appears 300–700 ms
 *    later.
 *  - UNSTABLE IDS: every render gives buttons, inputs, selects and labels
 *    fresh random `id`s (labels follow with `for=`), so ids are useless as
 *    selectors. Class names are stable; only a few key elements carry a
 *    `data-testid`. Everything else is reachable by ARIA role + accessible
 *    name, label text or visible text.
 *  - The deals search re-renders the table rows (with new ids) on every
 *    keystroke.
 *
 * It runs under a strict CSP with Trusted Types: the DOM is built only with
 * createElement / textContent / append / replaceChildren.
 */
'use strict';

(function () {
  // ---------------------------------------------------------------- helpers

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'required', 'hidden']);

  /** A fresh, random id: unstable on purpose. */
  function uid(prefix) {
    return prefix + '-' + Math.random().toString(36).slice(2, 9);
  }

  /** createElement with attributes, properties, listeners and children. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    appendAll(el, children);
    for (const [key, val] of Object.entries(props || {})) {
      if (val === null || val === undefined || val === false) continue;
      if (key === 'class') el.className = val;
      else if (key === 'text') el.textContent = val;
      else if (key.startsWith('on') && typeof val === 'function') {
        el.addEventListener(key.slice(2), val);
      } else if (PROPS.has(key)) el[key] = val;
      else el.setAttribute(key, val === true ? '' : String(val));
    }
    return el;
  }

  function appendAll(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
  }

  const ICONS = {
    bell: 'M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0',
    star: 'M12 2l3.09 6.26L22 9.27l-5 4.87 1.18 6.88L12 17.77l-6.18 3.25L7 14.14 2 9.27l6.91-1.01z',
    plus: 'M12 5v14M5 12h14',
    minus: 'M5 12h14',
    close: 'M18 6 6 18M6 6l12 12',
    search: 'M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35',
    help: 'M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3M12 17h.01',
  };

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon icon-' + name);
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  const money = (cents) => currency.format(cents / 100);
  const plural = (n, one, many) => n + ' ' + (n === 1 ? one : many);

  function formatDate(iso) {
    if (!iso) return '—';
    const [y, m, d] = iso.split('-').map(Number);
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    return months[m - 1] + ' ' + d + ', ' + y;
  }

  function dayNumber(iso) {
    const [y, m, d] = iso.split('-').map(Number);
    return Date.UTC(y, m - 1, d) / 86400000;
  }

  function load(key, fallback) {
    try {
      const raw = window.sessionStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (_) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(value));
    } catch (_) {
      /* storage unavailable: keep in memory only */
    }
  }

  // ------------------------------------------------------------------ data

  const PRODUCTS = [
    { sku: 'ESP', name: 'Espresso beans', price: 1450 },
    { sku: 'MUG', name: 'Ceramic mug', price: 900 },
    { sku: 'KET', name: 'Pour-over kettle', price: 3999 },
    { sku: 'FLT', name: 'Paper filters', price: 425 },
    { sku: 'GRN', name: 'Burr grinder', price: 8900 },
    { sku: 'TUM', name: 'Travel tumbler', price: 2400 },
    { sku: 'GFT', name: 'Gift card', price: 2500 },
    { sku: 'OAT', name: 'Oat milk', price: 375 },
  ];

  const CARD_LIMIT = 15000;

  const STAGES = ['Prospecting', 'Qualified', 'Proposal', 'Won', 'Lost'];

  const state = {
    deals: load('acme.deals', [
      { name: 'Northwind renewal', company: 'Northwind Traders', amount: 4800000, stage: 'Proposal', close: '2026-04-15' },
      { name: 'Globex expansion', company: 'Globex Corporation', amount: 12500000, stage: 'Qualified', close: '2026-05-30' },
      { name: 'Initech POS rollout', company: 'Initech', amount: 3250000, stage: 'Prospecting', close: '2026-06-12' },
      { name: 'Umbrella HR suite', company: 'Umbrella Health', amount: 7620000, stage: 'Won', close: '2026-02-27' },
      { name: 'Hooli data migration', company: 'Hooli', amount: 1890000, stage: 'Lost', close: '2026-01-20' },
      { name: 'Stark field tablets', company: 'Stark Industries', amount: 21000000, stage: 'Proposal', close: '2026-04-03' },
      { name: 'Wayne retail pilot', company: 'Wayne Enterprises', amount: 1275000, stage: 'Prospecting', close: '2026-07-01' },
      { name: 'Soylent annual plan', company: 'Soylent Foods', amount: 5430000, stage: 'Qualified', close: '2026-05-08' },
    ]),
    starred: new Set(),
    cart: [],
    orders: load('acme.orders', [
      order(1047, '2026-03-05', 'Priya Nair', [['ESP', 1], ['OAT', 2]]),
      order(1046, '2026-03-04', 'Sam Lee', [['MUG', 4]]),
      order(1045, '2026-03-03', 'Walk-in customer', [['KET', 1], ['GFT', 1]]),
      order(1044, '2026-03-03', 'Ana Souza', [['TUM', 2], ['OAT', 4]]),
      order(1043, '2026-03-02', 'Leo Martins', [['GRN', 1]]),
      order(1042, '2026-03-02', 'Maya Patel', [['ESP', 2], ['MUG', 1], ['FLT', 3]]),
    ]),
    timeOff: load('acme.timeoff', [
      { start: '2026-02-03', end: '2026-02-03', type: 'Sick leave', days: 1, status: 'Approved', note: '' },
      { start: '2026-01-12', end: '2026-01-16', type: 'Vacation', days: 5, status: 'Approved', note: 'Ski trip' },
      { start: '2025-12-24', end: '2025-12-26', type: 'Personal', days: 3, status: 'Declined', note: 'Family visit' },
    ]),
  };

  function productBySku(sku) {
    return PRODUCTS.find((p) => p.sku === sku);
  }

  function order(number, date, customer, lines) {
    return {
      number,
      date,
      customer,
      lines: lines.map(([sku, qty]) => {
        const p = productBySku(sku);
        return { sku, name: p.name, price: p.price, qty, refunded: 0 };
      }),
    };
  }

  const orderTotal = (o) => o.lines.reduce((sum, l) => sum + l.price * l.qty, 0);

  function orderStatus(o) {
    const refunded = o.lines.reduce((n, l) => n + l.refunded, 0);
    if (refunded === 0) return 'Paid';
    return o.lines.every((l) => l.refunded >= l.qty) ? 'Refunded' : 'Partially refunded';
  }

  // ---------------------------------------------------------------- chrome

  const root = document.getElementById('app');
  const navLinks = {};
  const sidebar = h('nav', { class: 'sidebar', 'aria-label': 'Section' });
  const main = h('main', { class: 'content', id: 'main', tabindex: '-1' });
  const toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });

  const MODULES = {
    crm: { label: 'CRM', home: '/crm/deals', links: [['Deals', '/crm/deals']] },
    pos: { label: 'POS', home: '/pos/checkout', links: [['Checkout', '/pos/checkout'], ['Refunds', '/pos/refunds']] },
    hr: { label: 'HR', home: '/hr/time-off', links: [['Time off', '/hr/time-off']] },
  };

  function renderChrome() {
    const nav = h('nav', { class: 'topnav', 'aria-label': 'Main' });
    for (const [key, mod] of Object.entries(MODULES)) {
      navLinks[key] = h('a', {
        class: 'topnav-link',
        href: mod.home,
        id: uid('nav'),
        'data-testid': 'nav-' + key,
        text: mod.label,
      });
      nav.append(navLinks[key]);
    }
    const topbar = h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', href: '/crm/deals' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true', text: 'A' }), 'Acme Suite'),
      nav,
      h(
        'div',
        { class: 'topbar-actions' },
        h('button', {
          type: 'button',
          class: 'icon-btn',
          id: uid('btn'),
          'aria-label': 'Notifications',
          onclick: () => toast('No new notifications'),
        }, icon('bell')),
        h('button', {
          type: 'button',
          class: 'icon-btn',
          id: uid('btn'),
          'aria-label': 'Help center',
          onclick: () => toast('The Acme help center is offline for maintenance'),
        }, icon('help')),
        userMenu()
      )
    );
    root.replaceChildren(topbar, h('div', { class: 'layout' }, sidebar, main), toasts);
  }

  // Who can sign in to the demo. Switching user (the menu on the avatar)
  // reloads the app as that person, as real apps do.
  const USERS = {
    jordan: { id: 'jordan.diaz', name: 'Jordan Diaz', initials: 'JD', title: 'Store manager', roles: 'store-manager, sales', region: 'emea' },
    sam: { id: 'sam.okafor', name: 'Sam Okafor', initials: 'SO', title: 'HR partner', roles: 'hr', region: 'emea' },
  };

  function userMenu() {
    const me = USERS[load('acme:user', 'jordan')] || USERS.jordan;
    const menu = h('div', { class: 'user-menu', role: 'menu', id: 'user-menu', 'aria-label': 'Switch user', hidden: true },
      Object.entries(USERS).map(([key, u]) => h('button', {
        type: 'button', class: 'user-menu-item', role: 'menuitemradio', 'aria-checked': String(u === me),
        'data-testid': 'switch-user-' + key,
        onclick: () => { save('acme:user', key); location.reload(); },
      }, u.name + ' · ' + u.title)));
    const toggle = h('button', {
      type: 'button', class: 'avatar-btn', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': 'user-menu',
      'aria-label': 'Signed in as ' + me.name + ' (' + me.title + ')',
      onclick: () => {
        menu.hidden = !menu.hidden;
        toggle.setAttribute('aria-expanded', String(!menu.hidden));
      },
    },
      // Who is signed in, the way real apps expose it to their own
      // scripts: an admin's policy can read it (user.from_page).
      h('span', {
        class: 'avatar', title: me.name + ' (' + me.title + ')', 'aria-hidden': 'true', text: me.initials,
        'data-testid': 'current-user', 'data-user-id': me.id, 'data-roles': me.roles, 'data-region': me.region,
      }));
    menu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { menu.hidden = true; toggle.setAttribute('aria-expanded', 'false'); toggle.focus(); }
    });
    return h('div', { class: 'user' }, toggle, menu);
  }

  function updateChrome(moduleKey, path) {
    for (const [key, link] of Object.entries(navLinks)) {
      link.classList.toggle('active', key === moduleKey);
      if (key === moduleKey) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const mod = MODULES[moduleKey];
    sidebar.hidden = !mod;
    if (!mod) return sidebar.replaceChildren();
    const list = h('ul', { class: 'sidebar-list' });
    for (const [label, href] of mod.links) {
      const current = path === href || path.startsWith(href + '/');
      list.append(h('li', {}, h('a', {
        class: 'sidebar-link' + (current ? ' active' : ''),
        href,
        'aria-current': current ? 'page' : null,
        text: label,
      })));
    }
    sidebar.replaceChildren(h('p', { class: 'sidebar-title', text: mod.label }), list);
  }

  function toast(message) {
    const el = h('div', { class: 'toast', text: message });
    toasts.append(el);
    setTimeout(() => el.remove(), 4000);
  }

  function skeleton() {
    return h(
      'div',
      { class: 'skeleton', 'aria-busy': 'true' },
      h('span', { class: 'sr-only', text: 'Loading…' }),
      h('div', { class: 'skeleton-bar skeleton-title' }),
      [1, 2, 3, 4, 5].map(() => h('div', { class: 'skeleton-bar' }))
    );
  }

  // ---------------------------------------------------------------- router

  const ROUTES = [
    { path: '/crm/deals', module: 'crm', title: 'Deals', render: dealsView },
    { path: '/crm/deals/new', module: 'crm', title: 'New deal', render: newDealView },
    { path: '/pos/checkout', module: 'pos', title: 'Checkout', render: checkoutView },
    { path: '/pos/refunds', module: 'pos', title: 'Refunds', render: refundsView },
    { path: '/hr/time-off', module: 'hr', title: 'Time off', render: timeOffView },
  ];

  let renderToken = 0;

  function navigate(url) {
    if (url !== location.pathname + location.search + location.hash) {
      history.pushState(null, '', url);
    }
    render();
  }

  function render() {
    const token = ++renderToken;
    let path = location.pathname.replace(/\/+$/, '') || '/';
    if (path === '/') {
      history.replaceState(null, '', '/crm/deals');
      path = '/crm/deals';
    }
    const route = ROUTES.find((r) => r.path === path) || { module: null, title: 'Page not found', render: notFoundView };
    updateChrome(route.module, path);
    document.title = route.title + ' · Acme Suite';
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(skeleton());
    const delay = 300 + Math.floor(Math.random() * 401);
    setTimeout(() => {
      if (token !== renderToken) return; // a newer navigation won
      const params = new URLSearchParams(location.search);
      main.replaceChildren(h('div', { class: 'view' }, route.render(params)));
      main.removeAttribute('aria-busy');
    }, delay);
  }

  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/fixtures/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });

  window.addEventListener('popstate', render);

  // ------------------------------------------------------- shared widgets

  function pageHeader(title, subtitle, ...actions) {
    return h(
      'div',
      { class: 'page-header' },
      h('div', {}, h('h1', { class: 'page-title', text: title }), subtitle ? h('p', { class: 'page-subtitle', text: subtitle }) : null),
      actions.length ? h('div', { class: 'page-actions' }, actions) : null
    );
  }

  function button(text, cls, props) {
    return h('button', Object.assign({ type: 'button', id: uid('btn'), class: 'btn ' + cls, text }, props || {}));
  }

  /**
   * A labelled form field. `control` is the input/select/textarea; it gets a
   * fresh id and its label points at it. Returns { wrap, control, setError }.
   */
  function field(labelText, control, hint) {
    const id = uid(control.tagName === 'SELECT' ? 'sel' : 'fld');
    control.id = id;
    control.classList.add('control');
    const error = h('p', { class: 'field-error', id: uid('err'), hidden: true });
    const hintEl = hint ? h('p', { class: 'field-hint', id: uid('hint'), text: hint }) : null;
    if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
    const wrap = h('div', { class: 'field' }, h('label', { for: id, id: uid('lbl'), class: 'field-label', text: labelText }), control, hintEl, error);
    function setError(message) {
      error.textContent = message || '';
      error.hidden = !message;
      wrap.classList.toggle('has-error', Boolean(message));
      if (message) {
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', [error.id, hintEl && hintEl.id].filter(Boolean).join(' '));
      } else {
        control.removeAttribute('aria-invalid');
        if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
        else control.removeAttribute('aria-describedby');
      }
    }
    return { wrap, control, setError };
  }

  function select(name, options, value) {
    return h('select', { name, value }, options.map((o) => (Array.isArray(o) ? h('option', { value: o[0], text: o[1] }) : h('option', { value: o, text: o }))));
  }

  /** Shows `banner` (role=alert) for a list of errors, or hides it. */
  function showErrors(banner, count, verb) {
    banner.hidden = count === 0;
    banner.textContent = count === 0 ? '' : 'Please fix ' + plural(count, 'error', 'errors') + ' before ' + verb + '.';
  }

  function errorBanner() {
    return h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  }

  /** A modal confirmation <dialog>; calls onConfirm when "Confirm" is chosen. */
  function confirmDialog(title, bodyText, onConfirm) {
    const titleId = uid('dlg-title');
    const bodyId = uid('dlg-body');
    const dialog = h(
      'dialog',
      { class: 'modal', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
      h('div', { class: 'modal-header' },
        h('h2', { class: 'modal-title', id: titleId, text: title }),
        h('button', { type: 'button', class: 'icon-btn', id: uid('btn'), 'aria-label': 'Close', onclick: () => dialog.close('cancel') }, icon('close'))),
      h('p', { class: 'modal-body', id: bodyId, text: bodyText }),
      h('div', { class: 'modal-actions' },
        button('Cancel', 'btn-secondary', { onclick: () => dialog.close('cancel') }),
        button('Confirm', 'btn-primary', { onclick: () => dialog.close('confirm') }))
    );
    dialog.addEventListener('close', () => {
      const confirmed = dialog.returnValue === 'confirm';
      dialog.remove();
      if (confirmed) onConfirm();
    });
    main.append(dialog);
    dialog.showModal();
    return dialog;
  }

  // -------------------------------------------------------------- CRM

  function dealsView() {
    const tbody = h('tbody');
    const count = h('p', { class: 'page-subtitle', 'aria-live': 'polite' });
    const search = h('input', {
      type: 'search',
      name: 'q',
      class: 'control search-input',
      placeholder: 'Search deals…',
      autocomplete: 'off',
      oninput: () => fillRows(search.value),
    });

    function fillRows(query) {
      const q = query.trim().toLowerCase();
      const rows = state.deals.filter((d) => !q || [d.name, d.company, d.stage].some((s) => s.toLowerCase().includes(q)));
      count.textContent = q ? plural(rows.length, 'deal', 'deals') + ' match “' + query.trim() + '”' : plural(rows.length, 'deal', 'deals');
      if (rows.length === 0) {
        tbody.replaceChildren(h('tr', { class: 'empty-row' }, h('td', { colspan: '6', text: 'No deals match your search.' })));
        return;
      }
      // Re-keyed on purpose: every keystroke builds new rows with new ids.
      tbody.replaceChildren(...rows.map((d) => {
        const starred = state.starred.has(d.name);
        const star = h('button', {
          type: 'button',
          id: uid('star'),
          class: 'icon-btn star-btn' + (starred ? ' is-starred' : ''),
          'aria-label': 'Star ' + d.name,
          'aria-pressed': String(starred),
          onclick: () => {
            if (state.starred.has(d.name)) state.starred.delete(d.name);
            else state.starred.add(d.name);
            fillRows(search.value);
          },
        }, icon('star'));
        return h('tr', { id: uid('row'), class: 'deal-row' },
          h('td', { class: 'cell-icon' }, star),
          h('td', { class: 'deal-name', text: d.name }),
          h('td', { text: d.company }),
          h('td', { class: 'num', text: money(d.amount) }),
          h('td', {}, h('span', { class: 'badge stage-' + d.stage.toLowerCase(), text: d.stage })),
          h('td', { text: formatDate(d.close) }));
      }));
    }

    search.id = uid('search');
    fillRows('');
    return [
      pageHeader('Deals', null, button('New deal', 'btn-primary', { 'data-testid': 'new-deal', onclick: () => navigate('/crm/deals/new') })),
      count,
      h('div', { class: 'toolbar' },
        h('div', { class: 'search' },
          icon('search'),
          h('label', { for: search.id, class: 'sr-only', text: 'Search deals' }),
          search)),
      h('div', { class: 'card table-card' },
        h('table', { class: 'table', 'aria-label': 'Deals' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: 'Starred' })),
            h('th', { scope: 'col', text: 'Deal' }),
            h('th', { scope: 'col', text: 'Company' }),
            h('th', { scope: 'col', class: 'num', text: 'Amount' }),
            h('th', { scope: 'col', text: 'Stage' }),
            h('th', { scope: 'col', text: 'Close date' }))),
          tbody)),
    ];
  }

  function newDealView() {
    const banner = errorBanner();
    const name = field('Deal name', h('input', { type: 'text', name: 'name', autocomplete: 'off', required: true }));
    const company = field('Company', h('input', { type: 'text', name: 'company', autocomplete: 'organization', required: true }));
    const amount = field('Amount', h('input', { type: 'number', name: 'amount', min: '0.01', step: '0.01', inputmode: 'decimal', required: true }), 'In US dollars.');
    const stage = field('Stage', select('stage', STAGES, 'Prospecting'));
    const close = field('Close date', h('input', { type: 'date', name: 'close' }));
    const saveBtn = h('button', { type: 'submit', id: uid('btn'), class: 'btn btn-primary', 'data-testid': 'save-deal', text: 'Save deal' });

    function validate() {
      const checks = [
        [name, name.control.value.trim() ? '' : 'Enter a deal name.'],
        [company, company.control.value.trim() ? '' : 'Enter a company.'],
        [amount, Number(amount.control.value) > 0 && amount.control.value.trim() !== '' ? '' : 'Enter an amount greater than 0.'],
      ];
      const failed = [];
      for (const [f, message] of checks) {
        f.setError(message);
        if (message) failed.push(f);
      }
      return failed;
    }

    const form = h('form', {
      class: 'card form',
      novalidate: true,
      'aria-label': 'New deal',
      onsubmit: (event) => {
        event.preventDefault();
        const failed = validate();
        showErrors(banner, failed.length, 'saving');
        if (failed.length) {
          failed[0].control.focus();
          return;
        }
        saveBtn.disabled = true;
        saveBtn.textContent = 'Saving…';
        setTimeout(() => {
          state.deals.unshift({
            name: name.control.value.trim(),
            company: company.control.value.trim(),
            amount: Math.round(Number(amount.control.value) * 100),
            stage: stage.control.value,
            close: close.control.value,
          });
          save('acme.deals', state.deals);
          toast('Deal saved');
          navigate('/crm/deals');
        }, 250);
      },
    },
    h('div', { class: 'form-grid' }, name.wrap, company.wrap, amount.wrap, stage.wrap, close.wrap),
    h('div', { class: 'form-actions' }, saveBtn, button('Cancel', 'btn-secondary', { onclick: () => navigate('/crm/deals') })));

    return [
      h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '/crm/deals', text: 'Deals' }), h('span', { 'aria-hidden': 'true', text: ' / ' }), h('span', { text: 'New deal' })),
      pageHeader('New deal', 'Add an opportunity to your pipeline.'),
      banner,
      form,
    ];
  }

  // -------------------------------------------------------------- POS


  function checkoutView() {
    const cartTitleId = uid('cart-title');
    const cartBox = h('section', { class: 'card cart', 'aria-labelledby': cartTitleId });
    const notice = h('div', { class: 'notice-slot' });
    const cartTotal = () => state.cart.reduce((sum, l) => sum + productBySku(l.sku).price * l.qty, 0);

    function changeQty(sku, delta) {
      const line = state.cart.find((l) => l.sku === sku);
      if (line) line.qty += delta;
      else if (delta > 0) state.cart.push({ sku, qty: delta });
      state.cart = state.cart.filter((l) => l.qty > 0);
      notice.replaceChildren();
      renderCart();
    }

    function renderCart() {
      const total = cartTotal();
      const lines = state.cart.map((l) => {
        const p = productBySku(l.sku);
        return h('li', { class: 'cart-line', id: uid('line') },
          h('span', { class: 'cart-name', text: p.name }),
          h('span', { class: 'qty' },
            h('button', { type: 'button', class: 'icon-btn small', id: uid('btn'), 'aria-label': 'Decrease quantity of ' + p.name, onclick: () => changeQty(l.sku, -1) }, icon('minus')),
            h('span', { class: 'qty-value', text: String(l.qty) }),
            h('button', { type: 'button', class: 'icon-btn small', id: uid('btn'), 'aria-label': 'Increase quantity of ' + p.name, onclick: () => changeQty(l.sku, 1) }, icon('plus'))),
          h('span', { class: 'num', text: money(p.price * l.qty) }),
          h('button', { type: 'button', class: 'icon-btn small', id: uid('btn'), 'aria-label': 'Remove ' + p.name, onclick: () => changeQty(l.sku, -l.qty) }, icon('close')));
      });
      cartBox.replaceChildren(
        h('h2', { class: 'card-title', id: cartTitleId, text: 'Cart' }),
        lines.length ? h('ul', { class: 'cart-lines' }, lines) : h('p', { class: 'muted', text: 'Cart is empty. Tap a product to add it.' }),
        h('div', { class: 'cart-total' }, h('span', { text: 'Total' }), h('strong', { class: 'cart-total-value', text: money(total) })),
        button('Charge', 'btn-primary btn-block', {
          'data-testid': 'charge',
          disabled: total === 0,
          onclick: () => confirmDialog('Confirm payment', 'Charge ' + money(total) + ' to the customer\u2019s card?', () => {
            // The demo card's limit: larger charges are declined (Solve moment).
            if (total > CARD_LIMIT) {
              notice.replaceChildren(h('div', { class: 'alert alert-error', role: 'alert', text: 'Card declined by the issuer: insufficient funds. Nothing was charged.' }));
              return;
            }
            const number = Math.max(...state.orders.map((o) => o.number)) + 1;
            const today = new Date().toISOString().slice(0, 10);
            state.orders.unshift(order(number, today, 'Walk-in customer', state.cart.map((l) => [l.sku, l.qty])));
            save('acme.orders', state.orders);
            state.cart = [];
            renderCart();
            notice.replaceChildren(h('div', { class: 'alert alert-success', role: 'status', text: 'Payment of ' + money(total) + ' approved. Order #' + number + ' created.' }));
          }),
        })
      );
    }

    renderCart();
    const grid = h('div', { class: 'product-grid', role: 'group', 'aria-label': 'Products' }, PRODUCTS.map((p) =>
      h('button', { type: 'button', class: 'product', id: uid('prod'), onclick: () => changeQty(p.sku, 1) },
        h('span', { class: 'product-name', text: p.name }),
        h('span', { class: 'product-price', text: money(p.price) }))));
    return [
      pageHeader('Checkout', 'Register 2 · Main Street store'),
      notice,
      h('div', { class: 'checkout' }, grid, cartBox),
    ];
  }

  function refundsView(params) {
    if (params.has('order')) return orderDetailView(params.get('order'));
    const rows = state.orders.map((o) => {
      const status = orderStatus(o);
      return h('tr', { id: uid('row') },
        h('td', { class: 'order-number', text: '#' + o.number }),
        h('td', { text: formatDate(o.date) }),
        h('td', { text: o.customer }),
        h('td', { class: 'items', text: o.lines.map((l) => l.qty + ' × ' + l.name).join(', ') }),
        h('td', { class: 'num', text: money(orderTotal(o)) }),
        h('td', {}, h('span', { class: 'badge status-' + status.toLowerCase().replace(/ /g, '-'), text: status })),
        h('td', { class: 'cell-action' }, button('Refund', 'btn-secondary btn-small', {
          'aria-label': 'Refund order ' + o.number,
          disabled: status === 'Refunded',
          onclick: () => navigate('/pos/refunds?order=' + o.number),
        })));
    });
    return [
      pageHeader('Refunds', 'Recent orders from the last 7 days.'),
      h('div', { class: 'card table-card' },
        h('table', { class: 'table', 'aria-label': 'Recent orders' },
          h('thead', {}, h('tr', {},
            ['Order', 'Date', 'Customer', 'Items'].map((t) => h('th', { scope: 'col', text: t })),
            h('th', { scope: 'col', class: 'num', text: 'Total' }),
            h('th', { scope: 'col', text: 'Status' }),
            h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: 'Actions' })))),
          h('tbody', {}, rows))),
    ];
  }

  function orderDetailView(number) {
    const o = state.orders.find((x) => String(x.number) === number);
    const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '/pos/refunds', text: 'Refunds' }), h('span', { 'aria-hidden': 'true', text: ' / ' }), h('span', { text: 'Order #' + number }));
    if (!o) {
      return [crumbs, pageHeader('Order not found', 'There is no order #' + number + '.'), h('a', { href: '/pos/refunds', class: 'btn btn-secondary', text: 'Back to refunds' })];
    }
    const banner = errorBanner();
    const totalEl = h('strong', { class: 'refund-total-value', text: money(0) });
    const itemsError = h('p', { class: 'field-error', id: uid('err'), hidden: true });
    const lines = [];

    const rows = o.lines.map((l) => {
      const available = l.qty - l.refunded;
      const check = h('input', { type: 'checkbox', id: uid('chk'), name: 'refund-item', value: l.sku, class: 'checkbox', disabled: available === 0, onchange: update });
      const qty = h('input', { type: 'number', id: uid('qty'), name: 'refund-qty', class: 'control qty-input', min: '1', max: String(available), step: '1', value: String(Math.max(available, 1)), disabled: true, oninput: update });
      const nameId = uid('item');
      check.setAttribute('aria-describedby', nameId);
      qty.setAttribute('aria-describedby', nameId);
      const qtyError = h('p', { class: 'field-error', id: uid('err'), hidden: true });
      lines.push({ line: l, available, check, qty, qtyError });
      return h('tr', { id: uid('row'), class: available === 0 ? 'is-refunded' : null },
        h('td', { class: 'cell-icon' }, h('label', { for: check.id, class: 'sr-only', text: 'Select item to refund' }), check),
        h('td', {}, h('span', { id: nameId, class: 'item-name', text: l.name }), l.refunded ? h('span', { class: 'muted small', text: ' (' + l.refunded + ' refunded)' }) : null),
        h('td', { class: 'num', text: money(l.price) }),
        h('td', { class: 'num', text: String(l.qty) }),
        h('td', {}, h('label', { for: qty.id, class: 'sr-only', text: 'Quantity to refund' }), qty, qtyError));
    });

    function selectedLines() {
      return lines.filter((x) => x.check.checked);
    }

    function update() {
      let total = 0;
      for (const x of lines) {
        x.qty.disabled = !x.check.checked;
        const n = Number(x.qty.value);
        if (x.check.checked && Number.isInteger(n) && n >= 1 && n <= x.available) total += n * x.line.price;
      }
      totalEl.textContent = money(total);
      return total;
    }

    const reason = field('Refund reason', select('reason', [['', 'Choose a reason…'], 'Damaged', 'Wrong item', 'Customer changed mind', 'Other'], ''));
    const submit = button('Refund selected items', 'btn-primary', {
      'data-testid': 'refund-submit',
      onclick: () => {
        let errors = 0;
        const chosen = selectedLines();
        itemsError.hidden = chosen.length > 0;
        itemsError.textContent = chosen.length ? '' : 'Select at least one item to refund.';
        if (!chosen.length) errors++;
        for (const x of lines) {
          const n = Number(x.qty.value);
          const bad = x.check.checked && !(Number.isInteger(n) && n >= 1 && n <= x.available);
          x.qtyError.hidden = !bad;
          x.qtyError.textContent = bad ? 'Enter a quantity between 1 and ' + x.available + '.' : '';
          if (bad) {
            x.qty.setAttribute('aria-invalid', 'true');
            errors++;
          } else x.qty.removeAttribute('aria-invalid');
        }
        reason.setError(reason.control.value ? '' : 'Choose a refund reason.');
        if (!reason.control.value) errors++;
        showErrors(banner, errors, 'refunding');
        if (errors) return;
        const total = update();
        const count = chosen.reduce((n, x) => n + Number(x.qty.value), 0);
        confirmDialog('Confirm refund', 'Refund ' + money(total) + ' for ' + plural(count, 'item', 'items') + ' to the original payment method?', () => {
          for (const x of chosen) x.line.refunded += Number(x.qty.value);
          save('acme.orders', state.orders);
          main.replaceChildren(h('div', { class: 'view' },
            crumbs,
            pageHeader('Order #' + o.number, o.customer + ' · ' + formatDate(o.date)),
            h('div', { class: 'alert alert-success', role: 'status', text: 'Refund of ' + money(total) + ' issued' }),
            h('p', {}, h('a', { href: '/pos/refunds', class: 'btn btn-secondary', text: 'Back to refunds' }))));
        });
      },
    });

    return [
      crumbs,
      pageHeader('Order #' + o.number, o.customer + ' · ' + formatDate(o.date) + ' · ' + money(orderTotal(o)) + ' · ' + orderStatus(o)),
      banner,
      h('div', { class: 'card' },
        h('h2', { class: 'card-title', text: 'Items' }),
        h('table', { class: 'table', 'aria-label': 'Order items' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: 'Select' })),
            h('th', { scope: 'col', text: 'Item' }),
            h('th', { scope: 'col', class: 'num', text: 'Price' }),
            h('th', { scope: 'col', class: 'num', text: 'Qty' }),
            h('th', { scope: 'col', text: 'Refund qty' }))),
          h('tbody', {}, rows)),
        itemsError,
        h('div', { class: 'refund-footer' },
          reason.wrap,
          h('p', { class: 'refund-total' }, 'Refund total: ', totalEl),
          h('div', { class: 'form-actions' }, submit, h('a', { href: '/pos/refunds', class: 'btn btn-secondary', text: 'Cancel' })))),
    ];
  }

  // --------------------------------------------------------------- HR

  const BALANCES = [['Vacation', 12], ['Sick leave', 5], ['Personal', 2]];

  function timeOffView() {
    const panel = h('div', { class: 'request-panel', hidden: true });
    const tbody = h('tbody');
    const toggle = button('Request time off', 'btn-primary', {
      'aria-expanded': 'false',
      onclick: () => (panel.hidden ? openForm() : closeForm()),
    });

    function fillTable() {
      tbody.replaceChildren(...state.timeOff.map((r) => h('tr', { id: uid('row') },
        h('td', { text: r.start === r.end ? formatDate(r.start) : formatDate(r.start) + ' – ' + formatDate(r.end) }),
        h('td', { text: r.type }),
        h('td', { class: 'num', text: String(r.days) }),
        h('td', {}, h('span', { class: 'badge status-' + r.status.toLowerCase(), text: r.status })),
        h('td', { class: 'muted', text: r.note || '—' }))));
    }

    function closeForm() {
      panel.hidden = true;
      panel.replaceChildren();
      toggle.setAttribute('aria-expanded', 'false');
    }

    function openForm() {
      const banner = errorBanner();
      const start = field('Start date', h('input', { type: 'date', name: 'start', required: true }));
      const end = field('End date', h('input', { type: 'date', name: 'end', required: true }));
      const type = field('Type', select('type', BALANCES.map((b) => b[0]), 'Vacation'));
      const note = field('Note', h('textarea', { name: 'note', rows: '3' }), 'Optional. Visible to your manager.');
      const titleId = uid('request-title');
      const form = h('form', {
        class: 'card form',
        novalidate: true,
        'aria-labelledby': titleId,
        onsubmit: (event) => {
          event.preventDefault();
          const s = start.control.value;
          const e = end.control.value;
          const failed = [];
          start.setError(s ? '' : 'Choose a start date.');
          if (!s) failed.push(start);
          const endMsg = !e ? 'Choose an end date.' : s && dayNumber(e) < dayNumber(s) ? 'End date must be on or after the start date.' : '';
          end.setError(endMsg);
          if (endMsg) failed.push(end);
          showErrors(banner, failed.length, 'submitting');
          if (failed.length) {
            failed[0].control.focus();
            return;
          }
          state.timeOff.unshift({ start: s, end: e, type: type.control.value, days: dayNumber(e) - dayNumber(s) + 1, status: 'Pending', note: note.control.value.trim() });
          save('acme.timeoff', state.timeOff);
          closeForm();
          fillTable();
          toast('Time-off request submitted');
        },
      },
      h('h2', { class: 'card-title', id: titleId, text: 'New time-off request' }),
      banner,
      h('div', { class: 'form-grid' }, start.wrap, end.wrap, type.wrap, note.wrap),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', id: uid('btn'), class: 'btn btn-primary', text: 'Submit request' }),
        button('Cancel', 'btn-secondary', { onclick: closeForm })));
      panel.replaceChildren(form);
      panel.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
    }

    fillTable();
    return [
      pageHeader('Time off', 'Plan leave and track your requests.', toggle),
      h('div', { class: 'balances' }, BALANCES.map(([label, days]) =>
        h('div', { class: 'card balance' }, h('span', { class: 'balance-label', text: label + ':' }), ' ', h('strong', { class: 'balance-value', text: plural(days, 'day', 'days') })))),
      panel,
      h('div', { class: 'card table-card' },
        h('h2', { class: 'card-title', text: 'Past requests' }),
        h('table', { class: 'table', 'aria-label': 'Past requests' },
          h('thead', {}, h('tr', {},
            ['Dates', 'Type'].map((t) => h('th', { scope: 'col', text: t })),
            h('th', { scope: 'col', class: 'num', text: 'Days' }),
            ['Status', 'Note'].map((t) => h('th', { scope: 'col', text: t })))),
          tbody)),
    ];
  }

  // ---------------------------------------------------------- not found

  function notFoundView() {
    return [
      pageHeader('Page not found', 'We could not find ' + location.pathname + '.'),
      h('p', {}, h('a', { href: '/crm/deals', class: 'btn btn-secondary', text: 'Back to Deals' })),
    ];
  }

  // ---------------------------------------------------------------- start

  renderChrome();
  render();
})();
