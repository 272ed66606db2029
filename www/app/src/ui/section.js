// One section per demo: the story, the code (JavaScript that runs, and its Rust twin), the
// inputs, a Run button, the result, and the live timeline from weft's Recorder.
import { Recorder } from 'weft';
import { el } from './dom.js';
import { codeBlock, excerpt } from './code.js';
import { drawTimeline, legend, latest, STATES } from './timeline.js';
import { drawChart, chartLegend } from './chart.js';

// One demo runs at a time: a recorder records every task weft starts, and two runs at once
// would share the CPU and each other's timelines.
let busy = false;
const runButtons = new Set();

function setBusy(value) {
  busy = value;
  for (const b of runButtons) b.disabled = value;
}

function control(demo, c) {
  const id = `${demo.id}-${c.name}`;
  const value = el('output', { class: 'value', for: id, id: `${id}-value` });
  const input = c.options
    ? el('select', { id, name: c.name }, c.options.map(([v, text]) => el('option', { value: v, selected: v === c.value }, text)))
    : el('input', { id, name: c.name, type: 'range', min: c.min, max: c.max, step: c.step ?? 1, value: c.value });
  const show = () => { value.textContent = c.format ? c.format(Number(input.value)) : input.value; };
  input.addEventListener('input', show);
  show();
  return el('div', { class: 'control' }, el('label', { for: id }, c.label), c.options ? null : value, input);
}

function readParams(form, demo) {
  const params = {};
  for (const c of demo.controls) params[c.name] = Number(form.elements[c.name].value);
  return params;
}

/** Builds the section of `demo` (see demos/*.js for the shape). */
export function section(demo) {
  const titleId = `${demo.id}-title`;
  const run = el('button', { type: 'submit', class: 'run', id: `${demo.id}-run`, disabled: true }, demo.runLabel ?? 'Run');
  runButtons.add(run);
  const form = el('form', { class: 'controls', 'aria-label': `${demo.title}: inputs` },
    demo.controls.map((c) => control(demo, c)), el('div', { class: 'control run-cell' }, run));
  const result = el('output', {
    class: 'result', id: `${demo.id}-result`, for: run.id, 'aria-live': 'polite', 'data-state': 'idle',
  }, 'Press Run.');
  const timeline = el('div', { class: 'timeline-host', id: `${demo.id}-timeline` });
  const chartHost = demo.chart ? el('div', { class: 'chart-host', id: `${demo.id}-chart` }) : null;
  const extra = demo.extra ? demo.extra() : null;
  const figure = el('figure', { class: 'viz' },
    el('figcaption', {}, demo.timelineCaption ?? 'Timeline, one row per task, drawn from weft’s Recorder'),
    extra?.node, timeline, legend(demo.states ? STATES.filter(([k]) => demo.states.includes(k)) : STATES),
    chartHost, demo.chart ? chartLegend(demo.chart.series, demo.chart.limit && { name: demo.chart.limit }) : null);

  const node = el('section', { class: 'demo', id: demo.id, 'aria-labelledby': titleId },
    el('div', { class: 'demo-head' },
      el('p', { class: 'kicker' }, demo.python),
      el('h2', { id: titleId }, el('a', { href: `#${demo.id}`, class: 'anchor' }, demo.title)),
      demo.intro.map((p) => el('p', { class: 'intro' }, p))),
    el('div', { class: 'code-pair' },
      el('div', { class: 'code-col' }, el('h3', {}, 'JavaScript ', el('span', { class: 'muted' }, '— the code this demo runs')),
        codeBlock(excerpt(demo.source), 'js', `${demo.title}: JavaScript`)),
      el('div', { class: 'code-col' }, el('h3', {}, 'Rust ', el('span', { class: 'muted' }, '— the same with the weft crate')),
        codeBlock(excerpt(demo.rust), 'rust', `${demo.title}: Rust`))),
    el('div', { class: 'panel' }, form, result, figure));

  let last = null;
  const redraw = (spans, now, live) => {
    const view = demo.view({ spans, now, live, params: last.params, state: last.state });
    const tMax = Math.max(view.tMax ?? 0, latest(view.rows), now ?? 0, 100) * 1.04;
    drawTimeline(timeline, view.rows, { tMax, now: live ? now : null, summary: view.summary });
    if (chartHost && view.chart) drawChart(chartHost, { ...demo.chart, ...view.chart, tMax, limit: view.chart.limit });
    extra?.update?.(view, live);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    run.textContent = 'Running…';
    const params = readParams(form, demo);
    const recorder = new Recorder({ capacity: 2000 });
    const t0 = performance.now();
    last = { params, state: {}, recorder };
    const ctx = { params, state: last.state, recorder, now: () => performance.now() - t0 };
    result.dataset.state = 'running';
    result.textContent = demo.runningText ?? 'Running…';
    let live = true;
    let drawn = -Infinity;
    const tick = (frame) => {
      if (!live) return;
      // Ten redraws a second are smooth enough and leave the frames to the page.
      if (frame - drawn >= (demo.redrawEvery ?? 100)) {
        drawn = frame;
        redraw(recorder.spans(), ctx.now(), true);
      }
      requestAnimationFrame(tick);
    };
    recorder.start();
    requestAnimationFrame(tick);
    try {
      const out = await demo.run(ctx);
      recorder.stop();
      live = false;
      result.dataset.state = 'done';
      result.dataset.json = JSON.stringify(out.data ?? {});
      result.replaceChildren(...resultNodes(out));
    } catch (error) {
      recorder.stop();
      live = false;
      result.dataset.state = 'failed';
      result.textContent = `Failed: ${error?.message ?? error}`;
      console.warn(error);
    }
    last.spans = recorder.spans();
    last.end = ctx.now();
    redraw(last.spans, last.end, false);
    recorder.free();
    run.textContent = demo.runLabel ?? 'Run again';
    setBusy(false);
  });

  // Redraw the last run at the new width (its spans are kept after the recorder is freed).
  let resizing = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(() => { if (last?.spans && !busy) redraw(last.spans, last.end, false); });
  });
  return { node, run };
}

function resultNodes(out) {
  const nodes = [];
  if (out.stats) {
    nodes.push(el('dl', { class: 'stats' }, out.stats.map(([k, v, cls]) =>
      el('div', { class: cls ? `stat ${cls}` : 'stat' }, el('dt', {}, k), el('dd', {}, v)))));
  }
  if (out.text && !out.stats) nodes.push(el('p', { class: 'result-text' }, out.text));
  return nodes;
}

/** Enables every Run button once the package has loaded. */
export function ready() {
  setBusy(false);
}
