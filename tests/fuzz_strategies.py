"""Hostile input for the fuzz suite (``tests/test_fuzz.py``): a sandbox project and the strategies.

A :class:`Case` replaces, adds or removes a few files of the demo edition ``demo/2020``. The
:class:`Sandbox` writes it into a copy of the fixture project built once, runs the command
line in a forked child (bounded in time and memory, so a hang or a memory bomb is a finding,
not a stuck test), puts every file back and returns what went wrong (:func:`judge`).

Most cases mutate the real files (one cell, one value, one line), so that they are close
to valid; the others are written from scratch. Paths that must never be followed point to
sentinel files outside the project, whose bytes hold :data:`MARK`: finding it under
``build/`` means a file from outside the project reached the output.
"""
from __future__ import annotations

import faulthandler
import os
import pickle
import re
import resource
import select
import shutil
import signal
import struct
import time
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "project"
EDITION = "demo/2020"
CONTENT = "content/demo/2020"
DATA = "data/demo/2020"
MARK = b"RGFUZZ-HORS-PROJET"      # in every sentinel file outside the project

# placeholders, replaced when a case is written (the sandbox's folders are known only then)
OUT = "@OUT@"          # absolute path of a folder outside the project, holding the sentinels
SIB = "@SIB@"          # absolute path of a sibling folder whose name starts with the project's
UP = "@UP@"            # enough « ../ » to reach « / » from anywhere in the project
OUTREL = "@OUTREL@"    # the outside folder's absolute path without its leading « / »

CHECK_SECONDS = 15     # a check takes well under a second: longer is a hang
BUILD_SECONDS = 90     # a full build of demo/2020 takes a few seconds
MEMORY = 3 << 30       # bytes a child may add to the parent's address space


# --- cases ------------------------------------------------------------------------------------
class Dir:
    """A folder where a file is expected."""

    def __repr__(self) -> str:
        return "<dossier>"


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (placeholders allowed)."""

    target: str

    def __repr__(self) -> str:
        return f"<lien vers {self.target}>"


DIR = Dir()


@dataclass(frozen=True)
class Case:
    """Files to write (bytes, :data:`DIR`, a :class:`Link`, or None to delete), relative to the project.

    ``names``: the files an error may name (a name ending with « / » stands for a folder);
    ``expect``: « error » when the input is invalid by construction, « notice » when an error or
    a warning naming the file will do, « maybe » when the case may well be valid.
    """

    what: str
    files: tuple[tuple[str, Any], ...]
    names: tuple[str, ...]
    expect: str = "maybe"

    def __repr__(self) -> str:
        shown = []
        for path, content in self.files:
            if isinstance(content, bytes):
                original = _original(path)
                shown.append(f"{path} = {_diff(original, content) if original is not None else _clip(content)}")
            else:
                shown.append(f"{path} = {content!r}")
        return f"Case({self.what!r}, attendu={self.expect}: " + " ; ".join(shown) + ")"


def _clip(data: bytes, size: int = 300) -> str:
    return repr(data[:size]) + (f"… ({len(data)} octets)" if len(data) > size else "")


def _diff(before: bytes, after: bytes) -> str:
    """The changed middle of a file, for a readable failure report."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    line = before[:start].count(b"\n") + 1
    return (f"ligne {line} : {_clip(before[start:len(before) - end], 120)} → "
            f"{_clip(after[start:len(after) - end])}")


def _original(path: str) -> bytes | None:
    source = FIXTURE / path
    return source.read_bytes() if source.is_file() else None


def original_text(path: str) -> str:
    return (FIXTURE / path).read_text(encoding="utf-8")


CHAPTERS = sorted(f"{CONTENT}/{p.name}" for p in (FIXTURE / CONTENT).glob("*.md"))
TABLES = sorted(f"{DATA}/tables/{p.name}" for p in (FIXTURE / DATA / "tables").glob("*.csv"))
SPECS = [t.removesuffix(".csv") + ".yml" for t in TABLES]
DATA_YAML = [f"{DATA}/{name}" for name in ("kpis/chiffres.yml", "charts/charts.yml", "figures/message.yml",
                                           "lists/conseil.yml", "glossary.yml")]
MANIFEST = f"{CONTENT}/edition.yml"


# --- the sandbox ------------------------------------------------------------------------------
@dataclass
class Run:
    """One command line run in a child: its status, its two outputs, and what escaped."""

    status: int | None          # None: killed (hang, crash)
    stdout: str = ""
    stderr: str = ""
    exception: str = ""         # the traceback of an exception that escaped the command
    seconds: float = 0.0
    killed: str = ""            # « délai dépassé », « signal 11 »…


