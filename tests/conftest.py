"""Shared fixtures: a copy of the small demo edition, built once per session where possible.

Three environment flags make a missing tool a failure instead of a skip (``.ci/run`` sets them):
``REPORTGEN_REQUIRE_BROWSER`` (Chromium and axe-core), ``REPORTGEN_REQUIRE_REFERENCES`` (the
published reports' texts and tools in ``../shared``), and ``REPORTGEN_NO_SKIP``, which fails any
other skipped test, so that CI reports 0 skipped.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reportgen.builder import build
from reportgen.errors import set_display_root
from reportgen.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "project"


def copy_fixture(target: Path) -> Project:
    """A writable copy of the demo project, using the repository's layouts."""
    shutil.copytree(FIXTURE / "content", target / "content")
    shutil.copytree(FIXTURE / "data", target / "data")
    (target / "layouts").symlink_to(REPO / "layouts", target_is_directory=True)
    project = Project(target.resolve())
    set_display_root(project.root)
    return project


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` of a file of the demo copy by ``new``; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_fixture(tmp_path)


@pytest.fixture(scope="session")
def _demo_built_once(tmp_path_factory):
    """The demo edition built once: (project, result, a pristine copy of the built tree)."""
    project = copy_fixture(tmp_path_factory.mktemp("demo"))
    result = build(project, "demo/2020")
    pristine = tmp_path_factory.mktemp("demo-pristine") / "projet"
    shutil.copytree(project.root, pristine, symlinks=True)    # before any test touches the built one
    return project, result, pristine


@pytest.fixture(scope="session")
def demo_build(_demo_built_once):
    """The demo edition built once: (project, result), shared by the tests that only read it."""
    project, result, _ = _demo_built_once
    return project, result


@pytest.fixture
def built_project(_demo_built_once, tmp_path: Path) -> Project:
    """A writable copy of the demo project with its good build in ``build/`` (PDF, HTML, web, workbooks).

    For the tests that break one file and check that the previous outputs are kept: each gets
    its own copy of the session's build instead of building the demo again. ``layouts`` stays
    a link to the repository's layouts, as in :func:`copy_fixture`.
    """
    target = tmp_path / "construit"
    shutil.copytree(_demo_built_once[2], target, symlinks=True)
    project = Project(target.resolve())
    set_display_root(project.root)
    return project


# --- skips: listed by -rs (pyproject), failures where CI requires what they lack --------------------
def skip_or_fail(flag: str, reason: str, hint: str) -> None:
    """Skip the test for ``reason``; fail it instead when the environment variable ``flag`` is set."""
    if os.environ.get(flag):
        pytest.fail(f"{reason} ({flag} est posé) : {hint}", pytrace=False)
    pytest.skip(f"{reason} : {hint}")


SHARED = REPO.parent / "shared"      # the published reports' texts and tools, beside the project


def require_shared(path: Path) -> Path:
    """``path`` under ``../shared``; the test is skipped without it, unless CI requires the references."""
    if not path.exists():
        skip_or_fail("REPORTGEN_REQUIRE_REFERENCES", f"absent : ../shared/{path.relative_to(SHARED)}",
                     "placer le dossier shared/ (textes des rapports publiés, outils) à côté du projet")
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With ``REPORTGEN_NO_SKIP``, a skipped test is reported as failed, with its reason."""
    report = yield
    if report.skipped and os.environ.get("REPORTGEN_NO_SKIP") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"test sauté alors que REPORTGEN_NO_SKIP est posé : {reason}"
    return report


def pytest_collection_modifyitems(items):
    """A test that opens the browser is slow (``make test-quick`` leaves it out)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


# --- the browser: Debian's Chromium through Playwright, and axe-core from the npm registry -------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {"telephone": 375, "bureau": 1280}      # a phone, a desktop screen


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the session; the tests are skipped without it, unless CI requires it."""
    missing = [what for what, there in (("chromium", CHROMIUM), ("axe-core", AXE.is_file())) if not there]
    if missing:
        skip_or_fail("REPORTGEN_REQUIRE_BROWSER", f"absent : {', '.join(missing)}",
                     "« make test » installe Chromium et axe-core")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        running = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield running
        finally:
            running.close()


def audit_page(browser, page_file: Path, width: int, captures: Path | None = None) -> dict:
    """Open a web edition at ``width``: its overflow, its axe-core violations, and screenshots.

    Returns ``{"overflow": [...], "clipped": [...], "violations": [...], "scroll_boxes": n,
    "focusable_boxes": n}``: elements wider than the screen, chart texts cut by their drawing's
    edge, axe-core's findings, tables that scroll and those of them the keyboard reaches.
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(page_file.resolve().as_uri())
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        result = page.evaluate("""() => {
            const width = document.documentElement.clientWidth;
            const overflow = [];
            for (const el of document.querySelectorAll('body *')) {
                if (el.closest('.table-scroll') || el.closest('.visually-hidden') || el.closest('svg')) continue;
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1) overflow.push(el.tagName.toLowerCase() + '.' + el.className);
            }
            const clipped = [];    // a chart's text cut by the edge of its drawing
            for (const svg of document.querySelectorAll('svg.chart-svg')) {
                const frame = svg.getBoundingClientRect();
                if (!frame.width) continue;      // the drawing for the other width
                for (const text of svg.querySelectorAll('text')) {
                    const r = text.getBoundingClientRect();
                    if (r.width && (r.left < frame.left - 1 || r.right > frame.right + 1
                                    || r.top < frame.top - 1 || r.bottom > frame.bottom + 1))
                        clipped.push(svg.querySelector('title').textContent + ' : ' + text.textContent);
                }
            }
            const boxes = [...document.querySelectorAll('.table-scroll')];
            return {page_width: document.documentElement.scrollWidth, width,
                    overflow_x: getComputedStyle(document.body).overflowX + '/' + getComputedStyle(document.documentElement).overflowX,
                    overflow: overflow.slice(0, 10), clipped: clipped.slice(0, 10),
                    scroll_boxes: boxes.filter(b => b.scrollWidth > b.clientWidth + 1).length,
                    focusable_boxes: boxes.filter(b => b.tabIndex === 0 && b.getAttribute('role') === 'region'
                                                        && b.getAttribute('aria-label')).length};
        }""")
        if captures:
            captures.mkdir(parents=True, exist_ok=True)
            name = next(k for k, v in WIDTHS.items() if v == width) if width in WIDTHS.values() else str(width)
            page.screenshot(path=str(captures / f"{name}-1-couverture.png"))
            for n, selector in enumerate(("figure.table-block", "figure.chart", ".kpis"), 2):
                found = page.locator(selector).first
                if found.count():
                    found.scroll_into_view_if_needed()
                    page.screenshot(path=str(captures / f"{name}-{n}-{selector.split('.')[-1]}.png"))
        page.add_script_tag(path=str(AXE))
        result["violations"] = page.evaluate("""async () => {
            const found = await axe.run(document, {resultTypes: ['violations']});
            return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""")
        return result
    finally:
        page.close()
