// Small helpers shared by the views. Elements are built with the DOM API (never innerHTML), so text from
// resources, logs and spans is always shown as text, and the page needs no inline script or style (CSP).

export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

export function svg(tag, attributes, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value != null) element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    location.href = '/login.html';
    throw new Error('not logged in');
  }
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

export async function post(url) {
  const response = await fetch(url, { method: 'POST' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
}

/** Runs load() now and every intervalMs until the view is left; returns the stop function. */
export function every(intervalMs, load) {
  let stopped = false;
  let timer;
  const tick = async () => {
    try { await load(); } catch (error) { console.warn(error); }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

export function duration(ms) {
  if (ms == null) return '';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function clock(iso) {
  const date = new Date(iso);
  return date.toLocaleTimeString([], { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
}

export function number(value) {
  if (value == null || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** A stable colour per resource name, so a service looks the same in every view. */
export function colourOf(name) {
  let hash = 0;
  for (const c of name ?? '') hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 42%)`;
}

export function resourceChip(name) {
  const chip = h('span', { class: 'chip' }, name);
  chip.style.setProperty('--c', colourOf(name));
  return chip;
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind ?? text}` }, text);
}

export function select(id, label, options, value, onchange) {
  const control = h('select', { id, onchange: (e) => onchange(e.target.value) },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  return h('label', { class: 'field', for: id }, h('span', {}, label), control);
}

export function textbox(id, label, value, oninput, placeholder) {
  const input = h('input', { id, type: 'search', value: value ?? '', placeholder: placeholder ?? '', oninput: (e) => oninput(e.target.value) });
  return h('label', { class: 'field grow', for: id }, h('span', {}, label), input);
}

export function attributesTable(attributes) {
  const entries = Object.entries(attributes ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No attributes.');
  return h('table', { class: 'attributes' }, h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}

/** The query of a view's hash (#/logs?resource=api): its filters survive a reload and can be linked to. */
export function setQuery(view, path, values) {
  const query = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
  const hash = `#/${[view, ...path].join('/')}${query.size ? '?' + query : ''}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}
