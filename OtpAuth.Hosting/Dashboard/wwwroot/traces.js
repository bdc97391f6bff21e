// Traces: the list (newest first, with duration, status and the resources a trace crossed), and one trace as a
// waterfall of its spans across services, with each span's attributes and the trace's log records.
import { h, getJson, every, select, textbox, clock, duration, badge, resourceChip, colourOf, attributesTable, setQuery } from './dom.js';

export function tracesView(root, path, query) {
  return path[0] ? traceView(root, path[0]) : listView(root, query);
}

function listView(root, query) {
  const filters = { resource: query.get('resource') ?? '', text: query.get('text') ?? '' };
  const resourcePicker = h('span');
  const body = h('tbody');
  const status = h('span', { class: 'muted' });

  const load = async () => {
    setQuery('traces', [], filters);
    const query = new URLSearchParams(Object.entries({ ...filters, limit: 200 }).filter(([, v]) => v));
    const traces = await getJson(`/api/traces?${query}`);
    status.textContent = `${traces.length} trace${traces.length === 1 ? "" : "s"}`;
    const longest = Math.max(1, ...traces.map((t) => t.durationMs));
    body.replaceChildren(...traces.map((t) => {
      const bar = h('span', { class: 'bar' });
      bar.style.width = `${Math.max(1, (t.durationMs / longest) * 100)}%`;
      return h('tr', { class: `status-${t.status}`, 'data-trace-id': t.traceId },
        h('td', { class: 'nowrap' }, clock(t.start)),
        h('td', {}, h('a', { href: `#/traces/${t.traceId}` }, t.name)),
        h('td', {}, t.resources.map(resourceChip)),
        h('td', { class: 'number' }, String(t.spanCount)),
        h('td', { class: 'duration' }, h('span', { class: 'bar-track' }, bar), duration(t.durationMs)),
        h('td', {}, t.errorCount ? badge(`${t.errorCount} error${t.errorCount > 1 ? 's' : ''}`, 'error') : badge(t.status)),
        h('td', { class: 'muted mono' }, t.traceId.slice(0, 8)));
    }));
  };

  let stop = null;
  const reload = () => { stop?.(); stop = every(3000, load); };
  root.append(
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Traces'),
      resourcePicker,
      textbox('traces-text', 'Search', filters.text, (v) => { filters.text = v; reload(); }, 'span name, e.g. POST /auth/login'),
      status),
    h('table', { class: 'grid traces' },
      h('thead', {}, h('tr', {}, ['Start', 'Name', 'Resources', 'Spans', 'Duration', 'Status', 'Trace'].map((c) => h('th', {}, c)))),
      body));
  getJson('/api/telemetry/resources').then((names) => {
    resourcePicker.replaceWith(select('traces-resource', 'Resource', [['', 'all'], ...names.map((n) => [n, n])], filters.resource,
      (v) => { filters.resource = v; reload(); }));
  });
  reload();
  return () => stop?.();
}

function traceView(root, traceId) {
  const header = h('div', { class: 'toolbar' }, h('a', { class: 'button', href: '#/traces' }, '← Traces'), h('h1', {}, 'Trace'), h('span', { class: 'mono muted' }, traceId));
  const waterfall = h('div', { class: 'waterfall' });
  const details = h('aside', { class: 'span-details' }, h('p', { class: 'muted' }, 'Select a span to see its attributes.'));
  const logs = h('section', { class: 'trace-logs' });
  root.append(header, h('div', { class: 'trace-layout' }, waterfall, details), logs);

  let selected = null;
  let seen = -1;
  const load = async () => {
    let trace;
    try {
      trace = await getJson(`/api/traces/${encodeURIComponent(traceId)}`);
    } catch {
      waterfall.replaceChildren(h('p', { class: 'muted' }, 'This trace has not arrived yet (or it was dropped as the oldest).'));
      return;
    }
    // Spans of a trace can arrive over a few seconds: redraw only when there are more, keeping the selection.
    if (trace.spans.length !== seen) draw(trace);
    seen = trace.spans.length;
    const records = await getJson(`/api/logs?traceId=${encodeURIComponent(traceId)}&limit=200`);
    logs.replaceChildren(
      h('h2', {}, 'Log records of this trace ', h('a', { href: `#/logs?traceId=${traceId}` }, 'open in structured logs')),
      records.length === 0 ? h('p', { class: 'muted' }, 'None.') :
        h('table', { class: 'grid logs' }, h('tbody', {}, records.reverse().map((r) => h('tr', { class: `level-${r.level}` },
          h('td', { class: 'nowrap' }, clock(r.timestamp)), h('td', {}, badge(r.level)), h('td', {}, resourceChip(r.resource)),
          h('td', { class: 'message' }, r.message))))));
  };
  const draw = (trace) => {
    drawWaterfall(waterfall, trace, (span) => { selected = span.spanId; drawDetails(details, span); mark(waterfall, selected); });
    header.replaceChildren(
      h('a', { class: 'button', href: '#/traces' }, '← Traces'),
      h('h1', {}, trace.trace.name),
      ...trace.trace.resources.map(resourceChip),
      h('span', {}, duration(trace.trace.durationMs)),
      h('span', { class: 'muted' }, `${trace.trace.spanCount} spans · ${clock(trace.trace.start)}`),
      h('span', { class: 'mono muted' }, traceId));
    if (selected) mark(waterfall, selected);
  };
  return every(2000, load);
}

