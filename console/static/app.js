// gone's admin console: the shell (header, navigation, language) and a
// router over the URL fragment. Views are modules that render into <main>.

import { h, replace } from './dom.js';
import { t, lang, setLang, languages, onLangChange } from './i18n.js';
import { session } from './session.js';
import { call } from './api.js';
import { currentRoute, go, leave, setRenderer } from './router.js';
import { signInView } from './signin.js';
import { collectionsView } from './collections.js';
import { resourceView } from './resource.js';
import { explainView } from './explain.js';
import { auditView } from './audit.js';
import { tokensView } from './tokens.js';
import { inboxView } from './inbox.js';
import { webhooksView } from './webhooks.js';

const root = document.getElementById('app');

function header(parts) {
  const here = parts[0] || 'c';
  const navLink = (key, href, label) => h('a', { href, 'aria-current': here === key ? 'page' : false }, label);
  const select = h('select', { id: 'lang', onchange: (e) => setLang(e.target.value) },
    languages.map((l) => h('option', { value: l, selected: l === lang() }, t(`lang.${l}`))));
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); document.getElementById('main').focus(); } }, t('skip')),
    h('span', { class: 'brand' }, 'gone'),
    session.token ? h('nav', { 'aria-label': t('nav.label') },
      navLink('c', '#/c', t('nav.collections')),
      navLink('explain', '#/explain', t('nav.explain')),
      navLink('audit', '#/audit', t('nav.audit')),
      navLink('tokens', '#/tokens', t('nav.tokens')),
      navLink('inbox', '#/inbox', t('nav.inbox')),
      navLink('webhooks', '#/webhooks', t('nav.webhooks'))) : null,
    h('span', { class: 'spacer' }),
    h('label', { for: 'lang', class: 'lang' }, t('lang.label')), select,
    session.token ? h('span', { class: `role role-${session.role}`, id: 'role' }, t(`role.${session.role}`)) : null,
    session.token ? h('button', { type: 'button', id: 'signout', onclick: () => { session.signOut(); session.index = null; go('#/'); } }, t('signout')) : null,
  );
}

let rendering = 0;

async function render() {
  leave();
  const turn = ++rendering;
  document.body.removeAttribute('data-rendered');
  await draw(turn);
  // Say which route is on screen once its view is drawn, so a reader (or a
  // test) never mistakes the previous view for this one.
  if (turn === rendering) document.body.setAttribute('data-rendered', location.hash || '#/');
}

async function draw(turn) {
  const { parts, query } = currentRoute();
  document.documentElement.lang = lang();
  const main = h('main', { id: 'main', tabindex: '-1' });
  replace(root, header(parts), main);
  if (!session.token) {
    signInView(main, { done: () => go('#/c') });
    return;
  }
  try {
    if (!session.index) session.index = await call('GET', '/api');
  } catch (err) {
    replace(main, h('p', { role: 'alert', class: 'error' }, err.message));
    return;
  }
  if (turn !== rendering) return;
  const view = { c: collectionsView, r: resourceView, explain: explainView, audit: auditView, tokens: tokensView, inbox: inboxView, webhooks: webhooksView }[parts[0] || 'c'];
  if (!view) {
    replace(main, h('h1', {}, t('notfound.title')), h('p', {}, t('notfound.text')));
    return;
  }
  await view(main, { parts: parts.slice(1), query });
  // Move focus to the new heading, so keyboard and screen-reader users
  // land on the view they opened.
  if (turn === rendering) {
    const h1 = main.querySelector('h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
  }
}

setRenderer(render);
onLangChange(() => { session.index = null; render(); });
window.addEventListener('hashchange', render);
render();