def _png(text: bytes) -> bytes:
    """A 1×1 PNG carrying ``text`` in a tEXt chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + text) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


SENTINELS = {
    "secret.md": b"---\ntitle: Chapitre hors projet " + MARK + b"\n---\n" + MARK + b"\n",
    "secret.png": _png(MARK),
    "secret.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><!-- ' + MARK
                  + b' --><rect width="10" height="10"/></svg>',
    "secret.css": b"/* " + MARK + b" */ body { color: red }\n",
    "secret.txt": MARK + b"\n",
    "secret.pdf": b"%PDF-1.4\n% " + MARK + b"\n%%EOF\n",
    "secret.csv": b"Libell\xc3\xa9;2020\n" + MARK + b";1\n",
    "secret.yml": b"title: " + MARK + b"\n",
}


class Sandbox:
    """A copy of the built demo project, with sentinel files outside it, and the means to judge a case."""

    def __init__(self, base: Path, built: Path, repo_layouts: Path):
        self.base = base
        self.root = base / "proj"
        shutil.copytree(built, self.root, symlinks=True)
        self.outside = base / "outside"
        self.sibling = base / "proj-evil"       # shares a prefix with the project's folder
        for folder in (self.outside, self.sibling, self.sibling / "content" / "demo" / "2020"):
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in SENTINELS.items():
                (folder / name).write_bytes(data)
        # a layout outside layouts/: the real one, but its document carries the mark
        evil = self.outside / "layouts-evil" / "evil"
        evil.mkdir(parents=True)
        for entry in repo_layouts.joinpath("assurance-maladie").iterdir():
            if entry.name != "document.html":
                (evil / entry.name).symlink_to(entry)
        document = repo_layouts.joinpath("assurance-maladie", "document.html").read_text(encoding="utf-8")
        (evil / "document.html").write_text(document + "\n<!-- " + MARK.decode() + " -->\n", encoding="utf-8")
        self.inputs = _snapshot(self.root, ("content", "data"))
        self.outputs = _snapshot(self.root, ("build",))
        self.judged: dict[str, list[str]] = {}
        self.placeholders = {OUT: str(self.outside), SIB: str(self.sibling), UP: "../" * 24,
                             OUTREL: str(self.outside).lstrip("/")}

    # --- writing a case, and putting everything back ---------------------------------------
    def resolve(self, text: str) -> str:
        for key, value in self.placeholders.items():
            text = text.replace(key, value)
        return text

    def apply(self, case: Case) -> None:
        for rel, content in case.files:
            path = self.root / rel
            _remove(path)
            if content is None:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Dir):
                path.mkdir()
                (path / "dedans.txt").write_text("un dossier à la place du fichier\n")
            elif isinstance(content, Link):
                path.symlink_to(self.resolve(content.target))
            else:
                path.write_bytes(self.resolve(content.decode("utf-8", "surrogateescape"))
                                 .encode("utf-8", "surrogateescape"))

    def restore(self, case: Case) -> list[str]:
        """Put content/ and data/ back; returns the files changed that the case did not write."""
        written = [rel for rel, _ in case.files]
        return [rel for rel in _sync(self.root, ("content", "data"), self.inputs)
                if not any(rel == w or rel.startswith(w + "/") or w.startswith(rel + "/") for w in written)]

    def outputs_changed(self) -> list[str]:
        """What differs under build/ from the good build (and puts it back for the next case)."""
        return _sync(self.root, ("build",), self.outputs)

    def leaks(self) -> list[str]:
        """Files under build/ holding bytes of a file from outside the project."""
        found = []
        for path in sorted((self.root / "build").rglob("*")):
            if path.is_file() and not path.is_symlink():
                try:
                    if MARK in path.read_bytes():
                        found.append(str(path.relative_to(self.root)))
                except OSError:
                    pass
            elif path.is_symlink() and not self.resolve_inside(path):
                found.append(f"{path.relative_to(self.root)} (lien hors du projet)")
        return found

    def resolve_inside(self, path: Path) -> bool:
        target = path.resolve()
        return target == self.root.resolve() or self.root.resolve() in target.parents

    # --- running the command line ------------------------------------------------------------
    def cli(self, args: list[str], seconds: float) -> Run:
        kind, value, elapsed = run_forked(_invoke, (str(self.root), args), seconds)
        if kind == "ok":
            code, out, err, escaped = value
            return Run(code, out, err, escaped, elapsed)
        if kind == "raised":
            return Run(None, exception=value, seconds=elapsed, killed="exception hors de la commande")
        return Run(None, seconds=elapsed, killed=kind)


def _snapshot(root: Path, folders: tuple[str, ...]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = Link(os.readlink(path))
            elif path.is_dir():
                found[rel] = DIR
            else:
                found[rel] = path.read_bytes()
    return found


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _sync(root: Path, folders: tuple[str, ...], snapshot: dict[str, Any]) -> list[str]:
    """Make the folders equal to the snapshot again; returns what differed."""
    differ = []
    now = _snapshot(root, folders)
    for rel in sorted(set(now) - set(snapshot), key=len, reverse=False):
        if (root / rel).exists() or (root / rel).is_symlink():
            _remove(root / rel)
        differ.append(rel)
    for rel, old in snapshot.items():
        current = now.get(rel)
        if isinstance(old, Dir):
            if not isinstance(current, Dir):
                if current is not None:
                    _remove(root / rel)
                    differ.append(rel)
                (root / rel).mkdir(parents=True, exist_ok=True)
        elif current != old or type(current) is not type(old):
            if current is not None and (root / rel).exists() or (root / rel).is_symlink():
                _remove(root / rel)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(old, Link):
                (root / rel).symlink_to(old.target)
            else:
                (root / rel).write_bytes(old)
            differ.append(rel)
    return sorted(set(differ))


def _invoke(root: str, args: list[str]) -> tuple[int, str, str, str]:
    """In the child: the command line, as a user runs it, without a terminal."""
    from click.testing import CliRunner

    from reportgen.cli import main

    result = CliRunner().invoke(main, args, env={"REPORTGEN_ROOT": root, "REPORTGEN_NO_CACHE": None},
                                catch_exceptions=True)
    exc = result.exception
    escaped = "" if exc is None or isinstance(exc, SystemExit) else "".join(traceback.format_exception(exc))
    return result.exit_code, result.stdout, result.stderr, escaped


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def run_forked(func, args: tuple, seconds: float) -> tuple[str, Any, float]:
    """``func(*args)`` in a forked child with a memory ceiling, killed after ``seconds``.

    Returns (« ok », its value), (« raised », the traceback) or (why it was killed, None), and the time.
    """
    start = time.perf_counter()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:       # the child: never returns into the test runner
        try:
            os.close(read_end)
            faulthandler.disable()        # a crash is reported by its signal, not dumped on the terminal
            limit = _address_space() + MEMORY
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            try:
                payload = pickle.dumps(("ok", func(*args)))
            except BaseException as exc:  # noqa: BLE001 - reported, whatever it is
                payload = pickle.dumps(("raised", "".join(traceback.format_exception(exc))))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    killed = ""
    deadline = start + seconds
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                killed = f"délai dépassé ({seconds:.0f} s)"
                os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([pipe], [], [], left)
            if ready:
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    if killed:
        return killed, None, elapsed
    if os.WIFSIGNALED(status):
        return f"tué par le signal {os.WTERMSIG(status)}", None, elapsed
    try:
        kind, value = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - nothing readable came back
        return "mort sans réponse", None, elapsed
    return kind, value, elapsed


# --- judging one case -------------------------------------------------------------------------
PROGRESS = re.compile(r"^\[demo/2020\] [0-6]/6 ")
CLASS_NAME = re.compile(r"\b(Traceback|[A-Z][A-Za-z]*(Error|Exception|Warning)|errno|Errno)\b")
SUMMARY = re.compile(r"^demo/2020 : \d+ erreur\(s\), \d+ avertissement\(s\)$")
HEADER = re.compile(r"^[\w./@-]+$")


def _names(line: str, names: tuple[str, ...]) -> bool:
    """The message, after « Erreur : », starts with one of the files the case may blame."""
    where = line.split(" : ", 1)[1] if " : " in line else ""
    for name in names:
        if name.endswith("/"):
            if where.startswith(name) and not where.startswith(name.rstrip("/") + ":"):
                return True
        elif where.startswith(name) and where[len(name):len(name) + 1] in (":", " ", ""):
            return True
    return False


def _ran(run: Run, command: str) -> list[str]:
    """What is wrong with how a command ended, whatever the input."""
    if run.killed:
        return [f"{command} : {run.killed} après {run.seconds:.1f} s" + (f"\n{run.exception}" if run.exception else "")]
    # the command's last resort for an exception nobody turned into a message
    unexpected = [line.strip() for line in (run.stdout + run.stderr).splitlines() if "Erreur inattendue" in line]
    if unexpected:
        return [f"{command} : exception non traduite en message : {unexpected[0][:300]}"]
    problems = []
    if run.exception:
        last = run.exception.strip().splitlines()[-1]
        problems.append(f"{command} : trace Python au lieu d'un message ({last})")
    if "Traceback" in run.stdout + run.stderr:
        problems.append(f"{command} : « Traceback » dans la sortie")
    return problems


def judge_check(case: Case, run: Run) -> tuple[bool, list[str]]:
    """``reportgen check``: (accepted, problems)."""
    problems = _ran(run, "check")
    if problems:
        return False, problems
    if run.status not in (0, 1):
        return False, [f"check : code de sortie {run.status}, 0 ou 1 attendu"]
    lines = (run.stdout + run.stderr).splitlines()
    errors = [line.strip() for line in lines if line.strip().startswith("Erreur")]
    notices = [line.strip() for line in lines if line.strip().startswith(("Erreur", "Avertissement"))]
    for line in lines:
        if not (line.startswith(("  Erreur : ", "  Avertissement : ", "Erreur : ")) or SUMMARY.match(line)
                or HEADER.match(line)):
            problems.append(f"check : ligne inattendue (message sur plusieurs lignes ?) : {line[:200]!r}")
            break
    for line in notices:
        if CLASS_NAME.search(line):
            problems.append(f"check : nom d'exception Python dans le message : {line[:300]}")
    if run.status == 0:
        if errors:
            problems.append("check : « Erreur » affichée mais code de sortie 0")
        if case.expect == "error":
            problems.append("check : entrée invalide acceptée (code 0, aucune erreur)")
        elif case.expect == "notice" and not any(_names(n, case.names) for n in notices):
            problems.append(f"check : ni erreur ni avertissement nommant {case.names[0]}")
        return True, problems
    if not errors:
        problems.append("check : code 1 sans ligne « Erreur »")
    elif not any(_names(e, case.names) for e in errors):
        problems.append(f"check : aucune erreur ne nomme {' ou '.join(case.names)} : {errors[0][:300]}")
    return False, problems


def judge_build(case: Case, run: Run) -> list[str]:
    """``reportgen build`` of an invalid input: status 1 and one line naming the file."""
    problems = _ran(run, "build")
    if problems:
        return problems
    if run.status != 1:
        return [f"build : code de sortie {run.status}, 1 attendu pour une entrée invalide"]
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Erreur")]
    if len(errors) != 1:
        problems.append(f"build : {len(errors)} lignes « Erreur » sur la sortie d'erreur, 1 attendue")
    for line in lines:
        if not (PROGRESS.match(line) or line.startswith(("Erreur : ", "Avertissement : "))):
            problems.append(f"build : ligne inattendue (message sur plusieurs lignes ?) : {line[:200]!r}")
            break
    for line in errors:
        if CLASS_NAME.search(line):
            problems.append(f"build : nom d'exception Python dans le message : {line[:300]}")
        if not _names(line, case.names):
            problems.append(f"build : le message ne nomme pas {' ou '.join(case.names)} : {line[:300]}")
    return problems


def judge(sandbox: Sandbox, case: Case) -> list[str]:
    """Write the case, run check (and build if check refuses, or must), put everything back.

    Hypothesis often draws a case it has drawn before: it is judged once.
    """
    key = repr((case, case.names))
    if key not in sandbox.judged:
        sandbox.judged[key] = _judge(sandbox, case)
    return sandbox.judged[key]


def _judge(sandbox: Sandbox, case: Case) -> list[str]:
    problems: list[str] = []
    sandbox.apply(case)
    try:
        checked = sandbox.cli(["check", EDITION], CHECK_SECONDS)
        accepted, found = judge_check(case, checked)
        problems += found
        changed = sandbox.outputs_changed()
        if changed:
            problems.append(f"check a écrit sous build/ : {', '.join(changed[:5])}")
        if checked.killed.startswith("délai"):
            pass        # the build would hang as well: one hang is enough
        elif not accepted or case.expect == "error":
            built = sandbox.cli(["build", EDITION], BUILD_SECONDS)
            problems += judge_build(case, built)
            leaks = sandbox.leaks()
            if leaks:
                problems.append(f"build : fichier d'hors du projet copié dans build/ : {', '.join(leaks[:5])}")
            changed = sandbox.outputs_changed()
            if changed:
                problems.append(f"build : sorties modifiées malgré l'erreur : {', '.join(changed[:8])}"
                                + (f" (+{len(changed) - 8})" if len(changed) > 8 else ""))
    finally:
        touched = sandbox.restore(case)
    if touched:
        problems.append(f"des fichiers d'entrée ont été modifiés : {', '.join(touched[:5])}")
    return problems


# --- strategies: values ----------------------------------------------------------------------
NASTY_TEXT = [
    "", " ", "-", "—", "ns", "/", "NaN", "nan", "inf", "-inf", "Infinity", "1e999", "1e-999", "0x1F",
    "--5", "+-3", "1 2 3", "1,2,3", "1.2.3", "12 %%", "%", "€", "12 € €", "‰", "↑", "↑ ↓", "[^9]", "[^x]",
    "<<", "^^", "=1+1", "=", "==effectifs.cdi.2020", "=population", "=inconnu.x.y", "à renseigner",
    "<script>alert(1)</script>", "<b>gras</b>", "&amp;", "&nbsp;", "{{ 7*7 }}", "{% raw %}", "\\", "'",
    '"', '"""', "\t", "\r", "\u00a0", "\u202f", "\u200b", "\ufeff", "\u2028", "\U0001F600", "e\u0301",
    "٣٤٥", "１２３", "−12", "12,5,5", "12 345 678 901 234 567 890", "9" * 400, "1" + "0" * 4400,
    "-0", "-0,0", "0,0000000001", "1e5", "1E+308", "  12  ", "12-", "(12)", "x" * 3000,
]


