// Routes live in the URL fragment (#/c/users?state=deleted), so the server
// only ever serves one page and no route, query or token reaches its logs.

let renderer = () => {};
const cleanups = [];

// setRenderer names the function that draws the current route.
export function setRenderer(fn) { renderer = fn; }

// currentRoute reads the fragment: #/c/users?state=deleted → {parts, query}.
export function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const i = raw.indexOf('?');
  const p = i < 0 ? raw : raw.slice(0, i);
  const q = i < 0 ? '' : raw.slice(i + 1);
  return {
    parts: p.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(q),
  };
}

// href builds a fragment route from segments and a query.
export function href(segments, query = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, v);
  }
  const tail = qs.toString();
  return '#/' + segments.map(encodeURIComponent).join('/') + (tail ? '?' + tail : '');
}

// go navigates to a route, redrawing even when it is the current one.
export function go(hash) {
  if (location.hash === hash) renderer();
  else location.hash = hash;
}

// redraw draws the current route again (after an action).
export function redraw() { return renderer(); }

// onLeave registers fn to run when the view changes (timers).
export function onLeave(fn) { cleanups.push(fn); }

// leave runs and forgets the registered cleanups.
export function leave() {
  while (cleanups.length) cleanups.pop()();
}
