// Rules: the paths gone answers instead of the upstream (GET /rules, a page
// at a time with the API's cursor), each with its state and what the
// public gets now, and one form that sets a rule (POST /rules) or sends a
// path back to the upstream (DELETE /rules). Under gone proxy this is the
// console's home; gone serve answers the same rules on the paths none of
// its API routes serves, as do the proxies and gonehttp middleware that
// share its store.

import { h, replace, link } from './dom.js';
import { t } from './i18n.js';
import { call } from './api.js';
import { session } from './session.js';
import { href, redraw } from './router.js';
import { time, countdown, stateBadge, problemBox, toISO } from './fmt.js';

const PAGE = 20;

// kinds are the form's actions: what each sends, and the fields it shows.
const kinds = {
  retire: { fields: ['reason', 'alternative', 'confirm'] },
  schedule: { fields: ['at', 'reason', 'alternative'] },
  move: { fields: ['to', 'status'] },
  unavailable: { fields: ['until'] },
  remove: { fields: ['reason'] },
  clear: { fields: [] },
  alternative: { fields: ['alternative'] },
};

// kindsFor lists the actions a rule's state allows (the server decides;
// the form offers what it would accept). A path answering 410 answers 410
// forever: only its alternative may change.
function kindsFor(rule) {
  if (!rule) return ['retire', 'schedule', 'move', 'unavailable', 'remove'];
  if (rule.state === 'gone' || rule.state === 'expired') return ['alternative'];
  return ['retire', 'schedule', 'move', 'unavailable', 'remove', 'clear'];
}

// answerOf says in words what the public gets for a rule's path now.
function answerOf(r) {
  const parts = [];
  if (r.status) parts.push(h('strong', { class: `s${r.status}` }, `${r.status} `), t(`status.${r.status}`));
  else parts.push(t(session.index.front === 'proxy' ? 'rules.upstream' : 'rules.upstream.serve'));
  if (r.movedTo) parts.push(' → ', link(r.movedTo));
  if (r.state === 'unavailable' && r.unavailableUntil) parts.push(' ', t('rules.until'), ' ', time(r.unavailableUntil), ' ', countdown(r.unavailableUntil));
  if (r.state === 'deleted' && r.restorableUntil) parts.push(' ', t('rules.restorable'), ' ', time(r.restorableUntil), ' ', countdown(r.restorableUntil));
  if (r.state === 'live' && r.expiresAt) parts.push('; ', t('rules.goneFrom'), ' ', time(r.expiresAt), ' ', countdown(r.expiresAt));
  return parts;
}

export async function rulesView(main, { query }) {
  const proxy = session.index.front === 'proxy';
  replace(main, h('h1', {}, t('rules.title')), h('p', {}, t(proxy ? 'rules.intro.proxy' : 'rules.intro.serve')));
  if (!session.admin) {
    main.append(h('p', { class: 'hint' }, t('needs.admin')));
    return;
  }
  const cursor = query.get('cursor') || '';
  const limit = Math.min(Math.max(Number(query.get('limit')) || PAGE, 1), 500);
  const keep = limit === PAGE ? {} : { limit };
  const flash = h('div', { id: 'flash', role: 'status', 'aria-live': 'polite' });
  const list = h('section', { 'aria-labelledby': 'rules-list-title' }, h('h2', { id: 'rules-list-title' }, t('rules.list')));
  let page;
  try {
    page = await call('GET', '/rules', { query: { limit, cursor } });
  } catch (err) {
    main.append(problemBox(err));
    return;
  }
  const form = ruleForm(page.rules, flash);
  main.append(flash, form.el, list);

  if (page.rules.length === 0) {
    list.append(h('p', { id: 'rules-empty' }, t(cursor ? 'collections.empty' : 'rules.none')));
  } else {
    const heads = ['rules.key', 'col.state', 'rules.answer', 'col.reason', 'col.alternative', 'rules.changed', 'rules.action'];
    list.append(h('div', { class: 'scroll' }, h('table', { id: 'rules', class: 'items' },
      h('caption', {}, t('rules.caption')),
      h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, page.rules.map((r, i) => h('tr', { 'data-key': r.key, 'data-state': r.state, 'data-status': String(r.status) },
        h('th', { scope: 'row' }, h('code', {}, r.key)),
        h('td', { class: 'short' }, stateBadge(r.state)),
        h('td', {}, answerOf(r)),
        h('td', { class: 'words' }, r.reason || ''),
        h('td', {}, r.alternative ? link(r.alternative) : ''),
        h('td', { class: 'short' }, time(r.updatedAt)),
        h('td', {}, h('button', { type: 'button', id: `rule-edit-${i}`, class: 'edit', onclick: () => form.pick(r) }, t('rules.change')))))))));
  }
  const nav = h('p', { class: 'pager' });
  if (cursor) nav.append(h('a', { id: 'first', href: href(['rules'], keep) }, t('pager.first')), ' ');
  if (page.next) nav.append(h('a', { id: 'next', href: href(['rules'], { cursor: page.next, ...keep }) }, t('pager.next')));
  list.append(nav);
}

