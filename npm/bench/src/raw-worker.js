// The anchor of the 64 MB round trip: a hand-written worker that moves the buffer straight back.
self.onmessage = ({ data }) => self.postMessage(data, [data]);