def nasty_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=12),
                     st.text(alphabet="0123456789 ,.-+%€‰", max_size=12))


def yaml_values(depth: int = 2) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-10**30, 10**30), st.sampled_from([0, -1, -5, 10**18]),
        st.floats(allow_nan=True, allow_infinity=True), nasty_text(),
    )
    if depth == 0:
        return scalars
    return st.one_of(scalars, st.lists(yaml_values(depth - 1), max_size=3),
                     st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), yaml_values(depth - 1),
                                     max_size=3))


def _dump(value: Any) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=200).encode("utf-8")


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a YAML document: the keys and indexes down to it."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, prefix + (i,))
    return found


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _mutated(doc: Any, place: tuple, op: str, value: Any) -> Any:
    """The document with the node at ``place`` replaced, removed, renamed or duplicated."""
    doc = _copy(doc)
    if not place:
        return value
    parent = doc
    for key in place[:-1]:
        parent = parent[key]
    last = place[-1]
    if op == "replace":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "rename" and isinstance(parent, dict):
        items = [(f"{k}{value}" if k == last else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(last, _copy(parent[last]))
    else:
        parent[last] = value
    return doc


@st.composite
def yaml_mutation(draw, path: str, key_names: tuple[str, ...] = ()) -> Case:
    """One node of a real YAML file replaced by a value of a wrong kind, removed, renamed or doubled.

    A removed or renamed key may break a reference from a chapter: ``key_names`` are then blamed too.
    """
    doc = yaml.safe_load(original_text(path))
    place = draw(st.sampled_from(_paths(doc)))
    op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "duplicate"]))
    if op in ("delete", "rename", "duplicate") and not place:
        op = "replace"
    value = draw(st.sampled_from(["_", "x", " ", "\u00e9", ".", "-2"])) if op == "rename" else draw(yaml_values())
    new = _mutated(doc, place, op, value)
    names = (path,)
    before = doc
    for key in place:
        before = before[key]
    if op in ("delete", "rename") or isinstance(value, (dict, list)) or isinstance(before, (dict, list)):
        names += key_names
    where = ".".join(map(str, place)) or "(document)"
    return Case(f"{path} : {op} {where} ← {value!r}"[:200], ((path, _dump(new)),), names)


