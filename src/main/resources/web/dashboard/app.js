// The asyncwatch dashboard: asks /api/state every refreshMs and redraws in place (charts are reused, tables
// rebuilt), so a page left open for a day holds what it held after a minute.
'use strict';
const charts = new Map();
let lastVersion = -1;
// Script errors, for whoever checks the page (the browser test); the page keeps going.
window.asyncwatchErrors = [];
window.addEventListener('error', e => window.asyncwatchErrors.push(String(e.message)));
window.addEventListener('unhandledrejection', e => window.asyncwatchErrors.push(String(e.reason)));

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function panelSection(p) {
  let sec = document.getElementById('panel-' + p.id);
  if (!sec) {
    sec = el('section', {id: 'panel-' + p.id, class: 'panel'},
      el('h2', {}, p.title), el('p', {class: 'caption'}, p.caption),
      el('div', {class: 'charts'}), el('div', {class: 'tables'}));
    document.getElementById('panels').append(sec);
    document.getElementById('nav').append(' · ', el('a', {href: '#panel-' + p.id}, p.title.replace(/^\d+\. /, '')));
  }
  return sec;
}

function renderPanel(p) {
  const sec = panelSection(p);
  sec.dataset.hasData = String(p.hasData);
  const box = sec.querySelector('.charts');
  const sent = new Set(p.charts.map(c => 'chart-' + p.id + '-' + c.id));
  for (const div of [...box.querySelectorAll('.chart')]) {
    if (!sent.has(div.id)) { // a chart the server no longer sends: free it, or a day-long page leaks
      const old = charts.get(div.id);
      if (old) old.dispose();
      charts.delete(div.id);
      div.remove();
    }
  }
  for (const c of p.charts) {
    const id = 'chart-' + p.id + '-' + c.id;
    let div = document.getElementById(id);
    if (!div) {
      div = el('div', {id: id, class: 'chart'});
      box.append(div);
    }
    let chart = charts.get(id);
    if (!chart) {
      chart = echarts.init(div);
      charts.set(id, chart);
    }
    chart.setOption(c.option, {notMerge: true, lazyUpdate: true});
    div.dataset.points = String(c.option.series.reduce((n, s) => n + (s.data ? s.data.length : 0), 0));
  }
  const tables = sec.querySelector('.tables');
  tables.replaceChildren(...p.tables.map(t => {
    if (t.rows.length === 0) {
      return el('div', {}, el('h3', {}, t.title), el('p', {class: 'empty'}, 'No points yet.'));
    }
    const head = el('tr', {}, ...t.columns.map(c => el('th', {}, c)));
    const rows = t.rows.map(r => el('tr', {}, ...r.map(v => el('td', {}, v))));
    return el('div', {}, el('h3', {}, t.title), el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
  }));
}

function renderAlerts(alerts) {
  const list = document.getElementById('alert-list');
  if (alerts.length === 0) {
    list.replaceChildren(el('p', {class: 'empty'}, 'No alert yet.'));
    return;
  }
  const open = new Set([...list.querySelectorAll('details[open]')].map(d => d.dataset.fingerprint));
  list.replaceChildren(...alerts.map(a => {
    const details = el('details', {'data-fingerprint': a.fingerprint},
      el('summary', {}, el('span', {class: 'sev ' + a.severity}, a.severity), ' ', a.status, ' ',
        el('code', {}, a.fingerprint), ' — ', a.summary),
      el('p', {}, 'First fired ' + time(a.firstFiring) + ' · latest evidence to ' + time(a.windowEnd) + ' · '
        + a.alerts + ' alert(s) · id ' + a.alertId + ' ',
        a.panel ? el('a', {href: '#panel-' + a.panel}, 'see the panel') : ''),
      el('h3', {}, 'Evidence'), el('ul', {}, ...a.evidence.map(e => el('li', {}, e))),
      el('h3', {}, 'Playbook'), el('ol', {}, ...a.playbook.map(e => el('li', {}, e))));
    if (open.has(a.fingerprint)) details.open = true;
    return el('div', {class: 'alert ' + a.status.toLowerCase() + ' ' + a.severity, 'data-fingerprint': a.fingerprint,
      'data-status': a.status}, details);
  }));
}

function render(s) {
  for (const p of s.panels) renderPanel(p);
  renderAlerts(s.alerts);
  const standup = document.getElementById('standup-text');
  standup.textContent = s.standup ? s.standup.text : 'No standup summary yet.';
  document.getElementById('standup').dataset.hasData = String(!!s.standup);
  const dead = Object.entries(s.deadLetters);
  document.getElementById('dead-letters').textContent =
    dead.length === 0 ? 'none' : dead.map(([k, v]) => v + ' × ' + k).join('; ');
  document.body.dataset.version = String(s.version);
  document.body.dataset.alerts = String(s.alerts.length);
}

async function refresh() {
  let wait = 3000;
  const status = document.getElementById('status');
  try {
    // A server that accepts but never answers must not freeze the page on its last picture.
    const r = await fetch('/api/state', {cache: 'no-store', signal: AbortSignal.timeout(10000)});
    if (!r.ok) throw new Error('HTTP ' + r.status + ': ' + (await r.text()).slice(0, 200));
    const s = await r.json();
    wait = s.refreshMs || 2000;
    if (s.version !== lastVersion) {
      render(s);
      lastVersion = s.version;
    }
    status.textContent = 'live · ' + s.records + ' records read' + (s.eventTime ? ' · event time ' + time(s.eventTime) : '');
    status.classList.remove('stale');
  } catch (e) {
    status.textContent = 'disconnected: ' + e.message + ' (retrying)';
    status.classList.add('stale');
  }
  setTimeout(refresh, wait);
}

window.addEventListener('resize', () => charts.forEach(c => c.resize()));
refresh();
