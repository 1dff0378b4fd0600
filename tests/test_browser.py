"""The built site in a real browser: Debian's Chromium driven by Playwright, the site served over http
under the path of site_url, as it is published. Every HTML page found in output/site loads cleanly,
switches language, fits a phone, passes axe-core and the Nu Html Checker, works from the keyboard
and in print, and tells search engines the truth (JSON-LD, hreflang, sitemap).

Set-up (`make test` does it): the chromium and default-jre-headless Debian packages, and `npm ci`
for vnu-jar. No browser is downloaded."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from conftest import DOCS, REPO, doc_langs
from healthpub.config import load_project
from healthpub.serve import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# How long a wait may last before it fails, in ms: a bound for a slow machine, never a measure of speed.
SLOW = 180_000
SETUP_HINT = "run `make test`, which installs it (scripts/system-packages.sh, npm ci)"

# What a page tells the test, read from its DOM.
SNAPSHOT = """() => ({
  lang: document.documentElement.getAttribute("lang"),
  canonical: document.querySelector('link[rel="canonical"]')?.getAttribute("href") ?? null,
  alternates: [...document.querySelectorAll('link[rel="alternate"][hreflang]')]
    .map(link => [link.getAttribute("hreflang"), link.getAttribute("href")]),
  robots: document.querySelector('meta[name="robots"]')?.getAttribute("content") ?? "",
  jsonld: [...document.querySelectorAll('script[type="application/ld+json"]')].map(s => s.textContent),
  faq: [...document.querySelectorAll("section.faq h3")].map(h => h.textContent.replace(/\\s+/g, " ").trim()),
  switcher: [...document.querySelectorAll("nav.languages a")].map(a => ({
    hreflang: a.getAttribute("hreflang"), href: a.getAttribute("href"), current: a.getAttribute("aria-current")})),
})"""


@pytest.fixture(scope="module")
def config(built):
    return load_project(built)


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built / "output/site"


@pytest.fixture(scope="module")
def pages(site) -> list[str]:
    """Every HTML page of the site, as its path under the site: "en/<slug>.html", "404.html", …"""
    found = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    assert "index.html" in found
    return found


@pytest.fixture(scope="module")
def base(site, config):
    """The site over http on 127.0.0.1 (a free port), under site_url's path: http://127.0.0.1:PORT/health/."""
    prefix = urlsplit(config.site_url).path
    server = make_server(site, prefix, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"Debian's chromium is missing: {SETUP_HINT}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """What happened while a page loaded: its HTTP status and every problem."""

    def __init__(self, url: str):
        self.url = url
        self.status: int | None = None
        self.problems: list[str] = []


class Tab:
    """One browser tab for the whole module (a new one costs ~0.3 s, a page load ~0.1 s), which
    notes for the current visit: console errors, uncaught exceptions, failed requests, HTTP errors
    (of anything but the page itself: see Visit.status), requests that leave the local site."""

    def __init__(self, browser, base: str):
        self.base = base
        self.origin = base[:base.index("/", len("http://"))]
        self.page = browser.new_context().new_page()
        self.visit = Visit(base)
        self.page.on("console", lambda msg: msg.type == "error" and self.note(f"console error: {msg.text}"))
        self.page.on("pageerror", lambda err: self.note(f"uncaught exception: {err}"))
        self.page.on("requestfailed", lambda req: self.note(f"request failed: {req.url} ({req.failure})"))
        self.page.on("response", lambda res: res.status >= 400 and res.url != self.visit.url
                     and self.note(f"HTTP {res.status}: {res.url}"))
        self.page.on("request", lambda req: req.url.startswith((self.origin + "/", "data:"))
                     or self.note(f"request outside the site: {req.url}"))

    def note(self, problem: str) -> None:
        self.visit.problems.append(problem)

    def open(self, path: str, width: int = 1280):
        """Load a page of the site, on screen, `width` px wide; returns the page and its Visit."""
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.emulate_media(media="screen")
        self.visit = Visit(self.base + path)
        response = self.page.goto(self.visit.url)
        self.visit.status = response.status if response else None
        return self.page, self.visit


@pytest.fixture(scope="module")
def tab(browser, base) -> Tab:
    return Tab(browser, base)


def file_of(config, url: str) -> str | None:
    """The page under the site that an absolute URL names: site_url + "en/x.html" → "en/x.html"."""
    if not url or not url.startswith(config.site_url):
        return None
    path = url[len(config.site_url):]
    return path + "index.html" if path == "" or path.endswith("/") else path


@pytest.fixture(scope="module")
def snapshots(tab, pages) -> dict[str, dict]:
    """What every page says about itself, as the browser parsed it."""
    found = {}
    for path in pages:
        page, _ = tab.open(path)
        found[path] = page.evaluate(SNAPSHOT)
    return found


@pytest.fixture(scope="module")
def multilingual(snapshots) -> dict[str, dict]:
    """The pages that exist in several languages: those with hreflang alternates (documents, homes,
    topics, shelves, search pages)."""
    found = {path: snap for path, snap in snapshots.items()
             if any(hreflang != "x-default" for hreflang, _ in snap["alternates"])}
    assert found, "no page has hreflang alternates"
    return found


@pytest.fixture(scope="module")
def articles(multilingual) -> dict[str, dict]:
    """The documents' pages, in each of their languages."""
    slugs = {f"{doc.slug}.html" for doc in DOCS}
    return {path: snap for path, snap in multilingual.items() if path.rpartition("/")[2] in slugs}


def test_every_page_loads_without_errors_and_with_its_style(tab, pages):
    failures = []
    for path in pages:
        page, visit = tab.open(path)
        # site.css sets the body's margin to 0; a browser's default is 8px.
        styled = page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
        problems = visit.problems + ([] if visit.status == 200 else [f"HTTP {visit.status}"]) \
            + ([] if styled else ["the stylesheet did not apply"])
        failures += [f"{path}: {problem}" for problem in problems]
    assert not failures, "\n".join(failures)


def test_a_missing_url_gets_its_languages_404_page_with_its_style(tab, base, site, pages, config):
    folders = [""] + [path.removesuffix("404.html") for path in pages if path.endswith("/404.html")]
    assert len(folders) > 1, "no language has a 404 page"
    for folder in folders:
        expected = (site / folder / "404.html").read_text(encoding="utf-8")
        lang = re.search(r'<html lang="([^"]+)"', expected)[1]
        page, visit = tab.open(f"{folder}no/such/page.html")
        assert visit.status == 404
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", "404 page without its style"
        # Chromium logs the page's own 404 to the console; anything else is a problem.
        others = [p for p in visit.problems if not p.startswith("console error: Failed to load resource")]
        assert not others, f"{folder}: {others}"
        page.locator("main a").last.click()
        page.wait_for_load_state()
        home = f"{folder or config.source_lang.url + '/'}index.html"  # the site's own language's, at the root
        assert page.url == base + home, "the 404 page's link must lead to the list of all pages"


def test_language_switcher_goes_to_the_same_page_in_the_other_language(tab, pages, multilingual):
    switched = 0
    for path in pages:
        page, _ = tab.open(path)
        snap = page.evaluate(SNAPSHOT)
        if not snap["switcher"]:
            assert path not in multilingual, f"{path} exists in several languages but has no language switcher"
            continue
        current = [link for link in snap["switcher"] if link["current"] == "page"]
        assert [link["hreflang"] for link in current] == [snap["lang"]], f"{path}: aria-current marks {current}"
        alternates = dict(snap["alternates"])
        for index, link in enumerate(snap["switcher"]):
            if link["current"]:
                continue
            page, visit = tab.open(path)
            page.locator("nav.languages a").nth(index).click()
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.lang") == link["hreflang"], f"{path} → {link}"
            canonical = page.locator('link[rel="canonical"]').get_attribute("href")
            assert canonical == alternates[link["hreflang"]], f"{path} → {link}: another document"
            assert not visit.problems, visit.problems
            switched += 1
    assert switched >= len(multilingual), "every page in several languages must switch to each other language"


@pytest.mark.parametrize("width", [375, 320])
def test_no_horizontal_scrolling_on_a_phone(tab, pages, width):
    too_wide = []
    for path in pages:
        page, _ = tab.open(path, width=width)
        scroll, client = page.evaluate(
            "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        if scroll > client:
            too_wide.append(f"{path}: {scroll}px of content in {client}px")
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_accessibility_violations(tab, pages, width):
    reports = []
    for path in pages:
        page, _ = tab.open(path, width=width)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                           "resultTypes": ["violations"]})
        if results.violations_count:
            reports.append(f"{path} at {width}px: {results.generate_report()}")
    assert not reports, "\n\n".join(reports)


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_accessibility_violations_in_the_review_report(browser, built, width):
    report = built / "output/report"
    names = sorted(path.relative_to(report).as_posix() for path in report.rglob("*.html"))
    assert "index.html" in names and "zh_TW/doc-exosome-therapy.html" in names  # the index, locales and documents
    page = browser.new_page(viewport={"width": width, "height": 900})
    reports = []
    for name in names:
        page.goto((report / name).resolve().as_uri())
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                           "resultTypes": ["violations"]})
        if results.violations_count:
            reports.append(f"report/{name} at {width}px: {results.generate_report()}")
    page.close()
    assert not reports, "\n\n".join(reports)

