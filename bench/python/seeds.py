"""The seeds' programs on CPython asyncio, for benchmark N8.

`python3 seeds.py <program>` runs one program once and prints the seconds it took (the time of
`asyncio.run(...)`, start-up of the interpreter excluded). weft-bench runs it once per round,
interleaved with weft's twin of the same program.
"""
import asyncio
import sys
import time

N_TASKS = 10_000
N_ITEMS = 100_000
WORKERS = 5


async def work(i: int) -> int:
    await asyncio.sleep(0)
    return i


async def gather_10k() -> None:
    results = await asyncio.gather(*(work(i) for i in range(N_TASKS)))
    assert len(results) == N_TASKS


async def semaphore_10k() -> None:
    semaphore = asyncio.Semaphore(10)

    async def limited(i: int) -> int:
        async with semaphore:
            return await work(i)

    results = await asyncio.gather(*(limited(i) for i in range(N_TASKS)))
    assert len(results) == N_TASKS


async def queue_100k() -> None:
    # The seeds' run_pipeline: a bounded queue, one producer, five consumers, task_done/join.
    queue: asyncio.Queue = asyncio.Queue(maxsize=100)
    done = 0

    async def producer() -> None:
        for item in range(N_ITEMS):
            await queue.put(item)

    async def consumer() -> None:
        nonlocal done
        while True:
            item = await queue.get()
            if item is None:
                queue.task_done()
                break
            done += 1
            queue.task_done()

    producer_task = asyncio.create_task(producer())
    consumers = [asyncio.create_task(consumer()) for _ in range(WORKERS)]
    await producer_task
    await queue.join()
    for _ in range(WORKERS):
        await queue.put(None)
    await asyncio.gather(*consumers)
    assert done == N_ITEMS


async def taskgroup_10k() -> None:
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(work(i)) for i in range(N_TASKS)]
    assert sum(t.result() for t in tasks) == N_TASKS * (N_TASKS - 1) // 2


PROGRAMS = {
    "gather": gather_10k,
    "semaphore": semaphore_10k,
    "queue": queue_100k,
    "taskgroup": taskgroup_10k,
}

if __name__ == "__main__":
    program = PROGRAMS[sys.argv[1]]
    start = time.perf_counter()
    asyncio.run(program())
    print(time.perf_counter() - start)
