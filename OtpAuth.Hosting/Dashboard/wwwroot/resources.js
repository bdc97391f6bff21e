// Resources: every resource and replica with its state, health, uptime, restarts, URLs and (masked) environment,
// live from the server-sent event stream /api/resources/stream; stop, start and restart buttons.
import { h, post, badge, duration, resourceChip } from './dom.js';

const links = {
  api: [['docs', '/docs']],
};

export function resourcesView(root) {
  const expanded = new Set();
  let resources = [];
  const status = h('p', { class: 'muted status' }, 'Connecting…');
  const body = h('tbody');
  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Resources'), status),
    h('table', { class: 'grid resources' },
      h('thead', {}, h('tr', {}, ['Name', 'Type', 'Runtime', 'State', 'Health', 'Uptime', 'Restarts', 'URLs', ''].map((c) => h('th', {}, c)))),
      body));

  const draw = () => {
    body.replaceChildren(...resources.flatMap((r) => {
      const row = h('tr', { 'data-resource': r.name, class: `state-${r.state}` },
        h('td', {}, resourceChip(r.name), r.replicaOf ? h('span', { class: 'muted' }, ` replica of ${r.replicaOf}`) : null),
        h('td', {}, r.type, r.server ? h('span', { class: 'muted' }, ` (${r.server})`) : null),
        h('td', {}, r.runtime),
        h('td', { class: 'state' }, badge(r.state)),
        h('td', { class: 'health' }, badge(r.health)),
        h('td', { class: 'uptime' }, uptime(r)),
        h('td', {}, String(r.restarts ?? 0)),
        h('td', { class: 'urls' }, urlsOf(r)),
        h('td', { class: 'actions' },
          h('button', { type: 'button', title: 'Show the environment it was given', 'aria-expanded': String(expanded.has(r.name)),
            onclick: () => { expanded.has(r.name) ? expanded.delete(r.name) : expanded.add(r.name); draw(); } }, 'Env'),
          h('a', { class: 'button', href: `#/console/${encodeURIComponent(r.name)}` }, 'Console'),
          action(r, 'stop', r.state === 'running' || r.state === 'starting' || r.state === 'waiting'),
          action(r, 'start', r.state === 'exited' || r.state === 'failed'),
          action(r, 'restart', r.type !== 'database')));
      const rows = [row];
      if (r.error && r.state === 'failed') rows.push(h('tr', { class: 'detail' }, h('td', { colspan: 9 }, h('pre', { class: 'error' }, r.error))));
      if (expanded.has(r.name)) rows.push(h('tr', { class: 'detail' }, h('td', { colspan: 9 }, environmentOf(r))));
      return rows;
    }));
  };

  const source = new EventSource('/api/resources/stream');
  source.addEventListener('resources', (event) => {
    resources = JSON.parse(event.data);
    status.textContent = `${resources.filter((r) => r.health === 'healthy').length} of ${resources.length} healthy · live`;
    draw();
  });
  source.onerror = () => { status.textContent = 'Disconnected from the AppHost; retrying…'; };

  // Uptime moves every second without waiting for the next event.
  const ticker = setInterval(() => {
    for (const r of resources) {
      const cell = body.querySelector(`tr[data-resource="${CSS.escape(r.name)}"] .uptime`);
      if (cell) cell.textContent = uptime(r);
    }
  }, 1000);

  return () => { source.close(); clearInterval(ticker); };
}

function uptime(r) {
  return r.state === 'running' && r.startedAt ? duration(Date.now() - Date.parse(r.startedAt)) : '';
}

function urlsOf(r) {
  // Only http endpoints are links; a tcp or smtp address is for clients, not for a browser.
  const endpoints = (r.endpoints ?? []).map((e) => e.url.startsWith('http')
    ? h('a', { href: e.url, target: '_blank', rel: 'noopener' }, `${e.name}: ${e.url}`)
    : h('span', { class: 'address' }, `${e.name}: ${e.url}`));
  const extra = (links[r.replicaOf ?? r.name] ?? [])
    .filter(() => r.endpoints?.length)
    .map(([label, path]) => h('a', { href: r.endpoints[0].url + path, target: '_blank', rel: 'noopener' }, label));
  return [...endpoints, ...extra];
}

function action(r, verb, enabled) {
  return h('button', {
    type: 'button',
    class: verb,
    disabled: !enabled,
    'data-action': verb,
    onclick: async (event) => {
      event.target.disabled = true;
      try { await post(`/api/resources/${encodeURIComponent(r.name)}/${verb}`); } catch (error) { alert(error.message); }
    },
  }, verb[0].toUpperCase() + verb.slice(1));
}

function environmentOf(r) {
  const entries = Object.entries(r.environment ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No environment recorded for this resource.');
  return h('table', { class: 'attributes env' }, h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}
