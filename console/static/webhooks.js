// Webhooks: the subscriptions (GET /webhooks) with their state, queue and
// newest delivery; a form that creates one and shows its secret once; and
// one subscription's page (#/webhooks/{name}) with its delivery log, pause,
// resume and delete. Every change is audited by the server, with the
// optional reason given here.

import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { call } from './api.js';
import { session } from './session.js';
import { go, href, onLeave } from './router.js';
import { time, problemBox } from './fmt.js';

const kinds = ['webhook', 'varnish', 'varnish-ban', 'nginx', 'indexnow'];
const types = ['created', 'updated', 'deleted', 'restored', 'gone', 'expired', 'expiring', 'moved', 'unavailable', 'lifecycle'];

export async function webhooksView(main, { parts }) {
  if (!session.admin) {
    replace(main, h('h1', {}, t('hooks.title')), h('p', { class: 'hint' }, t('needs.admin')));
    return;
  }
  if (parts.length > 0) {
    await oneView(main, parts[0]);
    return;
  }
  replace(main, h('h1', {}, t('hooks.title')), h('p', {}, t('hooks.intro')));
  const list = h('div', { id: 'hook-list' });
  main.append(createForm(list), list);
  await drawList(list);
}

// createForm is the form that adds a subscription; the answer's secret is
// shown once, as text.
function createForm(list) {
  const field = (id, attrs = {}) => h('input', { id, name: id.slice(5), autocomplete: 'off', spellcheck: 'false', ...attrs });
  const name = field('hook-name', { required: true });
  const url = field('hook-url', { required: true, type: 'url', placeholder: 'https://' });
  const kind = h('select', { id: 'hook-kind', name: 'kind' }, kinds.map((k) => h('option', { value: k }, t(`hooks.kind.${k}`))));
  const host = field('hook-host', { placeholder: 'www.example.com' });
  const prefix = field('hook-prefix', { placeholder: '/api/' });
  const reason = field('hook-reason');
  const colls = [...session.index.collections.map((c) => c.name), '_rules'];
  const collBoxes = colls.map((c) => h('input', { type: 'checkbox', id: `hook-coll-${c}`, value: c }));
  const typeBoxes = types.map((k) => h('input', { type: 'checkbox', id: `hook-type-${k}`, value: k }));
  const boxes = (legend, inputs, label) => h('fieldset', { class: 'colls' }, h('legend', {}, legend),
    inputs.map((b) => h('span', { class: 'check' }, b, h('label', { for: b.id }, label(b.value)))));
  const out = h('div', { class: 'out', id: 'hook-result' });
  const lbl = (input, key) => h('label', { for: input.id }, t(key));
  const form = h('form', { id: 'hook-create', class: 'card' },
    h('h2', {}, t('hooks.create')),
    lbl(name, 'hooks.name'), name,
    lbl(kind, 'hooks.kind'), kind,
    lbl(url, 'hooks.url'), url,
    lbl(host, 'hooks.host'), host,
    boxes(t('field.collections'), collBoxes, (c) => (c === '_rules' ? t('hooks.rules') : c)),
    lbl(prefix, 'hooks.prefix'), prefix,
    boxes(t('hooks.types'), typeBoxes, (k) => t(`hooks.type.${k}`)),
    h('p', { class: 'hint' }, t('hooks.filterHint')),
    lbl(reason, 'field.reason'), reason,
    h('button', { type: 'submit' }, t('hooks.createButton')), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { name: name.value.trim(), kind: kind.value, url: url.value.trim() };
    const pick = (bs) => bs.filter((b) => b.checked).map((b) => b.value);
    if (host.value.trim()) body.host = host.value.trim();
    if (prefix.value.trim()) body.pathPrefix = prefix.value.trim();
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (pick(collBoxes).length) body.collections = pick(collBoxes);
    if (pick(typeBoxes).length) body.types = pick(typeBoxes);
    replace(out);
    try {
      const hook = await call('POST', '/webhooks', { body });
      // The secret is in this answer only: show it, as text, once.
      replace(out, h('div', { role: 'status', class: 'secret' },
        h('p', {}, t(hook.secret ? 'hooks.secret' : 'hooks.created', { name: hook.name })),
        hook.secret ? h('code', { id: 'hook-secret' }, hook.secret) : null));
      form.reset();
      await drawList(list);
    } catch (err) {
      replace(out, problemBox(err));
    }
  });
  return form;
}

