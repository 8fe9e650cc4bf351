"""Limits: what a chapter, a YAML file or a table may ask of the machine, each refused in French.

Every case is a hostile or clumsy input that, unguarded, hangs the build, exhausts the memory
or ends in a Python traceback. Each is checked with ``check()`` (no PDF), on inputs made here,
and under a deadline so that a missing guard fails the test instead of hanging it.
"""
from __future__ import annotations

import signal
from pathlib import Path

import pytest

from reportgen.edition import content as content_module
from reportgen.edition import readers
from reportgen import yamlio
from reportgen.builder import check
from reportgen.edition.content import ContentRenderer, read_chapter
from reportgen.errors import ConfigError, ContentError, DataError, ReportError

EDITION = "demo/2020"
CHAPTER = "content/demo/2020/01-contexte.md"


@pytest.fixture(autouse=True)
def deadline():
    """A guard that is missing must make its test fail, not hang: each test has 30 s."""
    def expired(signum, frame):
        raise TimeoutError("plus de 30 s : la limite ne joue pas")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 30)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def only_error(project, kind: type = ReportError) -> ReportError:
    errors, _warnings = check(project, EDITION)
    assert len(errors) == 1, [str(e) for e in errors]
    assert isinstance(errors[0], kind), repr(errors[0])
    assert "Traceback" not in str(errors[0])
    return errors[0]


def append(project, text: str, name: str = "01-contexte.md") -> int:
    """Add ``text`` at the end of a chapter; returns the line it starts at."""
    path = project.content / "demo" / "2020" / name
    before = path.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + "\n" + text + "\n", encoding="utf-8")
    return before.count("\n") + 2


def refused(project, text: str, *fragments: str) -> ContentError:
    line = append(project, text)
    error = only_error(project, ContentError)
    assert error.where() == f"{CHAPTER}:{line}", str(error)
    for fragment in fragments:
        assert fragment in str(error), str(error)
    return error


# --- content templates ------------------------------------------------------------------------
def test_a_string_repeated_a_billion_times_is_refused_before_it_is_made(project):
    refused(project, "{{ 'x' * 10**9 }}", "trop long", "1\u202f000\u202f000\u202f000 éléments demandés")


@pytest.mark.parametrize("text", [
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{% set l = [1] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ '%1000000000s' % 'x' }}",
    "{{ '{:>1000000000}'.format('x') }}",
    "{% set s = 'x' * 1000 %}{{ s|replace('x', s)|replace('x', s) }}",
], ids=["tilde", "plus", "extend", "center", "ljust", "percent", "format", "replace"])
def test_a_text_or_list_that_doubles_or_widens_is_stopped_at_the_limit(project, text):
    refused(project, text, "trop long", f"{content_module.MAX_TEXT:,}".replace(",", "\u202f") + " au plus")


def test_a_huge_power_is_refused(project):
    refused(project, "{{ 2 ** (10 ** 7) }}", "nombre de plus de 1\u202f000 chiffres")


@pytest.mark.parametrize("loops", [
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{% for a in 'x' * 100000 %}{% for b in 'y' * 100000 %}{% endfor %}{% endfor %}",
    "{% for a in range(1000) %}{{ range(100000)|sum }}{% endfor %}",
], ids=["ranges", "strings", "range-in-a-filter"])
def test_nested_loops_draw_on_one_budget_per_chapter(project, loops):
    refused(project, loops, "plus de 1\u202f000\u202f000 tours de boucle dans ce chapitre")


def test_a_range_of_a_billion_is_refused_not_an_overflow(project):
    refused(project, "{{ range(10**9)|length }}", "tours de boucle")


def test_a_macro_that_calls_itself_is_stopped(project):
    refused(project, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "plus de 50 appels imbriqués")


def test_a_chapter_that_writes_too_much_is_stopped(project):
    refused(project, "{% for i in range(200) %}{{ 'x' * 100000 }}{% endfor %}",
            "le chapitre écrit plus de 5\u202f000\u202f000 caractères")


def test_a_macro_that_writes_too_much_is_stopped(project):
    refused(project, "{% macro m() %}{% for i in range(200) %}{{ 'x' * 100000 }}{% endfor %}{% endmacro %}"
                     "{{ m()|length }}", "un bloc du chapitre écrit plus de 5\u202f000\u202f000 caractères")


@pytest.mark.parametrize("text, fragment", [
    ("{{ 10.0 ** 400 }}", "nombre trop grand"),
    ("{{ 1 // 0 }}", "division par zéro"),
    ("{{ table(42) }}", "table"),
])
def test_a_failing_computation_names_the_line(project, text, fragment):
    refused(project, text, fragment)