@pytest.mark.parametrize("width", [375, 320])
def test_the_review_report_reads_on_a_phone(browser, built, width):
    """No page of the report scrolls sideways (a wide summary scrolls in a region of its own), and
    each segment's source and translation take the width of the screen, one above the other."""
    report = built / "output/report"
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems, segments = [], 0
    for path in sorted(report.rglob("*.html")):
        page.goto(path.resolve().as_uri())
        scroll, client = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        if scroll > client:
            problems.append(f"{path.name}: {scroll}px of content in {client}px")
        cells = page.evaluate("""[...document.querySelectorAll('td.source, td.translation')].map(td => {
            const box = td.getBoundingClientRect(); return [box.width, box.top]; })""")
        segments += len(cells) // 2
        problems += [f"{path.name}: a segment's text {w:.0f}px wide in {client}px" for w, _ in cells if w < .8 * client]
        problems += [f"{path.name}: a translation beside its source" for (_, top), (_, below) in zip(cells[::2], cells[1::2])
                     if below <= top]
    page.close()
    assert segments > 50 and not problems, "\n".join(problems[:10])


@pytest.fixture(scope="module", autouse=True)
def vnu(site, pages):
    """The Nu Html Checker over every page and stylesheet in one run, started first: the JVM works
    while the browser tests do."""
    if not VNU.exists():
        yield None
        return
    css = sorted(str(path) for path in site.rglob("*.css"))
    proc = subprocess.Popen(["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--also-check-css",
                             *(str(site / path) for path in pages), *css],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield proc
    proc.kill()
    proc.communicate()


def test_nu_html_checker_finds_no_errors(vnu, site):
    assert vnu, f"{VNU.relative_to(REPO)} is missing: {SETUP_HINT}"
    _, stderr = vnu.communicate(timeout=120)
    report = json.loads(stderr)  # vnu writes its report to stderr
    errors = [f"{m.get('url', '?').split(str(site) + '/')[-1]}:{m.get('lastLine', '?')}: {m.get('message')}"
              f" [{m.get('extract', '').strip()}]"
              for m in report["messages"] if m["type"] in ("error", "non-document-error")]
    assert not errors, "\n".join(errors)
    assert vnu.returncode == 0, stderr


def test_structured_data_matches_the_page(articles):
    for path, snap in articles.items():
        assert len(snap["jsonld"]) == 1, f"{path}: {len(snap['jsonld'])} JSON-LD blocks"
        data = json.loads(snap["jsonld"][0])
        assert data["@context"] == "https://schema.org"
        nodes: dict[str, list[dict]] = {}
        for node in data.get("@graph", [data]):
            nodes.setdefault(node["@type"], []).append(node)
        [page] = nodes["MedicalWebPage"]
        assert page["inLanguage"] == snap["lang"], path
        assert page["url"] == snap["canonical"], path
        assert page["name"] and page["lastReviewed"], path
        if not snap["faq"]:
            assert "FAQPage" not in nodes, f"{path}: a FAQPage but no FAQ section"
            continue
        [faq] = nodes["FAQPage"]
        assert faq["inLanguage"] == snap["lang"], path
        questions = [q for q in faq["mainEntity"] if q["@type"] == "Question"]
        assert len(questions) == len(snap["faq"]), f"{path}: {len(questions)} questions, {len(snap['faq'])} <h3>"
        assert [" ".join(q["name"].split()) for q in questions] == snap["faq"], path
        assert all(q["acceptedAnswer"]["@type"] == "Answer" and q["acceptedAnswer"]["text"].strip()
                   for q in questions), path


def test_every_page_in_several_languages_has_structured_data(snapshots, articles):
    with_data = {path for path, snap in snapshots.items() if snap["jsonld"]}
    assert with_data == set(articles)


def test_hreflang_links_are_absolute_complete_and_reciprocal(config, snapshots, articles):
    # Each document is published in its own language and every translation of locales/LINGUAS.
    published = {doc.slug: {lang.bcp47 for lang in doc_langs(doc)} for doc in DOCS}
    assert {snap["lang"] for snap in articles.values()} == set().union(*published.values())
    assert {path.rpartition("/")[2].removesuffix(".html") for path in articles} == set(published)
    assert len(articles) == sum(map(len, published.values()))
    x_defaults = set()
    for path, snap in articles.items():
        listed = dict(snap["alternates"])
        assert len(listed) == len(snap["alternates"]), f"{path}: an hreflang is listed twice"
        langs = published[path.rpartition("/")[2].removesuffix(".html")]
        assert set(listed) == langs | {"x-default"}, f"{path}: lists {sorted(listed)}"
        for url in [snap["canonical"], *listed.values()]:
            parts = urlsplit(url)
            assert parts.scheme == "https" and parts.netloc, f"{path}: {url!r} is not an absolute https URL"
        assert listed[snap["lang"]] == snap["canonical"] == config.site_url + path, f"{path} must list itself"
        x_defaults.add(listed["x-default"])
        for hreflang, url in listed.items():
            other = file_of(config, url)
            assert other in snapshots, f"{path}: {hreflang} → {url}, which is no page of the site"
            if hreflang == "x-default":
                continue
            assert snapshots[other]["lang"] == hreflang, f"{path}: {url} is not in {hreflang}"
            back = dict(snapshots[other]["alternates"]).get(snap["lang"])
            assert back == snap["canonical"], f"{other} does not list {path} back (it lists {back})"
    assert len(x_defaults) == 1 and "noindex" not in snapshots[file_of(config, x_defaults.pop())]["robots"]


def test_sitemap_lists_every_page_with_its_alternates(config, site, snapshots, articles):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries: dict[str, list] = {}
    for url in ET.parse(site / "sitemap.xml").getroot().findall("s:url", ns):
        loc = url.findtext("s:loc", namespaces=ns)
        assert loc not in entries, f"{loc} is listed twice"
        entries[loc] = sorted([link.get("hreflang"), link.get("href")] for link in url.findall("x:link", ns)
                              if link.get("rel") == "alternate")
    for loc in entries:
        path = file_of(config, loc)
        assert path in snapshots, f"the sitemap lists {loc}, which is no page of the site"
        assert "noindex" not in snapshots[path]["robots"], f"the sitemap lists {loc}, which is noindex"
    for path, snap in snapshots.items():
        if "noindex" in snap["robots"]:
            continue
        url = config.site_url + path.removesuffix("index.html")
        assert url in entries, f"{path} ({url}) is not in the sitemap"
        if path in articles:
            assert entries[url] == sorted(snap["alternates"]), f"{path}: the sitemap's alternates differ"
    assert len(entries) == len([s for s in snapshots.values() if "noindex" not in s["robots"]])


def test_keyboard_users_see_where_they_are_and_can_skip_to_the_content(tab, pages):
    for path in pages:
        page, _ = tab.open(path)
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
          const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
          return {tag: el.tagName, href: el.getAttribute("href"), outline: style.outlineStyle,
                  width: parseFloat(style.outlineWidth), visible: box.width > 0 && box.height > 0
                    && box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight};
        }""")
        assert focused["tag"] == "A", f"{path}: Tab focuses {focused}"
        assert focused["visible"], f"{path}: the first focused link is off screen: {focused}"
        assert focused["outline"] != "none" and focused["width"] >= 2, f"{path}: no visible focus: {focused}"
        if focused["href"] == "#main":
            page.keyboard.press("Enter")
            assert page.evaluate("location.hash") == "#main"
            # The page scrolls to the content, as far as the page is long enough to.
            assert page.evaluate("""() => Math.abs(scrollY - Math.min(
                document.querySelector('main').getBoundingClientRect().top + scrollY,
                document.documentElement.scrollHeight - innerHeight)) < 2""")


def test_print_shows_the_content_and_hides_the_navigation(tab, articles):
    for path in articles:
        page, _ = tab.open(path)
        page.emulate_media(media="print")
        assert not page.locator("nav.languages").is_visible(), path
        assert page.locator("h1").is_visible() and page.locator(".disclaimer").first.is_visible(), path
        assert page.locator(".key-facts").is_visible(), path


def test_chinese_pages_keep_their_typography(tab, articles):
    chinese = [path for path, snap in articles.items() if snap["lang"].startswith("zh")]
    assert chinese
    for path in chinese:
        page, _ = tab.open(path)
        style = page.evaluate("""() => {
          const p = document.querySelector("main p:not(.review)"), s = getComputedStyle(p);
          const article = document.querySelector("article");
          return {family: s.fontFamily, ratio: parseFloat(s.lineHeight) / parseFloat(s.fontSize),
                  align: s.textAlign, width: article.clientWidth,
                  size: parseFloat(getComputedStyle(article).fontSize)};
        }""")
        assert "Noto Sans CJK TC" in style["family"] and "PingFang TC" in style["family"], style
        assert 1.7 <= style["ratio"] <= 1.85, style
        assert style["align"] in ("left", "start"), style
        assert style["width"] / style["size"] <= 40, f"{path}: lines of {style['width'] / style['size']:.0f} characters"


def test_serve_previews_the_site_and_rebuilds_when_a_template_changes(project):
    """`pipeline.py serve` in a copy of the project: it serves, rebuilds on a change, stops on Ctrl-C."""
    proc = start_serve(project)
    watchdog = threading.Timer(600, proc.kill)  # a hung server fails the test instead of hanging it
    watchdog.start()
    try:
        lines, match = [], None
        for line in proc.stdout:
            lines.append(line)
            if match := re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line):
                break
        assert match, "".join(lines) + proc.stderr.read()
        base = match[1]
        url = urljoin(base, re.search(r'<a href="([^"]+\.html)"', fetch(base))[1])  # the chooser's first page
        stylesheet = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
        first = stylesheet.search(fetch(url))[1]
        assert "{" in fetch(urljoin(url, first))  # the stylesheet is served too
        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(base + "no/such/page.html")
        assert missing.value.code == 404 and b"<h1>" in missing.value.read()
        css = project / "templates/site.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n.review { font-style: italic; }\n", encoding="utf-8")
        deadline = time.monotonic() + SLOW / 1000
        while stylesheet.search(fetch(url))[1] == first:
            assert time.monotonic() < deadline, "no rebuild after a template changed"
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=SLOW / 1000)
        watchdog.cancel()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in out, out + err


def start_serve(project: Path) -> subprocess.Popen:
    """`pipeline.py serve` as from a terminal, where Ctrl-C (SIGINT) stops it: a test runner started in
    the background of a script ignores SIGINT, its children inherit that, and Python then never
    raises KeyboardInterrupt."""
    return subprocess.Popen([sys.executable, str(REPO / "pipeline.py"), "serve", "--port", "0"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


@pytest.mark.parametrize("lang, query, found, not_found", [
    ("zh-tw", "洗手", "zh-tw/hand-washing.html", "zh-tw/exosome-therapy.html"),
    ("zh-tw", "外泌體", "zh-tw/exosome-therapy.html", "zh-tw/hand-washing.html"),
    ("en", "norovirus", "en/hand-washing.html", "en/exosome-therapy.html"),
    # Taiwan's migrant workers' and new immigrants' languages: Thai has no spaces between words, and
    # Vietnamese is typed on phones without its diacritics too.
    ("vi", "rửa tay", "vi/hand-washing.html", "vi/exosome-therapy.html"),
    ("vi", "rua tay", "vi/hand-washing.html", "vi/exosome-therapy.html"),
    ("id", "cuci tangan", "id/hand-washing.html", "id/exosome-therapy.html"),
    ("th", "ล้างมือ", "th/hand-washing.html", "th/exosome-therapy.html"),
    ("th", "สบู่", "th/hand-washing.html", "th/exosome-therapy.html"),
])
def test_search_finds_the_page_in_its_language_from_a_shareable_address(tab, base, lang, query, found, not_found):
    page, visit = tab.open(f"{lang}/search.html?q={query}", width=390)
    page.wait_for_selector(".pagefind-ui__result-link", timeout=SLOW)
    links = {urlsplit(href).path.removeprefix(urlsplit(base).path)
             for href in page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => a.href)")}
    assert found in links and not_found not in links, links
    assert all(link.startswith(f"{lang}/") for link in links)  # only the page's own language
    assert not visit.problems, visit.problems  # no request off the site, no error


def test_the_search_box_of_every_page_opens_the_results(tab):
    page, _ = tab.open("en/exosome-therapy.html")
    page.fill("#site-search", "hand sanitizer")
    page.press("#site-search", "Enter")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=SLOW)
    assert page.url.endswith("en/search.html?q=hand+sanitizer")
    assert "hand-washing.html" in page.eval_on_selector(".pagefind-ui__result-link", "a => a.href")


def test_the_leaflet_shelf_prints_as_a_checklist_of_pictures(tab):
    page, _ = tab.open("zh-tw/leaflets.html")
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['header.site form', 'header.site nav', 'footer.site nav']
        .map(s => getComputedStyle(document.querySelector(s)).display)""")
    assert hidden == ["none", "none", "none"]
    columns = page.evaluate("getComputedStyle(document.querySelector('.shelf')).gridTemplateColumns.split(' ').length")
    assert columns == 4
    assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)")


