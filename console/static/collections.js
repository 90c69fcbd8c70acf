// Collections: one collection's ids, a page at a time (the API's cursor),
// filtered by lifecycle state. Beyond the live list every filter is an
// admin listing of lifecycle views.

import { h, replace, link } from './dom.js';
import { t } from './i18n.js';
import { call, path } from './api.js';
import { session } from './session.js';
import { href, go } from './router.js';
import { time, countdown, stateBadge, problemBox } from './fmt.js';

// filters are the console's state filters and the API query each sends.
const filters = [
  { key: 'live', query: {} },
  { key: 'deleted', query: { state: 'deleted' }, admin: true },
  { key: 'gone', query: { state: 'gone' }, admin: true },
  { key: 'expiring', query: { expiresWithin: '7d' }, admin: true },
  { key: 'moved', query: { state: 'moved' }, admin: true },
  { key: 'unavailable', query: { state: 'unavailable' }, admin: true },
];

const PAGE = 20;

// columns says what each filter shows of an item, beyond its id.
const columns = {
  live: [['col.data', (it) => h('code', { class: 'preview' }, preview(it.data))]],
  deleted: [
    ['col.deletedAt', (it) => time(it.deletedAt)],
    ['col.restorableUntil', (it) => [time(it.restorableUntil), ' ', countdown(it.restorableUntil)]],
    ['col.reason', (it) => it.reason || ''],
    ['col.deletedBy', (it) => it.deletedBy || ''],
  ],
  gone: [
    ['col.state', (it) => stateBadge(it.state)],
    ['col.retiredAt', (it) => time(it.state === 'expired' ? it.expiresAt : it.deletedAt)],
    ['col.reason', (it) => it.reason || ''],
    ['col.alternative', (it) => (it.alternative ? link(it.alternative) : '')],
  ],
  expiring: [
    ['col.expiresAt', (it) => [time(it.expiresAt), ' ', countdown(it.expiresAt)]],
    ['col.alternative', (it) => (it.alternative ? link(it.alternative) : '')],
  ],
  moved: [['col.movedTo', (it) => link(it.movedTo)]],
  unavailable: [['col.unavailableUntil', (it) => [time(it.unavailableUntil), ' ', countdown(it.unavailableUntil)]]],
};

function preview(data) {
  const s = JSON.stringify(data);
  return s && s.length > 120 ? s.slice(0, 117) + '…' : s || '';
}

export async function collectionsView(main, { parts, query }) {
  const cols = session.index.collections;
  const name = parts[0] || (cols[0] && cols[0].name);
  const info = cols.find((c) => c.name === name);
  const filterKey = query.get('filter') || 'live';
  const filter = filters.find((f) => f.key === filterKey) || filters[0];
  const cursor = query.get('cursor') || '';
  // limit is the page size; a route may ask for a smaller one.
  const limit = Math.min(Math.max(Number(query.get('limit')) || PAGE, 1), 500);
  const keep = limit === PAGE ? {} : { limit };

  const list = h('ul', { class: 'pills', 'aria-label': t('collections.list') },
    cols.map((c) => h('li', {}, h('a', { href: href(['c', c.name]), 'aria-current': c.name === name ? 'page' : false }, c.name))));
  replace(main, h('h1', {}, t('collections.title')), list);
  if (!info) {
    main.append(h('p', { role: 'alert', class: 'error' }, t('collections.unknown', { name: name || '' })));
    return;
  }

  const days = Math.round(info.restoreWindowSeconds / 86400);
  const policy = info.restoreWindowSeconds > 0 ? t('policy.soft', { days }) : t('policy.permanent');
  const idInput = h('input', { id: 'open-id', name: 'id', required: true, autocomplete: 'off', spellcheck: 'false' });
  const open = h('form', { class: 'inline', id: 'open' },
    h('label', { for: 'open-id' }, t('collections.open')), idInput,
    h('button', { type: 'submit' }, t('collections.openButton')));
  open.addEventListener('submit', (e) => {
    e.preventDefault();
    if (idInput.value.trim()) go(href(['r', name, idInput.value.trim()]));
  });

  const tabs = h('ul', { class: 'tabs', 'aria-label': t('filter.label') },
    filters.map((f) => {
      const allowed = !f.admin || session.admin;
      return h('li', {}, allowed
        ? h('a', { href: href(['c', name], { filter: f.key }), 'aria-current': f.key === filter.key ? 'page' : false, id: `filter-${f.key}` }, t(`filter.${f.key}`))
        : h('span', { class: 'disabled', title: t('needs.admin') }, t(`filter.${f.key}`)));
    }));

  const section = h('section', { 'aria-labelledby': 'coll-title' },
    h('h2', { id: 'coll-title' }, name),
    h('p', { class: 'policy' }, policy, ' ', t(`disclosure.${info.disclosure}`), info.private ? ` ${t('policy.private')}` : ''),
    open, tabs);
  main.append(section);
  if (!session.admin) section.append(h('p', { class: 'hint' }, t('reader.note')));

  let page;
  try {
    page = await call('GET', path(name), { query: { ...filter.query, limit, cursor } });
  } catch (err) {
    section.append(problemBox(err));
    return;
  }
  const cells = columns[filter.key];
  const table = h('table', { id: 'items', class: `items filter-${filter.key}` },
    h('caption', {}, t(`filter.${filter.key}`), ' — ', name),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('col.id')), cells.map(([k]) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, page.items.map((it) => h('tr', { 'data-id': it.id },
      h('th', { scope: 'row' }, h('a', { href: href(['r', name, it.id]) }, it.id)),
      cells.map(([, cell]) => h('td', {}, cell(it)))))));
  section.append(page.items.length ? h('div', { class: 'scroll' }, table) : h('p', { id: 'empty' }, t('collections.empty')));
  const nav = h('p', { class: 'pager' });
  if (cursor) nav.append(h('a', { id: 'first', href: href(['c', name], { filter: filter.key, ...keep }) }, t('pager.first')), ' ');
  if (page.next) nav.append(h('a', { id: 'next', href: href(['c', name], { filter: filter.key, cursor: page.next, ...keep }) }, t('pager.next')));
  section.append(nav);
}
