// The Gantt timeline: one row per task, one bar per state it went through, drawn as SVG from
// the spans of weft's `Recorder`. Colours come from style.css (`.s-<state>`), one per state.
import { svg, el } from './dom.js';

/** The task states, in legend order, with what each means on the chart. */
export const STATES = [
  ['queued', 'queued', 'started by weft, waiting for a slot'],
  ['running', 'running', 'its promise is pending'],
  ['done', 'done', 'fulfilled'],
  ['failed', 'failed', 'rejected'],
  ['cancelled', 'cancelled', 'aborted by weft before it settled'],
  ['retried', 'retry wait', 'backing off before the next attempt'],
];

/** The legend under a chart: a swatch and a word per state. */
export function legend(states = STATES) {
  const list = el('ul', { class: 'legend', 'aria-label': 'Legend' });
  for (const [key, label, title] of states) {
    list.append(el('li', { title }, el('span', { class: `swatch s-${key}`, 'aria-hidden': 'true' }), label));
  }
  return list;
}

/** Layout shared by the timeline and the charts under it, so their time axes line up. */
export function layout(width, tMax, reserve = 0) {
  const label = Math.round(Math.min(132, Math.max(76, width * 0.2)));
  const left = label + 10;
  const right = width - 14 - reserve;
  const x = (t) => left + (Math.max(0, t) / tMax) * (right - left);
  return { width, label, left, right, tMax, x };
}

/** A round time step giving at most 8 ticks up to `tMax` ms, at least 64 px apart. */
export function tickStep(tMax, px = 800) {
  const most = Math.max(2, Math.min(8, Math.floor(px / 64)));
  for (const step of [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000]) {
    if (tMax / step <= most) return step;
  }
  return 100000;
}

export const seconds = (ms) => (ms >= 1000 || ms === 0 ? `${+(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** The time axis along the top of the timeline (or the bottom of a chart). */
export function axis(g, lay, y, height, { labels = true } = {}) {
  const step = tickStep(lay.tMax, lay.right - lay.left);
  for (let t = 0; t <= lay.tMax + 1e-6; t += step) {
    const x = lay.x(t);
    g.append(svg('line', { class: 'grid', x1: x, x2: x, y1: y, y2: y + height }));
    if (labels) g.append(svg('text', { class: 'tick', x, y: y - 6, 'text-anchor': 'middle' }, seconds(t)));
  }
}

const ROW = 24;
const BAR = 14;
const TOP = 26;

/**
 * Draws `rows` (`{ label, segments: [{ from, to, state }], marks: [{ at, kind }] }`, times in ms)
 * into `host`, scaled to `tMax` ms; `now` (ms) draws the live cursor while the demo runs.
 */
export function drawTimeline(host, rows, { tMax, now = null, summary = '' }) {
  const width = Math.max(300, host.clientWidth || 600);
  // Room after the bars for the rows' notes ("3 attempts").
  const lay = layout(width, tMax, rows.some((r) => r.note) ? 76 : 0);
  const height = TOP + rows.length * ROW + 6;
  const root = svg('svg', {
    class: 'timeline', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Timeline of ${rows.length} task${rows.length === 1 ? '' : 's'}${summary ? `: ${summary}` : ''}`,
  });
  axis(root, lay, TOP - 4, height - TOP);
  rows.forEach((row, i) => {
    const y = TOP + i * ROW;
    const last = row.segments.at(-1);
    const g = svg('g', { class: 'row', 'data-row': row.label, 'data-state': last ? last.state : 'queued' });
    if (i % 2 === 0) g.append(svg('rect', { class: 'band', x: 0, y, width, height: ROW }));
    g.append(svg('text', { class: 'row-label', x: lay.label, y: y + ROW / 2 + 4, 'text-anchor': 'end' }, row.label));
    for (const s of row.segments) {
      const x1 = lay.x(s.from);
      const x2 = Math.max(x1 + 2, lay.x(s.to));
      const rect = svg('rect', {
        class: `seg s-${s.state}`, 'data-state': s.state, x: x1, y: y + (ROW - BAR) / 2,
        width: x2 - x1, height: BAR, rx: 3,
      });
      rect.append(svg('title', {}, `${row.label}: ${s.state} ${seconds(s.from)} → ${seconds(s.to)}`));
      g.append(rect);
    }
    for (const m of row.marks ?? []) {
      const x = lay.x(m.at);
      g.append(svg('path', { class: `mark m-${m.kind}`, d: `M${x - 4} ${y + 1}h8l-4 5z` },
        svg('title', {}, `${m.kind} at ${seconds(m.at)}`)));
    }
    if (row.note && last) {
      // After the bar, or inside its end when the bar reaches the right edge.
      const end = lay.x(last.to);
      const inside = end + 76 > width;
      g.append(svg('text', {
        class: inside ? 'row-note inside' : 'row-note', x: inside ? end - 6 : end + 6,
        y: y + ROW / 2 + 4, 'text-anchor': inside ? 'end' : 'start',
      }, row.note));
    }
    root.append(g);
  });
  if (now !== null) {
    const x = lay.x(now);
    root.append(svg('line', { class: 'now', x1: x, x2: x, y1: TOP - 4, y2: height }));
  }
  host.replaceChildren(root);
  return lay;
}

/**
 * One row per span: queued from when weft started it to its first poll, then its final state.
 * `label(span, i)` names the row.
 */
export function spanRows(spans, now, label = (s) => s.name) {
  return spans.map((s, i) => ({ label: label(s, i), segments: spanSegments(s, now), marks: [] }));
}

/** The bars of one span: queued, then running (still open) or its final state. */
export function spanSegments(span, now) {
  const out = [];
  const start = span.start ?? (span.end ?? now);
  if (start - span.queued > 3) out.push({ from: span.queued, to: start, state: 'queued' });
  if (span.start !== null) {
    out.push({ from: span.start, to: span.end ?? now, state: span.end === null ? 'running' : span.state });
  } else if (span.end !== null) {
    out.push({ from: span.queued, to: span.end, state: span.state });
  }
  return out;
}

/**
 * Rows for tasks that wait for a slot: the `outer` span is the task as submitted (it waits for a
 * permit), the `inner` span its work once it has one, matched first come, first served. The
 * outer span's time before its inner one is drawn as queued.
 */
export function waitingRows(outer, inner, now, label) {
  return outer.map((o, i) => {
    const w = inner[i];
    const segments = [];
    const end = o.end ?? now;
    if (!w) {
      segments.push({ from: o.queued, to: end, state: o.end === null ? 'queued' : o.state });
    } else {
      if (w.queued > o.queued + 3) segments.push({ from: o.queued, to: w.queued, state: 'queued' });
      segments.push(...spanSegments(w, now));
    }
    return { label: label(o, i), segments, marks: [] };
  });
}

/** The latest time on the rows, for the axis. */
export function latest(rows) {
  let t = 0;
  for (const r of rows) for (const s of r.segments) t = Math.max(t, s.to);
  return t;
}
