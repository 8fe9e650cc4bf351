"""``reportgen preview``: served on 127.0.0.1, rebuilt on each save, errors shown in the page.

The browser test drives Debian's Chromium (installed by ``make test``) through Playwright:
it opens the preview, saves a change to a content file and waits for the new text to appear
in the same page, then saves a broken directive and reads the error in the page, the last
good text still below it.
"""
from __future__ import annotations

import http.client
import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from reportgen.workflows import preview as preview_module
from reportgen.errors import ReportError
from reportgen.workflows.preview import Server

from conftest import REPO

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


def _wait(condition, seconds: float = 60) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_saved_caisse_theme_rebuilds_the_preview_in_its_colours(server, project):
    theme = project.root / "content" / "demo" / "theme.yml"
    assert not theme.exists()
    assert "#5b2a86" not in _get(server.url)[1].decode("utf-8")
    theme.write_text('primary: "#5b2a86"\n', encoding="utf-8")       # the caisse's identity, for every year
    assert _wait(lambda: server.preview.status()["version"] >= 2 and not server.preview.building), \
        "saving content/<caisse>/theme.yml did not rebuild the preview"
    assert server.preview.status()["error"] is None
    assert "--primary: #5b2a86" in _get(server.url)[1].decode("utf-8")


def test_the_watcher_follows_the_theme_and_layout_yml_not_the_caisse_s_other_years(project, monkeypatch):
    # a copy of the layouts, so that the test can save a layout.yml
    (project.root / "layouts").unlink()
    shutil.copytree(REPO / "layouts", project.root / "layouts")
    preview = preview_module.Preview(project, "demo/2020")
    rebuilt = threading.Event()
    monkeypatch.setattr(preview, "rebuild", rebuilt.set)
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
    watcher.start()
    try:
        time.sleep(1)                                            # the watcher is set up
        other_year = project.root / "content" / "demo" / "2019" / "01-contexte.md"
        other_year.parent.mkdir()
        other_year.write_text("# Une autre année\n", encoding="utf-8")
        assert not rebuilt.wait(1.5), "a file of another year of the caisse rebuilt this edition"
        for saved, text in ((project.root / "content" / "demo" / "theme.yml", 'accent: "#12ab34"\n'),
                            (project.root / "layouts" / "assurance-maladie" / "layout.yml", "\n# changé\n")):
            rebuilt.clear()
            saved.write_text((saved.read_text(encoding="utf-8") if saved.exists() else "") + text,
                             encoding="utf-8")
            assert rebuilt.wait(10), f"saving {saved.name} did not rebuild the preview"
    finally:
        stop.set()
        watcher.join(timeout=5)


def test_the_page_follows_a_saved_change_in_a_real_browser(server, project, browser):
    """In the session's Chromium (one Playwright per process: a second one would find its loop running)."""
    chapter = project.root / "content" / "demo" / "2020" / "02b-activite-suite.md"
    page = browser.new_page()
    try:
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
        page.close()


# --- what the server accepts: local host names only, complete requests in time, no traceback ----
@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    """One preview for the tests below, which do not change the edition."""
    from tests.conftest import copy_fixture

    running = Server(copy_fixture(tmp_path_factory.mktemp("apercu")), "demo/2020", port=0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.close()


def _ask(port: int, path: str, host: str | None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_only_requests_addressed_to_this_machine_are_answered(local_server):
    port = local_server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", "127.0.0.1", f"LOCALHOST:{port}"):
        assert _ask(port, "/status", host)[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", f"localhost:{port + 1}", "127.0.0.1.evil.example",
                 "", None):    # a web page's domain pointed at 127.0.0.1 (DNS rebinding), or no host at all
        status, page = _ask(port, "/status", host)
        assert status == 403, host
        assert "Accès refusé" in page and f"http://127.0.0.1:{port}/" in page and '"version"' not in page


def _closed_within(sock: socket.socket, seconds: float, trickle: bool = False) -> bool:
    """Whether the server closes the connection within ``seconds`` (sending a byte every 0,2 s if ``trickle``)."""
    end = time.monotonic() + seconds
    sock.settimeout(0.2)
    while time.monotonic() < end:
        try:
            if sock.recv(1024) == b"":
                return True
        except TimeoutError:
            pass
        except OSError:
            return True
        if trickle:
            try:
                sock.sendall(b"x")
            except OSError:
                return True
    return False


def test_a_client_that_never_finishes_its_request_is_cut_off(local_server, monkeypatch):
    monkeypatch.setattr(preview_module, "REQUEST_SECONDS", 1.5)
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", local_server.port), timeout=5) as idle:
        idle.sendall(b"GET /status HTTP/1.1")          # no end of line, then silence
        assert _closed_within(idle, preview_module.IDLE_SECONDS + 3)
    assert time.monotonic() - start < preview_module.IDLE_SECONDS + 3
    with socket.create_connection(("127.0.0.1", local_server.port), timeout=5) as slow:
        slow.sendall(b"GET /")                         # then a byte every 0,2 s, never a newline
        assert _closed_within(slow, 5, trickle=True)
    assert _ask(local_server.port, "/status", f"127.0.0.1:{local_server.port}")[0] == 200


def test_odd_paths_get_an_error_page_never_a_traceback(local_server, capfd):
    port = local_server.port
    for path in ("/%00", "/content/%00.md", "/%0a", "/%ff%fe", "/" + "a" * 5000, "/content/" + "x/" * 400,
                 "//etc/passwd", "/..%2f..%2fetc/passwd", "/build/%2e%2e/%2e%2e/etc/passwd"):
        status, page = _ask(port, path, f"127.0.0.1:{port}")
        assert status in (400, 404), path
        assert "Erreur" in page and 'lang="fr"' in page
    assert _ask(port, "/status", f"127.0.0.1:{port}")[0] == 200     # still serving
    assert "Traceback" not in capfd.readouterr().err


def test_a_busy_port_is_said_in_french(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(ReportError) as err:
            Server(project, "demo/2020", port=port)
    assert str(err.value) == f"le port {port} est déjà utilisé — choisissez-en un autre avec --port"
    assert time.monotonic() - start < 5            # said at once, before building anything
