// The hand-written baselines the pool is measured against: a module worker that echoes a
// message (the raw postMessage round trip), calls the same wasm export a pool worker calls, or
// passes a transferred buffer through the same wasm module (the raw copies into and out of wasm
// memory).
let glue = null;

self.onmessage = async ({ data }) => {
  if (data.kind === 'ping') {
    self.postMessage(data);
  } else if (data.kind === 'call') {
    const out = glue.__weft_fn_tiny(data.input);
    self.postMessage({ kind: 'call', out }, [out.buffer]);
  } else if (data.kind === 'init') {
    glue = await import(data.glueUrl);
    await glue.default({ module_or_path: data.module });
    self.postMessage({ kind: 'ready' });
  } else if (data.kind === 'bytes') {
    const out = glue.benchEchoRaw(data.bytes);
    self.postMessage({ kind: 'bytes', bytes: out }, [out.buffer]);
  }
};
