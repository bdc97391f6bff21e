// Structured logs: the OpenTelemetry log records the projects sent, newest first, filtered by resource, minimum
// level and text; a record's trace id links to its trace. Refreshed every two seconds.
import { h, getJson, every, select, textbox, clock, badge, resourceChip, attributesTable, setQuery } from './dom.js';

const levels = ['trace', 'debug', 'information', 'warning', 'error', 'critical'];

export function logsView(root, path, query) {
  const filters = {
    resource: query.get('resource') ?? '',
    level: query.get('level') ?? '',
    text: query.get('text') ?? '',
    traceId: query.get('traceId') ?? '',
  };
  const open = new Set();
  const resourcePicker = h('span');
  const body = h('tbody');
  const status = h('span', { class: 'muted' });

  const load = async () => {
    setQuery('logs', [], filters);
    const query = new URLSearchParams(Object.entries({ ...filters, limit: 300 }).filter(([, v]) => v));
    const records = await getJson(`/api/logs?${query}`);
    status.textContent = `${records.length} record${records.length === 1 ? "" : "s"}${records.length === 300 ? ' (newest 300)' : ''}`;
    body.replaceChildren(...records.flatMap((r) => {
      const row = h('tr', { class: `level-${r.level}`, onclick: () => { open.has(r.sequence) ? open.delete(r.sequence) : open.add(r.sequence); load(); } },
        h('td', { class: 'nowrap' }, clock(r.timestamp)),
        h('td', {}, badge(r.level)),
        h('td', {}, resourceChip(r.resource)),
        h('td', { class: 'category' }, r.category),
        h('td', { class: 'message' }, r.message),
        h('td', {}, r.traceId ? h('a', { href: `#/traces/${r.traceId}`, onclick: (e) => e.stopPropagation(), title: r.traceId }, r.traceId.slice(0, 8)) : ''));
      return open.has(r.sequence) ? [row, h('tr', { class: 'detail' }, h('td', { colspan: 6 }, attributesTable({ ...r.attributes, 'span.id': r.spanId ?? '' })))] : [row];
    }));
  };

  let stop = null;
  const reload = () => { stop?.(); stop = every(2000, load); };

  root.append(
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Structured logs'),
      resourcePicker,
      select('logs-level', 'Level', [['', 'all'], ...levels.map((l) => [l, `${l} and above`])], filters.level, (v) => { filters.level = v; reload(); }),
      textbox('logs-text', 'Search', filters.text, (v) => { filters.text = v; reload(); }, 'message, category or attribute'),
      filters.traceId ? h('a', { class: 'button', href: '#/logs' }, `trace ${filters.traceId.slice(0, 8)} ✕`) : null,
      status),
    h('table', { class: 'grid logs' },
      h('thead', {}, h('tr', {}, ['Time', 'Level', 'Resource', 'Category', 'Message', 'Trace'].map((c) => h('th', {}, c)))),
      body));

  getJson('/api/telemetry/resources').then((names) => {
    resourcePicker.replaceWith(select('logs-resource', 'Resource', [['', 'all'], ...names.map((n) => [n, n])], filters.resource,
      (v) => { filters.resource = v; reload(); }));
  });
  reload();
  return () => stop?.();
}