def test_serve_previews_drafts_and_reloads_the_open_page_after_a_save(project, browser):
    """Plain `serve` is a preview: an edited English sentence shows at once on the Chinese page, as a
    draft, and the open page reloads itself."""
    proc = start_serve(project)
    watchdog = threading.Timer(600, proc.kill)
    watchdog.start()
    try:
        for line in proc.stdout:
            if match := re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line):
                break
        page = browser.new_page()
        page.goto(match[1] + "zh-tw/exosome-therapy.html")
        # The panel is empty until its first answer from the server: wait for the text, never read it at once.
        page.wait_for_selector("aside[aria-label=Preview]:has-text('Preview (draft) · pages and leaflets up to date')",
                               timeout=SLOW)
        assert page.locator(".draft").count() == 0  # the catalogs are complete
        md = project / "source/exosome-therapy.md"
        old = "In recent years, authorities have penalized exosome products with exaggerated\n  claims."
        md.write_text(md.read_text(encoding="utf-8").replace(old, old.replace("In recent years", "Lately")),
                      encoding="utf-8")
        saved = time.monotonic()
        page.wait_for_selector("text=Lately, authorities have penalized", timeout=SLOW)
        print(f"reloaded {time.monotonic() - saved:.1f} s after the save")
        # The leaflets follow; they leave the page's file as it was, so the page does not reload.
        page.evaluate("window.stayed = true")
        page.wait_for_selector("aside[aria-label=Preview]:has-text('pages and leaflets up to date')", timeout=SLOW)
        assert page.evaluate("window.stayed === true")
        assert page.locator(".draft").count() == 1  # the unreviewed text shows, under the draft banner
        findings = page.locator("aside[aria-label=Preview] a")
        assert findings.get_attribute("href") == "/__preview/report/zh_TW.html"
        report = page.context.request.get(urljoin(page.url, "/__preview/report/zh_TW.html"))
        assert report.ok and 'href="zh_TW/doc-exosome-therapy.html"' in report.text()  # its page of the document
        part = page.context.request.get(urljoin(page.url, "/__preview/report/zh_TW/doc-exosome-therapy.html"))
        assert part.ok and "Lately, authorities" in part.text()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=SLOW / 1000)
        watchdog.cancel()