@st.composite
def raw_yaml_mutation(draw, path: str, key_names: tuple[str, ...] = ()) -> Case:
    """The bytes of a real YAML file broken: NUL, non-UTF-8, cut, aliases, nesting, tags, huge numbers."""
    data = _original(path)
    assert data is not None
    at = draw(st.integers(0, len(data)))
    line_starts = [0] + [m.end() for m in re.finditer(rb"\n", data)][:-1]
    line = draw(st.sampled_from(line_starts))
    kind = draw(st.sampled_from(["nul", "latin1", "cut", "bomb", "nest", "tag", "digits", "tab", "dupkey",
                                 "anchor", "control"]))
    expect, names = "error", (path,)
    if kind == "nul":
        new = data[:at] + b"\x00" + data[at:]
    elif kind == "latin1":
        new = data[:at] + draw(st.sampled_from([b"\xe9", b"\xff", b"\xc3", b"\x80\x80", b"\xed\xa0\x80"])) + data[at:]
    elif kind == "control":
        new = data[:at] + draw(st.sampled_from([b"\x01", b"\x1b[31m", b"\x7f", b"\x0c"])) + data[at:]
        expect = "maybe"
    elif kind == "cut":
        new = data[:at]
        expect, names = "maybe", (path, *key_names)
    elif kind == "bomb":
        width = draw(st.integers(6, 12))
        levels = draw(st.integers(8, 12))
        rows = ['a0: &a0 ["x"]']
        rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
        new = data + b"\n" + "\n".join(rows).encode() + b"\n"
    elif kind == "nest":
        depth = draw(st.sampled_from([1000, 5000, 20000, 100000]))
        new = data + b"\nprofond: " + b"[" * depth + b"]" * depth + b"\n"
    elif kind == "tag":
        tag = draw(st.sampled_from(["!!python/object/apply:os.system ['true']", "!!python/name:os.system",
                                    "!inconnu x", "!!binary AAAA", "!!set {a, b}", "!!timestamp 2001-12-14",
                                    "!!float .nan", "!!int 0x7fffffffffffffffffff", "!!str", "!!null ''",
                                    "!!omap [a: 1]"]))
        new = data[:line] + b"etiquette: " + tag.encode() + b"\n" + data[line:]
        expect = "maybe"
    elif kind == "digits":
        digits = draw(st.sampled_from([400, 4301, 20000]))
        new = data[:line] + b"chiffre: " + b"9" * digits + b"\n" + data[line:]
        expect = "maybe" if digits < 4301 else "error"
    elif kind == "tab":
        new = data[:line] + b"\t" + data[line:]
        expect = "maybe"
    elif kind == "dupkey":
        end = data.find(b"\n", line) + 1 or len(data)
        new = data[:end] + data[line:end] + data[end:]
        expect = "maybe"    # a repeated list item is fine; a repeated key is refused
    else:   # anchors on real values: valid YAML, kept small
        new = data[:line] + b"ancre: &ancre {a: 1}\nalias: *ancre\n" + data[line:]
        expect = "maybe"
    if expect == "maybe":
        names = (path, *key_names)
    return Case(f"{path} : octets « {kind} »", ((path, new),), names, expect)


# --- strategies: tables -----------------------------------------------------------------------
def _cells(path: str) -> list[list[str]]:
    return [line.split(";") for line in original_text(path).splitlines()]


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(";".join(row) for row in rows) + "\n").encode("utf-8")


def _table_names(path: str) -> tuple[str, ...]:
    """A table's errors may name the table, its spec, or a chart drawn from its cells."""
    return (path, path.removesuffix(".csv") + ".yml", f"{DATA}/charts/charts.yml")


@st.composite
def table_cases(draw) -> Case:
    path = draw(st.sampled_from(TABLES))
    rows = _cells(path)
    spec = path.removesuffix(".csv") + ".yml"
    names = _table_names(path)
    users = (f"{CONTENT}/",)   # a changed row key or column name: the chapter citing it
    r = draw(st.integers(1, len(rows) - 1))
    c = draw(st.integers(0, len(rows[0]) - 1))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "cell", "header", "short", "long", "duprow",
                                 "blank", "empty", "only-header", "bytes", "nul", "quote", "folder",
                                 "no-spec", "empty-spec", "huge", "crlf", "bom"]))
    expect = "maybe"
    files: list[tuple[str, Any]] = []
    if kind == "cell":
        text = draw(nasty_text()).replace("\n", " ")
        rows[r][c] = text
        what = f"cellule ligne {r + 1}, colonne {c + 1} ← {text[:60]!r}"
        if c == 0 or rows[0][c] in ("_key", "_kind"):
            names += users       # a row's label or key: a reference to it may break
    elif kind == "header":
        text = draw(st.one_of(st.sampled_from(["", "_kind", "_key", rows[0][-1], "N", "N-1", "N-9", "2020 "]),
                              nasty_text())).replace("\n", " ")
        rows[0][c] = text
        what = f"en-tête colonne {c + 1} ← {text[:60]!r}"
        names += users
    elif kind == "short":
        rows[r] = rows[r][:-1]
        what, expect = f"ligne {r + 1} : une cellule manque", "error"
    elif kind == "long":
        rows[r] = rows[r] + [draw(st.sampled_from(["", "1", "x"]))]
        what, expect = f"ligne {r + 1} : une cellule de trop", "error"
    elif kind == "duprow":
        rows.insert(r, list(rows[r]))
        what = f"ligne {r + 1} doublée"
        expect = "error" if rows[0][0] == "_key" else "maybe"
    elif kind == "blank":
        rows.insert(r, [draw(st.sampled_from(["", " ", ";;;", "\t"]))])
        what = f"ligne vide avant la ligne {r + 1}"
    elif kind == "empty":
        rows, what, expect = [], "fichier vide", "error"
    elif kind == "only-header":
        rows, what = rows[:1], "en-tête seul"
        names += users
    elif kind == "folder":
        files.append((path, DIR))
        what, expect = "un dossier à la place du tableau", "error"
    elif kind == "no-spec":
        files.append((spec, None))
        what, expect = "tableau sans sa description .yml", "error"
    elif kind == "empty-spec":
        written = draw(st.sampled_from([b"", b"~\n", b"null\n", b"---\n", b"# rien\n"]))
        files.append((spec, written))
        # only comments: a table deliberately printed without title nor source (tables._read_spec)
        what, expect = "description .yml vide", "maybe" if written.startswith(b"#") else "error"
    elif kind == "huge":
        count = draw(st.sampled_from([100_000, 200_000]))
        body = b"".join(b"ligne-%d;%d;%d;%d\n" % (i, i, i, i) for i in range(count))
        header = ";".join(rows[0][:4]).encode() + b"\n"
        files.append((path, header + body))
        what, expect = f"{count} lignes", "error"
    if not files:
        data = _csv(rows) if rows else b""
        if kind == "bytes":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from([b"\xe9", b"\xff\xfe", b"\x80"])) + data[at:]
            what, expect = "octet non UTF-8", "error"
        elif kind == "nul":
            line_at = len(_csv(rows[:r]))
            data = data[:line_at + 1] + b"\x00" + data[line_at + 1:]
            what, expect = f"octet NUL ligne {r + 1}", "error"
        elif kind == "quote":
            rows[r][c] = draw(st.sampled_from(['"', '"abc', 'a"b', '"a;b"', '""', '"a\nb"']))
            data = _csv(rows)
            what = f"guillemets ligne {r + 1} ← {rows[r][c]!r}"
            names += users
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
            what = "fins de ligne Windows"
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
            what = "BOM UTF-8"
        files.append((path, data))
    return Case(f"{path} : {what}", tuple(files), names, expect)


