"""Hardening: broken fonts and glossaries, missing libraries, builds killed half-way."""

from __future__ import annotations

import datetime
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO, output_files, run
from healthpub import fonts
from healthpub.errors import InputError


def output_bytes(project: Path) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in output_files(project).items()}


def test_a_build_killed_while_rendering_leaves_the_previous_output_whole(project):
    assert run(project, "build").returncode == 0
    before = output_bytes(project)
    css = project / "templates/leaflet.css"
    css.write_text(css.read_text() + "\nh1 { color: #000; }\n")  # every leaflet must render again
    build = subprocess.Popen([sys.executable, str(REPO / "pipeline.py"), "build"], cwd=project,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    # Kill it once rendering has started (a worker process exists), before it can publish.
    while time.monotonic() < deadline and build.poll() is None:
        children = subprocess.run(["pgrep", "-s", str(build.pid)], capture_output=True, text=True).stdout.split()
        if len(children) > 1:
            break
        time.sleep(0.05)
    assert build.poll() is None, "the build finished before it could be killed"
    subprocess.run(["kill", "-KILL", "--", f"-{build.pid}"])
    build.wait()
    assert build.returncode == -signal.SIGKILL
    assert output_bytes(project) == before
    again = run(project, "build")  # and the next build recovers
    assert again.returncode == 0, again.stderr
    assert output_bytes(project) != before


@pytest.mark.parametrize("row", ["biologic,,", ",生物製劑,", ",,a note", "biologic"])
def test_a_broken_glossary_is_refused_in_one_line(project, row):
    # A column per locale (en,zh_TW,note): a row needs its term in two languages at least.
    glossary = project / "locales/glossary.csv"
    glossary.write_text(glossary.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    lines = glossary.read_text(encoding="utf-8").splitlines()
    result = run(project, "check")
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: locales/glossary.csv:{len(lines)}: each row needs the term in "
                                     "at least two languages")


@pytest.mark.parametrize("header, words", [
    ("term,locale,translation,note", "unknown locale 'term'"),  # the format before a column per locale
    ("en,note", "the header must name a column per locale, such as en,zh_TW,note"),
    ("en,xx_YY,note", "unknown locale 'xx_YY'"),
])
def test_a_glossary_header_that_names_no_two_locales_is_refused(project, header, words):
    glossary = project / "locales/glossary.csv"
    rows = glossary.read_text(encoding="utf-8").splitlines()
    glossary.write_text("\n".join([header, *rows[1:]]) + "\n", encoding="utf-8")
    result = run(project, "check")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: locales/glossary.csv:1: ") and words in lines[0], result.stderr


def test_a_damaged_font_file_is_refused(tmp_path, monkeypatch):
    damaged = tmp_path / "damaged.otf"
    damaged.write_bytes(b"OTTO" + b"\0" * 64)
    font = fonts.Font("Noto Sans CJK TC", 400, damaged, 0)
    # fontconfig names the damaged file for the family: the coverage check reads it.
    monkeypatch.setattr(fonts, "find", lambda family, weight=400: font)
    with pytest.raises(InputError, match="font cannot be read") as err:
        fonts.missing(("Noto Sans CJK TC",), "外泌體")
    assert err.value.path == damaged


def test_an_unknown_font_family_is_refused(project):
    config = project / "site.toml"
    config.write_text(config.read_text().replace('default = "Noto Sans CJK TC"', 'default = "No Such Font TC"'))
    result = run(project, "build")
    assert result.returncode == 2
    assert "font 'No Such Font TC' is not installed (sudo apt-get install fonts-noto-cjk)" in result.stderr
    assert not (project / "output").exists()


def test_missing_harfbuzz_subset_is_refused_before_anything_is_written(project, monkeypatch, capsys):
    # The library cannot be uninstalled inside a test: the lookup the check relies on is made to fail.
    import ctypes.util

    from healthpub import cli

    lookup = ctypes.util.find_library
    assert lookup("harfbuzz-subset")  # present here, as `make` installs it
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name == "harfbuzz-subset" else lookup(name))
    monkeypatch.chdir(project)
    assert cli.main(["build"]) == 2
    assert capsys.readouterr().err == ("error: libharfbuzz-subset: HarfBuzz's font subsetting library is not "
                                       "installed (sudo apt-get install libharfbuzz-subset0)\n")
    assert not (project / "output").exists()


def test_a_render_past_its_time_limit_is_stopped_with_a_clear_error(project, monkeypatch):
    monkeypatch.chdir(project)
    from healthpub import publish
    from healthpub.config import load_project
    from healthpub.state import gather

    def temporary() -> set[str]:
        return {path.name for path in Path(tempfile.gettempdir()).glob("healthpub-*")}

    config = load_project(Path("."))
    before = temporary()
    started = time.monotonic()
    with pytest.raises(InputError, match=r"its leaflets took over 0.05 s to render") as err:
        publish.build(config, gather(config, datetime.date(2026, 11, 29)), timeout=0.05)
    assert time.monotonic() - started < 30  # the runaway render was killed, not awaited
    assert err.value.path == Path("source/exosome-therapy.md")
    assert not (project / "output/site").exists()
    assert temporary() <= before  # the killed render's fonts went with its build's folder


def test_a_rendering_process_cannot_take_more_memory_than_its_limit():
    code = "from healthpub import leaflets; leaflets.limit_memory(); data = bytearray(leaflets.MEMORY_LIMIT)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0 and "MemoryError" in result.stderr
