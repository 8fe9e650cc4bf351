"""Editions built on a Dask cluster, one task each (``reportgen build --cluster``).

A worker gets its edition in one of two ways:

- shipped (the default): the client packs the edition's inputs in a tar — its content and data
  folders, the caisse's theme and other files, the previous edition's manifest and data (for
  the restated figures), the archive of source maps — and the project's layouts go once to
  every worker. The worker builds in a scratch project of its own and sends the outputs back;
  the client swaps them in with :class:`~reportgen.files.Staging`, as a local build does: all
  of them or none, the build stamp last.
- shared folder: the workers see the project on a shared disk, at the path given; each builds
  there, and the builder's own staging swaps the outputs in.

Inside a worker, a build uses one core (``workers=1``, as ``build -j`` does): the cluster's
workers are the parallelism, never a pool in a pool. A worker process builds one edition at a
time (a lock), since neither matplotlib nor WeasyPrint is thread-safe. A worker that dies has
its task run again by the scheduler on another worker (up to the scheduler's
``allowed-failures``); an edition that fails is reported with its French message and the
others go on. An edition whose last build is up to date is not sent at all. The PDF is the one a
build on the client gives, byte for byte (see :func:`_images_named_as_on` for the photos).

Dask is imported here only, by :func:`build_on_cluster` and on the workers.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import __version__
from ..builder import STAMP, output_path
from ..errors import ConfigError, ReportError, set_display_root
from ..files import STAGING, Staging, os_error, remove_stale
from ..french import format_number
from ..project import MANIFEST, PROJECT_FILE, Project

CACHES = ("pieces", "pieces-final")     # the piece caches stay on the worker's scratch disk
CHARTS = "charts"                       # content-addressed SVG files: added to, never swapped
ARCHIVE = "sources"                     # the archive of source maps (reportgen.pdf.sourcemap.ARCHIVE)
ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://[^\s/]+")
CONNECT_SECONDS = 30                    # for a scheduler to show its first worker
HINT_WORKERS = "lancez sur chaque machine « dask worker {address} --nthreads 1 »"


@dataclass
class Outcome:
    """What became of one edition."""

    edition: str
    ok: bool
    message: str = ""         # the French error, when not ok
    pages: int = 0
    seconds: float = 0.0      # the build, on its worker
    cpu: float = 0.0          # CPU seconds of the worker process during the build
    worker: str = ""
    warnings: list[str] = field(default_factory=list)
    reused: bool = False      # up to date: not sent to the cluster
    retried: int = 0          # times a worker died under this edition's task
    sent: int = 0             # bytes of inputs sent, outputs received
    received: int = 0
    pdf: Path | None = None

    @property
    def state(self) -> str:
        if not self.ok:
            return "erreur"
        if self.reused:
            return "à jour"
        return "construite" + (f" (reprise {self.retried} fois : travailleur arrêté)" if self.retried else "")


@dataclass
class Report:
    """A whole run: each edition's outcome, in the order asked, and the cluster's times."""

    outcomes: list[Outcome]
    address: str
    workers: int
    startup: float            # seconds to start or reach the cluster
    wall: float               # seconds from the first task sent to the last output written

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


# --- on the client --------------------------------------------------------------------------------
def build_on_cluster(project: Project, names: list[str], address: str, *, shared: str | None = None,
                     workers: int | None = None, options: dict | None = None,
                     on_done: Callable[[Outcome, int, int], None] | None = None,
                     quiet: bool = True) -> Report:
    """Build ``names`` on the cluster at ``address`` (``local``: a LocalCluster of ``workers``
    processes, one per core by default) and swap their outputs in; ``on_done(outcome, done, total)``
    after each edition. ``options``: the builder's (strict, draft, proof, archive)."""
    options = dict(options or {})
    if address != "local" and not ADDRESS.fullmatch(address):
        raise ConfigError(f"--cluster « {address} » : écrivez local, ou l'adresse d'un ordonnanceur Dask, "
                          "par exemple tcp://serveur:8786")
    if address != "local" and workers:
        raise ConfigError("-j ne règle que --cluster local : le nombre de travailleurs d'un ordonnanceur se "
                          "règle en les lançant", hint=HINT_WORKERS.format(address=address))
    for name in names:            # an unknown edition is said before a cluster starts
        project.edition(name)
    distributed = _dask(quiet)
    started = time.perf_counter()
    cluster, client = _connect(distributed, address, workers, quiet)
    try:
        count = len(client.scheduler_info()["workers"])
        startup = time.perf_counter() - started
        started = time.perf_counter()
        outcomes = _run(distributed, client, project, names, shared, options, on_done)
        wall = time.perf_counter() - started
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return Report([outcomes[name] for name in names], "local" if cluster else address, count,
                  round(startup, 2), round(wall, 2))