@st.composite
def table_spec_cases(draw) -> Case:
    spec = draw(st.sampled_from(SPECS))
    names = (spec, spec.removesuffix(".yml") + ".csv")
    kind = draw(st.sampled_from(["mutate", "mutate", "raw", "field"]))
    if kind == "mutate":
        case = draw(yaml_mutation(spec))
        return Case(case.what, case.files, names + (f"{CONTENT}/",), case.expect)
    if kind == "raw":
        case = draw(raw_yaml_mutation(spec))
        return Case(case.what, case.files, names, case.expect)
    doc = yaml.safe_load(original_text(spec))
    field, value = draw(st.sampled_from([
        ("columns", {"inconnue": {"label": "x"}}), ("columns", {"caisse": {"type": "date"}}),
        ("columns", ["caisse"]), ("columns", "caisse"), ("header", [[{"text": "x", "colspan": -1}]]),
        ("header", [[{"text": "x", "colspan": 10**9}]]), ("header", [[{"text": "x", "colspan": "deux"}]]),
        ("header", [[{"text": "x", "rowspan": 10**6}]]), ("header", "titre"), ("header", [None]),
        ("computed", [{"from": "2019", "to": "2020", "decimals": -3}]),
        ("computed", [{"from": "2019", "to": "2020", "decimals": 10**6}]),
        ("computed", [{"from": "2019", "to": "2020", "decimals": "deux"}]),
        ("computed", [{"from": "inconnue", "to": "2020"}]), ("computed", ["evolution"]), ("computed", "x"),
        ("notes", "une note"), ("notes", {"a": 1}), ("placeholders", "x"), ("placeholders", [None, 1]),
        ("size", "enorme"), ("orientation", "diagonale"), ("size", None), ("title", ["a", "b"]),
        ("title", {"a": 1}), ("inconnue", 1),
    ]))
    doc[field] = value
    return Case(f"{spec} : {field} ← {value!r}", ((spec, _dump(doc)),), names)


# --- strategies: the other data files ---------------------------------------------------------
@st.composite
def data_yaml_cases(draw) -> Case:
    path = draw(st.sampled_from(DATA_YAML))
    users = (f"{CONTENT}/",)
    kind = draw(st.sampled_from(["mutate", "mutate", "mutate", "raw", "raw", "special"]))
    if kind == "mutate":
        return draw(yaml_mutation(path, users))
    if kind == "raw":
        return draw(raw_yaml_mutation(path, users))
    special = draw(st.sampled_from([
        ("charts/charts.yml", "population-caisse", "data", [{"label": "Régime général", "value": "-5"},
                                                            {"label": "Régime agricole", "value": "10"}],
         "valeur négative dans un anneau"),
        ("charts/charts.yml", "population-caisse", "data", [{"label": "A", "value": "0"}, {"label": "B", "value": "0"}],
         "anneau de zéros"),
        ("charts/charts.yml", "population-caisse", "kind", "camembert-3d", "type inconnu"),
        ("charts/charts.yml", "population-caisse", "height", -3, "hauteur négative"),
        ("charts/charts.yml", "population-caisse", "height", 10**6, "hauteur démesurée"),
        ("charts/charts.yml", "population-caisse", "height", "grand", "hauteur en lettres"),
        ("charts/charts.yml", "delais-mensuels", "series", [{"name": "2020", "values": ["1"]}],
         "série trop courte"),
        ("charts/charts.yml", "delais-mensuels", "series", [{"name": "2020", "values": "1 200"}],
         "série sans liste"),
        ("charts/charts.yml", "delais-mensuels", "categories", "Jan", "catégories sans liste"),
        ("lists/conseil.yml", None, "groups", [{"title": "A", "rows": [42, 43]}], "rangée réduite à un nombre"),
        ("lists/conseil.yml", None, "columns", "Titulaires", "colonnes sans liste"),
        ("lists/conseil.yml", None, "groups", [{"title": "A", "rows": "x"}], "rangées sans liste"),
        ("kpis/chiffres.yml", "message", "tiles", [{"key": "k", "label": "L", "value": "12", "dont": [
            {"key": "k2", "label": "L2", "value": "1", "dont": [{"key": "k3", "label": "x", "value": "1"}]}]}],
         "« dont » sur deux niveaux"),
        ("kpis/chiffres.yml", "message", "tiles", [{"key": "k", "label": "L", "value": "12", "trend": "vers-le-haut"}],
         "tendance inconnue"),
        ("kpis/chiffres.yml", "message", "tiles", [{"key": "k", "label": None, "value": "12"}], "libellé nul"),
        ("kpis/chiffres.yml", "message", "tiles", {"key": "k"}, "tuiles sans liste"),
        ("glossary.yml", None, None, [{"term": "A"}], "définition manquante"),
        ("glossary.yml", None, None, ["ACS"], "entrée réduite à un mot"),
        ("figures/message.yml", None, None, ["91,30%"], "chiffres en liste"),
    ]))
    name, group, field, value, what = special
    path = f"{DATA}/{name}"
    doc = yaml.safe_load(original_text(path))
    if field is None:
        doc = value
    elif group is None:
        doc[field] = value
    else:
        doc[group][field] = value
    invalid = what not in ("anneau de zéros",)
    return Case(f"{path} : {what}", ((path, _dump(doc)),), (path,), "error" if invalid else "maybe")


# --- strategies: chapters ---------------------------------------------------------------------
DIRECTIVES = ["table", "tables", "chart", "charts", "kpis", "roster", "glossary", "fig", "callout", "contacts",
              "button", "photo", "focus", "interview", "timeline", "dated", "card", "phone", "feed", "charter",
              "ranking"]


