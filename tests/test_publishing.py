"""Publishing as readers and other commands meet it: one writer at a time, no moment without a whole
site, and a full disk that loses nothing. Each through the real command line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, TODAY, copy_project, output_files, run
from healthpub import output

PAGE = "output/site/en/exosome-therapy.html"


def output_bytes(project: Path) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in output_files(project).items()}


def start(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "pipeline.py"), *args], cwd=project, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "HEALTHPUB_TODAY": TODAY})


def mark_pages(project: Path, mark: str) -> None:
    """A change to every page and no leaflet: a comment in the pages' layout."""
    layout = project / "templates/_layout.html"
    text = layout.read_text(encoding="utf-8").split("\n<!-- mark:")[0]
    layout.write_text(f"{text}\n<!-- mark: {mark} -->\n", encoding="utf-8")


def test_a_second_build_waits_for_the_first_and_both_publish_whole(project):
    assert run(project, "build").returncode == 0
    css = project / "templates/leaflet.css"
    css.write_text(css.read_text() + "\nh1 { color: #000; }\n")  # the first build has leaflets to render
    first = start(project, "build")
    lock = project / ".cache/lock"
    deadline = time.monotonic() + 300  # only a bound for a machine that never gets there
    while f"pid {first.pid}" not in (lock.read_text() if lock.exists() else ""):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGSTOP)  # frozen while it holds the lock: the second must wait
    try:
        second = start(project, "build")
        said = second.stderr.readline()  # blocks until the second says why it waits
        assert said == f"waiting for pid {first.pid} (build) to finish with this project…\n"
        assert second.poll() is None
    finally:
        os.kill(first.pid, signal.SIGCONT)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "up to date, nothing rewritten" in out  # it saw the first one's whole output
    clean = copy_project(project.parent / "clean")
    shutil.copy(css, clean / "templates/leaflet.css")
    assert run(clean, "build").returncode == 0
    assert output_bytes(project) == output_bytes(clean)


READER = """
import sys, pathlib
page, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
reads = failures = 0
while not stop.exists() and reads < 2_000_000:
    reads += 1
    try:
        html = page.read_text(encoding="utf-8")
        if not html.rstrip().endswith("-->") or "<!-- mark: " not in html:
            failures += 1
            print("incomplete page", flush=True)
    except OSError as err:
        failures += 1
        print(err, flush=True)
print(f"{reads} reads, {failures} failures", flush=True)
"""


def test_a_reader_always_finds_a_whole_site_while_builds_swap_it(project):
    mark_pages(project, "0")
    assert run(project, "build").returncode == 0
    stop = project.parent / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(project / PAGE), str(stop)], text=True,
                              stdout=subprocess.PIPE)
    try:
        for build in range(1, 7):
            mark_pages(project, str(build))
            result = run(project, "build")
            assert result.returncode == 0, result.stderr
            assert "0 documents rendered" in result.stdout and "nothing rewritten" not in result.stdout
    finally:
        stop.touch()
        said, _ = reader.communicate(timeout=60)
    assert said.strip().endswith(" 0 failures"), said
    assert int(said.split()[-4]) > 0
    # The build before the current one stays for readers still in it; older ones go.
    assert sorted(os.listdir(project / "output/.builds")) == ["6", "7"]
    assert (project / "output/site").is_symlink() and os.readlink(project / "output/.current") == ".builds/7"


def test_the_preview_server_follows_each_build(project):
    # `serve` serves output/site as a path, not the build it pointed to when it started.
    from healthpub.serve import make_server

    mark_pages(project, "a")
    assert run(project, "build").returncode == 0
    server = make_server((project / "output/site").absolute(), "/health/", 0)
    try:
        import threading
        import urllib.request

        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/health/en/exosome-therapy.html"
        assert "<!-- mark: a -->" in urllib.request.urlopen(url).read().decode()
        mark_pages(project, "b")
        assert run(project, "build").returncode == 0
        assert "<!-- mark: b -->" in urllib.request.urlopen(url).read().decode()
    finally:
        server.shutdown()
        server.server_close()


def test_an_open_preview_page_reloads_when_its_own_file_changes_and_only_then(project):
    # The preview's script carries the hash of the page it came with; the status answers with the
    # hash of that page's file now. A build that changes other pages leaves it alone.
    import json
    import re
    import threading
    import urllib.request
    from urllib.parse import quote

    from healthpub.serve import make_server

    assert run(project, "build").returncode == 0
    server = make_server((project / "output/site").absolute(), "/health/", 0, {"version": 0, "message": "built"})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def served(page: str) -> str:
        html = urllib.request.urlopen(base + page).read().decode()
        return re.search(r'const served = "(\w+)"', html)[1]

    def now(page: str):
        return json.loads(urllib.request.urlopen(f"{base}/__preview/status?page={quote(page)}").read())["page"]

    try:
        exosome, hand_washing = "/health/en/exosome-therapy.html", "/health/en/hand-washing.html"
        first, other = served(exosome), served(hand_washing)
        assert first != other and now(exosome) == first and now(hand_washing) == other
        assert now("/health/en/") == served("/health/en/")  # a folder's page is its index.html
        doc = project / "source/hand-washing.md"
        doc.write_text(doc.read_text(encoding="utf-8").replace("next_review: 2027-11-29", "next_review: 2027-11-30"),
                       encoding="utf-8")
        assert run(project, "build").returncode == 0
        assert now(exosome) == first  # not its page: it stays as it is
        assert now(hand_washing) != other and now(hand_washing) == served(hand_washing)
        mark_pages(project, "b")
        assert run(project, "build").returncode == 0
        assert now(exosome) != first and now(exosome) == served(exosome)
        for missing in ("/health/en/no-such-page.html", "/etc/passwd", "/health/../../site.toml", ""):
            assert now(missing) is None, missing
    finally:
        server.shutdown()
        server.server_close()


