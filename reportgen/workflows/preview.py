"""``reportgen preview``: the edition in a browser, rebuilt on every saved change.

A small web server on 127.0.0.1 serves the edition's pages as HTML (the very HTML the PDF is
laid out from) and the latest PDF. A watcher (watchfiles) rebuilds the draft whenever a file
under the edition's ``content/`` or ``data/`` folder, its caisse's identity
(``content/<caisse>/theme.yml``) or a file under ``layouts/`` (a ``layout.yml`` too) is saved;
the draft is laid out in pieces, so that only the changed chapters are laid out again. The page
asks the server every half second whether a newer build exists and reloads itself. When a
build fails, the error is shown at the top of the page, in French, with its file and line,
and the last good preview stays visible below it.

The server answers only requests addressed to 127.0.0.1 or localhost (its ``Host`` header):
a web page elsewhere cannot reach it through a domain name that points to this machine (DNS
rebinding). A client that does not finish its request within a few seconds is cut off.
"""
from __future__ import annotations

import errno
import json
import mimetypes
import os
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..edition.config import theme_file
from ..errors import ReportError
from ..project import Project, shipped_layouts

POLL_MS = 500
IDLE_SECONDS = 5        # a connection that sends nothing for this long is closed
REQUEST_SECONDS = 10    # the request line and headers must have arrived by then, however slowly sent

CLIENT = """
<div id="rg-preview-bar" role="status" style="position:fixed;top:0;left:0;right:0;z-index:1000;
 font:13px/1.4 sans-serif;background:#0c419a;color:#fff;padding:6px 12px;display:flex;gap:16px;align-items:center">
 <strong style="color:inherit">Aperçu</strong><span id="rg-preview-state">{state}</span>
 <a href="/pdf" style="color:#fff;margin-left:auto">Ouvrir le PDF</a></div>
<div id="rg-preview-error" role="alert" hidden style="position:fixed;top:32px;left:0;right:0;z-index:1000;
 font:14px/1.5 sans-serif;background:#fdecea;color:#8a1c1c;border-bottom:2px solid #b23b3b;padding:10px 14px;
 white-space:pre-wrap"></div>
<script>
(function () {{
  var version = {version};
  var bar = document.getElementById("rg-preview-state");
  var box = document.getElementById("rg-preview-error");
  function tick() {{
    fetch("/status", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }}).then(function (s) {{
      if (s.version > version) {{ location.reload(); return; }}
      if (s.error) {{
        box.textContent = "La dernière modification n'a pas pu être construite ; l'aperçu montre la version "
          + "précédente.\\n" + s.error;
        box.hidden = false;
      }} else {{ box.hidden = true; }}
      bar.textContent = s.building ? "construction en cours…" : s.state;
    }}).catch(function () {{ bar.textContent = "serveur d'aperçu arrêté"; }})
      .finally(function () {{ setTimeout(tick, {poll}); }});
  }}
  setTimeout(tick, {poll});
}})();
</script>
<style>@media screen {{ body {{ margin-top: 40px; }} }}</style>
"""


