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
import { rulesView } from './rules.js';
import { webhooksView } from './webhooks.js';

const root = document.getElementById('app');

// home is the view of '#/': under gone proxy the rules (a site's paths
// are what it manages; GET /api says which front door serves it), on gone
// serve the collections.
function home() {
  return session.index && session.index.front === 'proxy' ? 'rules' : 'c';
}

// navItems are the views the header links to: the rules first under the
// proxy, and the collections only where there are some.
function navItems() {
  const colls = ['c', '#/c', t('nav.collections')];
  const rules = ['rules', '#/rules', t('nav.rules')];
  const has = !session.index || session.index.collections.length > 0;
  const first = home() === 'rules' ? [rules, has ? colls : null] : [colls, rules];
  return [...first, ['explain', '#/explain', t('nav.explain')], ['audit', '#/audit', t('nav.audit')],
    ['tokens', '#/tokens', t('nav.tokens')], ['inbox', '#/inbox', t('nav.inbox')], ['webhooks', '#/webhooks', t('nav.webhooks')]].filter(Boolean);
}

function header(parts) {
  const here = parts[0] || home();
  const navLink = (key, href, label) => h('a', { href, 'aria-current': here === key ? 'page' : false }, label);
  const select = h('select', { id: 'lang', onchange: (e) => setLang(e.target.value) },
    languages.map((l) => h('option', { value: l, selected: l === lang() }, t(`lang.${l}`))));
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); document.getElementById('main').focus(); } }, t('skip')),
    h('span', { class: 'brand' }, 'gone'),
    session.token ? h('nav', { 'aria-label': t('nav.label') }, navItems().map(([key, href, label]) => navLink(key, href, label))) : null,
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
  if (!session.token) {
    replace(root, header(parts), main);
    signInView(main, { done: () => go('#/') });
    return;
  }
  try {
    // The index first: the header's links and the home depend on it.
    if (!session.index) session.index = await call('GET', '/api');
  } catch (err) {
    replace(root, header(parts), main);
    replace(main, h('p', { role: 'alert', class: 'error' }, err.message));
    return;
  }
  if (turn !== rendering) return;
  replace(root, header(parts), main);
  const views = { c: collectionsView, r: resourceView, rules: rulesView, explain: explainView, audit: auditView, tokens: tokensView, inbox: inboxView, webhooks: webhooksView };
  const view = views[parts[0] || home()];
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
