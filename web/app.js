// The live page of `dreamflow watch --serve`. It only draws: the server keeps the state (src/serve/live-state.ts)
// and sends all of it as server-sent events; the one thing the page sends is a new value for a recipe param.
'use strict';

const token = document.querySelector('meta[name="dreamflow-token"]').content;
const withToken = (url) => `${url}${url.includes('?') ? '&' : '?'}token=${token}`;
const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};
const seconds = (ms) => (ms === undefined ? '' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'dark' });

let shownGraph = '';
let graphRender = 0;
let paramShape = '';
const editing = new Set();

function render(s) {
  $('#recipe').textContent = s.recipe;
  $('#status').textContent = s.status;
  $('#status').dataset.status = s.status;
  $('#run').textContent = s.run ? `run ${s.run}${s.runMs !== undefined ? ` · ${seconds(s.runMs)}` : ''}` : '';
  document.body.dataset.run = String(s.run);
  document.body.dataset.status = s.status;
  renderErrors(s);
  renderImages(s);
  renderParams(s);
  void renderGraph(s);
  renderInstances(s);
  renderTiming(s);
  renderLoss(s);
}

function renderErrors(s) {
  const pre = $('#errors');
  pre.hidden = !s.errors;
  pre.textContent = s.errors ?? '';
  $('#notices').replaceChildren(...s.notices.map((n) => el('div', { textContent: `! ${n}` })));
}

function renderImages(s) {
  const latest = s.steps[s.steps.length - 1];
  const showStep = s.status === 'running' && latest;
  const img = $('#current-image');
  const src = showStep ? latest.url : s.result?.url;
  if (src && img.dataset.src !== src) {
    img.dataset.src = src;
    img.src = withToken(src);
  }
  img.dataset.kind = showStep ? 'step' : s.result ? 'result' : 'none';
  $('#current-caption').textContent = showStep
    ? `${latest.node}${latest.octave !== undefined ? ` octave ${latest.octave + 1}/${latest.octaves}` : ''} · step ${latest.step}/${latest.steps}`
    : s.result
      ? `output ${s.result.path} · run ${s.result.run}${s.result.ms !== undefined ? ` · ${seconds(s.result.ms)}` : ''}`
      : 'waiting for the first image…';
  $('#octaves').replaceChildren(
    ...s.steps.map((v) =>
      el('figure', {}, el('img', { src: withToken(v.url), alt: `octave ${v.octave}` }), el('figcaption', { textContent: `octave ${(v.octave ?? 0) + 1} · ${v.step}/${v.steps}` })),
    ),
  );
  const results = [s.result, ...s.strip].filter(Boolean);
  $('#strip').replaceChildren(
    ...results.map((r) =>
      el('figure', { className: 'result' }, el('img', { src: withToken(r.url), alt: `run ${r.run}` }), el('figcaption', { textContent: `run ${r.run}${r.label ? ` · ${r.label}` : ''}` })),
    ),
  );
}

function renderParams(s) {
  const shape = JSON.stringify(s.params.map((c) => [c.name, c.kind, c.min, c.max, c.step, c.options, c.lockedBy]));
  const form = $('#params');
  if (shape !== paramShape) {
    paramShape = shape;
    form.replaceChildren(...s.params.flatMap(paramRow));
  }
  for (const c of s.params) {
    if (editing.has(c.name)) continue;
    for (const input of form.querySelectorAll(`[data-param="${CSS.escape(c.name)}"]`)) setInputValue(input, c.value);
  }
}

function paramRow(c) {
  const id = `param-${c.name}`;
  const field = el('div', { className: 'field' });
  const input = (props) => {
    const i = el(props.tag ?? 'input', { ...props, tag: undefined, name: c.name, disabled: Boolean(c.lockedBy) });
    i.dataset.param = c.name;
    i.addEventListener('focus', () => editing.add(c.name));
    i.addEventListener('blur', () => editing.delete(c.name));
    return i;
  };
  const send = (value) => void sendParam(c.name, value);
  if (c.kind === 'slider' || c.kind === 'number') {
    const number = input({ type: 'number', id, step: c.integer ? 1 : 'any' });
    if (c.kind === 'slider') {
      const range = input({ type: 'range', min: c.min, max: c.max, step: c.step });
      range.addEventListener('pointerdown', () => editing.add(c.name));
      range.addEventListener('input', () => (number.value = range.value));
      range.addEventListener('change', () => {
        editing.delete(c.name);
        send(Number(range.value));
      });
      field.append(range);
    }
    number.addEventListener('change', () => send(Number(number.value)));
    field.append(number);
  } else if (c.kind === 'boolean') {
    const box = input({ type: 'checkbox', id });
    box.addEventListener('change', () => send(box.checked));
    field.append(box);
  } else if (c.kind === 'choice') {
    const select = input({ tag: 'select', id });
    select.append(...c.options.map((o) => el('option', { value: JSON.stringify(o), textContent: String(o) })));
    select.addEventListener('change', () => send(JSON.parse(select.value)));
    field.append(select);
  } else {
    const text = input({ type: 'text', id });
    text.dataset.json = c.kind === 'json' ? '1' : '';
    text.addEventListener('change', () => {
      if (c.kind !== 'json') return send(text.value);
      try {
        send(JSON.parse(text.value));
      } catch {
        showParamError(c.name, 'not valid JSON');
      }
    });
    field.append(text);
  }
  if (c.lockedBy) field.append(el('span', { className: 'note', textContent: `set by ${c.lockedBy}` }));
  const error = el('div', { className: 'error', id: `error-${c.name}` });
  return [el('label', { htmlFor: id, textContent: c.name, title: `used by ${c.usedBy.join(', ') || 'nothing'}` }), field, el('span'), error];
}

