"""Search: the real Pagefind (the extended binary of requirements.txt) indexes the built document
pages. Its files are read as Pagefind's own search reads them: each index chunk is gzip holding
"pagefind_dcd" and CBOR (a word, then the pages it is on), each fragment the same header and JSON
(the page's URL). Then pagefind.js answers queries in Debian's Chromium, on the site served over
http under site_url's path, as it is published."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import threading
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from conftest import DOCS, doc_langs
from healthpub import search
from healthpub.config import load_project
from healthpub.errors import InputError
from healthpub.serve import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
HEADER = b"pagefind_dcd"  # what Pagefind puts before the data of each of its compressed files
HAND, EXOSOME = "hand-washing", "exosome-therapy"
QUERY = """async (query) => {
  const pagefind = await import(new URL("../pagefind/pagefind.js", location.href).href);
  await pagefind.init();
  const search = await pagefind.search(query);
  return Promise.all(search.results.map(async result => {
    const data = await result.data();
    return { url: data.url, title: data.meta.title };
  }));
}"""


@pytest.fixture(scope="module")
def pages(built) -> dict[str, bytes]:
    """Every document's page in each of its languages, as the site holds them ("zh-tw/hand-washing.html"
    → HTML), with their <main> marked for Pagefind if the templates do not mark it yet."""
    site = built / "output/site"
    found = {}
    for doc in DOCS:
        for lang in doc_langs(doc):
            name = f"{lang.url}/{doc.slug}.html"
            html = (site / name).read_bytes()
            found[name] = html if search.MARKED.search(html) else html.replace(b"<main", b"<main data-pagefind-body", 1)
    assert {HAND, EXOSOME} <= {doc.slug for doc in DOCS}
    return found


@pytest.fixture(scope="module")
def bundle(pages) -> dict[str, bytes]:
    return search.index(pages)


def cbor(data: bytes, at: int = 0):
    """The CBOR item at `at`, and the offset after it: the kinds Pagefind writes, integers, strings
    and arrays."""
    head = data[at]
    kind, size = head >> 5, head & 31
    at += 1
    assert kind in (0, 1, 2, 3, 4) and size <= 27, f"CBOR item {head:#x} is not of a kind Pagefind writes"
    if size >= 24:
        width = 1 << (size - 24)
        size, at = int.from_bytes(data[at:at + width], "big"), at + width
    if kind in (2, 3):
        text = data[at:at + size]
        return (text.decode() if kind == 3 else text), at + size
    if kind == 4:
        items = []
        for _ in range(size):
            item, at = cbor(data, at)
            items.append(item)
        return items, at
    return (-1 - size if kind == 1 else size), at


def unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    assert raw.startswith(HEADER)
    return raw[len(HEADER):]


def words(bundle: dict[str, bytes], lang: str) -> dict[str, set[str]]:
    """Every word of a language's index → the URLs of the pages it is on."""
    entry = json.loads(bundle["pagefind/pagefind-entry.json"])
    meta, _ = cbor(unpack(bundle[f"pagefind/pagefind.{entry['languages'][lang]['hash']}.pf_meta"]))
    # [version, [[fragment, word count] per page], [[first word, last word, chunk] per index chunk], …]
    urls = [json.loads(unpack(bundle[f"pagefind/fragment/{fragment}.pf_fragment"]))["url"] for fragment, _ in meta[1]]
    found = {}
    for _, _, chunk in meta[2]:
        index, _ = cbor(unpack(bundle[f"pagefind/index/{chunk}.pf_index"]))
        for word, hits, *_ in index[0]:  # each hit: [page number, positions, …]
            found[word] = {urls[hit[0]] for hit in hits}
    return found


def test_a_separate_index_per_language(bundle, pages):
    entry = json.loads(bundle["pagefind/pagefind-entry.json"])
    assert entry["version"] == "1.5.2"
    # Named by <html lang>, lowercased; a language without a stemmer (Chinese, Vietnamese, Thai) gets
    # the wasm of unknown languages.
    wasm = {"en": "en", "zh-tw": None, "vi": None, "id": "id", "th": None}
    assert entry["languages"] == {lang: {"hash": entry["languages"][lang]["hash"], "wasm": stemmer,
                                         "page_count": len(DOCS)} for lang, stemmer in wasm.items()}
    for lang, index in entry["languages"].items():
        assert index["hash"].startswith(f"{lang}_")
        assert f"pagefind/pagefind.{index['hash']}.pf_meta" in bundle
        assert any(name.startswith(f"pagefind/index/{lang}_") for name in bundle)
        assert len([name for name in bundle if name.startswith(f"pagefind/fragment/{lang}_")]) == len(DOCS)
    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-ui.js", "pagefind-ui.css", "wasm.en.pagefind",
                 "wasm.unknown.pagefind"):
        assert f"pagefind/{name}" in bundle
    assert all(name.startswith("pagefind/") for name in bundle)
    assert not set(bundle) & set(pages)


def test_each_page_is_in_its_own_language_index(bundle):
    zh, en = words(bundle, "zh-tw"), words(bundle, "en")
    # The extended binary segments Chinese into words: 洗手 (washing hands) is one.
    assert zh["洗手"] == {f"/zh-tw/{HAND}.html"}
    assert f"/zh-tw/{HAND}.html" in zh["病毒"]
    # 外泌體 (exosome) is not in its dictionary, which keeps its characters: 泌 is also in 分泌 (secretion).
    assert f"/zh-tw/{EXOSOME}.html" in zh["體"] and f"/zh-tw/{EXOSOME}.html" in zh["泌"]
    assert en["norovirus"] == {f"/en/{HAND}.html"}
    assert en["exosom"] == {f"/en/{EXOSOME}.html"}  # English words are stemmed
    assert not [word for word in en if any(unicodedata.name(c, "").startswith("CJK") for c in word)]
    # Only <main> is indexed: not the language switcher, whose link to English every Chinese page has.
    assert "english" not in zh


