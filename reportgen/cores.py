"""Cores lent between the editions of « build -j N ».

Each edition is built in a process of its own, on one core: no pool inside it. When an edition
is done and no other waits to start, its process has nothing left to do: its core is lent
(:class:`Lender`, in the command's process) to the editions still running. Their layout pool
and the web edition made beside the PDF take the cores lent while they need them
(:func:`borrowed`), and give them back at once; a build outside « -j » borrows nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

_spare = None       # the semaphore of cores lent, inherited by the editions' forked processes


def lend_into(semaphore) -> None:
    """Before the editions' processes are forked: where they find the cores lent."""
    global _spare
    _spare = semaphore


@contextmanager
def borrowed(wanted: int) -> Iterator[int]:
    """Up to ``wanted`` cores lent, taken without waiting; their number; given back after the block."""
    got = 0
    while _spare is not None and got < wanted and _spare.acquire(block=False):
        got += 1
    try:
        yield got
    finally:
        for _ in range(got):
            _spare.release()


class Lender:
    """In the command's process: ``done()`` each time an edition ends. While editions wait to
    start, the process freed takes the next one; once none waits, its core is lent."""

    def __init__(self, semaphore, editions: int, processes: int):
        self.semaphore = semaphore
        self.waiting = max(0, editions - processes)

    def done(self, _future=None) -> None:
        if self.waiting:
            self.waiting -= 1
        else:
            self.semaphore.release()
