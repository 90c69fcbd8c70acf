// A small client for gone's HTTP API over fetch. (The project's JavaScript
// client in clients/js was being written at the same time; the console
// uses plain fetch so it depends on nothing but the API itself.)

import { lang } from './i18n.js';
import { session } from './session.js';
import { redraw } from './router.js';

// The API lives beside the console: /admin/ → /, so /api/… (also under a
// path prefix, if a proxy mounts the server below one).
const base = new URL('../', document.baseURI);

// ApiError is a refused request: the server's RFC 9457 problem.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.message || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// url builds an API URL; empty query values are left out.
export function url(path, query = {}) {
  const u = new URL(path.replace(/^\//, ''), base);
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  }
  return u;
}

// call sends one request and returns the decoded JSON body, or throws an
// ApiError with the server's problem. token overrides the session's.
export async function call(method, path, { query, body, token, anonymous } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': lang() };
  const secret = token ?? session.token;
  if (secret && !anonymous) headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(url(path, query), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'manual', referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError(0, { detail: String(err.message || err) });
  }
  if (res.type === 'opaqueredirect') {
    // A 308: the browser hides its Location from a manual fetch.
    throw new ApiError(308, { title: 'Permanent Redirect', detail: '' });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data || { detail: res.statusText });
    if (res.status === 401 && token === undefined && session.token) {
      // The session's token stopped working (revoked, or a server that made
      // a new one at restart): sign out and say why on the sign-in form.
      session.signOut();
      session.refused = err.message;
      redraw();
    }
    throw err;
  }
  return data;
}

// publicPath is where callers reach an API path: below the proxy's admin
// prefix under gone proxy (/_gone/api/users/123), as it is on gone serve.
export function publicPath(p) {
  return new URL(p.replace(/^\//, ''), base).pathname;
}

// resourcePath reads a path as a caller would ask for it: the API path of
// one of this server's resources when it lies below the API's /api/ (as
// publicPath writes it), or null for any other path: a site path, which the
// rules answer.
export function resourcePath(p) {
  const root = base.pathname;
  if (!p.startsWith(root)) return null;
  const rest = '/' + p.slice(root.length);
  return rest.startsWith('/api/') ? rest : null;
}

// path joins segments into an API path, escaping each.
export function path(...segments) {
  return '/api/' + segments.map(encodeURIComponent).join('/');
}