async function drawList(list) {
  let page;
  try {
    page = await call('GET', '/webhooks');
  } catch (err) {
    replace(list, problemBox(err));
    return;
  }
  if (page.webhooks.length === 0) {
    replace(list, h('p', { id: 'hooks-empty' }, t('hooks.none')));
    return;
  }
  const heads = ['hooks.name', 'hooks.kind', 'hooks.url', 'hooks.filter', 'col.state', 'hooks.queued', 'hooks.last'];
  replace(list, h('div', { class: 'scroll' }, h('table', { id: 'webhooks', class: 'items' },
    h('caption', {}, t('hooks.caption')),
    h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, page.webhooks.map((w) => h('tr', { 'data-name': w.name },
      h('th', { scope: 'row' }, h('a', { href: href(['webhooks', w.name]) }, w.name)),
      h('td', {}, t(`hooks.kind.${w.kind}`)),
      h('td', { class: 'url' }, h('code', {}, w.url)),
      h('td', {}, filter(w)),
      h('td', { class: 'state' }, state(w)),
      h('td', { class: 'queued' }, String(w.queued ?? 0)),
      h('td', { class: 'last' }, w.lastDelivery ? delivery(w.lastDelivery) : t('hooks.never'))))))));
}

// filter says in words which changes the subscription hears of.
function filter(w) {
  const parts = [];
  if (w.collections && w.collections.length) parts.push(w.collections.map((c) => (c === '_rules' ? t('hooks.rules') : c)).join(', '));
  if (w.pathPrefix) parts.push(t('hooks.under', { prefix: w.pathPrefix }));
  if (w.types && w.types.length) parts.push(w.types.map((k) => t(`hooks.type.${k}`)).join(', '));
  return parts.length ? parts.join('; ') : t('hooks.everything');
}

// state is active or paused, and a paused one says why.
function state(w) {
  if (!w.pausedAt) {
    return [h('span', { class: 'badge token-active' }, t('hooks.active')),
      w.failures ? [' ', h('small', {}, t('hooks.failures', { n: w.failures }))] : null];
  }
  return [h('span', { class: 'badge state-deleted' }, t('hooks.paused')), ' ', h('small', { class: 'why' }, w.pausedReason), ' ', time(w.pausedAt)];
}

// delivery is one attempt in words: when, and what came back.
function delivery(d) {
  const status = d.status ? `HTTP ${d.status}` : t('hooks.noAnswer');
  return [time(d.at), ' ', h('span', { class: `badge ${d.delivered ? 'token-active' : 'token-revoked'}` },
    d.delivered ? t('hooks.delivered') : t('hooks.failed')), ' ', h('small', {}, status)];
}