def _dask(quiet: bool):
    if quiet:    # the workers LocalCluster starts inherit it: no log lines in English
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    try:
        import distributed
    except ImportError:
        raise ConfigError("--cluster demande Dask, qui n'est pas installé",
                          hint="installez-le avec : pip install 'reportgen[cluster]'") from None
    if quiet:
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
    return distributed


def _connect(distributed, address: str, workers: int | None, quiet: bool):
    """(the LocalCluster started, or None; a client with at least one worker)."""
    cluster = None
    try:
        if address == "local":
            cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                               processes=True, dashboard_address=None,
                                               silence_logs=logging.CRITICAL if quiet else logging.WARNING)
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(address)     # distributed.comm.timeouts.connect: 30 s
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        if address == "local":
            raise ReportError(f"la grappe locale n'a pas démarré : {exc}",
                              hint="vérifiez la place sur le disque et la mémoire, ou construisez avec -j") from None
        raise ReportError(f"impossible de joindre l'ordonnanceur Dask {address}",
                          hint="vérifiez qu'il tourne (« dask scheduler » sur cette machine-là) et que son port "
                               "est ouvert, ou construisez sur cette machine avec --cluster local") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError):
        client.close()
        if cluster is not None:
            cluster.close()
        raise ReportError(f"l'ordonnanceur {address} n'a aucun travailleur",
                          hint=HINT_WORKERS.format(address=address)) from None
    return cluster, client


def _run(distributed, client, project: Project, names: list[str], shared: str | None, options: dict,
         on_done) -> dict[str, Outcome]:
    from ..builder import longest_first

    outcomes: dict[str, Outcome] = {}
    total = len(names)

    def done(outcome: Outcome) -> None:
        outcomes[outcome.edition] = outcome
        if on_done:
            on_done(outcome, len(outcomes), total)

    layouts = None
    if not shared and project.layouts.is_dir():
        # sent once, not with each edition: a task's result, which the workers fetch from each
        # other, and which the scheduler computes again if the worker holding it dies (scattered
        # data would be lost with it)
        layouts = client.submit(_as_is, _pack_layouts(project.layouts), pure=False,
                                key=f"reportgen-layouts-{uuid.uuid4().hex[:8]}")
    futures = {}
    order = longest_first(project, names)
    try:
        for rank, name in enumerate(order):
            current, stamp_inputs = _up_to_date(project, name, options)
            if current is not None:
                done(Outcome(name, True, pages=current.pages, warnings=[str(w) for w in current.warnings],
                             reused=True, pdf=current.pdf))
                continue
            inputs = None if shared else _pack_inputs(project, name)
            key = f"reportgen-{project.edition(name).slug}-{uuid.uuid4().hex[:8]}"
            future = client.submit(build_task, name, inputs, layouts, shared, options, __version__,
                                   str(project.root), key=key, priority=total - rank, pure=False)
            futures[future] = (name, stamp_inputs, len(inputs or b""))
        for future in distributed.as_completed(list(futures)):
            name, stamp_inputs, sent = futures.pop(future)
            done(_collect(distributed, client, project, name, future, stamp_inputs, sent, options))
            future.release()
    except BaseException:
        client.cancel(list(futures))      # Ctrl+C, a lost scheduler: nothing more is built or written
        raise
    return outcomes


