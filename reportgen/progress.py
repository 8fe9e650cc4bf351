"""Progress display for the CLI: a live line on a terminal, plain lines otherwise.

The stage numbers are the builder's (``3/6 Graphiques (14/22)``).
"""
from __future__ import annotations

import sys
import time

from .builder import STAGES


class PlainProgress:
    """One line per stage, for logs and CI."""

    def __init__(self, edition: str, stream=None):
        self.edition = edition
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()

    def stage(self, number: int, name: str, detail: str = "") -> None:
        elapsed = time.perf_counter() - self.start
        text = f"[{self.edition}] {number}/{len(STAGES)} {name} {detail}".rstrip()
        print(f"{text}  ({elapsed:.1f} s)", file=self.stream, flush=True)

    def step(self, done: int, total: int) -> None:
        pass

    def close(self) -> None:
        pass


class LiveProgress(PlainProgress):
    """A rich status line that shows the current stage and the charts done."""

    def __init__(self, edition: str, console):
        super().__init__(edition)
        self.console = console
        self.status = console.status(f"[{edition}] 1/{len(STAGES)} {STAGES[0]}")
        self.status.start()
        self.current = ""

    def stage(self, number: int, name: str, detail: str = "") -> None:
        elapsed = time.perf_counter() - self.start
        if self.current:
            self.console.print(f"  [green]✓[/] {self.current}  [dim]{elapsed:.1f} s[/]")
        self.current = f"{number}/{len(STAGES)} {name} {detail}".rstrip()
        self.status.update(f"[{self.edition}] {self.current}")

    def step(self, done: int, total: int) -> None:
        self.status.update(f"[{self.edition}] {self.current} ({done}/{total})")

    def close(self) -> None:
        self.status.stop()
        if self.current:
            elapsed = time.perf_counter() - self.start
            self.console.print(f"  [green]✓[/] {self.current}  [dim]{elapsed:.1f} s[/]")


def make_progress(edition: str):
    """A live display on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        from rich.console import Console

        return LiveProgress(edition, Console(stderr=True))
    return PlainProgress(edition)
