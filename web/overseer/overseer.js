// The Overseer: a dashboard of the running Aegis app. It fills <main id="main" data-api="..."> from the JSON
// API (components every 10 s, the boot metadata once, host metrics every 5 s while the Overview tab is
// shown). No framework, no build step, no innerHTML: everything the API says (route paths, descriptions,
// options: users' code writes them) goes into the page as text nodes.
(function () {
  'use strict';

  const main = document.getElementById('main');
  if (!main) return;
  const API = (main.getAttribute('data-api') || '/overseer/api').replace(/\/+$/, '');
  const COMPONENTS_EVERY = 10000;
  const METRICS_EVERY = 5000;
  const HISTORY = 36; // metric samples kept for the sparklines (3 minutes at 5 s)
  const SVG_NS = 'http://www.w3.org/2000/svg';

  // ---- DOM helpers ----------------------------------------------------------------------------------
  function add(el, kids) {
    for (const kid of kids) {
      if (kid === null || kid === undefined || kid === false) continue;
      if (Array.isArray(kid)) add(el, kid);
      else el.append(typeof kid === 'object' ? kid : String(kid));
    }
    return el;
  }

  // h('span', {class: 'x', text: 'y', onclick: fn, 'data-a': 1}, ...children): strings become text nodes.
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    if (props) {
      for (const key of Object.keys(props)) {
        const value = props[key];
        if (value === null || value === undefined || value === false) continue;
        if (key === 'class') el.className = value;
        else if (key === 'text') el.textContent = String(value);
        else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? '' : String(value));
      }
    }
    return add(el, kids);
  }

  function svg(tag, attrs, ...kids) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const key of Object.keys(attrs || {})) el.setAttribute(key, String(attrs[key]));
    for (const kid of kids) if (kid) el.append(kid);
    return el;
  }

  // Line icons (24x24, stroked with currentColor), drawn with DOM calls.
  const ICONS = {
    backend: [['rect', { x: 3, y: 4, width: 18, height: 7, rx: 2 }], ['rect', { x: 3, y: 13, width: 18, height: 7, rx: 2 }],
      ['path', { d: 'M7 7.5h.01M7 16.5h.01M11 7.5h6M11 16.5h6' }]],
    database: [['ellipse', { cx: 12, cy: 5.5, rx: 8, ry: 3 }], ['path', { d: 'M4 5.5v13c0 1.7 3.6 3 8 3s8-1.3 8-3v-13' }],
      ['path', { d: 'M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3' }]],
    module: [['path', { d: 'M12 2.5 3.5 7v10l8.5 4.5 8.5-4.5V7z' }], ['path', { d: 'M3.5 7 12 11.5 20.5 7M12 11.5v10' }]],
    checks: [['path', { d: 'M3 12h4l2.5-6 5 12 2.5-6h4' }]],
    shield: [['path', { d: 'M12 2.5 20 5.5v6c0 5-3.4 8.6-8 10-4.6-1.4-8-5-8-10v-6z' }], ['path', { d: 'm8.5 12 2.5 2.5 4.5-5' }]],
    lock: [['rect', { x: 5, y: 11, width: 14, height: 10, rx: 2 }], ['path', { d: 'M8 11V7.5a4 4 0 0 1 8 0V11' }]],
    close: [['path', { d: 'M6 6l12 12M18 6 6 18' }]],
    arrow: [['path', { d: 'M4 12h15M13 6l6 6-6 6' }]],
    search: [['circle', { cx: 11, cy: 11, r: 6.5 }], ['path', { d: 'm16 16 4.5 4.5' }]],
    play: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M10 8.5v7l5.5-3.5z' }]],
    stop: [['circle', { cx: 12, cy: 12, r: 9 }], ['rect', { x: 9, y: 9, width: 6, height: 6, rx: 1 }]],
    layers: [['path', { d: 'M12 3 2.5 8 12 13l9.5-5z' }], ['path', { d: 'm2.5 12.5 9.5 5 9.5-5M2.5 16.5l9.5 5 9.5-5' }]],
  };
  function icon(name, cls) {
    const el = svg('svg', { viewBox: '0 0 24 24', width: 20, height: 20, fill: 'none', stroke: 'currentColor',
      'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true',
      focusable: 'false', class: 'icon' + (cls ? ' ' + cls : '') });
    for (const [tag, attrs] of ICONS[name] || []) el.append(svg(tag, attrs));
    return el;
  }

  let uid = 0;
  const nextId = (prefix) => 'ov-' + prefix + '-' + (++uid);

  // ---- formatting -----------------------------------------------------------------------------------
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  function fmtNumber(n, digits) {
    if (!isNum(n)) return '—';
    return n.toLocaleString('en', { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });
  }

  function fmtPercent(n) {
    return isNum(n) ? fmtNumber(n, 1) + ' %' : '—';
  }

  function fmtBytes(n) {
    if (!isNum(n) || n < 0) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
    return fmtNumber(v, i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0) + ' ' + units[i];
  }

  function fmtDuration(seconds) {
    if (!isNum(seconds) || seconds < 0) return '—';
    const s = Math.floor(seconds);
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + (s % 60) + ' s';
    const hr = Math.floor(m / 60);
    if (hr < 24) return hr + ' h ' + (m % 60) + ' min';
    const d = Math.floor(hr / 24);
    return d + ' d ' + (hr % 24) + ' h';
  }

  function parseTime(iso) {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : t;
  }

  function fmtRelative(iso) {
    const t = parseTime(iso);
    if (t === null) return 'at an unknown time';
    const s = Math.round((Date.now() - t) / 1000);
    if (s < 5) return 'just now';
    if (s < 60) return s + ' s ago';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ago';
    const hr = Math.floor(m / 60);
    if (hr < 24) return hr + ' h ago';
    return Math.floor(hr / 24) + ' d ago';
  }

  function fmtAbsolute(iso) {
    const t = parseTime(iso);
    return t === null ? String(iso || '') : new Date(t).toLocaleString();
  }

  // <time> elements that say "12 s ago" and keep saying the truth (the ticker below updates them).
  function relTime(iso) {
    const el = h('time', { 'data-rel': '' });
    setRelTime(el, iso);
    return el;
  }
  function setRelTime(el, iso) {
    el.setAttribute('datetime', iso || '');
    el.title = fmtAbsolute(iso);
    el.textContent = fmtRelative(iso);
  }
  setInterval(() => {
    document.querySelectorAll('time[data-rel]').forEach((el) => {
      const text = fmtRelative(el.getAttribute('datetime'));
      if (el.textContent !== text) el.textContent = text;
    });
  }, 1000);

  const STATUS = {
    healthy: { label: 'Healthy', cls: 'healthy', glyph: '✓' },
    unhealthy: { label: 'Unhealthy', cls: 'failing', glyph: '✕' },
    failing: { label: 'Failing', cls: 'failing', glyph: '✕' },
    unknown: { label: 'Unknown', cls: 'unknown', glyph: '?' },
  };
  const statusOf = (s) => STATUS[s] || { label: s ? String(s) : 'Unknown', cls: 'unknown', glyph: '?' };

  function badge(status) {
    const el = h('span', { class: 'badge' });
    setBadge(el, status);
    return el;
  }
  function setBadge(el, status) {
    const st = statusOf(status);
    el.className = 'badge status-' + st.cls;
    el.setAttribute('data-status', status || 'unknown');
    el.textContent = '';
    add(el, [h('span', { class: 'glyph', 'aria-hidden': 'true', text: st.glyph }), st.label]);
  }

  const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  const methodRank = (m) => { const i = METHOD_ORDER.indexOf(m); return i === -1 ? METHOD_ORDER.length : i; };
  const methodBadge = (m) => h('span', { class: 'method m-' + String(m).toLowerCase(), text: m });

  // "/api/orders/{id}" with the parameters set apart (as text nodes, never markup).
  function pathCode(path) {
    const code = h('code', { class: 'path' });
    for (const part of String(path).split(/(\{[^}]*\})/)) {
      if (!part) continue;
      code.append(part.startsWith('{') ? h('span', { class: 'param', text: part }) : part);
    }
    return code;
  }

  // "app::orders::(anonymous namespace)::OrdersApiVersion" -> ["app::orders::(anonymous namespace)::", "OrdersApiVersion"]
  function splitType(type) {
    const s = String(type || '');
    const at = s.lastIndexOf('::');
    if (at === -1) return ['', s];
    return [s.slice(0, at + 2), s.slice(at + 2)];
  }

  // Text with line-break opportunities after "/" and "::" (long file paths and C++ types wrap there).
  function breakable(text) {
    const frag = document.createDocumentFragment();
    const parts = String(text).split(/(?<=\/|::| )/);
    parts.forEach((part, i) => {
      frag.append(part);
      if (i < parts.length - 1) frag.append(document.createElement('wbr'));
    });
    return frag;
  }

  // Pretty JSON as coloured text nodes.
  function jsonNode(value, indent) {
    const pad = '  '.repeat(indent);
    const frag = document.createDocumentFragment();
    const tok = (cls, text) => frag.append(h('span', { class: 'j-' + cls, text }));
    if (value === null) tok('null', 'null');
    else if (typeof value === 'string') tok('str', JSON.stringify(value));
    else if (typeof value === 'number') tok('num', String(value));
    else if (typeof value === 'boolean') tok('bool', String(value));
    else if (Array.isArray(value)) {
      if (value.length === 0) { frag.append('[]'); return frag; }
      frag.append('[\n');
      value.forEach((v, i) => {
        frag.append(pad + '  ', jsonNode(v, indent + 1), i < value.length - 1 ? ',\n' : '\n');
      });
      frag.append(pad + ']');
    } else if (typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 0) { frag.append('{}'); return frag; }
      frag.append('{\n');
      keys.forEach((k, i) => {
        frag.append(pad + '  ');
        tok('key', JSON.stringify(k));
        frag.append(': ', jsonNode(value[k], indent + 1), i < keys.length - 1 ? ',\n' : '\n');
      });
      frag.append(pad + '}');
    } else frag.append(String(value));
    return frag;
  }

  // ---- the API ----------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function getJson(path) {
    let res;
    try {
      res = await fetch(API + path, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new ApiError(0, 'The server did not answer (' + (e && e.message ? e.message : 'network error') + ').');
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const detail = data && typeof data.detail === 'string' ? data.detail : res.status + ' ' + res.statusText;
      throw new ApiError(res.status, detail);
    }
    if (data === null || typeof data !== 'object') throw new ApiError(res.status, 'The server answered something that is not JSON.');
    return data;
  }

  const isAuthError = (e) => e && (e.status === 401 || e.status === 403);

  // ---- state ------------------------------------------------------------------------------------------
  const state = {
    components: null,
    metadata: null,
    metadataError: null,
    metrics: null,
    history: { cpu: [], memory: [] },
    lastOverall: null,
    denied: false,
    dialogOpen: false,
    tab: 'overview',
    opener: null,
    selected: null, // {kind, index}
  };

  // ---- page skeleton ----------------------------------------------------------------------------------
  const envEl = document.querySelector('.bar .env');
  if (envEl) {
    const env = envEl.textContent.trim().toLowerCase();
    envEl.classList.add(env === 'production' ? 'env-production' : env === 'development' ? 'env-development' : 'env-other');
    envEl.setAttribute('title', 'Environment');
  }

  const ui = {};
  ui.subtitle = h('p', { class: 'subtitle' }, 'Live view of the components, routes, middleware and lifecycle of this app.');
  ui.overall = h('span', { class: 'badge status-unknown overall' }, h('span', { class: 'glyph', 'aria-hidden': 'true', text: '…' }), 'Checking');
  ui.summaryText = h('span', { class: 'summary-text', text: 'Loading components…' });
  ui.checkedAt = h('span', { class: 'checked', text: 'Waiting for the first check…' });
  ui.announcer = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  ui.notice = h('div', { class: 'notice', role: 'alert', hidden: true });
  ui.cards = h('ul', { class: 'cards', 'aria-label': 'Components' });
  for (let i = 0; i < 6; i += 1) {
    ui.cards.append(h('li', { class: 'card skeleton' + (i === 0 || i === 5 ? ' wide' : ''), 'aria-hidden': 'true' },
      h('span', { class: 'sk sk-title' }), h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line short' })));
  }

  main.textContent = '';
  add(main, [
    h('div', { class: 'page-head' },
      h('div', { class: 'titles' }, h('h1', { text: 'Overseer' }), ui.subtitle),
      h('div', { class: 'summary' }, h('span', { class: 'sr-only', text: 'Overall status: ' }), ui.overall,
        h('span', { class: 'summary-lines' }, ui.summaryText, ui.checkedAt))),
    ui.announcer,
    ui.notice,
    h('h2', { class: 'sr-only', text: 'Components' }),
    ui.cards,
  ]);

  function showNotice(kind, title, message, retry) {
    ui.notice.className = 'notice ' + kind;
    ui.notice.textContent = '';
    add(ui.notice, [
      h('strong', { text: title }),
      message ? h('span', { text: ' ' + message }) : null,
      retry ? h('button', { type: 'button', class: 'link', text: 'Try again', onclick: retry }) : null,
    ]);
    ui.notice.hidden = false;
  }
  function clearNotice() { ui.notice.hidden = true; ui.notice.textContent = ''; }

  // 401/403: the page says so, stops polling and shows no stale data.
  function showDenied(err) {
    if (state.denied) return;
    state.denied = true;
    stopTimers();
    if (state.dialogOpen) closeDialog();
    main.setAttribute('aria-busy', 'false');
    const signIn = err.status === 401;
    main.textContent = '';
    add(main, [
      h('div', { class: 'page-head' }, h('div', { class: 'titles' }, h('h1', { text: 'Overseer' }))),
      h('section', { class: 'denied', role: 'alert', 'data-denied': String(err.status) },
        icon('lock', 'denied-icon'),
        h('h2', { text: signIn ? 'Sign in to see the Overseer' : 'You may not see the Overseer' }),
        h('p', {
          text: signIn
            ? 'The Overseer shows how this app is built and how its host is doing, so it needs an administrator: sign in with an account that holds the permission overseer.view, then reload this page.'
            : 'Your account does not hold the permission overseer.view. Ask an administrator to grant it to one of your roles, then reload this page.',
        }),
        h('p', { class: 'muted' }, 'The server said: ', h('q', { text: err.message }), ' (HTTP ' + err.status + ')'),
        h('button', { type: 'button', text: 'Reload', onclick: () => location.reload() })),
    ]);
  }

  // ---- the component cards ----------------------------------------------------------------------------
  const cardEls = new Map(); // id -> {li, badge, detail, extra}

  function kindIcon(kind) {
    return icon(kind === 'backend' || kind === 'database' || kind === 'module' || kind === 'checks' ? kind : 'module', 'kind');
  }

  function makeCard(c) {
    const detailId = nextId('detail');
    const li = h('li', { class: 'card comp kind-' + (c.kind || 'other'), 'data-component': c.id });
    const b = badge(c.status);
    const detail = h('p', { class: 'detail', id: detailId });
    const titleText = c.name || c.id;
    let title;
    if (c.kind === 'backend') {
      li.classList.add('wide', 'openable');
      const open = h('button', { type: 'button', class: 'card-open', 'aria-haspopup': 'dialog', 'aria-describedby': detailId,
        'data-open': 'backend', text: titleText });
      open.addEventListener('click', () => openDialog(open));
      title = h('h3', { class: 'card-title' }, open);
    } else {
      title = h('h3', { class: 'card-title', text: titleText });
    }
    const extra = h('div', { class: 'card-extra' });
    add(li, [h('div', { class: 'card-head' }, h('span', { class: 'kind-chip' }, kindIcon(c.kind)), title, b), detail, extra]);
    if (c.kind === 'backend') {
      li.append(h('p', { class: 'card-foot', 'aria-hidden': 'true' }, 'Routes, middleware & lifecycle', icon('arrow', 'foot-arrow')));
    }
    const entry = { li, badge: b, detail, extra, kind: c.kind };
    cardEls.set(c.id, entry);
    return entry;
  }

  function updateCard(entry, c, checksByName) {
    entry.li.setAttribute('data-status', c.status || 'unknown');
    setBadge(entry.badge, c.status);
    entry.detail.textContent = c.detail || (c.kind === 'module' ? 'Module' : '');
    entry.extra.textContent = '';
    if (c.kind === 'backend') {
      entry.extra.append(backendStats());
    } else if (c.kind === 'database') {
      const check = checksByName.get('database');
      if (check) {
        entry.extra.append(h('p', { class: 'meta-line' }, 'Check ', h('code', { text: check.name }),
          ' · ' + fmtNumber(check.duration_ms, 2) + ' ms', check.critical ? ' · critical' : ''));
      }
    } else if (c.kind === 'module') {
      const mod = state.metadata && Array.isArray(state.metadata.modules)
        ? state.metadata.modules.find((m) => m.name === c.name) : null;
      if (mod && (mod.route_prefix || mod.view_prefix)) {
        entry.extra.append(h('p', { class: 'meta-line' },
          mod.route_prefix ? ['API ', h('code', { text: mod.route_prefix })] : null,
          mod.route_prefix && mod.view_prefix ? ' · ' : null,
          mod.view_prefix ? ['views ', h('code', { text: mod.view_prefix })] : null));
      }
      const names = Array.isArray(c.checks) ? c.checks : [];
      if (names.length) {
        const ul = h('ul', { class: 'chips', 'aria-label': 'Health checks of ' + c.name });
        for (const name of names) {
          const check = checksByName.get(name);
          const st = statusOf(check ? check.status : 'unknown');
          ul.append(h('li', { class: 'chip status-' + st.cls },
            h('span', { class: 'glyph', 'aria-hidden': 'true', text: st.glyph }), h('code', { text: name }),
            h('span', { class: 'sr-only', text: ': ' + st.label })));
        }
        entry.extra.append(ul);
      }
    }
  }

  function backendStats() {
    const o = state.metadata && state.metadata.overview;
    const dl = h('dl', { class: 'mini-stats' });
    const items = [['Routes', 'routes'], ['Endpoints', 'endpoints'], ['Middleware', 'middleware'], ['Security layers', 'security_layers']];
    for (const [label, key] of items) {
      dl.append(h('div', null, h('dt', { text: label }), h('dd', { text: o && isNum(o[key]) ? fmtNumber(o[key]) : '—' })));
    }
    return dl;
  }

  function makeChecksCard() {
    const li = h('li', { class: 'card comp kind-checks wide', 'data-component': 'health-checks' });
    const b = badge('unknown');
    const detail = h('p', { class: 'detail' });
    const extra = h('div', { class: 'card-extra' });
    add(li, [h('div', { class: 'card-head' }, h('span', { class: 'kind-chip' }, kindIcon('checks')),
      h('h3', { class: 'card-title', text: 'Health checks' }), b), detail, extra]);
    const entry = { li, badge: b, detail, extra, kind: 'checks' };
    cardEls.set('health-checks', entry);
    return entry;
  }

  function updateChecksCard(entry, checks) {
    const failing = checks.filter((c) => c.status !== 'healthy');
    const critical = failing.filter((c) => c.critical);
    const status = checks.length === 0 ? 'unknown' : failing.length ? 'failing' : 'healthy';
    entry.li.setAttribute('data-status', status);
    setBadge(entry.badge, status);
    entry.detail.textContent = checks.length === 0 ? 'No health checks are registered.'
      : failing.length === 0 ? 'All ' + checks.length + ' checks pass.'
        : failing.length + ' of ' + checks.length + ' checks fail' + (critical.length ? ' (' + critical.length + ' critical)' : '') + '.';
    entry.extra.textContent = '';
    if (!checks.length) return;
    const ul = h('ul', { class: 'check-list' });
    for (const c of checks) {
      ul.append(h('li', { class: 'check', 'data-check': c.name, 'data-status': c.status },
        h('span', { class: 'check-name' }, h('code', { text: c.name }),
          c.critical ? h('span', { class: 'tag critical', text: 'critical' }) : h('span', { class: 'tag', text: 'optional' })),
        badge(c.status),
        h('span', { class: 'check-detail', text: c.detail || '—' }),
        h('span', { class: 'check-time', title: 'How long the check took' }, fmtNumber(c.duration_ms, 2) + ' ms')));
    }
    entry.extra.append(ul);
  }

  function renderComponents() {
    const data = state.components;
    if (!data) return;
    const components = Array.isArray(data.components) ? data.components : [];
    const checks = Array.isArray(data.checks) ? data.checks : [];
    const checksByName = new Map(checks.map((c) => [c.name, c]));

    if (ui.cards.querySelector('.skeleton')) ui.cards.textContent = '';
    const wanted = [];
    for (const c of components) {
      if (!c || !c.id) continue;
      const entry = cardEls.get(c.id) || makeCard(c);
      updateCard(entry, c, checksByName);
      wanted.push(entry.li);
    }
    const checksEntry = cardEls.get('health-checks') || makeChecksCard();
    updateChecksCard(checksEntry, checks);
    wanted.push(checksEntry.li);
    // Keep the nodes (and the focus in them); only fix their order and drop the ones that went away.
    const focused = document.activeElement;
    wanted.forEach((li, i) => { if (ui.cards.children[i] !== li) ui.cards.insertBefore(li, ui.cards.children[i] || null); });
    while (ui.cards.children.length > wanted.length) ui.cards.lastElementChild.remove();
    for (const [id, entry] of cardEls) if (!wanted.includes(entry.li)) cardEls.delete(id);
    if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus();

    // The summary line.
    const overall = data.status || 'unknown';
    setBadge(ui.overall, overall);
    ui.overall.classList.add('overall');
    const failingComponents = components.filter((c) => c.status === 'failing');
    const failingChecks = checks.filter((c) => c.status !== 'healthy');
    let text;
    if (overall === 'healthy' && failingChecks.length === 0) text = 'All systems healthy';
    else if (overall === 'healthy') text = failingChecks.length + ' optional check' + (failingChecks.length === 1 ? '' : 's') + ' failing';
    else text = (failingComponents.length ? failingComponents.map((c) => c.name).join(', ') + ' failing' : 'A critical check fails');
    ui.summaryText.textContent = text + ' · ' + components.length + ' components · ' + checks.length + ' checks';
    ui.checkedAt.textContent = '';
    add(ui.checkedAt, ['Checked ', relTime(data.checked_at), ' · refreshes every 10 s']);
    if (state.lastOverall !== null && state.lastOverall !== overall) {
      ui.announcer.textContent = 'Overall status changed to ' + statusOf(overall).label + '. ' + text + '.';
    }
    state.lastOverall = overall;
    if (state.dialogOpen) setBadge(dlg.status, backendStatus());
  }

  function backendStatus() {
    const list = state.components && Array.isArray(state.components.components) ? state.components.components : [];
    const b = list.find((c) => c.kind === 'backend');
    return b ? b.status : 'unknown';
  }

  function renderSubtitle() {
    const m = state.metadata;
    if (!m || !m.app) return;
    ui.subtitle.textContent = '';
    add(ui.subtitle, [
      h('span', { class: 'app-name', text: m.app.title || 'App' }),
      m.app.version ? h('span', { class: 'version', text: 'v' + m.app.version }) : null,
      ' · structure captured at boot ', relTime(m.captured_at),
    ]);
  }

  // ---- polling ----------------------------------------------------------------------------------------
  const timers = { components: 0, metrics: 0 };
  let componentsFailures = 0;

  function stopTimers() {
    clearTimeout(timers.components);
    clearTimeout(timers.metrics);
    timers.components = 0;
    timers.metrics = 0;
  }

  let componentsBusy = false;
  let metricsBusy = false;

  async function loadComponents() {
    clearTimeout(timers.components);
    timers.components = 0;
    if (state.denied || componentsBusy) return; // the request in flight schedules the next one
    componentsBusy = true;
    try {
      state.components = await getJson('/components');
      componentsFailures = 0;
      clearNotice();
      renderComponents();
      ui.cards.classList.remove('stale');
    } catch (e) {
      if (isAuthError(e)) { showDenied(e); return; }
      componentsFailures += 1;
      if (state.components) {
        ui.cards.classList.add('stale');
        showNotice('warn', 'Lost contact with the server.', 'The cards show the last answer; retrying every 10 s. (' + e.message + ')', loadComponents);
      } else {
        ui.cards.textContent = '';
        ui.cards.append(h('li', { class: 'card empty-card' }, h('p', null, 'The components could not be loaded.')));
        showNotice('error', 'The Overseer could not load the components.', e.message, loadComponents);
        ui.summaryText.textContent = 'Status unavailable';
      }
    } finally {
      componentsBusy = false;
      main.setAttribute('aria-busy', 'false');
      clearTimeout(timers.components);
      if (!state.denied && !document.hidden) timers.components = setTimeout(loadComponents, COMPONENTS_EVERY);
    }
  }

  async function loadMetadata() {
    try {
      state.metadata = await getJson('/metadata');
      state.metadataError = null;
    } catch (e) {
      if (isAuthError(e)) { showDenied(e); return; }
      state.metadataError = e;
    }
    renderSubtitle();
    renderComponents();
    if (dlg.built) renderDialogContent();
  }

  const metricsWanted = () => state.dialogOpen && state.tab === 'overview' && !document.hidden && !state.denied;

  async function loadMetrics() {
    clearTimeout(timers.metrics);
    timers.metrics = 0;
    if (!metricsWanted() || metricsBusy) return;
    metricsBusy = true;
    try {
      const m = await getJson('/metrics');
      state.metrics = m;
      const push = (list, v) => { if (isNum(v)) { list.push(v); if (list.length > HISTORY) list.shift(); } };
      push(state.history.cpu, m.cpu_percent);
      push(state.history.memory, m.memory && m.memory.used_percent);
      renderMetrics(null);
    } catch (e) {
      if (isAuthError(e)) { showDenied(e); return; }
      renderMetrics(e);
    } finally {
      metricsBusy = false;
      clearTimeout(timers.metrics);
      timers.metrics = metricsWanted() ? setTimeout(loadMetrics, METRICS_EVERY) : 0;
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (state.denied) return;
    if (document.hidden) { stopTimers(); return; }
    loadComponents();
    loadMetrics();
  });

  // ---- the Backend dialog -----------------------------------------------------------------------------
  const dlg = { built: false };
  const TABS = [
    { id: 'overview', label: 'Overview' },
    { id: 'routes', label: 'Routes' },
    { id: 'lifecycle', label: 'Lifecycle' },
  ];

  function buildDialog() {
    const titleId = nextId('dialog-title');
    const subId = nextId('dialog-sub');
    dlg.overlay = h('div', { class: 'overlay', hidden: true });
    dlg.status = badge('unknown');
    dlg.sub = h('p', { class: 'dialog-sub', id: subId });
    dlg.close = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', title: 'Close (Esc)', 'data-close': '' }, icon('close'));
    dlg.close.addEventListener('click', closeDialog);
    dlg.tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Backend details' });
    dlg.tabs = {};
    dlg.panels = {};
    dlg.tabCounts = {};
    const body = h('div', { class: 'dialog-body' });
    for (const t of TABS) {
      const tabId = nextId('tab-' + t.id);
      const panelId = nextId('panel-' + t.id);
      const count = h('span', { class: 'tab-count' });
      const tab = h('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'aria-selected': 'false',
        tabindex: '-1', 'data-tab': t.id }, h('span', { class: 'tab-label', text: t.label }), count);
      tab.addEventListener('click', () => selectTab(t.id, false));
      const panel = h('section', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, tabindex: '0', hidden: true,
        class: 'panel panel-' + t.id, 'data-panel': t.id });
      dlg.tabs[t.id] = tab;
      dlg.panels[t.id] = panel;
      dlg.tabCounts[t.id] = count;
      dlg.tablist.append(tab);
      body.append(panel);
    }
    dlg.tablist.addEventListener('keydown', onTabKey);
    dlg.dialog = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, 'aria-describedby': subId },
      h('header', { class: 'dialog-head' },
        h('span', { class: 'kind-chip big' }, icon('backend', 'kind')),
        h('div', { class: 'dialog-titles' }, h('h2', { id: titleId, text: 'Backend' }), dlg.sub),
        dlg.status, dlg.close),
      dlg.tablist,
      body);
    dlg.overlay.append(dlg.dialog);
    dlg.overlay.addEventListener('mousedown', (e) => { if (e.target === dlg.overlay) closeDialog(); });
    dlg.overlay.addEventListener('keydown', onDialogKey);
    document.body.append(dlg.overlay);
    dlg.built = true;
    buildOverview();
    buildRoutes();
    buildLifecycle();
    renderDialogContent();
    showTab(state.tab);
  }

  function renderDialogContent() {
    const m = state.metadata;
    dlg.sub.textContent = '';
    if (m && m.app) {
      add(dlg.sub, [(m.app.title || 'App') + (m.app.version ? ' v' + m.app.version : '') + ' · ' + (m.app.environment || '') +
        ' · captured at boot ', relTime(m.captured_at)]);
    } else if (state.metadataError) {
      dlg.sub.textContent = 'The boot metadata is not available.';
    } else {
      dlg.sub.textContent = 'Loading the boot metadata…';
    }
    const routes = m && Array.isArray(m.routes) ? m.routes : [];
    const lifecycleCount = m ? (m.startup_hooks || []).length + (m.middleware || []).length + (m.shutdown_hooks || []).length : 0;
    dlg.tabCounts.overview.textContent = '';
    dlg.tabCounts.routes.textContent = m ? String(routes.length) : '';
    dlg.tabCounts.lifecycle.textContent = m ? String(lifecycleCount) : '';
    renderOverviewCounts();
    renderRoutes();
    renderLifecycle();
  }

  function metadataProblem() {
    if (state.metadata) return null;
    const e = state.metadataError;
    return h('div', { class: 'panel-message' + (e ? ' error' : '') },
      e ? [h('strong', { text: 'The backend\u2019s structure is not available. ' }), h('span', { text: e.message + ' ' }),
        h('button', { type: 'button', class: 'link', text: 'Try again', onclick: loadMetadata })]
        : 'Loading the boot metadata…');
  }

  function openDialog(opener) {
    if (state.denied) return;
    if (!dlg.built) buildDialog();
    state.opener = opener || null;
    state.dialogOpen = true;
    setBadge(dlg.status, backendStatus());
    dlg.overlay.hidden = false;
    document.body.classList.add('modal-open');
    for (const el of document.body.children) {
      if (el !== dlg.overlay && el.tagName !== 'SCRIPT') el.inert = true;
    }
    showTab(state.tab);
    dlg.tabs[state.tab].focus();
    loadMetrics();
  }

  function closeDialog() {
    if (!state.dialogOpen) return;
    state.dialogOpen = false;
    clearTimeout(timers.metrics);
    timers.metrics = 0;
    dlg.overlay.hidden = true;
    document.body.classList.remove('modal-open');
    for (const el of document.body.children) el.inert = false;
    const opener = state.opener;
    state.opener = null;
    if (opener && document.contains(opener)) opener.focus();
  }

  function focusables() {
    return Array.from(dlg.dialog.querySelectorAll(
      'button:not([disabled]), input:not([disabled]), select, textarea, a[href], [tabindex]:not([tabindex="-1"])'))
      .filter((el) => !el.closest('[hidden]') && el.getClientRects().length > 0);
  }

  function onDialogKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closeDialog();
      return;
    }
    if (e.key !== 'Tab') return;
    const list = focusables();
    if (!list.length) { e.preventDefault(); dlg.dialog.focus(); return; }
    const first = list[0];
    const last = list[list.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !dlg.dialog.contains(active))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (active === last || !dlg.dialog.contains(active))) { e.preventDefault(); first.focus(); }
  }

  // Should focus escape anyway (a click on the backdrop's edge, a browser quirk): bring it back.
  document.addEventListener('focusin', (e) => {
    if (state.dialogOpen && !dlg.dialog.contains(e.target)) dlg.tabs[state.tab].focus();
  });

  function onTabKey(e) {
    const ids = TABS.map((t) => t.id);
    const at = ids.indexOf(state.tab);
    let next = null;
    if (e.key === 'ArrowRight') next = ids[(at + 1) % ids.length];
    else if (e.key === 'ArrowLeft') next = ids[(at - 1 + ids.length) % ids.length];
    else if (e.key === 'Home') next = ids[0];
    else if (e.key === 'End') next = ids[ids.length - 1];
    if (next === null) return;
    e.preventDefault();
    selectTab(next, true);
  }

  function selectTab(id, focus) {
    showTab(id);
    if (focus) dlg.tabs[id].focus();
    loadMetrics();
  }

  function showTab(id) {
    state.tab = id;
    for (const t of TABS) {
      const on = t.id === id;
      dlg.tabs[t.id].setAttribute('aria-selected', on ? 'true' : 'false');
      dlg.tabs[t.id].tabIndex = on ? 0 : -1;
      dlg.panels[t.id].hidden = !on;
    }
    if (id !== 'overview') { clearTimeout(timers.metrics); timers.metrics = 0; }
  }

  // ---- Overview tab -----------------------------------------------------------------------------------
  const ov = {};

  function statTile(label, key, hint) {
    const value = h('span', { class: 'stat-value', 'data-count': key, text: '—' });
    return h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: label }), value, h('span', { class: 'stat-hint', text: hint }));
  }

  function meter(label) {
    const fill = h('span', { class: 'meter-fill' });
    const el = h('div', { class: 'meter', role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100',
      'aria-valuenow': '0', 'aria-valuetext': 'unknown' }, fill);
    return { el, fill };
  }
  function setMeter(m, percent, text) {
    const ok = isNum(percent);
    const p = ok ? clamp(percent, 0, 100) : 0;
    m.el.setAttribute('aria-valuenow', String(Math.round(p * 10) / 10));
    m.el.setAttribute('aria-valuetext', ok ? text : 'unknown');
    m.fill.style.width = p + '%';
    m.el.classList.toggle('warn', ok && p >= 75 && p < 90);
    m.el.classList.toggle('high', ok && p >= 90);
  }

  function sparkline() {
    const line = svg('polyline', { fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5, 'stroke-linejoin': 'round',
      'vector-effect': 'non-scaling-stroke', points: '' });
    const area = svg('polygon', { fill: 'currentColor', opacity: 0.12, points: '' });
    const el = svg('svg', { class: 'spark', viewBox: '0 0 100 24', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' }, area, line);
    return { el, line, area };
  }
  function setSparkline(s, values) {
    if (values.length < 2) { s.line.setAttribute('points', ''); s.area.setAttribute('points', ''); return; }
    const step = 100 / (HISTORY - 1);
    const x0 = 100 - step * (values.length - 1);
    const pts = values.map((v, i) => (x0 + i * step).toFixed(2) + ',' + (23 - clamp(v, 0, 100) * 0.22).toFixed(2));
    s.line.setAttribute('points', pts.join(' '));
    s.area.setAttribute('points', x0.toFixed(2) + ',24 ' + pts.join(' ') + ' 100,24');
  }

  function metricTile(key, label, iconName) {
    const value = h('span', { class: 'metric-value', 'data-metric': key, text: '—' });
    const of = h('span', { class: 'metric-of' });
    const sub = h('p', { class: 'metric-sub', text: '\u00a0' });
    const figure = h('p', { class: 'metric-figure' }, value, of);
    const tile = h('div', { class: 'metric', 'data-metric-tile': key },
      h('div', { class: 'metric-head' }, h('span', { class: 'metric-label', text: label })), figure, sub);
    // A meter goes under the figure, before the small print.
    const withMeter = (m) => { figure.after(m.el); return m; };
    return { tile, value, of, sub, withMeter };
  }

  function buildOverview() {
    const panel = dlg.panels.overview;
    ov.problem = h('div');
    ov.stats = h('div', { class: 'stats' },
      statTile('Routes', 'routes', 'distinct paths'),
      statTile('Endpoints', 'endpoints', 'method + path pairs'),
      statTile('Middleware', 'middleware', 'in the request stack'),
      statTile('Security layers', 'security_layers', 'middleware that guard requests'));
    ov.methods = h('ul', { class: 'method-counts', 'aria-label': 'Endpoints by method' });
    ov.methodBar = h('div', { class: 'method-bar', 'aria-hidden': 'true' });
    ov.facts = h('dl', { class: 'facts' });

    const cpu = metricTile('cpu', 'CPU');
    ov.cpuMeter = cpu.withMeter(meter('Host CPU usage'));
    ov.cpuSpark = sparkline();
    cpu.tile.append(ov.cpuSpark.el);
    const mem = metricTile('memory', 'Memory');
    ov.memMeter = mem.withMeter(meter('Memory used'));
    ov.memSpark = sparkline();
    mem.tile.append(ov.memSpark.el);
    const disk = metricTile('disk', 'Disk (data folder)');
    ov.diskMeter = disk.withMeter(meter('Disk used'));
    const load = metricTile('load', 'Load average');
    ov.loadMeter = load.withMeter(meter('Load per CPU'));
    const rss = metricTile('rss', 'Process memory (RSS)');
    const uptime = metricTile('uptime', 'Uptime');
    ov.cpu = cpu; ov.mem = mem; ov.disk = disk; ov.load = load; ov.rss = rss; ov.uptime = uptime;
    ov.sampled = h('span', { class: 'sampled' }, 'Waiting for the first sample…');
    ov.metricsState = h('span', { class: 'live', 'data-live': 'waiting' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), 'Live');
    ov.metricsError = h('p', { class: 'panel-message error', role: 'alert', hidden: true });

    add(panel, [
      ov.problem,
      h('div', { class: 'overview' },
        h('section', { class: 'block api-block', 'aria-labelledby': 'ov-api-title' },
          h('h3', { id: 'ov-api-title', class: 'block-title' }, icon('layers'), 'API surface'),
          ov.stats,
          h('h4', { class: 'sub-title', text: 'Endpoints by method' }),
          ov.methods, ov.methodBar,
          h('h4', { class: 'sub-title', text: 'Lifecycle and modules' }),
          ov.facts),
        h('section', { class: 'block host-block', 'aria-labelledby': 'ov-host-title', 'data-metrics': '' },
          h('div', { class: 'block-head' },
            h('h3', { id: 'ov-host-title', class: 'block-title' }, icon('backend'), 'Host'),
            ov.metricsState),
          h('p', { class: 'block-note' }, ov.sampled),
          ov.metricsError,
          h('div', { class: 'metrics' }, cpu.tile, mem.tile, disk.tile, load.tile, rss.tile, uptime.tile))),
    ]);
  }

  function renderOverviewCounts() {
    if (!ov.stats) return;
    ov.problem.textContent = '';
    const problem = metadataProblem();
    if (problem) ov.problem.append(problem);
    const o = state.metadata && state.metadata.overview ? state.metadata.overview : null;
    for (const el of ov.stats.querySelectorAll('[data-count]')) {
      const v = o ? o[el.getAttribute('data-count')] : null;
      el.textContent = isNum(v) ? fmtNumber(v) : '—';
    }
    ov.methods.textContent = '';
    ov.methodBar.textContent = '';
    const methods = o && o.methods && typeof o.methods === 'object' ? Object.entries(o.methods) : [];
    methods.sort((a, b) => methodRank(a[0]) - methodRank(b[0]) || a[0].localeCompare(b[0]));
    const total = methods.reduce((sum, [, n]) => sum + (isNum(n) ? n : 0), 0);
    for (const [method, n] of methods) {
      ov.methods.append(h('li', { 'data-method': method }, methodBadge(method), ' ', h('span', { class: 'method-n', text: fmtNumber(n) })));
      if (total > 0 && n > 0) {
        const seg = h('span', { class: 'seg m-' + method.toLowerCase() });
        seg.style.flexGrow = String(n);
        ov.methodBar.append(seg);
      }
    }
    if (!methods.length) ov.methods.append(h('li', { class: 'muted', text: '—' }));
    ov.facts.textContent = '';
    const facts = [['Startup hooks', 'startup_hooks'], ['Shutdown hooks', 'shutdown_hooks'], ['Modules', 'modules'], ['Health checks', 'health_checks']];
    for (const [label, key] of facts) {
      ov.facts.append(h('div', { class: 'fact' }, h('dt', { text: label }),
        h('dd', { 'data-count': key, text: o && isNum(o[key]) ? fmtNumber(o[key]) : '—' })));
    }
  }

  function renderMetrics(error) {
    if (!ov.cpu) return;
    if (error) {
      ov.metricsError.textContent = 'The host metrics could not be read: ' + error.message + ' Retrying every 5 s.';
      ov.metricsError.hidden = false;
      ov.metricsState.setAttribute('data-live', 'error');
      ov.metricsState.lastChild.textContent = 'Offline';
      return;
    }
    ov.metricsError.hidden = true;
    ov.metricsState.setAttribute('data-live', 'live');
    ov.metricsState.lastChild.textContent = 'Live';
    const m = state.metrics;
    if (!m) return;
    const mem = m.memory || {};
    const disk = m.disk || {};
    const proc = m.process || {};
    const up = m.uptime || {};
    ov.sampled.textContent = '';
    add(ov.sampled, ['Sampled ', relTime(m.sampled_at), ' · refreshes every 5 s']);
    ov.sampled.setAttribute('data-sampled-at', m.sampled_at || '');

    ov.cpu.value.textContent = fmtPercent(m.cpu_percent);
    ov.cpu.of.textContent = isNum(m.cpus) ? ' of ' + m.cpus + ' CPU' + (m.cpus === 1 ? '' : 's') : '';
    ov.cpu.sub.textContent = 'This process uses ' + fmtPercent(m.process_cpu_percent);
    setMeter(ov.cpuMeter, m.cpu_percent, fmtPercent(m.cpu_percent));
    setSparkline(ov.cpuSpark, state.history.cpu);

    ov.mem.value.textContent = fmtBytes(mem.used_bytes);
    ov.mem.of.textContent = ' / ' + fmtBytes(mem.total_bytes);
    ov.mem.sub.textContent = fmtPercent(mem.used_percent) + ' used · ' + fmtBytes(mem.available_bytes) + ' available';
    setMeter(ov.memMeter, mem.used_percent, fmtPercent(mem.used_percent) + ' (' + fmtBytes(mem.used_bytes) + ' of ' + fmtBytes(mem.total_bytes) + ')');
    setSparkline(ov.memSpark, state.history.memory);

    ov.disk.value.textContent = fmtBytes(disk.used_bytes);
    ov.disk.of.textContent = ' / ' + fmtBytes(disk.total_bytes);
    ov.disk.sub.textContent = '';
    add(ov.disk.sub, [fmtPercent(disk.used_percent) + ' used · ' + fmtBytes(disk.free_bytes) + ' free · ',
      h('code', { text: disk.path || '?', title: 'The data folder' })]);
    setMeter(ov.diskMeter, disk.used_percent, fmtPercent(disk.used_percent) + ' (' + fmtBytes(disk.used_bytes) + ' of ' + fmtBytes(disk.total_bytes) + ')');

    const loads = Array.isArray(m.load_average) ? m.load_average : [];
    ov.load.value.textContent = isNum(loads[0]) ? fmtNumber(loads[0], 2) : '—';
    ov.load.of.textContent = ' 1 min';
    ov.load.sub.textContent = '5 min ' + (isNum(loads[1]) ? fmtNumber(loads[1], 2) : '—') + ' · 15 min ' +
      (isNum(loads[2]) ? fmtNumber(loads[2], 2) : '—') + (isNum(m.cpus) ? ' · ' + m.cpus + ' CPU' + (m.cpus === 1 ? '' : 's') : '');
    const perCpu = isNum(loads[0]) && isNum(m.cpus) && m.cpus > 0 ? loads[0] / m.cpus * 100 : null;
    setMeter(ov.loadMeter, perCpu, perCpu === null ? '' : fmtNumber(perCpu, 0) + ' % of the CPUs busy on average');

    ov.rss.value.textContent = fmtBytes(proc.rss_bytes);
    ov.rss.of.textContent = isNum(mem.total_bytes) && isNum(proc.rss_bytes) && mem.total_bytes > 0
      ? ' · ' + fmtNumber(proc.rss_bytes / mem.total_bytes * 100, 2) + ' % of RAM' : '';
    ov.rss.sub.textContent = 'PID ' + (isNum(proc.pid) ? proc.pid : '—') + ' · ' + (isNum(proc.threads) ? proc.threads + ' threads' : '—');

    ov.uptime.value.textContent = fmtDuration(up.process_seconds);
    ov.uptime.value.setAttribute('data-seconds', isNum(up.process_seconds) ? String(up.process_seconds) : '');
    ov.uptime.of.textContent = '';
    ov.uptime.sub.textContent = 'Host up ' + fmtDuration(up.host_seconds);
  }

  // ---- Routes tab -------------------------------------------------------------------------------------
  const rt = { methods: new Set() };

  function buildRoutes() {
    const panel = dlg.panels.routes;
    const inputId = nextId('route-filter');
    rt.problem = h('div');
    rt.input = h('input', { type: 'search', id: inputId, class: 'filter-input', placeholder: 'Path, name or tag', autocomplete: 'off',
      spellcheck: 'false', 'data-route-filter': '' });
    rt.input.addEventListener('input', applyRouteFilter);
    const methodsLabel = nextId('methods');
    rt.methodGroup = h('div', { class: 'method-filter', role: 'group', 'aria-labelledby': methodsLabel });
    rt.count = h('p', { class: 'route-count', role: 'status', 'aria-live': 'polite' });
    rt.groups = h('div', { class: 'route-groups' });
    rt.empty = h('p', { class: 'panel-message', hidden: true });
    add(panel, [
      rt.problem,
      h('div', { class: 'toolbar' },
        h('div', { class: 'filter' }, h('label', { for: inputId, text: 'Filter routes' }),
          h('span', { class: 'filter-box' }, icon('search', 'filter-icon'), rt.input)),
        h('div', { class: 'filter-methods' }, h('span', { class: 'filter-label', id: methodsLabel, text: 'Only methods' }), rt.methodGroup),
        rt.count),
      rt.groups, rt.empty,
    ]);
  }

  // Where the route sources share a folder, show the paths from there (the full path is the tooltip).
  function commonSourceDir(routes) {
    const files = routes.map((r) => String(r.source || '')).filter((s) => s.startsWith('/'));
    if (files.length < 2) return '';
    let prefix = files[0].slice(0, files[0].lastIndexOf('/') + 1);
    for (const f of files) {
      while (prefix && !f.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
    }
    return prefix.length > 1 ? prefix : '';
  }

  function dependencyChip(d) {
    const kind = d && d.kind ? String(d.kind) : 'depends';
    const label = kind === 'guard' ? 'Guard' : kind === 'depends' ? 'Depends' : kind;
    return h('li', { class: 'dep dep-' + kind.replace(/[^a-z0-9_-]/gi, ''), 'data-dependency': d.name || '' },
      h('span', { class: 'dep-kind', text: label }),
      h('code', { class: 'dep-name', text: d.name || '?' }),
      d.permission ? h('span', { class: 'perm', 'data-permission': d.permission }, h('span', { class: 'sr-only', text: 'permission ' }), d.permission) : null);
  }

  function routeRow(r, sourceDir) {
    const key = r.method + ' ' + r.path;
    const params = Array.isArray(r.path_params) ? r.path_params : [];
    const deps = Array.isArray(r.dependencies) ? r.dependencies : [];
    const tags = Array.isArray(r.tags) ? r.tags : [];
    const source = String(r.source || '');
    const shown = sourceDir && source.startsWith(sourceDir) ? source.slice(sourceDir.length) : source;
    const li = h('li', { class: 'route', 'data-route': key, 'data-secured': r.secured ? 'true' : 'false' });
    li._haystack = [r.path, r.name, tags.join(' ')].join(' ').toLowerCase();
    li._method = r.method;
    const badges = h('span', { class: 'route-badges' },
      r.secured ? h('span', { class: 'sec-badge', 'data-secured': '' }, icon('lock'), 'Secured') : h('span', { class: 'open-badge', text: 'Public' }),
      r.in_schema === false ? h('span', { class: 'tag', title: 'Not in the OpenAPI document', text: 'not in schema' }) : null);
    const meta = h('dl', { class: 'route-meta' });
    const item = (label, ...value) => meta.append(h('div', { class: 'rm' }, h('dt', { text: label }), h('dd', null, ...value)));
    if (params.length) {
      item('Path params', h('span', { class: 'params' }, params.map((p, i) => [i ? ', ' : null,
        h('code', { class: 'pp', 'data-param': p.name }, p.name), h('span', { class: 'pp-type', text: ': ' + (p.type || '?') })])));
    }
    item('Response', h('span', { class: 'status-code', text: isNum(r.status) ? String(r.status) : '—' }), ' ',
      r.response_model ? h('code', { class: 'model', 'data-model': r.response_model, text: r.response_model }) : h('span', { class: 'muted', text: 'no model' }));
    if (deps.length) item('Dependencies', h('ul', { class: 'deps' }, deps.map(dependencyChip)));
    if (source) item('Source', h('code', { class: 'source', title: source }, breakable(shown)));
    add(li, [
      h('div', { class: 'route-line' }, methodBadge(r.method), ' ', pathCode(r.path), ' ', badges),
      h('p', { class: 'route-summary' }, r.summary ? r.summary : h('span', { class: 'muted', text: 'No summary' }),
        h('span', { class: 'route-name' }, ' · ', h('code', { text: r.name || '' }))),
      meta,
    ]);
    return li;
  }

  function renderRoutes() {
    if (!rt.groups) return;
    rt.problem.textContent = '';
    const problem = metadataProblem();
    if (problem) rt.problem.append(problem);
    rt.groups.textContent = '';
    rt.methodGroup.textContent = '';
    const routes = state.metadata && Array.isArray(state.metadata.routes) ? state.metadata.routes : [];
    rt.total = routes.length;
    const sourceDir = commonSourceDir(routes);
    const groups = new Map();
    const untagged = [];
    for (const r of routes) {
      const tags = Array.isArray(r.tags) ? Array.from(new Set(r.tags.filter((t) => typeof t === 'string' && t))) : [];
      if (!tags.length) untagged.push(r);
      for (const t of tags) { if (!groups.has(t)) groups.set(t, []); groups.get(t).push(r); }
    }
    const names = Array.from(groups.keys()).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }) || (a < b ? -1 : 1));
    const ordered = names.map((n) => [n, groups.get(n), false]);
    if (untagged.length) ordered.push(['Untagged', untagged, true]);
    const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : methodRank(a.method) - methodRank(b.method));
    for (const [name, list, isUntagged] of ordered) {
      const headId = nextId('group');
      const count = h('span', { class: 'group-count' });
      const ul = h('ul', { class: 'route-list' });
      for (const r of list.slice().sort(byPath)) ul.append(routeRow(r, sourceDir));
      rt.groups.append(h('section', { class: 'route-group', 'data-tag': isUntagged ? '' : name, 'data-group': name, 'aria-labelledby': headId },
        h('h3', { class: 'group-title', id: headId }, h('span', { class: isUntagged ? 'group-name untagged' : 'group-name', text: name }), count),
        ul));
    }
    // Method toggles: the methods the app serves.
    const methods = Array.from(new Set(routes.map((r) => r.method))).sort((a, b) => methodRank(a) - methodRank(b));
    for (const m of Array.from(rt.methods)) if (!methods.includes(m)) rt.methods.delete(m);
    for (const m of methods) {
      const b = h('button', { type: 'button', class: 'method-toggle m-' + m.toLowerCase(), 'aria-pressed': rt.methods.has(m) ? 'true' : 'false', text: m, 'data-method': m });
      b.addEventListener('click', () => {
        if (rt.methods.has(m)) rt.methods.delete(m); else rt.methods.add(m);
        b.setAttribute('aria-pressed', rt.methods.has(m) ? 'true' : 'false');
        applyRouteFilter();
      });
      rt.methodGroup.append(b);
    }
    applyRouteFilter();
  }

  function applyRouteFilter() {
    const words = rt.input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const seen = new Set();
    let groupsShown = 0;
    for (const group of rt.groups.children) {
      let shown = 0;
      for (const li of group.querySelectorAll('li.route')) {
        const ok = words.every((w) => li._haystack.includes(w)) && (rt.methods.size === 0 || rt.methods.has(li._method));
        li.hidden = !ok;
        if (ok) { shown += 1; seen.add(li.getAttribute('data-route')); }
      }
      group.hidden = shown === 0;
      if (shown) groupsShown += 1;
      group.querySelector('.group-count').textContent = String(shown);
    }
    const filtered = words.length > 0 || rt.methods.size > 0;
    rt.count.textContent = !rt.total ? '' : filtered
      ? 'Showing ' + seen.size + ' of ' + rt.total + ' endpoints in ' + groupsShown + ' tag group' + (groupsShown === 1 ? '' : 's')
      : rt.total + ' endpoints in ' + groupsShown + ' tag group' + (groupsShown === 1 ? '' : 's');
    rt.empty.hidden = !(rt.total && seen.size === 0);
    rt.empty.textContent = 'No route matches ' + (words.length ? '\u201c' + rt.input.value.trim() + '\u201d' : 'these methods') + '.';
  }

  // ---- Lifecycle tab ----------------------------------------------------------------------------------
  const lc = {};
  const LANES = [
    { kind: 'startup', key: 'startup_hooks', title: 'Startup hooks', note: 'Run in this order at boot', icon: 'play' },
    { kind: 'middleware', key: 'middleware', title: 'Middleware stack', note: 'Outermost first: requests go down, responses come back up', icon: 'layers' },
    { kind: 'shutdown', key: 'shutdown_hooks', title: 'Shutdown hooks', note: 'Run in this order when the app stops', icon: 'stop' },
  ];

  function buildLifecycle() {
    const panel = dlg.panels.lifecycle;
    lc.problem = h('div');
    lc.flow = h('div', { class: 'flow', 'data-flow': '' });
    lc.inspectorBody = h('div', { class: 'inspector-body', 'aria-live': 'polite' });
    const inspectorTitle = nextId('inspector');
    lc.inspector = h('aside', { class: 'inspector', 'data-inspector': '', 'aria-labelledby': inspectorTitle },
      h('h3', { class: 'inspector-title', id: inspectorTitle, text: 'Inspector' }), lc.inspectorBody);
    lc.layout = h('div', { class: 'lifecycle' }, lc.flow, lc.inspector);
    add(panel, [
      lc.problem,
      h('p', { class: 'lifecycle-hint', text: 'Select a step to inspect it: its details open under it.' }),
      lc.layout,
    ]);
    NARROW.addEventListener('change', placeInspector);
  }

  // Side by side on wide screens; on narrow ones the inspector opens under the selected step.
  const NARROW = window.matchMedia('(max-width: 1100px)');
  function placeInspector() {
    if (!lc.inspector) return;
    const chosen = (lc.buttons || []).find((b) => b.getAttribute('aria-pressed') === 'true');
    if (NARROW.matches && chosen) {
      if (lc.inspector.parentElement !== chosen.parentElement) chosen.parentElement.append(lc.inspector);
      lc.inspector.classList.add('inline');
    } else {
      if (lc.inspector.parentElement !== lc.layout) lc.layout.append(lc.inspector);
      lc.inspector.classList.remove('inline');
    }
  }

  function laneArrow(label) {
    return h('div', { class: 'lane-arrow', 'aria-hidden': 'true' }, icon('arrow'), h('span', { class: 'lane-arrow-label', text: label }));
  }

  function renderLifecycle() {
    if (!lc.flow) return;
    lc.problem.textContent = '';
    const problem = metadataProblem();
    if (problem) lc.problem.append(problem);
    if (lc.inspector.parentElement !== lc.layout) lc.layout.append(lc.inspector);
    lc.flow.textContent = '';
    lc.buttons = [];
    const m = state.metadata;
    if (!m) { renderInspector(); return; }
    LANES.forEach((lane, li) => {
      const items = Array.isArray(m[lane.key]) ? m[lane.key] : [];
      const headId = nextId('lane');
      const list = h('ol', { class: 'nodes' });
      items.forEach((item, index) => {
        const isMw = lane.kind === 'middleware';
        const name = isMw ? String(item.type || '') : String(item.name || '');
        const [ns, short] = isMw ? splitType(name) : ['', name];
        const security = isMw && item.security_layer === true;
        const btn = h('button', { type: 'button', class: 'node' + (security ? ' security' : '') + (isMw && item.builtin ? ' builtin' : ''),
          'data-lifecycle-kind': lane.kind, 'data-name': name, 'data-file': item.file || '', 'data-index': String(index),
          'aria-pressed': 'false' },
          h('span', { class: 'node-pos', 'aria-hidden': 'true', text: String(isMw && isNum(item.position) ? item.position : index + 1) }),
          h('span', { class: 'node-body' },
            ns ? h('span', { class: 'node-ns' }, breakable(ns)) : null,
            h('span', { class: 'node-name' }, breakable(short || '(unnamed)')),
            h('span', { class: 'node-file' }, breakable(item.file || ''))),
          security ? h('span', { class: 'node-shield', title: 'Security layer' }, icon('shield'), h('span', { class: 'sr-only', text: ', security layer' })) : null);
        btn.addEventListener('click', () => select(lane.kind, index));
        btn.addEventListener('keydown', onNodeKey);
        lc.buttons.push(btn);
        list.append(h('li', null, btn));
      });
      if (!items.length) list.append(h('li', { class: 'node-empty', text: 'None' }));
      const laneEl = h('section', { class: 'lane lane-' + lane.kind, 'data-lane': lane.kind, 'aria-labelledby': headId },
        h('h3', { class: 'lane-title', id: headId }, icon(lane.icon), h('span', { text: lane.title }), h('span', { class: 'lane-count', text: String(items.length) })),
        h('p', { class: 'lane-note', text: lane.note }),
        lane.kind === 'middleware' && items.some((x) => x.security_layer === true)
          ? h('p', { class: 'legend' }, icon('shield'), 'Security layer') : null,
        lane.kind === 'middleware' ? h('p', { class: 'terminal in', text: 'HTTP request' }) : null,
        list,
        lane.kind === 'middleware' ? h('p', { class: 'terminal out', text: 'Router → endpoint' }) : null);
      lc.flow.append(laneEl);
      if (li < LANES.length - 1) lc.flow.append(laneArrow(li === 0 ? 'then serve' : 'on stop'));
    });
    // Keep the selection across refreshes when the item is still there.
    if (state.selected && !itemOf(state.selected)) state.selected = null;
    markSelected();
    renderInspector();
    placeInspector();
  }

  function onNodeKey(e) {
    if (!['ArrowDown', 'ArrowUp'].includes(e.key)) return;
    const list = lc.buttons;
    const at = list.indexOf(e.currentTarget);
    const next = list[e.key === 'ArrowDown' ? Math.min(list.length - 1, at + 1) : Math.max(0, at - 1)];
    if (next && next !== e.currentTarget) { e.preventDefault(); next.focus(); }
  }

  function itemOf(sel) {
    const m = state.metadata;
    const lane = LANES.find((l) => l.kind === sel.kind);
    const list = m && lane && Array.isArray(m[lane.key]) ? m[lane.key] : [];
    return list[sel.index] || null;
  }

  function select(kind, index) {
    const same = state.selected && state.selected.kind === kind && state.selected.index === index;
    // On narrow screens a second tap folds the details away again.
    state.selected = same && NARROW.matches ? null : { kind, index };
    markSelected();
    renderInspector();
    placeInspector();
    if (state.selected && NARROW.matches) lc.inspector.scrollIntoView({ block: 'nearest' });
  }

  function markSelected() {
    for (const b of lc.buttons || []) {
      const on = !!state.selected && b.getAttribute('data-lifecycle-kind') === state.selected.kind &&
        b.getAttribute('data-index') === String(state.selected.index);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      b.classList.toggle('selected', on);
    }
  }

  function renderInspector() {
    const body = lc.inspectorBody;
    body.textContent = '';
    const sel = state.selected;
    const item = sel ? itemOf(sel) : null;
    if (!item) {
      lc.inspector.removeAttribute('data-selected');
      body.append(h('p', { class: 'inspector-empty' }, 'Select a startup hook, a middleware or a shutdown hook in the diagram to see its description, source file and options.'));
      return;
    }
    const isMw = sel.kind === 'middleware';
    const lane = LANES.find((l) => l.kind === sel.kind);
    const m = state.metadata;
    const total = Array.isArray(m[lane.key]) ? m[lane.key].length : 0;
    const name = isMw ? String(item.type || '') : String(item.name || '');
    lc.inspector.setAttribute('data-selected', sel.kind + ':' + name);
    const kindLabel = sel.kind === 'startup' ? 'Startup hook' : sel.kind === 'shutdown' ? 'Shutdown hook' : 'Middleware';
    const position = isMw && isNum(item.position) ? item.position : sel.index + 1;
    const dl = h('dl', { class: 'inspector-fields' });
    const field = (label, key, ...value) => dl.append(h('div', { class: 'field' }, h('dt', { text: label }), h('dd', { 'data-field': key }, ...value)));
    field('Description', 'description', item.description ? item.description : h('span', { class: 'muted', text: 'No description' }));
    field('Source file', 'file', item.file ? h('code', null, breakable(item.file)) : h('span', { class: 'muted', text: 'Unknown' }));
    if (isMw) {
      field('Security layer', 'security', item.security_layer
        ? h('span', { class: 'yes' }, icon('shield'), 'Yes: a security layer')
        : h('span', { class: 'no', text: 'No' }));
      field('Origin', 'builtin', item.builtin ? 'Built into Aegis' : 'This app\u2019s code');
    }
    add(body, [
      h('p', { class: 'inspector-kind', 'data-field': 'kind', text: kindLabel + ' · ' + position + ' of ' + total }),
      h('h4', { class: 'inspector-name', 'data-field': 'name' }, breakable(name || '(unnamed)')),
      dl,
    ]);
    if (isMw) {
      const options = item.options && typeof item.options === 'object' ? item.options : {};
      body.append(h('h5', { class: 'options-title', text: 'Options' }));
      body.append(Object.keys(options).length
        ? h('pre', { class: 'options', 'data-field': 'options', tabindex: '0', 'aria-label': 'Options of ' + name }, jsonNode(options, 0))
        : h('p', { class: 'muted', 'data-field': 'options', text: 'No options' }));
    }
  }

  // ---- start ------------------------------------------------------------------------------------------
  loadComponents();
  loadMetadata();
})();