class Preview:
    """The state of one edition's preview: the last good build, the last error."""

    def __init__(self, project: Project, edition: str):
        self.project = project
        self.edition = edition
        self.paths = project.edition(edition)
        self.version = 0
        self.error: str | None = None
        self.state = "pas encore construit"
        self.building = False
        self.html: Path | None = None
        self.pdf: Path | None = None
        self._lock = threading.Lock()

    def rebuild(self) -> None:
        from ..builder import Builder

        with self._lock:
            self.building = True
            start = time.perf_counter()
            try:
                result = Builder(self.project, self.edition, draft=True).run()
            except ReportError as exc:
                self.error = str(exc)
            except Exception as exc:   # noqa: BLE001 - the preview goes on; the message is shown
                self.error = f"erreur inattendue : {exc!r}"
            else:
                self.error = None
                self.html, self.pdf = result.html, result.pdf
                seconds = f"{time.perf_counter() - start:.1f}".replace(".", ",")
                self.state = f"{result.pages} pages, construit en {seconds} s à {time.strftime('%H:%M:%S')}"
                self.version += 1
            finally:
                self.building = False

    def watched(self) -> list[Path]:
        """The folders watched: the caisse's (for its ``theme.yml``; see :meth:`wanted`), the
        edition's data, the layouts."""
        caisse = self.paths.content.parent
        return [p for p in (caisse, self.paths.data, *self.project.layout_roots) if p.exists()]

    def wanted(self, path: str | Path) -> bool:
        """Whether a change to ``path`` rebuilds: in the caisse's folder, only the edition's own
        folder and the caisse's ``theme.yml`` (not the other years); no hidden or backup file."""
        path = Path(path)
        if path.name.startswith((".", "~")):
            return False
        caisse, edition = self.paths.content.parent, self.paths.content
        if path == caisse or caisse in path.parents:
            return path == theme_file(self.paths.manifest) or path == edition or edition in path.parents
        return True

    def watch(self, stop: threading.Event) -> None:
        from watchfiles import watch

        for _changes in watch(*self.watched(), stop_event=stop, debounce=150, step=50,
                              watch_filter=lambda _change, path: self.wanted(path)):
            self.rebuild()

    def status(self) -> dict:
        return {"version": self.version, "error": self.error, "state": self.state, "building": self.building}

    def page_url(self) -> str:
        if self.html is None:
            return "/status"
        return "/" + self.html.relative_to(self.project.root).as_posix()


