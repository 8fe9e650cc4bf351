"""Writing files so that a reader never sees half of one, and a failure leaves the old ones.

- :func:`replacing`, :func:`write_text`, :func:`write_bytes`: one file, written beside its
  target under a dot name (``.<pid>-xxxxxxxx.pdf.part``), then renamed over it.
- :class:`Staging`: every output of a build (files and folders) written in a staging folder
  beside them (``.staging-<pid>-xxxxxxxx/``), then swapped in together, or not at all.
- :func:`remove_stale`: what a killed process left behind, removed by the next build.
- :func:`os_error`: an ``OSError`` (disk full, no right to write…) as one French message.

Temporary names carry the id of the process writing them, so that a build never removes
what another build, still running, is writing.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ReportError

_UMASK = os.umask(0)
os.umask(_UMASK)

STAGING = ".staging-"
_ASIDE = "ancien"        # in a staging folder: the outputs being replaced, until all are swapped
_SEAL = "sceau"          # the output vouching for the others (the build stamp), set aside first
# our own temporary names: « .1234-abcdefgh.pdf.part » (before: « .abcdefgh.pdf.part »), a staging
# folder, and the web edition's folders of an earlier version (« .html-abcdefgh », « .html-ancien »)
_PART = re.compile(r"^\.(?:(\d+)-)?[a-z0-9_]{8}(?:\.\w+)?\.part$")
_STAGED = re.compile(rf"^{re.escape(STAGING)}(\d+)-[a-z0-9_]{{8}}$")
_OLD_WEB = re.compile(r"^\.html-(?:[a-z0-9_]{8}|ancien)$")


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``: renamed over it if the block ends well, removed if not."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{os.getpid()}-", suffix=target.suffix + ".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)      # the mode of a file written plainly, not mkstemp's 0600
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(target: Path, text: str) -> None:
    with replacing(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> Path:
    with replacing(target) as tmp:
        tmp.write_bytes(data)
    return target


class Staging:
    """Outputs written beside their targets under ``root``, then swapped in together or not at all.

    ``path(target)`` gives the place where ``target`` (a file or a folder under ``root``) is to
    be written. ``commit()`` swaps every output written into place; when a rename fails
    halfway, those already swapped are put back as they were. Leaving the ``with`` block
    without a commit (an error, Ctrl+C) removes what was written: the targets never changed.

    The last target asked for is the seal (a build's stamp, which says its outputs are up to
    date): it is taken away before the others are swapped and put in place after them, so that
    a process killed during the swap leaves no seal vouching for a mix of old and new.
    """

    def __init__(self, root: Path):
        self.root = root
        self.targets: list[Path] = []
        root.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=root))

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    def path(self, target: Path) -> Path:
        staged = self.folder / target.relative_to(self.root)
        if target not in self.targets:
            self.targets.append(target)
        staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def commit(self) -> None:
        """Swap in every output written; on failure, put back those already swapped, then raise."""
        todo = [t for t in self.targets if _exists(self.folder / t.relative_to(self.root))]
        done: list[tuple[Path, Path | None]] = []     # (target, where its old version waits)
        seal = self.targets[-1] if self.targets and self.targets[-1] in todo else None
        seal_aside = None
        try:
            if seal:
                seal_aside = self._set_aside(seal, _SEAL)
            for target in todo:
                if target == seal:
                    continue
                done.append((target, self._swap(target, _ASIDE)))
            if seal:
                os.replace(self.folder / seal.relative_to(self.root), seal)
                done.append((seal, seal_aside))
                seal = None
        except BaseException:
            for target, aside in reversed(done):
                _put_back(target, aside, self.folder)
            if seal and seal_aside:
                os.replace(seal_aside, seal)
            raise

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _set_aside(self, target: Path, under: str) -> Path | None:
        """Move the current ``target`` into the staging folder; None when there is none."""
        if not _exists(target):
            return None
        aside = self.folder / under / target.relative_to(self.root)
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, aside)
        return aside

    def _swap(self, target: Path, under: str) -> Path | None:
        """Put one staged output in place; returns where the old one waits (None if there was none)."""
        staged = self.folder / target.relative_to(self.root)
        aside = None
        if target.is_file() and not target.is_symlink() and staged.is_file():
            # a file keeps its old version by a hard link and is replaced in one rename:
            # a reader never finds it missing
            aside = self.folder / under / target.relative_to(self.root)
            aside.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(target, aside)
            except OSError:
                aside = None
        moved = aside is None
        if moved:      # a folder (or a file that cannot be linked) is moved aside first
            aside = self._set_aside(target, under)
        try:
            os.replace(staged, target)
        except BaseException:
            if moved and aside is not None:      # this one goes back too, before the others
                os.replace(aside, target)
            raise
        return aside


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _put_back(target: Path, aside: Path | None, folder: Path) -> None:
    """Undo one swap: the new output goes back to the staging folder, the old one returns."""
    if _exists(target):
        trash = Path(tempfile.mkdtemp(prefix="rejet-", dir=folder)) / target.name
        os.replace(target, trash)
    if aside is not None:
        os.replace(aside, target)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True      # someone else's process: leave its files alone
    return True


def remove_stale(out: Path) -> list[Path]:
    """Remove what a killed build left in ``out`` (and its subfolders): only our own temporary names.

    A staging folder interrupted in the middle of its swap still holds old outputs whose target
    is missing: those are put back first. Returns what was removed.
    """
    removed: list[Path] = []
    if not out.is_dir():
        return removed
    for folder in [out, *(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))]:
        for path in folder.iterdir():
            part, staged = _PART.match(path.name), _STAGED.match(path.name)
            if part and path.is_file() and not (part[1] and _alive(int(part[1]))):
                path.unlink(missing_ok=True)
            elif staged and folder == out and path.is_dir() and not _alive(int(staged[1])):
                _restore(path / _ASIDE, out)
                shutil.rmtree(path, ignore_errors=True)
            elif _OLD_WEB.match(path.name) and folder == out and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                continue
            removed.append(path)
    return removed


def _restore(aside: Path, out: Path) -> None:
    """Old outputs set aside by an interrupted swap go back where nothing took their place."""
    if not aside.is_dir():
        return
    for path in sorted(aside.rglob("*")):
        target = out / path.relative_to(aside)
        if not _exists(target) and (path.is_file() or path.parent == aside):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)


# --- errors of the system -----------------------------------------------------------------------
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_DENIED = {errno.EACCES, errno.EPERM}


def os_error(exc: OSError, fallback: Path | None = None, outputs_kept: bool = False) -> ReportError:
    """One French message for an ``OSError``: the path at fault and what to do.

    ``outputs_kept``: said by a build, whose previous outputs are left as they were.
    """
    kept = " ; les fichiers déjà construits n'ont pas été modifiés" if outputs_kept else ""
    name = exc.filename if exc.filename is not None else fallback
    path = Path(os.fsdecode(name)) if name is not None else None
    if path is not None:   # a file in a staging folder: the folder being built is what the user knows
        staged = next((p for p in (path, *path.parents) if p.name.startswith(STAGING)), None)
        path = staged.parent if staged else path
    if exc.errno in _FULL:
        return ReportError("disque plein : l'écriture n'a pas pu aller au bout", path,
                           hint="libérez de la place sur ce disque, puis relancez" + kept)
    if exc.errno == errno.EROFS:
        return ReportError("écriture impossible : ce disque est en lecture seule", path,
                           hint="construisez depuis une copie du projet sur un disque accessible en écriture" + kept)
    if exc.errno in _DENIED:
        return ReportError("accès refusé : ce fichier ou ce dossier ne peut pas être lu ou écrit", path,
                           hint="donnez-vous les droits d'écriture sur build/ (ou supprimez build/, il sera "
                                "recréé), puis relancez" + kept)
    reason = exc.strerror or str(exc) or exc.__class__.__name__
    return ReportError(f"erreur du système de fichiers : {reason}", path,
                       hint="vérifiez ce fichier ou ce dossier (droits, place, disque branché), puis relancez" + kept)
