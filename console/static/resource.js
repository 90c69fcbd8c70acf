// One resource: its lifecycle (GET …/lifecycle), its representation, its
// audit history as a timeline, and the actions the API offers in its
// state. A read token sees the representation only: the lifecycle is an
// admin view.

import { h, replace, link } from './dom.js';
import { t } from './i18n.js';
import { call, path, publicPath } from './api.js';
import { session } from './session.js';
import { href, go, redraw } from './router.js';
import { time, countdown, stateBadge, problemBox, json, toISO } from './fmt.js';

export async function resourceView(main, { parts }) {
  const [coll, id] = parts;
  const info = session.index.collections.find((c) => c.name === coll);
  const title = h('h1', {}, h('span', { class: 'coll' }, coll, ' / '), h('span', { id: 'rid' }, id || ''));
  replace(main, h('p', { class: 'crumbs' }, h('a', { href: href(['c', coll]) }, t('back.collection', { name: coll }))), title);
  if (!info || !id) {
    main.append(h('p', { role: 'alert', class: 'error' }, t('collections.unknown', { name: coll || '' })));
    return;
  }
  const flash = h('div', { id: 'flash', role: 'status', 'aria-live': 'polite' });
  main.append(flash, h('p', {}, h('a', { id: 'explain-link', href: href(['explain'], { path: publicPath(path(coll, id)) }) }, t('resource.explain'))));

  if (!session.admin) {
    await readerView(main, coll, id);
    return;
  }

  let lc;
  try {
    lc = await call('GET', path(coll, id, 'lifecycle'));
  } catch (err) {
    main.append(problemBox(err));
    return;
  }
  title.append(' ', stateBadge(lc.state));
  main.append(
    facts(lc),
    representation(lc),
    actions(lc, info),
    timeline(lc.history || []));
}

async function readerView(main, coll, id) {
  try {
    const data = await call('GET', path(coll, id));
    main.append(h('section', { 'aria-labelledby': 'rep-title' },
      h('h2', { id: 'rep-title' }, t('resource.representation')),
      h('pre', { id: 'representation' }, json(data))));
  } catch (err) {
    main.append(problemBox(err));
  }
  main.append(h('p', { class: 'hint' }, t('reader.note')));
}

function facts(lc) {
  const rows = [
    ['state', stateBadge(lc.state)],
    ['version', String(lc.version)],
    ['createdAt', time(lc.createdAt)],
    ['updatedAt', time(lc.updatedAt)],
    ['deletedAt', time(lc.deletedAt)],
    ['restorableUntil', lc.restorableUntil && [time(lc.restorableUntil), ' ', lc.state === 'deleted' ? countdown(lc.restorableUntil) : '']],
    ['deletedBy', lc.deletedBy],
    ['reason', lc.reason && [lc.reason, lc.reasonCode ? h('span', { class: 'hint' }, ` (${lc.reasonCode})`) : '']],
    ['alternative', lc.alternative && link(lc.alternative)],
    ['expiresAt', lc.expiresAt && [time(lc.expiresAt), ' ', lc.state === 'live' || lc.state === 'unavailable' ? countdown(lc.expiresAt) : '']],
    ['movedTo', lc.movedTo && h('a', { href: '#/r/' + lc.movedTo.split('/').slice(2).map(encodeURIComponent).join('/') }, lc.movedTo)],
    ['unavailableUntil', lc.unavailableUntil && time(lc.unavailableUntil)],
    ['deprecatedAt', lc.deprecatedAt && time(lc.deprecatedAt)],
  ].filter(([, v]) => v);
  return h('section', { 'aria-labelledby': 'facts-title' },
    h('h2', { id: 'facts-title' }, t('resource.lifecycle')),
    h('p', { class: 'explain-state' }, t(`meaning.${lc.state}`)),
    h('dl', { id: 'facts', class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, t(`field.${k}`)), h('dd', { 'data-field': k }, v)])));
}

function representation(lc) {
  return h('section', { 'aria-labelledby': 'rep-title' },
    h('h2', { id: 'rep-title' }, t('resource.representation')),
    lc.data !== undefined
      ? h('pre', { id: 'representation' }, json(lc.data))
      : h('p', { id: 'erased' }, lc.erased ? t('resource.erased') : t('resource.nodata')));
}

