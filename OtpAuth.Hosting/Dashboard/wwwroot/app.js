// The dashboard's router: one view at a time, chosen by the hash (#/resources, #/console/api, #/traces/<id>, …).
// Each view is a function (root, path, query) that draws into root and returns a function that stops its updates.
import { resourcesView } from './resources.js';
import { consoleView } from './console.js';
import { logsView } from './logs.js';
import { tracesView } from './traces.js';
import { metricsView } from './metrics.js';

const views = {
  resources: resourcesView,
  console: consoleView,
  logs: logsView,
  traces: tracesView,
  metrics: metricsView,
};

let stopCurrent = null;

function route() {
  const [path, queryText] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  const view = views[name] ? name : 'resources';
  // Views keep their filters in the query with history.replaceState, which fires no hashchange: every call here is a real navigation.
  stopCurrent?.();
  const root = document.getElementById('view');
  root.replaceChildren();
  root.className = `view-${view}`;
  stopCurrent = views[view](root, rest, new URLSearchParams(queryText ?? ''));

  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.view === view);
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${view[0].toUpperCase()}${view.slice(1)} · OtpAuth dashboard`;
}

window.addEventListener('hashchange', route);
route();