def _collect(distributed, client, project: Project, name: str, future, stamp_inputs: str, sent: int,
             options: dict) -> Outcome:
    """The task's result, its outputs swapped in; a dead worker or a lost scheduler as a French message."""
    retried = _retries(client, future.key)
    try:
        result = future.result()
    except distributed.KilledWorker:
        return Outcome(name, False, f"Erreur : {name} : le travailleur qui la construisait s'est arrêté à chaque "
                                    f"essai ({retried or 'plusieurs'} fois) — mémoire insuffisante ? Relancez-la "
                                    "seule, ou donnez plus de mémoire aux travailleurs", retried=retried, sent=sent)
    except (distributed.client.FutureCancelledError, OSError, TimeoutError) as exc:
        return Outcome(name, False, f"Erreur : {name} : la tâche a été perdue ({exc.__class__.__name__}) ; "
                                    "vérifiez l'ordonnanceur et relancez", retried=retried, sent=sent)
    outcome = Outcome(name, result["ok"], result["message"], result["pages"], result["seconds"], result["cpu"],
                      result["worker"], result["warnings"], retried=retried, sent=sent,
                      received=len(result["outputs"] or b""))
    paths = project.edition(name)
    if outcome.ok:
        outcome.pdf = output_path(paths.pdf, draft=bool(options.get("draft")), proof=bool(options.get("proof")))
        if result["outputs"] is not None:
            try:
                install(project, name, result["outputs"], stamp_inputs, options)
            except ReportError as exc:
                outcome.ok, outcome.message = False, f"Erreur : {exc}"
    return outcome


def _retries(client, key: str) -> int:
    """How many times a worker died under the task (the scheduler's count); 0 when unknown."""
    def suspicious(dask_scheduler, key=key):
        task = dask_scheduler.tasks.get(key)
        return task.suspicious if task is not None else 0

    try:
        return int(client.run_on_scheduler(suspicious))
    except Exception:      # noqa: BLE001 - a count for the summary, never a reason to fail
        return 0


def _up_to_date(project: Project, name: str, options: dict):
    """(the last build's result if nothing it read has changed, else None; the inputs' fingerprint).

    The fingerprint is taken before the inputs are packed: written in the stamp of the outputs
    received, it lets a later build on this machine reuse them, and never vouches for inputs
    that changed while the cluster worked.
    """
    from ..builder import Builder

    return Builder(project, name, **options).up_to_date()


def _as_is(blob: bytes) -> bytes:
    return blob


def _pack_layouts(folder: Path) -> bytes:
    folder = folder.resolve()
    return _tar([(path, Path("layouts") / path.relative_to(folder)) for path in _files(folder)])


def _pack_inputs(project: Project, name: str) -> bytes:
    """What a build of ``name`` reads, but the layouts: as a tar of paths relative to the project."""
    paths = project.edition(name)
    years = {p.parent.name for p in (project.content / paths.caisse).glob(f"*/{MANIFEST}")}
    from ..workflows.yearly import previous_edition

    before = previous_edition(project, paths.caisse, int(paths.year)) if paths.year.isdigit() else None
    previous = before.split("/")[1] if before else None
    files: list[Path] = []
    marker = project.root / PROJECT_FILE
    if marker.is_file():
        files.append(marker)
    for top in (project.content / paths.caisse, project.data / paths.caisse):
        for path in _files(top):
            year = path.relative_to(top).parts[0] if len(path.relative_to(top).parts) > 1 else None
            if year is None or year not in years or year == paths.year:
                files.append(path)      # the caisse's own files (its theme) and this edition's
            elif year == previous and (top == project.data / paths.caisse or path.name == MANIFEST):
                files.append(path)      # the previous edition: its data and its manifest
    files += _files(paths.out / ARCHIVE)
    return _tar([(path, path.relative_to(project.root)) for path in files])


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
        if folder.is_dir() else []