function timeline(events) {
  return h('section', { 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, t('resource.history')),
    events.length === 0 ? h('p', {}, t('audit.none')) : h('ol', { id: 'timeline', class: 'timeline' },
      events.map((e) => h('li', {},
        time(e.at), ' ',
        h('strong', { class: 'action' }, t(`action.${e.action}`)), ' ',
        t('timeline.by', { actor: e.actor || t('timeline.nobody') }),
        e.reason ? h('span', { class: 'why' }, ' — ', e.reason) : '',
        e.detail ? h('span', { class: 'detail' }, ' · ', e.detail) : ''))));
}

// run sends one action; on success it says so and redraws, on failure it
// shows the server's problem where the action was asked for.
async function run(out, doIt, done) {
  replace(out);
  try {
    await doIt();
  } catch (err) {
    replace(out, problemBox(err));
    return;
  }
  const next = done && done();
  if (next) go(next); else await redraw();
  const f = document.getElementById('flash');
  if (f) f.textContent = t('done');
}

function field(id, label, attrs = {}) {
  return [h('label', { for: id }, label), h('input', { id, name: id, autocomplete: 'off', ...attrs })];
}

// reasonPicker is the catalog as a select plus a free-text field.
function reasonPicker(prefix) {
  const sel = h('select', { id: `${prefix}-reason`, name: 'reason' },
    h('option', { value: '' }, t('reason.none')),
    session.index.reasons.map((r) => h('option', { value: r.code }, r.text)),
    h('option', { value: '__other' }, t('reason.other')));
  const free = h('input', { id: `${prefix}-reason-text`, name: 'reasonText', maxlength: 500, autocomplete: 'off' });
  const freeLabel = h('label', { for: `${prefix}-reason-text` }, t('reason.free'));
  const wrap = h('div', { class: 'reason' }, h('label', { for: `${prefix}-reason` }, t('field.reason')), sel, freeLabel, free);
  return { el: wrap, value: () => (sel.value === '__other' || sel.value === '' ? free.value.trim() : sel.value) };
}

