const w = new Worker(new URL('./raw-worker.js', import.meta.url), { type: 'module' });
let res; w.onmessage = (e) => res(e.data);
const rt = (msg, tr) => new Promise((r) => { res = r; w.postMessage(msg, tr); });
const out = {};
for (const kind of ['ping', 'clone', 'transfer', 'ping2', 'transfer2']) {
  const make = () => {
    if (kind.startsWith('ping')) return [{ kind: 'ping', i: 1 }, []];
    const a = new Uint8Array(5);
    return [{ kind: 'ping', a: [a] }, kind.startsWith('transfer') ? [a.buffer] : []];
  };
  for (let i = 0; i < 200; i++) { const [m, t] = make(); await rt(m, t); }
  const s = performance.now();
  for (let i = 0; i < 2000; i++) { const [m, t] = make(); await rt(m, t); }
  out[kind] = (performance.now() - s) / 2000;
}
document.getElementById('o').textContent = JSON.stringify(out);