function setInputValue(input, value) {
  if (input.type === 'checkbox') input.checked = Boolean(value);
  else if (input.tagName === 'SELECT') input.value = JSON.stringify(value);
  else if (input.dataset.json) input.value = JSON.stringify(value);
  else input.value = String(value ?? '');
}

function showParamError(name, message) {
  const e = document.getElementById(`error-${name}`);
  if (e) e.textContent = message;
}

async function sendParam(name, value) {
  showParamError(name, '');
  const res = await fetch(withToken('/api/params'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, value }),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => ({ message: res.statusText }));
    showParamError(name, body.message);
  }
}

async function renderGraph(s) {
  if (!s.graph) return;
  if (s.graph.mermaid !== shownGraph) {
    shownGraph = s.graph.mermaid;
    const n = ++graphRender;
    try {
      const { svg } = await window.mermaid.render(`graph-svg-${n}`, s.graph.mermaid);
      if (n !== graphRender) return;
      $('#graph').innerHTML = svg;
    } catch (e) {
      $('#graph').textContent = `could not draw the graph: ${e.message}`;
    }
  }
  const byNode = new Map();
  for (const i of s.instances) byNode.set(i.node, [...(byNode.get(i.node) ?? []), i]);
  for (const [node, mid] of Object.entries(s.graph.ids)) {
    const box = $('#graph').querySelector(`g.node[data-id="${CSS.escape(mid)}"], g.node[id*="-${CSS.escape(mid)}-"]`);
    if (!box) continue;
    const insts = byNode.get(node) ?? [];
    box.dataset.node = node;
    box.dataset.status = nodeStatus(insts);
    let title = box.querySelector(':scope > title');
    if (!title) box.prepend((title = document.createElementNS('http://www.w3.org/2000/svg', 'title')));
    title.textContent = insts.length ? insts.map((i) => `${i.id}: ${i.status}${i.reason ? ` (${i.reason})` : ''}`).join('\n') : `${node}: waiting`;
  }
}

function nodeStatus(insts) {
  const has = (st) => insts.some((i) => i.status === st);
  if (!insts.length) return 'waiting';
  for (const st of ['failed', 'running', 'cancelled']) if (has(st)) return st;
  return has('done') ? 'done' : 'cached';
}

function renderInstances(s) {
  $('#instances tbody').replaceChildren(
    ...s.instances.map((i) => {
      const row = el(
        'tr',
        {},
        el('td', { textContent: i.id }),
        el('td', { className: 'status', textContent: i.status }),
        el('td', { textContent: seconds(i.ms) }),
        el('td', { textContent: i.reason && i.reason !== 'unchanged' ? i.reason : '' }),
      );
      row.dataset.instance = i.id;
      row.dataset.status = i.status;
      return row;
    }),
  );
}

function renderTiming(s) {
  const max = Math.max(1, ...s.timing.map((t) => t.ms));
  $('#timing').replaceChildren(
    ...s.timing.map((t) => {
      const bar = el('span');
      bar.style.width = `${(100 * t.ms) / max}%`;
      const row = el('div', { className: 'bar' }, el('span', { textContent: t.node }), bar, el('span', { textContent: seconds(t.ms) }));
      row.dataset.node = t.node;
      return row;
    }),
  );
}

const COLORS = ['#7aa2f7', '#9ece6a', '#e0af68', '#f7768e', '#bb9af7', '#7dcfff', '#ff9e64', '#c0caf5'];

function renderLoss(s) {
  const svg = $('#loss');
  const ns = 'http://www.w3.org/2000/svg';
  const series = s.loss.filter((l) => l.points.length);
  const svgEl = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  if (!series.length) return svg.replaceChildren(svgEl('text', { x: 10, y: 20 }, 'no steps yet'));
  const [W, H, L, B] = [420, 170, 44, 18];
  const all = series.flatMap((l) => l.points);
  const maxStep = Math.max(...all.map((p) => p[0]), 2);
  const lo = Math.min(...all.map((p) => p[1]));
  const hi = Math.max(...all.map((p) => p[1]), lo + 1e-9);
  const x = (step) => L + ((step - 1) / Math.max(1, maxStep - 1)) * (W - L - 8);
  const y = (loss) => H - B - ((loss - lo) / (hi - lo)) * (H - B - 8);
  const parts = [
    svgEl('line', { x1: L, y1: H - B, x2: W - 4, y2: H - B, stroke: '#555' }),
    svgEl('line', { x1: L, y1: 4, x2: L, y2: H - B, stroke: '#555' }),
    svgEl('text', { x: 2, y: 12 }, hi.toPrecision(3)),
    svgEl('text', { x: 2, y: H - B }, lo.toPrecision(3)),
    svgEl('text', { x: W - 60, y: H - 4 }, `step ${maxStep}`),
  ];
  series.forEach((l, k) => {
    const color = COLORS[k % COLORS.length];
    const pts = l.points.map(([st, v]) => `${x(st).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const line = svgEl('polyline', { points: pts, fill: 'none', stroke: color, 'stroke-width': 1.5 });
    line.dataset.series = `${l.node}@${l.octave ?? ''}`;
    parts.push(line, svgEl('text', { x: L + 6 + 70 * k, y: 14, fill: color, style: `fill:${color}` }, `${l.node}${l.octave !== undefined ? ` o${l.octave + 1}` : ''}`));
  });
  svg.replaceChildren(...parts);
}

function connect() {
  const events = new EventSource(withToken('/api/events'));
  events.addEventListener('state', (m) => {
    $('#connection').textContent = '';
    render(JSON.parse(m.data));
  });
  events.addEventListener('error', () => ($('#connection').textContent = 'reconnecting…'));
}

connect();
