// Tokens: the named tokens in the store (GET /api/tokens), a form that
// creates one and shows its secret once, and revocation (which the server
// enforces on the very next request).

import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { call } from './api.js';
import { session } from './session.js';
import { time, problemBox } from './fmt.js';

const scopes = ['read', 'write', 'admin'];

export async function tokensView(main) {
  replace(main, h('h1', {}, t('tokens.title')), h('p', {}, t('tokens.intro')));
  if (!session.admin) {
    main.append(h('p', { class: 'hint' }, t('needs.admin')));
    return;
  }
  const name = h('input', { id: 'token-name', name: 'name', required: true, autocomplete: 'off', spellcheck: 'false' });
  const scope = h('select', { id: 'token-scope', name: 'scope' }, scopes.map((s) => h('option', { value: s }, t(`scope.${s}`))));
  const expires = h('input', { id: 'token-expires', name: 'expiresIn', autocomplete: 'off', placeholder: '30d' });
  const boxes = session.index.collections.map((c) => h('input', { type: 'checkbox', id: `token-coll-${c.name}`, value: c.name }));
  const out = h('div', { class: 'out', id: 'token-result' });
  const form = h('form', { id: 'token-create', class: 'card' },
    h('h2', {}, t('tokens.create')),
    h('label', { for: 'token-name' }, t('tokens.name')), name,
    h('label', { for: 'token-scope' }, t('tokens.scope')), scope,
    h('fieldset', { class: 'colls' }, h('legend', {}, t('tokens.collections')),
      boxes.map((b) => h('span', { class: 'check' }, b, h('label', { for: b.id }, b.value)))),
    h('label', { for: 'token-expires' }, t('tokens.expiresIn')), expires,
    h('button', { type: 'submit' }, t('tokens.createButton')), out);
  const list = h('div', { id: 'token-list' });
  main.append(form, list);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { name: name.value.trim(), scopes: [scope.value] };
    const colls = boxes.filter((b) => b.checked).map((b) => b.value);
    if (colls.length) body.collections = colls;
    if (expires.value.trim()) body.expiresIn = expires.value.trim();
    replace(out);
    try {
      const tok = await call('POST', '/api/tokens', { body });
      // The secret is in this answer only: show it, as text, once.
      replace(out, h('div', { role: 'status', class: 'secret' },
        h('p', {}, t('tokens.secret', { name: tok.name })),
        h('code', { id: 'new-secret' }, tok.secret)));
      form.reset();
      await drawList(list);
    } catch (err) {
      replace(out, problemBox(err));
    }
  });
  await drawList(list);
}

async function drawList(list) {
  let page;
  try {
    page = await call('GET', '/api/tokens');
  } catch (err) {
    replace(list, problemBox(err));
    return;
  }
  if (page.tokens.length === 0) {
    replace(list, h('p', { id: 'empty' }, t('tokens.none')));
    return;
  }
  replace(list, h('div', { class: 'scroll' }, h('table', { id: 'tokens', class: 'items' },
    h('caption', {}, t('tokens.caption')),
    h('thead', {}, h('tr', {}, ['tokens.name', 'tokens.scope', 'field.collections', 'col.state', 'tokens.created', 'tokens.expires', ''].map((k) => h('th', { scope: 'col' }, k ? t(k) : '')))),
    h('tbody', {}, page.tokens.map((tok) => h('tr', { 'data-name': tok.name },
      h('th', { scope: 'row' }, tok.name),
      h('td', {}, tok.scopes.map((s) => t(`scope.${s}`)).join(', ')),
      h('td', {}, tok.collections && tok.collections.length ? tok.collections.join(', ') : t('tokens.all')),
      h('td', {}, h('span', { class: `badge token-${tok.state}` }, t(`tokenState.${tok.state}`))),
      h('td', {}, time(tok.createdAt), ' ', t('timeline.by', { actor: tok.createdBy || t('timeline.nobody') })),
      h('td', {}, tok.revokedAt ? [t('tokens.revoked'), ' ', time(tok.revokedAt)] : time(tok.expiresAt)),
      h('td', {}, tok.state === 'active' ? revokeButton(tok.name, list) : '')))))));
}

// revokeButton asks twice: the first press turns into the confirmation.
function revokeButton(name, list) {
  const out = h('span', { class: 'out' });
  const btn = h('button', { type: 'button', class: 'revoke', 'data-name': name }, t('tokens.revoke'));
  btn.addEventListener('click', async () => {
    if (!btn.classList.contains('danger')) {
      btn.classList.add('danger');
      btn.textContent = t('tokens.revokeConfirm', { name });
      return;
    }
    try {
      await call('DELETE', `/api/tokens/${encodeURIComponent(name)}`);
      await drawList(list);
    } catch (err) {
      replace(out, problemBox(err));
    }
  });
  return [btn, out];
}
