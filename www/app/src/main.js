// The playground: one section per demo, in the order of the seed documents.
import './style.css';
import { section, ready } from './ui/section.js';
import { el } from './ui/dom.js';
import gather from './demos/gather.js';
import asCompleted from './demos/as-completed.js';
import wait from './demos/wait.js';
import group from './demos/group.js';
import semaphore from './demos/semaphore.js';
import rate from './demos/rate.js';
import retry from './demos/retry.js';
import pipeline from './demos/pipeline.js';
import batch from './demos/batch.js';
import pool from './demos/pool.js';
import timeout from './demos/timeout.js';
import cpu from './demos/cpu.js';

const demos = [gather, asCompleted, wait, group, semaphore, rate, retry, pipeline, batch, pool, timeout, cpu];

const main = document.getElementById('demos');
const toc = document.getElementById('toc');
document.getElementById('loading').remove();
for (const demo of demos) {
  main.append(section(demo).node);
  toc.append(el('li', {}, el('a', { href: `#${demo.id}` }, demo.title)));
}
ready();
document.body.dataset.ready = 'true';