ERROR_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Aperçu : erreur %(code)d</title></head>
<body style="font:16px/1.5 sans-serif;margin:2em"><h1>Erreur %(code)d</h1><p>%(message)s</p></body></html>
"""


SHIPPED_URL = "/_reportgen/layouts/"   # where the preview serves the layouts installed with reportgen


def make_handler(preview: Preview, port: int | None = None):
    """The request handler; ``port`` is the one the server listens on, for the ``Host`` check."""
    project = preview.project
    root = project.root.resolve()
    served = [p.resolve() for p in project.readable]
    shipped = shipped_layouts().resolve()

    class Handler(BaseHTTPRequestHandler):
        timeout = IDLE_SECONDS    # applied to the socket by StreamRequestHandler.setup
        error_message_format = ERROR_PAGE
        error_content_type = "text/html; charset=utf-8"

        def log_message(self, format, *args):   # noqa: A002 - quiet: the terminal shows the builds
            pass

        def setup(self) -> None:
            super().setup()
            # a client that sends its request a byte at a time is cut off all the same
            self._deadline = threading.Timer(REQUEST_SECONDS, self._cut)
            self._deadline.daemon = True
            self._deadline.start()

        def _cut(self) -> None:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def parse_request(self) -> bool:
            complete = super().parse_request()   # reads the headers
            self._deadline.cancel()   # the request has arrived: answering it may take longer
            return complete

        def finish(self) -> None:
            self._deadline.cancel()
            try:
                super().finish()
            except OSError:   # the client went away
                pass

        def _host_allowed(self) -> bool:
            host = (self.headers.get("Host") or "").strip().lower()
            name, _, given = host.rpartition(":") if ":" in host else (host, "", "")
            return name in ("127.0.0.1", "localhost") and (not given or port is None or given == str(port))

        def do_GET(self):   # noqa: N802 - the http.server name
            if not self._host_allowed():
                shown = f"127.0.0.1:{port}" if port else "127.0.0.1"
                refusal = (f"Accès refusé : l'aperçu ne répond qu'à l'adresse http://{shown}/, "
                           "depuis cette machine.")
                page = ERROR_PAGE % {"code": 403, "message": refusal}
                self._send(page.encode("utf-8"), "text/html; charset=utf-8", HTTPStatus.FORBIDDEN)
                return
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                self.close_connection = True
            except Exception:   # noqa: BLE001 - the preview keeps serving; never a traceback
                try:
                    self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "erreur du serveur d'aperçu")
                except OSError:
                    self.close_connection = True

        def _answer(self) -> None:
            path = unquote(urlparse(self.path).path)
            if any(ord(c) < 32 or c == "\x7f" for c in path):   # %00 and other control characters
                self.send_error(HTTPStatus.BAD_REQUEST, "adresse invalide")
            elif path == "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", preview.page_url())
                self.end_headers()
            elif path == "/status":
                self._send(json.dumps(preview.status()).encode(), "application/json")
            elif path == "/pdf":
                if preview.pdf is None or not preview.pdf.exists():
                    self.send_error(HTTPStatus.NOT_FOUND, "pas encore de PDF")
                else:
                    self._send(preview.pdf.read_bytes(), "application/pdf")
            else:
                self._file(path)

        def _file(self, path: str) -> None:
            try:
                if path.startswith(SHIPPED_URL) and not shipped.is_relative_to(root):
                    target = (shipped / path[len(SHIPPED_URL):]).resolve()   # reportgen's own layouts
                else:
                    target = (root / path.lstrip("/")).resolve()   # a symbolic link is followed, then checked
                inside = any(target == f or f in target.parents for f in served) and target.is_file()
                data = target.read_bytes() if inside else b""
            except (OSError, ValueError):   # a name too long, a folder that cannot be read…
                inside = False
            if not inside:
                self.send_error(HTTPStatus.NOT_FOUND, "fichier introuvable")
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if preview.html is not None and target == preview.html.resolve():
                client = CLIENT.format(version=preview.version, poll=POLL_MS, state=preview.state)
                page = data.decode("utf-8").replace("</body>", client + "</body>")
                if not shipped.is_relative_to(root):   # the layouts installed with reportgen, by their address here
                    far = Path(os.path.relpath(shipped, target.parent)).as_posix()
                    page = page.replace(f'"{far}/', f'"{SHIPPED_URL}')
                data = page.encode("utf-8")
                kind = "text/html; charset=utf-8"
            self._send(data, kind)

        def _send(self, data: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.connection.settimeout(60)   # a large PDF to a busy browser: more time than for a request
            self.wfile.write(data)

    return Handler


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass   # a client that went away, a request cut off: nothing the user has to read


class Server:
    """The preview's web server and watcher, started together, stopped together."""

    def __init__(self, project: Project, edition: str, port: int = 8000):
        self.preview = Preview(project, edition)
        # the port first: a busy one is said at once, not after a build
        self.http = _HTTPServer(("127.0.0.1", port), make_handler(self.preview), bind_and_activate=False)
        try:
            self.http.server_bind()
            self.http.server_activate()
        except OSError as exc:
            self.http.server_close()
            if exc.errno == errno.EADDRINUSE:
                raise ReportError(f"le port {port} est déjà utilisé",
                                  hint="choisissez-en un autre avec --port") from None
            raise ReportError(f"le port {port} ne peut pas être ouvert ({exc.strerror})",
                              hint="choisissez-en un autre avec --port, au-dessus de 1024") from None
        self.port = self.http.server_address[1]
        self.http.RequestHandlerClass = make_handler(self.preview, self.port)
        self.preview.rebuild()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self.preview.watch, args=(self._stop,), daemon=True)
        self._watcher.start()

    def serve_forever(self) -> None:
        self.http.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        self._stop.set()
        self.http.shutdown()
        self.http.server_close()
        self._watcher.join(timeout=5)


def serve(project: Project, edition: str, port: int = 8000, on_ready=None) -> None:
    """Build, serve, watch; returns when interrupted (Ctrl+C)."""
    server = Server(project, edition, port)
    if on_ready:
        on_ready(server.preview, server.port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