def jinja_literal() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-10**6, 10**6).map(str), st.sampled_from(["none", "true", "[]", "{}", "()", "1.5", "-0",
                                                              "10**6", "edition", "edition.year"]),
        st.sampled_from(["effectifs", "population", "message", "conseil", "delais.moyen",
                         "population.regime-general.caisse", "population-caisse", "circonscription",
                         "kpis.message.objectifs", "inconnu", "", "../..", "/etc", "x" * 200,
                         "https://exemple.fr", "mailto:a@b.fr"]).map(lambda s: '"' + s + '"'),
        nasty_text().map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'),
    )


@st.composite
def directive_call(draw) -> tuple[str, str]:
    name = draw(st.one_of(st.sampled_from(DIRECTIVES), st.sampled_from(["tableau", "Table", "range", "lipsum",
                                                                       "dict", "cycler", "joiner", "namespace",
                                                                       "edition", "self", "caller", "loop"])))
    args = draw(st.lists(jinja_literal(), max_size=3))
    kwargs = draw(st.lists(st.tuples(st.sampled_from(["body", "caption", "columns", "x", "caller", "src"]),
                                     jinja_literal()), max_size=1, unique_by=lambda kv: kv[0]))
    call = ", ".join(args + [f"{k}={v}" for k, v in kwargs])
    return f"{{{{ {name}({call}) }}}}", "maybe"


BAD_TEMPLATES = [
    # wrong arguments, unknown names
    "{{ table(42) }}", "{{ table() }}", "{{ table(none) }}", "{{ fig(42) }}", "{{ fig([]) }}", "{{ kpis({}) }}",
    "{{ chart(1.5) }}", "{{ charts(42, 43) }}", "{{ roster(true) }}", "{{ photo(42) }}", "{{ button(1, 2) }}",
    "{{ callout(none, none) }}", "{{ phone(none) }}", "{{ card(42, 1) }}", "{{ ranking(42) }}",
    "{{ table(\"effectifs\", \"x\", \"y\") }}", "{{ fig(\"x\") }}", "{{ fig(\"population..caisse\") }}",
    "{{ tableau(\"effectifs\") }}", "{{ inconnu }}", "{{ edition.inconnu }}", "{{ table.__globals__ }}",
    "{{ ''.__class__.__mro__ }}", "{{ edition.__class__ }}", "{{ fig.__code__ }}",
    # syntax
    "{{", "{{ }}", "{% if %}", "{% for x in %}", "{% endfor %}", "{#", "{% raw %}", "{{ table(\"a\" }}",
    "{{ 1 + }}", "{% block b %}", "{% extends \"x.html\" %}", "{% include \"/etc/hostname\" %}",
    "{% import \"x\" as y %}", "{% macro %}", "{{ table(\"effectifs\") }", "}}{{", "{% set %}",
    # size, time, recursion
    "{{ 'x' * 10**9 }}", "{{ 'x' * 10**8 }}", "{{ ['x'] * 10**8 }}", "{{ range(10**9)|list|length }}",
    "{{ range(10**9)|join }}",
    "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
    "{% for a in range(10**7) %}{% endfor %}", "{{ 10**10**10 }}", "{{ 2**99999999 }}",
    "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", "{{ lipsum(10**7) }}",
    "{{ '%0999999999d'|format(1) }}", "{{ '{:>999999999}'.format(1) }}", "{{ 'x'|center(10**9) }}",
    "{{ 'x'|indent(10**9) }}", "{{ 'ab'|wordwrap(1)|length * 10**9 }}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
]


def _nested(kind: str, depth: int) -> str:
    if kind == "div":
        return "<div>" * depth + "x" + "</div>" * depth
    if kind == "quote":
        return "> " * depth + "x"
    if kind == "list":
        return "\n".join("    " * i + "- x" for i in range(depth))
    if kind == "emphasis":
        return "*" * depth + "x" + "*" * depth
    if kind == "link":
        return "[" * depth + "x" + "](y)" * depth
    if kind == "table":
        return "<table><tr><td>" * depth + "x" + "</td></tr></table>" * depth
    return "<span>" * depth + "x" + "</span>" * depth


PATH_FORMS = [
    # (form, resolves outside the project)
    (OUT + "/{f}", True), ("file://" + OUT + "/{f}", True), ("file://localhost" + OUT + "/{f}", True),
    (UP + OUTREL + "/{f}", True), ("../../../../outside/{f}", True), ("../../../outside/{f}", True),
    (SIB + "/{f}", True), ("../../../../proj-evil/{f}", True), ("../../../proj-evil/{f}", True),
    ("%2e%2e/%2e%2e/%2e%2e/%2e%2e/outside/{f}", True), ("file:" + OUT + "/{f}", True),
    ("images/lien-{f}", True),       # a symbolic link inside the edition, to the outside file
]


def _path_form(draw, name: str) -> tuple[str, list[tuple[str, Any]]]:
    form, _ = draw(st.sampled_from(PATH_FORMS))
    extra = []
    if form.startswith("images/lien-"):
        extra.append((f"{CONTENT}/images/lien-{name}", Link(OUT + "/" + name)))
    return form.format(f=name), extra


@st.composite
def html_path_snippet(draw) -> tuple[str, list[tuple[str, Any]]]:
    """Raw HTML in a chapter pointing to a file outside the project."""
    kind = draw(st.sampled_from(["img", "hidden-img", "attachment", "link", "css-url", "stylesheet", "object",
                                 "svg-image", "srcset", "style-import"]))
    name = {"attachment": "secret.pdf", "link": "secret.txt", "stylesheet": "secret.css",
            "style-import": "secret.css", "object": "secret.svg", "svg-image": "secret.png"}.get(kind, "secret.png")
    path, extra = _path_form(draw, name)
    snippet = {
        "img": f'<img src="{path}" alt="x">',
        "hidden-img": f'<div style="display:none"><img src="{path}" alt="x"></div>',
        "attachment": f'<a rel="attachment" href="{path}">pièce jointe</a>',
        "link": f'<a href="{path}">lien</a>',
        "css-url": f'<div style="background: url(\'{path}\')">x</div>',
        "stylesheet": f'<link rel="stylesheet" href="{path}">',
        "object": f'<object data="{path}" type="image/svg+xml"></object>',
        "svg-image": f'<svg width="10" height="10"><image href="{path}" width="10" height="10"/></svg>',
        "srcset": f'<img srcset="{path} 2x" src="{path}" alt="x">',
        "style-import": f"<style>@import url('{path}');</style>",
    }[kind]
    return snippet, extra


@st.composite
def directive_path_snippet(draw) -> tuple[str, list[tuple[str, Any]]]:
    path, extra = _path_form(draw, "secret.png")
    template = draw(st.sampled_from([
        '{{{{ photo("{p}") }}}}',
        '{{% call interview("Nom", "Rôle", portrait="{p}") %}}\n### Q1 ?\nR1\n### Q2 ?\nR2\n{{% endcall %}}',
    ]))
    return template.format(p=path), extra


def _insert(path: str, snippet: str, line_index: int) -> bytes:
    """``snippet`` as a paragraph after line ``line_index`` of the body (after any front matter)."""
    text = original_text(path)
    lines = text.split("\n")
    body = 0
    if lines[0] == "---":
        body = lines.index("---", 1) + 1
    at = body + line_index % max(1, len(lines) - body)
    lines[at:at] = ["", snippet, ""]
    return "\n".join(lines).encode("utf-8")


