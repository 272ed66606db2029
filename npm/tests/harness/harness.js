// Loads the built package as a browser app would and hands it to the tests (page.evaluate).
import * as weft from '../weft/index.js';

window.weft = weft;
document.querySelector('#status').textContent = 'ready';
