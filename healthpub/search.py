"""Search: Pagefind turns the site's pages into a static search bundle that runs in the browser, with
no server and no request off the site. It builds a separate index per language, named by each page's
<html lang> (zh-tw, en), and its extended binary segments Chinese and Japanese text into words.

The bundle is returned as files, for the caller to publish with the rest of the site: nothing here
writes to output/. Pagefind's command line indexes a temporary folder of the pages: when it exits,
every file of the bundle is on disk. Pagefind holds the whole index in memory (about 0.4 MB a Chinese
page): it runs once per language, whose indexes share nothing, so that only the largest
language is in memory at once. Its Python API answered write_files() before that, under load
(an empty pagefind-entry.json), reads each answer after a 0.1 s pause (0.1 s a page, page by page),
and its get_files() waits for ever once the bundle outgrows its 2 MiB pipe buffer."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import output
from .cache import digest
from .errors import InputError

try:
    import pagefind_bin_extended
except ImportError:  # refused with the install command when search is built
    pagefind_bin_extended = None

FOLDER = "pagefind"  # the bundle's folder under the site root: pagefind.js finds the root from it
TIMEOUT = 60  # seconds one run of Pagefind may take (about 2 s for 200 pages)
INSTALL_HINT = ".venv/bin/pip install -r requirements.txt"
MARKED = re.compile(rb"<main\b[^>]*\sdata-pagefind-body[\s=/>]")
LANG = re.compile(rb"<html\b[^>]*\slang=\"([^\"]*)\"")  # as the templates write it, and Pagefind reads it


def index(pages: dict[str, bytes | Path], cache: Path | None = None) -> dict[str, bytes]:
    """The Pagefind bundle for `pages` (path under the site root → HTML, or the file holding it:
    a staged page is linked, not read into memory), as path under the site
    root → bytes: pagefind/pagefind.js, pagefind-entry.json, each language's index, fragment and
    metadata files, the wasm, and the ready-made UIs (pagefind-ui.js and .css, …).

    With a `cache` folder, each language's bundle is kept there under a hash of its pages and of
    the binary, and Pagefind runs again only for the languages whose pages changed: a translator's
    edit re-indexes that language alone. The folder then holds the bundles of `pages`, no others.

    The templates must put `data-pagefind-body` on each page's <main>: Pagefind then indexes that
    element only, leaves out every page without it, and titles the page's results with its first
    <h1>. A page given here without it is refused: it would be left out, or indexed whole, language
    names and footer included."""
    by_lang: dict[str, dict[str, bytes | Path]] = {}
    hashes = {}
    for name, html in pages.items():
        data = html if isinstance(html, bytes) else html.read_bytes()
        if not MARKED.search(data):
            raise InputError(name, None, "its <main> has no data-pagefind-body attribute, which search needs",
                             "add it to the <main> of the template that writes this page")
        lang = LANG.search(data)
        by_lang.setdefault(lang[1].decode().lower() if lang else "", {})[name] = html
        hashes[name] = hashlib.sha256(data).hexdigest()
    binary, hint = _binary()
    files: dict[str, bytes] = {}
    languages = {}
    kept = set()
    for _, group in sorted(by_lang.items()):  # a build has one document at least (state.py)
        if cache is None:
            bundle = _index(group, binary, hint)
        else:
            stat = binary.stat()
            key = digest(str(binary), f"{stat.st_size} {stat.st_mtime_ns}",
                         *(f"{name}\0{hashes[name]}" for name in sorted(group))).hex()
            kept.add(key)
            bundle = _kept(cache / key, lambda: _index(group, binary, hint))
        entry = json.loads(bundle.pop(f"{FOLDER}/pagefind-entry.json"))
        languages.update(entry["languages"])
        files.update(bundle)  # the script, the wasm and the UIs are the same from every run
    # Pagefind lists the languages in a random order, which also breaks its ties when a page's
    # language has no index of its own (the one with the most pages is searched): sorted, the same
    # pages give the same bundle, byte for byte.
    entry["languages"] = dict(sorted(languages.items()))
    files[f"{FOLDER}/pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    if cache is not None:
        for stale in {path.name for path in cache.iterdir()} - kept:
            shutil.rmtree(cache / stale, ignore_errors=True)
    return files


def _kept(folder: Path, make) -> dict[str, bytes]:
    """The bundle kept in `folder`, or else `make()` it and keep it there (whole or not at all)."""
    if not folder.is_dir():
        bundle = make()
        partial = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
        shutil.rmtree(partial, ignore_errors=True)
        for name, data in bundle.items():
            (partial / name).parent.mkdir(parents=True, exist_ok=True)
            output.write(partial / name, data)
        partial.mkdir(parents=True, exist_ok=True)
        partial.rename(folder)
        return bundle
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _binary() -> tuple[Path, str]:
    """The Pagefind binary, checked to run before anything waits on it, and the hint for its
    failures: the extended binary of its wheel, unless PAGEFIND_BINARY_PATH names another (as
    Pagefind's own Python wrapper reads it)."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    hint = f"unset PAGEFIND_BINARY_PATH, or {INSTALL_HINT}" if override else INSTALL_HINT
    if pagefind_bin_extended is None:
        raise InputError("pagefind", None, "Pagefind's extended binary is not installed", hint)
    try:
        binary = Path(override) if override else pagefind_bin_extended.get_executable()
        answer = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise InputError(override or "pagefind", None,
                         f"the Pagefind binary cannot run: {getattr(err, 'strerror', None) or err}", hint) from None
    if answer.returncode != 0 or not answer.stdout.startswith("pagefind "):
        said = (answer.stdout + answer.stderr).strip().partition("\n")[0][:100]
        raise InputError(binary, None, f"is not a working Pagefind binary: `--version` exited "
                         f"{answer.returncode}, saying {said!r}", hint)
    return binary, hint


def _index(pages: dict[str, bytes | Path], binary: Path, hint: str) -> dict[str, bytes]:
    """Pagefind's bundle of `pages`, indexed in a temporary folder, as path under the site root → bytes."""
    with tempfile.TemporaryDirectory(prefix="healthpub-search-") as folder:
        site, bundle = Path(folder, "site"), Path(folder, FOLDER)
        for name, html in pages.items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(html, bytes):
                output.write(site / name, html)
            else:
                output.link(html, site / name)
        try:
            result = subprocess.run([binary, "--site", site, "--output-path", bundle], capture_output=True,
                                    text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise InputError(binary, None, f"Pagefind took over {TIMEOUT} s to index the site", hint) from None
        if result.returncode != 0:
            said = (result.stderr + result.stdout).strip().splitlines()[-1:] or ["nothing"]
            raise InputError(binary, None, f"Pagefind stopped with exit {result.returncode}, saying {said[0][:100]!r}",
                             hint)
        return {f"{FOLDER}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
                for path in sorted(bundle.rglob("*")) if path.is_file()}
