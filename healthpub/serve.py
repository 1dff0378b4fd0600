"""A local preview for authors, not a publication: output/site over http on 127.0.0.1, built as a
draft (unreviewed text shows, with the draft banner) whenever a source, catalog, template or
site.toml changes (looked at every POLL seconds). The pages are rebuilt first, then the review
report, then the leaflets. An open page asks every 0.25 s whether its own file has changed, and
reloads itself when it has: about a second after a save, and not again for a build that left it as
it was. Every page gets a small panel with the build's outcome and a link to the QA findings of its
language (output/report/). The site is served under the path of site_url (/health/), as it is
published, so the 404 page's root-relative links work too."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .config import CONFIG_NAME, Project
from .errors import InputError

WATCHED = ("source", "locales", "templates", CONFIG_NAME)
POLL = 0.2  # seconds between two looks at the watched files


PREVIEW = "/__preview/"  # the preview's own files: its status, and the review report
# Injected into every page the preview serves (never into output/): reloads the page when a build
# has changed its file, and shows the build's outcome and the QA findings of the page's language.
PREVIEW_SCRIPT = """<script>
(() => {
  const served = "%s";  // the hash of this page's file as it was served (page_hash)
  const panel = document.createElement("aside");
  panel.setAttribute("aria-label", "Preview");
  panel.style.cssText = "position:fixed;bottom:0;right:0;max-width:28rem;padding:.5rem .75rem;background:#1a1a1a;" +
    "color:#fff;font:14px/1.4 system-ui,sans-serif;z-index:9";
  document.body.append(panel);
  const locale = document.documentElement.lang.replace("-", "_");
  async function poll() {
    try {
      const asked = "/__preview/status?page=" + encodeURIComponent(location.pathname);
      const status = await (await fetch(asked, {cache: "no-store"})).json();
      if (status.page !== served) { location.reload(); return; }
      panel.textContent = "Preview (draft) · " + status.message + " · ";
      const link = document.createElement("a");
      link.href = "/__preview/report/" + locale + ".html";
      link.textContent = "QA findings";
      link.style.color = "#fff";
      panel.append(link);
    } catch (error) {
      panel.textContent = "Preview: the server has stopped";
    }
    setTimeout(poll, 250);
  }
  poll();
})();
</script>
"""


class SiteHandler(SimpleHTTPRequestHandler):
    """Files of the site under `prefix`; a missing one gets the site's 404 page (its language's, if
    any). With a `status` (the preview), the preview's files under PREVIEW, and its panel in pages."""

    def __init__(self, *args, prefix: str = "/", status: dict | None = None, **kwargs):
        self.prefix = prefix
        self.status = status
        super().__init__(*args, **kwargs)

    def send_head(self):
        path = urlsplit(self.path).path
        if self.status is not None and path.startswith(PREVIEW):
            return self._preview(path[len(PREVIEW):])
        if path in ("/", self.prefix.rstrip("/")) and path != self.prefix:
            self.send_response(302)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return None
        if not path.startswith(self.prefix):
            # Outside the site: the clinic's own site answers there, with its own icon.
            self.send_error(204 if path == "/favicon.ico" else 404)
            return None
        page = Path(self.translate_path(self.path))
        page = page / "index.html" if page.is_dir() else page
        if self.status is None or page.suffix != ".html" or not page.is_file():
            return super().send_head()
        # A page of the preview: its script goes in before </body>, with the hash of what it shows.
        data = page.read_bytes()
        body = data.replace(b"</body>", (PREVIEW_SCRIPT % page_hash(data)).encode() + b"</body>", 1)
        return self._send(200, "text/html; charset=utf-8", body)

    def _preview(self, name: str):
        """The build's status, or a page of the review report (output/report/, beside the site)."""
        if name == "status":  # with the hash of the asking page's file now, or null if it has gone
            asked = parse_qs(urlsplit(self.path).query).get("page", [""])[0]
            page = Path(self.translate_path(asked)) if asked.startswith(self.prefix) else None
            page = page / "index.html" if page and page.is_dir() else page
            try:
                now = page_hash(page.read_bytes()) if page else None
            except OSError:
                now = None
            return self._send(200, "application/json", json.dumps({**self.status, "page": now}).encode())
        folder = (Path(self.directory).parent / "report").resolve()
        page = (folder / name.removeprefix("report/")).resolve()
        if name.startswith("report/") and page.is_relative_to(folder) and page.is_file():
            return self._send(200, "text/html; charset=utf-8", page.read_bytes())
        self.send_error(404)
        return None

    def _send(self, code: int, kind: str, body: bytes):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + urlsplit(path).path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        site = Path(self.directory)
        first = urlsplit(self.path).path[len(self.prefix):].split("/", 1)[0]
        page = site / first / "404.html" if re.fullmatch(r"[\w-]+", first) else site / "404.html"
        page = page if page.is_file() else site / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")  # a preview: always show the latest build
        super().end_headers()

    def log_message(self, format, *args):
        pass


