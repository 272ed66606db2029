// A resource pool (asyncpg's create_pool): connections lent out, checked, given back.
import { Pool, gather, sleep } from 'weft';
import { waitingRows } from '../ui/timeline.js';
import { concurrency, peak } from '../ui/chart.js';
import source from './pool.js?raw';
import rust from '../../../src/twins/pool.rs?raw';

// #region demo
async function useDbPool({ queries, max, queryMs }) {
  let opened = 0;
  const db = new Pool({
    create: async () => ({ id: ++opened }), // open a connection
    check: (conn) => conn.id > 0, // still good? (on every checkout)
    destroy: (conn) => { conn.closed = true; },
    max, // at most `max` connections
  });

  const execute = (sql, signal) => db.use(async function query(conn, signal) {
    await sleep(queryMs, { signal }); // on its own connection
    return `${sql} on connection ${conn.id}`;
  }, { signal });

  const sqls = Array.from({ length: queries },
    (_, i) => `SELECT * FROM users WHERE id = ${i}`);
  const results = await gather(
    sqls.map((sql) => (signal) => execute(sql, signal)));
  const status = db.status();
  await db.close(); // closes every connection
  return { results, opened, status };
}
// #endregion

export default {
  id: 'pool',
  title: 'Resource pool',
  python: 'asyncpg.create_pool / AsyncDatabasePool',
  intro: [
    'Queries borrow a connection from a pool of at most three: each gets its own (the seed hands every query connections[0]), idle ones are health-checked on checkout, and a query that finds none free waits for the first to come back. The chart counts connections checked out.',
  ],
  source,
  rust,
  controls: [
    { name: 'queries', label: 'Queries', min: 1, max: 20, value: 10 },
    { name: 'max', label: 'Pool size', min: 1, max: 8, value: 3 },
    { name: 'queryMs', label: 'Query time', min: 50, max: 1500, step: 50, value: 400, format: (v) => `${v} ms` },
  ],
  states: ['queued', 'running', 'done'],
  chart: { yLabel: 'checked out', series: [{ name: 'connections checked out', cls: 'series-2' }], limit: 'pool size' },
  async run({ params, recorder }) {
    const r = await useDbPool(params);
    const inner = recorder.spans().filter((s) => s.name === 'query');
    const most = peak(concurrency(inner.map((s) => [s.start, s.end])));
    return {
      data: { results: r.results.length, opened: r.opened, maxCheckedOut: most, max: params.max },
      stats: [['Queries', r.results.length], ['Connections opened', r.opened], ['Most checked out', most, most <= params.max ? 'good' : 'bad'], ['Pool size', params.max]],
      text: `${r.results.length} queries on ${r.opened} connections; at most ${most} checked out at once.`,
    };
  },
  view({ spans, now, params }) {
    const inner = spans.filter((s) => s.name === 'query');
    const outer = spans.filter((s) => s.name === 'task');
    const rows = waitingRows(outer, inner, now, (s, i) => `query ${i}`);
    const points = concurrency(inner.filter((s) => s.start !== null).map((s) => [s.start, s.end ?? now]));
    return { rows, chart: { series: [{ name: 'connections checked out', kind: 'step', cls: 'series-2', points, end: now }], limit: { value: params.max, name: 'pool size' } } };
  },
};
