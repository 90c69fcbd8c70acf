// Formatting shared by the views: times in UTC (the server's facts are
// UTC), countdowns, and small pieces of the page that recur.

import { h } from './dom.js';
import { t, lang } from './i18n.js';
import { onLeave } from './router.js';

// when formats an RFC 3339 time for people, in UTC.
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang(), {
    dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC',
  }).format(d) + ' UTC';
}

// time is a <time> element showing when(iso).
export function time(iso) {
  return iso ? h('time', { datetime: iso }, when(iso)) : '';
}

// remaining says how long until iso ("29 d 23 h 59 min"), or that it passed.
export function remaining(iso, now = Date.now()) {
  let ms = new Date(iso).getTime() - now;
  if (ms <= 0) return t('countdown.passed');
  const units = [['d', 86400000], ['h', 3600000], ['min', 60000], ['s', 1000]];
  const out = [];
  for (const [u, size] of units) {
    const n = Math.floor(ms / size);
    ms -= n * size;
    if (n > 0 || out.length) out.push(`${n} ${u}`);
    if (out.length === 3) break;
  }
  return t('countdown.left', { t: out.join(' ') });
}

// countdown is an element that counts down to iso, once a second, until
// the view changes.
export function countdown(iso) {
  const el = h('span', { class: 'countdown', 'data-until': iso }, remaining(iso));
  const timer = setInterval(() => { el.textContent = remaining(iso); }, 1000);
  onLeave(() => clearInterval(timer));
  return el;
}

// stateBadge names a state in words (never by colour alone).
export function stateBadge(state) {
  return h('span', { class: `badge state-${state}` }, t(`state.${state}`));
}

// problemBox shows a refused request: the server's own message, and its
// per-field problems when there are any.
export function problemBox(err) {
  const p = err.problem || {};
  const fields = Object.entries(p.errors || {});
  return h('div', { role: 'alert', class: 'error' },
    h('p', {}, err.status ? h('strong', {}, `${err.status} `) : null, err.message),
    fields.length ? h('ul', {}, fields.map(([k, v]) => h('li', {}, `${k}: ${v}`))) : null);
}

// json pretty-prints a value for a <pre>, as text.
export function json(v) {
  return JSON.stringify(v, null, 2);
}

// toISO turns a datetime-local value (the user's local time) into RFC 3339.
export function toISO(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
