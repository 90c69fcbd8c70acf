// Audit: the whole log, filtered by collection, id, actor, action and
// time, newest first (or oldest first), a page at a time.

import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { call } from './api.js';
import { session } from './session.js';
import { href, go } from './router.js';
import { time, problemBox, toISO } from './fmt.js';

const actions = ['create', 'replace', 'patch', 'soft_delete', 'restore', 'delete', 'purge', 'expire', 'move', 'unavailable', 'lifecycle', 'token_create', 'token_revoke',
  'webhook_create', 'webhook_update', 'webhook_pause', 'webhook_resume', 'webhook_delete'];
const PAGE = 50;

// fromISO shows an RFC 3339 time in a datetime-local field (local time).
function fromISO(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export async function auditView(main, { query }) {
  const q = Object.fromEntries(['collection', 'id', 'actor', 'action', 'since', 'until', 'after', 'before'].map((k) => [k, query.get(k) || '']));
  // Newest first unless asked otherwise: what an operator opens a log for.
  q.order = query.get('order') === 'oldest' ? 'oldest' : 'newest';
  // limit is the page size; a route may ask for a smaller one.
  const limit = Math.min(Math.max(Number(query.get('limit')) || PAGE, 1), 1000);
  if (limit !== PAGE) q.limit = limit;
  replace(main, h('h1', {}, t('audit.title')));
  if (!session.admin) {
    main.append(h('p', { class: 'hint' }, t('needs.admin')));
    return;
  }
  const coll = h('select', { id: 'f-collection', name: 'collection' }, h('option', { value: '' }, t('audit.any')),
    session.index.collections.map((c) => h('option', { value: c.name, selected: c.name === q.collection }, c.name)));
  const act = h('select', { id: 'f-action', name: 'action' }, h('option', { value: '' }, t('audit.any')),
    actions.map((a) => h('option', { value: a, selected: a === q.action }, t(`action.${a}`))));
  const input = (id, value, attrs = {}) => h('input', { id: `f-${id}`, name: id, value, autocomplete: 'off', ...attrs });
  const fid = input('id', q.id, { spellcheck: 'false' });
  const actor = input('actor', q.actor);
  const since = input('since', fromISO(q.since), { type: 'datetime-local' });
  const until = input('until', fromISO(q.until), { type: 'datetime-local' });
  const order = h('select', { id: 'f-order', name: 'order' },
    ['newest', 'oldest'].map((o) => h('option', { value: o, selected: o === q.order }, t(`audit.order.${o}`))));
  const lbl = (id, key) => h('label', { for: `f-${id}` }, t(key));
  const form = h('form', { id: 'audit-filter', class: 'filters' },
    h('div', {}, lbl('collection', 'field.collection'), coll),
    h('div', {}, lbl('id', 'col.id'), fid),
    h('div', {}, lbl('actor', 'field.actor'), actor),
    h('div', {}, lbl('action', 'field.action'), act),
    h('div', {}, lbl('since', 'field.since'), since),
    h('div', {}, lbl('until', 'field.until'), until),
    h('div', {}, lbl('order', 'audit.order'), order),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('audit.filter'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(href(['audit'], {
      collection: coll.value, id: fid.value.trim(), actor: actor.value.trim(), action: act.value,
      since: toISO(since.value), until: toISO(until.value), order: order.value, limit: q.limit,
    }));
  });
  main.append(form);

  let page;
  try {
    page = await call('GET', '/api/audit', { query: { ...q, limit } });
  } catch (err) {
    main.append(problemBox(err));
    return;
  }
  if (page.events.length === 0) {
    main.append(h('p', { id: 'empty' }, t('audit.none')));
  } else {
    main.append(h('div', { class: 'scroll' }, h('table', { id: 'audit', class: 'items' },
      h('caption', {}, t(`audit.caption.${q.order}`)),
      h('thead', {}, h('tr', {}, ['#', t('field.at'), t('field.actor'), t('field.action'), t('col.id'), t('field.reason'), t('field.detail')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.events.map((e) => h('tr', {},
        h('td', { class: 'short' }, String(e.seq)), h('td', { class: 'short' }, time(e.at)), h('td', { class: 'short' }, e.actor || ''),
        h('td', { class: 'words' }, t(`action.${e.action}`)),
        h('td', {}, h('a', { href: href(['r', e.collection, e.id]) }, `${e.collection}/${e.id}`)),
        h('td', {}, e.reason || ''), h('td', {}, e.detail || '')))))));
  }
  const nav = h('p', { class: 'pager' });
  const cursor = q.order === 'newest' ? 'before' : 'after';
  if (q[cursor]) nav.append(h('a', { id: 'first', href: href(['audit'], { ...q, after: '', before: '' }) }, t('pager.first')), ' ');
  if (page.next) nav.append(h('a', { id: 'next', href: href(['audit'], { ...q, after: '', before: '', [cursor]: page.next }) }, t('pager.next')));
  main.append(nav);
}