def test_a_directive_that_fails_on_a_wrong_value_names_the_line(tmp_path):
    """The safety net: whatever a directive trips on, the message names the chapter's line."""
    def broken(value):
        return value.split(".")             # AttributeError on a number

    chapter_file = tmp_path / "c.md"
    chapter_file.write_text("---\ntitle: T\n---\nUn paragraphe.\n\n{{ broken(42) }}\n", encoding="utf-8")
    chapter = read_chapter([chapter_file], "c")
    with pytest.raises(ContentError) as err:
        ContentRenderer({"broken": broken}, tmp_path, {}).render(chapter)
    assert err.value.path == chapter_file and err.value.line == 6
    assert "type inattendu" in err.value.message


def test_ordinary_template_features_still_work(tmp_path):
    chapter_file = tmp_path / "c.md"
    chapter_file.write_text(
        "---\ntitle: T\n---\n{% for i in range(3) %}{{ loop.index }}/{{ loop.length }} {% endfor %}"
        "{{ 'a' ~ 1 }} {% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(2) }} {{ '%05.1f' % 3.14159 }} "
        "{{ 'abc'|replace('b', 'BB') }} {{ [1, 2] * 2 }} {{ 2 ** 10 }}\n", encoding="utf-8")
    chapter = read_chapter([chapter_file], "c")
    ContentRenderer({}, tmp_path, {}).render(chapter)
    assert "1/3 2/3 3/3 a1 [2] 003.1 aBBc [1, 2, 1, 2] 1024" in chapter.html


# --- nesting of Markdown and HTML -------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "<div>" * 5000 + "x" + "</div>" * 5000,
    "> " * 3000 + "x",
    "".join("    " * level + "- x\n" for level in range(800)),
    "{{ '<div>' * 100 }}x{{ '</div>' * 100 }}",          # written by the template itself
], ids=["divs", "blockquote", "list", "template"])
def test_deep_nesting_is_refused_at_the_line_that_goes_too_deep(project, text):
    line = append(project, text)
    error = only_error(project, ContentError)
    deepest = line + (content_module.MAX_NESTING if text.startswith(" ") or text.startswith("-") else 0)
    assert error.where() == f"{CHAPTER}:{deepest}", str(error)
    assert "niveaux d'imbrication" in error.message and "30 au plus" in error.message


def test_nesting_up_to_the_limit_is_accepted(project):
    depth = content_module.MAX_NESTING
    append(project, "> " * depth + "une citation\n\n"
           + "".join("    " * level + "- point\n" for level in range(depth)) + "\n"
           + "<div>" * depth + "x" + "</div>" * depth + "\n\n" + "<p>a<p>b<p>c<br><img src=''>" * 20)
    errors, _warnings = check(project, EDITION)
    assert not [e for e in errors if "imbrication" in str(e)], [str(e) for e in errors]


# --- encodings and control characters ---------------------------------------------------------
def test_a_chapter_saved_in_latin1_names_the_line_and_column(project):
    path = project.content / "demo" / "2020" / "01-contexte.md"
    text = path.read_text(encoding="utf-8")
    path.write_bytes((text + "\nUne ligne en Latin-1 : café\n").encode("latin-1"))
    error = only_error(project, ContentError)
    line, text_line = next((n, line) for n, line in enumerate(text.split("\n"), 1) if not line.isascii())
    column = next(n for n, char in enumerate(text_line, 1) if not char.isascii())   # the first accented letter
    assert error.where() == f"{CHAPTER}:{line}"
    assert f"à la colonne {column}" in error.message and "UTF-8" in str(error)


def test_a_csv_and_a_yaml_in_latin1_name_the_line(project):
    table = project.data / "demo" / "2020" / "tables" / "effectifs.csv"
    lines = table.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("ETP moyens", "ETP réels")
    table.write_bytes("\n".join(lines).encode("latin-1"))
    error = only_error(project, DataError)
    assert error.where() == "data/demo/2020/tables/effectifs.csv:3"
    assert "à la colonne 10" in error.message and "UTF-8" in str(error)

    table.write_text("\n".join(lines), encoding="utf-8")
    figures = project.data / "demo" / "2020" / "figures" / "message.yml"
    figures.write_bytes(figures.read_bytes() + "\nlibell\xe9: \"12\"\n".encode("latin-1"))
    error = only_error(project, DataError)
    assert error.where() == "data/demo/2020/figures/message.yml:6" and "à la colonne 7" in error.message


