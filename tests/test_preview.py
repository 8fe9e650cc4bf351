"""``reportgen preview``: served on 127.0.0.1, rebuilt on each save, errors shown in the page.

The browser test drives Debian's Chromium (installed by ``make test``) through Playwright:
it opens the preview, saves a change to a content file and waits for the new text to appear
in the same page, then saves a broken directive and reads the error in the page, the last
good text still below it.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.error
import urllib.request

import pytest

from reportgen.preview import Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def server(project):
    running = Server(project, "demo/2020", port=0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.close()


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


def test_the_server_serves_the_page_the_pdf_and_nothing_outside_the_project(server):
    status, body, kind = _get(server.url)           # redirected to the edition's page
    assert status == 200 and kind.startswith("text/html")
    page = body.decode("utf-8")
    assert "rg-preview-error" in page and "/status" in page   # the reloading client is in the page
    assert "Rapport" in page
    status, body, kind = _get(server.url + "pdf")
    assert status == 200 and body.startswith(b"%PDF") and kind == "application/pdf"
    state = json.loads(_get(server.url + "status")[1])
    assert state["version"] == 1 and state["error"] is None
    assert _get(server.url + "../../etc/passwd")[0] == 404
    assert _get(server.url + "tests/conftest.py")[0] == 404
    stylesheet = _get(server.url + "layouts/assurance-maladie/style.css")
    assert stylesheet[0] == 200 and b"@page" in stylesheet[1]


def test_a_failed_build_keeps_the_last_good_preview(server, project):
    chapter = project.root / "content" / "demo" / "2020" / "01-contexte.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + '\n{{ fig("nulle.part") }}\n', encoding="utf-8")
    server.preview.rebuild()
    state = server.preview.status()
    assert state["version"] == 1
    assert "01-contexte.md:" in state["error"] and "nulle.part" in state["error"]
    assert _get(server.url)[0] == 200                 # the last good page is still served


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("REPORTGEN_REQUIRE_BROWSER"),
                    reason="Chromium absent : « make test » l'installe (paquet Debian chromium)")
def test_the_page_follows_a_saved_change_in_a_real_browser(server, project):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Chromium est requis pour ce test (paquet Debian chromium)"
    chapter = project.root / "content" / "demo" / "2020" / "02b-activite-suite.md"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.goto(server.url)
            page.wait_for_selector("text=Les délais")
            assert page.locator("text=Un paragraphe écrit pendant l'aperçu").count() == 0
            chapter.write_text(chapter.read_text(encoding="utf-8")
                               + "\nUn paragraphe écrit pendant l'aperçu, visible sans recharger.\n",
                               encoding="utf-8")
            page.wait_for_selector("text=visible sans recharger", timeout=60_000)
            chapter.write_text(chapter.read_text(encoding="utf-8") + '\n{{ fig("nulle.part") }}\n',
                               encoding="utf-8")
            page.wait_for_selector("#rg-preview-error:not([hidden])", timeout=60_000)
            error = page.inner_text("#rg-preview-error")
            assert "02b-activite-suite.md:" in error and "nulle.part" in error
            assert page.locator("text=visible sans recharger").count() == 1   # the last good text stays
        finally:
            browser.close()
