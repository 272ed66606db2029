// Small SVG charts drawn under a timeline, on the same time axis: step lines (tasks in flight,
// queue depth, connections in use) and bars (starts per window), with a dashed limit line.
import { svg, el } from './dom.js';
import { layout, axis, seconds } from './timeline.js';

const HEIGHT = 120;
const TOP = 12;
const BOTTOM = 22;

/**
 * Draws a chart into `host`. `series`: `[{ name, kind: 'step' | 'bars', cls, points: [[t, v]] }]`
 * (bars: `[t0, t1, v]`); `limit`: `{ value, name }` drawn dashed; `yLabel` names the y axis.
 */
export function drawChart(host, { series, limit = null, tMax, yLabel, yMax: yMaxGiven, yCap = Infinity }) {
  const width = Math.max(300, host.clientWidth || 600);
  const lay = layout(width, tMax);
  let yMax = yMaxGiven ?? 1;
  for (const s of series) for (const p of s.points) yMax = Math.max(yMax, p.at(-1));
  if (limit) yMax = Math.max(yMax, limit.value);
  yMax = Math.min(Math.ceil(yMax * 1.15), yCap);
  const plot = HEIGHT - TOP - BOTTOM;
  const y = (v) => TOP + plot - (Math.min(v, yMax) / yMax) * plot;
  const root = svg('svg', {
    class: 'chart', width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img',
    'aria-label': `${yLabel} over time${limit ? `, ${limit.name} ${limit.value}` : ''}`,
  });
  axis(root, lay, TOP, plot, { labels: false });
  root.append(svg('line', { class: 'baseline', x1: lay.left, x2: lay.right, y1: y(0), y2: y(0) }));
  root.append(svg('text', { class: 'row-label', x: 0, y: TOP + plot / 2 + 4 }, yLabel));
  for (const v of [0, yMax]) {
    root.append(svg('text', { class: 'tick', x: lay.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v));
  }
  for (const s of series) {
    if (s.kind === 'bars') {
      for (const [t0, t1, v] of s.points) {
        // `inset`: a gap each side, as a share of the bar; bars stop at the axis' end.
        const right = Math.min(lay.x(t1), lay.right);
        const pad = s.inset ? (right - lay.x(t0)) * s.inset : 1;
        const x1 = lay.x(t0) + pad;
        const x2 = right - pad;
        if (x2 <= x1) continue;
        if (s.labels && v > 0) {
          root.append(svg('text', { class: 'tick', x: (x1 + x2) / 2, y: y(v) - 4, 'text-anchor': 'middle' }, v));
        }
        root.append(svg('rect', {
          class: `bar ${s.cls}`, x: x1, y: y(v), width: Math.max(1, x2 - x1), height: y(0) - y(v), rx: 2,
        }, svg('title', {}, `${s.format ? s.format(v) : v} ${s.name} in ${seconds(t0)} – ${seconds(t1)}`)));
        // A bar taller than the axis is cut at the top and labelled with its value.
        if (v > yMax) {
          root.append(svg('text', { class: 'bar-label', x: Math.min((x1 + x2) / 2, lay.right - 20), y: TOP + 10, 'text-anchor': 'middle' }, s.format ? s.format(v) : v));
        }
      }
    } else if (s.points.length) {
      let d = `M${lay.x(s.points[0][0])} ${y(0)}`;
      for (const [t, v] of s.points) d += `H${lay.x(t)}V${y(v)}`;
      d += `H${lay.x(s.end ?? s.points.at(-1)[0])}`;
      root.append(svg('path', { class: `line ${s.cls}`, d }));
    }
  }
  if (limit) {
    root.append(svg('line', { class: 'limit', x1: lay.left, x2: lay.right, y1: y(limit.value), y2: y(limit.value) }));
  }
  for (let t = 0; t <= tMax; t += tMax) {
    root.append(svg('text', { class: 'tick', x: lay.x(t), y: HEIGHT - 6, 'text-anchor': t ? 'end' : 'start' }, seconds(t)));
  }
  host.replaceChildren(root);
}

/** The legend of a chart: its series and its limit line. */
export function chartLegend(series, limit) {
  const list = el('ul', { class: 'legend', 'aria-label': 'Chart legend' });
  for (const s of series) list.append(el('li', {}, el('span', { class: `swatch ${s.cls}`, 'aria-hidden': 'true' }), s.name));
  if (limit) list.append(el('li', {}, el('span', { class: 'swatch limit-swatch', 'aria-hidden': 'true' }), limit.name));
  return list;
}

/** How many intervals `[from, to)` are open at each change: a step series. */
export function concurrency(intervals) {
  const events = [];
  for (const [from, to] of intervals) {
    events.push([from, 1]);
    if (to !== null && to !== undefined) events.push([to, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const points = [[0, 0]];
  let n = 0;
  for (const [t, d] of events) {
    n += d;
    // Changes less than 1 ms apart are one change (a release and the next start).
    if (t - points.at(-1)[0] < 1) points.at(-1)[1] = n;
    else points.push([t, n]);
  }
  return points;
}

/** The peak of a step series. */
export const peak = (points) => points.reduce((m, p) => Math.max(m, p[1]), 0);
