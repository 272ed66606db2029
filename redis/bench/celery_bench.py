"""The Celery side of benchmarks D1 and D2: the app, its tasks, and a driver.

Celery 5 with Redis as broker and result backend, on the same redis-server as weft-redis.
The URL comes from CELERY_BENCH_URL. Workers are started by the Rust bench
(redis/benches/distributed.rs) as:

    celery -A celery_bench worker -Q <queue> -c 1 -P solo ...

The driver (`python celery_bench.py serve`) reads one command per line on stdin and answers
one line on stdout, so the interpreter and Celery are started before anything is timed:

    d1 <queue> <n>              submit n tiny jobs, wait for every result: prints seconds
    d2 <queue> <n> <limit>      submit n count_primes(limit) jobs, wait: prints seconds
    calibrate <seconds>         the limit for which count_primes takes about that long here
    ping <queue>                one tiny job round trip (the workers are up): prints "ok"
"""

import os
import sys
import time

from celery import Celery, group

URL = os.environ.get("CELERY_BENCH_URL", "redis://127.0.0.1:6379/1")

app = Celery("celery_bench", broker=URL, backend=URL)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="increment")
def increment(x):
    return x + 1


@app.task(name="count_primes")
def count_primes(limit):
    """The same trial division as weft_redis::demo::count_primes."""
    count = 0
    for n in range(2, limit):
        if n < 4:
            count += 1
            continue
        if n % 2 == 0:
            continue
        d = 3
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 2
        if prime:
            count += 1
    return count


def run_group(signatures, queue):
    start = time.perf_counter()
    result = group(signatures).apply_async(queue=queue)
    result.get(timeout=3600)
    return time.perf_counter() - start


def calibrate(seconds):
    limit = 20_000
    for _ in range(4):
        start = time.perf_counter()
        count_primes(limit)
        took = time.perf_counter() - start
        # The cost grows a little faster than linearly.
        limit = max(1_000, int(limit * (seconds / took) ** 0.7))
    return limit


def serve():
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command = words[0]
        if command == "d1":
            queue, n = words[1], int(words[2])
            answer = run_group([increment.s(i) for i in range(n)], queue)
        elif command == "d2":
            queue, n, limit = words[1], int(words[2]), int(words[3])
            answer = run_group([count_primes.s(limit) for _ in range(n)], queue)
        elif command == "calibrate":
            answer = calibrate(float(words[1]))
        elif command == "ping":
            increment.apply_async((1,), queue=words[1]).get(timeout=120)
            answer = "ok"
        else:
            answer = f"error: unknown command {command}"
        print(answer, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve()
    else:
        sys.exit(__doc__)