def test_the_previews_first_pass_publishes_the_pages_and_the_report_but_no_leaflet(project):
    assert run(project, "build").returncode == 0
    report = project / "output/report/zh_TW.html"
    assert "Ready for sign-off" in report.read_text(encoding="utf-8")
    doc = project / "source/exosome-therapy.md"
    old = "In recent years, authorities have penalized exosome products with exaggerated\n  claims."
    doc.write_text(doc.read_text(encoding="utf-8").replace(old, old.replace("In recent years", "Lately")),
                   encoding="utf-8")
    result = run(project, "build", "--draft", "--pages-only")
    assert result.returncode == 0, result.stderr
    files = output_files(project)
    assert "Lately, authorities" in (project / "output/site/zh-tw/exosome-therapy.html").read_text(encoding="utf-8")
    assert "Lately, authorities" in report.read_text(encoding="utf-8")  # the report of the change, after the pages
    assert "Ready for sign-off" not in report.read_text(encoding="utf-8")
    # The pages were switched in first, beside the report before: that build is still kept for its
    # readers, behind the current one.
    current = int(os.readlink(project / "output/.current").rpartition("/")[2])
    before = project / f"output/.builds/{current - 1}"
    assert "Lately, authorities" in (before / "site/zh-tw/exosome-therapy.html").read_text(encoding="utf-8")
    assert "Ready for sign-off" in (before / "report/zh_TW.html").read_text(encoding="utf-8")
    assert not [name for name in files if name.endswith(".pdf")]
    assert f"{len(files)} files" in result.stdout
    # The report is what `check` writes of the same files.
    shown = {name: path.read_bytes() for name, path in files.items() if name.startswith("report/")}
    assert run(project, "check").returncode == 1  # the new sentence is not translated
    assert {name: path.read_bytes() for name, path in output_files(project).items()
            if name.startswith("report/")} == shown


@pytest.fixture
def small_disk(tmp_path):
    """A 64 MB file system of its own (tmpfs), which a test can fill."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk but for about `leave` bytes."""
    stat = os.statvfs(disk)
    filler = disk / "filler"
    with filler.open("wb") as out:
        remaining = stat.f_bavail * stat.f_frsize - leave
        while remaining > 0:
            out.write(b"\0" * min(remaining, 1 << 20))
            remaining -= 1 << 20
    return filler


def cache_entries(project: Path) -> dict[str, list[str]]:
    folder = project / ".cache/pdf/output"
    return {entry.name: sorted(os.listdir(entry)) for entry in folder.iterdir()}


@pytest.mark.parametrize("change, leave", [
    ("leaflets", 300_000),  # the new leaflets do not fit in the cache
    ("pages", 100_000),  # the leaflets come from the cache; the new pages do not fit in output/
])
def test_a_full_disk_is_one_line_and_loses_nothing(small_disk, change, leave):
    project = copy_project(small_disk / "project")
    assert run(project, "build").returncode == 0
    before, builds, entries = output_bytes(project), os.listdir(project / "output/.builds"), cache_entries(project)
    if change == "leaflets":
        css = project / "templates/leaflet.css"
        css.write_text(css.read_text() + "\nh1 { color: #000; }\n")
    else:
        mark_pages(project, "new")
    filler = fill(small_disk, leave)
    result = run(project, "build")
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    where, _, what = lines[0].removeprefix("error: ").partition(": ")
    assert (where.startswith("output/.builds/") or where.startswith(".cache/")) and \
        what.startswith("no space left on device; what was published before and the cache are as they were"), lines
    assert output_bytes(project) == before
    assert os.listdir(project / "output/.builds") == builds  # no half-written build left taking space
    now = cache_entries(project)  # what was there stays, and whatever was added is whole
    assert set(entries) <= set(now) and all("meta.json" in files for files in now.values())
    assert not [p for p in (project / ".cache").rglob("*") if p.name.endswith(".tmp")]
    filler.unlink()
    again = run(project, "build")  # and once there is room, the next build works
    assert again.returncode == 0, again.stderr
    assert output_bytes(project) != before


def test_a_name_staged_twice_is_refused_and_publishes_nothing(tmp_path):
    with pytest.raises(ValueError, match="site/en/index.html is staged twice"):
        with output.Staging(tmp_path / "output") as staging:
            staging.add("site/en/index.html", b"one")
            staging.add("site/en/index.html", b"two")
    assert not (tmp_path / "output").exists()