// ruleForm is the one form that changes a path's rule: the path, the
// action (the ones the path's current rule allows), and that action's
// fields. pick(rule) fills it from a row of the list.
function ruleForm(rules, flash) {
  const input = (name, attrs = {}) => h('input', { id: `rule-${name}`, name, autocomplete: 'off', ...attrs });
  const path = input('path', { required: true, spellcheck: 'false', placeholder: '/blog/2019/hello.html' });
  const action = h('select', { id: 'rule-action', name: 'action' });
  const reasons = session.index.reasons || [];
  const reason = input('reason', { maxlength: 500, list: reasons.length ? 'rule-reasons' : false });
  const alternative = input('alternative', { spellcheck: 'false', placeholder: '/' });
  const at = input('at', { type: 'datetime-local', step: 1 });
  const until = input('until', { type: 'datetime-local', step: 1 });
  const to = input('to', { spellcheck: 'false', placeholder: '/new/path' });
  const status = h('select', { id: 'rule-status', name: 'status' },
    h('option', { value: '308' }, t('rules.status.308')), h('option', { value: '301' }, t('rules.status.301')));
  const confirm = input('confirm', { type: 'checkbox' });
  const field = (el, key) => h('div', { class: 'field', 'data-field': el.name }, h('label', { for: el.id }, t(key)), el);
  const fields = {
    reason: field(reason, 'field.reason'),
    alternative: field(alternative, 'field.alternative'),
    at: field(at, 'rules.at'),
    until: field(until, 'act.unavailable.until'),
    to: field(to, 'rules.to'),
    status: field(status, 'rules.status'),
    confirm: h('div', { class: 'check', 'data-field': 'confirm' }, confirm, h('label', { for: confirm.id }, t('rules.confirm'))),
  };
  const hint = h('p', { class: 'hint', id: 'rule-hint' });
  const out = h('div', { class: 'out', id: 'rule-result' });
  let current = null; // the listed rule the path names, if any

  const show = () => {
    const k = kinds[action.value] || kinds.retire;
    for (const [name, el] of Object.entries(fields)) {
      const on = k.fields.includes(name);
      el.hidden = !on;
      // A hidden field is neither required nor sent.
      for (const c of el.querySelectorAll('input, select')) c.disabled = !on;
    }
    at.required = k.fields.includes('at');
    until.required = k.fields.includes('until');
    to.required = k.fields.includes('to');
    confirm.required = k.fields.includes('confirm');
    hint.textContent = t(`rules.do.${action.value}.hint`);
  };
  const offer = () => {
    const key = path.value.trim();
    current = rules.find((r) => r.key === key) || null;
    const keep = action.value;
    const allowed = kindsFor(current);
    const label = (k) => (k === 'clear' && current && current.state === 'deleted' ? t('rules.do.restore') : t(`rules.do.${k}`));
    replace(action, allowed.map((k) => h('option', { value: k, selected: k === keep }, label(k))));
    show();
  };
  path.addEventListener('input', offer);
  action.addEventListener('change', show);

  const el = h('form', { id: 'rule-form', class: 'card' },
    h('h2', {}, t('rules.set')),
    reasons.length ? h('datalist', { id: 'rule-reasons' }, reasons.map((r) => h('option', { value: r.code }, r.text))) : null,
    field(path, 'rules.path'), h('p', { class: 'hint' }, t('rules.path.hint')),
    field(action, 'field.action'), hint,
    Object.values(fields),
    h('button', { type: 'submit', id: 'rule-submit' }, t('rules.apply')), out);
  offer();

  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(out);
    const key = path.value.trim();
    const body = { path: key };
    const opt = (name, v) => { if (v) body[name] = v; };
    switch (action.value) {
      case 'retire':
        body.action = 'gone'; opt('reason', reason.value.trim()); opt('alternative', alternative.value.trim());
        break;
      case 'schedule':
        body.action = 'gone'; body.at = toISO(at.value); opt('reason', reason.value.trim()); opt('alternative', alternative.value.trim());
        break;
      case 'move':
        body.action = 'moved'; body.to = to.value.trim(); body.status = Number(status.value);
        break;
      case 'unavailable':
        body.action = 'unavailable'; body.at = toISO(until.value);
        break;
      case 'remove':
        body.action = 'removed'; opt('reason', reason.value.trim());
        break;
      case 'alternative':
        body.action = 'gone'; body.alternative = alternative.value.trim();
        break;
      default:
        break;
    }
    let v;
    try {
      v = action.value === 'clear'
        ? await call('DELETE', '/rules', { query: { path: key } })
        : await call('POST', '/rules', { body });
    } catch (err) {
      replace(out, problemBox(err));
      return;
    }
    const now = v.status ? `${v.status} ${t(`status.${v.status}`)}` : t(session.index.front === 'proxy' ? 'rules.upstream' : 'rules.upstream.serve');
    await redraw();
    const f = document.getElementById('flash');
    if (f) f.textContent = t(v.outcome === 'unchanged' ? 'rules.unchanged' : 'rules.done', { key: v.key, answer: now });
  });

  return {
    el,
    pick(rule) {
      path.value = rule.key;
      alternative.value = rule.alternative || '';
      offer();
      path.scrollIntoView({ block: 'center' });
      action.focus();
    },
  };
}

