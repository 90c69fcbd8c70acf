// Sign-in: the token is checked against the API before it is kept. An
// admin token reads the audit log (200), a read token is refused it (403),
// a wrong token is refused everything (401, with the server's message).

import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { call, ApiError } from './api.js';
import { session } from './session.js';
import { problemBox } from './fmt.js';

export function signInView(main, { done }) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const out = h('div', { id: 'signin-result' });
  const form = h('form', { id: 'signin', class: 'card narrow' },
    h('p', {}, t('signin.intro')),
    h('label', { for: 'token' }, t('signin.token')), input,
    h('p', { class: 'hint' }, t('signin.hint')),
    h('button', { type: 'submit' }, t('signin.submit')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    replace(out);
    let role = '';
    try {
      await call('GET', '/api/audit', { query: { limit: 1 }, token });
      role = 'admin';
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        role = 'reader';
      } else {
        replace(out, problemBox(err));
        input.focus();
        return;
      }
    }
    session.signIn(token, role);
    done();
  });
  if (session.refused) {
    replace(out, h('div', { role: 'alert', class: 'error' }, h('p', {}, t('signin.refused', { message: session.refused }))));
    session.refused = '';
  }
  replace(main, h('h1', {}, t('signin.title')), form);
  input.focus();
}