def page_hash(data: bytes) -> str:
    """What tells an open page that its file has changed: a build that made the same bytes again
    (the leaflets' pass, for a document's page) leaves it alone."""
    return hashlib.sha256(data).hexdigest()


def make_server(site: Path, prefix: str, port: int, status: dict | None = None) -> ThreadingHTTPServer:
    """An http server for `site` on 127.0.0.1:`port` (0: any free port); start it with
    serve_forever(). With a `status` dict, a preview (see PREVIEW_SCRIPT)."""
    return ThreadingHTTPServer(("127.0.0.1", port), partial(SiteHandler, directory=str(site), prefix=prefix,
                                                            status=status))


def fingerprint(root: Path) -> list[tuple[str, int, int]]:
    """Path, mtime and size of every watched file: any edit, addition or removal changes it. One
    stat a file (2 ms for 200 documents), as it runs every POLL seconds."""
    found = []
    for name in WATCHED:
        top = root / name
        walked = os.walk(top) if top.is_dir() else [(str(root), [], [name])]
        for folder, subfolders, files in walked:
            subfolders.sort()
            for file in sorted(files):
                path = os.path.join(folder, file)
                try:
                    stat = os.stat(path)
                except OSError:  # removed meanwhile, or site.toml missing
                    continue
                found.append((path, stat.st_mtime_ns, stat.st_size))
    return found


def serve(project: Project, port: int, build: Callable[[bool], int]) -> int:
    """Build, serve, and rebuild on every change until Ctrl-C. `build(pages_only)` prints what it
    did and returns the command's exit code."""
    prefix = urlsplit(project.site_url).path or "/"
    status = {"version": 0, "message": "building"}
    try:
        # Not resolved: output/site is a link switched at each build, followed on every request.
        server = make_server((project.output_dir / "site").absolute(), prefix, port, status)
    except (OSError, OverflowError) as err:
        raise InputError("--port", None, f"cannot listen on 127.0.0.1:{port}: {getattr(err, 'strerror', err)}") from None
    thread = None
    try:
        seen = fingerprint(project.root)
        _rebuild(build, status, pages_only=False)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        print(f"Serving http://127.0.0.1:{server.server_address[1]}{prefix} (Ctrl-C to stop); "
              f"rebuilding when {', '.join(WATCHED)} change", flush=True)
        while True:
            time.sleep(POLL)
            now = fingerprint(project.root)
            if now != seen:
                seen = now
                # The pages first, for the author looking at one, and the report; then the leaflets.
                if _rebuild(build, status, pages_only=True) == 0:
                    _rebuild(build, status, pages_only=False)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        if thread:
            server.shutdown()
        server.server_close()
    return 0


def _rebuild(build: Callable[[bool], int], status: dict, pages_only: bool) -> int:
    """A failed build leaves the last good site in place and the preview running, saying why."""
    doing = "building pages" if pages_only else "building leaflets"
    print(time.strftime("%H:%M:%S"), f"{doing}...", flush=True)
    status["message"] = doing  # so that a page reloaded meanwhile never shows the last build's outcome
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            code = build(pages_only)
    except Exception as err:  # keep serving; the next save may fix it
        print(f"error: {type(err).__name__}: {err}", file=errors)
        code = 2
    gc.collect()  # what the build left: cli.main makes the collector's full passes rare
    sys.stderr.write(errors.getvalue())
    problem = errors.getvalue().strip().splitlines()[-1:]
    status["message"] = (problem[0] if code else "pages rebuilt; leaflets to follow" if pages_only
                         else "pages and leaflets up to date")
    status["version"] += 1
    return code
