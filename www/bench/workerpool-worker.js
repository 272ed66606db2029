// workerpool's worker for W1/W2: a classic worker registering the same tiny job.
importScripts('../node_modules/workerpool/dist/workerpool.js');
workerpool.worker({ tiny: (x) => x + 1 });
