// Console logs: a resource's captured stdout/stderr, live from /api/resources/{name}/logs/stream, with a filter box.
// At most maxLines lines stay in the page; older ones are dropped first.
import { h, getJson, select, textbox, clock, setQuery } from './dom.js';

const maxLines = 5000;

export function consoleView(root, path, query) {
  let name = path[0];
  let filter = query.get('filter') ?? '';
  let follow = true;
  let source = null;
  const output = h('div', { class: 'console', role: 'log', 'aria-live': 'off' });
  const picker = h('span');
  const count = h('span', { class: 'muted' });

  const matches = (line) => !filter || line.dataset.text.toLowerCase().includes(filter.toLowerCase());
  const applyFilter = () => {
    let shown = 0;
    for (const line of output.children) {
      line.hidden = !matches(line);
      if (!line.hidden) shown++;
    }
    count.textContent = `${shown} of ${output.children.length} lines`;
  };

  const connect = () => {
    source?.close();
    output.replaceChildren();
    if (!name) return;
    setQuery('console', [name], { filter });
    source = new EventSource(`/api/resources/${encodeURIComponent(name)}/logs/stream`);
    source.addEventListener('line', (event) => {
      const line = JSON.parse(event.data);
      const element = h('div', { class: `line ${line.stream}` },
        h('span', { class: 'time' }, clock(line.timestamp)), ' ',
        h('span', { class: 'source' }, line.resource), ' ',
        h('span', { class: 'text' }, line.text));
      element.dataset.text = line.text;
      element.hidden = !matches(element);
      output.append(element);
      while (output.children.length > maxLines) output.firstElementChild.remove();
      if (follow) output.scrollTop = output.scrollHeight;
      count.textContent = `${output.children.length} lines`;
    });
  };

  root.append(
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Console logs'),
      picker,
      textbox('console-filter', 'Filter', filter, (value) => { filter = value; setQuery('console', [name], { filter }); applyFilter(); }, 'text in the line'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: true, onchange: (e) => { follow = e.target.checked; } }), 'Follow'),
      count),
    output);

  getJson('/api/resources').then((resources) => {
    name ??= resources.find((r) => r.type === 'project')?.name ?? resources[0]?.name;
    picker.replaceWith(select('console-resource', 'Resource', resources.map((r) => [r.name, r.name]), name, (value) => {
      name = value;
      history.replaceState(null, '', `#/console/${encodeURIComponent(name)}`);
      connect();
    }));
    connect();
  });

  return () => source?.close();
}