function actions(lc, info) {
  const { collection: coll, id, state } = lc;
  const box = h('section', { 'aria-labelledby': 'actions-title', id: 'actions' }, h('h2', { id: 'actions-title' }, t('resource.actions')));
  const live = state === 'live' || state === 'unavailable';
  const card = (key, ...body) => {
    const out = h('div', { class: 'out' });
    const form = h('form', { class: 'card action', id: `act-${key}` }, h('h3', {}, t(`act.${key}`)), body, out);
    box.append(form);
    return { form, out };
  };

  if (live && info.restoreWindowSeconds > 0) {
    const reason = reasonPicker('soft');
    const { form, out } = card('softDelete',
      h('p', { class: 'hint' }, t('act.softDelete.hint', { days: Math.round(info.restoreWindowSeconds / 86400) })),
      reason.el, h('button', { type: 'submit' }, t('act.softDelete.button')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      run(out, () => call('DELETE', path(coll, id), { query: { reason: reason.value() } }));
    });
  }
  if (state === 'deleted') {
    const { form, out } = card('restore', h('p', { class: 'hint' }, t('act.restore.hint')), h('button', { type: 'submit' }, t('act.restore.button')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      run(out, () => call('POST', path(coll, id, 'restore')));
    });
  }
  if (live || state === 'deleted') {
    const reason = reasonPicker('perm');
    const [altLabel, alt] = field('perm-alternative', t('field.alternative'), { placeholder: '/api/…' });
    const { form, out } = card('permanentDelete',
      h('p', { class: 'hint' }, t('act.permanentDelete.hint')),
      reason.el, altLabel, alt, h('button', { type: 'submit', class: 'danger' }, t('act.permanentDelete.button')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      confirmPermanent(id, () => run(out, () => call('DELETE', path(coll, id), {
        query: { permanent: 'true', reason: reason.value(), alternative: alt.value.trim() },
      })));
    });
  }
  if (live) {
    const [toLabel, to] = field('move-to', t('act.move.to'), { required: true, spellcheck: 'false' });
    const { form, out } = card('move', h('p', { class: 'hint' }, t('act.move.hint')), toLabel, to, h('button', { type: 'submit' }, t('act.move.button')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const dest = to.value.trim();
      run(out, () => call('POST', path(coll, id, 'move'), { body: { to: dest } }), () => href(['r', coll, dest]));
    });

    const [atLabel, at] = field('expire-at', t('act.expire.at'), { type: 'datetime-local', required: true });
    const [altLabel, alt] = field('expire-alternative', t('field.alternative'), { placeholder: '/api/…' });
    const exp = card('expire', h('p', { class: 'hint' }, t('act.expire.hint')), atLabel, at, altLabel, alt,
      h('button', { type: 'submit' }, t('act.expire.button')),
      lc.expiresAt ? h('button', { type: 'button', id: 'expire-clear', onclick: () => run(exp.out, () => patch(coll, id, { expiresAt: null })) }, t('act.expire.clear')) : null);
    exp.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = { expiresAt: toISO(at.value) };
      if (alt.value.trim()) body.alternative = alt.value.trim();
      run(exp.out, () => patch(coll, id, body));
    });

    const [unLabel, un] = field('unavailable-until', t('act.unavailable.until'), { type: 'datetime-local', required: true });
    const una = card('unavailable', h('p', { class: 'hint' }, t('act.unavailable.hint')), unLabel, un,
      h('button', { type: 'submit' }, t('act.unavailable.button')),
      lc.unavailableUntil ? h('button', { type: 'button', id: 'unavailable-clear', onclick: () => run(una.out, () => patch(coll, id, { unavailableUntil: null })) }, t('act.unavailable.clear')) : null);
    una.form.addEventListener('submit', (e) => {
      e.preventDefault();
      run(una.out, () => patch(coll, id, { unavailableUntil: toISO(un.value) }));
    });

    const dep = card('deprecate', h('p', { class: 'hint' }, t('act.deprecate.hint')),
      h('button', { type: 'submit' }, t('act.deprecate.button')),
      lc.deprecatedAt ? h('button', { type: 'button', id: 'deprecate-clear', onclick: () => run(dep.out, () => patch(coll, id, { deprecatedAt: null })) }, t('act.deprecate.clear')) : null);
    dep.form.addEventListener('submit', (e) => {
      e.preventDefault();
      run(dep.out, () => patch(coll, id, { deprecatedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    });
  }
  if (state === 'gone' || state === 'expired') {
    const [altLabel, alt] = field('gone-alternative', t('field.alternative'), { placeholder: '/api/…', value: lc.alternative || '' });
    const { form, out } = card('alternative', h('p', { class: 'hint' }, t('act.alternative.hint')), altLabel, alt, h('button', { type: 'submit' }, t('act.alternative.button')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      run(out, () => patch(coll, id, { alternative: alt.value.trim() || null }));
    });
  }
  if (box.childElementCount === 1) box.append(h('p', {}, t(`act.none.${state}`)));
  return box;
}

function patch(coll, id, body) {
  return call('PATCH', path(coll, id, 'lifecycle'), { body });
}

// confirmPermanent asks, in a modal dialog, for the id to be typed: a
// permanent delete cannot be undone and the id can never be used again.
function confirmPermanent(id, proceed) {
  const input = h('input', { id: 'confirm-id', autocomplete: 'off', spellcheck: 'false' });
  const ok = h('button', { type: 'submit', class: 'danger', id: 'confirm-ok', disabled: true }, t('confirm.ok'));
  const dialog = h('dialog', { id: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'confirm-title' }, t('confirm.title', { id })),
      h('p', { id: 'confirm-text' }, t('confirm.text', { id })),
      h('label', { for: 'confirm-id' }, t('confirm.type', { id })), input,
      h('div', { class: 'buttons' },
        h('button', { type: 'button', id: 'confirm-cancel', onclick: () => dialog.close('cancel') }, t('confirm.cancel')), ok)));
  input.addEventListener('input', () => { ok.disabled = input.value !== id; });
  dialog.addEventListener('close', () => {
    const yes = dialog.returnValue === 'ok';
    dialog.remove();
    if (yes) proceed();
  });
  ok.addEventListener('click', (e) => { e.preventDefault(); if (input.value === id) dialog.close('ok'); });
  document.body.append(dialog);
  dialog.showModal();
  input.focus();
}
