"""A local preview: output/site over http on 127.0.0.1, rebuilt whenever a source, catalog, template
or site.toml changes (polled every second). The site is served under the path of site_url (/health/),
as it is published, so the 404 page's root-relative links work too."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .config import CONFIG_NAME, Project
from .errors import InputError

WATCHED = ("source", "locales", "templates", CONFIG_NAME)


class SiteHandler(SimpleHTTPRequestHandler):
    """Files of the site under `prefix`; a missing one gets the site's 404 page (its language's, if any)."""

    def __init__(self, *args, prefix: str = "/", **kwargs):
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def send_head(self):
        path = urlsplit(self.path).path
        if path in ("/", self.prefix.rstrip("/")) and path != self.prefix:
            self.send_response(302)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return None
        if not path.startswith(self.prefix):
            # Outside the site: the clinic's own site answers there, with its own icon.
            self.send_error(204 if path == "/favicon.ico" else 404)
            return None
        return super().send_head()

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


def make_server(site: Path, prefix: str, port: int) -> ThreadingHTTPServer:
    """An http server for `site` on 127.0.0.1:`port` (0: any free port); start it with serve_forever()."""
    return ThreadingHTTPServer(("127.0.0.1", port), partial(SiteHandler, directory=str(site), prefix=prefix))


def fingerprint(root: Path) -> list[tuple[str, int, int]]:
    """Path, mtime and size of every watched file: any edit, addition or removal changes it."""
    found = []
    for name in WATCHED:
        top = root / name
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            try:
                stat = path.stat()
            except OSError:  # removed meanwhile, or site.toml missing
                continue
            if path.is_file():
                found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return found


def serve(project: Project, port: int, build: Callable[[], object]) -> int:
    """Build, serve, and rebuild on every change until Ctrl-C. `build` prints what it did or refused."""
    prefix = urlsplit(project.site_url).path or "/"
    try:
        server = make_server((project.output_dir / "site").resolve(), prefix, port)
    except (OSError, OverflowError) as err:
        raise InputError("--port", None, f"cannot listen on 127.0.0.1:{port}: {getattr(err, 'strerror', err)}") from None
    thread = None
    try:
        seen = fingerprint(project.root)
        _rebuild(build)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        print(f"Serving http://127.0.0.1:{server.server_address[1]}{prefix} (Ctrl-C to stop); "
              f"rebuilding when {', '.join(WATCHED)} change", flush=True)
        while True:
            time.sleep(1)
            now = fingerprint(project.root)
            if now != seen:
                seen = now
                _rebuild(build)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        if thread:
            server.shutdown()
        server.server_close()
    return 0


def _rebuild(build: Callable[[], object]) -> None:
    """A failed build leaves the last good site in place and the preview running."""
    print(time.strftime("%H:%M:%S"), "building...", flush=True)
    try:
        build()
    except InputError as err:
        print(f"error: {err}", flush=True)
    except Exception as err:  # keep serving; the next save may fix it
        print(f"error: {type(err).__name__}: {err}", flush=True)