def _tar(members: list[tuple[Path, Path]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1, dereference=True) as tar:
        for path, arcname in members:
            tar.add(path, arcname=arcname.as_posix(), recursive=False)
    return buffer.getvalue()


def install(project: Project, name: str, outputs: bytes, stamp_inputs: str, options: dict) -> None:
    """The outputs received from a worker, swapped in together as a local build's (all or none).

    The charts (files named by their content) are added to ``charts/``; every other output is
    staged, then swapped in; the build stamp, given this machine's fingerprint of the inputs
    sent, goes in last.
    """
    out = project.edition(name).out
    stamp = output_path(out / STAMP, draft=bool(options.get("draft")), proof=bool(options.get("proof"))).name
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_stale(out)
        with Staging(out) as staging, tarfile.open(fileobj=io.BytesIO(outputs), mode="r:gz") as tar:
            tar.extractall(staging.folder, filter="data")
            entries = sorted(p.name for p in staging.folder.iterdir())
            for svg in _files(staging.folder / CHARTS):
                target = out / CHARTS / svg.relative_to(staging.folder / CHARTS)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(svg, target)
            for entry in entries:
                if entry not in (CHARTS, stamp):
                    staging.path(out / entry)
            if (staging.folder / stamp).is_file():
                sealed = staging.folder / stamp
                record = json.loads(sealed.read_text(encoding="utf-8"))
                record["inputs"] = stamp_inputs
                sealed.write_text(json.dumps(record), encoding="utf-8")
                staging.path(out / stamp)        # the seal: swapped in last
            staging.commit()
    except OSError as exc:
        raise os_error(exc, out, outputs_kept=True) from None
    except (tarfile.TarError, ValueError) as exc:
        raise ReportError(f"{name} : les fichiers reçus du travailleur sont illisibles ({exc})", out,
                          hint="relancez la construction ; les fichiers déjà construits n'ont pas été modifiés") \
            from None


# --- on a worker ----------------------------------------------------------------------------------
_ONE_AT_A_TIME = threading.Lock()       # matplotlib and WeasyPrint are not thread-safe
_LAYOUTS: dict[str, Path] = {}          # layouts unpacked on this worker, by fingerprint


def build_task(name: str, inputs: bytes | None, layouts: bytes | None, shared: str | None, options: dict,
               version: str, client_root: str) -> dict:
    """One edition, built on a worker with one core: its result, and its outputs as a tar when shipped."""
    where, scratch = _here()
    with _ONE_AT_A_TIME:
        started, cpu = time.perf_counter(), time.process_time()
        result = {"edition": name, "worker": where, "ok": False, "message": "", "pages": 0, "warnings": [],
                  "outputs": None}
        root = None
        try:
            if version != __version__:
                raise ReportError(f"{name} : le travailleur {where} a reportgen {__version__}, cette machine {version}",
                                  hint="installez la même version de reportgen sur les travailleurs")
            if shared:
                project = _shared_project(Path(shared), where)
            else:
                root = Path(tempfile.mkdtemp(prefix="reportgen-", dir=scratch))
                _untar(inputs, root)
                if layouts:
                    (root / "layouts").symlink_to(_unpacked_layouts(layouts, scratch), target_is_directory=True)
                project = Project(root)
            set_display_root(project.root)
            from ..builder import build

            with _images_named_as_on(project.root, client_root):
                built = build(project, name, workers=1, **options)
            result.update(ok=True, pages=built.pages, warnings=[str(w) for w in built.warnings])
            if not shared:
                result["outputs"] = _pack_outputs(project.edition(name).out)
        except ReportError as exc:
            result["message"] = f"Erreur : {exc}"
        except OSError as exc:         # the worker's disk: full, read-only…
            result["message"] = f"Erreur : sur le travailleur {where} : {os_error(exc)}"
        except Exception as exc:       # noqa: BLE001 - one line, as the command line's last resort
            what = " ".join(f"{exc.__class__.__name__} : {exc}".split())
            result["message"] = (f"Erreur inattendue : {name} : {what} — relancez cette édition seule avec "
                                 "--debug pour la trace complète et signalez-la")
        finally:
            if root is not None:
                shutil.rmtree(root, ignore_errors=True)
        result["seconds"] = round(time.perf_counter() - started, 2)
        result["cpu"] = round(time.process_time() - cpu, 2)
        return result


@contextmanager
def _images_named_as_on(root: Path, client_root: str):
    """WeasyPrint names each raster image of the PDF (``/i<md5>``) by the md5 of its absolute
    ``file://`` URL, so that a photo's name says where the project lies. While the edition is
    built here, the URLs under this project are hashed as if they were under ``client_root``,
    the project's folder on the client: the PDF is the one a build there gives, byte for byte."""
    from weasyprint import images
    from weasyprint.urls import path2url

    here, there = path2url(f"{root}/").encode(), path2url(f"{client_root}/").encode()
    hashed = getattr(images, "md5", None)
    if here == there or hashed is not hashlib.md5:
        yield
        return

    def md5(data=b"", **kwargs):
        return hashed(there + data[len(here):] if data.startswith(here) else data, **kwargs)

    images.md5 = md5
    try:
        yield
    finally:
        images.md5 = hashed


def _here() -> tuple[str, Path]:
    """This worker's address, and its scratch folder (Dask removes it with the worker)."""
    try:
        from distributed import get_worker

        worker = get_worker()
        return worker.address, Path(worker.local_directory)
    except (ImportError, ValueError):
        return socket.gethostname(), Path(tempfile.gettempdir())


def _shared_project(root: Path, where: str) -> Project:
    if not (root / PROJECT_FILE).is_file() and not ((root / "content").is_dir() and (root / "layouts").is_dir()):
        raise ConfigError(f"le travailleur {where} ne voit pas de projet reportgen dans le dossier partagé", root,
                          hint="donnez à --shared-folder le chemin du projet tel que les travailleurs le voient")
    return Project(root.resolve())


def _untar(blob: bytes, target: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        tar.extractall(target, filter="data")


def _unpacked_layouts(blob: bytes, scratch: Path) -> Path:
    """The layouts sent, unpacked once per worker."""
    digest = hashlib.sha256(blob).hexdigest()[:16]
    folder = _LAYOUTS.get(digest)
    if folder is None or not folder.is_dir():
        folder = scratch / f"reportgen-layouts-{digest}"
        if not folder.is_dir():
            unpacking = Path(tempfile.mkdtemp(prefix=".layouts-", dir=scratch))
            _untar(blob, unpacking)
            os.replace(unpacking / "layouts", folder)
            shutil.rmtree(unpacking, ignore_errors=True)
        _LAYOUTS[digest] = folder
    return folder


def _pack_outputs(out: Path) -> bytes:
    """What the build wrote under ``build/<edition>/``, but the piece caches and temporary names."""
    members = []
    for entry in sorted(out.iterdir()):
        if entry.name in CACHES or entry.name.startswith((".", STAGING)):
            continue
        inside = [] if entry.is_file() else sorted(entry.rglob("*"))    # empty folders too (donnees/)
        for path in [entry, *inside]:
            members.append((path, path.relative_to(out)))
    return _tar(members)


# --- what the command line prints -----------------------------------------------------------------
def seconds(value: float) -> str:
    """« 4,2 s », « 3 min 05 s »."""
    if value < 60:
        return f"{format_number(value, 1)} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"


def progress_line(outcome: Outcome, done: int, total: int, failed: int) -> str:
    """« [3/20] artois/2017 : construite, 48 pages, 21,4 s sur tcp://… — échecs : 1 »."""
    if outcome.ok and not outcome.reused:
        what = f"{outcome.state}, {outcome.pages} pages, {seconds(outcome.seconds)} sur {outcome.worker}"
    else:
        what = outcome.state
    return f"[{done}/{total}] {outcome.edition} : {what}" + (f" — échecs jusqu'ici : {failed}" if failed else "")


def summary_lines(report: Report) -> list[str]:
    """The table: edition, pages, time, worker, state; then the totals."""
    rows = [("édition", "pages", "temps", "travailleur", "état")]
    for o in report.outcomes:
        rows.append((o.edition, str(o.pages) if o.ok else "", seconds(o.seconds) if o.seconds else "",
                     o.worker, o.state))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.rjust(widths[i]) if i in (1, 2) else cell.ljust(widths[i])
                       for i, cell in enumerate(row)).rstrip() for row in rows]
    built = sum(o.ok and not o.reused for o in report.outcomes)
    current = sum(o.reused for o in report.outcomes)
    where = "la grappe locale" if report.address == "local" else report.address
    lines.append(f"{len(report.outcomes)} édition(s) en {seconds(report.wall)} sur {report.workers} "
                 f"travailleur(s) de {where} : {built} construite(s), {current} à jour, "
                 f"{len(report.failed)} en erreur")
    return lines
