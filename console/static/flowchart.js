// The seeds' flowchart (GET → exists? → ever existed? → permanent?) with
// gone's further branches (route, permission, store, availability, move,
// id reuse, concealment), drawn in SVG. The branch the server took, as
// GET /api/explain reports it step by step, is lit.

import { s } from './dom.js';
import { t } from './i18n.js';

const W = 150;
const H = 46;

// nodes: questions (q) and answers (a, with the status they send).
const nodes = {
  start: { x: 400, y: 30, kind: 'start' },
  route: { x: 400, y: 100, kind: 'q' },
  perm: { x: 400, y: 170, kind: 'q' },
  store: { x: 400, y: 240, kind: 'q' },
  exists: { x: 400, y: 310, kind: 'q' },
  avail: { x: 200, y: 390, kind: 'q' },
  ever: { x: 600, y: 390, kind: 'q' },
  permanent: { x: 600, y: 560, kind: 'q' },
  reuse: { x: 700, y: 640, kind: 'q' },
  conceal: { x: 700, y: 720, kind: 'q' },
  a404route: { x: 640, y: 100, kind: 'a', status: 404 },
  a401: { x: 640, y: 170, kind: 'a', status: 401 },
  a503store: { x: 640, y: 240, kind: 'a', status: 503 },
  a200: { x: 100, y: 480, kind: 'a', status: 200 },
  a503: { x: 290, y: 480, kind: 'a', status: 503 },
  a404: { x: 460, y: 480, kind: 'a', status: 404 },
  a308: { x: 735, y: 480, kind: 'a', status: 308 },
  a404soft: { x: 420, y: 640, kind: 'a', status: 404 },
  a404reuse: { x: 520, y: 720, kind: 'a', status: 404 },
  a404conceal: { x: 520, y: 800, kind: 'a', status: 404 },
  a410: { x: 700, y: 800, kind: 'a', status: 410 },
};

// edges: from, to, label key, and how a step's answer picks it. pass marks
// the way taken when the server reports no step for that question.
const edges = [
  { from: 'start', to: 'route', pass: true },
  { from: 'route', to: 'perm', label: 'yes', pass: true },
  { from: 'route', to: 'a404route', label: 'no', match: /^No/ },
  { from: 'perm', to: 'store', label: 'yes', pass: true },
  { from: 'perm', to: 'a401', label: 'no', match: /^No/ },
  { from: 'store', to: 'exists', label: 'yes', pass: true },
  { from: 'store', to: 'a503store', label: 'no', match: /^No/ },
  { from: 'exists', to: 'avail', label: 'yes', match: /^Yes/ },
  { from: 'exists', to: 'ever', label: 'no', match: /^No/ },
  { from: 'avail', to: 'a200', label: 'yes', pass: true },
  { from: 'avail', to: 'a503', label: 'no', match: /^No/ },
  { from: 'ever', to: 'a404', label: 'never', match: /^Never/ },
  { from: 'ever', to: 'a308', label: 'moved', match: /moved/ },
  { from: 'ever', to: 'permanent', label: 'deleted', match: /deleted|expired/ },
  { from: 'permanent', to: 'a404soft', label: 'no', match: /^No/ },
  { from: 'permanent', to: 'reuse', label: 'yes', match: /^Yes/ },
  { from: 'reuse', to: 'a404reuse', label: 'yes', match: /^Yes/ },
  { from: 'reuse', to: 'conceal', label: 'no', pass: true },
  { from: 'conceal', to: 'a410', label: 'yes', pass: true },
  { from: 'conceal', to: 'a404conceal', label: 'no', match: /^No/ },
];

// questions maps the server's step questions to nodes.
const questions = {
  'Route exists?': 'route',
  'May the caller read the collection?': 'perm',
  'Did the store answer?': 'store',
  'Resource exists?': 'exists',
  'Available now?': 'avail',
  'Ever existed?': 'ever',
  'Permanent deletion?': 'permanent',
  'Id reuse quarantine passed?': 'reuse',
  'May the public learn it existed?': 'conceal',
};

// stepText is a step in the page's language where the console knows its
// words; the server's English otherwise (answers may carry details, such
// as a date or a suggested path).
export function stepText(st) {
  const node = questions[st.question];
  const q = node ? t(`flow.${node}`).replace(/\n/g, ' ') : ruleQuestions[st.question] ? t(ruleQuestions[st.question]) : st.question;
  const known = { Yes: 'yes', No: 'no', Never: 'never', 'Yes, deleted': 'deleted', 'Yes, expired': 'expired', 'Yes, moved': 'moved' };
  if (known[st.answer]) return [q, t(`flow.answer.${known[st.answer]}`)];
  if (ruleAnswers[st.answer]) return [q, t(ruleAnswers[st.answer])];
  // "Yes: /blog/* (longest prefix)": the word and the kind of match are
  // the console's to translate, the path or message is the server's.
  const m = /^(Yes|No): (.*)$/s.exec(st.answer);
  if (!m) return [q, st.answer];
  const rest = m[2].replace(/ \((exact|longest prefix)\)$/, (_, kind) => ` (${t(`rexplain.kind.${kind === 'exact' ? 'exact' : 'prefix'}`)})`);
  return [q, `${t(`flow.answer.${m[1].toLowerCase()}`)}: ${rest}`];
}

