// The hand-written baselines the pool is measured against, in a plain module worker: echo a
// message (the raw postMessage round trip), count primes with the same wasm code a pool worker
// runs (the raw CPU speedup), or pass a transferred buffer through the same wasm module (the raw
// copies into and out of wasm memory). Every reply carries the request's id.
let glue = null;

self.onmessage = async ({ data }) => {
  if (data.kind === 'ping') {
    self.postMessage(data);
  } else if (data.kind === 'init') {
    glue = await import(data.glueUrl);
    await glue.default({ module_or_path: data.module });
    self.postMessage({ kind: 'ready' });
  } else if (data.kind === 'primes') {
    const { count } = glue.countPrimesHere(data.limit);
    self.postMessage({ id: data.id, count });
  } else if (data.kind === 'bytes') {
    const out = glue.benchEchoRaw(data.bytes);
    self.postMessage({ id: data.id, bytes: out }, [out.buffer]);
  }
};