@pytest.mark.parametrize("file, kind, where", [
    ("data/demo/2020/figures/message.yml", DataError, "data/demo/2020/figures/message.yml:2"),
    ("content/demo/2020/edition.yml", ConfigError, "content/demo/2020/edition.yml:2"),
    ("content/demo/2020/01-contexte.md", ContentError, "content/demo/2020/01-contexte.md:2"),
])
def test_a_nul_byte_in_yaml_names_the_line(project, file, kind, where):
    path = project.root / file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1][:3] + "\0" + lines[1][3:]       # the second line: front matter for a chapter
    path.write_text("\n".join(lines), encoding="utf-8")
    error = only_error(project, kind)
    assert error.where() == where and "U+0000 à la colonne 4" in error.message


# --- YAML aliases -----------------------------------------------------------------------------
def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "bombe:\n" + "\n".join("  " + line for line in lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_unfolds(project):
    figures = project.data / "demo" / "2020" / "figures" / "bombe.yml"
    figures.write_text(billion_laughs(), encoding="utf-8")
    error = only_error(project, DataError)
    assert error.path == figures and error.line is not None and 2 <= error.line <= 11
    assert "se déplie en plus de 100\u202f000 valeurs" in error.message


def test_too_many_aliases_and_a_self_containing_alias_are_refused(tmp_path):
    many = tmp_path / "alias.yml"
    many.write_text("base: &b 1\n" + "".join(f"k{n}: *b\n" for n in range(yamlio.MAX_ALIASES + 1)))
    with pytest.raises(DataError) as err:
        yamlio.load_yaml(many)
    assert err.value.line == yamlio.MAX_ALIASES + 2 and "alias" in err.value.message
    loop = tmp_path / "boucle.yml"
    loop.write_text("a: &a\n  - 1\n  - *a\n")
    with pytest.raises(DataError) as err:
        yamlio.load_yaml(loop)
    assert err.value.line == 3 and "se contient lui-même" in err.value.message


def test_ordinary_aliases_still_work(tmp_path):
    path = tmp_path / "ok.yml"
    path.write_text("base: &b {x: 1}\nautre: *b\nliste: [*b, *b]\n")
    assert yamlio.load_yaml(path) == {"base": {"x": 1}, "autre": {"x": 1}, "liste": [{"x": 1}, {"x": 1}]}


# --- tables -----------------------------------------------------------------------------------
def _table(project, name: str = "effectifs.csv") -> Path:
    return project.data / "demo" / "2020" / "tables" / name


def test_a_table_with_too_many_rows_is_refused_at_the_first_row_too_many(project):
    rows = "".join(f"r{n};Ligne {n};{n};{n}\n" for n in range(100_000))
    _table(project).write_text("_key;Effectifs;2020;2019\n" + rows, encoding="utf-8")
    error = only_error(project, DataError)
    assert error.where() == f"data/demo/2020/tables/effectifs.csv:{readers.MAX_ROWS + 2}"
    assert "plus de 5\u202f000 lignes" in error.message


def test_a_table_file_too_large_is_refused_before_it_is_read(project):
    cell = "x" * 1000
    _table(project).write_text("_key;Effectifs;2020;2019\n" + f"a;{cell};1;2\n" * 5100, encoding="utf-8")
    error = only_error(project, DataError)
    assert error.where() == "data/demo/2020/tables/effectifs.csv"
    assert "trop gros : 5,1 Mo, 5,0 Mo au plus" in error.message


def test_a_table_that_is_a_folder_is_said_so(tmp_path):
    folder = tmp_path / "effectifs.csv"
    folder.mkdir()
    with pytest.raises(DataError) as err:
        readers.read_grid(folder)
    assert "dossier" in err.value.message


def test_a_row_with_a_cell_missing_is_an_error_naming_its_line(project):
    path = _table(project)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].rsplit(";", 1)[0]                 # the row loses its last cell and its « ; »
    path.write_text("\n".join(lines), encoding="utf-8")
    error = only_error(project, DataError)
    assert error.where() == "data/demo/2020/tables/effectifs.csv:3"
    assert "3 cellules pour 4 colonnes : il manque une cellule" in error.message


def test_blank_lines_after_the_rows_are_not_rows(project):
    path = _table(project, "population.csv")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n\n", encoding="utf-8")      # blank lines at the end are not rows
    errors, _warnings = check(project, EDITION)
    assert not errors, [str(e) for e in errors]
