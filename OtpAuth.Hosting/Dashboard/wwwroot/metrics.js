// Metrics: the instruments a resource reports, grouped by meter, with the latest value of each and, for the one
// selected, a chart of its recent values (an inline SVG) and its value per attribute set. Refreshed every two seconds.
import { h, svg, getJson, every, select, number, setQuery } from './dom.js';

export function metricsView(root, path, query) {
  let resource = path[0];
  let selected = query.get('instrument');
  const picker = h('span');
  const list = h('nav', { class: 'instruments', 'aria-label': 'Instruments' });
  const panel = h('section', { class: 'instrument' });
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Metrics'), picker), h('div', { class: 'metrics-layout' }, list, panel));

  const load = async () => {
    const names = await getJson('/api/telemetry/resources');
    resource ??= names.includes('api') ? 'api' : names[0];
    picker.replaceChildren(select('metrics-resource', 'Resource', names.map((n) => [n, n]), resource, (v) => { resource = v; selected = null; load(); }));
    if (!resource) {
      list.replaceChildren(h('p', { class: 'muted' }, 'No metrics received yet.'));
      return;
    }
    history.replaceState(null, '', `#/metrics/${encodeURIComponent(resource)}${selected ? `?instrument=${encodeURIComponent(selected)}` : ''}`);
    const [metrics] = await getJson(`/api/metrics?resource=${encodeURIComponent(resource)}`);
    const instruments = metrics?.instruments ?? [];
    selected ??= instruments.find((i) => i.meter === 'OtpAuth.Api')?.name ?? instruments[0]?.name;

    const meters = Map.groupBy(instruments, (i) => i.meter);
    list.replaceChildren(...[...meters].map(([meter, items]) => h('div', { class: 'meter' },
      h('h3', {}, meter || '(no meter name)'),
      items.map((i) => h('button', { type: 'button', class: i.name === selected ? 'selected' : '', 'data-instrument': i.name,
        onclick: () => { selected = i.name; load(); } },
      h('span', {}, i.name), h('span', { class: 'latest' }, latest(i)))))));

    const instrument = instruments.find((i) => i.name === selected);
    panel.replaceChildren(...(instrument ? drawInstrument(instrument) : [h('p', { class: 'muted' }, 'No instrument selected.')]));
  };
  return every(2000, load);
}

function latest(i) {
  if (i.histogram) return `p90 ${number(i.histogram.p90)}${unit(i.unit)}`;
  return `${number(i.value)}${unit(i.unit)}`;
}

function unit(u) {
  if (!u || u.startsWith('{')) return '';
  return ` ${u}`;
}

function drawInstrument(i) {
  const values = i.histogram
    ? [['count', number(i.histogram.count)], ['p50', number(i.histogram.p50)], ['p90', number(i.histogram.p90)], ['p99', number(i.histogram.p99)], ['max', number(i.histogram.max)]]
    : [['value', number(i.value)]];
  return [
    h('h2', {}, i.name),
    h('p', { class: 'muted' }, [i.description, `${i.type}${i.unit ? `, unit ${i.unit}` : ''}`].filter(Boolean).join(' · ')),
    h('div', { class: 'big-values' }, values.map(([label, value]) => h('div', {}, h('span', { class: 'muted' }, label), h('strong', {}, label === 'count' ? value : value + unit(i.unit))))),
    h('h3', {}, i.histogram ? 'p90 of each export interval' : 'Total over time'),
    chart(i.series),
    h('h3', {}, 'By attributes'),
    h('table', { class: 'grid points' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Attributes'), h('th', {}, i.histogram ? 'count · p50 · p90 · p99' : 'Value'))),
      h('tbody', {}, i.points.map((p) => h('tr', {},
        h('td', { class: 'mono' }, Object.entries(p.attributes).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'),
        h('td', { class: 'number' }, p.histogram
          ? `${number(p.histogram.count)} · ${number(p.histogram.p50)} · ${number(p.histogram.p90)} · ${number(p.histogram.p99)}`
          : number(p.value)))))),
  ];
}

/** A line chart of the series: x is time over the kept window, y from 0 (or the minimum) to the maximum. */
function chart(series) {
  const width = 640;
  const height = 180;
  const pad = { left: 56, right: 10, top: 10, bottom: 24 };
  if (!series?.length) return h('p', { class: 'muted' }, 'No values yet.');
  const times = series.map((p) => Date.parse(p.time));
  const values = series.map((p) => p.value);
  const [t0, t1] = [Math.min(...times), Math.max(...times, Math.min(...times) + 1000)];
  const low = Math.min(0, ...values);
  const high = Math.max(...values, low + 1e-9);
  const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - ((v - low) / (high - low)) * (height - pad.top - pad.bottom);
  const points = series.map((p, k) => `${x(times[k]).toFixed(1)},${y(values[k]).toFixed(1)}`).join(' ');
  return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'chart of recent values' },
    [high, (high + low) / 2, low].map((v) => [
      svg('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'grid-line' }),
      svg('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, number(v)),
    ]),
    svg('text', { x: pad.left, y: height - 6 }, new Date(t0).toLocaleTimeString([], { hour12: false })),
    svg('text', { x: width - pad.right, y: height - 6, 'text-anchor': 'end' }, new Date(t1).toLocaleTimeString([], { hour12: false })),
    svg('polyline', { points, class: 'series' }),
    series.length === 1 ? svg('circle', { cx: x(times[0]), cy: y(values[0]), r: 3, class: 'dot' }) : null);
}
