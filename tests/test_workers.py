"""The extraction worker pool: results in order, a time limit per item, a dead worker replaced,
an exception in the work raised to the caller, and the pool usable again after each."""

from __future__ import annotations

import os
import time

import pytest

from flows.workers import WorkerPool


def _work(item: tuple[str, int]) -> tuple[int, int]:
    kind, n = item
    if kind == "sleep":
        time.sleep(60)
    if kind == "die":
        os._exit(3)
    if kind == "raise":
        raise ValueError(f"bad item {n}")
    return n, os.getpid()


def _failed(item: tuple[str, int], reason: str) -> tuple[int, str]:
    return item[1], reason


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(2) as p:
        p.start()
        yield p


def test_results_come_back_in_input_order_from_both_workers(pool: WorkerPool) -> None:
    results = pool.map(_work, [("ok", n) for n in range(40)], timeout=30, on_failure=_failed)
    assert [n for n, _ in results] == list(range(40))
    assert len({pid for _, pid in results}) == 2


def test_an_item_over_its_time_limit_is_given_up_and_its_worker_replaced(pool: WorkerPool) -> None:
    started = time.monotonic()
    results = pool.map(_work, [("ok", 0), ("sleep", 1), ("ok", 2), ("ok", 3)], timeout=1.5, on_failure=_failed)
    assert time.monotonic() - started < 20
    assert results[1] == (1, "extraction took longer than 1.5 s")
    assert [r[0] for r in results] == [0, 1, 2, 3] and all(isinstance(r[1], int) for i, r in enumerate(results) if i != 1)
    again = pool.map(_work, [("ok", n) for n in range(6)], timeout=30, on_failure=_failed)
    assert [n for n, _ in again] == list(range(6))


def test_a_worker_that_dies_fails_only_its_item(pool: WorkerPool) -> None:
    results = pool.map(_work, [("ok", 0), ("die", 1), ("ok", 2)], timeout=30, on_failure=_failed)
    assert results[1] == (1, "the extraction worker died")
    assert results[0][0] == 0 and results[2][0] == 2
    assert len(pool.map(_work, [("ok", n) for n in range(4)], timeout=30, on_failure=_failed)) == 4


def test_an_exception_in_the_work_is_raised_after_the_other_items(pool: WorkerPool) -> None:
    with pytest.raises(ValueError, match="bad item 1"):
        pool.map(_work, [("ok", 0), ("raise", 1), ("ok", 2), ("ok", 3)], timeout=30, on_failure=_failed)
    # nothing of that map is left in the pipes: the next map gets its own answers
    assert [n for n, _ in pool.map(_work, [("ok", 7), ("ok", 8)], timeout=30, on_failure=_failed)] == [7, 8]


def test_an_item_that_cannot_be_sent_leaves_the_pool_whole(pool: WorkerPool) -> None:
    with pytest.raises(Exception):
        pool.map(_work, [("ok", 0), ("ok", 1), lambda: None], timeout=30, on_failure=_failed)  # type: ignore[list-item]
    assert [n for n, _ in pool.map(_work, [("ok", n) for n in range(4)], timeout=30, on_failure=_failed)] == [0, 1, 2, 3]
    assert len(pool.pids()) == 2