// ruleQuestions and ruleAnswers are the steps GET /rules/explain adds
// before and after the decision.
const ruleQuestions = {
  'Is the path valid?': 'rexplain.q.valid',
  'Do all its readings have the same rule?': 'rexplain.q.readings',
  'Does a rule match?': 'rexplain.q.match',
  'Who answers?': 'rexplain.q.who',
};
const ruleAnswers = {
  'No rule: passed to the upstream': 'rexplain.a.norule',
  'The upstream (the rule schedules nothing yet)': 'rexplain.a.upstream',
};

// walk follows the steps from the start and returns the lit edges and
// nodes, ending at an answer node.
export function walk(steps) {
  const byNode = {};
  for (const st of steps) byNode[questions[st.question]] = st.answer;
  const lit = { nodes: new Set(['start']), edges: new Set() };
  let at = 'start';
  for (let guard = 0; guard < 20 && nodes[at].kind !== 'a'; guard++) {
    const out = edges.filter((e) => e.from === at);
    const answer = byNode[at];
    const e = answer === undefined ? out.find((x) => x.pass) : out.find((x) => x.match && x.match.test(answer)) || out.find((x) => x.pass);
    if (!e) break;
    lit.edges.add(e);
    lit.nodes.add(e.to);
    at = e.to;
  }
  lit.end = at;
  return lit;
}

function lines(text) {
  return text.split('\n');
}

function label(n, id, extra) {
  const ls = lines(t(`flow.${id}`));
  if (extra) ls.push(extra);
  const top = n.y - ((ls.length - 1) * 14) / 2 + 4;
  return s('text', { x: n.x, y: top, 'text-anchor': 'middle' },
    ls.map((l, i) => s('tspan', { x: n.x, dy: i === 0 ? 0 : 14 }, l)));
}

// edgeLabel places an edge's label: above the middle of a level edge,
// beside the lower end of a vertical one (clear of the answers beside
// its middle), else right of the middle.
function edgeLabel(x1, y1, x2, y2, text) {
  const mx = (x1 + x2) / 2;
  const my = (y1 + y2) / 2;
  if (y1 === y2) return s('text', { x: mx, y: my - 5, 'text-anchor': 'middle', class: 'edge-label' }, text);
  if (x1 === x2) return s('text', { x: x2 + 6, y: y2 - 6, class: 'edge-label' }, text);
  return s('text', { x: mx + 8, y: my + 4, class: 'edge-label' }, text);
}

// flowchart draws the chart for an explanation.
export function flowchart(ex) {
  const lit = walk(ex.steps || []);
  const who = [];
  const svg = s('svg', { viewBox: '0 0 820 840', role: 'img', 'aria-labelledby': 'flow-title flow-desc', class: 'flow', id: 'flowchart' },
    s('title', { id: 'flow-title' }, t('flow.title')),
    s('desc', { id: 'flow-desc' }, (ex.steps || []).map((st) => `${st.question} ${st.answer}`).join(' → ')),
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))));
  for (const e of edges) {
    const a = nodes[e.from];
    const b = nodes[e.to];
    let x1 = a.x; let y1 = a.y + H / 2; let x2 = b.x; let y2 = b.y - H / 2;
    if (a.y === b.y) { x1 = a.x + (b.x > a.x ? W / 2 : -W / 2); y1 = a.y; x2 = b.x - (b.x > a.x ? W / 2 : -W / 2); y2 = b.y; }
    const on = lit.edges.has(e);
    svg.append(s('g', { class: on ? 'edge lit' : 'edge', 'data-edge': `${e.from}-${e.to}` },
      s('line', { x1, y1, x2, y2, 'marker-end': 'url(#arrow)' }),
      e.label ? edgeLabel(x1, y1, x2, y2, t(`flow.edge.${e.label}`)) : null));
  }
  for (const [id, n] of Object.entries(nodes)) {
    const on = lit.nodes.has(id);
    const cls = ['node', n.kind === 'a' ? `answer s${n.status}` : n.kind, on ? 'lit' : ''].join(' ').trim();
    let extra = '';
    if (id === lit.end) {
      if (ex.public && ex.public.status === n.status) who.push(t('explain.public'));
      if (ex.admin && ex.admin.status === n.status) who.push(t('explain.admin'));
      extra = who.length ? `◀ ${who.join(' · ')}` : '';
    }
    const label0 = id === 'start' ? null : label(n, id, extra);
    svg.append(s('g', { class: cls, 'data-node': id },
      s('rect', { x: n.x - W / 2, y: n.y - H / 2, width: W, height: H, rx: n.kind === 'q' ? 14 : 4 }),
      id === 'start' ? s('text', { x: n.x, y: n.y + 4, 'text-anchor': 'middle' }, `GET ${ex.path}`) : label0));
  }
  return svg;
}