// oneView shows one subscription: its facts, pause or resume, delete, and
// its delivery log, read again every 2 seconds while the page is open.
async function oneView(main, name) {
  replace(main, h('h1', {}, t('hooks.one', { name })), h('p', {}, h('a', { href: '#/webhooks' }, t('hooks.back'))));
  const facts = h('div', { id: 'hook-facts' });
  const log = h('div', { id: 'hook-log' });
  const out = h('div', { class: 'out', id: 'hook-action', role: 'status' });
  const reason = h('input', { id: 'hook-why', name: 'reason', autocomplete: 'off' });
  const toggle = h('button', { type: 'button', id: 'hook-toggle' }, '');
  const del = h('button', { type: 'button', id: 'hook-delete' }, t('hooks.delete'));
  const refresh = h('button', { type: 'button', id: 'hook-refresh' }, t('hooks.refresh'));
  main.append(facts,
    h('div', { class: 'card', id: 'hook-actions' }, h('h2', {}, t('hooks.actions')),
      h('label', { for: reason.id }, t('field.reason')), reason, ' ', toggle, ' ', del, out),
    h('h2', {}, t('hooks.log')), h('p', {}, refresh), log);

  let current = null;
  const draw = async () => {
    let w;
    try {
      w = await call('GET', `/webhooks/${encodeURIComponent(name)}`);
    } catch (err) {
      replace(facts, problemBox(err));
      replace(log);
      toggle.hidden = true;
      del.hidden = true;
      return false;
    }
    current = w;
    toggle.textContent = t(w.pausedAt ? 'hooks.resume' : 'hooks.pause');
    replace(facts, h('dl', { class: 'facts' },
      h('dt', {}, t('hooks.kind')), h('dd', {}, t(`hooks.kind.${w.kind}`)),
      h('dt', {}, t('hooks.url')), h('dd', {}, h('code', {}, w.url)),
      w.host ? [h('dt', {}, t('hooks.host')), h('dd', {}, w.host)] : null,
      h('dt', {}, t('hooks.filter')), h('dd', {}, filter(w)),
      h('dt', {}, t('col.state')), h('dd', { id: 'hook-state' }, state(w)),
      h('dt', {}, t('hooks.queued')), h('dd', { id: 'hook-queued' }, String(w.queued ?? 0)),
      h('dt', {}, t('tokens.created')), h('dd', {}, time(w.createdAt), ' ', t('timeline.by', { actor: w.createdBy }))));
    const rows = w.deliveries || [];
    replace(log, rows.length === 0 ? h('p', { id: 'hook-nolog' }, t('hooks.nolog')) : h('div', { class: 'scroll' },
      h('table', { id: 'deliveries', class: 'items' },
        h('caption', {}, t('hooks.logCaption')),
        h('thead', {}, h('tr', {}, ['field.at', 'hooks.message', 'hooks.attempt', 'hooks.result', 'hooks.error', 'hooks.duration'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, rows.map((d) => h('tr', { 'data-message': d.messageId, 'data-delivered': String(d.delivered) },
          h('td', {}, time(d.at)),
          h('td', {}, h('code', {}, d.messageId)),
          h('td', {}, String(d.attempt)),
          h('td', {}, delivery(d).slice(2)),
          h('td', { class: 'why' }, d.error || ''),
          h('td', {}, `${d.durationMs} ms`)))))));
    return true;
  };

  toggle.addEventListener('click', async () => {
    const body = { paused: !current.pausedAt };
    if (reason.value.trim()) body.reason = reason.value.trim();
    try {
      await call('PATCH', `/webhooks/${encodeURIComponent(name)}`, { body });
      replace(out, h('p', {}, t(body.paused ? 'hooks.done.pause' : 'hooks.done.resume', { name })));
      reason.value = '';
      await draw();
    } catch (err) {
      replace(out, problemBox(err));
    }
  });
  // Delete asks twice: the first press turns into the confirmation.
  del.addEventListener('click', async () => {
    if (!del.classList.contains('danger')) {
      del.classList.add('danger');
      del.textContent = t('hooks.deleteConfirm', { name });
      return;
    }
    try {
      const q = reason.value.trim() ? { reason: reason.value.trim() } : undefined;
      await call('DELETE', `/webhooks/${encodeURIComponent(name)}`, { query: q });
      go('#/webhooks');
    } catch (err) {
      replace(out, problemBox(err));
    }
  });
  refresh.addEventListener('click', draw);
  if (await draw()) {
    const timer = setInterval(draw, 2000);
    onLeave(() => clearInterval(timer));
  }
}