@st.composite
def chapter_cases(draw) -> Case:
    path = draw(st.sampled_from(CHAPTERS))
    names: tuple[str, ...] = (path,)
    kind = draw(st.sampled_from(["directive", "directive", "bad", "bad", "bad", "nested", "shallow", "front",
                                 "front", "bytes", "nul", "folder", "missing", "cut", "repeat", "markdown"]))
    expect = "maybe"
    line = draw(st.integers(0, 40))
    files: list[tuple[str, Any]] = []
    if kind == "directive":
        snippet, expect = draw(directive_call())
        what = snippet
    elif kind == "bad":
        snippet = draw(st.sampled_from(BAD_TEMPLATES))
        what, expect = snippet, "error"
    elif kind in ("nested", "shallow"):
        form = draw(st.sampled_from(["div", "quote", "list", "emphasis", "link", "table", "span"]))
        depth = draw(st.integers(1000, 5000) if kind == "nested" else st.integers(2, 30))
        snippet = _nested(form, depth)
        what = f"{form} imbriqué sur {depth} niveaux"
        expect = "error" if kind == "nested" and form not in ("emphasis", "link") else "maybe"
    elif kind == "markdown":
        snippet = draw(st.sampled_from([
            "####### titre", "# " + "x" * 5000, "[^1]", "[^1]: ", "[^a]: note\n[^a]: encore", "!!! encadre",
            "!!! \"\"", "| a |\n|---|\n| b | c | d |", "<!--", "<![CDATA[", "<?php ?>", "<script>x</script>",
            "<style>body{display:none}</style>", "<base href=\"file:///\">", "<meta http-equiv=refresh>",
            "<iframe src=\"https://exemple.fr\"></iframe>", "RGBLOCK0000X", "RGBLOCK9999X", "<p>RGBLOCK0001X</p>",
            "{: #id .classe }", "<h1>titre</h1>", "<section class=\"chapter\">", "</section></body>",
            "<img src=\"images/absente.png\" alt=\"x\">", "<img src=\"\" alt=\"\">", "<img alt=\"x\">",
            "&#0;", "&#xD800;", "&bogus;", "<a href=\"javascript:alert(1)\">x</a>",
        ]))
        what = f"Markdown : {snippet[:60]!r}"
    elif kind == "repeat":
        unit = draw(st.sampled_from(["x ", "**x** ", "{{ fig(\"delais.moyen\") }} ", "| a | b |\n",
                                     "- x\n", "\n\n## Titre\n\n"]))
        count = draw(st.integers(10, 20000))
        snippet = unit * count
        what = f"{unit!r} × {count}"
    if kind in ("directive", "bad", "nested", "shallow", "markdown", "repeat"):
        files.append((path, _insert(path, snippet, line)))
    elif kind == "front":
        data = original_text(path)
        match = re.match(r"---\n(.*?)\n---\n", data, re.S)
        if match is None:   # a continuation file without front matter: give it a broken one
            head = draw(st.sampled_from(["---\ntitle: [\n---\n", "---\n---\n", "---\n\x00\n---\n"]))
            files.append((path, (head + data).encode("utf-8")))
            what = f"en-tête ajouté {head!r}"
        else:
            front = yaml.safe_load(match[1])
            mutation = draw(st.sampled_from(["value", "value", "drop-end", "key", "not-a-map", "nul", "title"]))
            if mutation == "value":
                key = draw(st.sampled_from(sorted(front)))
                front[key] = draw(yaml_values(1))
                head = _dump(front).decode()
                what = f"en-tête : {key} ← {front[key]!r}"
            elif mutation == "title":
                front.pop("title")
                head = _dump(front).decode() if front else ""
                what, expect = "en-tête sans titre", "error"
            elif mutation == "key":
                front[draw(st.sampled_from(["titre", "Title", "kind ", "layout2", "1"]))] = "x"
                head = _dump(front).decode()
                what, expect = "clé d'en-tête inconnue", "error"
            elif mutation == "not-a-map":
                head = draw(st.sampled_from(["- a\n- b\n", "42\n", "'texte'\n", "[\n", "{a: [}\n"]))
                what, expect = f"en-tête {head!r}", "error"
            elif mutation == "nul":
                head = match[1] + "\n\x00\n"
                what, expect = "NUL dans l'en-tête", "error"
            else:
                files.append((path, ("---\n" + match[1] + "\n" + data[match.end():]).encode("utf-8")))
                what, expect = "en-tête jamais fermé", "maybe"
            if not files:
                files.append((path, ("---\n" + head.rstrip("\n") + "\n---\n" + data[match.end():]).encode("utf-8")))
    elif kind == "bytes":
        data = _original(path)
        at = draw(st.integers(0, len(data)))
        files.append((path, data[:at] + draw(st.sampled_from([b"\xe9", b"\xff", b"\x80abc", b"\xc3("])) + data[at:]))
        what, expect = "octet non UTF-8", "error"
    elif kind == "nul":
        data = _original(path)
        at = draw(st.integers(0, len(data)))
        files.append((path, data[:at] + b"\x00" + data[at:]))
        what, expect = "octet NUL", "error"
    elif kind == "folder":
        files.append((path, DIR))
        what, expect = "un dossier à la place du chapitre", "error"
        names += (MANIFEST,)      # or the line of edition.yml that cites it
    elif kind == "missing":
        files.append((path, None))
        what, expect = "chapitre supprimé", "error"
        names += (MANIFEST,)
    else:   # cut
        data = _original(path)
        at = draw(st.integers(0, len(data)))
        files.append((path, data[:at]))
        what = f"coupé à l'octet {at}"
        names += (f"{DATA}/",)     # a cut chapter may leave a table unprinted: a warning on the data
    return Case(f"{path} : {what}"[:240], tuple(files), names, expect)


@st.composite
def latin1_chapter(draw) -> Case:
    path = draw(st.sampled_from([c for c in CHAPTERS if any(ord(ch) > 127 for ch in original_text(c))]))
    return Case(f"{path} : enregistré en Latin-1", ((path, original_text(path).encode("latin-1", "replace")),),
                (path,), "error")


