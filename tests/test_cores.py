"""Cores lent between the editions of « build -j »: an edition done, when none waits to start,
lends its core; the editions still running borrow it for their layout pool and their web edition."""
from __future__ import annotations

import multiprocessing
import os

import pytest

from reportgen import cores
from reportgen.builder import Builder
from reportgen.render import web


@pytest.fixture
def lending():
    semaphore = multiprocessing.get_context("fork").Semaphore(0)
    cores.lend_into(semaphore)
    yield semaphore
    cores.lend_into(None)


def test_nothing_is_borrowed_outside_build_j():
    with cores.borrowed(4) as got:
        assert got == 0


def test_a_core_is_lent_only_once_no_edition_waits_and_given_back_after_use(lending):
    lender = cores.Lender(lending, editions=4, processes=2)
    lender.done()
    lender.done()            # two editions done: the two waiting take their processes
    with cores.borrowed(2) as got:
        assert got == 0
    lender.done()            # none waits now: each edition done lends its core
    lender.done()
    with cores.borrowed(3) as got:
        assert got == 2
        with cores.borrowed(1) as again:
            assert again == 0          # taken until the block ends
    with cores.borrowed(1) as got:
        assert got == 1                # given back


def test_an_edition_on_one_core_makes_its_web_edition_beside_with_a_core_lent(project, monkeypatch, lending,
                                                                              tmp_path):
    made_by = tmp_path / "pids"
    real = web.write_edition

    def spy(*args, **kwargs):
        with made_by.open("a") as record:
            record.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(web, "write_edition", spy)
    Builder(project, "demo/2020", workers=1).run()
    assert [int(pid) for pid in made_by.read_text().split()] == [os.getpid()]    # nothing lent: here
    made_by.unlink()
    cores.Lender(lending, editions=1, processes=1).done()       # another edition done: its core lent
    Builder(project, "finances/2020", workers=1).run()
    assert [int(pid) for pid in made_by.read_text().split()] != [os.getpid()]    # beside, on the core lent
    with cores.borrowed(2) as got:
        assert got == 1                                          # and given back
