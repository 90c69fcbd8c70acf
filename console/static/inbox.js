// The 404 inbox: the unknown paths asked for, most hits first (GET /inbox),
// each with one action that answers it from now on: a 410 with a reason, a
// 308 to gone's suggestion (pre-filled, editable), or an ignore pattern.
// The entry then leaves the inbox; the rule is audited like any other.

import { h, replace, link } from './dom.js';
import { t } from './i18n.js';
import { call } from './api.js';
import { session } from './session.js';
import { time, problemBox } from './fmt.js';

export async function inboxView(main) {
  replace(main, h('h1', {}, t('inbox.title')), h('p', {}, t('inbox.intro')));
  if (!session.admin) {
    main.append(h('p', { class: 'hint' }, t('needs.admin')));
    return;
  }
  const out = h('div', { class: 'out', id: 'inbox-result', role: 'status' });
  const list = h('div', { id: 'inbox-list' });
  main.append(out, list);
  await drawList(list, out);
}

async function drawList(list, out) {
  let page;
  try {
    page = await call('GET', '/inbox', { query: { limit: 200 } });
  } catch (err) {
    replace(list, problemBox(err));
    return;
  }
  if (page.entries.length === 0) {
    replace(list, h('p', { id: 'inbox-empty' }, t('inbox.none')));
    return;
  }
  const heads = ['inbox.hits', 'inbox.crawlers', 'inbox.lastSeen', 'inbox.path', 'inbox.referrers', 'inbox.action'];
  replace(list, h('div', { class: 'scroll' }, h('table', { id: 'inbox', class: 'items' },
    h('caption', {}, t('inbox.caption')),
    h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, page.entries.map((e, i) => row(e, i, list, out))))));
}

function row(e, i, list, out) {
  const tr = h('tr', { 'data-path': e.path },
    h('td', { class: 'hits' }, String(e.hits)),
    h('td', {}, t('inbox.split', { crawlers: e.crawlerHits, people: e.hits - e.crawlerHits })),
    h('td', {}, time(e.lastSeen), h('br'), h('small', {}, t('inbox.since'), ' ', time(e.firstSeen))),
    h('th', { scope: 'row' }, h('code', {}, e.path)),
    h('td', {}, e.referrers.length ? h('ul', { class: 'refs' }, e.referrers.map((r) => h('li', {}, link(r.url), ` (${r.hits})`))) : '—'),
    h('td', {}, actionForm(e, i, list, out)));
  return tr;
}

// actionForm is one form per entry: pick what the path answers from now
// on; the fields shown are the chosen action's.
function actionForm(e, i, list, out) {
  const id = (name) => `inbox-${name}-${i}`;
  const kind = h('select', { id: id('kind'), name: 'kind' },
    ['gone', 'redirect', 'ignore', 'dismiss'].map((k) => h('option', { value: k }, t(`inbox.do.${k}`))));
  const reason = h('input', { id: id('reason'), name: 'reason', autocomplete: 'off' });
  const to = h('input', { id: id('to'), name: 'to', autocomplete: 'off', value: e.suggestion || '', placeholder: '/' });
  const pattern = h('input', { id: id('pattern'), name: 'pattern', autocomplete: 'off', spellcheck: 'false', value: suggestPattern(e.path) });
  const fields = {
    gone: h('span', { class: 'field' }, h('label', { for: reason.id }, t('inbox.reason')), reason),
    redirect: h('span', { class: 'field' }, h('label', { for: to.id }, t('inbox.to')), to),
    ignore: h('span', { class: 'field' }, h('label', { for: pattern.id }, t('inbox.pattern')), pattern),
    dismiss: h('span', { class: 'field hint' }, t('inbox.dismissHint')),
  };
  const show = () => {
    for (const [k, el] of Object.entries(fields)) el.hidden = k !== kind.value;
  };
  kind.addEventListener('change', show);
  const err = h('div', { class: 'out' });
  const form = h('form', { class: 'inbox-action', 'data-path': e.path },
    h('label', { for: kind.id }, t('inbox.action')), kind,
    Object.values(fields), h('button', { type: 'submit' }, t('inbox.apply')), err);
  show();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(err);
    try {
      let msg;
      switch (kind.value) {
        case 'gone':
          await call('POST', '/inbox/gone', { body: { path: e.path, reason: reason.value.trim() } });
          msg = t('inbox.done.gone', { path: e.path });
          break;
        case 'redirect':
          await call('POST', '/inbox/redirect', { body: { path: e.path, to: to.value.trim() } });
          msg = t('inbox.done.redirect', { path: e.path, to: to.value.trim() });
          break;
        case 'ignore': {
          const res = await call('POST', '/inbox/ignores', { body: { pattern: pattern.value.trim() } });
          msg = t('inbox.done.ignore', { pattern: res.pattern, n: res.removed });
          break;
        }
        default:
          await call('DELETE', '/inbox', { query: { path: e.path } });
          msg = t('inbox.done.dismiss', { path: e.path });
      }
      replace(out, h('p', {}, msg));
      await drawList(list, out);
    } catch (e2) {
      replace(err, problemBox(e2));
    }
  });
  return form;
}

// suggestPattern proposes "*.ext" for a file name with an extension (the
// noise of another platform: *.php on a Go site), else the exact path.
function suggestPattern(path) {
  const last = path.slice(path.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  return dot > 0 ? '*' + last.slice(dot) : path;
}