# --- strategies: the manifest -----------------------------------------------------------------
@st.composite
def manifest_cases(draw) -> Case:
    doc = yaml.safe_load(original_text(MANIFEST))
    names = (MANIFEST, f"{CONTENT}/")
    kind = draw(st.sampled_from(["mutate", "mutate", "mutate", "raw", "layout", "colour", "both", "unknown",
                                 "chapter", "types"]))
    expect = "maybe"
    if kind == "mutate":
        return draw(yaml_mutation(MANIFEST, (f"{CONTENT}/",)))
    if kind == "raw":
        return draw(raw_yaml_mutation(MANIFEST, (f"{CONTENT}/",)))
    if kind == "layout":
        value = draw(st.sampled_from([
            "", " ", "/", ".", "..", "../", "assurance-maladie/", "assurance-maladie/..", "./assurance-maladie",
            "../layouts/assurance-maladie", OUT + "/layouts-evil/evil", UP + OUTREL + "/layouts-evil/evil",
            "../../outside/layouts-evil/evil", "assurance-maladie/../../tests", "inexistante", "a" * 300,
            "assurance-maladie\x00", 42, None, [], {"name": "x"},
        ]))
        doc["layout"] = value
        what = f"layout ← {value!r}"
        # a name that stays inside layouts/ may be accepted; the others must be refused
        expect = "maybe" if value in ("inexistante", "./assurance-maladie", "assurance-maladie/") else "error"
        names = (MANIFEST,)
    elif kind == "colour":
        slot = draw(st.sampled_from(["primary", "accent", "light", "dark"]))
        value = draw(st.sampled_from([
            "red; } body { background: url(" + OUT + "/secret.png) } .x {",
            "#fff;}@import url(" + OUT + "/secret.css);.y{", "url(" + OUT + "/secret.png)",
            "expression(alert(1))", "</style><script>alert(1)</script>", "#12345g", "#ff", "rouge", "",
            "#0c419a\"", "var(--x)", "#0c419a !important", 42, None, ["#fff"],
        ]))
        doc.setdefault("theme", {})[slot] = value
        what = f"theme.{slot} ← {value!r}"
        expect = "error"
        names = (MANIFEST,)
    elif kind == "both":
        doc["chapters"] = ["glossaire.md"]
        doc["back"] = []
        what, expect = "parts et chapters ensemble", "error"
        names = (MANIFEST,)
    elif kind == "unknown":
        where = draw(st.sampled_from(["style", "part", "annexes", "signatory", "theme", "lint"]))
        if where == "part":
            doc["parts"][0]["titre"] = "faute de frappe"
        elif where == "style":
            doc["style"] = {"sommaire": "leaders", "numerotation": "arabic"}
        elif where == "lint":
            doc["lint"] = {"disable": [], "desactive": ["x"]}
        else:
            doc.setdefault(where, {})["couleur"] = "faute de frappe"
        what, expect = f"clé inconnue sous {where}", "notice"
        names = (MANIFEST,)
    elif kind == "chapter":
        target = draw(st.sampled_from([
            OUT + "/secret.md", UP + OUTREL + "/secret.md", "../../../../outside/secret.md",
            "../../../../proj-evil/secret.md", SIB + "/secret.md", "lien.md", "file://" + OUT + "/secret.md",
            "../../finances/2020/00-preface.md", "../../../data/demo/2020/glossary.yml", "", ".", "..",
            "00-message.md/", "sous/../01-contexte.md",
        ]))
        place = draw(st.sampled_from(["front", "part", "annexes", "back", "group"]))
        if place == "front":
            doc["front"] = [*doc["front"], target]
        elif place == "part":
            doc["parts"][0]["chapters"].append(target)
        elif place == "annexes":
            doc["annexes"]["chapters"].append(target)
        elif place == "back":
            doc["back"].append(target)
        else:
            doc["parts"][1]["chapters"][0].append(target)
        outside = OUT in target or SIB in target or "outside" in target or "evil" in target or target == "lien.md"
        what = f"chapitre {target!r} dans {place}"
        expect = "error" if outside or target in ("", ".", "..") else "maybe"
        if not outside and target:     # a file of the project read as a chapter: its own errors name it
            names += (os.path.normpath(f"{CONTENT}/{target}"),)
        files = [(MANIFEST, _dump(doc))]
        if target == "lien.md":
            files.append((f"{CONTENT}/lien.md", Link(OUT + "/secret.md")))
        return Case(f"{MANIFEST} : {what}", tuple(files), names, expect)
    else:   # wrong types in known places
        field, value = draw(st.sampled_from([
            ("year", "deux mille"), ("year", 10**30), ("year", -2020), ("year", 2020.5), ("year", True),
            ("parts", 42), ("parts", "x"), ("parts", [None]), ("parts", [{"title": "x"}]), ("front", {"a": 1}),
            ("front", [[]]), ("front", [42]), ("back", "glossaire.md"), ("annexes", []), ("annexes", "x"),
            ("signatory", "Claire"), ("signatory", None), ("style", {"part_number_width": 10**6}),
            ("style", {"first_part_number": -10**9}), ("style", {"first_part_number": 10**20}),
            ("style", {"chapter_numbering": "letters"}), ("style", []), ("keywords", "a"),
            ("address", {"a": 1}), ("credits", [None]), ("part_numbering", "romain"), ("caisse", "../autre"),
            ("caisse", ""), ("title", None), ("organisation", ["a"]), ("hashtag", "x" * 10000),
        ]))
        doc[field] = value
        what = f"{field} ← {value!r}"[:120]
    return Case(f"{MANIFEST} : {what}", ((MANIFEST, _dump(doc)),), names, expect)


# --- strategies: paths that lead outside the project, from every place a path is written --------
@st.composite
def outside_path_cases(draw) -> Case:
    where = draw(st.sampled_from(["html", "html", "html", "directive", "part-photo", "annex-photo", "chapter",
                                  "layout", "colour", "table-link", "data-link", "spec-link"]))
    if where in ("html", "directive"):
        path = draw(st.sampled_from(CHAPTERS))
        snippet, extra = draw(html_path_snippet() if where == "html" else directive_path_snippet())
        # a directive takes a file path, not a URL: a percent-encoded name is a plain file name
        # (absent: a warning, nothing printed), as for a divider photo below
        expect = "maybe" if where == "directive" and "%2e" in snippet else "error"
        return Case(f"{path} : {snippet}", ((path, _insert(path, snippet, draw(st.integers(0, 20)))), *extra),
                    (path,), expect)
    doc = yaml.safe_load(original_text(MANIFEST))
    if where in ("part-photo", "annex-photo"):
        target, extra = _path_form(draw, "secret.png")
        (doc["parts"][0] if where == "part-photo" else doc["annexes"])["photo"] = target
        # a percent-encoded name in YAML is a plain file name (absent), not a way out: only a URL decodes it
        expect = "maybe" if target.startswith("%2e") else "error"
        return Case(f"{MANIFEST} : {where} ← {target}", ((MANIFEST, _dump(doc)), *extra),
                    (MANIFEST, f"{CONTENT}/"), expect)
    if where in ("chapter", "layout", "colour"):
        case = draw(manifest_cases().filter(lambda c: c.expect == "error" and ("chapitre" in c.what
                                                                               or "layout" in c.what
                                                                               or "theme" in c.what)))
        return case
    # a data file replaced by a symbolic link to a file outside the project
    rel = {"table-link": f"{DATA}/tables/effectifs.csv", "data-link": f"{DATA}/glossary.yml",
           "spec-link": f"{DATA}/tables/effectifs.yml"}[where]
    name = {"table-link": "secret.csv", "data-link": "secret.yml", "spec-link": "secret.yml"}[where]
    return Case(f"{rel} : lien vers un fichier hors du projet", ((rel, Link(OUT + "/" + name)),), (rel,), "error")