/** Spans ordered as a tree (children under their parent, by start time), each bar placed on the trace's time line. */
function drawWaterfall(container, trace, onselect) {
  const spans = trace.spans;
  const start = Date.parse(trace.trace.start) + fraction(trace.trace.start);
  const total = Math.max(trace.trace.durationMs, 0.001);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(span);
  }
  const rows = [];
  const visit = (parent, depth) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => Date.parse(a.start) - Date.parse(b.start))) {
      rows.push([span, depth]);
      visit(span.spanId, depth + 1);
    }
  };
  visit(null, 0);

  const scale = h('div', { class: 'wf-row wf-scale' }, h('div', { class: 'wf-name' }, 'Span'),
    h('div', { class: 'wf-track' }, [0, 0.25, 0.5, 0.75, 1].map((f) => {
      const tick = h('span', { class: 'tick' }, duration(total * f));
      tick.style.left = `${f * 100}%`;
      return tick;
    })));
  container.replaceChildren(scale, ...rows.map(([span, depth]) => {
    const offset = (Date.parse(span.start) + fraction(span.start) - start) / total;
    const bar = h('span', { class: `wf-bar ${span.status}`, title: `${span.name}: ${duration(span.durationMs)}` });
    bar.style.left = `${Math.min(99.5, Math.max(0, offset * 100))}%`;
    bar.style.width = `${Math.max(0.4, (span.durationMs / total) * 100)}%`;
    bar.style.setProperty('--c', colourOf(span.resource));
    const name = h('div', { class: 'wf-name' }, resourceChip(span.resource), ' ', h('span', { class: 'span-name' }, span.name));
    name.style.paddingLeft = `${depth * 14}px`;
    return h('div', { class: 'wf-row', 'data-span-id': span.spanId, 'data-kind': span.kind, tabindex: 0, onclick: () => onselect(span),
      onkeydown: (e) => { if (e.key === 'Enter') onselect(span); } },
      name, h('div', { class: 'wf-track' }, bar, h('span', { class: 'wf-duration' }, duration(span.durationMs))));
  }));
}

// Date.parse keeps milliseconds only; spans of a fast trace differ in the microseconds after them.
function fraction(iso) {
  const digits = /\.\d{3}(\d+)/.exec(iso)?.[1];
  return digits ? Number(`0.${digits}`) : 0;
}

function mark(container, spanId) {
  for (const row of container.querySelectorAll('.wf-row')) row.classList.toggle('selected', row.dataset.spanId === spanId);
}

function drawDetails(container, span) {
  container.replaceChildren(...[
    h('h2', {}, span.name),
    h('dl', {},
      h('dt', {}, 'Resource'), h('dd', {}, resourceChip(span.resource)),
      h('dt', {}, 'Kind'), h('dd', {}, span.kind),
      h('dt', {}, 'Duration'), h('dd', {}, duration(span.durationMs)),
      h('dt', {}, 'Status'), h('dd', {}, badge(span.status), span.statusMessage ? ` ${span.statusMessage}` : ''),
      h('dt', {}, 'Scope'), h('dd', {}, span.scope),
      h('dt', {}, 'Span id'), h('dd', { class: 'mono' }, span.spanId)),
    attributesTable(span.attributes),
    span.events.length ? h('div', {}, h('h3', {}, 'Events'), span.events.map((e) => h('div', { class: 'event' }, h('strong', {}, e.name), ' ', clock(e.timestamp), attributesTable(e.attributes)))) : null,
  ].filter(Boolean));
}
