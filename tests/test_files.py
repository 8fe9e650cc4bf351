"""reportgen.files: a file is written beside its target and renamed over it, or not at all.

Faults are injected where a real one would strike: an exception in the middle of writing (a
full disk, Ctrl+C), a rename that fails. Each time the old file must be byte-identical, its
inode the same, and nothing left beside it; a file written well has the mode of a file
written plainly (0o666 less the umask), not the 0600 of a temporary file.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.errors import ReportError
from reportgen.files import replacing, write_bytes, write_text

UMASK = os.umask(0)
os.umask(UMASK)
PLAIN_MODE = 0o666 & ~UMASK          # what open(…, "w") gives a new file

EXAMPLES = settings(max_examples=60, deadline=None, database=None)   # nothing written in the project

contents = st.binary(max_size=4096)
# what stops a write halfway: a full disk, a bug, Ctrl+C
faults = st.sampled_from([OSError(errno.ENOSPC, "disque plein"), ValueError("bogue"), KeyboardInterrupt()])


@contextmanager
def folder():
    """A fresh folder per generated case (Hypothesis runs many cases in one test)."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def snapshot(path: Path):
    """(bytes, inode) of ``path``, or None where there is no file."""
    if not path.exists():
        return None
    return path.read_bytes(), path.stat().st_ino


def names(path: Path) -> list[str]:
    return sorted(os.listdir(path))


@contextmanager
def renames(check=None, fail: OSError | None = None):
    """Watch the renames done in the block (``os.replace``, ``os.rename`` and the Path methods using them).

    ``check(src, dst)`` runs before each one; ``fail`` makes each one raise instead. Yields the
    list of (src, dst) renamed.
    """
    done: list[tuple[Path, Path]] = []
    real = {"replace": os.replace, "rename": os.rename}

    def watching(name):
        def rename(src, dst, *args, **kwargs):
            if check:
                check(Path(src), Path(dst))
            if fail:
                raise fail
            real[name](src, dst, *args, **kwargs)
            done.append((Path(src), Path(dst)))
        return rename

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", watching("replace"))
        patch.setattr(os, "rename", watching("rename"))
        yield done


# --- a failure inside the block ---------------------------------------------------------------------
@EXAMPLES
@given(old=st.none() | contents, new=contents.filter(bool), cut=st.floats(0, 1), fault=faults)
def test_a_failure_halfway_leaves_the_old_file_and_nothing_beside_it(old, new, cut, fault):
    with folder() as where:
        target = where / "rapport.pdf"
        if old is not None:
            target.write_bytes(old)
        before = snapshot(target)
        with pytest.raises(type(fault)):
            with replacing(target) as tmp:
                assert tmp.parent == target.parent and tmp.name != target.name   # beside, not over
                with open(tmp, "wb") as out:
                    out.write(new[:round(cut * len(new))])
                    out.flush()
                    assert snapshot(target) == before      # the target is not written in place
                    raise fault
        assert snapshot(target) == before
        assert names(where) == ([target.name] if old is not None else [])


# --- a failing rename -------------------------------------------------------------------------------
def _replacing(target: Path, data: bytes) -> None:
    with replacing(target) as tmp:
        tmp.write_bytes(data)


WRITERS = {
    "replacing": _replacing,
    "write_bytes": write_bytes,
    "write_text": lambda target, data: write_text(target, data.decode("latin-1")),
}


@EXAMPLES
@given(old=st.none() | contents, new=contents, writer=st.sampled_from(sorted(WRITERS)),
       error=st.sampled_from([errno.ENOSPC, errno.EACCES, errno.EXDEV]))
def test_a_failing_rename_leaves_the_old_file_and_nothing_beside_it(old, new, writer, error):
    with folder() as where:
        target = where / "tableaux.xlsx"
        if old is not None:
            target.write_bytes(old)
        before = snapshot(target)
        with renames(fail=OSError(error, os.strerror(error))):
            with pytest.raises((OSError, ReportError)):
                WRITERS[writer](target, new)
        assert snapshot(target) == before
        assert names(where) == ([target.name] if old is not None else [])


# --- a write that goes well -------------------------------------------------------------------------
@EXAMPLES
@given(old=st.none() | contents, new=contents, writer=st.sampled_from(sorted(WRITERS)))
def test_the_new_file_is_renamed_over_the_old_one_with_a_plain_mode(old, new, writer):
    with folder() as where:
        target = where / "sous-dossier" / "page.html"      # the folder is made if need be
        if old is not None:
            target.parent.mkdir()
            target.write_bytes(old)
        before = snapshot(target)

        def untouched_until_renamed(src: Path, dst: Path) -> None:
            if dst == target:
                assert src.parent == target.parent and src != target
                assert snapshot(target) == before        # nobody saw a half-written target

        with renames(untouched_until_renamed) as done:
            WRITERS[writer](target, new)
        expected = new.decode("latin-1").encode("utf-8") if writer == "write_text" else new
        assert target.read_bytes() == expected
        assert [dst for _, dst in done] == [target]
        if before is not None:
            assert target.stat().st_ino != before[1]     # a new file in place, not the old one rewritten
        assert stat.S_IMODE(target.stat().st_mode) == PLAIN_MODE
        assert names(target.parent) == [target.name]


def test_the_target_is_untouched_until_the_block_ends(tmp_path):
    target = tmp_path / "rapport.pdf"
    target.write_bytes(b"ancien")
    before = snapshot(target)
    with replacing(target) as tmp:
        tmp.write_bytes(b"nouveau")
        assert snapshot(target) == before
        assert tmp.is_file() and tmp.parent == tmp_path
    assert target.read_bytes() == b"nouveau"
    assert names(tmp_path) == ["rapport.pdf"]


def test_a_written_file_is_readable_as_a_plain_one_not_0600(tmp_path):
    plain = tmp_path / "simple.txt"
    plain.write_text("x")
    for name, write in (("a.pdf", lambda p: write_bytes(p, b"x")), ("b.html", lambda p: write_text(p, "x")),
                        ("c.svg", lambda p: _replacing(p, b"x"))):
        write(tmp_path / name)
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == stat.S_IMODE(plain.stat().st_mode), name