def test_the_same_pages_give_the_same_bundle(bundle, pages):
    assert search.index(dict(reversed(pages.items()))) == bundle


def test_one_run_per_language_gives_the_bundle_of_one_run_over_every_page(bundle, pages):
    """Pagefind runs once per language, so that one language's index is in memory at a time: the
    files are those of one run over every page, and the entry lists the same indexes."""
    ours, whole = dict(bundle), search._index(pages, *search._binary())
    entry, whole_entry = (json.loads(files.pop("pagefind/pagefind-entry.json")) for files in (ours, whole))
    assert ours == whole
    assert entry["languages"] == whole_entry["languages"] and len(entry["languages"]) == 5

def test_only_the_languages_whose_pages_changed_are_indexed_again(bundle, pages, tmp_path, monkeypatch):
    """With a cache, Pagefind runs for a language only when its pages changed, and the bundle is
    the one made without the cache; the cache keeps the bundles of the current pages alone."""
    real, runs = search._binary()[0], tmp_path / "runs"
    wrapper = tmp_path / "pagefind_extended"  # the real binary, its indexing runs counted
    wrapper.write_text(f'#!/bin/sh\n[ "$1" = --version ] || echo run >> {runs}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    cache = tmp_path / "cache"

    def count() -> int:
        return len(runs.read_text().split()) if runs.exists() else 0

    assert search.index(pages, cache) == bundle
    assert count() == len(json.loads(bundle["pagefind/pagefind-entry.json"])["languages"]) == 5  # a run per language
    assert search.index(pages, cache) == bundle and count() == 5
    name = f"en/{HAND}.html"
    changed = {**pages, name: pages[name].replace(b"</main>", b"<p>Sing a song while you scrub.</p></main>", 1)}
    assert changed[name] != pages[name]
    cached = search.index(changed, cache)
    assert count() == 6
    assert cached == search.index(changed) != bundle
    assert "scrub" in words(cached, "en")
    assert len(list(cache.iterdir())) == 5  # the bundle of the English pages before is gone


def test_a_page_without_a_marked_main_is_refused(pages):
    name = f"en/{HAND}.html"
    with pytest.raises(InputError) as refused:
        search.index({name: pages[name].replace(b" data-pagefind-body", b"")})
    assert refused.value.path == Path(name)
    assert "data-pagefind-body" in refused.value.message


@pytest.mark.parametrize("kind", ["missing", "not executable", "not Pagefind", "stops"])
def test_a_broken_binary_is_refused(pages, tmp_path, monkeypatch, kind):
    """PAGEFIND_BINARY_PATH, which Pagefind's Python wrapper reads first, names the broken binary."""
    binary = tmp_path / "pagefind_extended"
    if kind == "not executable":
        binary.write_bytes(b"\x7fELF")
    elif kind == "not Pagefind":
        binary.write_text("#!/bin/sh\necho 'something else 1.0'\n")
    elif kind == "stops":  # answers --version, then fails instead of indexing
        binary.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "pagefind 1.5.2" || exit 3\n')
    if binary.exists():
        binary.chmod(0o644 if kind == "not executable" else 0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    with pytest.raises(InputError) as refused:
        search.index(pages)
    assert refused.value.path == binary
    assert {"missing": "No such file", "not executable": "Permission denied", "not Pagefind": "something else 1.0",
            "stops": "Pagefind stopped"}[kind] in refused.value.message
    assert "pip install -r requirements.txt" in refused.value.hint
    assert "\n" not in str(refused.value)


@pytest.fixture(scope="module")
def served(built, bundle, tmp_path_factory):
    """The built site, with this bundle as its search, over http on 127.0.0.1 under site_url's path."""
    site = tmp_path_factory.mktemp("search") / "site"
    shutil.copytree(built / "output/site", site)
    shutil.rmtree(site / search.FOLDER, ignore_errors=True)
    for name, data in bundle.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    prefix = urlsplit(load_project(built).site_url).path
    server = make_server(site, prefix, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    server.shutdown()
    server.server_close()


def test_pagefind_finds_each_language_in_the_browser(served):
    assert os.access(CHROMIUM, os.X_OK), "Debian's chromium is missing: run `make test`, which installs it"
    origin, root = served[:served.index("/", len("http://"))], urlsplit(served).path
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
        page.on("pageerror", lambda err: problems.append(str(err)))
        page.on("request", lambda req: req.url.startswith(origin + "/") or problems.append(f"left the site: {req.url}"))

        def urls(lang: str, query: str) -> list[str]:
            # Pagefind searches the index of the page's <html lang>.
            page.goto(f"{served}{lang}/{HAND}.html")
            return [result["url"] for result in page.evaluate(QUERY, query)]

        # Result URLs are under the site's path, which pagefind.js takes from its own address.
        assert urls("zh-tw", "洗手") == [f"{root}zh-tw/{HAND}.html"]
        assert urls("zh-tw", "外泌體") == [f"{root}zh-tw/{EXOSOME}.html"]
        assert urls("en", "norovirus") == [f"{root}en/{HAND}.html"]
        assert urls("en", "洗手") == []
        assert urls("zh-tw", "norovirus") == []
        browser.close()
    assert problems == []
