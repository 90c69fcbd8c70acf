// Explain: why a URL answers what it answers. For one of the server's
// resources GET /api/explain walks the decision for the path; the view
// draws the flowchart with the branch taken, then shows what the public
// and an admin each receive: status, headers and body, recorded from the
// same code that answers a real GET. Any other path is a site path: the
// rules answer it (GET /rules/explain: the rule that matches, or none and
// the upstream answers; on gone serve, which answers its rules on every
// path no route serves, its own routes answer).

import { h, replace, link } from './dom.js';
import { t } from './i18n.js';
import { call, resourcePath } from './api.js';
import { session } from './session.js';
import { href, go } from './router.js';
import { problemBox, stateBadge } from './fmt.js';
import { flowchart, stepText } from './flowchart.js';

// toPath accepts a path or a full URL and keeps its path.
function toPath(input) {
  const v = input.trim();
  if (/^https?:\/\//i.test(v)) {
    try { return new URL(v).pathname; } catch { return v; }
  }
  return v;
}

export async function explainView(main, { query }) {
  const target = query.get('path') || '';
  const proxy = session.index.front === 'proxy';
  const input = h('input', { id: 'explain-path', name: 'path', value: target, placeholder: proxy ? '/blog/2019/hello.html' : '/api/users/123', required: true, spellcheck: 'false', autocomplete: 'off' });
  const form = h('form', { id: 'explain-form', class: 'inline' },
    h('label', { for: 'explain-path' }, t('explain.input')), input, h('button', { type: 'submit' }, t('explain.button')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(href(['explain'], { path: toPath(input.value) }));
  });
  replace(main, h('h1', {}, t('explain.title')), h('p', {}, t('explain.intro')), form);
  if (!session.admin) {
    main.append(h('p', { class: 'hint' }, t('needs.admin')));
    return;
  }
  if (!target) return;

  const resource = resourcePath(target);
  if (!resource) {
    await explainRule(main, target, proxy);
    return;
  }
  let ex;
  try {
    ex = await call('GET', '/api/explain', { query: { path: resource } });
  } catch (err) {
    main.append(problemBox(err));
    return;
  }
  const result = h('section', { id: 'explanation', 'aria-labelledby': 'ex-title' },
    h('h2', { id: 'ex-title' }, ex.path, ' ', stateBadge(ex.state)),
    h('ol', { id: 'steps', class: 'steps' }, (ex.steps || []).map((st) => { const [q, a] = stepText(st); return h('li', {}, h('span', { class: 'q' }, q), ' ', h('strong', {}, a)); })),
    h('div', { class: 'scroll' }, flowchart(ex)),
    h('div', { class: 'verdicts' }, verdict('public', ex.public), verdict('admin', ex.admin)));
  main.append(result);
}

function verdict(who, v) {
  const r = v.response || { status: v.status, headers: {}, body: '' };
  let body = r.body;
  try { body = JSON.stringify(JSON.parse(r.body), null, 2); } catch { /* not JSON: show as sent */ }
  const names = Object.keys(r.headers).sort();
  return h('section', { class: `verdict card ${who}`, id: `verdict-${who}`, 'aria-labelledby': `v-${who}` },
    h('h3', { id: `v-${who}` }, t(`explain.${who}`)),
    h('p', { class: 'status' }, h('strong', { class: `s${r.status}` }, `HTTP ${r.status}`), ' ', t(`status.${r.status}`)),
    h('h4', {}, t('explain.headers')),
    h('dl', { class: 'headers' }, names.map((n) => [h('dt', {}, n), h('dd', {}, r.headers[n])])),
    h('h4', {}, t('explain.body')),
    body ? h('pre', { class: 'body' }, body) : h('p', { class: 'hint' }, t('explain.nobody')));
}

// explainRule shows how the rules answer a site path: its normalized
// form, the steps, the rule that matched (or none: the upstream answers,
// or on gone serve its own routes) and what the public gets.
async function explainRule(main, target, proxy) {
  let ex;
  try {
    ex = await call('GET', '/rules/explain', { query: { path: target } });
  } catch (err) {
    main.append(problemBox(err));
    return;
  }
  const upstream = ex.answer === 'upstream';
  const r = ex.rule;
  const verdict = h('section', { class: 'verdict card public', id: 'verdict-public', 'aria-labelledby': 'v-public' },
    h('h3', { id: 'v-public' }, t('explain.public')),
    h('p', { class: 'status', id: 'rule-answer' }, upstream
      ? h('strong', {}, t(`rexplain.${r ? 'upstreamRule' : 'upstream'}${proxy ? '' : '.serve'}`))
      : [h('strong', { class: `s${ex.status}` }, `HTTP ${ex.status}`), ' ', t(`status.${ex.status}`)]),
    ex.location ? h('p', {}, t('field.movedTo'), ': ', link(ex.location)) : null,
    r ? h('dl', { class: 'headers', id: 'rule-facts' },
      h('dt', {}, t('rexplain.rule')), h('dd', {}, h('a', { href: href(['rules']) }, r.key)),
      r.reason ? [h('dt', {}, t('field.reason')), h('dd', {}, r.reason)] : null,
      r.alternative ? [h('dt', {}, t('field.alternative')), h('dd', {}, link(r.alternative))] : null) : null);
  const norm = ex.normalized && ex.normalized !== ex.path ? h('p', { class: 'hint' }, t('rexplain.normalized', { path: ex.normalized })) : null;
  main.append(h('section', { id: 'explanation', class: 'rule-explanation', 'aria-labelledby': 'ex-title' },
    h('h2', { id: 'ex-title' }, ex.path, ' ', r ? stateBadge(r.state) : h('span', { class: 'badge state-absent' }, t('rexplain.norule'))),
    norm,
    h('ol', { id: 'steps', class: 'steps' }, (ex.steps || []).map((st) => { const [q, a] = stepText(st); return h('li', {}, h('span', { class: 'q' }, q), ' ', h('strong', {}, a)); })),
    h('div', { class: 'verdicts' }, verdict)));
}
