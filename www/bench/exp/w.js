self.onmessage = ({ data }) => {
  if (data.t === 'copy') self.postMessage({ t: 'c', d: new Uint8Array([data.d[0] + 1, 2]) });
  else if (data.t === 'xfer') { const out = new Uint8Array([data.d[0] + 1, 2]); self.postMessage({ t: 'x', d: out }, [out.buffer]); }
  else if (data.t === 's') self.postMessage({ t: 's', s: String.fromCharCode(data.s.charCodeAt(0) + 1, 2) });
  else if (data.t === 'a') self.postMessage({ t: 'a', a: [data.a[0] + 1, 2] });
  else if (data.t === 'arr') self.postMessage([1, 'x', [data[2][0] + 1, 2]]);
  else self.postMessage(data);
};
